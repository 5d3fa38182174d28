"""Brute-force optima, by enumerating every assignment of tiny rounds.

Independent of the engine's formulation: options come straight from dense score
tables, the capacities and the round's pins; constraints are checked one by one.
:func:`joint_best` is the joint problem of site, lead guide and squad (issue 14),
lexicographic: placed, (fair) lowest placement gain of the unpinned, squad
places left empty (fewest first: a placement with a lead guide needs
``squad_size`` members, one at a host company none), value with the documented
load costs.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

import matchwork as mw
from matchwork.engine import SCALE, hour_cost, hour_segments
from matchwork.scoring.arrays import SITE_KINDS


def needs(scores: mw.Scores) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per site, whom a placement needs (issue 18): a lead guide and squad iff the site lists guide workers
    and its kind is in ``team.guides_at``; a company tutor iff it lists tutors and its kind is in
    ``team.tutor_at``; a desk operator iff the round lists operators and its kind is in ``team.operator_at``."""
    a, team = scores.arrays, scores.policy.team
    kind = [SITE_KINDS[int(k)] for k in a.sites.kind]
    lists_guides = set(int(x) for x in a.guides.site)
    lead = np.array([s in lists_guides and k in team.guides_at for s, k in enumerate(kind)], dtype=bool)
    tutor = np.array([bool(a.sites.tutors_listed[s]) and k in team.tutor_at for s, k in enumerate(kind)], dtype=bool)
    operator = np.array([len(a.operators) > 0 and k in team.operator_at for k in kind], dtype=bool)
    return lead, tutor, operator


def joint_options(scores: mw.Scores, existing, bonus: int) -> list[list[tuple[int, int, int, int, int]]]:
    """Each candidate's allowed (position, lead guide, tutor, operator, gain) placements (-1: none needed),
    straight from the dense tables and the issue's statement: a lead of the position's team (guide × position
    table), the guide score being both tables' sum and at least ``min_score.guide``; a tutor of the site; any
    allowed operator."""
    a, s, g = scores.arrays, scores.site, scores.guide
    gp, tut, opr = scores.guide_position, scores.tutor, scores.operator
    floor = scores.policy.scoring.min_score.get("guide", 0.0)
    need_lead, need_tutor, need_op = needs(scores)
    out: list[list[tuple[int, int, int, int, int]]] = [[] for _ in range(len(a.candidates))]
    for i in range(len(s)):
        if not s.feasible("site")[i]:
            continue
        c, p = int(s.rows[i]), int(s.cols[i])
        site = int(a.positions.site[p])
        leads: list[tuple[int, float]] = [(-1, 0.0)]
        if need_lead[site]:
            leads = []
            for k in np.flatnonzero((gp.cols == p) & gp.feasible("lead_guide")):
                gi = int(gp.rows[k])
                j = np.flatnonzero((g.rows == c) & (g.cols == gi))
                if len(j) and g.feasible("lead_guide")[j[0]] and g.total[j[0]] + gp.total[k] >= floor - 1e-9:
                    leads.append((gi, float(g.total[j[0]] + gp.total[k])))
        tutors = [-1]
        if need_tutor[site]:
            tutors = [
                int(tut.cols[j])
                for j in np.flatnonzero(tut.rows == c)
                if tut.feasible("tutor")[j] and a.tutors.site[tut.cols[j]] == site
            ]
        operators = [-1]
        if need_op[site]:
            operators = [int(opr.cols[j]) for j in np.flatnonzero(opr.rows == c) if opr.feasible("operator")[j]]
        for gi, points in leads:
            for t in tutors:
                for o in operators:
                    gain = round((s.total[i] + points) * SCALE)
                    gain += bonus * (
                        int(p in existing.site.get(c, ()))
                        + int(gi >= 0 and existing.lead.get(c) == gi)
                        + int(t >= 0 and existing.tutor.get(c) == t)
                        + int(o >= 0 and existing.operator.get(c) == o)
                    )
                    out[c].append((p, gi, t, o, gain))
    return out


