"""The data of an explanation: contributions, alternatives, stages, and the why-not answer.

Plain frozen dataclasses, JSON-ready through :func:`to_json`; their words come
from :mod:`matchwork.explain.render`.
"""

from __future__ import annotations

import dataclasses
import html
import json
from collections.abc import Iterable
from typing import Any

import pandas as pd

from matchwork.explain.render import explanation_html, explanation_text, why_not_text

__all__ = ["Alternative", "Contribution", "Explanation", "StageExplanation", "WhyNot", "to_json"]


@dataclasses.dataclass(frozen=True)
class Contribution:
    """One feature's part of a stage score: ``points = weight × value``."""

    feature: str
    label: str
    weight: float
    value: float
    points: float


@dataclasses.dataclass(frozen=True)
class Alternative:
    """An option the candidate did not get, and why.

    ``why`` is ``"rule"`` (``rules`` forbid it), ``"capacity"`` (the partner is
    full; ``price`` is what one more slot would add to the round's total score),
    ``"trade_off"`` (allowed and free, but the round's total is higher without
    it) or ``"lower_score"``.
    """

    partner_id: str
    partner_name: str
    score: float
    why: str
    rules: tuple[str, ...]
    price: float | None
    detail: str


@dataclasses.dataclass(frozen=True)
class StageExplanation:
    """One stage of a candidate's explanation (``partner_id`` None when nobody was assigned)."""

    stage: str
    partner_id: str | None
    partner_name: str | None
    score: float | None
    contributions: tuple[Contribution, ...]
    rank: int | None
    n_options: int
    alternatives: tuple[Alternative, ...]
    binding: tuple[str, ...]
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Explanation:
    """Why a candidate was paired as they were, for one audience and language.

    Render with :attr:`text` (plain text) or in Jupyter (``_repr_html_``); keep
    with :meth:`to_dict` (JSON-ready).
    """

    candidate_id: str
    candidate_name: str
    audience: str
    lang: str
    status: str
    stages: tuple[StageExplanation, ...]
    blocked: tuple[Alternative, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The explanation as plain data."""
        return dataclasses.asdict(self)

    @property
    def text(self) -> str:
        """The explanation in the audience's words."""
        return explanation_text(self)

    def _repr_html_(self) -> str:
        return explanation_html(self)

    def __str__(self) -> str:
        return self.text


@dataclasses.dataclass(frozen=True)
class WhyNot:
    """Whether a pair was possible and, if so, what forcing it costs the round.

    Attributes
    ----------
    feasible : bool
        False when rules forbid the pair (``rules`` and ``reasons`` say which).
    cost : float or None
        Total score the round loses when the pair is pinned (a full re-solve),
        0 when it is already made; None when not feasible or pins conflict.
    unplaced : int
        Candidates fewer placed at a site when it is pinned.
    cost_by_stage : dict
        ``cost`` split by stage (``site``, ``lead_guide``, ``squad``, ``peer``):
        stages are solved in turn, so a later one may gain what an earlier one loses.
    displaced : DataFrame
        ``candidate_id, stage, before, after`` for everyone else whose pairing changes.
    """

    candidate_id: str
    partner_id: str
    role: str
    feasible: bool
    rules: tuple[str, ...]
    reasons: tuple[str, ...]
    cost: float | None
    unplaced: int
    displaced: pd.DataFrame
    cost_by_stage: dict[str, float] = dataclasses.field(default_factory=dict)
    message: str = ""

    @property
    def text(self) -> str:
        """One line saying whether the pair was possible and what forcing it costs."""
        return why_not_text(self)

    def _repr_html_(self) -> str:
        return f"<div class='matchwork-why-not'>{html.escape(self.text)}</div>"


def _plain(x: Any) -> Any:
    """Dataclasses, tuples and floats as JSON-ready data (NaN as None); faster than ``dataclasses.asdict``."""
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {f.name: _plain(getattr(x, f.name)) for f in dataclasses.fields(x)}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    if isinstance(x, float) and x != x:
        return None
    return x


def to_json(explanations: Iterable[Explanation]) -> str:
    """Explanations as a JSON array (NaN written as null)."""
    # no indent: json's C encoder only runs without one (five times faster on a large round)
    return json.dumps([_plain(e) for e in explanations], ensure_ascii=False)
