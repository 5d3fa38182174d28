"""Stages 1 and 2: a position, a lead guide and a squad for each person, chosen together in one exact optimisation.

The choice is lexicographic (no weighted sum mixes the goals):

1. the most people placed — with ``squad.require_full`` (the default) only with a
   full squad of ``caps.squad_size`` eligible guide workers of their site;
2. with the ``fair`` objective, the highest lowest placement gain (site + lead
   score) among the people placed, pinned people aside;
3. the fewest squad members missing: a placement that needs a squad (one with a
   lead guide) misses ``caps.squad_size`` minus its members; one at a host company
   (a company tutor and a desk operator instead) misses none. It varies only with
   partial squads (``require_full = false``, or a pinned person whose site cannot
   give a full squad): a cooperative's placement is never preferred to a host
   company's for its squad alone, the scores decide between them;
4. the best total: site, lead and squad scores, continuity bonuses, minus convex
   load costs of the guides.

**Formulation.** A *column* is one whole option of one person: a position, a lead
guide of that site (who may lead and, if they belong to a position's team, in that
position) and a squad — a set of the site's other guide workers that every rule
allows. Rows: one placement per person (exactly one if pinned); a position's
openings; a site's company-tutor limit and its legal trainee limit (the latter
over the candidates the rule set does not exempt); per guide a lead balance and a
newcomer balance whose unit *segments* carry the convex load costs; and per site
a valid cut ``full placements <= K`` where ``K`` is the largest ``P`` with
``(squad_size + 1) × P <= Σ_guides min(room, P)`` over the guides some option of
the site can take as lead or squad member (each full placement takes
``squad_size + 1`` different guides of the site, none more than once) and whose
leads can lead ``P`` (:func:`_usable_bound`), which makes the linear relaxation
integral where guides are scarce. Guides belong to one
site and people couple sites only through "one placement each", so the problem
splits into connected components (provinces) solved one by one.

**Method.** Column generation (:class:`~matchwork.solve.packing.PackingSolver`):
the oracle here prices every (person, position, lead) option at once and
completes it with its best squad under the guides' prices
(:meth:`~matchwork.engine.squad.Members.best`). Each tier ends with a certificate
over all columns; a fractional linear optimum goes to branch and bound over the
columns that could matter (at most :data:`~matchwork.solve.packing.WITHIN_LIMIT`
of them: where more could, the tier is reported ``time_limit`` with its proven
gap). The result says per stage how its solve ended.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import connected_components

from matchwork.engine.context import SCALE, StageContext, by_label, in_pairs
from matchwork.engine.context import ramp as _ramp
from matchwork.engine.squad import Members, squad_options
from matchwork.errors import MatchError
from matchwork.limits import site_needs as _site_needs
from matchwork.model.vocab import Role
from matchwork.result import StageSolution
from matchwork.scoring.rules import reason_codes
from matchwork.solve.milp import SolveStatus
from matchwork.solve.packing import Columns, InfeasibleError, PackingSolver, TierOutcome

__all__ = ["PARALLEL_MIN_OPTIONS", "TIERS", "JointSolution", "joint_options", "site_capacity_bound", "solve_joint"]

TIERS = ("placed", "squad_members", "value")
"""The tiers every column has a value in: placed (1), squad members less the squad it needs (0 when full, negative
when short), value (integer units)."""
PLACED, MEMBERS, VALUE = (np.eye(3)[i] for i in range(3))

PARALLEL_MIN_OPTIONS = 200_000
"""Rounds with at least this many placement options solve their components one per process."""

_BLOCK = 1 << 20
"""Squads :meth:`JointOracle.within` scores at once (options x combinations of their members)."""


def site_needs(ctx: StageContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per site, whether a placement needs a lead guide, a company tutor, a desk operator.

    See :func:`matchwork.limits.site_needs`.
    """
    return _site_needs(ctx.scores)


def joint_options(ctx: StageContext) -> dict[str, np.ndarray]:
    """Every allowed placement option with its scores and gain.

    An option is a (candidate, position) the site rules allow, with a lead guide of
    the position's team where the site needs one (``guide``, else -1), the set of the
    site's company tutors who may follow the candidate where it needs a tutor
    (``tutor_set``, an index into ``tutor_sets``, else -1) and the set of desk
    operators who may take the candidate where it needs one (``operator_set`` into
    ``operator_sets``, else -1). A pairing in place with a tutor or operator adds a
    variant of the option whose set is that partner alone, with the continuity bonus.
    """
    a, s, g = ctx.arrays, ctx.scores.site, ctx.scores.guide
    gp = ctx.scores["guide_position"]
    need_lead, need_tutor, need_op = site_needs(ctx)
    ok_s = s.feasible("site")
    st = np.flatnonzero(ok_s)
    sp_ = s.cols[st].astype(np.int64)
    ssite = a.positions.site[sp_].astype(np.int64)
    n_g = len(a.guides)
    # with a lead: (candidate, position) x (guide, position) of the team x (candidate, guide) allowed to lead
    lead_side = need_lead[ssite]
    kk = np.flatnonzero(gp.feasible("lead_guide"))
    gp_guide, gp_pos = gp.rows[kk].astype(np.int64), gp.cols[kk].astype(np.int64)
    li, ri = _join(sp_[lead_side], gp_pos)
    s_i, k_i = st[lead_side][li], kk[ri]
    ok_g = np.flatnonzero(g.feasible("lead_guide") & a.guides.can_lead[g.cols])
    gkey = g.rows[ok_g].astype(np.int64) * n_g + g.cols[ok_g]
    lj, rj = _join(s.rows[s_i].astype(np.int64) * n_g + gp_guide[ri], gkey)
    s_i, k_i, g_i = s_i[lj], k_i[lj], ok_g[rj]
    guide_score = g.total[g_i] + gp.total[k_i]
    floor = ctx.policy.scoring.min_score.get("guide", 0.0)
    keep = guide_score + 1e-9 >= floor
    s_i, k_i, g_i, guide_score = s_i[keep], k_i[keep], g_i[keep], guide_score[keep]
    # without a lead
    free = st[~lead_side]
    si = np.r_[s_i, free]
    gi = np.r_[g_i, np.full(len(free), -1, dtype=np.int64)]
    ki = np.r_[k_i, np.full(len(free), -1, dtype=np.int64)]
    gscore = np.r_[guide_score, np.full(len(free), np.nan)]
    cand, pos = s.rows[si].astype(np.int64), s.cols[si].astype(np.int64)
    site = a.positions.site[pos].astype(np.int64)
    guide = np.where(gi >= 0, g.cols[np.maximum(gi, 0)], -1).astype(np.int64)
    tset, tutor_sets = _tutor_sets(ctx, cand, site, need_tutor[site])
    oset, operator_sets = _operator_sets(ctx, cand, need_op[site])
    bonus = ctx.bonus * (
        in_pairs(cand, pos, ctx.existing.site, len(a.positions)).astype(np.int64)
        + (guide >= 0) * in_pairs(cand, np.maximum(guide, 0), ctx.existing.lead, len(a.guides))
    )
    bonus = bonus + ctx.priority_gain[cand]  # after a breakdown: placed first at equal placements
    base = np.round((s.total[si] + np.nan_to_num(gscore)) * SCALE).astype(np.int64) + bonus
    opt = {
        "cand": cand,
        "pos": pos,
        "guide": guide,
        "site": site,
        "site_pair": si,
        "guide_pair": gi,
        "gp_pair": ki,
        "site_score": s.total[si],
        "guide_score": gscore,
        "gain": base,
        "tutor_set": tset,
        "operator_set": oset,
    }
    held = _pinned_partners_held(ctx, cand, tset, tutor_sets, oset, operator_sets)
    opt = {k: v[held] for k, v in opt.items()}
    opt, tutor_sets, operator_sets = _continuity_variants(ctx, opt, tutor_sets, operator_sets)
    order = np.lexsort((opt["operator_set"], opt["tutor_set"], opt["guide"], opt["pos"], opt["cand"]))
    out = {k: v[order] for k, v in opt.items()}
    out["tutor_sets"] = tutor_sets
    out["operator_sets"] = operator_sets
    return out


