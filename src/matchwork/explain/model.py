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

__all__ = ["Alternative", "Contribution", "Explanation", "Priority", "StageExplanation", "WhyNot", "to_json"]


@dataclasses.dataclass(frozen=True)
class Contribution:
    """One feature's part of a stage score: ``points = weight × value``.

    ``asked`` marks a criterion the person asked for (their most important one, a
    wished sector, a preferred gender, a lived experience): it is shown even at 0 points.
    """

    feature: str
    label: str
    weight: float
    value: float
    points: float
    asked: bool = False


@dataclasses.dataclass(frozen=True)
class Priority:
    """The criterion the person said matters most (``most_important``), in one stage.

    ``points`` it gives the pairing made, out of ``possible`` (its weight: the most it
    can give); ``best_partner_*`` is the allowed option that scores best on it, with
    its ``best_points``. Figures are None for audiences that see none.
    """

    feature: str
    label: str
    points: float | None
    possible: float | None
    best_partner_id: str | None
    best_partner_name: str | None
    best_points: float | None


@dataclasses.dataclass(frozen=True)
class Alternative:
    """An option the candidate did not get, and why.

    ``why`` is ``"rule"`` (``rules`` forbid it), ``"capacity"`` (limits the loads
    table shows full: ``limits`` names them as ``"role:partner_id"``, and ``price``
    is what one more slot would add to its stage, for the case team),
    ``"trade_off"`` (allowed and with room, but the round is better without it) or
    ``"lower_score"``.
    """

    partner_id: str
    partner_name: str
    score: float
    why: str
    rules: tuple[str, ...]
    price: float | None
    detail: str
    limits: tuple[str, ...] = ()


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
    priority: Priority | None = None
    flags: tuple[str, ...] = ()
    """Rules the policy flags rather than lets forbid (``rules.flagged``) that the pair meets: to discuss with the
    case team (seed 004's dual role of a former client). Shown to the case team only."""
    most: float = 100.0
    """The highest score the pairing could have: 100 (a lead or squad member adds the guide × position part to the
    person × guide part), but for a lead or squad member kept in place, scored on the person × guide part only."""


@dataclasses.dataclass(frozen=True)
class Explanation:
    """Why a candidate was paired as they were, for one audience and language.

    ``status`` is ``matched``, ``unmatched``, or ``not_yours`` when a site or a peer
    supporter asks about someone not paired with them (then nothing about the person
    is told). ``accommodations`` are the adjustments a host must prepare (site audience).
    Render with :attr:`text` (plain text) or in Jupyter (``_repr_html_``); keep with
    :meth:`to_dict` (JSON-ready).
    """

    candidate_id: str
    candidate_name: str
    audience: str
    lang: str
    status: str
    stages: tuple[StageExplanation, ...]
    blocked: tuple[Alternative, ...] = ()
    accommodations: tuple[str, ...] = ()

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
    """Whether a pair was possible and, if so, what forcing it costs the round, stage by stage.

    The re-solve is the round as matched plus exactly one pin on the pair. Stages are
    compared in the engine's order on the tiers each one optimised (how many people it
    serves, under ``fair`` the lowest score, then its points: scores plus continuity
    bonuses minus load costs). Because the engine is exact, the first tier that changes
    never improves; a later stage may gain what an earlier one lost.

    Attributes
    ----------
    feasible : bool
        False when rules forbid the pair (``rules`` and ``reasons`` say which; for a
        guide worker of a site the candidate cannot go to, the chain through the site)
        or when the pin cannot be honoured (``reasons`` says why). True always comes
        with a ``cost``.
    cost : float or None
        Points lost in the first stage that changes (0 when nothing changes, e.g. the
        pair is already made); None when not feasible.
    unplaced : int
        Candidates fewer placed at a site when the pair is forced (never negative).
    cost_by_stage : dict
        Points lost in each stage, in stage order (a later stage may gain: negative).
    headline : tuple or None
        ``(stage, tier, loss)``: the first tier that changes and what it loses (≥ 0).
    displaced : DataFrame
        ``candidate_id, stage, before, after`` for everyone else who loses something.
    gained : DataFrame
        The same for everyone else who gains.
    tiers_before, tiers_after : tuple
        Every stage's tiers, as :attr:`matchwork.MatchResult.tiers`, without and with the pin.
    lang : {"it", "en"}
        The language of ``reasons`` and :attr:`text`.
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
    lang: str = "it"
    current: bool = False
    headline: tuple[str, str, float] | None = None
    gained: pd.DataFrame = dataclasses.field(
        default_factory=lambda: pd.DataFrame(columns=["candidate_id", "stage", "before", "after"])
    )
    tiers_before: tuple[tuple[str, str, float], ...] = ()
    tiers_after: tuple[tuple[str, str, float], ...] = ()

    @property
    def text(self) -> str:
        """What forcing the pair would do, in words, in ``lang``."""
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
