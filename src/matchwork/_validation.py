"""Argument checks of the public API, in one place: each option's choices as a ``Literal`` type.

The same ``Literal`` types annotate the public functions (so type checkers and
editors know the choices), the :class:`~matchwork.Policy` fields (so Pydantic
rejects a bad value in a policy file) and :func:`choice` (so a bad value passed at
run time fails at the edge, with the choices named).

Examples
--------
>>> choice("lang", "it", Lang)
'it'
>>> choice("objective", "best", Objective)
Traceback (most recent call last):
...
ValueError: objective must be one of 'total', 'fair'; got 'best'
"""

from __future__ import annotations

import typing
from typing import Any, Literal, TypeVar

__all__ = ["Audience", "Backend", "Lang", "Objective", "PartnerRole", "choice", "choices"]

Objective = Literal["total", "fair"]
"""``total``: most people placed, then the highest total score; ``fair``: raise the lowest pair score first."""
Backend = Literal["auto", "highs", "networkx", "ortools"]
"""Min-cost-flow backends (:mod:`matchwork.solve.backends`); ``auto`` takes OR-Tools when installed, else HiGHS."""
Keep = Literal["always", "unless_rule", "score"]
"""``continuity.keep``: how pairings in place are treated."""
Lang = Literal["it", "en"]
"""Languages of everything matchwork says to people."""
Audience = Literal["case_team", "site", "candidate", "peer"]
"""Who reads an explanation: the case team sees everything, the others what is theirs to see."""
PartnerRole = Literal["site", "lead_guide", "guide", "tutor", "operator", "peer"]
"""The role a partner plays for a candidate: site (a position), lead guide, squad member, peer supporter."""

T = TypeVar("T")


def choices(kind: Any) -> tuple[str, ...]:
    """The values a ``Literal`` type allows, in order."""
    return tuple(typing.get_args(kind))


def choice(name: str, value: Any, kind: Any) -> Any:
    """``value`` if ``kind`` (a ``Literal`` type) allows it; else a ``ValueError`` naming the choices."""
    allowed = choices(kind)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value