def _tutor_sets(
    ctx: StageContext, cand: np.ndarray, site: np.ndarray, needs: np.ndarray
) -> tuple[np.ndarray, sp.csr_array]:
    """Per option, the set of its site's tutors who may follow the candidate (an index, -1 where none is needed).

    Returns the index per option and the distinct sets (:func:`_distinct_sets`).
    """
    a, t = ctx.arrays, ctx.scores["tutor"]
    n_t, n_s = len(a.tutors), len(a.sites)
    ok = np.flatnonzero(t.feasible("tutor"))
    tc, tt = t.rows[ok].astype(np.int64), t.cols[ok].astype(np.int64)
    key = tc * n_s + a.tutors.site[tt]
    # every (candidate, site) an option needs: its allowed tutors
    wanted, inverse = np.unique(cand[needs] * n_s + site[needs], return_inverse=True)
    at = np.searchsorted(wanted, key)
    hit = (at < len(wanted)) & (wanted[np.minimum(at, max(len(wanted) - 1, 0))] == key) if len(wanted) else at < 0
    which, sets = _distinct_sets(at[hit], tt[hit], len(wanted), n_t)
    out = np.full(len(cand), -1, dtype=np.int64)
    out[needs] = which[inverse.ravel()]
    return out, sets


def _operator_sets(ctx: StageContext, cand: np.ndarray, needs: np.ndarray) -> tuple[np.ndarray, sp.csr_array]:
    """Per option, the set of operators who may take its candidate (an index, -1 where none is needed)."""
    a, o = ctx.arrays, ctx.scores["operator"]
    n_c, n_o = len(a.candidates), len(a.operators)
    if not n_o or not needs.any():
        return np.full(len(cand), -1, dtype=np.int64), sp.csr_array((0, n_o), dtype=bool)
    ok = np.flatnonzero(o.feasible("operator"))
    which, sets = _distinct_sets(o.rows[ok].astype(np.int64), o.cols[ok].astype(np.int64), n_c, n_o)
    out = np.full(len(cand), -1, dtype=np.int64)
    out[needs] = which[cand[needs]]
    return out, sets


def _distinct_sets(
    row: np.ndarray, partner: np.ndarray, n_rows: int, n_partners: int
) -> tuple[np.ndarray, sp.csr_array]:
    """Each row's set of partners (from its ``(row, partner)`` pairs): an index into the distinct sets.

    The sets are a sparse boolean matrix (sets x partners, sorted indices): a
    national round has two million (candidate, site) rows and twenty thousand
    tutors, whose dense matrix would take 37 GiB. Rows are compared as their sorted
    partners padded with -1 (a site has a handful of tutors, an area of operators).
    """
    key = np.unique(row.astype(np.int64) * n_partners + partner)
    row, partner = np.divmod(key, n_partners)
    count = np.bincount(row, minlength=n_rows)
    start = np.r_[0, np.cumsum(count)[:-1]]
    padded = np.full((n_rows, int(count.max(initial=0))), -1, dtype=np.int32)
    padded[row, np.arange(len(row)) - start[row]] = partner
    distinct, which = np.unique(padded, axis=0, return_inverse=True)
    valid = distinct >= 0
    sets = sp.csr_array(
        (np.ones(int(valid.sum()), dtype=bool), distinct[valid], np.r_[0, np.cumsum(valid.sum(axis=1))]),
        shape=(len(distinct), n_partners),
    )
    return np.asarray(which, dtype=np.int64).ravel(), sets


def _holds(sets: sp.csr_array, set_id: np.ndarray, partner: np.ndarray) -> np.ndarray:
    """Whether set ``set_id[i]`` holds ``partner[i]`` (sets with sorted indices)."""
    n_p = sets.shape[1]
    keys = np.repeat(np.arange(sets.shape[0], dtype=np.int64), np.diff(sets.indptr)) * n_p + sets.indices
    want = np.asarray(set_id, dtype=np.int64) * n_p + partner
    at = np.minimum(np.searchsorted(keys, want), max(len(keys) - 1, 0))
    return (keys[at] == want) if len(keys) else np.zeros(len(want), dtype=bool)


def _pinned_partners_held(
    ctx: StageContext,
    cand: np.ndarray,
    tset: np.ndarray,
    tutor_sets: sp.csr_array,
    oset: np.ndarray,
    operator_sets: sp.csr_array,
) -> np.ndarray:
    """Per option, whether it honours its candidate's company tutor and desk operator pins.

    A pin on a tutor or an operator is a placement pin (:meth:`StageContext.pinned`):
    the person is placed with that partner, so only options whose set of allowed
    tutors (operators) holds the pinned one are kept — none at a site that needs no
    tutor (operator).
    """
    a, rnd = ctx.arrays, ctx.round
    held = np.ones(len(cand), dtype=bool)
    for pin in rnd.pins:
        kind = rnd.role_of(pin.partner_id)
        if kind not in ("tutor", "operator"):
            continue
        sets, idx = (tutor_sets, tset) if kind == "tutor" else (operator_sets, oset)
        partner = (a.tutors if kind == "tutor" else a.operators).index[pin.partner_id]
        ok = idx >= 0
        ok[ok] = _holds(sets, idx[ok], np.full(int(ok.sum()), partner))
        held &= (cand != a.candidates.index[pin.candidate_id]) | ok
    return held


def _continuity_variants(
    ctx: StageContext, opt: dict[str, np.ndarray], tutor_sets: sp.csr_array, operator_sets: sp.csr_array
) -> tuple[dict[str, np.ndarray], sp.csr_array, sp.csr_array]:
    """Add, for a tutor or operator in place that an option allows, the variant keeping them (with the bonus)."""
    ex = ctx.existing
    for field, sets, pairs in (("tutor_set", tutor_sets, ex.tutor), ("operator_set", operator_sets, ex.operator)):
        if not pairs or not sets.shape[0]:
            continue
        partner = np.full(len(ctx.arrays.candidates), -1, dtype=np.int64)
        partner[list(pairs)] = list(pairs.values())
        p = partner[opt["cand"]]
        s = opt[field]
        can = (p >= 0) & (s >= 0)
        can[can] = _holds(sets, s[can], p[can])
        if not can.any():
            continue
        singles = sets.shape[0]  # the set of partner j alone is set singles + j
        sets = sp.vstack([sets, sp.eye_array(sets.shape[1], dtype=bool)], format="csr")
        extra = {k: v[can] for k, v in opt.items()}
        extra[field] = singles + p[can]
        extra["gain"] = extra["gain"] + ctx.bonus
        opt = {k: np.r_[opt[k], extra[k]] for k in opt}
        if field == "tutor_set":
            tutor_sets = sets
        else:
            operator_sets = sets
    return opt, tutor_sets, operator_sets


def site_capacity_bound(ctx: StageContext) -> np.ndarray:
    """Per site, the most placements with a full squad its own guides allow (a valid cut, candidates aside).

    A full placement takes ``squad_size + 1`` different guide workers of the site
    (the lead and the squad), each at most once, so ``P`` of them need
    ``(squad_size + 1) × P <= Σ_guides min(room, P)``; the leads need ``P`` lead
    places, the positions ``P`` openings and the tutors ``P`` places.
    """
    a, cap = ctx.arrays, ctx.cap
    size = ctx.policy.caps.squad_size
    n_s = len(a.sites)
    gsite = a.guides.site.astype(np.int64)
    room = cap.guide_total.astype(np.int64)
    openings = np.bincount(a.positions.site, weights=cap.position_open, minlength=n_s).astype(np.int64)
    leads = np.bincount(gsite, weights=np.minimum(cap.guide_lead, room), minlength=n_s).astype(np.int64)
    top = np.minimum.reduce([cap.site_tutor.astype(np.int64), openings, leads])
    best = np.zeros(n_s, dtype=np.int64)
    for p in range(1, int(top.max(initial=0)) + 1):
        cover = np.bincount(gsite, weights=np.minimum(room, p), minlength=n_s)
        best = np.where(((size + 1) * p <= cover + 1e-9) & (p <= top), p, best)
    return best


