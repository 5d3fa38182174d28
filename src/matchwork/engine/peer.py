"""Stage 3: a peer supporter for the people who want one, within each supporter's hours and people.

People placed in the round who want a peer supporter get one (and, when
``policy.team.peer_for_waiting``, people left waiting for a placement too), within
each supporter's weekly hours (lower while new) and the number of people they may
follow (``capacities.peer_people``), after the person's team is known: a supporter
in a therapeutic relationship with the person's lead, squad, tutor or operator is
ruled out (``team_therapeutic``, :func:`team_of`).

When every candidate needs the same hours this is a flow; otherwise
:func:`~matchwork.solve.peer.solve_peer_problem`: the hour-unit flow as a bound,
the split people repaired by exact MILPs after reduced-cost fixing, and under the
policy's time limit the best solution with its proven gap.
"""

from __future__ import annotations

import numpy as np

from matchwork.engine.context import SCALE, StageContext, in_pairs
from matchwork.result import StageSolution
from matchwork.scoring.capacity import Capacities
from matchwork.scoring.rules import Team
from matchwork.scoring.scorer import Scores
from matchwork.solve.flow import PinConflictError
from matchwork.solve.network import NetworkBuilder
from matchwork.solve.peer import PeerPinError, PeerProblem, solve_peer_problem

__all__ = [
    "hour_cost",
    "hour_segments",
    "peer_scores",
    "segment_matrices",
    "solve_peer",
    "supporter_segments",
    "team_of",
]


def team_of(ctx: StageContext, joint: StageSolution, squad: StageSolution) -> Team:
    """Each candidate's lead, squad, company tutor and operator as the stages before the peer chose them.

    The company tutor and desk operator are those the joint stage chose with the
    placement (``joint.options["tutor"/"operator"]``, as :attr:`JointSolution.tutor
    <matchwork.engine.joint.JointSolution.tutor>`); ``-1`` where none is needed.
    """
    n_c = len(ctx.arrays.candidates)
    lead = np.full(n_c, -1, dtype=np.int64)
    lead[joint.options["cand"][joint.chosen]] = joint.options["guide"][joint.chosen]
    cand = np.asarray(squad.options["cand"])[squad.chosen].astype(np.int64)
    guide = np.asarray(squad.options["guide"])[squad.chosen].astype(np.int64)
    order = np.argsort(cand, kind="stable")
    cand, guide = cand[order], guide[order]
    slot = np.arange(len(cand)) - np.searchsorted(cand, cand)
    members = np.full((n_c, max(int(slot.max(initial=-1)) + 1, ctx.policy.caps.squad_size)), -1, dtype=np.int64)
    members[cand, slot] = guide
    tutor, operator = np.full(n_c, -1, dtype=np.int64), np.full(n_c, -1, dtype=np.int64)
    if "tutor" in joint.options:
        chosen = joint.options["cand"][joint.chosen]
        tutor[chosen], operator[chosen] = joint.options["tutor"][joint.chosen], joint.options["operator"][joint.chosen]
    return Team(lead, members, tutor, operator)


def peer_scores(ctx: StageContext, joint: StageSolution, squad: StageSolution) -> Scores:
    """The round's scores with the peer table checked against each candidate's team (seed 004)."""
    return ctx.scores.with_team(team_of(ctx, joint, squad))


