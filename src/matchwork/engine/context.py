"""What every stage of the engine reads: the scored round, its capacities, the policy, shared helpers."""

from __future__ import annotations

from typing import Any

import numpy as np

from matchwork.errors import MatchError
from matchwork.scoring.rules import reason_codes
from matchwork.scoring.scorer import Scores
from matchwork.solve.backends import resolve_backend
from matchwork.solve.fairness import solve_fair
from matchwork.solve.flow import FlowResult, solve
from matchwork.solve.network import SCALE, Network

__all__ = ["SCALE", "StageContext", "by_label", "in_pairs", "ramp"]


class StageContext:
    """A scored round as the stages see it: arrays, capacities, policy, pairings in place, solver choice."""

    def __init__(self, scores: Scores):
        self.scores = scores
        self.arrays = scores.arrays
        self.cap = scores.capacities
        self.policy = scores.policy
        self.round = scores.scorer.round
        self.backend = self.policy.solver.backend
        resolve_backend(self.backend)  # fail early on a backend that is not installed
        self.fair = self.policy.solver.objective == "fair"
        self.bonus = round(self.policy.solver.continuity_bonus * SCALE)
        # a person with priority (after a breakdown) gains this on every placement option: among plans that
        # place as many people, those that place them win
        self.priority_gain = self.arrays.candidates.priority * round(self.policy.continuity.priority_bonus * SCALE)
        self.existing = self.arrays.existing

    def tiers(
        self, count: str, n: int, floor_gain: np.ndarray, value: int, *more: tuple[str, float]
    ) -> tuple[tuple[str, float], ...]:
        """The tiers a stage optimised: how many, the lowest gain (fair objective only), ``more``, the points.

        ``floor_gain`` holds the gains the fair floor reads (pinned pairs left out; 0 when
        there are none); ``value`` is the stage's integer objective, largest best (gains
        plus continuity bonuses minus load costs, in units of 1/SCALE point).
        """
        out: list[tuple[str, float]] = [(count, float(n))]
        if self.fair:
            out.append(("lowest", float(floor_gain.min()) / SCALE if len(floor_gain) else 0.0))
        out += list(more)
        out.append(("points", float(value) / SCALE))
        return tuple(out)

    def pinned(self, stage: str) -> np.ndarray:
        """Candidates with a pin in ``stage`` (site, position, lead guide, company tutor or desk operator for the
        joint stage, which place the person; peer)."""
        out = np.zeros(len(self.arrays.candidates), dtype=bool)
        for pin in self.round.pins:
            role = pin.role.value if pin.role else None
            kind = self.round.role_of(pin.partner_id)
            placing = kind in ("site", "position", "tutor", "operator") or (kind == "guide" and role != "guide")
            if stage == "joint" and placing:
                out[self.arrays.candidates.index[pin.candidate_id]] = True
            if stage == "peer" and kind == "peer":
                out[self.arrays.candidates.index[pin.candidate_id]] = True
        return out

    def solve(self, net: Network, options: np.ndarray, gain: np.ndarray) -> FlowResult:
        limit = self.policy.solver.time_limit
        if self.fair:
            return solve_fair(net, options, gain, backend=self.backend, time_limit=limit)
        return solve(net, backend=self.backend, time_limit=limit)

    def pin_error(self, stage: str, pinned: np.ndarray, has_option: np.ndarray) -> MatchError:
        """Explain pins that cannot be honoured: no allowed option, or capacities exceeded."""
        ids = self.arrays.candidates.ids
        lines = []
        for c in np.flatnonzero(pinned & ~has_option):
            codes = sorted(self.blocking_rules(int(c), stage))
            lines.append(f"{ids[c]}: every pair its pin allows is forbidden by {', '.join(codes) or 'the rules'}")
        if not lines:
            pinned_ids = ", ".join(str(ids[c]) for c in np.flatnonzero(pinned))
            lines.append(f"pins of {pinned_ids} exceed a capacity when honoured together")
        return MatchError(f"pins cannot be honoured in the {stage} stage: " + "; ".join(lines))

    def blocking_rules(self, c: int, stage: str) -> set[str]:
        tables = ("site", "guide") if stage == "joint" else ("peer",)
        codes: set[str] = set()
        for name in tables:
            row = self.scores.scorer.dense(name, candidates=np.array([c]))
            for mask in np.unique(row.reasons):
                codes.update(reason_codes(int(mask)))
        codes.discard("pinned_elsewhere_site")
        codes.discard("pinned_elsewhere_lead")
        codes.discard("pinned_elsewhere_peer")
        return codes


def in_pairs(cand: np.ndarray, partner: np.ndarray, existing: dict[int, Any], n_partners: int) -> np.ndarray:
    """Whether each ``(cand[i], partner[i])`` is among the pairings in place (one partner or a set per candidate)."""
    keys = [
        c * n_partners + p
        for c, ps in existing.items()
        for p in (ps if isinstance(ps, set | frozenset | list | tuple) else (ps,))
    ]
    return np.isin(cand.astype(np.int64) * n_partners + partner, np.array(keys, dtype=np.int64))


def ramp(counts: np.ndarray) -> np.ndarray:
    """``0, 1, …, n-1`` for each ``n`` of ``counts``, concatenated.

    >>> ramp(np.array([2, 0, 3])).tolist()
    [0, 1, 0, 1, 2]
    """
    counts = np.asarray(counts, dtype=np.int64)
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)


def by_label(label: np.ndarray) -> list[np.ndarray]:
    """The positions of each distinct label, labels in increasing order.

    >>> [x.tolist() for x in by_label(np.array([1, 0, 1, 2]))]
    [[1], [0, 2], [3]]
    """
    order = np.argsort(label, kind="stable")
    return np.split(order, np.flatnonzero(np.diff(label[order])) + 1) if len(label) else []