def _usable_bound(ctx: StageContext, prob: _Round, t: np.ndarray, most: np.ndarray) -> np.ndarray:
    """Per site, :func:`site_capacity_bound` over the guides some option ``t`` can take there (all sites).

    The valid cut ``full placements <= K`` holds for any set of guides that contains
    every guide a full placement at the site may use: a full placement takes its lead
    and ``squad_size`` members, all different, from the leads of the site's options
    and the eligible members of their (candidate, position) rows, each guide at most
    ``min(room, P)`` times over ``P`` placements. So ``(squad_size + 1) × P <=
    Σ_{usable guides} min(room, P)`` and ``P <= Σ_{usable leads} min(lead places,
    room, P)``; a guide of the site whom no option can take counts in neither.
    Both sides are concave in ``P`` and equal at 0, so the placements that pass form
    an interval ``0..K``. The rooms are the newcomer balance rows' (the guide's room,
    at most the site's placements).
    """
    a, cap = ctx.arrays, ctx.cap
    size = ctx.policy.caps.squad_size
    n_s, n_g = len(a.sites), len(a.guides)
    gsite = a.guides.site.astype(np.int64)
    room = np.minimum(cap.guide_total.astype(np.int64), most[gsite])
    lead_room = np.minimum(cap.guide_lead.astype(np.int64), room)
    rows = np.unique(prob.row[t])
    rows = rows[rows >= 0]
    member = prob.members.guide[rows].astype(np.int64)
    member_site = np.repeat(a.positions.site[prob.members.key[rows] % len(a.positions)], member.shape[1])
    leads = prob.opt["guide"][t]
    has_lead = leads >= 0
    lead_key = np.unique(prob.opt["site"][t][has_lead] * n_g + leads[has_lead])
    key = np.unique(np.r_[member_site[member.ravel() >= 0] * n_g + member.ravel()[member.ravel() >= 0], lead_key])
    u_site, u_guide = key // n_g, key % n_g
    l_site, l_guide = lead_key // n_g, lead_key % n_g
    best = np.zeros(n_s, dtype=np.int64)
    for p in range(1, int(most.max(initial=0)) + 1):
        cover = np.bincount(u_site, weights=np.minimum(room[u_guide], p), minlength=n_s)
        lead_cover = np.bincount(l_site, weights=np.minimum(lead_room[l_guide], p), minlength=n_s)
        ok = ((size + 1) * p <= cover + 1e-9) & (p <= lead_cover + 1e-9) & (p <= most)
        if not ok.any():
            break
        best = np.where(ok, p, best)
    return best


@dataclasses.dataclass(frozen=True)
class JointSolution:
    """Both stages' solutions and the tiers reached, for the result."""

    joint: StageSolution
    squad: StageSolution
    tutor: np.ndarray | None = None
    """Per candidate, the company tutor's index (``arrays.tutors``) chosen with the placement; -1 for none."""
    operator: np.ndarray | None = None
    """Per candidate, the desk operator's index (``arrays.operators``) chosen with the placement; -1 for none."""


# ---------------------------------------------------------------------------- the problem of a round


@dataclasses.dataclass
class _Round:
    """The joint problem of a whole round, before it is split into components."""

    opt: dict[str, np.ndarray]  # triples
    squad: dict[str, np.ndarray]  # squad pairs
    members: Members  # per (candidate, position)
    row: np.ndarray  # per triple: its row of members (-1: none)
    lead_slot: np.ndarray  # per triple: where its lead sits in that row (-1: not a member there)
    usable: np.ndarray  # per triple: a column exists
    forced: np.ndarray  # per candidate
    partial: np.ndarray  # per candidate: a squad may be short
    exempt: np.ndarray  # per candidate: the fair floor does not apply
    team: np.ndarray  # per triple: squad members it takes (squad_size with a lead, 0 without)
    tutor_sets: sp.csr_array  # (sets, tutors) bool
    operator_sets: sp.csr_array  # (sets, operators) bool


def _problem(ctx: StageContext) -> _Round:
    a = ctx.arrays
    size = ctx.policy.caps.squad_size
    require_full = ctx.policy.squad.require_full
    n_c, n_p = len(a.candidates), len(a.positions)
    opt = joint_options(ctx)
    tutor_sets: sp.csr_array = opt.pop("tutor_sets")  # type: ignore[assignment]
    operator_sets: sp.csr_array = opt.pop("operator_sets")  # type: ignore[assignment]
    has_lead = opt["guide"] >= 0
    forced = ctx.pinned("joint")
    for pin in ctx.round.pins:  # a squad pin places its candidate too
        if pin.role == Role.GUIDE:
            forced[a.candidates.index[pin.candidate_id]] = True
    partial = forced.copy() if require_full else np.ones(n_c, dtype=bool)
    # squads only where one can be full: a site whose own guides cannot form one is left to pinned people
    plausible = partial[opt["cand"]] | (site_capacity_bound(ctx)[opt["site"]] > 0) | ~has_lead
    with_squad = plausible & has_lead
    squad = squad_options(ctx, opt["cand"][with_squad], opt["pos"][with_squad])
    forced, forced_pair, squad_site = _pins(ctx, opt, squad)
    members = Members.of(squad, forced_pair, n_p)
    row = members.row_of(opt["cand"], opt["pos"], n_p)
    row = np.where(has_lead, row, -1)
    lead_slot = np.where(has_lead, members.slot_of(row, opt["guide"]), -1)
    lead_member = lead_slot >= 0
    count = _at(members.count, row) - lead_member
    n_forced = _at(members.n_forced, row)
    lead_forced = lead_member & (_at_slot(members.forced, row, lead_slot) > 0)
    team = np.where(has_lead, size, 0)
    need = np.where(partial[opt["cand"]], n_forced, team)
    # a squad-pinned candidate: only options at the pinned guides' site whose lead is none of them
    wanted = np.zeros(n_c, dtype=np.int64)
    for c, guides in squad_site.items():
        wanted[c] = len(guides)
    # a tutor or operator needed and none allowed: no option (the site rules normally say so already)
    staffed = np.ones(len(opt["cand"]), dtype=bool)
    for field, sets in (("tutor_set", tutor_sets), ("operator_set", operator_sets)):
        ids = opt[field]
        staffed[ids >= 0] &= np.diff(sets.indptr)[ids[ids >= 0]] > 0
    plausible &= staffed
    usable = plausible & (count >= need) & (n_forced == wanted[opt["cand"]]) & ~lead_forced
    if size == 0:
        usable = plausible & (n_forced == wanted[opt["cand"]]) & ~lead_forced
    return _Round(
        opt, squad, members, row, lead_slot, usable, forced, partial, forced.copy(), team, tutor_sets, operator_sets
    )


def _at(values: np.ndarray, row: np.ndarray) -> np.ndarray:
    """``values[row]`` where ``row >= 0``, else 0."""
    if not len(values):
        return np.zeros(len(row), dtype=np.int64)
    return np.where(row >= 0, values[np.maximum(row, 0)], 0)


def _at_slot(matrix: np.ndarray, row: np.ndarray, slot: np.ndarray) -> np.ndarray:
    """``matrix[row, slot]`` where both are ``>= 0``, else 0."""
    if not matrix.size:
        return np.zeros(len(row), dtype=np.int64)
    return np.where((row >= 0) & (slot >= 0), matrix[np.maximum(row, 0), np.maximum(slot, 0)], 0)


def _pins(
    ctx: StageContext, opt: dict[str, np.ndarray], squad: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, dict[int, set[int]]]:
    """Pinned candidates (site, position, lead or squad pins), pinned squad pairs, and each squad pin's guides.

    Raises
    ------
    MatchError
        A pin that no placement can honour: every pair it allows is forbidden by a
        rule, or a squad pin names a guide the rules forbid or who works elsewhere.
    """
    a = ctx.arrays
    n_c, n_g = len(a.candidates), len(a.guides)
    forced = ctx.pinned("joint")
    forced_pair = np.zeros(len(squad["cand"]), dtype=bool)
    squad_site: dict[int, set[int]] = {}
    problems = []
    by_pair = np.argsort(squad["cand"] * n_g + squad["guide"], kind="stable")
    pair_key = (squad["cand"] * n_g + squad["guide"])[by_pair]
    for pin in ctx.round.pins:
        if pin.role != Role.GUIDE:
            continue
        c, h = a.candidates.index[pin.candidate_id], a.guides.index[pin.partner_id]
        forced[c] = True
        squad_site.setdefault(c, set()).add(h)
        lo, hi = np.searchsorted(pair_key, [c * n_g + h, c * n_g + h + 1])
        if hi > lo:
            forced_pair[by_pair[lo:hi]] = True
            continue
        row = ctx.scores.scorer.dense("guide", candidates=np.array([c]))
        codes = [x for x in reason_codes(int(row.reasons[h]) & _squad_mask()) if not x.startswith("pinned_elsewhere")]
        why = ", ".join(codes) if codes else "the candidate has no placement at that guide's site"
        problems.append(f"{pin.candidate_id} → {pin.partner_id} (squad): {why}")
    has_option = np.bincount(opt["cand"], minlength=n_c) > 0
    for k in np.flatnonzero(forced & ~has_option).tolist():
        if k in squad_site:
            continue  # its squad pair was named above
        codes = sorted(ctx.blocking_rules(k, "joint"))
        problems.append(f"{a.candidates.ids[k]}: every placement its pins allow is forbidden by {', '.join(codes)}")
    if problems:
        raise MatchError("pins cannot be honoured: " + "; ".join(problems))
    return forced, forced_pair, squad_site


