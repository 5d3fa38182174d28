"""Scores: the policy's weighted features and the hard rules, per stage, every number kept.

:func:`score` turns a :class:`~matchwork.Round` into :class:`ScoreTable` s —
``site`` (candidate × position), ``guide`` (candidate × guide worker, for the lead
and the squad), ``peer`` (candidate × peer supporter), ``tutor`` (candidate ×
company tutor), ``operator`` (candidate × job-desk operator) — and one table that
is not about the candidate: ``guide_position`` (guide worker × position of their
own site: is the guide on the position's shifts, skilled in its work?). A table
keeps, for every pair it holds, the reason mask of the hard rules (and the flags
of the rules the policy only flags), each feature's value and the weighted total:
so every score can later be explained exactly, contribution by contribution.

Weights are relative; each candidate's are scaled to sum to 100 after their own
"most important" criterion is multiplied by the policy's boost, so a stage score is
on a 0-100 scale and the contributions ``weight × value`` add up to it. The guide
stage's score of a lead or squad member at a position is the candidate × guide
total plus the guide × position total: the guide × position features get the
share of 100 their policy weights give them (the same for every candidate: they
do not measure the person, so a person's priority does not boost them), and the
candidate × guide features share the rest, with the person's priority boosted.

Small rounds are scored densely (every pair). Large rounds never build a dense
candidates × partners matrix: positions are found within each candidate's
commute radius with a KD-tree (``scipy.spatial.cKDTree``), guide workers through
the sites of those positions, peer supporters through the areas they serve; only
feasible pairs are kept, and the best ``top_k`` per candidate.

Examples
--------
>>> import matchwork as mw
>>> scores = mw.score(mw.synth.round(60, seed=1))
>>> table = scores.site
>>> table.stage, table.dense, len(table) == 60 * len(scores.arrays.positions)
('site', True, True)
>>> i = int(table.feasible().argmax())
>>> bool(abs(table.contributions(i).sum() - table.total[i]) < 1e-9)
True
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from matchwork.errors import PolicyValidationError, Problem, RoundValidationError
from matchwork.model.policy import STAGES, Policy
from matchwork.model.round import Round
from matchwork.scoring.arrays import Columns, Gathered, ProfileArrays, km_to_chord
from matchwork.scoring.capacity import Capacities
from matchwork.scoring.features import BUILTIN, Feature, FeatureRegistry
from matchwork.scoring.rules import (
    BELOW_MIN_SCORE,
    MASK,
    ROLES_OF_STAGE,
    RULE_BY_CODE,
    RuleContext,
    Team,
    reason_codes,
    role_mask,
    rules_for,
    team_therapeutic,
)

__all__ = ["TABLE_STAGES", "ScoreTable", "Scorer", "Scores", "concat_tables", "score"]

_BLOCK_PAIRS = 1_000_000
_DENSE_BLOCK_PAIRS = 1_000_000

TABLE_STAGES: tuple[str, ...] = ("site", "guide", "peer", "tutor", "operator")
"""The candidate × partner tables; ``guide_position`` is the guide × position table beside them."""


@dataclasses.dataclass(frozen=True)
class ScoreTable:
    """The scored pairs of one stage.

    Pairs are sorted by candidate, then partner. ``reasons[i] == 0`` means no hard
    rule forbids pair ``i`` in any role of the stage; use :meth:`feasible` for one role.

    The ``guide_position`` table has the same shape with guide workers as its rows
    and positions of their site as its partners (``candidate_ids`` are then guide ids).

    Attributes
    ----------
    stage : str
        ``"site"``, ``"guide"``, ``"peer"``, ``"tutor"``, ``"operator"`` or ``"guide_position"``.
    candidate_ids, partner_ids : arrays of str
        The index spaces of ``rows`` and ``cols``: every candidate and partner of the round.
    rows, cols : int arrays
        Candidate and partner index of each pair.
    reasons : uint64 array
        Bit mask of the rules that forbid each pair (:func:`~matchwork.rules.reason_codes`).
    flags : uint64 array
        Bit mask of the rules the policy flags rather than lets forbid (``rules.flagged``):
        the pair is allowed, and the case team should discuss it.
    values : dict of float32 arrays
        Each feature's value in [0, 1] for each pair.
    weights : float64 array (candidates × features)
        Each candidate's effective weights: summing to 100, or, in the guide stage, to
        100 less the guide × position features' weights.
    feature_names : tuple of str
        Column order of ``weights`` and the order contributions are summed in.
    total : float64 array
        The stage score of each pair, 0-100: the sum of its contributions.
    dense : bool
        True when every pair is present (feasible or not); False when only the
        feasible pairs worth keeping are.
    """

    stage: str
    candidate_ids: np.ndarray
    partner_ids: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    reasons: np.ndarray
    values: dict[str, np.ndarray]
    weights: np.ndarray
    feature_names: tuple[str, ...]
    total: np.ndarray
    dense: bool
    flags: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.flags is None:
            object.__setattr__(self, "flags", np.zeros(len(self.rows), dtype=MASK))

    def __len__(self) -> int:
        return len(self.rows)

    def feasible(self, role: str | None = None, pairs: np.ndarray | slice | None = None) -> np.ndarray:
        """Whether each pair (or each of ``pairs``) is allowed in ``role`` (default: in every role of the stage)."""
        reasons = self.reasons if pairs is None else self.reasons[pairs]
        if role is None:
            return reasons == 0
        return (reasons & MASK(role_mask(role))) == 0

    def feasible_in_any_role(self) -> np.ndarray:
        """Whether each pair is allowed in at least one role of the stage (lead or squad, say)."""
        out = np.zeros(len(self), dtype=bool)
        for role in ROLES_OF_STAGE[self.stage]:
            out |= self.feasible(role)
        return out

    def contributions(self, pair: int | np.ndarray) -> np.ndarray:
        """Points each feature gives the pair(s): ``weight × value``; they sum to ``total``."""
        idx = np.atleast_1d(pair)
        w = self.weights[self.rows[idx]]
        if not self.feature_names:  # a table of rules only (tutors, operators by default)
            return np.zeros((len(idx), 0))[0] if np.ndim(pair) == 0 else np.zeros((len(idx), 0))
        x = np.stack([self.values[f][idx].astype(np.float64) for f in self.feature_names], axis=-1)
        out = w * x
        return out[0] if np.ndim(pair) == 0 else out

    def find(self, candidate: int | np.ndarray, partner: int | np.ndarray) -> np.ndarray:
        """Pair index of ``(candidate, partner)`` index pairs, or -1 where the table lacks them."""
        keys = self._keys
        wanted = np.asarray(candidate, dtype=np.int64) * len(self.partner_ids) + np.asarray(partner)
        pos = np.searchsorted(keys, wanted)
        pos_c = np.minimum(pos, max(len(keys) - 1, 0))
        hit = (pos < len(keys)) & (keys[pos_c] == wanted) if len(keys) else np.zeros(np.shape(wanted), bool)
        return np.where(hit, pos_c, -1)

    @functools.cached_property
    def _keys(self) -> np.ndarray:
        return self.rows.astype(np.int64) * len(self.partner_ids) + self.cols

    def best_by(self, feature: str, role: str | None = None) -> np.ndarray:
        """For each candidate, the allowed pair with the highest value of ``feature``; -1 if none.

        Ties go to the higher total, then to partner order (by id). This is the best
        option a person could have had for the criterion they named most important.
        """
        out = np.full(len(self.candidate_ids), -1, dtype=np.int64)
        ok = np.flatnonzero(self.feasible_in_any_role() if role is None else self.feasible(role))
        if not len(ok) or feature not in self.values:
            return out
        order = ok[np.lexsort((self.cols[ok], -self.total[ok], -self.values[feature][ok], self.rows[ok]))]
        first = np.r_[True, self.rows[order][1:] != self.rows[order][:-1]]
        out[self.rows[order][first]] = order[first]
        return out

    def of_candidate(self, candidate: int) -> slice:
        """The slice of pairs of one candidate (by index)."""
        # searching with the rows' own dtype: a mismatch would convert the whole array on every call
        lo, hi = np.searchsorted(self.rows, np.array([candidate, candidate + 1], dtype=self.rows.dtype))
        return slice(int(lo), int(hi))

    def take(self, keep: np.ndarray | slice) -> ScoreTable:
        """A table with only the pairs selected by a boolean mask, an index array or a slice."""
        return dataclasses.replace(
            self,
            rows=self.rows[keep],
            cols=self.cols[keep],
            reasons=self.reasons[keep],
            flags=self.flags[keep] if self.flags is not None else None,
            values={k: v[keep] for k, v in self.values.items()},
            total=self.total[keep],
            dense=False,
        )

    def top(self, k: int, role: str | None = None) -> ScoreTable:
        """The ``k`` best feasible pairs of each candidate (ties: partner order, i.e. by id)."""
        ok = np.flatnonzero(self.feasible(role))  # already in (row, col) order: a stable sort keeps cols as tie-break
        order = ok[np.lexsort((-self.total[ok], self.rows[ok]))]
        rank = _rank_within(self.rows[order])
        chosen = np.sort(order[rank < k])
        return self.take(chosen)

    def to_frame(self, *, contributions: bool = True) -> pd.DataFrame:
        """The table as a DataFrame: ids, score, feasibility, reason codes, feature values and points."""
        data: dict[str, Any] = {
            "candidate_id": self.candidate_ids[self.rows],
            "partner_id": self.partner_ids[self.cols],
            "score": self.total,
            "feasible": self.reasons == 0,
            "reasons": [reason_codes(int(m)) for m in self.reasons],
            "flags": [reason_codes(int(m)) for m in self.flags] if self.flags is not None else [()] * len(self),
        }
        for f in self.feature_names:
            data[f] = self.values[f]
        if contributions and len(self):
            points = self.contributions(np.arange(len(self)))
            for j, f in enumerate(self.feature_names):
                data[f"{f}_points"] = points[:, j]
        return pd.DataFrame(data)


@dataclasses.dataclass(frozen=True)
class _Block:
    """The arrays a block of pairs is scored into: reason and flag masks, totals and feature values."""

    reasons: np.ndarray
    flags: np.ndarray
    total: np.ndarray
    values: dict[str, np.ndarray]

    def slice(self, start: int, n_rows: int, n_cols: int) -> _Block:
        """Views of ``n_rows × n_cols`` pairs from ``start``, shaped as the block."""

        def view(x: np.ndarray) -> np.ndarray:
            return x[start : start + n_rows * n_cols].reshape(n_rows, n_cols)

        return _Block(
            view(self.reasons), view(self.flags), view(self.total), {k: view(v) for k, v in self.values.items()}
        )


def concat_tables(tables: list[ScoreTable]) -> ScoreTable:
    """Score tables of one stage, of disjoint pairs, as one: their pairs in the order given.

    The result is sorted (as :meth:`ScoreTable.find` and ``of_candidate`` need) only
    when the tables are given in the order of their candidates.
    """
    first = tables[0]
    if len(tables) == 1:
        return first
    return dataclasses.replace(
        first,
        rows=np.concatenate([t.rows for t in tables]),
        cols=np.concatenate([t.cols for t in tables]),
        reasons=np.concatenate([t.reasons for t in tables]),
        flags=np.concatenate([t.flags if t.flags is not None else np.zeros(len(t.rows), MASK) for t in tables]),
        values={f: np.concatenate([t.values[f] for t in tables]) for f in first.feature_names},
        total=np.concatenate([t.total for t in tables]),
        dense=False,
    )


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2… within each run of equal values of a grouped array."""
    if len(groups) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    counts = np.diff(np.r_[starts, len(groups)])
    return np.arange(len(groups)) - np.repeat(starts, counts)