def _pins(rnd: mw.Round, a) -> tuple[dict[int, list], set[int]]:
    """Per candidate the tests its placement must pass, and the candidates who must be placed."""
    tests: dict[int, list] = {}
    must: set[int] = set()
    for pin in rnd.pins:
        c = a.candidates.index[pin.candidate_id]
        kind = rnd.role_of(pin.partner_id)
        if kind == "peer":
            continue
        must.add(c)
        if kind == "position":
            p = a.positions.index[pin.partner_id]
            tests.setdefault(c, []).append(lambda pos, lead, squad, tutor, op, p=p: pos == p)
        elif kind == "site":
            site = a.sites.index[pin.partner_id]
            tests.setdefault(c, []).append(lambda pos, lead, squad, tutor, op, site=site: a.positions.site[pos] == site)
        elif kind == "tutor":
            t = a.tutors.index[pin.partner_id]
            tests.setdefault(c, []).append(lambda pos, lead, squad, tutor, op, t=t: tutor == t)
        elif kind == "operator":
            o = a.operators.index[pin.partner_id]
            tests.setdefault(c, []).append(lambda pos, lead, squad, tutor, op, o=o: op == o)
        elif pin.role is not None and pin.role.value == "guide":
            h = a.guides.index[pin.partner_id]
            tests.setdefault(c, []).append(lambda pos, lead, squad, tutor, op, h=h: h in squad)
        else:
            h = a.guides.index[pin.partner_id]
            tests.setdefault(c, []).append(lambda pos, lead, squad, tutor, op, h=h: lead == h)
    return tests, must


def member_gain(scores: mw.Scores, c: int, h: int, p: int, bonus: int) -> int | None:
    """A squad member's gain at position ``p`` (None if not allowed), from the dense tables and the issue's
    statement: the person × guide pair allowed in the squad role, the guide × position pair too, the score being
    both tables' sum (as for the lead) and at least ``min_score.guide``; the bonus for a member in place."""
    g, gp = scores.guide, scores.guide_position
    j = np.flatnonzero((g.rows == c) & (g.cols == h))
    k = np.flatnonzero((gp.rows == h) & (gp.cols == p))
    if not len(j) or not len(k) or not g.feasible("guide")[j[0]] or not gp.feasible("guide")[k[0]]:
        return None
    score = float(g.total[j[0]] + gp.total[k[0]])
    if score < scores.policy.scoring.min_score.get("guide", 0.0) - 1e-9:
        return None
    return round(score * SCALE) + bonus * (h in scores.arrays.existing.squad.get(c, ()))


def load_cost(policy: mw.Policy, cap, leads: np.ndarray, newcomers: np.ndarray) -> int:
    """The documented convex load costs: a new lead costs lead_load_cost per newcomer the guide already
    follows; every newcomer (lead or squad) guide_load_cost times the share of capacity in use after it."""
    carried = cap.guide_limit - cap.guide_total
    wl, wg = policy.solver.lead_load_cost * SCALE, policy.solver.guide_load_cost * SCALE
    total = 0
    for g in range(len(leads)):
        total += sum(round(wl * (carried[g] + k)) for k in range(int(leads[g])))
        total += sum(round(wg * (carried[g] + k + 1) / max(cap.guide_limit[g], 1)) for k in range(int(newcomers[g])))
    return total


def joint_choices(scores: mw.Scores, policy: mw.Policy) -> list[list[tuple]]:
    """Every way each candidate can be placed: ``(position, lead, squad, gain, tutor, operator)``, or None
    (not placed). A placement without a lead guide (a host company) takes no squad."""
    a, rnd = scores.arrays, scores.scorer.round
    existing = a.existing
    bonus = round(policy.solver.continuity_bonus * SCALE)
    size = policy.caps.squad_size
    tests, must = _pins(rnd, a)
    out = []
    for c, placements in enumerate(joint_options(scores, existing, bonus)):
        mine: list[tuple] = [] if c in must else [None]
        for p, lead, tutor, op, gain in placements:
            site = a.positions.site[p]
            eligible = []
            for h in np.flatnonzero(a.guides.site == site).tolist():
                x = member_gain(scores, c, h, p, bonus) if h != lead else None
                if x is not None:
                    eligible.append((h, x))
            sizes = range(0, size + 1) if (c in must or not policy.squad.require_full) else [size]
            if lead < 0:
                sizes = [0]
            for k in sizes:
                for squad in itertools.combinations(eligible, k):
                    members = {h for h, _ in squad}
                    if all(t(p, lead, members, tutor, op) for t in tests.get(c, [])):
                        mine.append((p, lead, tuple(sorted(members)), gain + sum(x for _, x in squad), tutor, op))
        out.append(mine)
    return out


