"""Brute-force optima of the three stages, by enumerating every assignment of tiny rounds.

Independent of the engine's networks: options come straight from dense score
tables and the capacities, constraints are checked one by one.
"""

from __future__ import annotations

import itertools

import numpy as np

import matchwork as mw
from matchwork.engine import SCALE, hour_cost, hour_segments


def _bonus(result_existing, c, kind, partner) -> int:
    return 0


def joint_options(scores: mw.Scores, existing, bonus: int) -> list[list[tuple[int, int, int]]]:
    a, s, g = scores.arrays, scores.site, scores.guide
    out: list[list[tuple[int, int, int]]] = [[] for _ in range(len(a.candidates))]
    for i in range(len(s)):
        if not s.feasible("site")[i]:
            continue
        c, p = int(s.rows[i]), int(s.cols[i])
        site = a.positions.site[p]
        for j in np.flatnonzero(g.rows == c):
            gi = int(g.cols[j])
            if not (g.feasible("lead_guide")[j] and a.guides.can_lead[gi] and a.guides.site[gi] == site):
                continue
            if a.guides.position[gi] not in (-1, p):
                continue
            gain = round((s.total[i] + g.total[j]) * SCALE)
            gain += bonus * (p in existing.site.get(c, ())) + bonus * (existing.lead.get(c) == gi)
            out[c].append((p, gi, gain))
    return out


def joint_best(scores: mw.Scores, existing, policy: mw.Policy) -> tuple[int, int]:
    a, cap = scores.arrays, scores.capacities
    bonus = round(policy.solver.continuity_bonus * SCALE)
    options = joint_options(scores, existing, bonus)
    w = policy.solver.lead_load_cost * SCALE
    best = (-1, 0)
    for choice in itertools.product(*[[None, *opts] for opts in options]):
        picked = [(c, o) for c, o in enumerate(choice) if o is not None]
        pos = np.bincount([o[0] for _, o in picked], minlength=len(a.positions))
        leads = np.bincount([o[1] for _, o in picked], minlength=len(a.guides))
        sites = np.bincount([a.positions.site[o[0]] for _, o in picked], minlength=len(a.sites))
        counted = np.bincount([a.positions.site[o[0]] for c, o in picked if not cap.exempt[c]], minlength=len(a.sites))
        if np.any(pos > cap.position_open) or np.any(leads > cap.guide_lead):
            continue
        if np.any(sites > cap.site_tutor) or np.any(counted > cap.site_legal):
            continue
        total = sum(o[2] for _, o in picked) - sum(round(w * (j + 1)) for n in leads for j in range(n))
        best = max(best, (len(picked), total))
    return best


def squad_best(scores: mw.Scores, result: mw.MatchResult, existing, policy: mw.Policy) -> tuple[int, int]:
    a, g, cap = scores.arrays, scores.guide, scores.capacities
    bonus = round(policy.solver.continuity_bonus * SCALE)
    size = policy.caps.squad_size
    asg = result.assignments
    leads = np.bincount([a.guides.index[x] for x in asg["lead_guide_id"].dropna()], minlength=len(a.guides))
    room = np.maximum(cap.guide_total - leads, 0)
    load_now = cap.guide_limit - cap.guide_total + leads
    w = policy.solver.guide_load_cost * SCALE
    per_candidate = []
    for _, row in asg[asg.status == "matched"].iterrows():
        c = a.candidates.index[row.candidate_id]
        site = a.sites.index[row.site_id]
        lead = a.guides.index[row.lead_guide_id]
        opts = []
        for j in np.flatnonzero(g.rows == c):
            gi = int(g.cols[j])
            if g.feasible("guide")[j] and a.guides.site[gi] == site and gi != lead:
                opts.append((gi, round(g.total[j] * SCALE) + bonus * (gi in existing.squad.get(c, ()))))
        per_candidate.append([s for k in range(size + 1) for s in itertools.combinations(opts, k)])
    best = (-1, 0)
    for choice in itertools.product(*per_candidate):
        used = np.bincount([gi for squad in choice for gi, _ in squad], minlength=len(a.guides))
        if np.any(used > room):
            continue
        cost = sum(
            round(w * (load_now[gi] + j + 1) / max(cap.guide_limit[gi], 1))
            for gi, n in enumerate(used)
            for j in range(n)
        )
        total = sum(gain for squad in choice for _, gain in squad) - cost
        best = max(best, (int(used.sum()), total))
    return best


def peer_best(scores: mw.Scores, result: mw.MatchResult, existing, policy: mw.Policy) -> tuple[int, float]:
    a, t, cap = scores.arrays, scores.peer, scores.capacities
    bonus = round(policy.solver.continuity_bonus * SCALE)
    asg = result.assignments
    placed = {a.candidates.index[x] for x in asg.loc[asg.status == "matched", "candidate_id"]}
    w = policy.solver.peer_load_cost * SCALE
    segments = [
        hour_segments(u, lim, room, w)
        for u, lim, room in zip(cap.peer_limit - cap.peer_hours, cap.peer_limit, cap.peer_hours, strict=True)
    ]
    per_candidate = []
    for c in sorted(placed):
        if not a.candidates.wants_peer[c]:
            continue
        opts = [
            (int(t.cols[j]), round(t.total[j] * SCALE) + bonus * (existing.peer.get(c) == t.cols[j]), c)
            for j in np.flatnonzero(t.rows == c)
            if t.feasible("peer")[j]
        ]
        per_candidate.append([None, *opts])
    best = (-1, 0.0)
    for choice in itertools.product(*per_candidate):
        picked = [o for o in choice if o is not None]
        hours = np.bincount(
            [p for p, _, _ in picked], weights=[cap.hours_needed[c] for _, _, c in picked], minlength=len(a.peers)
        )
        if np.any(hours > cap.peer_hours + 1e-9):
            continue
        cost = sum(float(hour_cost(np.array(h), *segments[p])) for p, h in enumerate(hours))
        best = max(best, (len(picked), sum(g for _, g, _ in picked) - cost))
    return best
