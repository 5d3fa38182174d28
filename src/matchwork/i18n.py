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
    vocabulary codes (skills, slots, adjustments…) and ATECO sections;
``cli.<key>``, ``headline.<key>``, ``sheet.<key>``, ``column.<key>``, ``template.<key>``
    the command line, the report's headline, the sheets and headers of output
    workbooks, the blank round workbook;
``table.<name>``, ``field.<table>.<column>``
    the round's tables (sheet names) and what each column means;
``problem.<type>``
    what matchwork's own validators expect, by the error type they raise.

A text may hold ``{placeholders}``, filled by :func:`text`. To add a language,
add a column to :data:`TEXTS` and a value to :data:`matchwork._validation.Lang`.

Plurals and agreement are texts too. ``<key>.one`` and ``<key>.other`` are the
singular and the plural, chosen by :func:`plural` from ``n``. A text about a
person is neutral under ``<key>`` ("abbinamento trovato") and agreed with the
person's own gender under ``<key>.f`` and ``<key>.m``, chosen by :func:`gendered`;
where the gender is not stated the neutral text is used. Never guess it from a name.

Examples
--------
>>> text("rule.commute_too_far", "en")
'the site is farther than the longest trip the person can make'
>>> text("explain.price_many", "it", n=2, gain="+2,5")
'2 abbinamenti in più, +2,5 punti'
>>> words("report", "en")["title"]
'Matching round'
>>> plural("count.people", 1), plural("count.people", 3, "en")
('1 persona', '3 people')
>>> gendered("status.matched", "f"), gendered("status.matched", None)
('abbinata', 'abbinamento trovato')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matchwork._validation import Lang, choice, choices