def joint_tiers(
    scores: mw.Scores, policy: mw.Policy, choice: list, *, fair: bool
) -> tuple[int, float, int, int] | None:
    """The tiers of one assignment (None if it breaks a capacity), each larger-is-better: placed, floor, minus the
    squad places left empty, value."""
    a, cap, rnd = scores.arrays, scores.capacities, scores.scorer.round
    picked = [(c, o) for c, o in enumerate(choice) if o is not None]
    pos = np.bincount([o[0] for _, o in picked], minlength=len(a.positions))
    leads = np.bincount([o[1] for _, o in picked if o[1] >= 0], minlength=len(a.guides))
    tutors = np.bincount([o[4] for _, o in picked if o[4] >= 0], minlength=len(a.tutors))
    operators = np.bincount([o[5] for _, o in picked if o[5] >= 0], minlength=len(a.operators))
    members = [h for _, o in picked for h in o[2]]
    newcomers = leads + np.bincount(members, minlength=len(a.guides))
    sites = np.bincount([a.positions.site[o[0]] for _, o in picked], minlength=len(a.sites))
    counted = np.bincount([a.positions.site[o[0]] for c, o in picked if not cap.exempt[c]], minlength=len(a.sites))
    if np.any(pos > cap.position_open) or np.any(leads > cap.guide_lead) or np.any(newcomers > cap.guide_total):
        return None
    if np.any(sites > cap.site_tutor) or np.any(counted > cap.site_legal):
        return None
    if np.any(tutors > cap.tutor_room) or np.any(operators > cap.operator_room):
        return None
    _, must = _pins(rnd, a)
    value = sum(o[3] for _, o in picked) - load_cost(policy, cap, leads, newcomers)
    floor = math.inf
    if fair:
        bonus = round(policy.solver.continuity_bonus * SCALE)
        options = joint_options(scores, a.existing, bonus)
        gains = [
            next(gn for p, g, t, op, gn in options[c] if (p, g, t, op) == (o[0], o[1], o[4], o[5]))
            for c, o in picked
            if c not in must
        ]
        floor = min(gains, default=math.inf)
    missing = sum(policy.caps.squad_size - len(o[2]) for _, o in picked if o[1] >= 0)
    return len(picked), floor, -missing, value


def joint_best(scores: mw.Scores, policy: mw.Policy, *, fair: bool = False) -> tuple[int, float, int, int] | None:
    """The lexicographic optimum of the joint problem by enumerating every assignment (None: pins impossible)."""
    best = None
    for choice in itertools.product(*joint_choices(scores, policy)):
        tiers = joint_tiers(scores, policy, list(choice), fair=fair)
        if tiers is not None and (best is None or tiers > best):
            best = tiers
    return best


def engine_tiers(result: mw.MatchResult, *, fair: bool = False) -> tuple[int, float, int, int]:
    """The same tiers, read from what the engine returned (its tables, not its internals)."""
    scores, policy = result.scores, result.policy
    a = scores.arrays
    choice: list = [None] * len(a.candidates)
    bonus = round(policy.solver.continuity_bonus * SCALE)
    options = joint_options(scores, a.existing, bonus)
    for row in result.assignments.itertuples():
        if row.status != "matched":
            continue
        c = a.candidates.index[row.candidate_id]
        p = a.positions.index[row.position_id]
        lead = -1 if row.lead_guide_id is None else a.guides.index[row.lead_guide_id]
        tutor = -1 if row.tutor_id is None else a.tutors.index[row.tutor_id]
        op = -1 if row.operator_id is None else a.operators.index[row.operator_id]
        gain = next(gn for pp, gg, t, o, gn in options[c] if (pp, gg, t, o) == (p, lead, tutor, op))
        squad = tuple(sorted(a.guides.index[h] for h in row.squad_ids))
        for h in squad:
            x = member_gain(scores, c, h, p, bonus)
            assert x is not None, "the engine chose a squad member the rules forbid"
            gain += x
        choice[c] = (p, lead, squad, gain, tutor, op)
    tiers = joint_tiers(scores, policy, choice, fair=fair)
    assert tiers is not None, "the engine broke a capacity"
    return tiers


