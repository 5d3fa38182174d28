"""Stage 2: each placed candidate's squad of guide workers of the same site.

Each placed candidate gets ``squad_size`` more guide workers of the same site: a
b-matching flow within each guide's total capacity, net of the new leads, with
convex costs so that load spreads.
"""

from __future__ import annotations

import numpy as np

from matchwork.engine.context import SCALE, StageContext, in_pairs
from matchwork.errors import MatchError
from matchwork.model.vocab import Role
from matchwork.result import StageSolution
from matchwork.solve.flow import PinConflictError
from matchwork.solve.network import NetworkBuilder

__all__ = ["solve_squad"]


def solve_squad(ctx: StageContext, joint: StageSolution) -> StageSolution:
    a, g, cap = ctx.arrays, ctx.scores.guide, ctx.cap
    size = ctx.policy.caps.squad_size
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
    bonus = ctx.bonus * in_pairs(cand, guide, ctx.existing.squad, n_g).astype(np.int64)
    gain = np.round(g.total[pairs] * SCALE).astype(np.int64) + bonus
    opt = {"cand": cand, "guide": guide, "pair": pairs, "score": g.total[pairs], "gain": gain}

    pinned_arcs = np.zeros(len(pairs), dtype=np.int64)
    for pin in ctx.round.pins:
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
    w = ctx.policy.solver.guide_load_cost * SCALE
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
        result = ctx.solve(net, arcs, gain)
    except PinConflictError:
        raise MatchError("pins cannot be honoured in the squad stage: they exceed a guide's capacity") from None
    chosen = result.flow[arcs] > 0
    tiers = ctx.tiers("members", gain[chosen], result.cost)
    return StageSolution("squad", net, result, arcs, opt, chosen, result.status, tiers)