__all__ = ["LANGS", "TEXTS", "both", "gendered", "number", "plural", "text", "words"]

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
        "il lavoratore guida affianca già il massimo di nuovi ingressi in questa tornata di abbinamento",
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
    "rule.lead_outside_team": (
        "il lavoratore guida lavora nella squadra di un'altra mansione: può fare da referente solo nella propria",
        "the guide worker works in another position's team: they may lead only in their own",
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
    "explain.tutor": (
        "Tutor aziendale (in azienda, per tutto il tirocinio)",
        "Company tutor (at the firm, throughout)",
    ),
    "explain.operator": (
        "Operatore dello sportello (segue la persona e l'azienda)",
        "Job desk operator (follows the person and the firm)",
    ),
    "explain.team_among": (
        "uno dei {n} possibili: le regole decidono chi può seguire la persona, tra loro conta solo chi ha posto",
        "one of {n} possible: the rules say who may follow the person, among them only room counts",
    ),
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
    "explain.chosen": (
        "{partner}: punteggio {score} su {most}, {rank}.",
        "{partner}: score {score} out of {most}, {rank}.",
    ),
    "explain.chosen_site": ("{partner}: punteggio {score} su {most}.", "{partner}: score {score} out of {most}."),
    "explain.chosen_peer": ("{partner}", "{partner}"),
    "explain.rank_only": ("l'unica opzione possibile", "the only possible option"),
    "explain.rank_kept": ("abbinamento in corso", "a pairing in place"),
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
    "explain.you_tutor": (
        "In azienda ti seguirà come tutor {partner}.",
        "At the firm, {partner} will follow you as your tutor.",
    ),
    "explain.you_operator": (
        "Per lo sportello ti seguirà {partner}.",
        "From the job desk, {partner} will follow you.",
    ),
    "explain.none": ("nessuno assegnato", "none assigned"),
    "explain.you_none": ("nessuno, per ora", "nobody, for now"),
    "explain.not_wanted": ("non richiesto", "not requested"),
    "explain.peer_gap": (
        "scelto entro il limite di tempo del calcolo: la soluzione è al più lo {gap} % sotto la migliore possibile",
        "chosen within the solver's time limit: the solution is at most {gap} % below the best possible",
    ),
    "explain.why": ("Perché", "Why"),
    "explain.flagged": ("Da valutare con l'équipe", "To discuss with the case team"),
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
    "explain.limit_peer_full": (
        "{partner} ha ora tutte le ore impegnate ({load} su {capacity} ore a settimana)",
        "{partner} now has every hour taken ({load} of {capacity} hours a week)",
    ),
    "explain.limit_peer_full_hidden": ("{partner} ha ora tutte le ore impegnate", "{partner} now has every hour taken"),
    "explain.limit_peer_people": (
        "{partner} affianca già il massimo di persone ({load} su {capacity})",
        "{partner} already supports as many people as allowed ({load} of {capacity})",
    ),
    "explain.limit_tutor": (
        "{partner} (tutor aziendale) segue già il massimo di tirocinanti ({load} su {capacity})",
        "company tutor {partner} already follows as many trainees as allowed ({load} of {capacity})",
    ),
    "explain.limit_operator": (
        "{partner} (sportello) ha già il massimo di persone in carico ({load} su {capacity})",
        "desk operator {partner} already has a full caseload ({load} of {capacity})",
    ),
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
    "explain.whynot_missing_one": ("1 posto in squadra scoperto in più", "1 more squad place left empty"),
    "explain.whynot_missing_many": ("{n} posti in squadra scoperti in più", "{n} more squad places left empty"),
    "explain.whynot_given_one": ("1 peer supporter in meno", "1 fewer peer supporter"),
    "explain.whynot_given_many": ("{n} peer supporter in meno", "{n} fewer peer supporters"),
    "explain.whynot_placed_more_one": ("1 abbinamento in più", "1 more person placed"),
    "explain.whynot_placed_more_many": ("{n} abbinamenti in più", "{n} more people placed"),
    "explain.whynot_missing_more_one": ("1 posto in squadra scoperto in meno", "1 fewer squad place left empty"),
    "explain.whynot_missing_more_many": ("{n} posti in squadra scoperti in meno", "{n} fewer squad places left empty"),
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
    # -------- Statuses: neutral when the person's gender is not known, agreed when it is (see gendered())
    "status.matched": ("abbinamento trovato", "matched"),
    "status.matched.f": ("abbinata", "matched"),
    "status.matched.m": ("abbinato", "matched"),
    "status.unmatched": ("nessun abbinamento", "not matched"),
    "status.unmatched.f": ("non abbinata", "not matched"),
    "status.unmatched.m": ("non abbinato", "not matched"),
    "continuity.new": ("nuovo", "new"),
    "continuity.kept": ("confermato", "kept"),
    "continuity.changed": ("cambiato", "changed"),
    "continuity.kept_with_issue": ("confermato, da rivedere", "kept, to review"),
    # -------- Counts: "{n}" with the right plural (see plural())
    "count.people.one": ("{n} persona", "{n} person"),
    "count.people.other": ("{n} persone", "{n} people"),
    "count.placed.one": (
        "{n} persona abbinata su {total} ({share})",
        "{n} person placed out of {total} ({share})",
    ),
    "count.placed.other": (
        "{n} persone abbinate su {total} ({share})",
        "{n} people placed out of {total} ({share})",
    ),
    "count.peers.one": (
        "{n} peer supporter assegnato su {wanted} richiesti",
        "{n} peer supporter given of {wanted} wanted",
    ),
    "count.peers.other": (
        "{n} peer supporter assegnati su {wanted} richiesti",
        "{n} peer supporters given of {wanted} wanted",
    ),
    "count.newcomers.one": ("{n} nuovo ingresso", "{n} newcomer"),
    "count.newcomers.other": ("{n} nuovi ingressi", "{n} newcomers"),
    "count.problems.one": ("{n} problema nei dati", "{n} problem in the input"),
    "count.problems.other": ("{n} problemi nei dati", "{n} problems in the input"),
    "count.rows.one": ("{n} riga su {total}", "{n} row of {total}"),
    "count.rows.other": ("{n} righe su {total}", "{n} rows of {total}"),
    # -------- Tables: sheet names of the round workbook and the names of what they hold
    "table.candidates": ("candidati", "candidates"),
    "table.guides": ("lavoratori guida", "guides"),
    "table.peers": ("peer supporter", "peers"),
    "table.sites": ("sedi", "sites"),
    "table.positions": ("mansioni", "positions"),
    "table.relationships": ("relazioni", "relationships"),
    "table.pairings": ("abbinamenti in corso", "pairings"),
    "table.pins": ("abbinamenti imposti", "pins"),
    "table.forbids": ("abbinamenti esclusi", "forbids"),
    "table.tutors": ("tutor aziendali", "tutors"),
    "table.operators": ("operatori dello sportello", "operators"),
    "table.cooperatives": ("cooperative", "cooperatives"),
    "table.round": ("tornata", "round"),
    "round_key.name": ("nome della tornata", "name"),
    "round_key.date": ("data di inizio", "date"),
    "round_key.region": ("regione (le sue regole sui tirocini)", "region (its traineeship rules)"),
    "round_key.reviewer": ("responsabile degli inserimenti che approva", "reviewer who approves"),
    "round_key.status": ("stato: bozza o approvato", "status: draft or approved"),
    "round_key.approved_at": ("approvato il (AAAA-MM-GGTHH:MM)", "approved at (YYYY-MM-DDTHH:MM)"),
    # -------- The seeds' new columns (issue 18): English is the schema's description
    "field.candidates.peer_experience_required": (
        "Il peer supporter deve avere ogni esperienza vissuta desiderata (una regola), non solo contare nel punteggio.",
        "The peer supporter must bring every lived experience wished for (a hard rule), not only score for it.",
    ),
    "field.guides.trained": (
        "Formato alla relazione educativa (serve per essere referente o squadra); vuoto: come dice can_lead.",
        "Trained in the educational relationship (needed to be lead or squad); empty: as can_lead says.",
    ),
    "field.peers.current_people": (
        "Persone che segue ora; vuoto: quelle degli abbinamenti in corso.",
        "People they support now; empty: those of the pairings in place.",
    ),
    "field.sites.permanent_employees": (
        "Dipendenti a tempo indeterminato di questa sede operativa.",
        "Permanent employees at this operating site.",
    ),
    "field.sites.fixed_term_covering": (
        "Dipendenti a tempo determinato il cui contratto inizia prima e finisce dopo il tirocinio.",
        "Fixed-term employees whose contract starts before and ends after the traineeship.",
    ),
    "field.sites.apprentices": (
        "Apprendisti (mai contati per il limite dei tirocinanti).",
        "Apprentices (never counted for the trainee limit).",
    ),
    "field.sites.owners": (
        "Titolari che lavorano nella sede (contati in Lombardia).",
        "Owners working at the site (counted in Lombardy).",
    ),
    "field.sites.worker_members": (
        "Soci lavoratori di una cooperativa (contati in Lombardia).",
        "Worker members of a cooperative (counted in Lombardy).",
    ),
    "field.sites.exempt_trainees_present": (
        "Dei tirocinanti ospitati ora, quelli che una disciplina regionale esenta dal limite (disabili, svantaggiati).",
        "Of the trainees hosted now, those a regional rule set exempts from the limit (disabled, disadvantaged).",
    ),
    "field.sites.trainees_24m": (
        "Tirocinanti extracurricolari ospitati nei 24 mesi precedenti (per la premialità).",
        "Extracurricular trainees hosted in the previous 24 months (for the hiring bonus).",
    ),
    "field.sites.hired_24m": (
        "Di questi, i tirocinanti assunti per almeno 6 mesi (part-time almeno al 50 %).",
        "Of those, trainees hired for at least 6 months (part-time at least 50 %).",
    ),
    "field.sites.cooperative_id": (
        "La cooperativa di tipo B di questa squadra; controllata sulla tabella delle cooperative quando ne elenca.",
        "The type-B cooperative this team belongs to; checked against the cooperatives table when the round lists any.",
    ),
    "field.tutors.id": ("Codice unico in tutta la tornata.", "Unique identifier across the whole round."),
    "field.tutors.name": ("Nome, come lo conosce l'azienda.", "Name, as the host knows them."),
    "field.tutors.site_id": ("La sede di tirocinio in cui lavora.", "The placement site they work at."),
    "field.tutors.languages": ("Lingue parlate.", "Languages spoken (ISO 639-1)."),
    "field.tutors.gender": ("Genere, se indicato.", "Gender, if stated."),
    "field.tutors.max_trainees": (
        "Tirocinanti che può seguire insieme; vuoto: il limite di legge.",
        "Trainees they can follow at once; empty: the legal limit.",
    ),
    "field.tutors.current_trainees": ("Tirocinanti che segue ora.", "Trainees they follow now."),
    "field.operators.id": ("Codice unico in tutta la tornata.", "Unique identifier across the whole round."),
    "field.operators.name": ("Nome, come lo conosce lo sportello.", "Name, as the desk knows them."),
    "field.operators.areas_served": ("Ambiti territoriali che segue.", "Territorial areas they serve."),
    "field.operators.languages": ("Lingue parlate.", "Languages spoken (ISO 639-1)."),
    "field.operators.max_caseload": (
        "Persone che può seguire insieme; vuoto: il tetto della policy.",
        "People they can follow at once; empty: the policy's cap.",
    ),
    "field.operators.caseload": ("Persone che ha in carico ora.", "People they follow now."),
    "field.cooperatives.id": ("Codice unico in tutta la tornata.", "Unique identifier across the whole round."),
    "field.cooperatives.name": ("Ragione sociale della cooperativa.", "Name of the cooperative."),
    "field.cooperatives.workers": (
        "Lavoratori, per teste, media annua (soci e non soci; esclusi i volontari).",
        "Workers, per head, annual average (members and not; volunteers excluded).",
    ),
    "field.cooperatives.disadvantaged_workers": (
        "Dei lavoratori, le persone svantaggiate dell'art. 4 L. 381/91.",
        "Of the workers, disadvantaged people of L. 381/91 art. 4.",
    ),
    "field.cooperatives.year": ("L'anno a cui si riferiscono le medie.", "The year the averages refer to."),
    # -------- Problems in the input that matchwork's own validators raise (the Pydantic error type after the dot)
    "problem.municipality_unknown": (
        "un comune italiano (forse {options}?)",
        "an Italian comune (did you mean {options}?)",
    ),
    "problem.municipality_none": ("un comune italiano", "an Italian comune"),
    "problem.municipality_ambiguous": (
        "anche la provincia, come in: {options}",
        "the province too, as one of: {options}",
    ),
    "problem.location_missing": (
        "un comune (nome o codice ISTAT), oppure latitudine e longitudine",
        "a municipality (name or ISTAT code), or lat and lon",
    ),
    "problem.coordinates_half": (
        "latitudine e longitudine insieme (o nessuna delle due, con il comune)",
        "lat and lon together (or neither, with a municipality)",
    ),
    # -------- What each column of the round's tables means (English: the schema's description; a test keeps them equal)
    "field.candidates.id": ("Codice unico in tutta la tornata.", "Unique identifier across the whole round."),
    "field.candidates.name": (
        "Nome o pseudonimo, come lo conosce l'équipe.",
        "Name or pseudonym, as the case team knows them.",
    ),
    "field.candidates.area": (
        "Ambito territoriale a cui appartiene la persona.",
        "Territorial area (ambito) the candidate belongs to.",
    ),
    "field.candidates.lat": (
        "Latitudine in gradi, da -90 a 90; vuota: quella del comune.",
        "Latitude in degrees, -90 to 90; empty: the municipality's.",
    ),
    "field.candidates.lon": (
        "Longitudine in gradi, da -180 a 180; vuota: quella del comune.",
        "Longitude in degrees, -180 to 180; empty: the municipality's.",
    ),
    "field.candidates.municipality": (
        "Comune italiano (nome o codice ISTAT); dà il luogo quando latitudine e longitudine sono vuote.",
        "Italian municipality (name or ISTAT code); gives the point when lat and lon are empty.",
    ),
    "field.candidates.max_commute_km": (
        "Tragitto più lungo che la persona può fare per andare al lavoro, in km.",
        "Longest trip to work the candidate can make, in km.",
    ),
    "field.candidates.mobility": ("Come si sposta la persona.", "How the candidate travels."),
    "field.candidates.skills": ("Competenze con livello da 1 a 3.", "Skills with level 1-3."),
    "field.candidates.wished_sectors": (
        "Settori ATECO in cui la persona desidera lavorare.",
        "ATECO sectors the candidate wishes to work in.",
    ),
    "field.candidates.languages": ("Lingue parlate.", "Languages spoken (ISO 639-1)."),
    "field.candidates.availability": (
        "Mezze giornate in cui la persona può lavorare.",
        "Half-day slots the candidate can work.",
    ),
    "field.candidates.accommodations": (
        "Accomodamenti sul posto di lavoro di cui la persona ha bisogno.",
        "Workplace adjustments the candidate needs.",
    ),
    "field.candidates.support_intensity": ("Quanto accompagnamento serve.", "How much accompaniment is needed."),
    "field.candidates.wants_peer": ("Se la persona desidera un peer supporter.", "Whether a peer supporter is wanted."),
    "field.candidates.peer_experience": (
        "Esperienza vissuta desiderata nel peer supporter.",
        "Lived experience wished for in the peer supporter.",
    ),
    "field.candidates.preferred_gender": (
        "Genere che la persona preferisce per lavoratore guida e peer supporter, se lo indica.",
        "Gender the candidate prefers for guide and peer, if any.",
    ),
    "field.candidates.excluded_ids": (
        "Persone o sedi con cui la persona non deve essere abbinata.",
        "People or sites the candidate must not be paired with.",
    ),
    "field.candidates.most_important": (
        "Il criterio che conta di più per la persona, che pesa di più.",
        "The feature the candidate cares most about, weighted up.",
    ),
    "field.candidates.category": (
        "Categoria di lavoratore svantaggiato (L. 381/91 art. 4).",
        "Disadvantaged-worker category (L. 381/91 art. 4).",
    ),
    "field.candidates.referring_service": (
        "Servizio territoriale che ha inviato la persona.",
        "Territorial service that referred the candidate.",
    ),
    "field.candidates.priority": (
        "Da abbinare per prima a parità di inserimenti (continuity.priority_bonus), per esempio dopo un'interruzione.",
        "Placed first at equal placements (policy continuity.priority_bonus), e.g. after a placement broke down.",
    ),
    "field.candidates.care_team": (
        "Codici dei professionisti che seguono la persona.",
        "Ids of the professionals following the candidate.",
    ),
    "field.guides.id": ("Codice unico in tutta la tornata.", "Unique identifier across the whole round."),
    "field.guides.name": ("Nome, come lo conosce la cooperativa.", "Name, as the cooperative knows them."),
    "field.guides.site_id": (
        "La sede di tirocinio (o il settore della cooperativa) in cui lavora.",
        "The placement site (or cooperative team) they work in.",
    ),
    "field.guides.position_id": (
        "La mansione nella cui squadra lavora; vuota: tutte le mansioni della sede.",
        "The position whose team they work in; empty: every position of the site.",
    ),
    "field.guides.skills": ("Competenze con livello da 1 a 3.", "Skills with level 1-3."),
    "field.guides.languages": ("Lingue parlate.", "Languages spoken (ISO 639-1)."),
    "field.guides.availability": ("Mezze giornate in cui lavora.", "Half-day slots they work."),
    "field.guides.gender": ("Genere, se indicato.", "Gender, if stated."),
    "field.guides.can_lead": (
        "Può essere il referente di progetto delle prime due settimane; richiede la formazione.",
        "May be the lead guide (referente di progetto) of the first two weeks; requires the training.",
    ),
    "field.guides.max_mentees": (
        "Nuovi ingressi che può seguire insieme; vuota: il valore dei criteri.",
        "Newcomers they can follow at once; empty: the policy default.",
    ),
    "field.guides.current_mentees": ("Nuovi ingressi che segue ora.", "Newcomers they follow now."),
    "field.guides.current_leads": (
        "Nuovi ingressi di cui è referente ora, entro le prime due settimane; vuoto: gli abbinamenti da referente "
        "in corso entro quel periodo.",
        "Newcomers they lead now, inside the lead period; empty: the lead pairings in place within it.",
    ),
    "field.guides.years_experience": ("Anni di lavoro nel servizio.", "Years of work in the service."),
    "field.peers.id": ("Codice unico in tutta la tornata.", "Unique identifier across the whole round."),
    "field.peers.name": ("Nome, come lo conosce il programma.", "Name, as the programme knows them."),
    "field.peers.areas_served": ("Ambiti territoriali in cui opera.", "Territorial areas they serve."),
    "field.peers.lat": (
        "Latitudine in gradi, da -90 a 90; vuota: quella del comune.",
        "Latitude in degrees, -90 to 90; empty: the municipality's.",
    ),
    "field.peers.lon": (
        "Longitudine in gradi, da -180 a 180; vuota: quella del comune.",
        "Longitude in degrees, -180 to 180; empty: the municipality's.",
    ),
    "field.peers.municipality": (
        "Comune italiano (nome o codice ISTAT); dà il luogo quando latitudine e longitudine sono vuote.",
        "Italian municipality (name or ISTAT code); gives the point when lat and lon are empty.",
    ),
    "field.peers.languages": ("Lingue parlate.", "Languages spoken (ISO 639-1)."),
    "field.peers.availability": ("Mezze giornate che può dedicare.", "Half-day slots they can give."),
    "field.peers.gender": ("Genere, se indicato.", "Gender, if stated."),
    "field.peers.lived_experience": ("Esperienze vissute che porta.", "Kinds of lived experience they bring."),
    "field.peers.hours_per_week": (
        "Ore a settimana che può dare; vuota: il valore dei criteri.",
        "Hours a week they may give; empty: the policy default.",
    ),
    "field.peers.hours_in_use": (
        "Ore a settimana già dedicate ad altre persone.",
        "Hours a week already given to others.",
    ),
    "field.peers.started_on": ("Da quando è peer supporter.", "When they started as a peer supporter."),
    "field.peers.former_client_of": ("Servizi di cui è stato utente.", "Services they were once a client of."),
    "field.sites.id": ("Codice unico in tutta la tornata.", "Unique identifier across the whole round."),
    "field.sites.name": (
        "Nome dell'azienda o del settore della cooperativa.",
        "Name of the company or cooperative team.",
    ),
    "field.sites.kind": (
        "Azienda ospitante o settore della cooperativa.",
        "A host company or a team of the cooperative.",
    ),
    "field.sites.sector": ("Settore ATECO della sede.", "ATECO sector of the site."),
    "field.sites.area": ("Ambito territoriale della sede.", "Territorial area (ambito) of the site."),
    "field.sites.lat": (
        "Latitudine in gradi, da -90 a 90; vuota: quella del comune.",
        "Latitude in degrees, -90 to 90; empty: the municipality's.",
    ),
    "field.sites.lon": (
        "Longitudine in gradi, da -180 a 180; vuota: quella del comune.",
        "Longitude in degrees, -180 to 180; empty: the municipality's.",
    ),
    "field.sites.municipality": (
        "Comune italiano (nome o codice ISTAT); dà il luogo quando latitudine e longitudine sono vuote.",
        "Italian municipality (name or ISTAT code); gives the point when lat and lon are empty.",
    ),
    "field.sites.headcount": (
        "Dipendenti di questa sede operativa come li conta il limite dei tirocinanti; vuoto: contati dalle voci seguenti.",
        "Employees at this operating site as the trainee limit counts them; empty: counted from the parts below.",
    ),
    "field.sites.trainees_present": ("Tirocinanti ospitati ora.", "Trainees hosted now."),
    "field.sites.company_tutors": (
        "Tutor aziendali che possono seguire tirocinanti, quando la tabella dei tutor non ne elenca per questa sede.",
        "Company tutors who can follow trainees, when the tutors table lists none for this site.",
    ),
    "field.sites.accommodations": ("Accomodamenti che la sede può offrire.", "Adjustments the site can offer."),
    "field.sites.fragile_workers_hosted": (
        "Lavoratori fragili ospitati in passato.",
        "Fragile workers hosted in the past.",
    ),
    "field.positions.site_id": ("La sede a cui appartiene la mansione.", "The site this position belongs to."),
    "field.positions.id": ("Codice unico in tutta la tornata.", "Unique identifier across the whole round."),
    "field.positions.title": ("Il lavoro, in poche parole.", "What the job is, in a few words."),
    "field.positions.min_skills": (
        "Competenze richieste almeno a questo livello (una regola vincolante).",
        "Skills required at least at this level (a hard rule).",
    ),
    "field.positions.skills": (
        "Competenze che il lavoro usa, con il livello più adatto.",
        "Skills the job uses, with the level that fits best.",
    ),
    "field.positions.shifts": ("Mezze giornate in cui si lavora.", "Half-day slots the job is worked."),
    "field.positions.hours_per_week": ("Ore a settimana del tirocinio.", "Hours a week of the placement."),
    "field.positions.openings": (
        "Tirocinanti che la mansione può ancora accogliere.",
        "Trainees this position can still take.",
    ),
    "field.relationships.a": (
        "Un capo: il codice di una persona, di una sede o di un membro dell'équipe.",
        "One end: a person, a site or a care-team member id.",
    ),
    "field.relationships.b": ("L'altro capo.", "The other end."),
    "field.relationships.kind": ("Che cosa li lega.", "What ties them."),
    "field.pairings.candidate_id": ("La persona candidata.", "The candidate."),
    "field.pairings.partner_id": (
        "La mansione, il lavoratore guida o il peer supporter.",
        "The position, guide worker or peer supporter.",
    ),
    "field.pairings.role": ("Il ruolo del partner.", "The role the partner plays."),
    "field.pairings.since": ("Da quando dura l'abbinamento.", "When the pairing began."),
    "field.pairings.until": (
        "Quando è finito l'abbinamento; vuoto: è in corso.",
        "When the pairing ended; empty: it goes on.",
    ),
    "field.pairings.end_reason": (
        "Perché è finito (concluso, assunzione, interruzione, ritiro, trasferimento).",
        "Why it ended (completed, hired, breakdown, withdrew, moved).",
    ),
    "field.pins.candidate_id": ("La persona candidata.", "The candidate."),
    "field.pins.partner_id": (
        "La sede, la mansione, il lavoratore guida o il peer supporter.",
        "The site, position, guide worker or peer supporter.",
    ),
    "field.pins.role": ("Il ruolo; vuota: si ricava dal partner.", "The role; empty: inferred from the partner."),
    "field.forbids.candidate_id": ("La persona candidata.", "The candidate."),
    "field.forbids.partner_id": (
        "La sede, la mansione, il lavoratore guida o il peer supporter.",
        "The site, position, guide worker or peer supporter.",
    ),
    "field.forbids.role": ("Il ruolo; vuota: tutti i ruoli.", "The role; empty: every role."),
    "field.round.key": (
        "«name» (il nome della tornata) o «date» (il giorno in cui iniziano gli inserimenti).",
        "'name' (the round's name) or 'date' (the day placements start).",
    ),
    "field.round.value": ("Il nome, o la data come aaaa-mm-gg.", "The name, or the date as yyyy-mm-dd."),
    # -------- The command line (help texts are chosen at start from MATCHWORK_LANG; see cli.py)
    "cli.app": (
        "Abbina le persone che iniziano un inserimento lavorativo con sedi, lavoratori guida e peer supporter, "
        "e dice perché. La lingua dei testi è l'italiano; MATCHWORK_LANG=en per l'inglese.",
        "Match people entering work with sites, guide workers and peer supporters, and say why. "
        "Texts are in Italian unless MATCHWORK_LANG=en.",
    ),
    "cli.round_arg": (
        "Cartella di lavoro Excel (.xlsx), file JSON o cartella di file CSV.",
        "Workbook (.xlsx), JSON file or CSV folder.",
    ),
    "cli.lang": (
        "Lingua di messaggi, spiegazioni, report e file prodotti: it o en "
        "(predefinita: MATCHWORK_LANG, altrimenti it).",
        "Language of messages, explanations, report and output files: it or en (default: MATCHWORK_LANG, else it).",
    ),
    "cli.quiet": ("Non stampare nulla tranne gli errori (per gli script).", "Print nothing but errors (for scripts)."),
    "cli.demo": (
        "Genera una tornata di abbinamento di prova (provincia di Mantova), la risolve e scrive la cartella di "
        "lavoro e tutti i risultati.",
        "Generate a synthetic Mantova round, match it, and write the round workbook and every output.",
    ),
    "cli.demo_out": ("Cartella in cui scrivere la prova.", "Folder to write the demo run into."),
    "cli.demo_size": ("Numero di persone candidate.", "Number of candidates."),
    "cli.demo_seed": ("Seme della tornata sintetica.", "Seed of the synthetic round."),
    "cli.run": (
        "Abbina una tornata e scrive abbinamenti, motivi, carichi, spiegazioni, la vista per le sedi e il report.",
        "Match a round and write assignments, reasons, loads, explanations, the site view and the report.",
    ),
    "cli.run_out": ("Cartella dei risultati.", "Output folder."),
    "cli.policy_file": (
        "File TOML dei criteri del programma; se assente, quelli predefiniti.",
        "Policy TOML file; default: the shipped one.",
    ),
    "cli.objective": (
        "total (più persone abbinate, poi il punteggio totale più alto) o fair (prima alzare il punteggio più basso).",
        "total (most people placed, then the highest total) or fair (raise the lowest score first).",
    ),
    "cli.prices": (
        "Calcola quanto varrebbe un posto in più dove i posti sono esauriti (più lento).",
        "Price full capacities in explanations and the report (slower).",
    ),
    "cli.parquet": (
        "Scrive anche le tabelle per i programmi in formato Parquet (richiede: pip install 'matchwork[parquet]').",
        "Also write the tables for programs as Parquet (needs: pip install 'matchwork[parquet]').",
    ),
    "cli.approve_by": (
        "Nome del responsabile degli inserimenti che approva ora gli abbinamenti (a parità di dati e criteri, "
        "gli stessi della bozza controllata): i risultati li indicano come approvati, da chi e quando.",
        "Name of the head of placements who approves the matches now (with the same input and policy, those of "
        "the draft they checked): the outputs show them approved, by whom and when.",
    ),
    "cli.approve_by_empty": (
        "serve il nome di chi approva gli abbinamenti",
        "needs the name of who approves the matches",
    ),
    "cli.validate": (
        "Controlla una tornata e stampa ogni problema trovato (codice di uscita 2 se ce ne sono).",
        "Check a round and print every problem found (exit 2 if any).",
    ),
    "cli.explain": (
        "Spiega l'abbinamento di una persona da una cartella di risultati (o perché non con un altro partner).",
        "Explain a candidate's pairing from a finished run (or why not another partner).",
    ),
    "cli.run_dir": ("Una cartella scritta da matchwork run.", "A folder written by matchwork run."),
    "cli.candidate": ("Il codice della persona candidata.", "The candidate's id."),
    "cli.why_not": ("Il codice di un partner: perché non questa coppia?", "A partner id: why not this pair?"),
    "cli.audience": (
        "Chi legge: case_team (équipe), site (sede), candidate (la persona) o peer.",
        "Who reads: case_team, site, candidate or peer.",
    ),
    "cli.suggest": (
        "Elenca i k partner migliori consentiti per ogni fase, con i punti di ogni criterio.",
        "List a candidate's k best allowed partners per stage, with each criterion's points.",
    ),
    "cli.k": ("Partner per fase.", "Partners per stage."),
    "cli.policy": (
        "Stampa (o scrive) i criteri predefiniti come file TOML commentato da copiare e modificare.",
        "Print (or write) the default policy as a commented TOML file to copy and change.",
    ),
    "cli.policy_out": (
        "Scrivi qui il file TOML invece di stamparlo.",
        "Write the policy TOML here instead of printing it.",
    ),
    "cli.schema": (
        "Stampa (o scrive) lo schema JSON di ogni tabella (per chi integra altri sistemi).",
        "Print (or write) the JSON Schema of every input table (for integrators).",
    ),
    "cli.schema_out": (
        "Scrivi qui un file <tabella>.schema.json per tabella.",
        "Write one <table>.schema.json per table here.",
    ),
    "cli.problems_option": (
        "Scrivi in questo file CSV l'elenco completo dei problemi dei dati (a schermo i primi 200).",
        "Write every problem of invalid input to this CSV file (the screen shows 200).",
    ),
    "cli.force": (
        "Scrivi anche in una cartella che contiene altri file (si sostituiscono solo quelli scritti da matchwork).",
        "Write into an output folder that holds other files (only matchwork's own are replaced).",
    ),
    "cli.template": (
        "Scrive una cartella di lavoro vuota da compilare: intestazioni, istruzioni, una riga di esempio per "
        "tabella ed elenchi a discesa per ogni vocabolario.",
        "Write a blank workbook to fill in: headers, instructions, an example row per table and drop-down lists "
        "for every vocabulary.",
    ),
    "cli.template_path": ("Il file .xlsx da creare (non deve esistere).", "The .xlsx file to create (must not exist)."),
    "stage.load": ("lettura dei dati", "load"),
    "stage.continuity": ("abbinamenti in corso", "pairings in place"),
    "stage.score": ("punteggi", "score"),
    "stage.site_and_lead": ("sede e referente", "site and lead guide"),
    "stage.squad": ("squadra", "squad"),
    "stage.peer": ("peer supporter", "peer supporter"),
    "stage.explain": ("spiegazioni", "explanations"),
    "stage.write": ("scrittura dei risultati", "write"),
    "cli.col_table": ("tabella", "table"),
    "cli.col_line": ("riga", "line/row"),
    "cli.col_id": ("codice", "id"),
    "cli.col_column": ("colonna", "column"),
    "cli.col_value": ("valore", "value"),
    "cli.col_expected": ("atteso", "expected"),
    "cli.error": ("errore", "error"),
    "cli.unexpected": ("errore inatteso", "unexpected error"),
    "cli.bad_choice": ("deve essere uno tra {allowed}; ricevuto {value}", "must be one of {allowed}; got {value}"),
    "cli.valid": ("Dati validi: {summary}.", "Valid: {summary}."),
    "cli.outputs": ("Risultati: {path}", "Outputs: {path}"),
    "cli.report": ("Report: {path}", "Report: {path}"),
    "cli.round_workbook": ("Cartella di lavoro della tornata: {path}", "Round workbook: {path}"),
    "cli.wrote": ("Scritto {path}", "Wrote {path}"),
    "cli.wrote_schemas": ("Scritti {n} schemi in {path}", "Wrote {n} schemas to {path}"),
    "cli.exists": (
        "{path} esiste già: scegliere un altro nome (matchwork non sovrascrive i file)",
        "{path} already exists: choose another name (matchwork does not overwrite files)",
    ),
    "cli.not_xlsx": ("il modello deve essere un file .xlsx: {path}", "the template must be an .xlsx file: {path}"),
    "cli.best_partners": ("Partner migliori per {candidate}", "Best partners for {candidate}"),
    "cli.col_stage": ("fase", "stage"),
    "cli.col_rank": ("posizione", "rank"),
    "cli.col_partner": ("partner", "partner"),
    "cli.col_score": ("punteggio", "score"),
    "cli.col_points": ("punti per criterio", "points by criterion"),
    "cli.summary_round": ("Tornata «{name}» del {date}", "Round '{name}' of {date}"),
    "cli.programme": (
        "Lo storico di un programma nel tempo (richiede: pip install 'matchwork[programme]').",
        "Keep the history of a programme over time (needs: pip install 'matchwork[programme]').",
    ),
    "cli.programme_missing": (
        "lo storico del programma richiede il suo pacchetto aggiuntivo: pip install 'matchwork[programme]'",
        "the programme history needs its extra: pip install 'matchwork[programme]'",
    ),
    "cli.template_written": (
        "Modello scritto in {path}: compilare i fogli e poi «matchwork validate {path}».",
        "Template written to {path}: fill in the sheets, then run 'matchwork validate {path}'.",
    ),
    # -------- Report (one self-contained HTML page for the placement office)
    "report.title": ("Tornata di abbinamento", "Matching round"),
    "report.headline": ("In breve", "At a glance"),
    "report.summary": ("Sintesi", "Summary"),
    "report.scores": ("Distribuzione dei punteggi", "Score distribution"),
    "report.loads": ("Carichi rispetto ai limiti", "Loads against caps"),
    "report.areas": ("Esiti per ambito", "Outcomes by area"),
    "report.pairings": ("Abbinamenti", "Pairings"),
    "report.search": ("Cerca per nome, codice, sede…", "Search by name, id, site…"),
    "report.candidate": ("Persona", "Candidate"),
    "report.area": ("Ambito", "Area"),
    "report.status": ("Esito", "Status"),
    "report.site": ("Sede", "Site"),
    "report.position": ("Mansione", "Position"),
    "report.lead": ("Referente", "Lead guide"),
    "report.squad": ("Squadra", "Squad"),
    "report.peer": ("Peer supporter", "Peer supporter"),
    "report.tutor": ("Tutor aziendale", "Company tutor"),
    "report.operator": ("Operatore dello sportello", "Desk operator"),
    "report.score": ("Punteggio", "Score"),
    "report.why": ("perché", "why"),
    "report.share": ("quota del limite", "share of cap"),
    "report.role": ("Ruolo", "Role"),
    "report.partners": ("Partner", "Partners"),
    "report.mean": ("Media", "Mean"),
    "report.max": ("Massimo", "Max"),
    "report.at_cap": ("Al limite", "At cap"),
    "report.people": ("Persone", "People"),
    "report.matched": ("Abbinate", "Matched"),
    "report.share_matched": ("% abbinate", "% matched"),
    "report.placed_card": ("persone abbinate", "people placed"),
    "report.peers_card": ("peer supporter assegnati", "peer supporters given"),
    "report.squad_card": ("posti in squadra coperti", "squad places filled"),
    "report.filter_unmatched": ("Solo senza abbinamento", "Unmatched only"),
    "report.filter_all": ("tutti", "all"),
    "report.sort_hint": (
        "Un clic sull'intestazione di una colonna ordina la tabella; un secondo clic inverte l'ordine.",
        "Click a column header to sort; click again to reverse.",
    ),
    "report.previous": ("‹ precedente", "‹ previous"),
    "report.next": ("successiva ›", "next ›"),
    "report.page": ("pagina {page} di {pages}", "page {page} of {pages}"),
    "report.run": ("Esecuzione", "Run"),
    "report.input": ("dati", "input"),
    "report.policy": ("criteri", "policy"),
    "report.chart_box": (
        "{role}: mediana {median}, quartili {q1}–{q3}, massimo {max}",
        "{role}: median {median}, quartiles {q1}–{q3}, max {max}",
    ),
    "report.no_text": (
        "Tornata grande: le spiegazioni sono in explanations.json.",
        "A large round: the explanations are in explanations.json.",
    ),
    "report.role.site": ("sedi (limite più stretto)", "sites (tightest limit)"),
    "report.role.site_legal": ("sedi (limite di legge)", "sites (legal limit)"),
    "report.role.site_tutors": ("sedi (tutor aziendali)", "sites (company tutors)"),
    "report.role.position": ("mansioni (posti aperti)", "positions (openings)"),
    "report.role.lead_guide": ("referenti (nuovi ingressi)", "lead guides (newcomers)"),
    "report.role.guide": ("lavoratori guida (persone seguite)", "guide workers (people followed)"),
    "report.role.tutor": ("tutor aziendali (tirocinanti)", "company tutors (trainees)"),
    "report.role.operator": ("operatori dello sportello (carico)", "desk operators (caseload)"),
    "report.role.peer": ("peer supporter (ore)", "peer supporters (hours)"),
    "report.role.peer_people": ("peer supporter (persone)", "peer supporters (people)"),
    "load.site": ("sede: tirocinanti, limite più stretto", "site: trainees, tightest limit"),
    "load.site_legal": ("sede: limite di legge sui tirocinanti", "site: legal trainee limit"),
    "load.site_tutors": ("sede: tirocinanti per i tutor aziendali", "site: trainees the company tutors follow"),
    "load.position": ("mansione: posti aperti", "position: openings"),
    "load.lead_guide": ("referente: nuovi ingressi per tornata", "lead guide: newcomers this round"),
    "load.guide": ("lavoratore guida: persone seguite", "guide worker: people followed"),
    "load.peer": ("peer supporter: ore a settimana", "peer supporter: hours a week"),
    "load.peer_people": ("peer supporter: persone affiancate", "peer supporter: people supported"),
    "load.tutor": ("tutor aziendale: tirocinanti seguiti", "company tutor: trainees followed"),
    "load.operator": ("operatore dello sportello: persone in carico", "desk operator: caseload"),
    # -------- The round's review (responsabile degli inserimenti): first line of every output for people
    "review.draft": (
        "Abbinamenti in bozza, da approvare da parte di {reviewer} (responsabile degli inserimenti).",
        "Draft matches, awaiting approval by {reviewer} (head of placements).",
    ),
    "review.draft_unnamed": (
        "Abbinamenti in bozza, da approvare: il responsabile degli inserimenti non è indicato.",
        "Draft matches, awaiting approval: no head of placements is named.",
    ),
    "review.approved": (
        "Abbinamenti approvati da {reviewer} (responsabile degli inserimenti) il {day} alle {time}.",
        "Matches approved by {reviewer} (head of placements) on {day} at {time}.",
    ),
    # -------- The headline: what holds placements back, read from the result
    "headline.all_placed": ("Tutte le persone hanno un abbinamento.", "Everyone is placed."),
    "headline.limit.lead": (
        "Il limite principale sono i lavoratori guida referenti: ciascuno affianca al massimo {cap} per tornata.",
        "The main limit is lead guides: each leads at most {cap} per round.",
    ),
    "headline.limit.site": (
        "Il limite principale sono i posti nelle sedi (limiti di legge, tutor aziendali, posti aperti).",
        "The main limit is places at the sites (legal limits, company tutors, open positions).",
    ),
    "headline.limit.both": (
        "Il limite principale sono sedi e referenti insieme: dove c'è ancora posto, i referenti (al massimo {cap} "
        "ciascuno per tornata) sono già occupati.",
        "The main limit is sites and lead guides together: where there is room, the lead guides (at most {cap} "
        "each per round) are taken.",
    ),
    "headline.limit.rules": (
        "Il limite principale sono le regole: per molte persone nessuna sede è possibile.",
        "The main limit is the rules: for many people no site is possible.",
    ),
    "headline.limit.squad": (
        "Il limite principale sono le squadre: nelle sedi possibili non ci sono abbastanza lavoratori guida per "
        "una squadra completa.",
        "The main limit is squads: the possible sites do not have enough guide workers for a full squad.",
    ),
    "headline.limit.trade_off": (
        "Nessun limite è pieno per chi resta senza abbinamento: la tornata rende di più con altre scelte.",
        "No limit is full for those left unmatched: the round does better with other choices.",
    ),
    "headline.cause.lead.one": (
        "{n} persona aveva una sede possibile ma nessun referente libero{where}.",
        "{n} person had a possible site but no free lead guide{where}.",
    ),
    "headline.cause.lead.other": (
        "{n} persone avevano una sede possibile ma nessun referente libero{where}.",
        "{n} people had a possible site but no free lead guide{where}.",
    ),
    "headline.cause.site.one": (
        "{n} persona aveva solo sedi possibili già al completo{where}.",
        "{n} person had only possible sites that are full{where}.",
    ),
    "headline.cause.site.other": (
        "{n} persone avevano solo sedi possibili già al completo{where}.",
        "{n} people had only possible sites that are full{where}.",
    ),
    "headline.cause.both.one": (
        "{n} persona aveva sedi possibili piene o senza referente libero{where}.",
        "{n} person had possible sites either full or without a free lead guide{where}.",
    ),
    "headline.cause.both.other": (
        "{n} persone avevano sedi possibili piene o senza referente libero{where}.",
        "{n} people had possible sites either full or without a free lead guide{where}.",
    ),
    "headline.cause.rules.one": (
        "Per {n} persona nessuna sede è possibile, soprattutto perché {rule}{where}.",
        "For {n} person no site is possible, mostly because {rule}{where}.",
    ),
    "headline.cause.rules.other": (
        "Per {n} persone nessuna sede è possibile, soprattutto perché {rule}{where}.",
        "For {n} people no site is possible, mostly because {rule}{where}.",
    ),
    "headline.cause.squad.one": (
        "{n} persona aveva sedi possibili, ma nessuna con abbastanza lavoratori guida per una squadra completa{where}.",
        "{n} person had possible sites, but none with enough guide workers for a full squad{where}.",
    ),
    "headline.cause.squad.other": (
        "{n} persone avevano sedi possibili, ma nessuna con abbastanza lavoratori guida per una squadra "
        "completa{where}.",
        "{n} people had possible sites, but none with enough guide workers for a full squad{where}.",
    ),
    "headline.cause.trade_off.one": (
        "{n} persona aveva un'opzione libera, ma la tornata nel complesso rende di più senza{where}.",
        "{n} person had a free option, but the round as a whole does better without it{where}.",
    ),
    "headline.cause.trade_off.other": (
        "{n} persone avevano un'opzione libera, ma la tornata nel complesso rende di più senza{where}.",
        "{n} people had a free option, but the round as a whole does better without it{where}.",
    ),
    "headline.kinds": (
        "Limiti pieni che bloccano qualcuno: {leads} lavoratori guida che potrebbero fare da referente (per "
        "{lead_people}) e {places} mansioni o sedi (per {place_people}).",
        "Full limits that hold someone back: {leads} guide workers who could lead (for {lead_people}) and {places} "
        "positions or sites (for {place_people}).",
    ),
    "headline.where": (" ({n} nell'ambito di {area})", " ({n} in the {area} area)"),
    "headline.price.one": (
        "Un posto in più per {name} ({role} {id}, ambito di {area}) abbinerebbe {n} persona in più.",
        "One more place for {name} ({role} {id}, {area} area) would place {n} more person.",
    ),
    "headline.price.other": (
        "Un posto in più per {name} ({role} {id}, ambito di {area}) abbinerebbe {n} persone in più.",
        "One more place for {name} ({role} {id}, {area} area) would place {n} more people.",
    ),
    "headline.reason.lead": (
        "nessun referente libero nelle sedi possibili",
        "no free lead guide at the possible sites",
    ),
    "headline.reason.site": ("sedi possibili già al completo", "the possible sites are full"),
    "headline.reason.both": (
        "sedi possibili piene o senza referente libero",
        "the possible sites are full or have no free lead guide",
    ),
    "headline.reason.rules": ("nessuna sede possibile: {rules}", "no site is possible: {rules}"),
    "headline.reason.squad": (
        "nessuna sede possibile ha abbastanza lavoratori guida per una squadra completa",
        "no possible site has enough guide workers for a full squad",
    ),
    "headline.reason.trade_off": (
        "un'opzione era libera, ma la tornata nel complesso rende di più senza",
        "an option was free, but the round as a whole does better without it",
    ),
    # -------- Output files for people (Excel): sheet names and column headers
    "sheet.headline": ("in breve", "at a glance"),
    "sheet.assignments": ("abbinamenti", "assignments"),
    "sheet.unmatched": ("senza abbinamento", "unmatched"),
    "sheet.loads": ("carichi", "loads"),
    "sheet.newcomers": ("nuovi ingressi", "newcomers"),
    "sheet.prepare": ("da preparare", "to prepare"),
    "sheet.durations": ("durata dei tirocini", "traineeship durations"),
    "sheet.cooperatives": ("cooperative 30%", "cooperatives 30%"),
    "column.candidate_id": ("codice persona", "candidate id"),
    "column.candidate": ("persona", "candidate"),
    "column.area": ("ambito", "area"),
    "column.municipality": ("comune", "municipality"),
    "column.status": ("esito", "status"),
    "column.site_id": ("codice sede", "site id"),
    "column.site": ("sede", "site"),
    "column.position_id": ("codice mansione", "position id"),
    "column.position": ("mansione", "position"),
    "column.lead_guide_id": ("codice referente", "lead guide id"),
    "column.lead_guide": ("referente", "lead guide"),
    "column.squad": ("squadra", "squad"),
    "column.tutor": ("tutor aziendale", "company tutor"),
    "column.operator": ("operatore dello sportello", "desk operator"),
    "column.peer_id": ("codice peer supporter", "peer supporter id"),
    "column.peer": ("peer supporter", "peer supporter"),
    "column.score": ("punteggio", "score"),
    "column.site_score": ("punteggio sede", "site score"),
    "column.guide_score": ("punteggio referente", "lead guide score"),
    "column.peer_score": ("punteggio peer supporter", "peer supporter score"),
    "column.continuity": ("continuità", "continuity"),
    "column.reason": ("motivo", "reason"),
    "column.partner_id": ("codice", "id"),
    "column.partner": ("nome", "name"),
    "column.role": ("ruolo", "role"),
    "column.load": ("carico", "load"),
    "column.capacity": ("limite", "cap"),
    "column.share": ("quota del limite", "share of cap"),
    "column.category": ("categoria", "category"),
    "column.max_months": ("durata massima (mesi)", "longest (months)"),
    "column.extendable_to": ("prorogabile fino a (mesi)", "extendable to (months)"),
    "column.condition": ("condizione della proroga", "condition to extend"),
    "column.rule_set": ("regole applicate", "rule set"),
    "column.cooperative": ("cooperativa", "cooperative"),
    "column.cooperative_id": ("codice cooperativa", "cooperative id"),
    "column.year": ("anno", "year"),
    "column.workers": ("lavoratori (media annua)", "workers (annual average)"),
    "column.disadvantaged_workers": ("lavoratori svantaggiati (L. 381/91)", "disadvantaged workers (L. 381/91)"),
    "column.share_of_all": ("quota su tutti i lavoratori", "share of all workers"),
    "column.meets_30_of_all": ("almeno 30% su tutti", "at least 30% of all"),
    "column.share_of_others": ("quota sugli altri lavoratori", "share of the other workers"),
    "column.meets_30_of_others": ("almeno 30% sugli altri", "at least 30% of the others"),
    "column.placed_381": (
        "tirocinanti L. 381/91 abbinati ora alle sue sedi",
        "L. 381/91 trainees placed at its sites now",
    ),
    "column.if_hired_share_of_all": ("quota su tutti, se assunti", "share of all, if hired"),
    "column.if_hired_share_of_others": ("quota sugli altri, se assunti", "share of the others, if hired"),
    "column.accommodations": ("accomodamenti da preparare", "adjustments to prepare"),
    "column.accommodation": ("accomodamento", "adjustment"),
    "column.people": ("persone", "people"),
    "column.newcomers": ("nuovi ingressi", "newcomers"),
    "column.why": ("perché", "why"),
    # -------- The blank round workbook (matchwork template)
    "template.sheet_instructions": ("istruzioni", "instructions"),
    "template.sheet_lists": ("elenchi", "lists"),
    "template.title": ("Come compilare la tornata di abbinamento", "How to fill in the matching round"),
    "template.intro": (
        "Un foglio per tabella; una riga per persona, sede o legame. La riga 2 di ogni foglio è un esempio: "
        "sostituirla o cancellarla. Le colonne obbligatorie sono in grassetto. Passando sopra un'intestazione "
        "compare cosa scrivere.",
        "One sheet per table; one row per person, site or tie. Row 2 of each sheet is an example: replace or delete "
        "it. Required columns are in bold. Hover over a header to see what to write.",
    ),
    "template.lists": (
        "Dove una cella accetta un solo valore, un elenco a discesa propone le parole ammesse. Dove accetta un "
        "elenco (lingue, disponibilità, competenze…), separare le voci con «;» e prendere le parole dal foglio "
        "«{lists}». Le competenze si scrivono con il livello da 1 a 3: «pulizie:2; magazzino:1».",
        "Where a cell takes one value, a drop-down list offers the allowed words. Where it takes a list (languages, "
        "availability, skills…), separate the items with ';' and take the words from the '{lists}' sheet. Skills "
        "carry a level from 1 to 3: 'cleaning:2; warehouse:1'.",
    ),
    "template.places": (
        "Il luogo di persone e sedi si indica con il comune (nome o codice ISTAT; «Castro (LE)» dove più province "
        "hanno un comune con lo stesso nome). Latitudine e longitudine servono solo per un indirizzo preciso.",
        "The place of people and sites is their municipality (name or ISTAT code; 'Castro (LE)' where several "
        "provinces share a name). Latitude and longitude are needed only for an exact address.",
    ),
    "template.codes": (
        "Ogni codice (persona, lavoratore guida, peer supporter, sede, mansione) è unico in tutta la tornata: "
        "lettere, cifre, «_», «.» e «-».",
        "Every id (candidate, guide worker, peer supporter, site, position) is unique across the round: letters, "
        "digits, '_', '.' and '-'.",
    ),
    "template.sensitive": (
        "Le colonne segnate come riservate (salute, servizio inviante) non compaiono mai nella vista per le sedi, "
        "nei messaggi di errore o nei log.",
        "Columns marked confidential (health, referring service) never appear in the site view, error messages or "
        "logs.",
    ),
    "template.check": (
        "Salvare il file e controllarlo con «matchwork validate tornata.xlsx»: ogni problema è indicato con foglio, "
        "riga e colonna. Poi «matchwork run tornata.xlsx --out risultati».",
        "Save the file and check it with 'matchwork validate round.xlsx': every problem is given with its sheet, "
        "row and column. Then 'matchwork run round.xlsx --out results'.",
    ),
    "template.col_sheet": ("foglio", "sheet"),
    "template.col_header": ("colonna", "column"),
    "template.col_required": ("obbligatoria", "required"),
    "template.col_meaning": ("cosa scrivere", "what to write"),
    "template.col_values": ("valori ammessi", "allowed values"),
    "template.yes": ("sì", "yes"),
    "template.no": ("no", "no"),
    "template.confidential": ("riservata", "confidential"),
    "template.list_of": ("elenco separato da «;» di: {words}", "';'-separated list of: {words}"),
    "template.levels": (
        "voci «parola:livello» (livello 1-3) separate da «;»",
        "'word:level' items (level 1-3), ';'-separated",
    ),
    "template.see_lists": (
        "vedi il foglio «{lists}», colonna «{column}»",
        "see the '{lists}' sheet, column '{column}'",
    ),
    "template.number": ("un numero", "a number"),
    "template.integer": ("un numero intero", "a whole number"),
    "template.date": ("una data (aaaa-mm-gg)", "a date (yyyy-mm-dd)"),
    "template.text": ("testo", "text"),
    "template.code": ("un codice", "an id"),
    "template.sector": (
        "un codice ATECO («81.21») o la lettera di sezione («N»)",
        "an ATECO code ('81.21') or section letter ('N')",
    ),
    "template.example_name": ("Tornata di prova", "Example round"),
    "template.list.Mobility": ("mobilità", "mobility"),
    "template.list.SupportIntensity": ("intensità del sostegno", "support intensity"),
    "template.list.Gender": ("genere", "gender"),
    "template.list.Category": ("categoria L. 381/91", "category (L. 381/91)"),
    "template.list.ReferringService": ("servizio inviante", "referring service"),
    "template.list.RelationshipKind": ("tipo di relazione", "relationship kind"),
    "template.list.Role": ("ruolo", "role"),
    "template.list.SiteKind": ("tipo di sede", "site kind"),
    "template.list.Skill": ("competenze", "skills"),
    "template.list.Slot": ("mezze giornate", "half-days"),
    "template.list.Accommodation": ("accomodamenti", "adjustments"),
    "template.list.LivedExperience": ("esperienza vissuta", "lived experience"),
    "template.list.Language": ("lingue", "languages"),
    "template.list.bool": ("sì / no", "yes / no"),
    "template.dropdown_error": ("Valore non ammesso", "Value not allowed"),
    "template.dropdown_message": ("Scegliere un valore dall'elenco.", "Choose a value from the list."),
    # -------- Input problems: what was wrong and what is accepted, for the office (problem.<key>)
    "problem.got": ("{where}: trovato {value}, serve {expected}", "{where}: got {value}, expected {expected}"),
    "problem.expected": ("{where}: serve {expected}", "{where}: expected {expected}"),
    "problem.line": ("riga {n}", "line {n}"),
    "problem.row": ("record {n}", "row {n}"),
    "problem.column": ("colonna {name}", "column {name}"),
    "problem.hint": (" (forse intendevi {hint!r}?)", " (did you mean {hint!r}?)"),
    "problem.head_one": ("1 problema {subject}:", "1 problem in {subject}:"),
    "problem.head_many": ("{n} problemi {subject}:", "{n} problems in {subject}:"),
    "problem.subject.input": ("nei dati", "the input"),
    "problem.subject.round": ("nella tornata di abbinamento", "the round"),
    "problem.subject.policy": ("nella politica di abbinamento", "the policy"),
    "problem.more": (
        "… e altri {n} (l'elenco completo con --problems FILE)",
        "… and {n} more (the full list with --problems FILE)",
    ),
    "problem.missing": ("un valore (la colonna è obbligatoria)", "a value (this column is required)"),
    "problem.no_field": ("un campo previsto (questo non esiste)", "a known field (there is no such field)"),
    "problem.enum": ("uno tra: {codes}", "one of: {codes}"),
    "problem.enum_many": ("uno dei {n} codici previsti", "one of {n} known codes"),
    "problem.integer": ("un numero intero, come 12", "a whole number, such as 12"),
    "problem.number": ("un numero, come 12,5 o 12.5", "a number, such as 12.5 or 12,5"),
    "problem.finite": ("un numero finito", "a finite number"),
    "problem.greater_than": ("un numero maggiore di {gt}", "a number greater than {gt}"),
    "problem.greater_than_equal": ("un numero non inferiore a {ge}", "a number of at least {ge}"),
    "problem.less_than": ("un numero minore di {lt}", "a number less than {lt}"),
    "problem.less_than_equal": ("un numero non superiore a {le}", "a number of at most {le}"),
    "problem.rounds_to_zero": (
        "un numero di almeno {least} (uno più piccolo diventa 0)",
        "a number of at least {least} (a smaller one rounds to 0)",
    ),
    "problem.boolean": (
        "sì o no (vale anche vero/falso, 1/0, yes/no, true/false)",
        "yes or no (also true/false, 1/0, sì/no)",
    ),
    "problem.date": (
        "una data come gg/mm/aaaa (3/2/2026) o aaaa-mm-gg (2026-02-03)",
        "a date as dd/mm/yyyy (3/2/2026) or yyyy-mm-dd (2026-02-03)",
    ),
    "problem.text": ("un testo", "text"),
    "problem.not_empty": ("un testo non vuoto", "a non-empty text"),
    "problem.text_too_long": (
        "un testo di al massimo {max_length} caratteri",
        "a text of at most {max_length} characters",
    ),
    "problem.id": (
        "un codice fatto di lettere, cifre, _ . - (che inizia con una lettera o una cifra, al massimo 64 caratteri)",
        "an id made of letters, digits, _ . - (starting with a letter or digit, at most 64 characters)",
    ),
    "problem.plain_text": (
        "un testo senza caratteri di controllo (a capo, tabulazioni)",
        "text without control characters (line breaks, tabs)",
    ),
    "problem.area": ("il nome di un ambito, senza ';' né ','", "an area name, without ';' or ','"),
    "problem.criterion": (
        "il nome di un criterio (lettere minuscole, cifre e _), come commute",
        "the name of a criterion (lowercase letters, digits and _), such as commute",
    ),
    "problem.at_least_items": ("almeno {min_length} elemento/i", "at least {min_length} item(s)"),
    "problem.at_most_items": ("al massimo {max_length} elementi", "at most {max_length} items"),
    "problem.list": ("un elenco di valori", "a list of values"),
    "problem.record": ("un record con i suoi campi", "a record with its fields"),
    "problem.valid": ("un valore valido", "a valid value"),
    "problem.sector": (
        "una lettera di sezione ATECO 2007 (da A a U) o un codice come 81.21",
        "an ATECO 2007 section letter (A to U) or a code such as 81.21",
    ),
    "problem.sector_division": (
        "un codice ATECO esistente (la divisione {division} non esiste)",
        "an existing ATECO code (division {division} does not exist)",
    ),
    "problem.sector_unknown": (
        "un codice ATECO 2007 esistente (aggiornamento 2022)",
        "an existing ATECO 2007 code (2022 update)",
    ),
    "problem.sector_ambiguous": (
        "un codice ATECO scritto come testo: Excel lo ha trasformato nel numero {number}, che può essere {codes} "
        "(scrivere il codice preceduto da un apostrofo, come '52.10, o formattare la colonna come testo)",
        "an ATECO code typed as text: Excel turned it into the number {number}, which could be {codes} "
        "(type the code after an apostrophe, as '52.10, or format the column as text)",
    ),
    "problem.peer_start_missing": (
        "la data di inizio come peer supporter (in servizio dal): senza, è considerato nuovo nel ruolo "
        "(ore e persone ridotte)",
        "the date they started as a peer supporter (started_on): without it they are treated as new "
        "(fewer hours and people)",
    ),
    "problem.until_before_since": (
        "una data di fine (al) non precedente all'inizio (dal)",
        "an end date (until) not before the start (since)",
    ),
    "problem.reason_without_end": (
        "la data di fine (al) quando è indicato il motivo della fine",
        "the end date (until) when an end reason is given",
    ),
    "problem.mentees_over_max": (
        "un numero non superiore a massimo affiancamenti (max_mentees)",
        "a number not above max_mentees",
    ),
    "problem.hours_over_cap": (
        "un numero non superiore alle ore settimanali (hours_per_week)",
        "a number not above hours_per_week",
    ),
    "problem.distinct_ends": ("due estremi diversi (a e b sono uguali)", "two different ends (a and b are the same)"),
    "problem.lead_untrained": (
        "la formazione sulla relazione educativa per chi può essere referente (can_lead)",
        "the training in the educational relationship for a guide who can lead (can_lead)",
    ),
    "problem.staff_missing": (
        "i dipendenti (headcount), oppure i dipendenti a tempo indeterminato e le altre voci del personale",
        "headcount, or permanent_employees and the other parts of the staff",
    ),
    "problem.exempt_over_present": (
        "un numero non superiore ai tirocinanti presenti (trainees_present)",
        "a number not above trainees_present",
    ),
    "problem.hired_over_trainees": (
        "un numero non superiore ai tirocinanti degli ultimi 24 mesi (trainees_24m), da indicare",
        "a number not above trainees_24m, which must be given",
    ),
    "problem.cooperative_of_company": (
        "nessuna cooperativa per un'azienda ospitante (solo le squadre di una cooperativa ne hanno una)",
        "no cooperative for a host company (only a cooperative's teams belong to one)",
    ),
    "problem.trainees_over_max": (
        "un numero non superiore a massimo tirocinanti (max_trainees)",
        "a number not above max_trainees",
    ),
    "problem.caseload_over_max": (
        "un numero non superiore al carico massimo (max_caseload)",
        "a number not above max_caseload",
    ),
    "problem.disadvantaged_over_workers": (
        "un numero non superiore ai lavoratori (workers)",
        "a number not above workers",
    ),
    "problem.approval_incomplete": (
        "chi approva (reviewer) e quando (approved_at) per una tornata approvata",
        "the reviewer and approved_at of an approved round",
    ),
    "problem.draft_approved_at": (
        "nessuna data di approvazione per una bozza",
        "no approved_at for a draft",
    ),
    "problem.skill_level": (
        "un livello da 1 a 3 dopo i due punti, come cleaning:2",
        "a level 1 to 3 after a colon, as in cleaning:2",
    ),
    "problem.cell_too_long": (
        "una cella di al massimo {limit} caratteri (questa ne ha {size})",
        "a cell of at most {limit} characters (this one has {size})",
    ),
    "problem.too_many_items": (
        "al massimo {limit} elementi in una cella (questa ne ha {size})",
        "at most {limit} items in one cell (this one has {size})",
    ),
    # columns, tables, files
    "problem.column_unknown": ("nessuna colonna con questo nome", "no such column"),
    "problem.column_unnamed": (
        "un'intestazione che dia il nome a questa colonna",
        "a header naming this column",
    ),
    "problem.column_required": ("una colonna {name} (è obbligatoria)", "a column named {name} (it is required)"),
    "problem.column_twice": (
        "ogni colonna una volta sola (questa intestazione compare {n} volte)",
        "each column once (this header appears {n} times)",
    ),
    "problem.column_extra": (
        "nessuna colonna in più: questa è tenuta come nota e non conta per l'abbinamento",
        "no extra column: this one is kept as a note and does not count for matching",
    ),
    "problem.table_unknown": ("nessuna tabella con questo nome", "no such table"),
    "problem.table_required": ("una tabella {name}", "a table named {name}"),
    "problem.sheet_unknown": ("nessun foglio con questo nome", "no such sheet"),
    "problem.sheet_required": ("un foglio {name} nella cartella di lavoro", "a sheet named {name} in the workbook"),
    "problem.sheet_twice": (
        "un foglio per tabella ({name} compare più volte, in italiano e in inglese)",
        "one sheet per table ({name} appears more than once, in Italian and English)",
    ),
    "problem.file_required": ("un file {name} nella cartella", "a file {name} in the folder"),
    "problem.file_twice": (
        "un file per tabella ({name} compare più volte, in italiano e in inglese)",
        "one file per table ({name} appears more than once, in Italian and English)",
    ),
    "problem.not_a_frame": ("una tabella (un DataFrame di pandas)", "a table (a pandas DataFrame)"),
    "problem.unreadable_folder": ("un file leggibile (questo è una cartella)", "a readable file (this is a folder)"),
    "problem.unreadable_dangling": (
        "un file leggibile (questo è un collegamento a un file che non esiste)",
        "a readable file (this is a link to a file that does not exist)",
    ),
    "problem.unreadable_loop": (
        "un file leggibile (questo è un collegamento che rimanda a se stesso)",
        "a readable file (this is a link that points back to itself)",
    ),
    "problem.unreadable_denied": (
        "un file leggibile (manca il permesso di leggerlo)",
        "a readable file (permission to read it is denied)",
    ),
    "problem.unreadable_other": (
        "un file leggibile (errore di sistema {error})",
        "a readable file (system error {error})",
    ),
    "problem.too_big": (
        "un file di al massimo {limit} MB (questo ne ha {size})",
        "a file of at most {limit} MB (this one has {size})",
    ),
    "problem.csv_encoding": (
        "un file in codifica UTF-8 (il byte {byte} non lo è: salvare come «CSV UTF-8»)",
        "a UTF-8 encoded file (byte {byte} is not UTF-8; save as 'CSV UTF-8')",
    ),
    "problem.csv_malformed": ("un file CSV ben formato ({detail})", "a well-formed CSV file ({detail})"),
    "problem.csv_cells": (
        "al massimo {n} celle, quante le colonne dell'intestazione (questa riga ne ha {size})",
        "at most {n} cells, as many as the header's columns (this line has {size})",
    ),
    "problem.csv_nul": ("un file di testo (contiene il carattere nullo)", "a text file (it holds a NUL character)"),
    "problem.not_a_folder": ("una cartella di file CSV", "a folder of CSV files"),
    "problem.round_file": (
        "una cartella di lavoro Excel (.xlsx), un file JSON (.json) o una cartella di file CSV",
        "an Excel workbook (.xlsx), a JSON file (.json) or a folder of CSV files",
    ),
    "problem.no_path": ("un file o una cartella esistente", "an existing file or folder"),
    "problem.workbook": ("una cartella di lavoro Excel .xlsx ({detail})", "an Excel .xlsx workbook ({detail})"),
    "problem.workbook_bomb": (
        "una cartella di lavoro di al massimo {limit} MB una volta decompressa (questa dichiara {size} MB)",
        "a workbook of at most {limit} MB once unpacked (this one claims {size} MB)",
    ),
    "problem.too_many_rows": ("al massimo {limit} righe", "at most {limit} rows"),
    "problem.too_many_columns": ("al massimo {limit} colonne", "at most {limit} columns"),
    "problem.error_cell": (
        "un valore, non l'errore di calcolo {code} (correggere la formula o scrivere il valore)",
        "a value, not the spreadsheet error {code} (fix the formula or type the value)",
    ),
    "problem.formula_no_value": (
        "un valore: la cella ha una formula mai calcolata (aprire il file in Excel e salvarlo, o scrivere il valore)",
        "a value: the cell holds a formula that was never calculated (open and save the file in Excel, "
        "or type the value)",
    ),
    "problem.json": (
        "un JSON valido (riga {at_line}, colonna {at_col}: {detail})",
        "valid JSON (line {at_line}, column {at_col}: {detail})",
    ),
    "problem.json_file": ("un file JSON leggibile in UTF-8 ({detail})", "a readable UTF-8 JSON file ({detail})"),
    "problem.json_object": ("un oggetto JSON con un elenco per tabella", "a JSON object with one list per table"),
    "problem.json_list": ("un elenco di record", "a list of records"),
    "problem.json_depth": ("un JSON annidato al massimo {limit} livelli", "JSON nested at most {limit} levels deep"),
    "problem.table_twice": ("una tabella una volta sola (anche come {name})", "each table once (also given as {name})"),
    "problem.policy_key": ("una chiave prevista", "a known key"),
    "problem.policy_file": ("un file TOML leggibile in UTF-8 ({detail})", "a readable UTF-8 TOML file ({detail})"),
    "problem.toml": ("un file TOML valido ({detail})", "valid TOML ({detail})"),
    "problem.round_key": (
        "uno tra: name (nome), date (data), region (regione), reviewer, status, approved_at",
        "one of: name, date, region, reviewer, status, approved_at",
    ),
    "problem.region": (
        "una regione italiana, come lombardia o emilia-romagna",
        "an Italian region, such as lombardia or emilia-romagna",
    ),
    "problem.round_name": ("un nome da 1 a 200 caratteri", "a name of 1 to 200 characters"),
    # the round as a whole
    "problem.no_candidates": ("almeno una persona candidata", "at least one candidate"),
    "problem.no_sites": ("almeno una sede", "at least one site"),
    "problem.no_guides": (
        "almeno un lavoratore guida o un tutor aziendale (qualcuno deve affiancare i tirocinanti)",
        "at least one guide worker or company tutor (someone must accompany the trainees)",
    ),
    "problem.id_twice": (
        "un codice unico in tutta la tornata (è già usato in {other_table} riga {other_line})",
        "an id unique across the round (also used in {other_table} line {other_line})",
    ),
    "problem.id_case": (
        "un codice che non differisca da {other} solo per maiuscole e minuscole ({other_table} riga {other_line})",
        "an id that differs from {other} in more than upper and lower case ({other_table} line {other_line})",
    ),
    "problem.ref_site": ("il codice di una sede", "the id of a site"),
    "problem.ref_position": ("il codice di una mansione della sede {site}", "the id of a position of site {site}"),
    "problem.ref_candidate": ("il codice di una persona candidata", "the id of a candidate"),
    "problem.ref_partner": (
        "il codice di una sede, mansione, lavoratore guida, peer supporter, tutor aziendale o operatore dello sportello",
        "the id of a site, position, guide worker, peer supporter, company tutor or desk operator",
    ),
    "problem.ref_cooperative": (
        "il codice di una cooperativa (tabella delle cooperative)",
        "the id of a cooperative (cooperatives table)",
    ),
    "problem.ref_person": (
        "il codice di una persona, sede o componente dell'équipe della tornata",
        "the id of a person, site or care-team member of the round",
    ),
    "problem.ref_excluded": (
        "il codice di un lavoratore guida, peer supporter, sede, mansione, tutor aziendale o operatore della tornata",
        "the id of a guide worker, peer supporter, site, position, company tutor or desk operator of the round",
    ),
    "problem.role_kind": ("un ruolo che {kind} può avere", "a role that a {kind} can play"),
    "problem.one_pairing": (
        "al massimo un abbinamento in corso come {role} per persona",
        "at most one {role} pairing per candidate",
    ),
    "problem.pin_forbidden": (
        "una coppia non esclusa (è negli abbinamenti esclusi)",
        "a pair that is not forbidden (it is in the forbids table)",
    ),
    "problem.pin_excluded": (
        "una coppia non esclusa (la persona l'ha esclusa)",
        "a pair that is not forbidden (it is in the candidate's own exclusions)",
    ),
    "problem.pin_one_role": (
        "un solo abbinamento imposto come {role} per persona (c'è già {other})",
        "one {role} pin per candidate (also pinned to {other})",
    ),
    "problem.mentees_pairings": (
        "almeno {n}: gli abbinamenti in corso danno a questo lavoratore guida {n} persone",
        "at least {n}: the pairings table has that many newcomers with this guide",
    ),
    "problem.tutors_pairings": (
        "almeno {n}: gli abbinamenti in corso danno a questo tutor {n} tirocinanti",
        "at least {n}: the pairings table has that many trainees with this tutor",
    ),
    "problem.operators_pairings": (
        "almeno {n}: gli abbinamenti in corso danno a questo operatore {n} persone",
        "at least {n}: the pairings table has that many people followed by this operator",
    ),
    "problem.peers_pairings": (
        "almeno {n}: gli abbinamenti in corso danno a questo peer supporter {n} persone",
        "at least {n}: the pairings table has that many people with this peer supporter",
    ),
    "problem.trainees_pairings": (
        "almeno {n}: gli abbinamenti in corso collocano qui {n} tirocinanti",
        "at least {n}: the pairings table places that many trainees here",
    ),
    "problem.pins_position": (
        "al massimo {room} abbinamenti imposti sulla mansione {position} (i suoi posti aperti)",
        "at most {room} pins on position {position} (its openings)",
    ),
    "problem.pins_site": (
        "al massimo {room} abbinamenti imposti sulla sede {site} (i suoi posti aperti)",
        "at most {room} pins on site {site} (its openings)",
    ),
    "problem.far_away": (
        "un luogo entro {km} km dagli altri luoghi della tornata (è a {distance} km)",
        "a place within {km} km of the round's other places (it is {distance} km away)",
    ),
    "problem.far_away_swapped": (
        "un luogo entro {km} km dagli altri luoghi della tornata (è a {distance} km: latitudine e longitudine "
        "sembrano scambiate)",
        "a place within {km} km of the round's other places (it is {distance} km away: latitude and longitude "
        "look swapped)",
    ),
    # warnings: read leniently
    "problem.sector_restored": (
        "un codice ATECO scritto come testo (Excel lo ha trasformato in numero: letto come {code})",
        "an ATECO code typed as text (Excel turned it into a number: read as {code})",
    ),
    # -------- Output folders (output.<key>)
    "output.not_ours": (
        "la cartella {folder} contiene già {n} file che matchwork non ha scritto (per esempio {example}): "
        "scegliere un'altra cartella o usare --force per scrivere accanto a quei file",
        "the folder {folder} already holds {n} files matchwork did not write (e.g. {example}): "
        "choose another folder, or use --force to write beside them",
    ),
    "output.changed": (
        "il file {file} nella cartella {folder} è stato modificato dopo che matchwork lo ha scritto: "
        "spostarlo o usare --force per sostituirlo",
        "the file {file} in {folder} was changed after matchwork wrote it: move it away, or use --force to replace it",
    ),
    "output.input": (
        "scrivere in {folder} sostituirebbe o cambierebbe i dati in ingresso {input}: scegliere un'altra cartella",
        "writing into {folder} would replace or change the input {input}: choose another folder",
    ),
    "output.not_folder": (
        "il percorso {folder} esiste e non è una cartella",
        "the output path {folder} exists and is not a folder",
    ),
    "output.bad_manifest": (
        "il manifesto di matchwork in {folder} è illeggibile: spostarlo o usare --force",
        "matchwork's manifest in {folder} cannot be read: move it away, or use --force",
    ),
    # -------- Tables and columns, as the office names them (table.<name>)
    "table.policy": ("politica", "policy"),
    "column.key": ("chiave", "key"),
    "column.value": ("valore", "value"),
    "column.name": ("nome", "name"),
    "column.date": ("data", "date"),
    "column.region": ("regione", "region"),
    "column.reviewer": ("responsabile inserimenti", "reviewer"),
    "column.approved_at": ("approvato il", "approved at"),
    # -------- The command's words about input (cli.<key>)
    "cli.problems_title_one": ("1 problema nei dati", "1 problem in the input"),
    "cli.problems_title_many": ("{n} problemi nei dati", "{n} problems in the input"),
    "cli.warnings_title_one": ("1 avviso sui dati", "1 warning about the input"),
    "cli.warnings_title_many": ("{n} avvisi sui dati", "{n} warnings about the input"),
    "cli.col.table": ("tabella", "table"),
    "cli.col.line": ("riga", "line/row"),
    "cli.col.id": ("codice", "id"),
    "cli.col.column": ("colonna", "column"),
    "cli.col.value": ("valore", "value"),
    "cli.col.expected": ("cosa serve", "expected"),
    "cli.more": (
        "… e altri {n}: l'elenco completo con --problems FILE",
        "… and {n} more: the full list with --problems FILE",
    ),
    "cli.problems_file": ("elenco completo dei problemi: {file}", "full list of problems: {file}"),
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
    "keep.since": (" dal {day}", " since {day}"),
    "keep.kept": (
        "Inserimento in corso{since}: resta, con chi già accompagna la persona (abbinamenti in corso).",
        "Placement in place{since}: it stays, with the people already accompanying the person.",
    ),
    "keep.issue": (
        "Da rivedere con l'équipe: ora non rispetta una regola ({rules}).",
        "To review with the case team: it now fails a rule ({rules}).",
    ),
    "keep.added": (
        "Nuovo abbinamento in questa tornata: per questo ruolo non c'era nessun abbinamento in corso. Chi ha già un "
        "inserimento ha la precedenza sui nuovi ingressi; tra chi aveva posto si è cercato di abbinare quante più "
        "persone possibile, poi i punteggi più alti, tenendo conto del carico di chi accompagna.",
        "New pairing in this round: nobody was in place in this role. People already placed come before newcomers; "
        "among those with room, as many people as possible were paired, then the highest scores, minding the load "
        "of those who accompany them.",
    ),
    "keep.added_roles": (" In questa tornata si aggiunge: {roles}.", " Added in this round: {roles}."),
    "keep.whynot": (
        "la persona ha un inserimento in corso che resta (continuity.keep): non è stata abbinata di nuovo",
        "the person has a placement in place that stays (continuity.keep): they were not matched again",
    ),
    "label.draft": ("bozza", "draft"),
    "label.completed": ("concluso", "completed"),
    "label.hired": ("assunzione", "hired"),
    "label.breakdown": ("interruzione", "breakdown"),
    "label.withdrew": ("ritiro", "withdrew"),
    "label.moved": ("trasferimento", "moved"),
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
        "Tornata n. {round_id} «{name}» del {date} registrata: {candidates} persone candidate, {matched} abbinate; abbinamenti: {started} avviati, {kept} confermati, {ended} chiusi ({changed} cambiati).",
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
        "Prossima tornata scritta in {path}: {candidates} persone candidate ({waiting} in attesa dalle tornate precedenti), {pairings} abbinamenti in corso, {forbids} coppie in attesa prima di riabbinare.",
        "Next round written to {path}: {candidates} candidates ({waiting} from the waiting list), {pairings} pairings in place, {forbids} pairs in cool-down.",
    ),
    "programme.history_title": ("Percorso di {candidate}", "Path of {candidate}"),
    "programme.rounds_title": ("Tornate registrate", "Rounds recorded"),
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
    "programme.role_tutor": ("tutor aziendale", "company tutor"),
    "programme.role_operator": ("operatore dello sportello lavoro", "job-desk operator"),
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


def plural(key: str, n: int, lang: str = "it", /, **values: Any) -> str:
    """``<key>.one`` when ``n`` is 1, else ``<key>.other``, with ``{n}`` and ``values`` filled.

    Italian and English both use the singular for one only ("0 persone", "0 people").
    """
    return text(f"{key}.{'one' if n == 1 else 'other'}", lang, n=n, **values)


def gendered(key: str, gender: Any, lang: str = "it", /, **values: Any) -> str:
    """The text of ``key`` agreed with a person's stated gender (``"f"``, ``"m"``), else the neutral one.

    ``gender`` may be a :class:`~matchwork.model.vocab.Gender`, its code, or None.
    """
    code = str(getattr(gender, "value", gender) or "")
    form = f"{key}.{code}" if code in ("f", "m") and f"{key}.{code}" in TEXTS else key
    return text(form, lang, **values)


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