def squad_best(scores: mw.Scores, result: mw.MatchResult, existing, policy: mw.Policy) -> tuple[int, int]:
    a, cap = scores.arrays, scores.capacities
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
        p = a.positions.index[row.position_id]
        lead = -1 if row.lead_guide_id is None else a.guides.index[row.lead_guide_id]
        opts = []
        for gi in np.flatnonzero(a.guides.site == site).tolist():
            x = member_gain(scores, c, gi, p, bonus) if gi != lead else None
            if x is not None:
                opts.append((gi, x))
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
    """The peer stage's optimum (given, points) by enumeration, from the result's placements.

    Who is offered a supporter: people placed, and people waiting when
    ``policy.team.peer_for_waiting``; each wants one or has a peer pin. The peer table
    is checked against each person's team as the result lists it (lead and squad by
    id), pins hold, and every supporter keeps within their hours and people.
    """
    a, cap = scores.arrays, scores.capacities
    asg = result.assignments
    n_c = len(a.candidates)
    lead = np.full(n_c, -1)
    squad = np.full((n_c, max(policy.caps.squad_size, 1) + 2), -1)
    for row in asg.itertuples():
        c = a.candidates.index[row.candidate_id]
        if row.lead_guide_id is not None:
            lead[c] = a.guides.index[row.lead_guide_id]
        for k, g in enumerate(row.squad_ids):
            squad[c, k] = a.guides.index[g]
    tutor, operator = np.full(n_c, -1), np.full(n_c, -1)
    for row in asg.itertuples():
        c = a.candidates.index[row.candidate_id]
        if row.tutor_id is not None:
            tutor[c] = a.tutors.index[row.tutor_id]
        if row.operator_id is not None:
            operator[c] = a.operators.index[row.operator_id]
    t = scores.with_team(mw.scoring.rules.Team(lead, squad, tutor, operator)).peer
    bonus = round(policy.solver.continuity_bonus * SCALE)
    placed = {a.candidates.index[x] for x in asg.loc[asg.status == "matched", "candidate_id"]}
    offered = set(range(n_c)) if policy.team.peer_for_waiting else placed
    pinned = {a.candidates.index[p.candidate_id] for p in scores.scorer.round.pins if p.partner_id in a.peers.index}
    w = policy.solver.peer_load_cost * SCALE
    segments = [
        hour_segments(u, lim, room, w)
        for u, lim, room in zip(cap.peer_limit - cap.peer_hours, cap.peer_limit, cap.peer_hours, strict=True)
    ]
    per_candidate = []
    for c in sorted(offered):
        if not (a.candidates.wants_peer[c] or c in pinned):
            continue
        opts = [
            (int(t.cols[j]), round(t.total[j] * SCALE) + bonus * (existing.peer.get(c) == t.cols[j]), c)
            for j in np.flatnonzero(t.rows == c)
            if t.feasible("peer")[j]
        ]
        per_candidate.append(opts if c in pinned else [None, *opts])
    best = (-1, 0.0)
    for choice in itertools.product(*per_candidate):
        picked = [o for o in choice if o is not None]
        on = [p for p, _, _ in picked]
        hours = np.bincount(on, weights=[cap.hours_needed[c] for _, _, c in picked], minlength=len(a.peers))
        if np.any(hours > cap.peer_hours + 1e-9) or np.any(np.bincount(on, minlength=len(a.peers)) > cap.peer_people):
            continue
        cost = sum(float(hour_cost(np.array(h), *segments[p])) for p, h in enumerate(hours))
        best = max(best, (len(picked), sum(g for _, g, _ in picked) - cost))
    return best


def peer_problem_best(problem, fair: bool = False) -> tuple[int, float, float] | None:
    """The optimum of a :class:`~matchwork.solve.peer.PeerProblem` by enumeration: (count, floor, value).

    ``floor`` is the lowest gain of a chosen unpinned pair (``fair`` only; +inf when
    none, 0 under ``total``). Hour costs fill each supporter's cheapest segments
    first. None when the pins cannot all be honoured.
    """
    p = problem
    n_c = len(p.pinned)
    per_candidate = []
    for c in range(n_c):
        mine = [int(i) for i in np.flatnonzero(p.cand == c)]
        if not mine and not p.pinned[c]:
            continue
        per_candidate.append(mine if p.pinned[c] else [None, *mine])
    best = None
    for choice in itertools.product(*per_candidate):
        picked = [i for i in choice if i is not None]
        peers = p.peer[picked].astype(np.int64)
        load = np.bincount(peers, weights=p.hours[picked], minlength=len(p.people))
        if np.any(load > p.seg_len.sum(axis=1) + 1e-9) or np.any(
            np.bincount(peers, minlength=len(p.people)) > p.people
        ):
            continue
        cost = 0.0
        for q in range(len(p.people)):  # segments one by one, cheapest first
            left = load[q]
            for length, price in sorted(zip(p.seg_len[q], p.seg_cost[q], strict=True), key=lambda s: s[1]):
                take = min(left, length)
                cost += take * price
                left -= take
        value = float(sum(int(p.gain[i]) for i in picked)) - cost
        free = [int(p.gain[i]) for i in picked if not p.pinned[p.cand[i]]]
        floor = (min(free) if free else math.inf) if fair else 0.0
        key = (len(picked), floor, value)
        if best is None or key > best:
            best = key
    return best
