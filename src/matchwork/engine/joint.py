"""Stage 1: a position and a lead guide worker of that site, chosen jointly in one min-cost flow.

::

    source ─1─▶ candidate ─option─▶ lead guide ─lead cap (convex)─▶ position ─openings─▶ site ─limit─▶ sink

Each option arc is a (candidate, lead guide, position) triple allowed by every
rule, worth the site score plus the guide score (plus the continuity bonus for
pairings in place). Capacities nest: a guide's lead capacity inside its
position's openings inside the site's limit (the smaller of the legal trainee
limit and the company tutors' limit). When a site's structure is not nested —
a lead guide free to lead in any of several positions, or a legal limit that
counts only the non-exempt candidates — the crossing constraints become side
rows and HiGHS solves the LP (and, if ever fractional, the MILP).
"""

from __future__ import annotations

import numpy as np

from matchwork.engine.context import SCALE, StageContext, in_pairs
from matchwork.result import StageSolution
from matchwork.solve.flow import PinConflictError
from matchwork.solve.network import NetworkBuilder

__all__ = ["joint_options", "solve_joint"]


def joint_options(ctx: StageContext) -> dict[str, np.ndarray]:
    """Every allowed (candidate, position, lead guide) triple with its scores."""
    a, s, g = ctx.arrays, ctx.scores.site, ctx.scores.guide
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
    bonus = ctx.bonus * (
        in_pairs(cand, pos, ctx.existing.site, len(a.positions)).astype(np.int64)
        + in_pairs(cand, guide, ctx.existing.lead, len(a.guides))
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


def solve_joint(ctx: StageContext) -> StageSolution:
    a, cap = ctx.arrays, ctx.cap
    opt = joint_options(ctx)
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
    pinned = ctx.pinned("joint")
    has_option = np.bincount(opt["cand"], minlength=n_c) > 0
    if np.any(pinned & ~has_option):
        raise ctx.pin_error("joint", pinned, has_option)
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
    w = ctx.policy.solver.lead_load_cost * SCALE
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
        result = ctx.solve(net, arcs, opt["gain"])
    except PinConflictError:
        raise ctx.pin_error("joint", pinned, has_option) from None
    chosen = result.flow[arcs] > 0
    tiers = ctx.tiers("placed", opt["gain"][chosen], result.cost)
    return StageSolution("joint", net, result, arcs, opt, chosen, result.status, tiers)


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