def _squad_mask() -> int:
    from matchwork.scoring.rules import role_mask

    return role_mask("guide")


# ---------------------------------------------------------------------------- tutors and operators

HALL_MAX_ROWS = 20_000
"""Tutor or operator rows a group of partners sharing people may need at most (connected unions of its sets)."""


@dataclasses.dataclass(frozen=True)
class _Hall:
    """The capacity rows that make a choice of tutors (or operators) possible, exactly (Hall's theorem).

    Each option needing a tutor carries the *set* of tutors who may follow its
    candidate, not a tutor. People placed together can each get a tutor of their own
    set within every tutor's room iff, for every union ``U`` of the sets, the options
    whose set lies within ``U`` take at most ``Σ_{t in U} room[t]`` (Hall 1935, with
    capacities: the max-flow min-cut theorem). A union of sets that splits into parts
    sharing no tutor is the sum of its parts' rows, so only *connected* unions (sets
    that chain by sharing a tutor) need a row: one per site when everyone may have
    any of its tutors, one per area for the operators of the area. The sets fall into
    groups that share no partner (a site's tutors, an area's operators), and the
    unions are closed group by group. A pairing in place adds the set of that partner
    alone (:func:`_continuity_variants`), a pin leaves one partner in the set. Which
    partner each person takes is settled after the solve (:func:`_assign_partners`).
    """

    kind: str
    partners: list[np.ndarray]  # per union: its partners
    hi: np.ndarray  # per union: the room of its partners
    group: np.ndarray  # per union: its group (the sets that chain together)
    contains: dict[int, list[int]]  # per set id used: the unions containing it
    set_group: dict[int, int]

    @classmethod
    def of(cls, sets: sp.csr_array, used: np.ndarray, room: np.ndarray, kind: str) -> _Hall:
        ids = np.unique(used[used >= 0])
        ids = ids[np.diff(sets.indptr)[ids] > 0]  # an empty set is no option (see _problem)
        sub = sp.csr_array(sets[ids])
        _, label = connected_components(sp.block_array([[None, sub], [sub.T, None]]), directed=False)
        label = np.unique(label[: len(ids)], return_inverse=True)[1].ravel()  # groups in order of their first set
        room = np.maximum(np.asarray(room, dtype=np.float64), 0)
        partners: list[np.ndarray] = []
        group: list[int] = []
        contains: dict[int, list[int]] = {}
        for g, members in enumerate(by_label(label)):
            rows = [sub.indices[sub.indptr[m] : sub.indptr[m + 1]] for m in members.tolist()]
            local = np.unique(np.concatenate(rows))  # the group's partners; bit b of a mask is local[b]
            masks = [sum(1 << int(b) for b in np.searchsorted(local, r)) for r in rows]
            unions = _closure(sorted(set(masks)), kind)
            first = len(partners)
            for u in unions:
                partners.append(local[[b for b in range(u.bit_length()) if u >> b & 1]])
                group.append(g)
            for m, mask in zip(members.tolist(), masks, strict=True):
                contains[int(ids[m])] = [first + k for k, u in enumerate(unions) if mask & ~u == 0]
        hi = np.array([room[x].sum() for x in partners], dtype=np.float64)
        set_group = {i: int(group[c[0]]) for i, c in contains.items()}
        return cls(kind, partners, hi, np.asarray(group, dtype=np.int64), contains, set_group)

    @property
    def n_groups(self) -> int:
        return int(self.group.max(initial=-1)) + 1

    def group_of(self, set_ids: np.ndarray) -> np.ndarray:
        return np.array([self.set_group.get(int(i), -1) for i in set_ids.tolist()], dtype=np.int64)

    def rows_for(
        self, set_ids: np.ndarray, ids: np.ndarray
    ) -> tuple[int, np.ndarray, list[tuple[str, int | str]], np.ndarray]:
        """The rows of a component whose options have ``set_ids``: count, capacities, labels, rows per option."""
        partner_ids = ids
        ids = np.unique(set_ids[set_ids >= 0]).tolist()
        groups = {self.set_group[i] for i in ids}
        local = np.flatnonzero(np.isin(self.group, list(groups)))
        at = np.full(len(self.group), -1, dtype=np.int64)
        at[local] = np.arange(len(local))
        width = max((len(self.contains[i]) for i in ids), default=0)
        per_set = {i: at[self.contains[i]].tolist() + [-1] * (width - len(self.contains[i])) for i in ids}
        extra = np.full((len(set_ids), width), -1, dtype=np.int64)
        for i in ids:
            extra[set_ids == i] = per_set[i]
        what: list[tuple[str, int | str]] = [(self.kind, self.names(int(k), partner_ids)) for k in local]
        return len(local), self.hi[local], what, extra

    def names(self, k: int, ids: np.ndarray) -> str:
        """The partners of union ``k``, by id."""
        return ", ".join(str(x) for x in ids[self.partners[k]])


def _closure(base: list[int], kind: str) -> list[int]:
    """Every union of the sets ``base`` (bit masks) that chains by shared bits; the largest first."""
    found = set(base)
    frontier = list(base)
    while frontier:
        fresh = []
        for u in frontier:
            for b in base:
                if u & b and (u | b) not in found:
                    found.add(u | b)
                    fresh.append(u | b)
        frontier = fresh
        if len(found) > HALL_MAX_ROWS:
            raise MatchError(
                f"the {kind}s' allowed sets overlap in too many ways to model ({len(found)}+ unions): "
                "check the relationships and exclusions that forbid single pairs"
            )
    return sorted(found, key=lambda u: (-u.bit_count(), u))


# ---------------------------------------------------------------------------- one component


@dataclasses.dataclass
class _Component:
    """One connected component's packing problem, in local indices (picklable)."""

    triples: np.ndarray  # global triple index of each local triple
    group: np.ndarray  # local candidate of each triple
    n_groups: int
    rows: np.ndarray  # (triples, 6 + k): position, site, legal, K, lead balance, lead's newcomer balance,
    # then the tutor and operator rows (Hall rows) the option's sets enter; -1 none
    gain: np.ndarray
    members: Members  # the component's (candidate, position) rows of members
    row: np.ndarray  # per triple: its row in members
    lead_slot: np.ndarray  # per triple: its lead's slot in that row, -1 none
    count: np.ndarray  # per triple: eligible members, the lead aside
    member_row: np.ndarray  # (member rows, width): newcomer-balance row of each member, -1 none
    need: np.ndarray  # per triple: fewest members
    allow_partial: np.ndarray  # per triple
    team: np.ndarray  # per triple: squad_size with a lead guide, 0 without
    size: int
    row_lo: np.ndarray
    row_hi: np.ndarray
    row_what: list[tuple[str, int | str]]  # what each row stands for (kind, global index or ids), for messages
    seg_row: np.ndarray
    seg_values: np.ndarray
    forced: np.ndarray  # per group
    exempt: np.ndarray  # per group
    candidates: np.ndarray  # global candidate of each group
    time_limit: float | None

    def solver(self) -> PackingSolver:
        return PackingSolver(
            self.row_lo,
            self.row_hi,
            JointOracle(self),
            self.n_groups,
            forced=self.forced,
            exempt=self.exempt,
            segments=(self.seg_row, self.seg_values),
            time_limit=self.time_limit,
        )