@dataclasses.dataclass(frozen=True)
class Scores:
    """The score tables of a round and what they were computed from.

    ``site``, ``guide`` and ``peer`` are the three stages' tables; ``tutor`` and
    ``operator`` the company tutors' and job-desk operators' (rules only, no
    features by default); ``guide_position`` the guide worker × position table
    whose totals add to a guide's score at that position and whose rules decide who
    may lead there.
    """

    site: ScoreTable
    guide: ScoreTable
    peer: ScoreTable
    scorer: Scorer
    tutor: ScoreTable | None = None
    operator: ScoreTable | None = None
    guide_position: ScoreTable | None = None

    @property
    def arrays(self) -> ProfileArrays:
        return self.scorer.arrays

    @property
    def capacities(self) -> Capacities:
        return self.scorer.capacities

    @property
    def policy(self) -> Policy:
        return self.scorer.policy

    def __getitem__(self, stage: str) -> ScoreTable:
        tables = {
            "site": self.site,
            "guide": self.guide,
            "peer": self.peer,
            "tutor": self.tutor,
            "operator": self.operator,
            "guide_position": self.guide_position,
        }
        table = tables[stage]
        if table is None:
            raise KeyError(f"the {stage} table was not computed")
        return table

    def with_team(self, team: Team) -> Scores:
        """These scores with the peer table checked against each candidate's team (``team_therapeutic``)."""
        return dataclasses.replace(self, peer=self.scorer.with_team(self.peer, team))


