"""The programme history's messages, read from the one table of texts (:mod:`matchwork.i18n`, ``programme.*``).

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

from matchwork import i18n

__all__ = ["LANGUAGES", "label", "text"]

LANGUAGES = i18n.LANGS


def text(key: str, lang: str = "en", /, **fields: Any) -> str:
    """The message ``key`` in ``lang`` (``"it"`` or ``"en"``), with its fields filled in.

    Parameters
    ----------
    key : str
        A key ``programme.<key>`` of :data:`matchwork.i18n.TEXTS`.
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
    return i18n.text(f"programme.{key}", lang if lang in i18n.LANGS else "en", **fields)


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
    return text(key, lang) if f"programme.{key}" in i18n.TEXTS else value