class JointOracle:
    """Prices the columns of a component: every option completed with its best squad under prices."""

    def __init__(self, comp: _Component):
        self.c = comp
        size = comp.size
        m = np.arange(size + 1)[None, :]
        team = comp.team[:, None]
        allowed = np.where(comp.allow_partial[:, None], (m >= comp.need[:, None]) & (m <= team), m == team)
        self.allowed = allowed & (m <= comp.count[:, None])
        self.full_only = not comp.allow_partial.any() and bool((comp.team == size).all())
        self.fixed = [0, 1, 2, 4, 5, *range(6, comp.rows.shape[1])]  # every row but the K cut
        self.rows5 = np.ascontiguousarray(comp.rows[:, self.fixed])
        self.gain = comp.gain.astype(np.float64)

    def _evaluate(
        self, dual: np.ndarray, weight: np.ndarray, floor: int | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per triple: its best reduced value, its squad size, and its members' slots from the best down."""
        c, size = self.c, self.c.size
        d = np.r_[dual, 0.0]  # index -1 reads 0
        per_member = weight[1] + weight[2] * c.members.gain - d[c.member_row]
        slots, values = c.members.best(per_member, c.row, c.lead_slot, size)
        if self.full_only:  # every squad full: the best `size` members, and the cut on full placements
            squad = np.where(self.allowed[:, size], values.sum(axis=1), -np.inf) - d[c.rows[:, 3]]
            best_m = np.full(len(squad), size, dtype=np.int64)
        else:
            prefix = np.concatenate([np.zeros((len(values), 1)), np.cumsum(values, axis=1)], axis=1)
            take = np.where(self.allowed, prefix, -np.inf)
            take[:, size] -= np.where(c.team == size, d[c.rows[:, 3]], 0.0)  # the cut on full placements
            best_m = np.argmax(take, axis=1)
            squad = take[np.arange(len(take)), best_m]
        base = weight[0] - weight[1] * c.team + weight[2] * self.gain - d[self.rows5].sum(axis=1)
        value = base + squad
        if floor is not None:
            value = np.where((c.gain < floor) & ~c.exempt[c.group], -np.inf, value)
        return value, best_m, slots

    def _columns(self, t: np.ndarray, m: np.ndarray, slots: np.ndarray) -> Columns:
        """Columns of triples ``t`` with the first ``m`` of their member ``slots`` (one row of slots per triple)."""
        c = self.c
        width = slots.shape[1]
        chosen = (np.arange(width)[None, :] < m[:, None]) & (slots >= 0)
        r = c.row[t]
        safe = np.maximum(slots, 0)
        if width and len(c.member_row):
            mrow = np.where(chosen, c.member_row[np.maximum(r, 0)[:, None], safe], -1)
            gain = np.where(chosen, c.members.gain[np.maximum(r, 0)[:, None], safe], 0)
        else:  # no squads at all (a component of host companies only): no member rows to read
            mrow, gain = np.full_like(slots, -1), np.zeros_like(slots)
        fixed = c.rows[t][:, self.fixed]
        k_row = np.where((m == c.size) & (c.team[t] == c.size), c.rows[t, 3], -1)
        rows = np.concatenate([fixed, k_row[:, None], mrow], axis=1)
        keep = rows >= 0
        values = np.stack([np.ones(len(t), dtype=np.int64), m - c.team[t], c.gain[t] + gain.sum(axis=1)])
        mask = np.zeros(len(t), dtype=np.int64)
        if width:
            bits = np.where(chosen, np.int64(1) << np.minimum(safe, 62).astype(np.int64), 0)
            mask = np.bitwise_or.reduce(bits, axis=1) if c.members.pair.shape[1] <= 40 else _digest(safe, chosen)
        key = t.astype(np.int64) * (np.int64(1) << np.int64(_key_shift(c))) + mask
        return Columns(
            c.group[t],
            np.r_[0, np.cumsum(keep.sum(axis=1))].astype(np.int64),
            rows[keep].astype(np.int64),
            values.astype(np.int64),
            key,
            c.gain[t],
        )

    def price(self, dual: np.ndarray, weight: np.ndarray, floor: int | None) -> tuple[np.ndarray, Columns]:
        value, m, slots = self._evaluate(dual, weight, floor)
        best = np.full(self.c.n_groups, -np.inf)
        np.maximum.at(best, self.c.group, value)
        top = np.flatnonzero(np.isfinite(value) & (value >= best[self.c.group]))
        top = top[np.r_[True, self.c.group[top][1:] != self.c.group[top][:-1]]] if len(top) else top
        return best, self._columns(top, m[top], slots[top])

    def initial(self) -> Columns:
        """Columns to start from: each site's most valuable options, and a placement of as many as can be.

        The second is a maximum flow (Dinic, SciPy) through a network that keeps
        each person to one option, each lead to their lead capacity and each site to
        its tutors and full-squad cut: the linear programme then starts with its
        people spread over the sites instead of crowding the best ones.
        """
        c = self.c
        dual = np.zeros(len(c.row_lo))
        value, m, slots = self._evaluate(dual, VALUE, None)
        ok = np.flatnonzero(np.isfinite(value))
        site = c.rows[ok, 1]
        by_site = ok[np.lexsort((-value[ok], site))]
        rank = _rank(c.rows[by_site, 1])
        keep = np.unique(np.r_[by_site[rank < 8], self._spread(ok)])
        return self._columns(keep, m[keep], slots[keep])

    def _spread(self, ok: np.ndarray) -> np.ndarray:
        """Options of a maximum flow: person → option → lead → site → sink (a relaxation, to start from)."""
        from scipy.sparse.csgraph import maximum_flow

        c = self.c
        if not len(ok):
            return ok
        n_t = len(c.gain)
        site = c.rows[:, 1]
        n_site = int(site.max(initial=-1)) + 1
        has_lead = c.rows[:, 4] >= 0
        first = c.rows[has_lead, 4].min(initial=0)
        n_leads = int(c.rows[has_lead, 4].max(initial=first - 1)) - int(first) + 1
        # options without a lead pass through a node of their site's own, of unbounded capacity
        lead = np.where(has_lead, c.rows[:, 4] - first, n_leads + site)
        n_lead = n_leads + n_site
        src, sink = 0, 1
        g0 = 2
        t0 = g0 + c.n_groups
        l0 = t0 + n_t
        s0 = l0 + n_lead
        n = s0 + n_site
        seg = np.bincount(c.seg_row, minlength=len(c.row_lo))  # a lead balance row's segments: its lead capacity
        lead_cap = np.where(has_lead, seg[np.maximum(c.rows[:, 4], 0)], c.n_groups)
        site_cap = np.zeros(n_site)
        site_cap[site] = np.minimum(
            c.row_hi[site], np.where(c.rows[:, 3] >= 0, c.row_hi[np.maximum(c.rows[:, 3], 0)], np.inf)
        )
        tail = np.r_[np.full(c.n_groups, src), g0 + c.group[ok], t0 + ok, l0 + lead[ok], s0 + np.arange(n_site)]
        head = np.r_[g0 + np.arange(c.n_groups), t0 + ok, l0 + lead[ok], s0 + site[ok], np.full(n_site, sink)]
        cap = np.r_[np.ones(c.n_groups), np.ones(2 * len(ok)), lead_cap[ok], site_cap]
        graph = sp.csr_array((np.minimum(cap, 1 << 20).astype(np.int32), (tail, head)), shape=(n, n))
        graph.sum_duplicates()
        graph = sp.csr_array((graph.data.astype(np.int32), graph.indices, graph.indptr), shape=graph.shape)
        flow = maximum_flow(graph, src, sink, method="dinic").flow
        used = np.asarray(flow[g0 + c.group[ok], t0 + ok]).ravel() > 0
        return ok[used]

    def within(
        self, dual: np.ndarray, weight: np.ndarray, floor: int | None, threshold: np.ndarray, limit: int | None = None
    ) -> Columns:
        """Every column (every squad of every option) whose reduced value reaches its group's threshold.

        The squads are enumerated a block of options at a time, as index combinations
        of the options' eligible members (NumPy, no loop over squads). With ``limit``,
        at most that many columns come back, the highest reduced values (over their
        threshold) first; more than ``limit`` reaching the threshold is what
        :class:`~matchwork.solve.packing.PackingSolver` reads as "not all of them".
        """
        c = self.c
        value, _, _ = self._evaluate(dual, weight, floor)  # each option's best squad: no squad of it does better
        hopeful = np.flatnonzero(np.isfinite(value) & (value >= threshold[c.group] - 1e-9))
        d = np.r_[dual, 0.0]
        per_member = weight[1] + weight[2] * c.members.gain - d[c.member_row]
        base = weight[0] - weight[1] * c.team + weight[2] * c.gain - d[self.rows5].sum(axis=1)
        k_dual = d[c.rows[:, 3]]
        width = c.members.pair.shape[1]
        valid = c.members.valid
        n_valid = valid.sum(axis=1) if width else np.zeros(len(valid), dtype=np.int64)
        ts, ms, picks, over = [], [], [], []
        for n in range(c.size + 1):
            sel = hopeful[self.allowed[hopeful, n]]
            if not len(sel):
                continue
            if n == 0:  # no squad: the option alone
                margin0 = base[sel] - threshold[c.group[sel]]
                sel = sel[margin0 >= -1e-9]
                over.append(margin0[margin0 >= -1e-9])
                ts.append(sel)
                ms.append(np.zeros(len(sel), dtype=np.int64))
                picks.append(np.zeros((len(sel), 0), dtype=np.int64))
                continue
            # options by how many members their row has: each block enumerates combinations of that many slots
            wid = n_valid[c.row[sel]]
            for w in np.unique(wid).tolist():
                block_all = sel[wid == w]
                combos = np.array(list(itertools.combinations(range(w), n)), dtype=np.int64).reshape(-1, n)
                step = max(1, _BLOCK // max(len(combos), 1))
                for lo in range(0, len(block_all), step):
                    t = block_all[lo : lo + step]
                    r = c.row[t]
                    ok = valid[r, :w] & (np.arange(w)[None, :] != c.lead_slot[t][:, None])
                    forced = c.members.forced[r, :w] & ok
                    pm = np.where(ok, per_member[r, :w], 0.0)
                    fits = ok[:, combos].all(axis=2) & (forced[:, combos].sum(axis=2) == forced.sum(axis=1)[:, None])
                    full = (n == c.size) & (c.team[t] == c.size)
                    v = base[t][:, None] + pm[:, combos].sum(axis=2) - np.where(full, k_dual[t], 0.0)[:, None]
                    margin = v - threshold[c.group[t]][:, None]
                    i, j = np.nonzero(fits & (margin >= -1e-9))
                    ts.append(t[i])
                    ms.append(np.full(len(i), n, dtype=np.int64))
                    picks.append(combos[j])
                    over.append(margin[i, j])
        if not ts:
            return self._columns(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, max(c.size, 1)), np.int64))
        slot_w = max(c.size, 1)
        t_all = np.concatenate(ts)
        m_all = np.concatenate(ms)
        slots = np.full((len(t_all), slot_w), -1, dtype=np.int64)
        at = 0
        for p in picks:
            slots[at : at + len(p), : p.shape[1]] = p
            at += len(p)
        if limit is not None and len(t_all) > limit:
            margin = np.concatenate(over)
            top = np.argsort(-margin, kind="stable")[:limit]
            top.sort()
            t_all, m_all, slots = t_all[top], m_all[top], slots[top]
        order = np.lexsort((m_all, t_all))
        t_all, m_all, slots = t_all[order], m_all[order], slots[order]
        if not width:
            slots = np.zeros((len(t_all), 0), dtype=np.int64)
        return self._columns(t_all, m_all, slots)


