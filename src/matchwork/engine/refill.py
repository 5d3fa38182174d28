"""A kept placement that lacks a partner gets one before the round's stages.

People whose placement in place is kept leave the round's stages
(:mod:`matchwork.engine.continuity`), but one of their pairings may have ended while
the placement goes on: the company tutor left the firm, the desk operator's caseload
moved, the peer relationship broke down (the programme then files a re-match
request). :func:`refill` gives each such person a partner in that role from the room
left, before the newcomers are matched, as the stages would choose one:

* a **company tutor** of the person's site, and a **desk operator**, where the site's
  kind needs one (``policy.team``) and none is in place — the law asks for a tutor by
  name for every traineeship (seed 003);
* a **peer supporter** for a person who wants one and has none in place.

A placement whose site needs a tutor or an operator and gets none (nobody the rules
allow has room) keeps the rule as an issue (``no_tutor_available``,
``no_operator_available``): with ``continuity.keep = "always"`` it is
``kept_with_issue`` for the case team to review; with ``"unless_rule"`` the person is
released and matched again, as for any rule a kept placement fails. Room that the
newcomers' pins hold (a pinned tutor, operator or peer supporter; a tutor's place at
a pinned host company) is left to them.

The rules of the role apply as in the stages (a breakdown's cool-down, therapeutic
relationships with anyone of the person's team, languages, areas), and so do the
caps: tutors' trainees, operators' caseloads, supporters' hours and people. Among the
allowed choices: the most people served, then the best scores (tutors and operators:
the emptiest first; peer supporters: :func:`~matchwork.solve.peer.solve_peer_problem`,
with the convex hour cost). People in place come first because their placement is a
fact of their path; the newcomers share what is left. Each new pairing is a row of
:attr:`MatchResult.changes <matchwork.MatchResult.changes>` (``change`` ``added``,
``reason`` ``none_in_place``) and the partner's load is carried into the round the
stages solve.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from matchwork.engine.context import SCALE, by_label, ramp
from matchwork.engine.continuity import CHANGE_COLUMNS, ContinuityPlan
from matchwork.engine.continuity import plan as plan_round
from matchwork.engine.peer import segment_matrices, supporter_segments
from matchwork.limits import site_needs
from matchwork.model.policy import Policy
from matchwork.model.round import Round
from matchwork.model.validation import NOBODY_LEFT_OK
from matchwork.scoring.arrays import ProfileArrays
from matchwork.scoring.capacity import Capacities
from matchwork.scoring.rules import RULE_BY_CODE, Team, role_mask
from matchwork.scoring.scorer import Scorer, ScoreTable, concat_tables
from matchwork.solve.peer import PeerProblem, solve_peer_problem

__all__ = ["refill"]

# room is read from the capacities of the round the stages solve, not from these rules: in the plan's
# round the kept people's own pairings are released as for any candidate of it
_ROOM_RULES = ("tutor_full", "operator_full", "peer_hours", "peer_people_full")
_ROOM_MASK = sum(RULE_BY_CODE[c].mask for c in _ROOM_RULES if c in RULE_BY_CODE)


def refill(plan: ContinuityPlan, policy: Policy) -> ContinuityPlan:
    """Give kept people the company tutor, desk operator or peer supporter they lack.

    Parameters
    ----------
    plan : ContinuityPlan
        What :func:`~matchwork.engine.continuity.plan` keeps.
    policy : Policy

    Returns
    -------
    ContinuityPlan
        The same plan when nobody lacks a partner; otherwise with the new partners in
        ``kept``, a row ``added`` per new pairing in ``changes``, their loads carried
        by the round the stages solve, and their score cells for the explanations.

    Examples
    --------
    >>> import matchwork as mw
    >>> from matchwork.engine.continuity import plan
    >>> rnd = mw.synth.round(300, seed=0)
    >>> before = plan(rnd, mw.Policy.default())
    >>> after = refill(before, mw.Policy.default())
    >>> wanting = {c.id for c in rnd.candidates if c.wants_peer}
    >>> lacking = before.kept.candidate_id.isin(wanting) & before.kept.peer_id.isna()
    >>> int(lacking.sum()), int((after.kept.candidate_id.isin(wanting) & after.kept.peer_id.isna()).sum())
    (8, 0)
    >>> sorted(set(after.changes.query("change == 'added'").role))
    ['peer']
    """
    if plan.kept.empty or plan.timed is None:
        return plan
    scorer = plan.scorer if plan.scorer is not None else Scorer(plan.timed, policy)
    a = scorer.arrays
    kept = plan.kept
    cand = np.array([a.candidates.index[c] for c in kept.candidate_id], dtype=np.int64)
    site = np.array([a.sites.index[s] for s in kept.site_id], dtype=np.int64)
    _, need_tutor, need_operator = site_needs(scorer)
    lacks = {
        "tutor": need_tutor[site] & kept.tutor_id.isna().to_numpy(),
        "operator": need_operator[site] & kept.operator_id.isna().to_numpy(),
        "peer": a.candidates.wants_peer[cand] & kept.peer_id.isna().to_numpy(),
    }
    if not any(x.any() for x in lacks.values()):
        return plan
    solved = ProfileArrays(plan.round)
    room = _reserved(plan.round, scorer, _within_records(solved, Capacities.compute(solved, policy)))
    chosen: dict[str, dict[int, int]] = {}  # role → kept row → the chosen cell of tables[role]
    tables: dict[str, ScoreTable] = {}
    for role, col_site in (("tutor", True), ("operator", False)):
        rows = np.flatnonzero(lacks[role])
        if len(rows):
            tables[role], pick = _staff(scorer, role, cand[rows], site[rows] if col_site else None, room)
            chosen[role] = {int(rows[i]): k for i, k in pick.items()}
    rows = np.flatnonzero(lacks["peer"])
    if len(rows) and len(a.peers):
        staff = {role: {i: int(tables[role].cols[k]) for i, k in picks.items()} for role, picks in chosen.items()}
        team = _team(scorer, kept, cand, staff, policy.caps.squad_size)
        tables["peer"], pick = _peers(scorer, cand[rows], team, room, policy)
        chosen["peer"] = {int(rows[i]): k for i, k in pick.items()}
    open_ = {role: _allowed(t, role) & _has_room(scorer, room, role, t) for role, t in tables.items()}
    kept = _unstaffed(kept, lacks, chosen)
    if policy.continuity.keep == "unless_rule":  # a placement without the tutor or operator it needs is released
        codes = {"no_tutor_available", "no_operator_available"}
        issues: list[tuple[str, ...]] = list(kept.issues)
        found = {str(c): sorted(codes & set(i)) for c, i in zip(kept.candidate_id, issues, strict=True)}
        release = {c: codes_of[0] for c, codes_of in found.items() if codes_of}
        if release:
            return refill(plan_round(plan.full, policy, release=release), policy)
    return _applied(dataclasses.replace(plan, kept=kept), scorer, chosen, tables, open_, cand)


def _within_records(a: ProfileArrays, cap: Capacities) -> Capacities:
    """The room no further than the partners' own stated maximum allows on their records.

    The round's room counts as free the places of its candidates' pairings in place
    (they are matched again); the loads refill adds go on the partners' records, which
    must stay within their stated maximum, so that room is not given out here.
    """
    tutor = np.where(a.tutors.max_trainees >= 0, a.tutors.max_trainees - a.tutors.current, cap.tutor_room)
    operator = np.where(
        a.operators.max_caseload >= 0, a.operators.max_caseload - a.operators.current, cap.operator_room
    )
    hours = np.where(np.isnan(a.peers.hours_stated), cap.peer_hours, a.peers.hours_stated - a.peers.hours_in_use)
    return dataclasses.replace(
        cap,
        tutor_room=np.minimum(cap.tutor_room, np.maximum(tutor, 0)),
        operator_room=np.minimum(cap.operator_room, np.maximum(operator, 0)),
        peer_hours=np.minimum(cap.peer_hours, np.maximum(hours, 0.0)),
    )


def _reserved(rnd: Round, scorer: Scorer, cap: Capacities) -> Capacities:
    """The room left once the newcomers' pins have theirs: a pin to a tutor, an operator or a peer supporter
    holds a place there (and the person's hours), a pin to a host company one of its tutors' places."""
    a = scorer.arrays
    tutor, operator = cap.tutor_room.copy(), cap.operator_room.copy()
    people, hours = cap.peer_people.copy(), cap.peer_hours.copy()
    pinned_tutor = {p.candidate_id for p in rnd.pins if rnd.role_of(p.partner_id) == "tutor"}
    for pin in rnd.pins:
        kind, pid = rnd.role_of(pin.partner_id), pin.partner_id
        if kind == "tutor":
            tutor[a.tutors.index[pid]] -= 1
        elif kind == "operator":
            operator[a.operators.index[pid]] -= 1
        elif kind == "peer":
            people[a.peers.index[pid]] -= 1
            hours[a.peers.index[pid]] -= scorer.capacities.hours_needed[a.candidates.index[pin.candidate_id]]
        elif kind in ("site", "position") and pin.candidate_id not in pinned_tutor:
            site = a.sites.index[pid if kind == "site" else rnd.site_of_position[pid]]
            at_site = np.flatnonzero(a.tutors.site == site)
            if len(at_site):  # a host company's placement takes a tutor's place: the roomiest one's
                tutor[at_site[np.argmax(tutor[at_site])]] -= 1
    return dataclasses.replace(
        cap,
        tutor_room=np.maximum(tutor, 0),
        operator_room=np.maximum(operator, 0),
        peer_people=np.maximum(people, 0),
        peer_hours=np.maximum(hours, 0.0),
    )


def _unstaffed(kept: pd.DataFrame, lacks: dict[str, np.ndarray], chosen: dict[str, dict[int, int]]) -> pd.DataFrame:
    """Kept placements still without the company tutor or desk operator their site needs: an issue of theirs."""
    issues = list(kept.issues)
    for role, code in (("tutor", "no_tutor_available"), ("operator", "no_operator_available")):
        for i in np.flatnonzero(lacks[role]).tolist():
            if i not in chosen.get(role, {}):
                issues[i] = tuple(sorted({*issues[i], code}))
    return kept.assign(issues=pd.Series(issues, index=kept.index, dtype=object))


def _has_room(scorer: Scorer, cap: Capacities, role: str, table: ScoreTable) -> np.ndarray:
    """Per cell: whether its partner has room for the person."""
    if role == "tutor":
        return cap.tutor_room[table.cols] > 0
    if role == "operator":
        return cap.operator_room[table.cols] > 0
    hours = scorer.capacities.hours_needed[table.rows]
    return (cap.peer_people[table.cols] > 0) & (cap.peer_hours[table.cols] + 1e-9 >= hours)


def _allowed(table: ScoreTable, role: str) -> np.ndarray:
    return (table.reasons & (role_mask(role) & ~_ROOM_MASK)) == 0


def _staff(
    scorer: Scorer, role: str, cand: np.ndarray, site: np.ndarray | None, cap: Capacities
) -> tuple[ScoreTable, dict[int, int]]:
    """Tutors of each person's site (or the operators of their area): the most people, then the best scores,
    the emptiest first.

    Returns the scored cells and, per person (position in ``cand``), the chosen cell:
    the Hungarian method (``linear_sum_assignment``) on one column per free place, one
    connected group of people and partners at a time (a site's tutors, an area's
    operators), so that no matrix spans the country.
    """
    from scipy.optimize import linear_sum_assignment

    partners = scorer.arrays.tutors if role == "tutor" else scorer.arrays.operators
    if site is None:  # the operators serving each person's area
        rows, partner = scorer.operator_pairs(cand)
        order = np.argsort(cand)
        person = order[np.searchsorted(cand[order], rows)]
    else:  # the tutors of each person's site
        by_site = np.argsort(partners.site, kind="stable")
        lo = np.searchsorted(partners.site[by_site], site, side="left")
        count = np.searchsorted(partners.site[by_site], site, side="right") - lo
        person = np.repeat(np.arange(len(cand)), count)
        partner = by_site[np.repeat(lo, count) + ramp(count)]
    table = scorer.cells(role, cand[person], partner)
    order = np.argsort(cand)
    who = order[np.searchsorted(cand[order], table.rows)]  # each cell's person
    room = np.maximum(cap.tutor_room if role == "tutor" else cap.operator_room, 0)
    limit = np.maximum(cap.tutor_limit if role == "tutor" else cap.operator_limit, 1)
    ok = np.flatnonzero(_allowed(table, role) & (room[table.cols] > 0))
    picks: dict[int, int] = {}
    if not len(ok):
        return table, picks
    n = len(cand)
    graph = sp.csr_array((np.ones(len(ok)), (who[ok], n + table.cols[ok])), shape=(n + len(room), n + len(room)))
    _, label = connected_components(graph, directed=False)
    for cells in by_label(label[who[ok]]):
        cell = ok[cells]
        people, local = np.unique(who[cell], return_inverse=True)
        used = np.unique(table.cols[cell])
        places = np.minimum(room[used], len(people))  # one column per free place a person could take
        start = np.r_[0, np.cumsum(places)[:-1]]
        q = np.searchsorted(used, table.cols[cell])
        col_cell = np.repeat(cell, places[q])
        k = ramp(places[q])
        column = np.repeat(start[q], places[q]) + k
        part = table.cols[col_cell]
        load = (limit[part] - room[part] + k + 1) / limit[part]  # the k-th new person of a partner: convex
        value = np.zeros((len(people), int(places.sum())))
        picked = np.full(value.shape, -1, dtype=np.int64)
        at = np.repeat(local.ravel(), places[q])
        value[at, column] = 1e6 + table.total[col_cell] - 1e-3 * load
        picked[at, column] = col_cell
        r, c = linear_sum_assignment(value, maximize=True)
        picks |= {int(people[i]): int(picked[i, j]) for i, j in zip(r, c, strict=True) if picked[i, j] >= 0}
    return table, picks


def _team(scorer: Scorer, kept: pd.DataFrame, cand: np.ndarray, chosen: dict[str, dict[int, int]], size: int) -> Team:
    """The kept people's lead, squad, tutor and operator (new ones included), as the peer rules read them."""
    a = scorer.arrays
    team = Team.empty(len(a.candidates), max(size, max((len(s) for s in kept.squad_ids), default=0)))
    new_tutor, new_operator = chosen.get("tutor", {}), chosen.get("operator", {})
    row: Any
    for i, row in enumerate(kept.itertuples(index=False)):
        c = cand[i]
        if row.lead_guide_id is not None:
            team.lead[c] = a.guides.index[row.lead_guide_id]
        for k, g in enumerate(row.squad_ids):
            team.squad[c, k] = a.guides.index[g]
        team.tutor[c] = a.tutors.index[row.tutor_id] if row.tutor_id is not None else new_tutor.get(i, -1)
        team.operator[c] = (
            a.operators.index[row.operator_id] if row.operator_id is not None else new_operator.get(i, -1)
        )
    return team


def _peers(
    scorer: Scorer, cand: np.ndarray, team: Team, cap: Capacities, policy: Policy
) -> tuple[ScoreTable, dict[int, int]]:
    """Peer supporters for the people in place who lack one (the peer stage's problem on them alone)."""
    table = scorer.with_team(scorer.cells("peer", *scorer.peer_pairs(cand)), team)
    ok = np.flatnonzero(_allowed(table, "peer"))
    rows, cols = table.rows[ok].astype(np.int64), table.cols[ok].astype(np.int64)
    seg_len, seg_cost = segment_matrices(supporter_segments(cap, policy.solver.peer_load_cost * SCALE))
    order = np.argsort(cand)
    local = order[np.searchsorted(cand[order], rows)]  # each pair's person: a position in ``cand``
    problem = PeerProblem(
        cand=local,
        peer=cols,
        gain=np.round(table.total[ok] * SCALE).astype(np.int64),
        hours=scorer.capacities.hours_needed[rows],
        seg_len=seg_len,
        seg_cost=seg_cost,
        people=np.maximum(np.asarray(cap.peer_people, dtype=np.int64), 0),
        pinned=np.zeros(len(cand), dtype=bool),
    )
    sol = solve_peer_problem(problem, time_limit=policy.solver.time_limit)
    return table, {int(local[k]): int(ok[k]) for k in np.flatnonzero(sol.chosen)}


def _applied(
    plan: ContinuityPlan,
    scorer: Scorer,
    chosen: dict[str, dict[int, int]],
    tables: dict[str, ScoreTable],
    open_: dict[str, np.ndarray],
    cand: np.ndarray,
) -> ContinuityPlan:
    """The plan with the new partners: kept rows, ``added`` changes, loads carried, cells for explanations.

    Each new partner is recorded in ``added`` as ``(role, rank, options)``: its rank by
    score among the partners the rules allowed that had room (None for tutors and
    operators, who carry no score), and how many those were.
    """
    a = scorer.arrays
    day = plan.timed.date if plan.timed is not None else None
    partners = {"tutor": a.tutors, "operator": a.operators, "peer": a.peers}
    ids = [str(c) for c in plan.kept.candidate_id]
    column: dict[str, list[Any]] = {c: plan.kept[c].tolist() for c in ("tutor_id", "operator_id", "peer_id", "added")}
    peer_score = plan.kept.peer_score.to_numpy(dtype=float, copy=True)
    changes: list[dict[str, Any]] = []
    all_tables, pairs = dict(plan.tables), dict(plan.pairs)
    added: dict[str, dict[str, list[int]]] = {r: {} for r in partners}  # role → partner id → kept people (cand)
    for role, picks in chosen.items():
        table = tables[role]
        offset = len(all_tables[role]) if role in all_tables else 0
        all_tables[role] = concat_tables([all_tables[role], table]) if role in all_tables else table
        for i, k in sorted(picks.items()):
            pid = str(partners[role].ids[int(table.cols[k])])
            column[f"{role}_id"][i] = pid
            same = np.flatnonzero(open_[role] & (table.rows == table.rows[k]))
            scored = role == "peer"  # tutors and operators carry no score: chosen by load, no rank
            rank = 1 + int((table.total[same] > table.total[k] + 1e-9).sum()) if scored else None
            column["added"][i] = (*column["added"][i], (role, rank, len(same)))
            if role == "peer":
                peer_score[i] = float(table.total[k])
            pairs[(ids[i], role)] = offset + k
            added[role].setdefault(pid, []).append(int(cand[i]))
            row = {"candidate_id": ids[i], "role": role, "partner_id": pid, "since": day, "until": None}
            changes.append(row | {"change": "added", "reason": "none_in_place"})
    kept = plan.kept.assign(
        **{c: pd.Series(v, index=plan.kept.index, dtype=object) for c, v in column.items()}, peer_score=peer_score
    )
    hours = scorer.capacities.hours_needed
    rnd = _loads_carried(plan.round, added, hours)
    frame = pd.concat([plan.changes, pd.DataFrame(changes, columns=list(CHANGE_COLUMNS))], ignore_index=True)
    frame = frame.sort_values(["candidate_id", "role", "partner_id"], kind="stable").reset_index(drop=True)
    return dataclasses.replace(plan, round=rnd, kept=kept, changes=frame, tables=all_tables, pairs=pairs)


def _loads_carried(rnd: Round, added: dict[str, dict[str, list[int]]], hours: np.ndarray) -> Round:
    """The round whose tutors, operators and peer supporters carry the kept people's new pairings."""
    if not any(added.values()):
        return rnd
    in_place: dict[str, int] = {}
    for p in rnd.pairings:
        if p.role.value == "peer":
            in_place[p.partner_id] = in_place.get(p.partner_id, 0) + 1
    tutors = [
        t.model_copy(update={"current_trainees": t.current_trainees + len(added["tutor"][t.id])})
        if t.id in added["tutor"]
        else t
        for t in rnd.tutors
    ]
    operators = [
        o.model_copy(update={"caseload": o.caseload + len(added["operator"][o.id])}) if o.id in added["operator"] else o
        for o in rnd.operators
    ]
    peers = [
        e.model_copy(
            update={
                "hours_in_use": e.hours_in_use + float(hours[added["peer"][e.id]].sum()),
                "current_people": (e.current_people if e.current_people is not None else in_place.get(e.id, 0))
                + len(added["peer"][e.id]),
            }
        )
        if e.id in added["peer"]
        else e
        for e in rnd.peers
    ]
    token = NOBODY_LEFT_OK.set(True)  # every placement kept: nobody left to match is a round too
    try:
        return rnd.replace(tutors=tutors, operators=operators, peers=peers)
    finally:
        NOBODY_LEFT_OK.reset(token)
