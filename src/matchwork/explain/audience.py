"""Who sees what: the audiences of an explanation and what is hidden from each.

``case_team``
    Everything: every stage, points, ranks, alternatives with their limits and prices.
``site``
    A host sees only its own placed trainees: the position, the lead guide and the
    squad, each criterion's points, and the adjustments it must prepare — never an
    unmatched candidate, another company's places, or a rule or criterion that reads
    a field marked sensitive in the profile schema (told as "a confidential reason").
``candidate``
    The person reads their own pairing in the second person: their site, lead guide,
    squad and peer supporter, why each suits them, the other sites considered and
    why not — no points, and no other person's name. They see what reads their own
    data, and the lived experience a peer supporter brings (the role is to share it);
    other people's sensitive fields stay confidential.
``peer``
    A peer supporter sees only the peer stage, without points, and nothing the
    schema marks sensitive.

Examples
--------
>>> hidden("site", ["candidates.category"]), hidden("candidate", ["candidates.category"])
(True, False)
>>> hidden("candidate", ["candidates.peer_experience", "peers.lived_experience"])
False
>>> hidden("peer", ["candidates.peer_experience", "peers.lived_experience"])
True
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from matchwork._validation import Audience, Lang, choice, choices
from matchwork.i18n import TEXTS, words
from matchwork.model.profiles import PROFILE_TYPES, sensitive_fields
from matchwork.scoring.rules import RULE_BY_CODE

__all__ = [
    "AUDIENCES",
    "N_ALTERNATIVES",
    "SHOWS_POINTS",
    "STAGES_SEEN",
    "check",
    "hidden",
    "is_sensitive",
    "rule_text",
]

AUDIENCES: tuple[str, ...] = choices(Audience)
STAGES_SEEN: dict[str, tuple[str, ...]] = {
    "case_team": ("site", "lead_guide", "squad", "tutor", "operator", "peer"),
    "site": ("site", "lead_guide", "squad", "tutor", "operator"),
    "candidate": ("site", "lead_guide", "squad", "tutor", "operator", "peer"),
    "peer": ("peer",),
}
SHOWS_POINTS: dict[str, bool] = {"case_team": True, "site": True, "candidate": False, "peer": False}
N_ALTERNATIVES = 3

# what a candidate may read of another person's sensitive data: the lived experience a peer supporter shares
_SHARED_WITH_CANDIDATE = frozenset({"peers.lived_experience"})


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


def hidden(audience: str, reads: Iterable[str]) -> bool:
    """Whether a rule or criterion reading these fields is told to ``audience`` only as "confidential"."""
    secret = [r for r in reads if r in _sensitive()]
    if audience == "case_team" or not secret:
        return False
    if audience == "candidate":
        return any(not r.startswith("candidates.") and r not in _SHARED_WITH_CANDIDATE for r in secret)
    return True


def rule_text(code: str, lang: str = "it", audience: str = "case_team") -> str:
    """One sentence saying why a rule forbids a pair, for an audience (in the second person for the candidate).

    >>> rule_text("commute_too_far", "en")
    'the site is farther than the longest trip the person can make'
    >>> rule_text("commute_too_far", "en", audience="candidate")
    'the site is farther than the longest trip you can make'
    >>> rule_text("trainee_limit", "en", audience="site")
    'a confidential reason (ask the case team)'
    """
    check(audience, lang)
    rule = RULE_BY_CODE[code]
    if hidden(audience, rule.reads):
        return words("explain", lang)["confidential"]
    if audience == "candidate" and f"rule_you.{code}" in TEXTS:
        return words("rule_you", lang)[code]
    return rule.text[lang]