def _digest(slots: np.ndarray, chosen: np.ndarray) -> np.ndarray:  # pragma: no cover - sites of 40+ guides
    """A 24-bit digest of each squad (sites with more guide workers than a key has bits)."""
    return np.array(
        [hash(tuple(sorted(s[k].tolist()))) & 0xFFFFFF for s, k in zip(slots, chosen, strict=True)], dtype=np.int64
    )


# ---------------------------------------------------------------------------- building components


def _components(ctx: StageContext, prob: _Round) -> Iterator[_Component]:
    a, cap = ctx.arrays, ctx.cap
    size = ctx.policy.caps.squad_size
    n_c, n_s, n_g = len(a.candidates), len(a.sites), len(a.guides)
    opt = prob.opt
    use = np.flatnonzero(prob.usable)
    if not len(use):
        return
    cand, site = opt["cand"][use], opt["site"][use]
    tutor_hall = _Hall.of(prob.tutor_sets, opt["tutor_set"][use], cap.tutor_room, "tutor")
    op_hall = _Hall.of(prob.operator_sets, opt["operator_set"][use], cap.operator_room, "operator")
    # operators serve areas, not sites: candidates sharing an operator group are one problem
    op_group = op_hall.group_of(opt["operator_set"][use])
    linked = op_group >= 0
    n_nodes = n_c + n_s + op_hall.n_groups
    graph = sp.csr_array(
        (
            np.ones(len(use) + int(linked.sum())),
            (np.r_[cand, cand[linked]], np.r_[n_c + site, n_c + n_s + op_group[linked]]),
        ),
        shape=(n_nodes, n_nodes),
    )
    _, label = connected_components(graph, directed=False)
    comp = label[cand]
    order = np.argsort(comp, kind="stable")  # triples stay sorted by candidate within a component
    bounds = np.searchsorted(comp[order], np.unique(comp))
    bounds = np.r_[bounds, len(order)]
    k_bound = site_capacity_bound(ctx)
    openings = np.bincount(a.positions.site, weights=cap.position_open, minlength=n_s).astype(np.int64)
    most = np.minimum(cap.site_tutor.astype(np.int64), openings)  # placements a site can take at all
    carried = (cap.guide_limit - cap.guide_total).astype(np.int64)
    w_lead = ctx.policy.solver.lead_load_cost * SCALE
    w_guide = ctx.policy.solver.guide_load_cost * SCALE
    gsite = a.guides.site.astype(np.int64)
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        t = use[order[lo:hi]]
        cand_g, group = np.unique(opt["cand"][t], return_inverse=True)
        pos_l, pos_i = np.unique(opt["pos"][t], return_inverse=True)
        site_l, site_i = np.unique(opt["site"][t], return_inverse=True)
        guides = np.flatnonzero(np.isin(gsite, site_l))
        g_local = np.full(n_g, -1, dtype=np.int64)
        g_local[guides] = np.arange(len(guides))
        exempt_t = cap.exempt[opt["cand"][t]]
        n_pp, n_ss, n_gg = len(pos_l), len(site_l), len(guides)
        # rows: positions | sites | legal | K cuts | lead balances | newcomer balances
        legal_needed = cap.site_legal[site_l] < np.minimum(cap.site_tutor[site_l], openings[site_l])
        k_site = np.minimum(k_bound, _usable_bound(ctx, prob, t, most))[site_l]
        k_needed = (k_site < most[site_l]) & (size > 0)
        legal_at = np.full(n_ss, -1, dtype=np.int64)
        legal_at[legal_needed] = np.arange(legal_needed.sum())
        k_at = np.full(n_ss, -1, dtype=np.int64)
        k_at[k_needed] = np.arange(k_needed.sum())
        t_rows, t_hi, t_what, t_extra = tutor_hall.rows_for(opt["tutor_set"][t], a.tutors.ids)
        o_rows, o_hi, o_what, o_extra = op_hall.rows_for(opt["operator_set"][t], a.operators.ids)
        r_pos, r_site = 0, n_pp
        r_legal = r_site + n_ss
        r_k = r_legal + int(legal_needed.sum())
        r_tutor = r_k + int(k_needed.sum())
        r_op = r_tutor + t_rows
        r_lead = r_op + o_rows
        r_new = r_lead + n_gg
        n_rows = r_new + n_gg
        row_lo = np.r_[np.full(r_lead, -np.inf), np.zeros(2 * n_gg)]
        row_hi = np.r_[
            cap.position_open[pos_l],
            cap.site_tutor[site_l],
            cap.site_legal[site_l][legal_needed],
            k_site[k_needed],
            t_hi,
            o_hi,
            np.zeros(2 * n_gg),
        ].astype(np.float64)
        what: list[tuple[str, int | str]] = (
            [("position", int(p)) for p in pos_l]
            + [("site_tutor", int(s)) for s in site_l]
            + [("site_legal", int(s)) for s in site_l[legal_needed]]
            + [("site_squads", int(s)) for s in site_l[k_needed]]
            + t_what
            + o_what
            + [("lead", int(g)) for g in guides]
            + [("guide", int(g)) for g in guides]
        )
        extra = np.concatenate(
            [np.where(t_extra >= 0, r_tutor + t_extra, -1), np.where(o_extra >= 0, r_op + o_extra, -1)], axis=1
        )
        legal_row = np.where((legal_at[site_i] >= 0) & ~exempt_t, r_legal + legal_at[site_i], -1)
        k_row = np.where(k_at[site_i] >= 0, r_k + k_at[site_i], -1)
        lead = np.where(opt["guide"][t] >= 0, g_local[opt["guide"][t]], -1)
        k_row = np.where(prob.team[t] > 0, k_row, -1)
        lead_rows = np.where(lead >= 0, r_lead + lead, -1), np.where(lead >= 0, r_new + lead, -1)
        rows = np.stack([r_pos + pos_i, r_site + site_i, legal_row, k_row, *lead_rows], axis=1)
        rows = np.concatenate([rows, extra], axis=1)
        rows_used, local_row = np.unique(prob.row[t], return_inverse=True)  # -1 (no member) sorts first
        if len(rows_used) and rows_used[0] < 0:
            local_row = local_row - 1
            rows_used = rows_used[1:]
        members = prob.members.take(rows_used)
        member_row = np.where(members.valid, r_new + g_local[np.maximum(members.guide, 0)], -1)
        count = _at(members.count, local_row) - (prob.lead_slot[t] >= 0)
        n_forced = _at(members.n_forced, local_row)
        # segments: a guide's k-th new lead and k-th newcomer, costs rising (most valuable first)
        reach = most[gsite[guides]]
        n_lead = np.minimum(cap.guide_lead[guides].astype(np.int64), reach)
        n_new = np.minimum(cap.guide_total[guides].astype(np.int64), reach)
        k_lead, k_new = _ramp(n_lead), _ramp(n_new)
        lead_g, new_g = np.repeat(np.arange(n_gg), n_lead), np.repeat(np.arange(n_gg), n_new)
        lead_cost = np.round(w_lead * (carried[guides][lead_g] + k_lead))  # per newcomer already carried
        limit = np.maximum(cap.guide_limit[guides][new_g], 1)
        new_cost = np.round(w_guide * (carried[guides][new_g] + k_new + 1) / limit)
        seg_row = np.r_[r_lead + lead_g, r_new + new_g].astype(np.int64)
        seg_value = np.zeros((3, len(seg_row)))
        seg_value[2] = -np.r_[lead_cost, new_cost]
        assert n_rows == len(row_lo) == len(row_hi) == len(what)
        small = np.int32  # indices and counts of one component fit: half the memory to hand to a process
        yield _Component(
            triples=t,
            group=group.astype(small),
            n_groups=len(cand_g),
            rows=rows.astype(small),
            gain=opt["gain"][t],
            members=members,
            row=np.where(local_row >= 0, local_row, -1).astype(small),
            lead_slot=prob.lead_slot[t].astype(small),
            count=count.astype(small),
            member_row=member_row.astype(small),
            need=np.where(prob.partial[opt["cand"][t]], n_forced, prob.team[t]).astype(small),
            allow_partial=prob.partial[opt["cand"][t]],
            team=prob.team[t].astype(small),
            size=size,
            row_lo=row_lo,
            row_hi=row_hi,
            row_what=what,
            seg_row=seg_row,
            seg_values=seg_value,
            forced=prob.forced[cand_g],
            exempt=prob.exempt[cand_g],
            candidates=cand_g,
            time_limit=ctx.policy.solver.time_limit,
        )


