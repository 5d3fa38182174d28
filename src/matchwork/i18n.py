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
>>> text("explain.price", "it", extra=1, gain=2.5)
'+1 persone abbinate, +2.5 punti'
>>> words("report", "en")["title"]
'Matching round'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matchwork._validation import Lang, choice, choices

__all__ = ["LANGS", "TEXTS", "both", "text", "words"]

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
    "explain.site": ("Sede e mansione", "Site and position"),
    "explain.lead_guide": ("Lavoratore guida referente", "Lead guide worker"),
    "explain.squad": ("Squadra ristretta", "Squad"),
    "explain.peer": ("Peer supporter", "Peer supporter"),
    "explain.matched": ("abbinata", "matched"),
    "explain.unmatched": ("non abbinata", "not matched"),
    "explain.title": ("Perché {who}: {status}", "Why {who}: {status}"),
    "explain.chosen": (
        "{partner}: punteggio {score:.1f} su 100, {rank}ª di {n} opzioni possibili.",
        "{partner}: score {score:.1f} out of 100, ranked {rank} of {n} possible options.",
    ),
    "explain.chosen_plain": (
        "{partner}: è tra le opzioni più adatte a te ({rank}ª di {n}).",
        "{partner}: among the options that suit you best ({rank} of {n}).",
    ),
    "explain.none": ("nessuno assegnato", "none assigned"),
    "explain.not_wanted": ("non richiesto", "not requested"),
    "explain.why": ("Perché", "Why"),
    "explain.alternatives": ("Alternative non scelte", "Alternatives not taken"),
    "explain.rule": ("esclusa: {reasons}", "ruled out: {reasons}"),
    "explain.capacity": (
        "posto dato a chi guadagnava di più ({partner} è al completo; un posto in più varrebbe {price})",
        "the place went to someone who gains more ({partner} is full; one more slot would be worth {price})",
    ),
    "explain.capacity_plain": ("i posti erano già occupati", "the places were already taken"),
    "explain.trade_off": (
        "possibile, ma il totale del turno è più alto senza (vedi why_not per il costo esatto)",
        "possible, but the round's total is higher without it (why_not gives the exact cost)",
    ),
    "explain.trade_off_plain": (
        "possibile, ma un'altra combinazione funzionava meglio",
        "possible, but another combination worked better",
    ),
    "explain.lower": ("punteggio più basso ({score:.1f})", "a lower score ({score:.1f})"),
    "explain.binding": ("Limiti raggiunti", "Limits reached"),
    "explain.cap_site": (
        "la sede ha esaurito i posti ({load:g} su {capacity:g})",
        "the site has no place left ({load:g} of {capacity:g})",
    ),
    "explain.cap_lead_guide": (
        "il referente non può affiancare altri nuovi ingressi ({load:g} su {capacity:g})",
        "the lead guide cannot take another newcomer ({load:g} of {capacity:g})",
    ),
    "explain.cap_guide": (
        "il lavoratore guida è al massimo di affiancamenti ({load:g} su {capacity:g})",
        "the guide worker follows as many newcomers as they can ({load:g} of {capacity:g})",
    ),
    "explain.cap_peer": (
        "il peer supporter ha esaurito le ore ({load:g} su {capacity:g})",
        "the peer supporter has no hours left ({load:g} of {capacity:g})",
    ),
    "explain.confidential": (
        "una ragione riservata (chiedere all'équipe)",
        "a confidential reason (ask the case team)",
    ),
    "explain.confidential_points": ("criteri riservati", "confidential criteria"),
    "explain.blocked": ("Cosa ha impedito l'abbinamento", "What stood in the way"),
    "explain.no_lead": (
        "nessun lavoratore guida della sede può fare da referente: {reasons}",
        "no guide worker of the site may lead: {reasons}",
    ),
    "explain.change_rule": (
        "cambierebbe se non valesse più: {reasons}",
        "would change if this no longer held: {reasons}",
    ),
    "explain.change_capacity": (
        "cambierebbe con un posto in più ({partner}; varrebbe {price})",
        "would change with one more slot ({partner}; worth {price})",
    ),
    "explain.change_plain": ("potrebbe cambiare se si liberasse un posto", "could change if a place became free"),
    "explain.price": ("{extra:+d} persone abbinate, {gain:+.1f} punti", "{extra:+d} placed, {gain:+.1f} points"),
    "explain.points": ("punti", "points"),
    "explain.unpriced": ("non calcolato", "not computed"),
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
}
"""Text key → (Italian, English)."""


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
