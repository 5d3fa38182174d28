"""Every word matchwork says to people, in Italian and English: one table.

The people who run a round are Italian placement officers and case workers, so
Italian comes first. Keys are namespaced by where a text appears:

``rule.<code>``
    why a hard rule forbids a pair (one sentence);
``feature.<stage>.<name>``
    what a soft criterion measures (a few words);
``explain.<key>``, ``report.<key>``
    the words of explanations and of the round report;
``label.<code>``
    vocabulary codes (skills, slots, adjustments…) and ATECO sections.

A text may hold ``{placeholders}``, filled by :func:`text`. To add a language,
add a column to :data:`TEXTS` and a value to :data:`matchwork._validation.Lang`.

Examples
--------
>>> text("rule.commute_too_far", "en")
'the site is farther than the longest trip the person can make'
>>> text("explain.price_many", "it", n=2, gain="+2,5")
'2 abbinamenti in più, +2,5 punti'
>>> words("report", "en")["title"]
'Matching round'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matchwork._validation import Lang, choice, choices

__all__ = ["LANGS", "TEXTS", "both", "number", "text", "words"]

LANGS: tuple[str, ...] = choices(Lang)

TEXTS: dict[str, tuple[str, str]] = {
    # -------- Rules: why a pair is forbidden (one sentence each)
    "rule.commute_too_far": (
        "la sede è più lontana del tragitto massimo della persona",
        "the site is farther than the longest trip the person can make",
    ),
    "rule.no_schedule_overlap": (
        "nessun turno della mansione cade quando la persona è disponibile",
        "none of the position's shifts falls when the person is available",
    ),
    "rule.accommodation_missing": (
        "la sede non offre un accomodamento di cui la persona ha bisogno",
        "the site cannot offer an adjustment the person needs",
    ),
    "rule.min_skill": (
        "la mansione richiede una competenza minima che la persona non ha ancora",
        "the position requires a minimum skill the person does not have yet",
    ),
    "rule.no_opening": ("la mansione non ha posti aperti", "the position has no opening"),
    "rule.trainee_limit": (
        "la sede ha raggiunto il limite di legge di tirocinanti per il suo organico",
        "the site has reached the legal limit of trainees for its headcount",
    ),
    "rule.tutor_limit": (
        "i tutor aziendali della sede seguono già il massimo di tirocinanti",
        "the site's company tutors already follow as many trainees as allowed",
    ),
    "rule.relationship_site": (
        "una relazione tra la persona e la sede esclude l'abbinamento",
        "a relationship between the person and the site rules the pairing out",
    ),
    "rule.excluded_site": (
        "la persona ha chiesto di non essere abbinata a questa sede",
        "the person asked not to be paired with this site",
    ),
    "rule.forbidden_site": ("l'ufficio ha escluso questo abbinamento", "the office has ruled this pairing out"),
    "rule.pinned_elsewhere_site": (
        "l'ufficio ha fissato per la persona un'altra sede",
        "the office has fixed another site for the person",
    ),
    "rule.no_shared_language_guide": (
        "la persona e il lavoratore guida non hanno una lingua in comune",
        "the person and the guide worker share no language",
    ),
    "rule.cannot_lead": (
        "il lavoratore guida non è formato per fare da referente di progetto",
        "the guide worker is not trained to lead a newcomer",
    ),
    "rule.guide_full": (
        "il lavoratore guida segue già il massimo di persone",
        "the guide worker already follows as many newcomers as they can",
    ),
    "rule.lead_full": (
        "il lavoratore guida affianca già il massimo di nuovi ingressi in questo turno",
        "the guide worker already leads as many newcomers as allowed this round",
    ),
    "rule.relationship_guide": (
        "una relazione tra la persona e il lavoratore guida esclude l'abbinamento",
        "a relationship between the person and the guide worker rules the pairing out",
    ),
    "rule.excluded_guide": (
        "la persona ha chiesto di non essere affiancata da questo lavoratore guida",
        "the person asked not to be paired with this guide worker",
    ),
    "rule.forbidden_guide": ("l'ufficio ha escluso questo abbinamento", "the office has ruled this pairing out"),
    "rule.forbidden_lead": (
        "l'ufficio ha escluso questo lavoratore guida come referente",
        "the office has ruled this guide worker out as lead",
    ),
    "rule.forbidden_squad": (
        "l'ufficio ha escluso questo lavoratore guida dalla squadra",
        "the office has ruled this guide worker out of the squad",
    ),
    "rule.pinned_elsewhere_lead": (
        "l'ufficio ha fissato per la persona un altro referente",
        "the office has fixed another lead guide for the person",
    ),
    "rule.outside_area": (
        "il peer supporter non opera nell'ambito della persona",
        "the peer supporter does not serve the person's area",
    ),
    "rule.no_shared_language_peer": (
        "la persona e il peer supporter non hanno una lingua in comune",
        "the person and the peer supporter share no language",
    ),
    "rule.care_team_therapeutic": (
        "il peer supporter ha una relazione terapeutica con qualcuno dell'équipe della persona",
        "the peer supporter is in a therapeutic relationship with someone in the person's care team",
    ),
    "rule.peer_hours": (
        "il peer supporter non ha abbastanza ore libere senza superare il suo limite",
        "the peer supporter has not enough free hours within their limit",
    ),
    "rule.relationship_peer": (
        "una relazione tra la persona e il peer supporter esclude l'abbinamento",
        "a relationship between the person and the peer supporter rules the pairing out",
    ),
    "rule.excluded_peer": (
        "la persona ha chiesto di non essere affiancata da questo peer supporter",
        "the person asked not to be paired with this peer supporter",
    ),
    "rule.forbidden_peer": ("l'ufficio ha escluso questo abbinamento", "the office has ruled this pairing out"),
    "rule.pinned_elsewhere_peer": (
        "l'ufficio ha fissato per la persona un altro peer supporter",
        "the office has fixed another peer supporter for the person",
    ),
    "rule.untrained_guide": (
        "il lavoratore guida non ha la formazione sulla relazione educativa",
        "the guide worker is not trained in the educational relationship",
    ),
    "rule.site_without_guides": (
        "in questo tipo di sede non ci sono lavoratori guida: accompagnano il tutor aziendale e l'operatore",
        "this kind of site has no guide workers: the company tutor and the desk's operator accompany the person",
    ),
    "rule.lead_off_shifts": (
        "il lavoratore guida non lavora in abbastanza turni della mansione per affiancare la persona",
        "the guide worker does not work enough of the position's shifts to work beside the person",
    ),
    "rule.no_tutor_available": (
        "nessun tutor aziendale della sede può seguire la persona",
        "none of the site's company tutors can follow the person",
    ),
    "rule.no_operator_available": (
        "nessun operatore dello sportello dell'ambito può prendere in carico la persona",
        "no job-desk operator of the person's area can take the person on",
    ),
    "rule.tutor_full": (
        "il tutor aziendale segue già il massimo di tirocinanti",
        "the company tutor already follows as many trainees as allowed",
    ),
    "rule.no_shared_language_tutor": (
        "la persona e il tutor aziendale non hanno una lingua in comune",
        "the person and the company tutor share no language",
    ),
    "rule.relationship_tutor": (
        "una relazione tra la persona e il tutor aziendale esclude l'abbinamento",
        "a relationship between the person and the company tutor rules the pairing out",
    ),
    "rule.excluded_tutor": (
        "la persona ha chiesto di non essere seguita da questo tutor",
        "the person asked not to be followed by this tutor",
    ),
    "rule.forbidden_tutor": ("l'ufficio ha escluso questo tutor", "the office has ruled this tutor out"),
    "rule.pinned_elsewhere_tutor": (
        "l'ufficio ha fissato per la persona un altro tutor",
        "the office has fixed another tutor for the person",
    ),
    "rule.operator_outside_area": (
        "l'operatore non segue l'ambito territoriale della persona",
        "the operator does not serve the person's area",
    ),
    "rule.operator_full": (
        "l'operatore ha già il massimo di persone in carico",
        "the operator already follows as many people as allowed",
    ),
    "rule.relationship_operator": (
        "una relazione tra la persona e l'operatore esclude l'abbinamento",
        "a relationship between the person and the operator rules the pairing out",
    ),
    "rule.excluded_operator": (
        "la persona ha chiesto di non essere seguita da questo operatore",
        "the person asked not to be followed by this operator",
    ),
    "rule.forbidden_operator": ("l'ufficio ha escluso questo operatore", "the office has ruled this operator out"),
    "rule.pinned_elsewhere_operator": (
        "l'ufficio ha fissato per la persona un altro operatore",
        "the office has fixed another operator for the person",
    ),
    "rule.peer_people_full": (
        "il peer supporter segue già il massimo di persone",
        "the peer supporter already follows as many people as allowed",
    ),
    "rule.former_client_dual_role": (
        "il peer supporter è stato utente dello stesso servizio che segue la persona: doppio ruolo da discutere",
        "the peer supporter was a client of the service that follows the person: a dual role to discuss",
    ),
    "rule.lived_experience_missing": (
        "il peer supporter non ha l'esperienza vissuta che la persona ha chiesto",
        "the peer supporter lacks the lived experience the person asked for",
    ),
    "rule.team_therapeutic": (
        "il peer supporter ha una relazione terapeutica con qualcuno della squadra intorno alla persona",
        "the peer supporter is in a therapeutic relationship with someone in the person's team",
    ),
    "rule.below_min_score": (
        "il punteggio è sotto la soglia minima del programma",
        "the score is below the programme's minimum",
    ),
    # -------- Rules, told to the candidate themself (second person); other rules fall back to rule.<code>
    "rule_you.commute_too_far": (
        "la sede è più lontana del tragitto più lungo che puoi fare",
        "the site is farther than the longest trip you can make",
    ),
    "rule_you.no_schedule_overlap": (
        "nessun turno della mansione cade quando sei disponibile",
        "none of the position's shifts falls when you are available",
    ),
    "rule_you.accommodation_missing": (
        "la sede non può offrire un accomodamento di cui hai bisogno",
        "the site cannot offer an adjustment you need",
    ),
    "rule_you.min_skill": (
        "la mansione richiede una competenza che non hai ancora",
        "the position needs a skill you do not have yet",
    ),
    "rule_you.relationship_site": ("un legame con la sede esclude l'abbinamento", "a tie with the site rules it out"),
    "rule_you.excluded_site": ("hai chiesto di escludere questa sede", "you asked to rule this site out"),
    "rule_you.pinned_elsewhere_site": (
        "l'ufficio ha fissato per te un'altra sede",
        "the office has fixed another site for you",
    ),
    "feature_you.guide.gender": ("il genere che preferisci", "the gender you prefer"),
    "feature_you.peer.gender": ("il genere che preferisci", "the gender you prefer"),
    # -------- Features: what each criterion measures, in a few words
    "feature.site.skill_fit": ("competenze adatte alla mansione", "skills fit the position"),
    "feature.site.wished_sector": ("settore desiderato", "the sector the person wishes"),
    "feature.site.commute": ("tragitto casa-lavoro breve", "a short trip to work"),
    "feature.site.schedule": ("turni compatibili con la disponibilità", "shifts the person can work"),
    "feature.site.site_experience": (
        "sede esperta di inserimenti di persone fragili",
        "a site used to hosting fragile workers",
    ),
    "feature.guide.language": ("lingue in comune", "languages in common"),
    "feature.guide.schedule": ("presente nei turni della mansione", "works the position's shifts"),
    "feature.guide.guide_skill": ("competente nel lavoro della mansione", "skilled in the position's work"),
    "feature.guide.guide_experience": ("esperienza del lavoratore guida", "the guide worker's experience"),
    "feature.guide.gender": ("genere preferito dalla persona", "the gender the person prefers"),
    "feature.peer.lived_experience": ("esperienza vissuta simile", "a similar lived experience"),
    "feature.peer.language": ("lingue in comune", "languages in common"),
    "feature.peer.schedule": ("disponibili negli stessi orari", "free at the same times"),
    "feature.peer.gender": ("genere preferito dalla persona", "the gender the person prefers"),
    "feature.peer.proximity": ("abita vicino", "lives nearby"),
    # -------- Explanations
    "explain.confidential": (
        "una ragione riservata (chiedere all'équipe)",
        "a confidential reason (ask the case team)",
    ),
    "explain.confidential_points": ("criteri riservati", "confidential criteria"),
    "explain.site": ("Sede e mansione", "Site and position"),
    "explain.lead_guide": (
        "Lavoratore guida referente (le prime due settimane)",
        "Lead guide worker (the first two weeks)",
    ),
    "explain.squad": ("Squadra ristretta (i mesi successivi)", "Squad (the following months)"),
    "explain.peer": ("Peer supporter", "Peer supporter"),
    "explain.title_matched": ("{who}: abbinamento trovato", "{who}: matched"),
    "explain.title_unmatched": ("{who}: nessun abbinamento in questa tornata", "{who}: not matched in this round"),
    "explain.title_not_yours": (
        "Questa persona non è abbinata a voi in questa tornata.",
        "This person is not paired with you in this round.",
    ),
    "explain.you_title_matched": ("Il tuo abbinamento", "Your placement"),
    "explain.you_title_unmatched": (
        "In questa tornata non è stato possibile trovarti un tirocinio",
        "In this round no placement could be found for you",
    ),
    "explain.chosen": ("{partner}: punteggio {score} su 100, {rank}.", "{partner}: score {score} out of 100, {rank}."),
    "explain.chosen_site": ("{partner}: punteggio {score} su 100.", "{partner}: score {score} out of 100."),
    "explain.chosen_peer": ("{partner}", "{partner}"),
    "explain.rank_only": ("l'unica opzione possibile", "the only possible option"),
    "explain.rank_best": ("la migliore di {n} opzioni possibili", "the best of {n} possible options"),
    "explain.rank_nth": ("la {r}ª di {n} opzioni possibili", "number {r} of {n} possible options"),
    "explain.you_site": ("Farai il tirocinio presso {partner}.", "Your placement is at {partner}."),
    "explain.you_lead_guide": (
        "Nelle prime due settimane ti affiancherà {partner}.",
        "In the first two weeks {partner} will work beside you.",
    ),
    "explain.you_squad": (
        "Nei mesi successivi ti seguirà anche {partner}.",
        "In the following months {partner} will also follow you.",
    ),
    "explain.you_peer": ("Il tuo peer supporter sarà {partner}.", "Your peer supporter will be {partner}."),
    "explain.none": ("nessuno assegnato", "none assigned"),
    "explain.you_none": ("nessuno, per ora", "nobody, for now"),
    "explain.not_wanted": ("non richiesto", "not requested"),
    "explain.why": ("Perché", "Why"),
    "explain.you_why": ("Perché è adatto a te", "Why it suits you"),
    "explain.points": ("punti", "points"),
    "explain.alternatives": ("Opzioni migliori non scelte", "Better options not taken"),
    "explain.you_alternatives": ("Altre sedi considerate", "Other sites considered"),
    "explain.rule": ("esclusa: {reasons}", "ruled out: {reasons}"),
    "explain.full": ("non c'era posto: {limits}", "no room: {limits}"),
    "explain.full_priced": (
        "non c'era posto: {limits} (un posto in più varrebbe {price})",
        "no room: {limits} (one more place would be worth {price})",
    ),
    "explain.you_full": ("non c'era più posto", "there was no room left"),
    "explain.trade_off": (
        "possibile e con posto libero, ma la tornata nel suo insieme va meglio senza",
        "possible and with room, but the round as a whole is better without it",
    ),
    "explain.you_trade_off": (
        "possibile, ma un'altra combinazione andava meglio per tutti",
        "possible, but another combination worked better for everyone",
    ),
    "explain.limit_position": (
        "i posti della mansione sono occupati ({load} su {capacity})",
        "the position's openings are taken ({load} of {capacity})",
    ),
    "explain.limit_site_legal": (
        "la sede ha raggiunto il limite di legge di tirocinanti ({load} su {capacity})",
        "the site has reached its legal trainee limit ({load} of {capacity})",
    ),
    "explain.limit_site_tutors": (
        "i tutor aziendali seguono già il massimo di tirocinanti ({load} su {capacity})",
        "the company tutors already follow as many trainees as allowed ({load} of {capacity})",
    ),
    "explain.limit_leads": (
        "i lavoratori guida che potevano fare da referente sono tutti impegnati ({names})",
        "every guide worker who could lead is taken ({names})",
    ),
    "explain.limit_lead_guide": (
        "{partner} affianca già il massimo di nuovi ingressi in questa tornata ({load} su {capacity})",
        "{partner} already leads as many newcomers as allowed this round ({load} of {capacity})",
    ),
    "explain.limit_guide": (
        "{partner} segue già il massimo di persone ({load} su {capacity})",
        "{partner} already follows as many newcomers as they can ({load} of {capacity})",
    ),
    "explain.limit_peer": (
        "{partner} non ha abbastanza ore libere ({room} ore libere, ne servono {need})",
        "{partner} has not enough free hours ({room} free, {need} needed)",
    ),
    "explain.limit_peer_hidden": ("{partner} non ha abbastanza ore libere", "{partner} has not enough free hours"),
    "explain.binding": ("Limiti raggiunti", "Limits reached"),
    "explain.blocked": ("Cosa ha impedito l'abbinamento", "What stood in the way"),
    "explain.you_blocked": ("Cosa non ha permesso un tirocinio", "What stood in the way"),
    "explain.no_lead": (
        "nessun lavoratore guida della sede può fare da referente: {reasons}",
        "no guide worker of the site may lead: {reasons}",
    ),
    "explain.you_no_lead": (
        "non c'era un lavoratore guida che potesse affiancarti",
        "there was no guide worker who could work beside you",
    ),
    "explain.price_none": ("nessun abbinamento in più, {gain} punti", "no one more placed, {gain} points"),
    "explain.price_one": ("1 abbinamento in più, {gain} punti", "1 more placed, {gain} points"),
    "explain.price_many": ("{n} abbinamenti in più, {gain} punti", "{n} more placed, {gain} points"),
    "explain.unpriced": ("non calcolato", "not computed"),
    "explain.priority": (
        "Il criterio più importante per la persona, {label}: {points} punti su {possible} possibili",
        "The person's most important criterion, {label}: {points} points of {possible} possible",
    ),
    "explain.priority_best": (
        "il massimo tra le opzioni possibili: {partner} ({points} punti)",
        "the most among the possible options: {partner} ({points} points)",
    ),
    "explain.you_priority": ("Per te contava di più: {label}", "What mattered most to you: {label}"),
    "explain.you_priority_best": (
        "l'opzione migliore per questo era {partner}",
        "the best option for it was {partner}",
    ),
    "explain.not_met": ("non soddisfatto", "not met"),
    "explain.accommodations": ("Accomodamenti da preparare", "Adjustments to prepare"),
    "explain.no_accommodations": ("nessuno", "none"),
    "explain.whynot_no": ("{pair}: non è possibile: {reasons}.", "{pair}: not possible: {reasons}."),
    "explain.whynot_current": (
        "{pair}: è già l'abbinamento scelto; imporlo non costa nulla e non sposta nessuno.",
        "{pair}: this is already the pairing made; forcing it costs nothing and moves nobody.",
    ),
    "explain.whynot_same": (
        "{pair}: possibile; imporlo lascia la tornata altrettanto buona (c'è una soluzione equivalente).",
        "{pair}: possible; forcing it leaves the round as good (there is an equally good solution).",
    ),
    "explain.whynot_yes": ("{pair}: possibile. Imporlo: {effects}.", "{pair}: possible. Forcing it: {effects}."),
    "explain.whynot_then": ("poi {effect}", "then {effect}"),
    "explain.whynot_placed_one": ("1 abbinamento in meno", "1 fewer person placed"),
    "explain.whynot_placed_many": ("{n} abbinamenti in meno", "{n} fewer people placed"),
    "explain.whynot_members_one": ("1 membro di squadra in meno", "1 fewer squad member"),
    "explain.whynot_members_many": ("{n} membri di squadra in meno", "{n} fewer squad members"),
    "explain.whynot_given_one": ("1 peer supporter in meno", "1 fewer peer supporter"),
    "explain.whynot_given_many": ("{n} peer supporter in meno", "{n} fewer peer supporters"),
    "explain.whynot_placed_more_one": ("1 abbinamento in più", "1 more person placed"),
    "explain.whynot_placed_more_many": ("{n} abbinamenti in più", "{n} more people placed"),
    "explain.whynot_members_more_one": ("1 membro di squadra in più", "1 more squad member"),
    "explain.whynot_members_more_many": ("{n} membri di squadra in più", "{n} more squad members"),
    "explain.whynot_given_more_one": ("1 peer supporter in più", "1 more peer supporter"),
    "explain.whynot_given_more_many": ("{n} peer supporter in più", "{n} more peer supporters"),
    "explain.whynot_lowest_joint": (
        "il punteggio più basso tra sedi e referenti scende di {x} punti",
        "the lowest site-and-lead score drops by {x} points",
    ),
    "explain.whynot_and": ("{a} e {b}", "{a} and {b}"),
    "explain.whynot_rises_joint": (
        "il punteggio più basso tra sedi e referenti sale di {x} punti",
        "the lowest site-and-lead score rises by {x} points",
    ),
    "explain.whynot_rises_squad": (
        "il punteggio più basso nelle squadre sale di {x} punti",
        "the lowest squad score rises by {x} points",
    ),
    "explain.whynot_rises_peer": (
        "il punteggio più basso tra i peer supporter sale di {x} punti",
        "the lowest peer-support score rises by {x} points",
    ),
    "explain.whynot_lowest_squad": (
        "il punteggio più basso nelle squadre scende di {x} punti",
        "the lowest squad score drops by {x} points",
    ),
    "explain.whynot_lowest_peer": (
        "il punteggio più basso tra i peer supporter scende di {x} punti",
        "the lowest peer-support score drops by {x} points",
    ),
    "explain.whynot_loses_joint": (
        "la fase sede e referente perde {x} punti",
        "the site and lead stage loses {x} points",
    ),
    "explain.whynot_gains_joint": (
        "la fase sede e referente guadagna {x} punti",
        "the site and lead stage gains {x} points",
    ),
    "explain.whynot_loses_squad": ("le squadre perdono {x} punti", "squads lose {x} points"),
    "explain.whynot_gains_squad": ("le squadre guadagnano {x} punti", "squads gain {x} points"),
    "explain.whynot_loses_peer": ("i peer supporter perdono {x} punti", "peer support loses {x} points"),
    "explain.whynot_gains_peer": ("i peer supporter guadagnano {x} punti", "peer support gains {x} points"),
    "explain.whynot_lose": ("Perdono qualcosa: {ids}.", "Lose something: {ids}."),
    "explain.whynot_gain": ("Ne beneficiano: {ids}.", "Gain from it: {ids}."),
    "explain.pin_impossible": ("non si può imporre: {detail}", "it cannot be forced: {detail}"),
    "explain.works_at": (
        "{guide} lavora presso {site}; {site} non è possibile per {candidate} perché {reasons}",
        "{guide} works at {site}; {site} is not possible for {candidate} because {reasons}",
    ),
    # -------- Report
    "report.title": ("Turno di abbinamento", "Matching round"),
    "report.summary": ("Sintesi", "Summary"),
    "report.scores": ("Distribuzione dei punteggi", "Score distribution"),
    "report.loads": ("Carichi rispetto ai limiti", "Loads against caps"),
    "report.areas": ("Esiti per ambito", "Outcomes by area"),
    "report.pairings": ("Abbinamenti", "Pairings"),
    "report.search": ("Cerca per nome, codice, sede…", "Search by name, id, site…"),
    "report.candidate": ("Persona", "Candidate"),
    "report.status": ("Esito", "Status"),
    "report.matched": ("abbinate", "matched"),
    "report.site": ("Sede", "Site"),
    "report.lead": ("Referente", "Lead guide"),
    "report.squad": ("Squadra", "Squad"),
    "report.peer": ("Peer supporter", "Peer supporter"),
    "report.score": ("Punteggio", "Score"),
    "report.why": ("perché", "why"),
    "report.share": ("quota del limite", "share of cap"),
    "report.partners": ("partner", "partners"),
    "report.run": ("Esecuzione", "Run"),
    "report.no_text": (
        "Turno grande: le spiegazioni sono in explanations.json.",
        "A large round: the explanations are in explanations.json.",
    ),
    # -------- Vocabulary labels
    "label.mon_am": ("lunedì mattina", "Monday morning"),
    "label.mon_pm": ("lunedì pomeriggio", "Monday afternoon"),
    "label.tue_am": ("martedì mattina", "Tuesday morning"),
    "label.tue_pm": ("martedì pomeriggio", "Tuesday afternoon"),
    "label.wed_am": ("mercoledì mattina", "Wednesday morning"),
    "label.wed_pm": ("mercoledì pomeriggio", "Wednesday afternoon"),
    "label.thu_am": ("giovedì mattina", "Thursday morning"),
    "label.thu_pm": ("giovedì pomeriggio", "Thursday afternoon"),
    "label.fri_am": ("venerdì mattina", "Friday morning"),
    "label.fri_pm": ("venerdì pomeriggio", "Friday afternoon"),
    "label.sat_am": ("sabato mattina", "Saturday morning"),
    "label.sat_pm": ("sabato pomeriggio", "Saturday afternoon"),
    "label.sun_am": ("domenica mattina", "Sunday morning"),
    "label.sun_pm": ("domenica pomeriggio", "Sunday afternoon"),
    "label.cleaning": ("pulizie", "cleaning"),
    "label.laundry": ("lavanderia", "laundry"),
    "label.gardening": ("manutenzione del verde", "gardening"),
    "label.garden_machinery": ("macchine da giardino", "garden machinery"),
    "label.warehouse": ("magazzino", "warehouse work"),
    "label.forklift": ("carrello elevatore", "forklift"),
    "label.driving_b": ("patente B", "driving licence B"),
    "label.packaging": ("confezionamento", "packaging"),
    "label.assembly": ("assemblaggio", "assembly"),
    "label.quality_check": ("controllo qualità", "quality check"),
    "label.food_prep": ("preparazione pasti", "food preparation"),
    "label.food_hygiene": ("igiene alimentare (HACCP)", "food hygiene (HACCP)"),
    "label.dishwashing": ("lavaggio stoviglie", "dishwashing"),
    "label.serving": ("servizio ai tavoli", "serving"),
    "label.cash_register": ("cassa", "cash register"),
    "label.shelf_stocking": ("rifornimento scaffali", "shelf stocking"),
    "label.customer_service": ("relazione con il cliente", "customer service"),
    "label.data_entry": ("inserimento dati", "data entry"),
    "label.computer_basics": ("informatica di base", "computer basics"),
    "label.maintenance": ("piccola manutenzione", "maintenance"),
    "label.painting": ("tinteggiatura", "painting"),
    "label.carpentry": ("falegnameria", "carpentry"),
    "label.waste_sorting": ("raccolta differenziata", "waste sorting"),
    "label.flexible_hours": ("orario flessibile", "flexible hours"),
    "label.part_time": ("tempo parziale", "part time"),
    "label.step_free_access": ("accesso senza barriere", "step-free access"),
    "label.seated_work": ("lavoro da seduti", "seated work"),
    "label.no_heavy_lifting": ("niente carichi pesanti", "no heavy lifting"),
    "label.quiet_space": ("ambiente tranquillo", "quiet space"),
    "label.written_instructions": ("istruzioni scritte", "written instructions"),
    "label.visual_instructions": ("istruzioni per immagini", "visual instructions"),
    "label.frequent_breaks": ("pause frequenti", "frequent breaks"),
    "label.job_coach_on_site": ("operatore presente sul posto", "job coach on site"),
    "label.alcohol_free": ("ambiente senza alcolici", "alcohol-free workplace"),
    "label.transport_support": ("supporto al trasporto", "transport support"),
    "label.mental_health": ("salute mentale", "mental health"),
    "label.substance_use": ("dipendenze da sostanze", "substance use"),
    "label.alcohol": ("alcol", "alcohol"),
    "label.justice": ("esperienza detentiva", "justice involvement"),
    "label.serious_illness": ("malattia grave", "serious illness"),
    "label.injury": ("infortunio grave", "serious injury"),
    "label.disability": ("disabilità", "disability"),
    "label.homelessness": ("senza dimora", "homelessness"),
    "label.physical_disability": ("invalido fisico", "physical disability"),
    "label.psychic_disability": ("invalido psichico", "psychic disability"),
    "label.sensory_disability": ("invalido sensoriale", "sensory disability"),
    "label.former_psychiatric_inpatient": ("ex degente di istituto psichiatrico", "former psychiatric inpatient"),
    "label.psychiatric_treatment": ("in trattamento psichiatrico", "in psychiatric treatment"),
    "label.drug_addiction": ("tossicodipendente", "drug addiction"),
    "label.alcoholism": ("alcolista", "alcoholism"),
    "label.minor_family_difficulty": ("minore in difficoltà familiare", "minor in family difficulty"),
    "label.alternative_detention": ("condannato in misura alternativa", "alternative to detention"),
    "label.detained": (
        "detenuto o internato ammesso al lavoro all'esterno",
        "prisoner or internee admitted to work outside",
    ),
    "label.social_health_fragility": (
        "fragilità sociale e sanitaria (L.R. Emilia-Romagna 14/2015)",
        "social and health fragility (Emilia-Romagna L.R. 14/2015)",
    ),
    "label.international_protection": (
        "richiedente o titolare di protezione internazionale",
        "asylum seeker or holder of international protection",
    ),
    "label.violence_or_trafficking": (
        "vittima di violenza, grave sfruttamento o tratta",
        "victim of violence, severe exploitation or trafficking",
    ),
    "label.serd": ("Servizio Dipendenze (SerD)", "addiction service (SerD)"),
    "label.cps": ("Centro Psico Sociale (DSM)", "community mental-health centre (CPS)"),
    "label.genitorialita": ("Servizio Genitorialità e Infanzia", "parenting and childhood service"),
    "label.sociale_adulti": ("Servizio Sociale Adulti", "adult social service"),
    "label.uepe": ("Ufficio Esecuzione Penale Esterna", "probation office (UEPE)"),
    "label.nil": ("Nucleo Inserimento Lavorativo", "job placement unit (NIL)"),
    "label.asp": ("Azienda Servizi alla Persona", "public social services agency (ASP)"),
    "label.other": ("altro servizio", "other service"),
    "label.low": ("bassa", "low"),
    "label.medium": ("media", "medium"),
    "label.high": ("alta", "high"),
    "label.therapeutic": ("relazione terapeutica", "therapeutic relationship"),
    "label.family": ("legame familiare", "family tie"),
    "label.conflict": ("conflitto", "conflict"),
    "label.failed_pairing": ("abbinamento fallito in passato", "past pairing that failed"),
    "label.f": ("donna", "woman"),
    "label.m": ("uomo", "man"),
    "label.x": ("altro genere", "other gender"),
    "label.walk": ("a piedi", "on foot"),
    "label.bike": ("in bicicletta", "by bike"),
    "label.public_transport": ("mezzi pubblici", "public transport"),
    "label.car": ("auto", "car"),
    "label.company": ("azienda ospitante", "host company"),
    "label.cooperative": ("cooperativa sociale", "social cooperative"),
    "label.it": ("italiano", "Italian"),
    "label.en": ("inglese", "English"),
    "label.fr": ("francese", "French"),
    "label.de": ("tedesco", "German"),
    "label.es": ("spagnolo", "Spanish"),
    "label.pt": ("portoghese", "Portuguese"),
    "label.ar": ("arabo", "Arabic"),
    "label.ro": ("romeno", "Romanian"),
    "label.uk": ("ucraino", "Ukrainian"),
    "label.ru": ("russo", "Russian"),
    "label.sq": ("albanese", "Albanian"),
    "label.zh": ("cinese", "Chinese"),
    "label.ur": ("urdu", "Urdu"),
    "label.hi": ("hindi", "Hindi"),
    "label.pa": ("punjabi", "Punjabi"),
    "label.bn": ("bengalese", "Bengali"),
    "label.wo": ("wolof", "Wolof"),
    "label.pl": ("polacco", "Polish"),
    "label.tr": ("turco", "Turkish"),
    "label.ti": ("tigrino", "Tigrinya"),
    "label.site": ("sede di tirocinio", "placement site"),
    "label.lead_guide": ("lavoratore guida referente", "lead guide worker"),
    "label.guide": ("lavoratore guida", "guide worker"),
    "label.peer": ("peer supporter", "peer supporter"),
    "label.tutor": ("tutor aziendale", "company tutor"),
    "label.operator": ("operatore dello sportello lavoro", "job-desk operator"),
    "label.draft": ("bozza", "draft"),
    "label.approved": ("approvato", "approved"),
    "label.abruzzo": ("Abruzzo", "Abruzzo"),
    "label.basilicata": ("Basilicata", "Basilicata"),
    "label.bolzano": ("Provincia autonoma di Bolzano", "Autonomous Province of Bolzano"),
    "label.calabria": ("Calabria", "Calabria"),
    "label.campania": ("Campania", "Campania"),
    "label.emilia-romagna": ("Emilia-Romagna", "Emilia-Romagna"),
    "label.friuli-venezia-giulia": ("Friuli Venezia Giulia", "Friuli Venezia Giulia"),
    "label.lazio": ("Lazio", "Lazio"),
    "label.liguria": ("Liguria", "Liguria"),
    "label.lombardia": ("Lombardia", "Lombardy"),
    "label.marche": ("Marche", "Marche"),
    "label.molise": ("Molise", "Molise"),
    "label.piemonte": ("Piemonte", "Piedmont"),
    "label.puglia": ("Puglia", "Apulia"),
    "label.sardegna": ("Sardegna", "Sardinia"),
    "label.sicilia": ("Sicilia", "Sicily"),
    "label.toscana": ("Toscana", "Tuscany"),
    "label.trento": ("Provincia autonoma di Trento", "Autonomous Province of Trento"),
    "label.umbria": ("Umbria", "Umbria"),
    "label.valle-d-aosta": ("Valle d'Aosta", "Aosta Valley"),
    "label.veneto": ("Veneto", "Veneto"),
    # -------- ATECO 2007 sections
    "label.A": ("agricoltura, silvicoltura e pesca", "agriculture, forestry and fishing"),
    "label.B": ("estrazione di minerali", "mining and quarrying"),
    "label.C": ("attività manifatturiere", "manufacturing"),
    "label.D": ("energia elettrica e gas", "electricity and gas supply"),
    "label.E": ("acqua, reti fognarie, rifiuti", "water supply, sewerage, waste"),
    "label.F": ("costruzioni", "construction"),
    "label.G": ("commercio", "wholesale and retail trade"),
    "label.H": ("trasporto e magazzinaggio", "transport and storage"),
    "label.I": ("alloggio e ristorazione", "accommodation and food service"),
    "label.J": ("informazione e comunicazione", "information and communication"),
    "label.K": ("attività finanziarie", "financial activities"),
    "label.L": ("attività immobiliari", "real estate"),
    "label.M": ("attività professionali e tecniche", "professional and technical activities"),
    "label.N": ("servizi di supporto alle imprese", "administrative and support services"),
    "label.O": ("pubblica amministrazione", "public administration"),
    "label.P": ("istruzione", "education"),
    "label.Q": ("sanità e assistenza sociale", "health and social work"),
    "label.R": ("attività artistiche e sportive", "arts and recreation"),
    "label.S": ("altre attività di servizi", "other service activities"),
    "label.T": ("attività di famiglie", "activities of households"),
    "label.U": ("organizzazioni extraterritoriali", "extraterritorial organisations"),
    # -------- Programme history (matchwork.programme)
    "programme.approved_by_missing": (
        "approved_by deve indicare chi ha approvato la tornata di abbinamento",
        "approved_by must name who approved the round",
    ),
    "programme.not_a_result": (
        "record() vuole il risultato di matchwork.match(tornata, policy)",
        "record() takes the MatchResult of matchwork.match(round, policy)",
    ),
    "programme.already_recorded": (
        "questa tornata è già registrata (tornata n. {round_id})",
        "this round is already recorded (round #{round_id})",
    ),
    "programme.round_before_last": (
        "la data della tornata, {date}, è precedente all'ultima tornata registrata ({last})",
        "the round's date {date} is before the last recorded round ({last})",
    ),
    "programme.pairing_conflict": (
        "gli abbinamenti in corso della tornata non coincidono con lo storico per {candidates}: chiudere prima l'abbinamento aperto, oppure costruire la tornata con next_round",
        "the round's pairings in place disagree with the history for {candidates}: end the open pairing first, or build the round with next_round",
    ),
    "programme.unknown_role": (
        "ruolo sconosciuto {value!r}: atteso uno tra {allowed}",
        "unknown role {value!r}: expected one of {allowed}",
    ),
    "programme.unknown_reason": (
        "motivo sconosciuto {value!r}: atteso uno tra {allowed}",
        "unknown reason {value!r}: expected one of {allowed}",
    ),
    "programme.bad_date": ("{value!r} non è una data (AAAA-MM-GG)", "{value!r} is not a date (YYYY-MM-DD)"),
    "programme.bad_id": (
        "{value!r} non è un codice (lettere, cifre, _ . -)",
        "{value!r} is not an id (letters, digits, _ . -)",
    ),
    "programme.no_open_pairing": (
        "nessun abbinamento in corso per {candidate} ({what}) al {date}",
        "no open pairing for {candidate} ({what}) on {date}",
    ),
    "programme.breakdown_needs_partner": (
        "un'interruzione deve indicare il ruolo o il partner dell'abbinamento fallito",
        "a breakdown names the role or the partner whose pairing failed",
    ),
    "programme.end_before_round": (
        "{candidate}: la data di fine {date} precede l'ultima tornata che ha deciso l'abbinamento ({round_date})",
        "{candidate}: the end date {date} is before the last round that decided the pairing ({round_date})",
    ),
    "programme.no_round_yet": (
        "nessuna tornata ancora registrata: indicare lavoratori guida e sedi",
        "no round is recorded yet: pass the guide workers and the sites",
    ),
    "programme.unknown_candidates": ("nessun profilo registrato per {ids}", "no recorded profile for {ids}"),
    "programme.missing_partners": (
        "abbinamenti in corso con partner assenti dalla tornata ({pairs}): chiuderli prima",
        "open pairings name partners who are not in the round ({pairs}): end those pairings first",
    ),
    "programme.unknown_round": ("nessuna tornata registrata con numero {round_id}", "no recorded round #{round_id}"),
    "programme.schema_outdated": (
        "l'archivio è alla revisione di schema {current}, questa versione di matchwork richiede {head}: eseguire `matchwork programme init`",
        "the database is at schema revision {current}, this matchwork needs {head}: run `matchwork programme init`",
    ),
    "programme.schema_newer": (
        "lo schema dell'archivio ({current}) è più recente di questa versione di matchwork ({head}): aggiornarla",
        "the database schema ({current}) is newer than this matchwork knows ({head}): upgrade matchwork",
    ),
    "programme.cooldown_days": (
        "rematch_cooldown_days deve essere un numero intero di giorni da 0 a 3650",
        "rematch_cooldown_days must be a whole number of days from 0 to 3650",
    ),
    "programme.not_a_run": (
        "{path} non è né una cartella di esecuzione (round.json, policy.json, run.json) né un file di tornata",
        "{path} is neither a run folder (round.json, policy.json, run.json) nor a round file",
    ),
    "programme.init_done": (
        "Archivio del programma pronto: {url} (schema {revision}, attesa prima di riabbinare {days} giorni).",
        "Programme database ready: {url} (schema {revision}, cool-down {days} days).",
    ),
    "programme.recorded": (
        "Giro n. {round_id} «{name}» del {date} registrato: {candidates} candidati, {matched} abbinati; abbinamenti: {started} avviati, {kept} confermati, {ended} chiusi ({changed} cambiati).",
        "Round #{round_id} «{name}» of {date} recorded: {candidates} candidates, {matched} placed; pairings: {started} started, {kept} kept, {ended} ended ({changed} changed).",
    ),
    "programme.ended": (
        "{n} abbinamento/i di {candidate} chiusi il {date} ({reason}).",
        "{n} pairing(s) of {candidate} ended on {date} ({reason}).",
    ),
    "programme.left": (
        "{candidate} esce dal programma il {date} ({reason}).",
        "{candidate} leaves the programme on {date} ({reason}).",
    ),
    "programme.next_written": (
        "Prossima tornata scritta in {path}: {candidates} candidati ({waiting} in attesa dalle tornate precedenti), {pairings} abbinamenti in corso, {forbids} coppie in attesa prima di riabbinare.",
        "Next round written to {path}: {candidates} candidates ({waiting} from the waiting list), {pairings} pairings in place, {forbids} pairs in cool-down.",
    ),
    "programme.history_title": ("Percorso di {candidate}", "Path of {candidate}"),
    "programme.rounds_title": ("Giri registrati", "Rounds recorded"),
    "programme.no_history": ("Nessuno storico per {candidate}.", "No history for {candidate}."),
    "programme.no_rounds": ("Nessuna tornata ancora registrata.", "No round recorded yet."),
    "programme.open_pairings": (
        "{n} abbinamenti in corso oggi, {waiting} persone in attesa, {priority} con priorità.",
        "{n} pairings in progress today, {waiting} people waiting, {priority} with priority.",
    ),
    "programme.db_error": ("errore dell'archivio: {error}", "database error: {error}"),
    "programme.error": ("errore: {error}", "error: {error}"),
    "programme.unexpected": ("errore imprevisto: {error}", "unexpected error: {error}"),
    "programme.problems": ("{n} problema/i nei dati", "{n} problem(s) in the input"),
    "programme.col_date": ("data", "date"),
    "programme.col_event": ("evento", "event"),
    "programme.col_round": ("tornata", "round"),
    "programme.col_role": ("ruolo", "role"),
    "programme.col_partner": ("partner", "partner"),
    "programme.col_status": ("esito", "status"),
    "programme.col_reason": ("motivo", "reason"),
    "programme.col_by": ("da", "by"),
    "programme.col_id": ("n.", "#"),
    "programme.col_name": ("nome", "name"),
    "programme.col_candidates": ("candidati", "candidates"),
    "programme.col_matched": ("abbinati", "placed"),
    "programme.col_approved_by": ("approvato da", "approved by"),
    "programme.event_round": ("tornata", "round"),
    "programme.event_started": ("inizio", "started"),
    "programme.event_imported": ("già in corso", "in place before"),
    "programme.event_ended": ("fine", "ended"),
    "programme.event_changed": ("cambio", "changed"),
    "programme.event_left": ("uscita dal programma", "left the programme"),
    "programme.role_site": ("sede", "site"),
    "programme.role_lead_guide": ("lavoratore guida referente", "lead guide"),
    "programme.role_guide": ("squadra", "squad"),
    "programme.role_peer": ("peer supporter", "peer supporter"),
    "programme.reason_completed": ("concluso", "completed"),
    "programme.reason_hired": ("assunzione", "hired"),
    "programme.reason_breakdown": ("interruzione", "breakdown"),
    "programme.reason_withdrew": ("ritiro", "withdrew"),
    "programme.reason_moved": ("trasferimento", "moved"),
    "programme.reason_changed": ("cambiato da una tornata", "changed by a round"),
    "programme.reason_with_site": ("chiuso con l'inserimento", "ended with the placement"),
    "programme.status_matched": ("abbinato", "placed"),
    "programme.status_unmatched": ("non abbinato", "not placed"),
}
"""Text key → (Italian, English)."""


def number(x: float, lang: str = "it", digits: int = 1) -> str:
    """A number as people write it: ``5,9`` in Italian, ``5.9`` in English.

    >>> number(1234.5, "it"), number(1234.5, "en"), number(-0.04, "it")
    ('1234,5', '1234.5', '0,0')
    """
    text_ = f"{x:.{digits}f}"
    if text_.startswith("-") and float(text_) == 0:
        text_ = text_[1:]
    return text_.replace(".", ",") if _column(lang) == LANGS.index("it") else text_


def _column(lang: str) -> int:
    return LANGS.index(choice("lang", lang, Lang))


def text(key: str, lang: str = "it", /, **values: Any) -> str:
    """The text of ``key`` in ``lang``, with its placeholders filled from ``values``."""
    template = TEXTS[key][_column(lang)]
    return template.format(**values) if values else template


def both(key: str) -> dict[str, str]:
    """The text of ``key`` in every language, as ``{"it": ..., "en": ...}``."""
    return dict(zip(LANGS, TEXTS[key], strict=True))


class _Words(Mapping[str, str]):
    """The texts of one namespace in one language, by their short key (unfilled templates)."""

    def __init__(self, namespace: str, lang: str):
        self._prefix = f"{namespace}."
        self._column = _column(lang)

    def __getitem__(self, key: str) -> str:
        return TEXTS[self._prefix + key][self._column]

    def __iter__(self) -> Any:
        return (k.removeprefix(self._prefix) for k in TEXTS if k.startswith(self._prefix))

    def __len__(self) -> int:
        return sum(1 for k in TEXTS if k.startswith(self._prefix))


def words(namespace: str, lang: str = "it") -> Mapping[str, str]:
    """Every text of a namespace (``"explain"``, ``"report"``…) in ``lang``, by short key."""
    return _Words(namespace, lang)
