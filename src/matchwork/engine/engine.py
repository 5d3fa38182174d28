"""The matching engine: a round's three stages, each formulated as an exact optimisation.

1. **Site and lead guide, jointly.** A candidate takes a position and a lead guide
   of that same site in one min-cost flow::

       source ─1─▶ candidate ─option─▶ lead guide ─lead cap (convex)─▶ position ─openings─▶ site ─limit─▶ sink

   Each option arc is a (candidate, lead guide, position) triple allowed by every
   rule, worth the site score plus the guide score (plus the continuity bonus for
   pairings in place). Capacities nest: a guide's lead capacity inside its
   position's openings inside the site's limit (the smaller of the legal trainee
   limit and the company tutors' limit). When a site's structure is not nested —
   a lead guide free to lead in any of several positions, or a legal limit that
   counts only the non-exempt candidates — the crossing constraints become side
   rows and HiGHS solves the LP (and, if ever fractional, the MILP).
2. **Squad.** Each placed candidate gets ``squad_size`` more guide workers of the
   same site: a b-matching flow within each guide's total capacity, net of the new
   leads, with convex costs so that load spreads.
3. **Peer supporter.** Placed candidates who want one get a peer supporter within
   each supporter's weekly hours (lower while new). When every candidate needs
   the same hours this is a flow; otherwise a MILP (``scipy.optimize.milp``) with
   convex hour costs.

Every stage places as many as it can first and only then maximises the score
(zero exclusion). Pins are lower bounds; forbidden pairs never enter the network.
Inputs are sorted by id, so the same round in any row order gives the same result.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint

from matchwork.errors import MatchError
from matchwork.model.policy import Policy
from matchwork.model.round import Round
from matchwork.model.vocab import Role
from matchwork.result import MatchResult, StageSolution
from matchwork.scoring.features import Feature
from matchwork.scoring.rules import reason_codes
from matchwork.scoring.scorer import Scorer, Scores
from matchwork.solve.backends import resolve_backend
from matchwork.solve.fairness import solve_fair
from matchwork.solve.flow import FlowResult, PinConflictError, solve
from matchwork.solve.milp import MilpResult, SolveStatus, solve_milp
from matchwork.solve.network import Network, NetworkBuilder

__all__ = ["SCALE", "match"]

SCALE = 10_000
"""Integer cost units per score point: scores are optimised to 1/10 000 of a point."""


def match(
    rnd: Round,
    policy: Policy | None = None,
    *,
    objective: str | None = None,
    backend: str | None = None,
    features: Sequence[Feature] = (),
    executor: Executor | None = None,
) -> MatchResult:
    """Match a round: site and lead guide, then squad, then peer supporter.

    Parameters
    ----------
    rnd : Round
    policy : Policy, optional
        Defaults to :meth:`Policy.default`.
    objective : {"total", "fair"}, optional
        Overrides ``policy.solver.objective``.
    backend : {"auto", "highs", "networkx", "ortools"}, optional
        Overrides ``policy.solver.backend``.
    features : sequence of Feature
        Extra features the policy's weights may name.
    executor : concurrent.futures.Executor, optional
        Scores large rounds in parallel blocks.

    Returns
    -------
    MatchResult
        Every candidate exactly once, matched or unmatched with reasons.

    Raises
    ------
    MatchError
        When pins cannot all be honoured (a rule forbids a pinned pair, or pins
        exceed a capacity).

    Examples
    --------
    >>> import matchwork as mw
    >>> result = mw.match(mw.synth.round(60, seed=1))
    >>> sorted(result.assignments["status"].unique())
    ['matched', 'unmatched']
    >>> len(result.assignments) == 60
    True
    """
    policy = (policy or Policy.default()).with_solver(objective=objective, backend=backend)
    scores = Scorer(rnd, policy, features=features).scores(executor=executor)
    return Engine(scores).run()


class Engine:
    """Solves the three stages of a scored round; see the module docstring."""

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
        self.existing = self.arrays.existing

    def run(self) -> MatchResult:
        joint = self.joint()
        squad = self.squad(joint)
        peer = self.peer(joint)
        return MatchResult(scores=self.scores, joint=joint, squad=squad, peer=peer, existing=self.existing)

    # ------------------------------------------------------------ helpers

    def _pinned(self, stage: str) -> np.ndarray:
        """Candidates with a pin in ``stage`` (site or lead for the joint stage; peer)."""
        out = np.zeros(len(self.arrays.candidates), dtype=bool)
        for pin in self.round.pins:
            role = pin.role.value if pin.role else None
            kind = self.round.role_of(pin.partner_id)
            if stage == "joint" and (kind in ("site", "position") or (kind == "guide" and role != "guide")):
                out[self.arrays.candidates.index[pin.candidate_id]] = True
            if stage == "peer" and kind == "peer":
                out[self.arrays.candidates.index[pin.candidate_id]] = True
        return out

    def _solve(self, net: Network, options: np.ndarray, gain: np.ndarray) -> FlowResult:
        limit = self.policy.solver.time_limit
        if self.fair:
            return solve_fair(net, options, gain, backend=self.backend, time_limit=limit)
        return solve(net, backend=self.backend, time_limit=limit)

    def _pin_error(self, stage: str, pinned: np.ndarray, has_option: np.ndarray) -> MatchError:
        """Explain pins that cannot be honoured: no allowed option, or capacities exceeded."""
        ids = self.arrays.candidates.ids
        lines = []
        for c in np.flatnonzero(pinned & ~has_option):
            codes = sorted(self._blocking_rules(int(c), stage))
            lines.append(f"{ids[c]}: every pair its pin allows is forbidden by {', '.join(codes) or 'the rules'}")
        if not lines:
            pinned_ids = ", ".join(str(ids[c]) for c in np.flatnonzero(pinned))
            lines.append(f"pins of {pinned_ids} exceed a capacity when honoured together")
        return MatchError(f"pins cannot be honoured in the {stage} stage: " + "; ".join(lines))

    def _blocking_rules(self, c: int, stage: str) -> set[str]:
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

    # ------------------------------------------------------------ stage 1: site and lead guide

    def joint_options(self) -> dict[str, np.ndarray]:
        """Every allowed (candidate, position, lead guide) triple with its scores."""
        a, s, g = self.arrays, self.scores.site, self.scores.guide
        ok_s = s.feasible("site")
        ok_g = g.feasible("lead_guide") & a.guides.can_lead[g.cols]
        sc, sp_, st = s.rows[ok_s].astype(np.int64), s.cols[ok_s].astype(np.int64), np.flatnonzero(ok_s)
        gc, gg, gt = g.rows[ok_g].astype(np.int64), g.cols[ok_g].astype(np.int64), np.flatnonzero(ok_g)
        n_pos, n_sites = len(a.positions), len(a.sites)
        gpos = a.guides.position[gg].astype(np.int64)
        # guides of one position team: join on (candidate, position)
        fixed = gpos >= 0
        li, ri = _join(sc * n_pos + sp_, gc[fixed] * n_pos + gpos[fixed])
        site_pair, guide_pair = [st[li]], [gt[fixed][ri]]
        # guides free to lead in any position of their site: join on (candidate, site)
        free = ~fixed
        if free.any():
            li, ri = _join(sc * n_sites + a.positions.site[sp_], gc[free] * n_sites + a.guides.site[gg[free]])
            site_pair.append(st[li])
            guide_pair.append(gt[free][ri])
        si, gi = np.concatenate(site_pair), np.concatenate(guide_pair)
        order = np.lexsort((g.cols[gi], s.cols[si], s.rows[si]))
        si, gi = si[order], gi[order]
        cand, pos, guide = s.rows[si].astype(np.int64), s.cols[si].astype(np.int64), g.cols[gi].astype(np.int64)
        bonus = self.bonus * (
            _in_pairs(cand, pos, self.existing.site, len(a.positions)).astype(np.int64)
            + _in_pairs(cand, guide, self.existing.lead, len(a.guides))
        )
        return {
            "cand": cand,
            "pos": pos,
            "guide": guide,
            "site_pair": si,
            "guide_pair": gi,
            "site_score": s.total[si],
            "guide_score": g.total[gi],
            "gain": np.round((s.total[si] + g.total[gi]) * SCALE).astype(np.int64) + bonus,
        }

    def joint(self) -> StageSolution:
        a, cap = self.arrays, self.cap
        opt = self.joint_options()
        n_c, n_g, n_p, n_s = len(a.candidates), len(a.guides), len(a.positions), len(a.sites)
        site_of_pos = a.positions.site.astype(np.int64)
        opt_site = site_of_pos[opt["pos"]]

        # which sites need side rows: several positions and a guide free among them
        free_guide = a.guides.position[opt["guide"]] < 0
        n_positions = np.bincount(site_of_pos, minlength=n_s)
        crossing = np.zeros(n_s, dtype=bool)
        crossing[opt_site[free_guide & (n_positions[opt_site] > 1)]] = True
        # the legal limit counts non-exempt trainees only; it crosses when both kinds compete and it binds
        exempt = cap.exempt[opt["cand"]]
        has_exempt = np.bincount(opt_site[exempt], minlength=n_s) > 0
        has_counted = np.bincount(opt_site[~exempt], minlength=n_s) > 0
        reachable = np.minimum(cap.site_tutor, np.bincount(site_of_pos, weights=cap.position_open, minlength=n_s))
        legal_binds = cap.site_legal < reachable
        legal_side = has_exempt & has_counted & legal_binds
        site_cap = np.where(has_exempt & ~has_counted, cap.site_tutor, np.minimum(cap.site_tutor, cap.site_legal))
        site_cap = np.where(legal_side, cap.site_tutor, site_cap)

        b = NetworkBuilder()
        source, sink = b.nodes(2)
        c_node, g_node, p_node, s_node = b.nodes(n_c), b.nodes(n_g), b.nodes(n_p), b.nodes(n_s)
        pinned = self._pinned("joint")
        has_option = np.bincount(opt["cand"], minlength=n_c) > 0
        if np.any(pinned & ~has_option):
            raise self._pin_error("joint", pinned, has_option)
        b.arcs(np.full(n_c, source), c_node, capacity=1, lower=pinned.astype(np.int64))
        arcs = b.arcs(c_node[opt["cand"]], g_node[opt["guide"]], capacity=1, cost=-opt["gain"])

        # lead guide → position (nested) or → site (crossing), with convex lead costs
        lead_cap = cap.guide_lead
        guide_site = a.guides.site.astype(np.int64)
        guide_pos = a.guides.position.astype(np.int64)
        nested = (guide_pos >= 0) & ~crossing[guide_site]
        single = (guide_pos < 0) & (n_positions[guide_site] == 1) & ~crossing[guide_site]
        only_pos = np.zeros(n_s, dtype=np.int64)
        only_pos[site_of_pos] = np.arange(n_p)  # for single-position sites, their one position
        target = np.where(nested, p_node[np.maximum(guide_pos, 0)], s_node[guide_site])
        target = np.where(single, p_node[only_pos[guide_site]], target)
        width = int(lead_cap.max(initial=0))
        w = self.policy.solver.lead_load_cost * SCALE
        marginal = np.round(w * (np.arange(width)[None, :] + 1) + np.zeros((n_g, 1))).astype(np.int64)
        b.convex_many(g_node, target, marginal, lead_cap)

        # position → site for nested sites; side rows on positions of crossing sites
        b.arcs(p_node, s_node[site_of_pos], capacity=np.where(crossing[site_of_pos], 0, cap.position_open))
        for site in np.flatnonzero(crossing):
            for p in np.flatnonzero(site_of_pos == site):
                b.side_row(arcs[opt["pos"] == p], int(cap.position_open[p]))
        for site in np.flatnonzero(legal_side):
            b.side_row(arcs[(opt_site == site) & ~exempt], int(cap.site_legal[site]))
        b.arcs(s_node, np.full(n_s, sink), capacity=site_cap)
        net = b.build(source=source, sink=sink)
        try:
            result = self._solve(net, arcs, opt["gain"])
        except PinConflictError:
            raise self._pin_error("joint", pinned, has_option) from None
        chosen = result.flow[arcs] > 0
        return StageSolution("joint", net, result, arcs, opt, chosen, result.status)

    # ------------------------------------------------------------ stage 2: squad

    def squad(self, joint: StageSolution) -> StageSolution:
        a, g, cap = self.arrays, self.scores.guide, self.cap
        size = self.policy.caps.squad_size
        placed_c = joint.options["cand"][joint.chosen]
        placed_site = a.positions.site[joint.options["pos"][joint.chosen]]
        leader = joint.options["guide"][joint.chosen]
        n_c, n_g = len(a.candidates), len(a.guides)
        site_of = np.full(n_c, -1, dtype=np.int64)
        site_of[placed_c] = placed_site
        lead_of = np.full(n_c, -1, dtype=np.int64)
        lead_of[placed_c] = leader

        ok = g.feasible("guide")
        rows, cols = g.rows.astype(np.int64), g.cols.astype(np.int64)
        keep = ok & (site_of[rows] >= 0) & (a.guides.site[cols] == site_of[rows]) & (lead_of[rows] != cols)
        pairs = np.flatnonzero(keep)
        cand, guide = rows[pairs], cols[pairs]
        bonus = self.bonus * _in_pairs(cand, guide, self.existing.squad, n_g).astype(np.int64)
        gain = np.round(g.total[pairs] * SCALE).astype(np.int64) + bonus
        opt = {"cand": cand, "guide": guide, "pair": pairs, "score": g.total[pairs], "gain": gain}

        pinned_arcs = np.zeros(len(pairs), dtype=np.int64)
        for pin in self.round.pins:
            if pin.role == Role.GUIDE:
                c, gid = a.candidates.index[pin.candidate_id], a.guides.index[pin.partner_id]
                hit = (cand == c) & (guide == gid)
                if not hit.any():
                    raise MatchError(
                        f"pins cannot be honoured in the squad stage: {pin.candidate_id} with {pin.partner_id} "
                        "is not allowed (another site, the lead guide, or a rule forbids it)"
                    )
                pinned_arcs[hit] = 1
        leads = np.bincount(leader, minlength=n_g)
        room = np.maximum(cap.guide_total - leads, 0)
        width = int(room.max(initial=0))
        load_now = cap.guide_limit - cap.guide_total + leads  # what each guide carries before squads
        w = self.policy.solver.guide_load_cost * SCALE
        share = (load_now[:, None] + np.arange(width)[None, :] + 1) / np.maximum(cap.guide_limit, 1)[:, None]
        marginal = np.round(w * share).astype(np.int64)

        b = NetworkBuilder()
        source, sink = b.nodes(2)
        c_node, g_node = b.nodes(n_c), b.nodes(n_g)
        need = np.zeros(n_c, dtype=np.int64)
        need[placed_c] = size
        pins_per_c = np.bincount(cand, weights=pinned_arcs, minlength=n_c).astype(np.int64)
        b.arcs(np.full(n_c, source), c_node, capacity=np.maximum(need, pins_per_c), lower=pins_per_c)
        arcs = b.arcs(c_node[cand], g_node[guide], capacity=1, cost=-gain, lower=pinned_arcs)
        b.convex_many(g_node, np.full(n_g, sink), marginal, room)
        net = b.build(source=source, sink=sink)
        try:
            result = self._solve(net, arcs, gain)
        except PinConflictError:
            raise MatchError("pins cannot be honoured in the squad stage: they exceed a guide's capacity") from None
        return StageSolution("squad", net, result, arcs, opt, result.flow[arcs] > 0, result.status)

    # ------------------------------------------------------------ stage 3: peer supporter

    def peer(self, joint: StageSolution) -> StageSolution:
        a, t, cap = self.arrays, self.scores.peer, self.cap
        n_c, n_p = len(a.candidates), len(a.peers)
        placed = np.zeros(n_c, dtype=bool)
        placed[joint.options["cand"][joint.chosen]] = True
        wants = placed & a.candidates.wants_peer
        rows, cols = t.rows.astype(np.int64), t.cols.astype(np.int64)
        pairs = np.flatnonzero(t.feasible("peer") & wants[rows])
        cand, peer = rows[pairs], cols[pairs]
        bonus = self.bonus * _in_pairs(cand, peer, self.existing.peer, n_p).astype(np.int64)
        gain = np.round(t.total[pairs] * SCALE).astype(np.int64) + bonus
        hours = cap.hours_needed[cand]
        opt = {"cand": cand, "peer": peer, "pair": pairs, "score": t.total[pairs], "gain": gain, "hours": hours}

        pinned = self._pinned("peer")
        has_option = np.bincount(cand, minlength=n_c) > 0
        if np.any(pinned & ~has_option):
            raise self._pin_error("peer", pinned, has_option)
        pinned_unplaced = pinned & ~placed
        if pinned_unplaced.any():
            ids = ", ".join(str(x) for x in a.candidates.ids[pinned_unplaced])
            raise MatchError(f"pins cannot be honoured in the peer stage: {ids} could not be placed at a site")

        segments = [
            hour_segments(in_use, limit, room, self.policy.solver.peer_load_cost * SCALE)
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
            b.arcs(
                np.full(n_c, source), c_node, capacity=wants.astype(np.int64), lower=(pinned & wants).astype(np.int64)
            )
            arcs = b.arcs(c_node[cand], p_node[peer], capacity=1, cost=-gain)
            b.convex_many(p_node, np.full(n_p, sink), marginal, units)
            net = b.build(source=source, sink=sink)
            try:
                result = self._solve(net, arcs, gain)
            except PinConflictError:
                raise self._pin_error("peer", pinned, has_option) from None
            return StageSolution("peer", net, result, arcs, opt, result.flow[arcs] > 0, result.status)
        chosen, status = self._peer_milp(opt, pinned, segments)
        return StageSolution("peer", None, None, np.arange(len(pairs)), opt, chosen, status)

    def _peer_milp(
        self, opt: dict[str, np.ndarray], pinned: np.ndarray, segments: list[tuple[np.ndarray, np.ndarray]]
    ) -> tuple[np.ndarray, SolveStatus]:
        """Peer supporters when candidates need different hours: one MILP per connected component.

        Candidates and peers that share no allowed pair never interact, so each
        component is solved on its own — exactly, and far faster than one MILP.
        Under the fair objective the lowest score is raised over the whole round:
        each component's best bottleneck is found, the round's is the lowest of
        them, and every component then maximises its total above it.
        """
        n_c = len(self.arrays.candidates)
        labels = _components(opt["cand"], opt["peer"] + n_c, n_c + len(self.arrays.peers))
        groups = [np.flatnonzero(labels == k) for k in np.unique(labels)]
        limit = self.policy.solver.time_limit
        problems = [_PeerProblem(opt, idx, pinned, segments, limit) for idx in groups]
        floor = -np.inf
        if self.fair and problems:
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


def _in_pairs(cand: np.ndarray, partner: np.ndarray, existing: dict[int, Any], n_partners: int) -> np.ndarray:
    """Whether each ``(cand[i], partner[i])`` is among the pairings in place (one partner or a set per candidate)."""
    keys = [
        c * n_partners + p
        for c, ps in existing.items()
        for p in (ps if isinstance(ps, set | frozenset | list | tuple) else (ps,))
    ]
    return np.isin(cand.astype(np.int64) * n_partners + partner, np.array(keys, dtype=np.int64))


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


def _join(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All index pairs ``(i, j)`` with ``left[i] == right[j]`` (a sort-merge join)."""
    order = np.argsort(right, kind="stable")
    sorted_right = right[order]
    lo = np.searchsorted(sorted_right, left, side="left")
    hi = np.searchsorted(sorted_right, left, side="right")
    counts = hi - lo
    li = np.repeat(np.arange(len(left)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return li, order[np.repeat(lo, counts) + offsets]