def solve_peer(ctx: StageContext, joint: StageSolution, scores: Scores | None = None) -> StageSolution:
    """The peer stage on ``scores`` (default: the context's), after the joint stage ``joint``."""
    a, cap = ctx.arrays, ctx.cap
    t = (scores or ctx.scores).peer
    n_c, n_p = len(a.candidates), len(a.peers)
    placed = np.zeros(n_c, dtype=bool)
    placed[joint.options["cand"][joint.chosen]] = True
    # peer support lasts until it ends (issue 15): a person waiting keeps the supporter they have
    supported = np.zeros(n_c, dtype=bool)
    supported[list(ctx.existing.peer)] = True
    offered = placed | ctx.policy.team.peer_for_waiting | supported
    # a pin on a candidate who is not offered a peer (not placed, and the policy offers none to those
    # waiting) is reported on that candidate (unmatched reasons), not raised; a pin counts as wanting one
    pinned = ctx.pinned("peer") & offered
    wants = offered & (a.candidates.wants_peer | pinned)
    rows, cols = t.rows.astype(np.int64), t.cols.astype(np.int64)
    pairs = np.flatnonzero(t.feasible("peer") & wants[rows])
    cand, peer = rows[pairs], cols[pairs]
    bonus = ctx.bonus * in_pairs(cand, peer, ctx.existing.peer, n_p).astype(np.int64)
    gain = np.round(t.total[pairs] * SCALE).astype(np.int64) + bonus
    hours = cap.hours_needed[cand]
    opt = {"cand": cand, "peer": peer, "pair": pairs, "score": t.total[pairs], "gain": gain, "hours": hours}

    has_option = np.bincount(cand, minlength=n_c) > 0
    if np.any(pinned & ~has_option):
        raise ctx.pin_error("peer", pinned, has_option)

    segments = supporter_segments(cap, ctx.policy.solver.peer_load_cost * SCALE)
    people = np.maximum(np.asarray(cap.peer_people, dtype=np.int64), 0)
    if len(np.unique(hours)) <= 1:
        return _flow(ctx, opt, wants, pinned, has_option, segments, people)
    seg_len, seg_cost = segment_matrices(segments)
    problem = PeerProblem(cand, peer, gain, hours, seg_len, seg_cost, people, pinned)
    try:
        sol = solve_peer_problem(problem, fair=ctx.fair, time_limit=ctx.policy.solver.time_limit)
    except PeerPinError:
        raise ctx.pin_error("peer", pinned, has_option) from None
    value = int(np.round(sol.value))
    tiers = ctx.tiers("given", sol.count, gain[sol.chosen & ~pinned[cand]], value)
    return StageSolution("peer", None, None, np.arange(len(pairs)), opt, sol.chosen, sol.status, tiers, sol.method)


def _flow(
    ctx: StageContext,
    opt: dict[str, np.ndarray],
    wants: np.ndarray,
    pinned: np.ndarray,
    has_option: np.ndarray,
    segments: list[tuple[np.ndarray, np.ndarray]],
    people: np.ndarray,
) -> StageSolution:
    """Everyone needs the same hours ``h``: a supporter takes whole people, ``min(hours // h, people)`` of them."""
    cand, peer, gain, hours = opt["cand"], opt["peer"], opt["gain"], opt["hours"]
    n_c, n_p = len(wants), len(people)
    h = float(hours[0]) if len(hours) else 1.0
    units = np.minimum(np.floor(ctx.cap.peer_hours / h + 1e-9).astype(np.int64), people)
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
    floor = gain[chosen & ~pinned[cand]]  # pinned pairs do not count in the fair floor
    tiers = ctx.tiers("given", int(chosen.sum()), floor, -result.cost)
    return StageSolution("peer", net, result, arcs, opt, chosen, result.status, tiers, "flow")


def supporter_segments(cap: Capacities, weight: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each peer supporter's free hours as :func:`hour_segments` (lengths and costs per hour)."""
    return [
        hour_segments(in_use, limit, room, weight)
        for in_use, limit, room in zip(cap.peer_limit - cap.peer_hours, cap.peer_limit, cap.peer_hours, strict=True)
    ]


def segment_matrices(segments: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The segments as two 0-padded matrices (supporters × segments): lengths and costs."""
    width = max((len(length) for length, _ in segments), default=0)
    seg_len, seg_cost = np.zeros((len(segments), width)), np.zeros((len(segments), width))
    for p, (length, cost) in enumerate(segments):
        seg_len[p, : len(length)], seg_cost[p, : len(cost)] = length, cost
    return seg_len, seg_cost


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