class Scorer:
    """Scores pairs of a round under a policy; the engine behind :func:`score`.

    Parameters
    ----------
    rnd : Round
    policy : Policy, optional
        Defaults to :meth:`Policy.default`.
    features : iterable of Feature, optional
        Extra features (beyond the registry) that the policy's weights may name.
    capacities : Capacities, optional
        Capacities to score against instead of those the round and policy give
        (what-if questions: one more slot at a site).
    """

    def __init__(
        self,
        rnd: Round,
        policy: Policy | None = None,
        *,
        features: Iterable[Feature] = (),
        capacities: Capacities | None = None,
    ):
        self.round = rnd
        self.policy = policy or Policy.default()
        self.arrays = ProfileArrays(rnd)
        self.capacities = capacities if capacities is not None else Capacities.compute(self.arrays, self.policy)
        self.context = RuleContext(self.arrays, self.capacities, self.policy)
        self.features = self._features(BUILTIN.add(*features))
        self.position_weights = self._position_weights()
        self.weights = {stage: self._weights(stage) for stage in TABLE_STAGES}
        self.rules = {stage: rules_for(stage, self.policy) for stage in (*TABLE_STAGES, "guide_position")}

    # ------------------------------------------------------------ set-up

    def _features(self, registry: FeatureRegistry) -> dict[str, list[Feature]]:
        problems = []
        out: dict[str, list[Feature]] = {}
        for stage in STAGES:
            out[stage] = []
            for name, weight in self.policy.weights[stage].items():
                if (stage, name) not in registry:
                    known = sorted(n for s, n in registry if s == stage)
                    expected = f"a feature of the {stage} stage: {', '.join(known)}"
                    problems.append(Problem("policy", f"weights.{stage}.{name}", expected))
                elif weight > 0:
                    out[stage].append(registry[(stage, name)])
        for key in ("disabled", "flagged"):
            unknown_rules = sorted(set(getattr(self.policy.rules, key)) - set(RULE_BY_CODE))
            problems += [
                Problem("policy", f"rules.{key}", f"a rule code: {', '.join(RULE_BY_CODE)}", value=code)
                for code in unknown_rules
            ]
        if problems:
            raise PolicyValidationError(problems)
        out["tutor"], out["operator"] = [], []
        return out

    def candidate_features(self, stage: str) -> list[Feature]:
        """The features of a stage valued against the candidate (those of its candidate × partner table)."""
        return [f for f in self.features.get(stage, []) if f.on == "candidate"]

    @property
    def person_guide_most(self) -> float:
        """The most a person × guide pair can score: 100 less the guide × position features' share.

        A lead or squad member's score adds the guide × position part (up to that share) to it;
        a pairing in place whose position is not known is scored on this part alone.
        """
        return 100.0 - float(self._position_weights().sum())

    def _position_weights(self) -> np.ndarray:
        """The guide × position features' weights: their share of 100 in the guide stage, the same for everyone."""
        feats = self.features["guide"]
        total = sum(self.policy.weights["guide"][f.name] for f in feats)
        return np.array(
            [100.0 * self.policy.weights["guide"][f.name] / total for f in feats if f.on == "position"],
            dtype=np.float64,
        )

    def _weights(self, stage: str) -> np.ndarray:
        """Each candidate's effective weights for the stage's candidate features (candidates × features).

        Rows sum to 100, less the guide × position features' share in the guide stage.
        """
        feats = self.candidate_features(stage)
        if not feats:
            return np.zeros((len(self.arrays.candidates), 0), dtype=np.float64)
        budget = 100.0 - float(self.position_weights.sum()) if stage == "guide" else 100.0
        base = np.array([self.policy.weights[stage][f.name] for f in feats], dtype=np.float64)
        wish = self.arrays.candidates.most_important
        known = {n for s in STAGES for n in self.policy.weights[s]}
        bad = [i for i, w in enumerate(wish) if w and w not in known]
        if bad:
            ids = self.arrays.candidates.ids
            raise RoundValidationError(
                [
                    Problem(
                        "candidates",
                        "most_important",
                        f"a feature the policy weighs: {', '.join(sorted(known))}",
                        value=str(wish[i]),
                        row=i,
                        record_id=str(ids[i]),
                    )
                    for i in bad
                ]
            )
        w = np.tile(base, (len(wish), 1))
        boost = self.policy.scoring.most_important_boost
        for j, f in enumerate(feats):
            w[wish == f.name, j] *= boost
        total = w.sum(axis=1, keepdims=True)
        return np.divide(w * budget, total, out=np.zeros_like(w), where=total > 0)

    def partners(self, stage: str) -> Columns:
        """The partner columns of a stage."""
        a = self.arrays
        return {
            "site": a.positions,
            "guide": a.guides,
            "peer": a.peers,
            "tutor": a.tutors,
            "operator": a.operators,
            "guide_position": a.positions,
        }[stage]

    # ------------------------------------------------------------ evaluation

    def evaluate(
        self, stage: str, rows: np.ndarray, cols: np.ndarray
    ) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
        """Reasons, feature values and totals for pairs ``(rows, cols)`` — any broadcastable shapes.

        ``rows`` of shape ``(n, 1)`` and ``cols`` of shape ``(1, m)`` score a dense block;
        two ``(P,)`` arrays score a list of pairs.
        """
        return self._evaluate(stage, rows, cols)[:3]

    def _evaluate(
        self,
        stage: str,
        rows: np.ndarray,
        cols: np.ndarray,
        out: _Block | None = None,
        partners: Gathered | None = None,
    ) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """Reasons, values, totals and flags of pairs (see :meth:`evaluate`).

        With ``out`` (zeroed reasons, flags and totals and value arrays, each of the
        block's shape), the block is written there: a dense table's slices, so that its
        blocks need no concatenation. ``partners``: the partners' view at ``cols``, when
        blocks share it (every partner of a dense table, gathered once).
        """
        on_position = stage == "guide_position"
        c = (self.arrays.guides if on_position else self.arrays.candidates).gather(rows)
        p = self.partners(stage).gather(cols) if partners is None else partners
        shape = np.broadcast_shapes(np.shape(rows), np.shape(cols))
        if out is None:
            reasons, flags, total = np.zeros(shape, dtype=MASK), np.zeros(shape, dtype=MASK), np.zeros(shape)
            values: dict[str, np.ndarray] = {}
        else:
            reasons, flags, total, values = out.reasons, out.flags, out.total, out.values
        self._rules_into(stage, c, p, shape, reasons, flags)
        if on_position:
            feats = [f for f in self.features["guide"] if f.on == "position"]
            weights = np.broadcast_to(self.position_weights, (*shape, len(feats)))
        else:
            feats = self.candidate_features(stage)
            weights = self.weights[stage][rows]  # rows.shape + (features,), broadcasting against the pairs
        points = np.empty(shape) if feats else total
        for j, f in enumerate(feats):
            v = np.asarray(f.compute(c, p), dtype=np.float32)
            if v.size and not (v.min() >= 0 and v.max() <= 1):  # NaN fails both
                raise ValueError(f"feature {f.stage}.{f.name} returned values outside [0, 1]")
            if out is None:
                values[f.name] = np.broadcast_to(v, shape)
            else:
                values[f.name][...] = v
            np.multiply(weights[..., j], v, out=points)  # float64: the weight times the float32 value, exactly
            total += points
        floor = 0.0 if on_position else self.policy.scoring.min_score.get(stage, 0.0)
        if floor > 0:
            # a guide's score at a position adds the guide × position total: the pair is below the
            # floor only if it stays below with the best position the guide could work at
            reach = total + self._best_position_total[cols] if stage == "guide" else total
            np.bitwise_or(reasons, MASK(BELOW_MIN_SCORE.mask), out=reasons, where=reach < floor - 1e-9)
        return reasons, values, total, flags

    def _rules_into(
        self, stage: str, c: Any, p: Any, shape: tuple[int, ...], reasons: np.ndarray, flags: np.ndarray
    ) -> None:
        """OR each rule's bit into ``reasons`` (or ``flags``, for a rule the policy flags) where it hits.

        The hits are gathered as one small local bit per rule (uint16: a quarter of the
        memory traffic of the uint64 masks), then turned into both masks by table lookup.
        """
        rules = self.rules[stage]
        luts = self._mask_tables(stage)
        if luts is None:  # more rules than local bits
            flagged = self.policy.rules.flagged
            for rule in rules:
                hit = rule.test(c, p, self.context)
                if np.any(hit):
                    into = flags if rule.code in flagged else reasons
                    np.bitwise_or(into, MASK(rule.mask), out=into, where=np.broadcast_to(hit, shape))
            return
        local: np.ndarray | None = None
        for k, rule in enumerate(rules):
            hit = rule.test(c, p, self.context)
            if np.any(hit):
                if local is None:
                    local = np.zeros(shape, dtype=np.uint16)
                np.bitwise_or(local, np.uint16(1 << k), out=local, where=np.broadcast_to(hit, shape))
        if local is not None:
            to_reasons, to_flags = luts
            np.take(to_reasons, local, out=reasons, mode="clip")
            if to_flags is not None:
                np.take(to_flags, local, out=flags, mode="clip")

    def _mask_tables(self, stage: str) -> tuple[np.ndarray, np.ndarray | None] | None:
        """For every combination of a stage's rules (a local bit each): its reason mask and its flag mask."""
        cache = self.__dict__.setdefault("_luts", {})
        if stage not in cache:
            rules = self.rules[stage]
            if len(rules) > 16:
                cache[stage] = None
            else:
                combo = np.arange(1 << len(rules), dtype=np.int64)
                to_reasons = np.zeros(len(combo), dtype=MASK)
                to_flags = np.zeros(len(combo), dtype=MASK)
                for k, rule in enumerate(rules):
                    into = to_flags if rule.code in self.policy.rules.flagged else to_reasons
                    into[(combo >> k) & 1 == 1] |= MASK(rule.mask)
                cache[stage] = (to_reasons, to_flags if to_flags.any() else None)
        return cache[stage]

    @functools.cached_property
    def _best_position_total(self) -> np.ndarray:
        """Each guide's highest guide × position total over the positions of their site (lead or squad)."""
        gp = self.guide_position_table()
        best = np.zeros(len(self.arrays.guides), dtype=np.float64)
        np.maximum.at(best, gp.rows, gp.total)
        return best

    def _feature_names(self, stage: str) -> tuple[tuple[str, ...], np.ndarray]:
        """A table's feature names and its weights (rows × features)."""
        if stage == "guide_position":
            feats = tuple(f.name for f in self.features["guide"] if f.on == "position")
            return feats, np.broadcast_to(self.position_weights, (len(self.arrays.guides), len(feats)))
        return tuple(f.name for f in self.candidate_features(stage)), self.weights[stage]

    def _table(self, stage: str, rows: np.ndarray, cols: np.ndarray, dense: bool, parts: list[Any]) -> ScoreTable:
        feats, _ = self._feature_names(stage)
        if parts:
            reasons = np.concatenate([p[0] for p in parts])
            values = {f: np.concatenate([p[1][f] for p in parts]) for f in feats}
            total = np.concatenate([p[2] for p in parts])
            flags = np.concatenate([p[3] for p in parts])
        else:
            reasons, values, total = np.zeros(0, MASK), {f: np.zeros(0, np.float32) for f in feats}, np.zeros(0)
            flags = np.zeros(0, MASK)
        return self._new_table(stage, rows, cols, dense, _Block(reasons, flags, total, values))

    def _new_table(self, stage: str, rows: np.ndarray, cols: np.ndarray, dense: bool, block: _Block) -> ScoreTable:
        feats, weights = self._feature_names(stage)
        return ScoreTable(
            stage=stage,
            candidate_ids=(self.arrays.guides if stage == "guide_position" else self.arrays.candidates).ids,
            partner_ids=self.partners(stage).ids,
            rows=rows.astype(np.int32, copy=False),
            cols=cols.astype(np.int32, copy=False),
            reasons=block.reasons,
            values=block.values,
            weights=weights,
            feature_names=feats,
            total=block.total,
            dense=dense,
            flags=block.flags,
        )

    def dense(
        self, stage: str, candidates: np.ndarray | None = None, *, executor: Executor | None = None
    ) -> ScoreTable:
        """Every pair of the stage (of the given candidates), feasible or not.

        Scored in blocks of about a million pairs, each written straight into the
        table. ``executor`` scores the blocks in parallel (a thread pool shares the
        table; any other executor returns each block to be copied in).
        """
        n_part = len(self.partners(stage))
        cand = np.arange(len(self.arrays.candidates)) if candidates is None else np.asarray(candidates)
        n = len(cand) * n_part
        feats, _ = self._feature_names(stage)
        table = _Block(
            np.zeros(n, dtype=MASK),
            np.zeros(n, dtype=MASK),
            np.zeros(n),
            {f: np.empty(n, dtype=np.float32) for f in feats},
        )
        step = max(1, _DENSE_BLOCK_PAIRS // max(n_part, 1))
        starts = range(0, len(cand), step)
        cols = np.arange(n_part)[None, :]
        every = self.partners(stage).gather(cols)  # gathered once for all the blocks

        def into(lo: int) -> None:
            block = cand[lo : lo + step]
            self._evaluate(stage, block[:, None], cols, table.slice(lo * n_part, len(block), n_part), every)

        if executor is None or len(starts) < 2:
            for lo in starts:
                into(lo)
        elif isinstance(executor, ThreadPoolExecutor):
            list(executor.map(into, starts))
        else:
            blocks = [(stage, cand[lo : lo + step][:, None], cols) for lo in starts]
            for lo, (r, v, t, f) in zip(starts, executor.map(self._evaluate_block, blocks), strict=True):
                part = table.slice(lo * n_part, min(step, len(cand) - lo), n_part)
                part.reasons[...], part.flags[...], part.total[...] = r, f, t
                for name, x in v.items():
                    part.values[name][...] = x
        rows = np.repeat(cand.astype(np.int32), n_part)
        cols_ = np.tile(np.arange(n_part, dtype=np.int32), len(cand))
        return self._new_table(stage, rows, cols_, candidates is None, table)

    def pairs(
        self,
        stage: str,
        rows: np.ndarray,
        cols: np.ndarray,
        *,
        executor: Executor | None = None,
        top_k: int | None = None,
    ) -> ScoreTable:
        """Score the given pairs, keeping only feasible ones (and the ``top_k`` best of each candidate).

        Pairs are scored in blocks that never split a candidate, and each block is
        pruned as soon as it is scored, so memory holds one block and what is kept —
        not every pair within reach (several GiB on a national round).
        """
        key = rows.astype(np.int64) * len(self.partners(stage)) + cols
        if len(key) > 1 and not np.all(key[1:] >= key[:-1]):  # one int64 key sorts faster than lexsort's two
            order = np.argsort(key, kind="stable")
            rows, cols = rows[order], cols[order]
        starts = np.unique(np.searchsorted(rows, rows[::_BLOCK_PAIRS], side="left")) if len(rows) else np.zeros(1, int)
        bounds = [*starts.tolist(), len(rows)]
        blocks = [(stage, rows[lo:hi], cols[lo:hi]) for lo, hi in itertools.pairwise(bounds)]
        mapper = executor.map if executor is not None else map
        kept = []
        for (_, r, c), part in zip(blocks, mapper(self._evaluate_block, blocks), strict=True):
            table = self._table(stage, r, c, dense=False, parts=[part])
            table = table.take(table.feasible_in_any_role())
            kept.append(table.top(top_k) if top_k is not None else table)
        return concat_tables(kept) if kept else self._table(stage, rows[:0], cols[:0], dense=False, parts=[])

    def cells(self, stage: str, rows: np.ndarray, cols: np.ndarray) -> ScoreTable:
        """Exactly the pairs ``(rows, cols)``, feasible or not, sorted by candidate then partner.

        For a few pairs wherever they are (the pairings in place of a round), where
        :meth:`dense` would score the candidates' whole rows and :meth:`pairs` drop
        the pairs a rule forbids.

        Examples
        --------
        >>> import numpy as np, matchwork as mw
        >>> scorer = Scorer(mw.synth.round(30, seed=0), mw.Policy.default())
        >>> table = scorer.cells("site", np.array([3, 0]), np.array([1, 2]))
        >>> table.rows.tolist(), table.cols.tolist()
        ([0, 3], [2, 1])
        >>> bool(np.isclose(table.total[1], scorer.dense("site").total[3 * len(table.partner_ids) + 1]))
        True
        """
        key = np.asarray(rows, dtype=np.int64) * len(self.partners(stage)) + np.asarray(cols)
        key = np.unique(key)
        rows, cols = np.divmod(key, len(self.partners(stage)))
        return self._table(stage, rows, cols, dense=False, parts=[self._evaluate(stage, rows, cols)])

    def _evaluate_block(self, block: tuple[str, np.ndarray, np.ndarray]) -> tuple[Any, ...]:
        return self._evaluate(*block)

    # ------------------------------------------------------------ sparse candidate pairs

    def site_pairs(self, candidates: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Candidate × position pairs within each candidate's commute radius (KD-tree)."""
        cand, pos = self.arrays.candidates, self.arrays.positions
        idx = np.arange(len(cand)) if candidates is None else np.asarray(candidates)
        if not len(idx) or not len(pos):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        tree = cKDTree(pos.xyz)
        radius = km_to_chord(cand.max_commute[idx]) * (1 + 1e-9)
        rows, cols = [], []
        step = 20_000
        for lo in range(0, len(idx), step):
            block = idx[lo : lo + step]
            found = cKDTree(cand.xyz[block]).sparse_distance_matrix(
                tree, max_distance=float(radius[lo : lo + step].max()), output_type="ndarray"
            )
            near = found["v"] <= radius[lo : lo + step][found["i"]]
            rows.append(block[found["i"][near]])
            cols.append(found["j"][near])
        return np.concatenate(rows).astype(np.int64), np.concatenate(cols).astype(np.int64)

    def guide_pairs(self, site_rows: np.ndarray, site_cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Candidate × guide pairs at the sites of the given candidate × position pairs."""
        guides = self.arrays.guides
        sites = self.arrays.positions.site[site_cols]
        cs = np.unique(site_rows.astype(np.int64) * len(self.arrays.sites) + sites)
        c, s = np.divmod(cs, len(self.arrays.sites))
        return _join(c, s, guides.site, len(self.arrays.sites))

    def tutor_pairs(self, site_rows: np.ndarray, site_cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Candidate × company tutor pairs at the sites of the given candidate × position pairs."""
        n_sites = len(self.arrays.sites)
        cs = np.unique(site_rows.astype(np.int64) * n_sites + self.arrays.positions.site[site_cols])
        c, s = np.divmod(cs, n_sites)
        return _join(c, s, self.arrays.tutors.site.astype(np.int64), n_sites)

    def operator_pairs(self, candidates: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Candidates × the job-desk operators serving their area."""
        cand = self.arrays.candidates
        idx = np.arange(len(cand)) if candidates is None else np.asarray(candidates)
        served = [(self.arrays.areas.index[a], o) for o, op in enumerate(self.round.operators) for a in op.areas_served]
        if not served or not len(idx):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        area, op = np.array(served, dtype=np.int64).T
        r, k = _join(idx, cand.area_idx[idx].astype(np.int64), area, len(self.arrays.areas))
        return r, op[k]

    def guide_position_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every guide worker × each position of their site.

        A guide who names a position leads only in that position's team (rule
        ``lead_outside_team``); as a squad member they follow the person at any
        position of the site, and are scored on it.
        """
        g, pos, n_sites = self.arrays.guides, self.arrays.positions, len(self.arrays.sites)
        every = np.arange(len(g), dtype=np.int64)
        rows, cols = _join(every, g.site.astype(np.int64), pos.site.astype(np.int64), n_sites)
        order = np.lexsort((cols, rows))
        return rows[order], cols[order]

    def guide_position_table(self) -> ScoreTable:
        """The guide worker × position table: every guide against every position of their site, allowed or not."""
        cached = self.__dict__.get("_gp_table")
        if cached is None:
            rows, cols = self.guide_position_pairs()
            part = self._evaluate("guide_position", rows, cols)
            cached = self.__dict__["_gp_table"] = self._table("guide_position", rows, cols, True, [part])
        return cached

    def with_team(self, table: ScoreTable, team: Team) -> ScoreTable:
        """A peer table whose pairs are also checked against each candidate's team (``team_therapeutic``).

        The engine calls this once the lead, squad, tutor and operator are chosen;
        a pair whose peer supporter is in a therapeutic relationship with one of
        them is forbidden (or flagged, if the policy flags the rule).
        """
        rule = RULE_BY_CODE["team_therapeutic"]
        if rule.code in self.policy.rules.disabled or not len(table):
            return table
        hit = team_therapeutic(self.context, team, table.rows, table.cols)
        bit = np.where(hit, MASK(rule.mask), MASK(0))
        if rule.code in self.policy.rules.flagged:
            return dataclasses.replace(table, flags=table.flags | bit)
        return dataclasses.replace(table, reasons=table.reasons | bit)

    def peer_pairs(self, candidates: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Candidates who want a peer × the peer supporters serving their area."""
        cand = self.arrays.candidates
        idx = np.flatnonzero(cand.wants_peer) if candidates is None else np.asarray(candidates)
        served = [(self.arrays.areas.index[a], p) for p, peer in enumerate(self.round.peers) for a in peer.areas_served]
        if not served or not len(idx):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        area, peer = np.array(served, dtype=np.int64).T
        r, k = _join(idx, cand.area_idx[idx].astype(np.int64), area, len(self.arrays.areas))
        return r, peer[k]

    # ------------------------------------------------------------ tables

    def table(
        self, stage: str, *, dense: bool | None = None, executor: Executor | None = None, site: ScoreTable | None = None
    ) -> ScoreTable:
        """The score table of a stage: dense on small rounds, sparse and pruned on large ones.

        For the sparse guide stage, ``site`` is the (pruned) site table whose sites bound it.
        """
        n_pairs = len(self.arrays.candidates) * len(self.partners(stage))
        if dense is None:
            dense = n_pairs <= self.policy.scoring.dense_max_pairs
        if dense:
            return self.dense(stage, executor=executor)
        k = self.policy.scoring.top_k
        if stage == "site":
            return self.pairs(stage, *self.site_pairs(), executor=executor, top_k=k)
        if stage == "peer":
            return self.pairs(stage, *self.peer_pairs(), executor=executor, top_k=k)
        if stage == "operator":
            return self.pairs(stage, *self.operator_pairs(), executor=executor)
        site = site if site is not None else self.table("site", dense=False, executor=executor)
        if stage == "tutor":
            return self.pairs(stage, *self.tutor_pairs(site.rows, site.cols), executor=executor)
        return self.pairs(stage, *self.guide_pairs(site.rows, site.cols), executor=executor)

    def scores(self, *, dense: bool | None = None, executor: Executor | None = None) -> Scores:
        """Every table: the three stages', the tutors', the operators' and the guide × position one."""
        site = self.table("site", dense=dense, executor=executor)
        sparse_site = site if not site.dense else None
        guide = self.table("guide", dense=dense, executor=executor, site=sparse_site)
        peer = self.table("peer", dense=dense, executor=executor)
        tutor = self.table("tutor", dense=dense, executor=executor, site=sparse_site)
        operator = self.table("operator", dense=dense, executor=executor)
        return Scores(
            site=site,
            guide=guide,
            peer=peer,
            scorer=self,
            tutor=tutor,
            operator=operator,
            guide_position=self.guide_position_table(),
        )


def _join(
    left_rows: np.ndarray, left_keys: np.ndarray, right_keys: np.ndarray, n_keys: int
) -> tuple[np.ndarray, np.ndarray]:
    """All ``(left_row, right_index)`` with equal keys: a vectorized hash join on small integer keys."""
    order = np.argsort(right_keys, kind="stable")
    counts = np.bincount(right_keys, minlength=n_keys)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    per_left = counts[left_keys]
    rows = np.repeat(left_rows, per_left)
    offsets = np.arange(per_left.sum()) - np.repeat(np.cumsum(per_left) - per_left, per_left)
    return rows, order[np.repeat(starts[left_keys], per_left) + offsets]


def score(
    rnd: Round,
    policy: Policy | None = None,
    *,
    features: Sequence[Feature] = (),
    dense: bool | None = None,
    executor: Executor | None = None,
) -> Scores:
    """Score every stage of a round under a policy.

    Parameters
    ----------
    rnd : Round
    policy : Policy, optional
        Defaults to :meth:`Policy.default`.
    features : sequence of Feature
        Extra features the policy's weights may name, besides the registered ones.
    dense : bool, optional
        Force the dense (every pair) or sparse (KD-tree, top-k) path; by default the
        policy's ``scoring.dense_max_pairs`` decides per stage.
    executor : concurrent.futures.Executor, optional
        Scores the sparse path's blocks of pairs in parallel.

    Returns
    -------
    Scores
        ``.site``, ``.guide`` and ``.peer`` :class:`ScoreTable` s.
    """
    return Scorer(rnd, policy, features=features).scores(dense=dense, executor=executor)
