"""Stage 3: a peer supporter for placed candidates who want one, within each supporter's hours.

Placed candidates who want one get a peer supporter within each supporter's
weekly hours (lower while new). When every candidate needs the same hours this is
a flow; otherwise a MILP (``scipy.optimize.milp``) with convex hour costs, one per
connected component of the allowed pairs.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint

from matchwork.engine.context import SCALE, StageContext, in_pairs
from matchwork.errors import MatchError
from matchwork.result import StageSolution
from matchwork.solve.flow import PinConflictError
from matchwork.solve.milp import MilpResult, SolveStatus, solve_milp
from matchwork.solve.network import NetworkBuilder

__all__ = ["PARALLEL_MIN_PAIRS", "hour_cost", "hour_segments", "solve_peer"]


def solve_peer(ctx: StageContext, joint: StageSolution) -> StageSolution:
    a, t, cap = ctx.arrays, ctx.scores.peer, ctx.cap
    n_c, n_p = len(a.candidates), len(a.peers)
    placed = np.zeros(n_c, dtype=bool)
    placed[joint.options["cand"][joint.chosen]] = True
    wants = placed & a.candidates.wants_peer
    rows, cols = t.rows.astype(np.int64), t.cols.astype(np.int64)
    pairs = np.flatnonzero(t.feasible("peer") & wants[rows])
    cand, peer = rows[pairs], cols[pairs]
    bonus = ctx.bonus * in_pairs(cand, peer, ctx.existing.peer, n_p).astype(np.int64)
    gain = np.round(t.total[pairs] * SCALE).astype(np.int64) + bonus
    hours = cap.hours_needed[cand]
    opt = {"cand": cand, "peer": peer, "pair": pairs, "score": t.total[pairs], "gain": gain, "hours": hours}

    pinned = ctx.pinned("peer")
    has_option = np.bincount(cand, minlength=n_c) > 0
    if np.any(pinned & ~has_option):
        raise ctx.pin_error("peer", pinned, has_option)
    pinned_unplaced = pinned & ~placed
    if pinned_unplaced.any():
        ids = ", ".join(str(x) for x in a.candidates.ids[pinned_unplaced])
        raise MatchError(f"pins cannot be honoured in the peer stage: {ids} could not be placed at a site")

    segments = [
        hour_segments(in_use, limit, room, ctx.policy.solver.peer_load_cost * SCALE)
        for in_use, limit, room in zip(cap.peer_limit - cap.peer_hours, cap.peer_limit, cap.peer_hours, strict=True)
    ]
    if len(np.unique(hours)) <= 1:
        h = float(hours[0]) if len(hours) else 1.0
        units = np.floor(cap.peer_hours / h + 1e-9).astype(np.int64)
        width = int(units.max(initial=0))
        steps = h * np.arange(width + 1)
        marginal = np.zeros((n_p, width), dtype=np.int64)
        for p, (length, cost) in enumerate(segments):
            marginal[p] = np.round(np.diff(hour_cost(steps, length, cost))).astype(np.int64)
        b = NetworkBuilder()
        source, sink = b.nodes(2)
        c_node, p_node = b.nodes(n_c), b.nodes(n_p)
        b.arcs(np.full(n_c, source), c_node, capacity=wants.astype(np.int64), lower=(pinned & wants).astype(np.int64))
        arcs = b.arcs(c_node[cand], p_node[peer], capacity=1, cost=-gain)
        b.convex_many(p_node, np.full(n_p, sink), marginal, units)
        net = b.build(source=source, sink=sink)
        try:
            result = ctx.solve(net, arcs, gain)
        except PinConflictError:
            raise ctx.pin_error("peer", pinned, has_option) from None
        chosen = result.flow[arcs] > 0
        tiers = ctx.tiers("given", gain[chosen], result.cost)
        return StageSolution("peer", net, result, arcs, opt, chosen, result.status, tiers)
    chosen, status = _peer_milp(ctx, opt, pinned, segments)
    used = np.bincount(peer[chosen], weights=hours[chosen], minlength=n_p)
    load_cost = sum(float(hour_cost(used[p], *segments[p])) for p in np.flatnonzero(used))
    tiers = ctx.tiers("given", gain[chosen], round(load_cost) - int(gain[chosen].sum()))
    return StageSolution("peer", None, None, np.arange(len(pairs)), opt, chosen, status, tiers)


def _peer_milp(
    ctx: StageContext, opt: dict[str, np.ndarray], pinned: np.ndarray, segments: list[tuple[np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, SolveStatus]:
    """Peer supporters when candidates need different hours: one MILP per connected component.

    Candidates and peers that share no allowed pair never interact, so each
    component is solved on its own — exactly, and far faster than one MILP.
    Under the fair objective the lowest score is raised over the whole round:
    each component's best bottleneck is found, the round's is the lowest of
    them, and every component then maximises its total above it.
    """
    n_c = len(ctx.arrays.candidates)
    labels = _components(opt["cand"], opt["peer"] + n_c, n_c + len(ctx.arrays.peers))
    groups = [np.flatnonzero(labels == k) for k in np.unique(labels)]
    limit = ctx.policy.solver.time_limit
    problems = [_PeerProblem(opt, idx, pinned, segments, limit) for idx in groups]
    floor = -np.inf
    if ctx.fair and problems:
        floor = min(p.best_floor() for p in problems)
    chosen = np.zeros(len(opt["cand"]), dtype=bool)
    statuses = []
    for idx, (picked, status) in zip(groups, _solve_components(problems, floor), strict=True):
        chosen[idx] = picked
        statuses.append(status)
    return chosen, SolveStatus.worst(statuses)


class _PeerProblem:
    """The peer MILP of one component: binary pairs ``x`` and continuous hour segments ``y``.

    Each peer's assigned hours equal the hours of its segments, which fill cheapest
    first because their costs rise (convex hour costs). Lexicographic: the most
    pairs first, then the least cost.
    """

    def __init__(
        self,
        opt: dict[str, np.ndarray],
        idx: np.ndarray,
        pinned: np.ndarray,
        segments: list[tuple[np.ndarray, np.ndarray]],
        time_limit: float | None = None,
    ):
        self.time_limit = time_limit
        cand_ids, cand = np.unique(opt["cand"][idx], return_inverse=True)
        peer_ids, peer = np.unique(opt["peer"][idx], return_inverse=True)
        self.score = opt["score"][idx]
        self.forced = pinned[opt["cand"][idx]]
        seg_len = [segments[p][0] for p in peer_ids]
        seg_cost = [segments[p][1] for p in peer_ids]
        seg_peer = np.repeat(np.arange(len(peer_ids)), [len(x) for x in seg_len])
        n_x, n_y = len(idx), len(seg_peer)
        self.n_x, self.n_y = n_x, n_y
        x_cols, y_cols = np.arange(n_x), n_x + np.arange(n_y)
        one_each = sp.csr_array((np.ones(n_x), (cand, x_cols)), shape=(len(cand_ids), n_x + n_y))
        balance = sp.csr_array(
            (
                np.concatenate([opt["hours"][idx], -np.ones(n_y)]),
                (np.concatenate([peer, seg_peer]), np.concatenate([x_cols, y_cols])),
            ),
            shape=(len(peer_ids), n_x + n_y),
        )
        rows_lo = pinned[cand_ids].astype(np.float64)
        self.constraints = [LinearConstraint(one_each, rows_lo, 1.0), LinearConstraint(balance, 0.0, 0.0)]
        self.bounds = Bounds(np.zeros(n_x + n_y), np.concatenate([np.ones(n_x), *seg_len]) if n_y else np.ones(n_x))
        self.integrality = np.concatenate([np.ones(n_x), np.zeros(n_y)])
        self.count = np.concatenate([-np.ones(n_x), np.zeros(n_y)])
        self.cost = np.concatenate([-opt["gain"][idx].astype(np.float64), *[c.astype(np.float64) for c in seg_cost]])

    def _run(self, c: np.ndarray, extra: list[LinearConstraint]) -> MilpResult:
        return solve_milp(c, self.constraints + extra, self.integrality, self.bounds, time_limit=self.time_limit)

    def _only(self, allowed: np.ndarray) -> list[LinearConstraint]:
        return [LinearConstraint(np.concatenate([~allowed, np.zeros(self.n_y, bool)]).astype(float)[None, :], 0, 0)]

    def _most(self, extra: list[LinearConstraint]) -> tuple[int, MilpResult]:
        res = self._run(self.count, extra)
        if res.status == "infeasible":
            raise MatchError("pins cannot be honoured in the peer stage: they exceed a peer supporter's hours")
        if res.x is None:
            raise MatchError(f"the peer stage found no solution ({res.status}: {res.message})")
        return round(-float(self.count @ res.x)), res

    def best_floor(self) -> float:
        """The highest lowest-score this component can reach while placing the most."""
        most, _ = self._most([])
        levels = np.unique(self.score)
        lo, hi = 0, len(levels) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            allowed = (self.score >= levels[mid]) | self.forced
            x = self._run(self.count, self._only(allowed)).x
            ok = x is not None and round(-float(self.count @ x)) == most
            lo, hi = (mid, hi) if ok else (lo, mid - 1)
        return float(levels[lo])

    def solve(self, floor: float) -> tuple[np.ndarray, SolveStatus]:
        allowed = (self.score >= floor) | self.forced
        extra = self._only(allowed) if floor > -np.inf else []
        most, first = self._most(extra)
        fixed = LinearConstraint(np.concatenate([np.ones(self.n_x), np.zeros(self.n_y)])[None, :], most, most)
        res = self._run(self.cost, [*extra, fixed])
        x = res.x if res.x is not None else first.x  # the count just reached is feasible
        assert x is not None
        return x[: self.n_x] > 0.5, SolveStatus.worst([first, res])


PARALLEL_MIN_PAIRS = 40_000
"""Peer MILPs with at least this many pairs in all are solved one component per process."""


def _solve_component(job: tuple[_PeerProblem, float]) -> tuple[np.ndarray, SolveStatus]:
    problem, floor = job
    return problem.solve(floor)


def _solve_components(problems: list[_PeerProblem], floor: float) -> list[tuple[np.ndarray, SolveStatus]]:
    """Each component's chosen pairs: in local processes when the components are many and large.

    The components are independent, so processes give the same answer as a loop;
    they pay off only when there is enough to share (forking costs tens of ms).
    """
    jobs = [(p, floor) for p in problems]
    workers = min(os.cpu_count() or 1, len(problems))
    if workers < 2 or sum(p.n_x for p in problems) < PARALLEL_MIN_PAIRS:
        return [_solve_component(job) for job in jobs]
    # largest first, so that a big component does not start last
    order = sorted(range(len(jobs)), key=lambda i: -problems[i].n_x)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        done = dict(zip(order, pool.map(_solve_component, [jobs[i] for i in order]), strict=True))
    return [done[i] for i in range(len(jobs))]


def _components(left: np.ndarray, right: np.ndarray, n_nodes: int) -> np.ndarray:
    """Connected-component label of each edge ``(left[i], right[i])`` of a bipartite graph."""
    from scipy.sparse.csgraph import connected_components

    graph = sp.csr_array((np.ones(len(left)), (left, right)), shape=(n_nodes, n_nodes))
    _, labels = connected_components(graph, directed=False)
    return labels[left]


def hour_segments(in_use: float, limit: float, room: float, weight: float) -> tuple[np.ndarray, np.ndarray]:
    """A peer supporter's convex hour cost as one-hour segments: their lengths and costs per hour.

    The k-th further hour costs ``weight × (hours in use after it) / limit``: the
    closer to the cap, the dearer — burnout as a soft cost as well as a hard cap.
    """
    n = int(np.ceil(room - 1e-9)) if room > 1e-9 else 0
    length = np.minimum(1.0, room - np.arange(n))
    cost = np.round(weight * (in_use + np.arange(n) + length) / max(limit, 1e-9))
    return length, cost


def hour_cost(hours: np.ndarray, length: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """The convex cost of giving ``hours`` further hours, filling the cheapest segments first."""
    filled = np.clip(np.asarray(hours, dtype=np.float64)[..., None] - np.arange(len(length)), 0.0, length)
    return filled @ cost
