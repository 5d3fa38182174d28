"""Who sees what: the audiences of an explanation and what is hidden from each.

``case_team`` sees everything. ``site`` sees only the site, the lead guide and the
squad, and never a feature or rule that reads a field marked sensitive in the
profile schema (:func:`matchwork.model.profiles.sensitive_fields`): those are told
as "a confidential reason". ``candidate`` sees the same, in plain words about
themself only, with no other candidate named. ``peer`` sees the peer-supporter stage.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from matchwork._validation import Audience, Lang, choice, choices
from matchwork.i18n import words
from matchwork.model.profiles import PROFILE_TYPES, sensitive_fields
from matchwork.scoring.rules import RULE_BY_CODE

__all__ = ["AUDIENCES", "N_ALTERNATIVES", "STAGES_SEEN", "check", "is_sensitive", "rule_text"]

AUDIENCES: tuple[str, ...] = choices(Audience)
STAGES_SEEN: dict[str, tuple[str, ...]] = {
    "case_team": ("site", "lead_guide", "squad", "peer"),
    "site": ("site", "lead_guide", "squad"),
    "candidate": ("site", "lead_guide", "squad", "peer"),
    "peer": ("peer",),
}
N_ALTERNATIVES = 3


def check(audience: str, lang: str) -> None:
    """Refuse an unknown audience or language, naming the choices."""
    choice("audience", audience, Audience)
    choice("lang", lang, Lang)


@functools.cache
def _sensitive() -> frozenset[str]:
    """``"table.field"`` names marked sensitive in the profile schema."""
    return frozenset(f"{table}.{f}" for table, model in PROFILE_TYPES.items() for f in sensitive_fields(model))


def is_sensitive(reads: Iterable[str]) -> bool:
    """Whether any of the ``"table.field"`` names is marked sensitive in the schema.

    >>> is_sensitive(["candidates.category"]), is_sensitive(["candidates.availability"])
    (True, False)
    """
    return any(r in _sensitive() for r in reads)


def rule_text(code: str, lang: str = "it", audience: str = "case_team") -> str:
    """One sentence saying why a rule forbids a pair, for an audience.

    >>> rule_text("commute_too_far", "en")
    'the site is farther than the longest trip the person can make'
    >>> rule_text("trainee_limit", "en", audience="site")
    'a confidential reason (ask the case team)'
    """
    check(audience, lang)
    rule = RULE_BY_CODE[code]
    if audience in ("site", "candidate") and is_sensitive(rule.reads):
        return words("explain", lang)["confidential"]
    return rule.text[lang]