# ---------------------------------------------------------------------------- solving


@dataclasses.dataclass
class _Solved:
    """What a component's solve returns: chosen triples and squad pairs (global), tiers, status."""

    triples: np.ndarray
    pairs: np.ndarray
    tiers: dict[str, int]
    bounds: dict[str, float]
    status: SolveStatus
    methods: list[str]


def _finish(comp: _Component, solver: PackingSolver, outcomes: dict[str, TierOutcome]) -> _Solved:
    chosen = solver.chosen()
    cols = solver.cols
    t_local = cols.key[chosen] >> np.int64(_key_shift(comp))
    # a column's squad: the newcomer rows it uses, its lead's aside
    counts = np.diff(cols.starts)[chosen]
    owner = np.repeat(np.arange(len(chosen)), counts)
    rows = cols.index[np.repeat(cols.starts[:-1][chosen], counts) + _ramp(counts)]
    is_member = np.isin(rows, comp.member_row[comp.member_row >= 0]) & (rows != comp.rows[t_local[owner], 5])
    owner, rows = owner[is_member], rows[is_member]
    r = comp.row[t_local[owner]]
    hit = comp.member_row[r] == rows[:, None]
    pairs = comp.members.pair[r][hit]
    statuses = [o.status for o in outcomes.values()]
    return _Solved(
        triples=comp.triples[t_local],
        pairs=pairs.astype(np.int64),
        tiers={k: o.value for k, o in outcomes.items()},
        bounds={k: o.bound for k, o in outcomes.items()},
        status=SolveStatus.worst(statuses),
        methods=[o.method for o in outcomes.values()],
    )


def _solve_total(comp: _Component) -> _Solved:
    """Placed, then squad members (when they can vary), then value."""
    solver = comp.solver()
    tiers = [("placed", PLACED)]
    if comp.allow_partial.any():
        tiers.append(("squad_members", MEMBERS))
    tiers.append(("value", VALUE))
    try:
        outcomes = solver.lexicographic(tiers)
    except InfeasibleError:
        raise _PinConflictError(comp) from None
    return _finish(comp, solver, outcomes)


class _PinConflictError(Exception):
    def __init__(self, comp: _Component):
        super().__init__("pins exceed a capacity")
        self.comp = comp


def _best_floor(comp: _Component, solver: PackingSolver, placed: int) -> int | None:
    """The highest placement gain every non-exempt person placed can reach, the most placed kept."""
    if placed == 0:
        return None
    levels = np.unique(comp.gain[~comp.exempt[comp.group]])
    if not len(levels):
        return None
    lo, hi = 0, len(levels) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        solver.restrict(int(levels[mid]))
        if solver.optimise(PLACED).value == placed:
            lo = mid
        else:
            hi = mid - 1
    solver.restrict(None)
    return int(levels[lo])


def solve_joint(ctx: StageContext) -> JointSolution:
    """Stages 1 and 2 together; see the module docstring."""
    start = time.perf_counter()
    a = ctx.arrays
    prob = _problem(ctx)
    comps = list(_components(ctx, prob))
    placed_somewhere = np.zeros(len(a.candidates), dtype=bool)
    for comp in comps:
        placed_somewhere[comp.candidates] = True
    forced_out = prob.forced & ~placed_somewhere
    if forced_out.any():
        lines = [f"{cid} → {', '.join(_pin_words(ctx, str(cid)))}" for cid in a.candidates.ids[forced_out]]
        raise MatchError(
            "pins cannot be honoured: no placement honours all the pins of " + "; ".join(lines) + " (the pinned "
            "squad members must work at the pinned site, and none of them may be the lead guide)"
        )
    try:
        solved = _solve_fair(comps) if ctx.fair else _solve_all(comps)
    except _PinConflictError as exc:
        raise _pin_conflict(ctx, exc.comp) from None
    both = _assemble(ctx, prob, solved)
    seconds = time.perf_counter() - start  # the whole joint solve, set-up and column generation included
    status = dataclasses.replace(both.joint.status, seconds=seconds)
    return dataclasses.replace(
        both,
        joint=dataclasses.replace(both.joint, status=status),
        squad=dataclasses.replace(both.squad, status=status),
    )


def _solve_all(comps: list[_Component]) -> list[_Solved]:
    n_options = sum(len(c.triples) for c in comps)
    workers = min(os.cpu_count() or 1, len(comps))
    if workers < 2 or n_options < PARALLEL_MIN_OPTIONS:
        return [_solve_total(c) for c in comps]
    order = sorted(range(len(comps)), key=lambda i: -len(comps[i].triples))  # largest first
    with ProcessPoolExecutor(max_workers=workers) as pool:
        done = dict(zip(order, pool.map(_solve_total, [comps[i] for i in order]), strict=True))
    return [done[i] for i in range(len(comps))]


def _solve_fair(comps: list[_Component]) -> list[_Solved]:
    """The round's floor is the lowest of the components' best floors; each then keeps it and optimises on."""
    solvers = [c.solver() for c in comps]
    placed: list[TierOutcome] = []
    floors: list[int | None] = []
    for comp, solver in zip(comps, solvers, strict=True):
        try:
            out = solver.optimise(PLACED)
        except InfeasibleError:
            raise _PinConflictError(comp) from None
        placed.append(out)
        floors.append(_best_floor(comp, solver, out.value))
    known = [f for f in floors if f is not None]
    floor = min(known) if known else None
    results = []
    for comp, solver, first in zip(comps, solvers, placed, strict=True):
        outcomes = {"placed": first}
        solver.restrict(floor)
        solver.fix(PLACED, first.value)
        if floor is not None:
            outcomes["floor"] = TierOutcome(floor, float(floor), SolveStatus(), "search")
        tiers = [("squad_members", MEMBERS)] if comp.allow_partial.any() else []
        outcomes |= solver.lexicographic([*tiers, ("value", VALUE)])
        results.append(_finish(comp, solver, outcomes))
    return results


