"""Explanations: why this pairing, why not that one, and what one more slot is worth.

Every number an explanation shows is read back from the score tables and the
solved stages, never recomputed another way: a pairing's contributions are
``weight × value`` of each feature and sum exactly to its stage score; the cost
of a pairing not made is the difference between two full solves; the price of a
capacity is the gain of a full solve with one more slot.

Modules: :mod:`~matchwork.explain.model` (the data), :mod:`~matchwork.explain.explain`
(explain, suggest), :mod:`~matchwork.explain.whatif` (why_not, capacity prices),
:mod:`~matchwork.explain.render` (words), :mod:`~matchwork.explain.audience` (who
sees what), :mod:`~matchwork.explain.lookup` (names and ranks).

:data:`EXPLAINER` is what the engine hands every :class:`~matchwork.MatchResult`,
so that the result's ``explain``, ``why_not``, ``suggest`` and
``capacity_prices`` answer without the result importing this package.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from matchwork.explain.audience import AUDIENCES
from matchwork.explain.explain import explain, suggest
from matchwork.explain.model import Alternative, Contribution, Explanation, Priority, StageExplanation, WhyNot, to_json
from matchwork.explain.whatif import capacity_prices, why_not

if TYPE_CHECKING:
    from matchwork.result import MatchResult

__all__ = [
    "AUDIENCES",
    "EXPLAINER",
    "Alternative",
    "Contribution",
    "Explainer",
    "Explanation",
    "Priority",
    "StageExplanation",
    "WhyNot",
    "capacity_prices",
    "explain",
    "suggest",
    "to_json",
    "why_not",
]


class Explainer:
    """The explanation layer as one object (see :class:`matchwork.result.ExplainerLike`)."""

    def explain(self, result: MatchResult, candidate_id: str, audience: str, lang: str, *, prices: bool) -> Explanation:
        return explain(result, candidate_id, audience, lang, prices=prices)

    def why_not(self, result: MatchResult, candidate_id: str, partner_id: str, role: str | None, lang: str) -> WhyNot:
        return why_not(result, candidate_id, partner_id, role, lang)

    def suggest(self, result: MatchResult, candidate_id: str, k: int, lang: str) -> pd.DataFrame:
        return suggest(result, candidate_id, k, lang)

    def capacity_prices(self, result: MatchResult, roles: Iterable[str] | None) -> pd.DataFrame:
        return capacity_prices(result, roles)


EXPLAINER = Explainer()
