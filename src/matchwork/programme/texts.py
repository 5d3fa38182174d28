"""Every message of the programme history, in Italian and English, in one table.

The placement officers who read these messages work in Italian; the library's
exceptions speak English by default, and the command line picks ``--lang``.
Messages name people and partners by id only, never by a health or referral field.

Examples
--------
>>> text("no_open_pairing", "it", candidate="C1", what="peer", date="2026-03-02")
'nessun abbinamento in corso per C1 (peer) al 2026-03-02'
>>> text("no_open_pairing", "en", candidate="C1", what="peer", date="2026-03-02")
'no open pairing for C1 (peer) on 2026-03-02'
"""

from __future__ import annotations

from typing import Any

__all__ = ["LANGUAGES", "TEXTS", "text"]

TEXTS: dict[str, dict[str, str]] = {
    # ------------------------------------------------------------------ errors of the API
    "approved_by_missing": {
        "en": "approved_by must name who approved the round",
        "it": "approved_by deve indicare chi ha approvato il giro",
    },
    "not_a_result": {
        "en": "record() takes the MatchResult of matchwork.match(round, policy)",
        "it": "record() vuole il MatchResult di matchwork.match(giro, policy)",
    },
    "already_recorded": {
        "en": "this round is already recorded (round #{round_id})",
        "it": "questo giro è già registrato (giro n. {round_id})",
    },
    "round_before_last": {
        "en": "the round's date {date} is before the last recorded round ({last})",
        "it": "la data del giro, {date}, è precedente all'ultimo giro registrato ({last})",
    },
    "pairing_conflict": {
        "en": (
            "the round's pairings in place disagree with the history for {candidates}: "
            "end the open pairing first, or build the round with next_round"
        ),
        "it": (
            "gli abbinamenti in corso del giro non coincidono con lo storico per {candidates}: "
            "chiudere prima l'abbinamento aperto, oppure costruire il giro con next_round"
        ),
    },
    "unknown_role": {
        "en": "unknown role {value!r}: expected one of {allowed}",
        "it": "ruolo sconosciuto {value!r}: atteso uno tra {allowed}",
    },
    "unknown_reason": {
        "en": "unknown reason {value!r}: expected one of {allowed}",
        "it": "motivo sconosciuto {value!r}: atteso uno tra {allowed}",
    },
    "bad_date": {
        "en": "{value!r} is not a date (YYYY-MM-DD)",
        "it": "{value!r} non è una data (AAAA-MM-GG)",
    },
    "bad_id": {
        "en": "{value!r} is not an id (letters, digits, _ . -)",
        "it": "{value!r} non è un codice (lettere, cifre, _ . -)",
    },
    "no_open_pairing": {
        "en": "no open pairing for {candidate} ({what}) on {date}",
        "it": "nessun abbinamento in corso per {candidate} ({what}) al {date}",
    },
    "breakdown_needs_partner": {
        "en": "a breakdown names the role or the partner whose pairing failed",
        "it": "un'interruzione deve indicare il ruolo o il partner dell'abbinamento fallito",
    },
    "end_before_round": {
        "en": "{candidate}: the end date {date} is before the last round that decided the pairing ({round_date})",
        "it": "{candidate}: la data di fine {date} precede l'ultimo giro che ha deciso l'abbinamento ({round_date})",
    },
    "no_round_yet": {
        "en": "no round is recorded yet: pass the guide workers and the sites",
        "it": "nessun giro ancora registrato: indicare lavoratori guida e sedi",
    },
    "unknown_candidates": {
        "en": "no recorded profile for {ids}",
        "it": "nessun profilo registrato per {ids}",
    },
    "missing_partners": {
        "en": "open pairings name partners who are not in the round ({pairs}): end those pairings first",
        "it": "abbinamenti in corso con partner assenti dal giro ({pairs}): chiuderli prima",
    },
    "unknown_round": {
        "en": "no recorded round #{round_id}",
        "it": "nessun giro registrato con numero {round_id}",
    },
    "schema_outdated": {
        "en": (
            "the database is at schema revision {current}, this matchwork needs {head}: run `matchwork programme init`"
        ),
        "it": (
            "l'archivio è alla revisione di schema {current}, questa versione di matchwork richiede {head}: "
            "eseguire `matchwork programme init`"
        ),
    },
    "schema_newer": {
        "en": "the database schema ({current}) is newer than this matchwork knows ({head}): upgrade matchwork",
        "it": "lo schema dell'archivio ({current}) è più recente di questa versione di matchwork ({head}): aggiornarla",
    },
    "cooldown_days": {
        "en": "rematch_cooldown_days must be a whole number of days from 0 to 3650",
        "it": "rematch_cooldown_days deve essere un numero intero di giorni da 0 a 3650",
    },
    # ------------------------------------------------------------------ the command line
    "not_a_run": {
        "en": "{path} is neither a run folder (round.json, policy.json, run.json) nor a round file",
        "it": "{path} non è né una cartella di esecuzione (round.json, policy.json, run.json) né un file di giro",
    },
    "init_done": {
        "en": "Programme database ready: {url} (schema {revision}, cool-down {days} days).",
        "it": "Archivio del programma pronto: {url} (schema {revision}, attesa prima di riabbinare {days} giorni).",
    },
    "recorded": {
        "en": (
            "Round #{round_id} «{name}» of {date} recorded: {candidates} candidates, {matched} placed; "
            "pairings: {started} started, {kept} kept, {ended} ended ({changed} changed)."
        ),
        "it": (
            "Giro n. {round_id} «{name}» del {date} registrato: {candidates} candidati, {matched} abbinati; "
            "abbinamenti: {started} avviati, {kept} confermati, {ended} chiusi ({changed} cambiati)."
        ),
    },
    "ended": {
        "en": "{n} pairing(s) of {candidate} ended on {date} ({reason}).",
        "it": "{n} abbinamento/i di {candidate} chiusi il {date} ({reason}).",
    },
    "left": {
        "en": "{candidate} leaves the programme on {date} ({reason}).",
        "it": "{candidate} esce dal programma il {date} ({reason}).",
    },
    "next_written": {
        "en": (
            "Next round written to {path}: {candidates} candidates ({waiting} from the waiting list), "
            "{pairings} pairings in place, {forbids} pairs in cool-down."
        ),
        "it": (
            "Prossimo giro scritto in {path}: {candidates} candidati ({waiting} in attesa dai giri precedenti), "
            "{pairings} abbinamenti in corso, {forbids} coppie in attesa prima di riabbinare."
        ),
    },
    "history_title": {"en": "Path of {candidate}", "it": "Percorso di {candidate}"},
    "rounds_title": {"en": "Rounds recorded", "it": "Giri registrati"},
    "no_history": {"en": "No history for {candidate}.", "it": "Nessuno storico per {candidate}."},
    "no_rounds": {"en": "No round recorded yet.", "it": "Nessun giro ancora registrato."},
    "open_pairings": {
        "en": "{n} pairings in progress today, {waiting} people waiting, {priority} with priority.",
        "it": "{n} abbinamenti in corso oggi, {waiting} persone in attesa, {priority} con priorità.",
    },
    "db_error": {"en": "database error: {error}", "it": "errore dell'archivio: {error}"},
    "error": {"en": "error: {error}", "it": "errore: {error}"},
    "unexpected": {"en": "unexpected error: {error}", "it": "errore imprevisto: {error}"},
    "problems": {"en": "{n} problem(s) in the input", "it": "{n} problema/i nei dati"},
    # ------------------------------------------------------------------ column headers
    "col_date": {"en": "date", "it": "data"},
    "col_event": {"en": "event", "it": "evento"},
    "col_round": {"en": "round", "it": "giro"},
    "col_role": {"en": "role", "it": "ruolo"},
    "col_partner": {"en": "partner", "it": "partner"},
    "col_status": {"en": "status", "it": "esito"},
    "col_reason": {"en": "reason", "it": "motivo"},
    "col_by": {"en": "by", "it": "da"},
    "col_id": {"en": "#", "it": "n."},
    "col_name": {"en": "name", "it": "nome"},
    "col_candidates": {"en": "candidates", "it": "candidati"},
    "col_matched": {"en": "placed", "it": "abbinati"},
    "col_approved_by": {"en": "approved by", "it": "approvato da"},
    # ------------------------------------------------------------------ vocabulary shown to people
    "event_round": {"en": "round", "it": "giro"},
    "event_started": {"en": "started", "it": "inizio"},
    "event_imported": {"en": "in place before", "it": "già in corso"},
    "event_ended": {"en": "ended", "it": "fine"},
    "event_changed": {"en": "changed", "it": "cambio"},
    "event_left": {"en": "left the programme", "it": "uscita dal programma"},
    "role_site": {"en": "site", "it": "sede"},
    "role_lead_guide": {"en": "lead guide", "it": "lavoratore guida referente"},
    "role_guide": {"en": "squad", "it": "squadra"},
    "role_peer": {"en": "peer supporter", "it": "peer supporter"},
    "reason_completed": {"en": "completed", "it": "concluso"},
    "reason_hired": {"en": "hired", "it": "assunzione"},
    "reason_breakdown": {"en": "breakdown", "it": "interruzione"},
    "reason_withdrew": {"en": "withdrew", "it": "ritiro"},
    "reason_moved": {"en": "moved", "it": "trasferimento"},
    "reason_changed": {"en": "changed by a round", "it": "cambiato da un giro"},
    "reason_with_site": {"en": "ended with the placement", "it": "chiuso con l'inserimento"},
    "status_matched": {"en": "placed", "it": "abbinato"},
    "status_unmatched": {"en": "not placed", "it": "non abbinato"},
}
"""Message key → language → text with ``str.format`` fields."""

LANGUAGES = ("it", "en")


def text(key: str, lang: str = "en", /, **fields: Any) -> str:
    """The message ``key`` in ``lang`` (``"it"`` or ``"en"``), with its fields filled in.

    Parameters
    ----------
    key : str
        A key of :data:`TEXTS`.
    lang : str
        ``"it"`` or ``"en"``; an unknown language falls back to English.
    **fields
        The message's fields.

    Returns
    -------
    str
        The message.

    Examples
    --------
    >>> text("role_lead_guide", "it")
    'lavoratore guida referente'
    """
    entry = TEXTS[key]
    return entry.get(lang, entry["en"]).format(**fields)


def label(kind: str, value: object, lang: str) -> str:
    """A vocabulary value (event, role, reason, status) as people read it; unknown values as they are.

    >>> label("reason", "hired", "it"), label("reason", "other", "it"), label("role", None, "en")
    ('assunzione', 'other', '')
    >>> label("role", float("nan"), "it")  # a missing value in a pandas table
    ''
    """
    if not isinstance(value, str):
        return ""
    key = f"{kind}_{value}"
    return text(key, lang) if key in TEXTS else value