def _assemble(ctx: StageContext, prob: _Round, solved: list[_Solved]) -> JointSolution:
    opt, squad = prob.opt, prob.squad
    chosen = np.zeros(len(opt["cand"]), dtype=bool)
    members = np.zeros(len(squad["cand"]), dtype=bool)
    value = 0
    for s in solved:
        chosen[s.triples] = True
        members[s.pairs] = True
        value += s.tiers["value"]
    free = chosen & ~prob.exempt[opt["cand"]]  # the fair floor: placements of the unpinned
    missing = int(prob.team[chosen].sum()) - int(members.sum())
    tiers = ctx.tiers("placed", int(chosen.sum()), opt["gain"][free], value, ("missing", float(missing)))
    status = SolveStatus.worst([s.status for s in solved])
    methods = sorted({m for s in solved for m in s.methods})
    tutor = _assign_partners(
        ctx, opt["cand"], opt["tutor_set"], chosen, prob.tutor_sets, ctx.cap.tutor_room, ctx.cap.tutor_limit
    )
    operator = _assign_partners(
        ctx, opt["cand"], opt["operator_set"], chosen, prob.operator_sets, ctx.cap.operator_room, ctx.cap.operator_limit
    )
    n_c = len(ctx.arrays.candidates)
    by_cand_t, by_cand_o = np.full(n_c, -1, dtype=np.int64), np.full(n_c, -1, dtype=np.int64)
    by_cand_t[opt["cand"][chosen]] = tutor[chosen]
    by_cand_o[opt["cand"][chosen]] = operator[chosen]
    opt = opt | {"usable": prob.usable, "tutor": tutor, "operator": operator}
    joint = StageSolution("joint", None, None, np.arange(len(chosen)), opt, chosen, status, tiers, "+".join(methods))
    sq = StageSolution("squad", None, None, np.arange(len(members)), squad, members, status, method="joint")
    return JointSolution(joint, sq, by_cand_t, by_cand_o)


def _assign_partners(
    ctx: StageContext,
    cand: np.ndarray,
    set_id: np.ndarray,
    chosen: np.ndarray,
    sets: sp.csr_array,
    room: np.ndarray,
    limit: np.ndarray,
) -> np.ndarray:
    """Per option, the partner (tutor or operator) of its set each chosen option takes; -1 elsewhere.

    The placements satisfy every Hall row, so each person can have a partner of their
    set within every partner's room; among those choices, loads are spread (the
    ``k``-th new person costs a partner ``(carried + k) / limit``, convex) and ties go
    to the partner first by id (Hungarian method, ``linear_sum_assignment``, one
    connected group at a time).
    """
    from scipy.optimize import linear_sum_assignment

    out = np.full(len(cand), -1, dtype=np.int64)
    which = np.flatnonzero(chosen & (set_id >= 0))
    if not len(which):
        return out
    which = which[np.argsort(cand[which], kind="stable")]
    allowed = sp.csr_array(sets[set_id[which]])  # (people, partners)
    room = np.maximum(np.asarray(room, dtype=np.int64), 0)
    carried = np.asarray(limit, dtype=np.int64) - room
    n_p = len(which)
    graph = allowed.astype(np.int8)
    _, label = connected_components(sp.block_array([[None, graph], [graph.T, None]], format="csr"), directed=False)
    groups = np.unique(label, return_inverse=True)[1].ravel()
    by_group = by_label(groups)
    for lab in np.unique(groups[:n_p]).tolist():
        people = by_group[lab][by_group[lab] < n_p]
        partners = by_group[lab][by_group[lab] >= n_p] - n_p
        partners = partners[room[partners] > 0]
        k_max = np.minimum(room[partners], len(people))
        slot_partner = np.repeat(partners, k_max)
        k = _ramp(k_max)
        cost = (carried[slot_partner] + k + 1) / np.maximum(limit[slot_partner], 1) + 1e-7 * slot_partner
        ok = allowed[people][:, slot_partner].toarray()
        matrix = np.where(ok, cost[None, :], 1e9)
        r, c = linear_sum_assignment(matrix)
        if len(r) < len(people) or not ok[r, c].all():
            raise RuntimeError("the tutor or operator rows let through placements no assignment can staff")
        out[which[people[r]]] = slot_partner[c]
    return out


def _pin_conflict(ctx: StageContext, comp: _Component) -> MatchError:
    """Name the pins that cannot be honoured together and the limits they exceed.

    Every column of the pinned people is written down (pins leave few); a small
    programme then places all of them while letting each limit overflow at a cost,
    and the limits that overflow are the ones the pins exceed.
    """
    a = ctx.arrays
    oracle = JointOracle(comp)
    every = oracle.within(np.zeros(len(comp.row_lo)), VALUE * 0, None, np.full(comp.n_groups, -np.inf))
    cols = every.take(comp.forced[every.group])
    n = len(cols)
    n_rows = len(comp.row_lo)
    owner = np.repeat(np.arange(n), np.diff(cols.starts))
    use = sp.csr_array((np.ones(len(cols.index)), (cols.index, owner)), shape=(n_rows, n))
    groups = np.flatnonzero(comp.forced)
    one = sp.csr_array((np.ones(n), (np.searchsorted(groups, cols.group), np.arange(n))), shape=(len(groups), n))
    # capacity rows: use - overflow <= hi; balance rows (leads, newcomers): use - overflow <= segments there
    seg_cap = np.bincount(comp.seg_row, minlength=n_rows).astype(np.float64)
    cap = np.where(np.isfinite(comp.row_hi) & (comp.row_lo == -np.inf), comp.row_hi, seg_cap)
    a_mat = sp.hstack([use, -sp.eye_array(n_rows)]).tocsr()
    res = milp(
        np.r_[np.zeros(n), np.ones(n_rows)],
        constraints=[
            LinearConstraint(a_mat, -np.inf, cap),
            LinearConstraint(sp.hstack([one, sp.csr_array((len(groups), n_rows))]).tocsr(), 1, 1),
        ],
        integrality=np.r_[np.ones(n), np.zeros(n_rows)],
        bounds=Bounds(0, np.r_[np.ones(n), np.full(n_rows, np.inf)]),
    )
    over = np.flatnonzero(res.x[n:] > 0.5) if res.x is not None else np.zeros(0, dtype=np.int64)
    limits = [_limit_words(ctx, comp.row_what[r], cap[r]) for r in over]
    if res.x is not None:
        involved = sorted({int(g) for g in cols.group[res.x[:n] > 0.5] if _uses_any(cols, g, over, res.x[:n])})
    else:
        involved = list(range(len(groups)))
    pinned = [str(a.candidates.ids[comp.candidates[g]]) for g in (involved or np.flatnonzero(comp.forced).tolist())]
    what = "; ".join(f"{c} → {', '.join(_pin_words(ctx, c))}" for c in pinned)
    limit_text = "; ".join(limits) if limits else "the capacities of their sites together"
    return MatchError(f"pins cannot be honoured together: {what}: they need more than {limit_text}")


def _pin_words(ctx: StageContext, candidate_id: str) -> list[str]:
    """A candidate's site, lead and squad pins in words: ``"S00001 (site)"``, ``"G000005 (guide)"``."""
    out = []
    for p in ctx.round.pins:
        kind = ctx.round.role_of(p.partner_id)
        if p.candidate_id != candidate_id or kind == "peer":
            continue
        role = p.role.value if p.role else {"guide": "lead_guide"}.get(kind or "", kind)
        out.append(f"{p.partner_id} ({role})")
    return out


def _uses_any(cols: Columns, group: int, rows: np.ndarray, x: np.ndarray) -> bool:
    mine = np.flatnonzero((cols.group == group) & (x > 0.5))
    return any(np.isin(cols.index[cols.starts[j] : cols.starts[j + 1]], rows).any() for j in mine)


def _limit_words(ctx: StageContext, what: tuple[str, int | str], cap: float) -> str:
    a = ctx.arrays
    kind, i = what
    n = int(cap)
    if isinstance(i, str):
        if kind == "tutor":
            return f"the trainees company tutor(s) {i} may follow ({n})"
        return f"the caseload desk operator(s) {i} may take ({n})"
    return {
        "position": lambda: f"the openings of position {a.positions.ids[i]} ({n})",
        "site_tutor": lambda: f"the company tutors' limit of site {a.sites.ids[i]} ({n})",
        "site_legal": lambda: f"the legal trainee limit of site {a.sites.ids[i]} ({n})",
        "site_squads": lambda: f"the full squads the guide workers of site {a.sites.ids[i]} can form ({n})",
        "lead": lambda: f"the newcomers guide worker {a.guides.ids[i]} may lead ({n})",
        "guide": lambda: f"the newcomers guide worker {a.guides.ids[i]} may follow ({n})",
    }[kind]()


def _key_shift(comp: _Component) -> int:
    """Bits of a column key that name its squad (the rest name its option)."""
    width = comp.members.pair.shape[1]
    return width if width <= 40 else 24


def _rank(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2… within each run of equal values of a sorted array."""
    if not len(groups):
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    return np.arange(len(groups)) - np.repeat(starts, np.diff(np.r_[starts, len(groups)]))


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
