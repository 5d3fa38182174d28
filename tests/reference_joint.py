"""An independent exact model of the joint site + lead guide + squad problem (issue 14).

Built only from the score tables, the capacities and the round's pins and pairings
in place — never from the engine's networks — and solved two ways: a lexicographic
MILP (:func:`solve_milp`, HiGHS through :func:`scipy.optimize.milp`, one solve per
tier, each tier's optimum fixed for the next) and brute-force enumeration of every
assignment (:func:`solve_brute`, for rounds of at most four candidates).

The problem
-----------
A *placement* is a triple (candidate, position, lead guide) that the rules allow:
the pair (candidate, position) is feasible in role ``site``, the pair (candidate,
guide) in role ``lead_guide``, the guide may lead, works at the position's site
and either in that position's team or in the whole site (guide position ``-1``).
A *squad member* of a placed candidate is a guide worker of the same site, other
than their lead, whose pair is feasible in role ``guide`` and whose guide ×
position pair at the placement's position is too. Every candidate gets at most one
placement and at most ``squad_size`` squad members. A squad option is a (candidate,
position, guide): its gain depends on the position (issue 18: every lavoratore
guida is scored at the position, the lead and the squad alike).

Capacities (:class:`matchwork.capacity.Capacities`): placements per position
(``position_open``); per site, all placements (``site_tutor``) and the placements of
non-exempt candidates (``site_legal``); leads per guide (``guide_lead``); leads
plus squad roles per guide (``guide_total``).

Pins are hard. A site or position pin restricts the candidate's placements to that
site or position; a lead-guide pin to that lead; a squad pin (role ``guide``) to the
guide's site with another lead, and forces that squad member. A candidate with any
of these pins must be placed; :class:`JointInfeasibleError` is raised when no solution
honours every pin. Peer pins belong to the peer stage and are ignored here.

Objective, lexicographic (``total``):

(a) the most candidates placed; with ``require_full`` (default) a candidate may be
    placed only with a full squad of ``squad_size`` — except a pinned candidate, who
    must be placed whatever squad their site can give (a pin that a feasible
    placement honours must never fail for want of a squad);
(b) the most squad members in all;
(c) the best total: placement gains + squad gains − load costs.

``fair`` inserts, after (a), the highest lowest placement gain among the placed
candidates (optionally only the unpinned ones).

Gains are in integer units of ``1 / SCALE`` score points, like the engine's: a
placement gains ``round((site score + lead score) × SCALE)`` plus the continuity
bonus for a position (or site) and a lead already in place; a squad member
``round((guide score + guide × position score at the placement's position) ×
SCALE)``, that sum at least ``min_score.guide`` as for the lead, plus the bonus when
already in place. Load costs are
convex and explicit, see :class:`LoadCosts`.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

import matchwork as mw
from matchwork.scoring.arrays import SITE_KINDS

__all__ = [
    "SCALE",
    "EngineComparison",
    "JointInfeasibleError",
    "JointProblem",
    "JointSolution",
    "LoadCosts",
    "Objective",
    "compare_with_engine",
    "evaluate",
    "joint_problem",
    "solve",
    "solve_brute",
    "solve_milp",
]

SCALE = 10_000
"""Integer units per score point (the engine's resolution, restated so the model stands alone)."""

Objective = Literal["total", "fair"]


class JointInfeasibleError(ValueError):
    """No assignment honours every pin (or a pin names a pair the rules forbid)."""


# ---------------------------------------------------------------------------- load costs


@dataclasses.dataclass(frozen=True)
class LoadCosts:
    """Convex load costs of guide workers, in score points.

    ``carried`` is what a guide already follows before the round (``guide_limit −
    guide_total``: pairings in place of this round's candidates are released, so they
    count as newcomers again if kept). ``L`` new leads and ``N`` newcomers in all
    (leads plus squad roles) cost::

        lead × Σ_{k=1..L} m_k          m_k = carried + k − 1   ("carried": per newcomer already carried)
                                       m_k = k                 ("per_lead": the engine's formula today)
      + guide × Σ_{k=1..N} (carried + k) / limit               (every newcomer, lead or squad)
      − guide × Σ_{k=1..L} (carried + k) / limit               (only if not ``guide_counts_leads``)

    The last line makes the guide cost charge squad roles only, at the share of the
    capacity in use after the leads — the engine's squad stage today. Each marginal
    is rounded to integer units before summing, as a flow backend would. The lead
    marginals must stay non-decreasing (convex); they are whenever a guide leads at
    most one newcomer per round (the default ``lead_newcomers = 1``).
    """

    lead: float = 0.0
    guide: float = 0.0
    lead_rule: Literal["carried", "per_lead"] = "carried"
    guide_counts_leads: bool = True

    @classmethod
    def of(cls, policy: mw.Policy) -> LoadCosts:
        """The documented costs of ``policy`` (issue 14, Deliver 3)."""
        return cls(policy.solver.lead_load_cost, policy.solver.guide_load_cost)

    @classmethod
    def engine_today(cls, policy: mw.Policy) -> LoadCosts:
        """The costs the engine charges before issue 14: ``w × k`` per lead, squad roles only."""
        return cls(policy.solver.lead_load_cost, policy.solver.guide_load_cost, "per_lead", False)

    def marginals(
        self, carried: np.ndarray, limit: np.ndarray, lead_room: np.ndarray, total_room: np.ndarray
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per guide, the integer cost of its k-th new lead and of its k-th newcomer in all."""
        leads, totals = [], []
        for b, lim, n_lead, n_total in zip(carried, limit, lead_room, total_room, strict=True):
            k_lead, k_total = np.arange(1, n_lead + 1), np.arange(1, n_total + 1)
            base = b + k_lead - 1 if self.lead_rule == "carried" else k_lead
            lead = np.round(self.lead * SCALE * base)
            share = np.round(self.guide * SCALE * (b + k_total) / max(lim, 1))
            if not self.guide_counts_leads:
                lead = lead - share[:n_lead]
            if np.any(np.diff(lead) < 0):
                raise ValueError("lead load costs are not convex for this guide; use guide_counts_leads=True")
            leads.append(lead.astype(np.int64))
            totals.append(share.astype(np.int64))
        return leads, totals


# ---------------------------------------------------------------------------- the problem


@dataclasses.dataclass(frozen=True, eq=False)
class JointProblem:
    """The joint problem of one scored round, as plain arrays (see the module docstring).

    Placement options ``o`` and squad options ``q`` are rows of ``options`` and
    ``squad_options`` (pandas frames of index arrays and integer gains).
    """

    candidate_ids: np.ndarray
    position_ids: np.ndarray
    guide_ids: np.ndarray
    options: pd.DataFrame  # cand, pos, site, lead, gain (integer units)
    squad_options: pd.DataFrame  # cand, pos, guide, site, gain, pinned
    pinned: np.ndarray  # candidates that must be placed
    squad_size: int
    require_full: bool
    position_open: np.ndarray
    site_tutor: np.ndarray
    site_legal: np.ndarray
    exempt: np.ndarray
    guide_lead: np.ndarray
    guide_total: np.ndarray
    lead_marginal: list[np.ndarray]
    total_marginal: list[np.ndarray]
    pinned_in_floor: bool = True
    tutor_room: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    operator_room: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n_candidates(self) -> int:
        return len(self.candidate_ids)

    def squad_lower(self) -> np.ndarray:
        """Squad members each candidate must have when placed (its pinned guides, each counted once)."""
        pins = self.squad_options.loc[self.squad_options["pinned"], ["cand", "guide"]].drop_duplicates()
        forced = np.bincount(pins["cand"], minlength=self.n_candidates)
        full = self.squad_size if self.require_full else 0
        return np.where(self.pinned, forced, np.maximum(forced, full)).astype(np.int64)

    def load_cost(self, leads: np.ndarray, newcomers: np.ndarray) -> int:
        """The convex load cost of ``leads`` new leads and ``newcomers`` newcomers per guide."""
        return int(
            sum(int(m[:n].sum()) for m, n in zip(self.lead_marginal, leads, strict=True))
            + sum(int(m[:n].sum()) for m, n in zip(self.total_marginal, newcomers, strict=True))
        )


def joint_problem(
    scores: mw.Scores,
    *,
    require_full: bool | None = None,
    load: LoadCosts | None = None,
    continuity_bonus: float | None = None,
    pinned_in_floor: bool = True,
) -> JointProblem:
    """The joint problem of a scored round.

    Parameters
    ----------
    scores : matchwork.Scores
        Score tables and capacities (``mw.score(rnd, policy)``); dense or sparse.
    require_full : bool, optional
        Place a candidate only with a full squad. Default: the policy's
        ``squad.require_full`` if it has one, else True.
    load : LoadCosts, optional
        Default: :meth:`LoadCosts.of` the policy. ``LoadCosts()`` for none.
    continuity_bonus : float, optional
        Points for each pairing in place that is kept. Default: the policy's.
    pinned_in_floor : bool
        Whether pinned candidates' placements count in the ``fair`` floor.

    Raises
    ------
    JointInfeasibleError
        When a pin leaves its candidate no allowed option.
    """
    policy, a, cap = scores.policy, scores.arrays, scores.capacities
    rnd = a.round
    if require_full is None:
        require_full = bool(getattr(getattr(policy, "squad", None), "require_full", True))
    load = LoadCosts.of(policy) if load is None else load
    bonus = round((policy.solver.continuity_bonus if continuity_bonus is None else continuity_bonus) * SCALE)
    site_t, guide_t = scores.site, scores.guide
    pos_site = np.asarray(a.positions.site, dtype=np.int64)
    g_site = np.asarray(a.guides.site, dtype=np.int64)

    ok = site_t.feasible("site")
    sites = pd.DataFrame(
        {"cand": site_t.rows[ok].astype(np.int64), "pos": site_t.cols[ok].astype(np.int64), "s": site_t.total[ok]}
    )
    sites["site"] = pos_site[sites["pos"]]
    ok = guide_t.feasible("lead_guide") & a.guides.can_lead[guide_t.cols]
    leads = pd.DataFrame(
        {"cand": guide_t.rows[ok].astype(np.int64), "lead": guide_t.cols[ok].astype(np.int64), "g": guide_t.total[ok]}
    )
    leads["site"] = g_site[leads["lead"]]
    # issue 18: who a placement needs, by the site's kind and what it lists
    kinds = [k.value for k in SITE_KINDS]
    kind = np.array([kinds[int(k)] for k in a.sites.kind], dtype=object)
    team_pol = policy.team
    need_lead = np.isin(kind, [k.value for k in team_pol.guides_at]) & (np.bincount(g_site, minlength=len(kind)) > 0)
    need_tutor = np.isin(kind, [k.value for k in team_pol.tutor_at]) & np.asarray(a.sites.tutors_listed, dtype=bool)
    need_op = np.isin(kind, [k.value for k in team_pol.operator_at]) & (len(a.operators) > 0)
    # a lead of the position's team (guide × position table), the guide score being the sum of both tables
    gp = scores.guide_position
    gp_ok = gp.feasible("lead_guide")
    teams = pd.DataFrame(
        {"lead": gp.rows[gp_ok].astype(np.int64), "pos": gp.cols[gp_ok].astype(np.int64), "gp": gp.total[gp_ok]}
    )
    led = sites[need_lead[sites["site"].to_numpy()]].merge(leads, on=["cand", "site"]).merge(teams, on=["lead", "pos"])
    led["g"] = led["g"] + led["gp"]
    led = led[led["g"] >= policy.scoring.min_score.get("guide", 0.0) - 1e-9]
    bare = sites[~need_lead[sites["site"].to_numpy()]].assign(lead=-1, g=0.0)
    options = pd.concat([led.drop(columns="gp"), bare], ignore_index=True)
    # a company tutor of the site, a desk operator: every allowed one, as a choice of its own
    tut, opr = scores.tutor, scores.operator
    ok_t = tut.feasible("tutor")
    tutors = pd.DataFrame({"cand": tut.rows[ok_t].astype(np.int64), "tutor": tut.cols[ok_t].astype(np.int64)})
    tutors["site"] = np.asarray(a.tutors.site, dtype=np.int64)[tutors["tutor"]]
    ok_o = opr.feasible("operator")
    ops = pd.DataFrame({"cand": opr.rows[ok_o].astype(np.int64), "operator": opr.cols[ok_o].astype(np.int64)})
    nt = need_tutor[options["site"].to_numpy()]
    options = pd.concat(
        [options[~nt].assign(tutor=-1), options[nt].merge(tutors, on=["cand", "site"])], ignore_index=True
    )
    no = need_op[options["site"].to_numpy()]
    options = pd.concat([options[~no].assign(operator=-1), options[no].merge(ops, on=["cand"])], ignore_index=True)

    ok = guide_t.feasible("guide")
    squad = pd.DataFrame(
        {"cand": guide_t.rows[ok].astype(np.int64), "guide": guide_t.cols[ok].astype(np.int64), "g": guide_t.total[ok]}
    )
    squad["site"] = g_site[squad["guide"]]
    # at each position of the site (guide × position table, squad role), the score being both tables' sum
    gp_sq = gp.feasible("guide")
    at = pd.DataFrame(
        {"guide": gp.rows[gp_sq].astype(np.int64), "pos": gp.cols[gp_sq].astype(np.int64), "gp": gp.total[gp_sq]}
    )
    squad = squad.merge(at, on="guide")
    squad["g"] = squad["g"] + squad["gp"]
    squad = squad[squad["g"] >= policy.scoring.min_score.get("guide", 0.0) - 1e-9].drop(columns="gp")
    squad["pinned"] = False

    # pairings in place earn the continuity bonus when kept
    n_pos, n_guides = len(a.positions), len(a.guides)
    kept_pos: list[int] = []  # keys candidate × n + partner
    kept_lead: list[int] = []
    kept_squad: list[int] = []
    kept_tutor: list[int] = []
    kept_operator: list[int] = []
    for p in rnd.pairings:
        c = a.candidates.index[p.candidate_id]
        if p.role.value == "site" and p.partner_id in a.positions.index:
            kept_pos.append(c * n_pos + a.positions.index[p.partner_id])
        elif p.role.value == "site":  # a site pairing stands for every position of the site
            kept_pos += (c * n_pos + np.flatnonzero(pos_site == a.sites.index[p.partner_id])).tolist()
        elif p.role.value == "lead_guide":
            kept_lead.append(c * n_guides + a.guides.index[p.partner_id])
        elif p.role.value == "guide":
            kept_squad.append(c * n_guides + a.guides.index[p.partner_id])
        elif p.role.value == "tutor":
            kept_tutor.append(c * len(a.tutors) + a.tutors.index[p.partner_id])
        elif p.role.value == "operator":
            kept_operator.append(c * len(a.operators) + a.operators.index[p.partner_id])

    def kept(frame: pd.DataFrame, col: str, n: int, keys: list[int]) -> np.ndarray:
        partner = frame[col].to_numpy()
        return (np.isin(frame["cand"].to_numpy() * n + partner, keys) & (partner >= 0)).astype(np.int64)

    options["gain"] = np.round((options["s"].to_numpy() + options["g"].to_numpy()) * SCALE).astype(np.int64)
    options["gain"] += bonus * (
        kept(options, "pos", n_pos, kept_pos)
        + kept(options, "lead", n_guides, kept_lead)
        + kept(options, "tutor", len(a.tutors), kept_tutor)
        + kept(options, "operator", len(a.operators), kept_operator)
    )
    squad["gain"] = np.round(squad["g"].to_numpy() * SCALE).astype(np.int64)
    squad["gain"] += bonus * kept(squad, "guide", n_guides, kept_squad)

    # pins: restrict the pinned candidates' options, force squad members
    pinned = np.zeros(len(a.candidates), dtype=bool)
    keep = np.ones(len(options), dtype=bool)
    for pin in rnd.pins:
        c = a.candidates.index[pin.candidate_id]
        role = pin.role.value if pin.role else None
        mine = (options["cand"] == c).to_numpy()
        if pin.partner_id in a.positions.index:
            keep &= ~mine | (options["pos"] == a.positions.index[pin.partner_id]).to_numpy()
        elif pin.partner_id in a.sites.index:
            keep &= ~mine | (options["site"] == a.sites.index[pin.partner_id]).to_numpy()
        elif pin.partner_id in a.guides.index and role != "guide":
            keep &= ~mine | (options["lead"] == a.guides.index[pin.partner_id]).to_numpy()
        elif pin.partner_id in a.tutors.index:
            keep &= ~mine | (options["tutor"] == a.tutors.index[pin.partner_id]).to_numpy()
        elif pin.partner_id in a.operators.index:
            keep &= ~mine | (options["operator"] == a.operators.index[pin.partner_id]).to_numpy()
        elif pin.partner_id in a.guides.index:
            g = a.guides.index[pin.partner_id]
            hit = ((squad["cand"] == c) & (squad["guide"] == g)).to_numpy()
            if not hit.any():
                raise JointInfeasibleError(
                    f"squad pin {pin.candidate_id} → {pin.partner_id}: the rules forbid the pair"
                )
            squad.loc[hit, "pinned"] = True
            keep &= ~mine | ((options["site"] == g_site[g]) & (options["lead"] != g)).to_numpy()
        else:
            continue  # a peer pin: the peer stage's business
        pinned[c] = True
    options = options[keep].reset_index(drop=True)
    for lost in np.flatnonzero(pinned & (np.bincount(options["cand"], minlength=len(pinned)) == 0)):
        raise JointInfeasibleError(f"pins of {a.candidates.ids[lost]} leave no allowed placement")

    squad = squad.sort_values(["cand", "pos", "guide"]).reset_index(drop=True)
    options = options.sort_values(["cand", "pos", "lead", "tutor", "operator"]).reset_index(drop=True)
    carried = cap.guide_limit - cap.guide_total
    lead_m, total_m = load.marginals(carried, cap.guide_limit, cap.guide_lead, cap.guide_total)
    return JointProblem(
        candidate_ids=np.asarray(a.candidates.ids),
        position_ids=np.asarray(a.positions.ids),
        guide_ids=np.asarray(a.guides.ids),
        options=options[["cand", "pos", "site", "lead", "tutor", "operator", "gain"]],
        squad_options=squad[["cand", "pos", "guide", "site", "gain", "pinned"]],
        pinned=pinned,
        squad_size=policy.caps.squad_size,
        require_full=require_full,
        position_open=np.asarray(cap.position_open, dtype=np.int64),
        site_tutor=np.asarray(cap.site_tutor, dtype=np.int64),
        site_legal=np.asarray(cap.site_legal, dtype=np.int64),
        exempt=np.asarray(cap.exempt, dtype=bool),
        guide_lead=np.asarray(cap.guide_lead, dtype=np.int64),
        guide_total=np.asarray(cap.guide_total, dtype=np.int64),
        tutor_room=np.asarray(cap.tutor_room, dtype=np.int64),
        operator_room=np.asarray(cap.operator_room, dtype=np.int64),
        lead_marginal=lead_m,
        total_marginal=total_m,
        pinned_in_floor=pinned_in_floor,
    )


# ---------------------------------------------------------------------------- solutions


@dataclasses.dataclass(frozen=True)
class JointSolution:
    """Tier values and the chosen placements and squads.

    ``placed``, ``floor`` (``fair`` only; None under ``total`` or with nobody placed),
    ``squad_missing`` (squad places left empty in placements with a lead guide, fewest
    best) and ``total`` (integer units of ``1 / SCALE`` points) are the tiers in
    lexicographic order; ``squad_members`` counts the members chosen. ``placements`` maps a candidate id to its
    ``(position id, lead guide id)``; ``squads`` a placed candidate id to its squad.
    """

    objective: Objective
    placed: int
    floor: int | None
    squad_missing: int
    squad_members: int
    total: int
    placements: dict[str, tuple[str, str]]
    squads: dict[str, tuple[str, ...]]
    problem: JointProblem = dataclasses.field(repr=False, compare=False)

    @property
    def tiers(self) -> tuple[int, int | None, int, int]:
        """Larger-is-better: the squad places left empty count negatively."""
        return self.placed, self.floor, -self.squad_missing, self.total


def evaluate(
    problem: JointProblem, option: Sequence[int], members: Sequence[Sequence[int]], objective: Objective = "total"
) -> tuple[JointSolution, list[str]]:
    """The tier values of an assignment, and every way it breaks the model.

    ``option[c]`` is a row of ``problem.options`` (or -1: not placed) and
    ``members[c]`` rows of ``problem.squad_options``.
    """
    o, q = problem.options, problem.squad_options
    n_g = len(problem.guide_ids)
    broken: list[str] = []
    chosen = [i for i in option if i >= 0]
    rows = o.iloc[chosen]
    cands = rows["cand"].to_numpy()
    picked = [m for ms in members for m in ms]
    sq = q.iloc[picked]
    lead_rows = rows["lead"][rows["lead"] >= 0]
    tut, opr = rows["tutor"][rows["tutor"] >= 0], rows["operator"][rows["operator"] >= 0]
    for name, used, cap in (
        ("tutor room", np.bincount(tut, minlength=len(problem.tutor_room)), problem.tutor_room),
        ("operator caseload", np.bincount(opr, minlength=len(problem.operator_room)), problem.operator_room),
        ("position openings", np.bincount(rows["pos"], minlength=len(problem.position_open)), problem.position_open),
        ("site tutors", np.bincount(rows["site"], minlength=len(problem.site_tutor)), problem.site_tutor),
        (
            "site legal limit",
            np.bincount(rows["site"][~problem.exempt[cands]], minlength=len(problem.site_legal)),
            problem.site_legal,
        ),
        ("guide leads", np.bincount(lead_rows, minlength=n_g), problem.guide_lead),
        (
            "guide newcomers",
            np.bincount(lead_rows, minlength=n_g) + np.bincount(sq["guide"], minlength=n_g),
            problem.guide_total,
        ),
    ):
        for i in np.flatnonzero(used > cap):
            broken.append(f"{name} #{i}: {used[i]} > {cap[i]}")
    if len(set(cands.tolist())) != len(cands) or any(o["cand"].iloc[i] != c for c, i in enumerate(option) if i >= 0):
        broken.append("a candidate with another's placement or two placements")
    lower = problem.squad_lower()
    for c in range(problem.n_candidates):
        ms = list(members[c])
        if option[c] < 0:
            if problem.pinned[c]:
                broken.append(f"pinned {problem.candidate_ids[c]} is not placed")
            if ms:
                broken.append(f"{problem.candidate_ids[c]} has a squad but no placement")
            continue
        mine = q.iloc[ms]
        place = o.iloc[option[c]]
        if (mine["cand"] != c).any() or (mine["pos"] != place["pos"]).any() or (mine["guide"] == place["lead"]).any():
            broken.append(f"{problem.candidate_ids[c]}: a squad member of another position, the lead, or another's")
        if mine["guide"].duplicated().any():
            broken.append(f"{problem.candidate_ids[c]}: a squad member twice")
        need = lower[c] if place["lead"] >= 0 else 0
        if len(set(ms)) != len(ms) or len(ms) > problem.squad_size or len(ms) < need:
            broken.append(f"{problem.candidate_ids[c]} has {len(ms)} squad members, needs {lower[c]}")
    pinned_pairs = set(map(tuple, q.loc[q["pinned"], ["cand", "guide"]].to_numpy().tolist()))
    if not pinned_pairs <= set(map(tuple, sq[["cand", "guide"]].to_numpy().tolist())):
        broken.append("a pinned squad member is missing")

    leads = np.bincount(lead_rows, minlength=n_g)
    newcomers = leads + np.bincount(sq["guide"], minlength=n_g)
    total = int(rows["gain"].sum() + sq["gain"].sum()) - problem.load_cost(leads, newcomers)
    in_floor = problem.pinned_in_floor | ~problem.pinned[cands]
    floor = None
    if objective == "fair" and in_floor.any():
        floor = int(rows["gain"].to_numpy()[in_floor].min())
    g_ids, p_ids, c_ids = problem.guide_ids, problem.position_ids, problem.candidate_ids
    solution = JointSolution(
        objective=objective,
        placed=len(chosen),
        floor=floor,
        squad_missing=problem.squad_size * int((rows["lead"] >= 0).sum()) - len(picked),
        squad_members=len(picked),
        total=total,
        placements={
            str(c_ids[c]): (str(p_ids[p]), str(g_ids[g]) if g >= 0 else "")
            for c, p, g in rows[["cand", "pos", "lead"]].values
        },
        squads={
            str(c_ids[c]): tuple(sorted(str(g_ids[g]) for g in q["guide"].iloc[list(members[c])]))
            for c in range(problem.n_candidates)
            if option[c] >= 0
        },
        problem=problem,
    )
    return solution, broken


# ---------------------------------------------------------------------------- the MILP


class _Milp:
    """Variables: ``x`` per placement option, ``y`` per squad option (binary), then per guide
    one continuous unit segment per possible new lead and per possible newcomer (their
    costs rise, so the cheapest fill first), and ``t``, the fair floor."""

    def __init__(self, problem: JointProblem):
        self.p = problem
        o, q = problem.options, problem.squad_options
        n_c, n_g = problem.n_candidates, len(problem.guide_ids)
        self.n_x, self.n_y = len(o), len(q)
        lead_seg = np.repeat(np.arange(n_g), problem.guide_lead)
        total_seg = np.repeat(np.arange(n_g), problem.guide_total)
        self.n_u, self.n_v = len(lead_seg), len(total_seg)
        n = self.n_x + self.n_y + self.n_u + self.n_v + 1
        self.n = n
        y0 = self.n_x
        u0, v0 = y0 + self.n_y, y0 + self.n_y + self.n_u
        self.t = n - 1
        xs, ys = np.arange(self.n_x), y0 + np.arange(self.n_y)
        oc, os_, ol, op = (o[k].to_numpy() for k in ("cand", "site", "lead", "pos"))
        qc, qg = q["cand"].to_numpy(), q["guide"].to_numpy()
        rows: list[tuple[sp.coo_array, np.ndarray, np.ndarray]] = []

        def block(r: np.ndarray, c: np.ndarray, v: np.ndarray, n_rows: int, lo: Any, hi: Any) -> None:
            m = sp.coo_array((v.astype(np.float64), (r, c)), shape=(n_rows, n))
            rows.append(
                (m, np.broadcast_to(np.asarray(lo, float), n_rows), np.broadcast_to(np.asarray(hi, float), n_rows))
            )

        ones_x, ones_y = np.ones(self.n_x), np.ones(self.n_y)
        led = ol >= 0  # options without a lead guide (host companies) take no squad and no guide's room
        ot, oo = o["tutor"].to_numpy(), o["operator"].to_numpy()
        # one placement per candidate, exactly one if pinned
        block(oc, xs, ones_x, n_c, problem.pinned.astype(float), 1.0)
        # a squad member only at the candidate's position and not their lead: y_q ≤ Σ x_o over matching options
        left, right = _pairs(q[["cand", "pos"]], o[["cand", "pos"]])
        match = ol[right] != qg[left]
        block(
            np.concatenate([np.arange(self.n_y), left[match]]),
            np.concatenate([ys, xs[right[match]]]),
            np.concatenate([ones_y, -np.ones(match.sum())]),
            self.n_y,
            -np.inf,
            0.0,
        )
        # squad size: lower·placed ≤ Σ y ≤ size·placed
        lower = problem.squad_lower()
        block(
            np.concatenate([qc, oc]),
            np.concatenate([ys, xs]),
            np.concatenate([ones_y, -problem.squad_size * led]),
            n_c,
            -np.inf,
            0.0,
        )
        block(
            np.concatenate([qc, oc]),
            np.concatenate([ys, xs]),
            np.concatenate([ones_y, -lower[oc] * led]),
            n_c,
            0.0,
            np.inf,
        )
        # capacities
        block(op, xs, ones_x, len(problem.position_open), -np.inf, problem.position_open)
        block(os_, xs, ones_x, len(problem.site_tutor), -np.inf, problem.site_tutor)
        counted = ~problem.exempt[oc]
        block(os_[counted], xs[counted], ones_x[counted], len(problem.site_legal), -np.inf, problem.site_legal)
        block(ol[led], xs[led], ones_x[led], n_g, -np.inf, problem.guide_lead)
        block(
            np.concatenate([ol[led], qg]),
            np.concatenate([xs[led], ys]),
            np.ones(int(led.sum()) + self.n_y),
            n_g,
            -np.inf,
            problem.guide_total,
        )
        # a company tutor's room, a desk operator's caseload (issue 18)
        ht, ho = ot >= 0, oo >= 0
        block(ot[ht], xs[ht], ones_x[ht], len(problem.tutor_room), -np.inf, problem.tutor_room)
        block(oo[ho], xs[ho], ones_x[ho], len(problem.operator_room), -np.inf, problem.operator_room)
        # segments carry the loads: Σ u = leads, Σ v = leads + squad roles
        us, vs = u0 + np.arange(self.n_u), v0 + np.arange(self.n_v)
        block(
            np.concatenate([lead_seg, ol[led]]),
            np.concatenate([us, xs[led]]),
            np.concatenate([np.ones(self.n_u), -ones_x[led]]),
            n_g,
            0,
            0,
        )
        block(
            np.concatenate([total_seg, ol[led], qg]),
            np.concatenate([vs, xs[led], ys]),
            np.concatenate([np.ones(self.n_v), -ones_x[led], -ones_y]),
            n_g,
            0,
            0,
        )
        # fair floor: t ≤ gain of the candidate's placement, or ≤ M when unplaced
        self.big = float(o["gain"].to_numpy().max(initial=0)) + 1.0
        counted_c = problem.pinned_in_floor | ~problem.pinned
        f = counted_c[oc]
        block(
            np.concatenate([oc[f], np.flatnonzero(counted_c)]),
            np.concatenate([xs[f], np.full(counted_c.sum(), self.t)]),
            np.concatenate([-(o["gain"].to_numpy()[f] - self.big), np.ones(counted_c.sum())]),
            n_c,
            -np.inf,
            self.big,
        )
        # a pinned squad member: exactly one of its rows (one per position of the site) is chosen
        pin_rows = np.flatnonzero(q["pinned"].to_numpy())
        _, pair_of = np.unique(qc[pin_rows] * n_g + qg[pin_rows], return_inverse=True)
        n_pins = int(pair_of.max(initial=-1)) + 1
        block(pair_of.ravel(), ys[pin_rows], np.ones(len(pin_rows)), n_pins, 1.0, 1.0)
        self.a = sp.vstack([m for m, _, _ in rows]).tocsr()
        self.lo = np.concatenate([lo for _, lo, _ in rows])
        self.hi = np.concatenate([hi for _, _, hi in rows])
        self.lb = np.zeros(n)
        self.ub = np.ones(n)
        self.ub[self.t] = self.big
        self.integrality = np.zeros(n)
        self.integrality[: self.n_x + self.n_y] = 1
        self.cost_seg = np.concatenate(
            [
                np.concatenate(problem.lead_marginal or [np.zeros(0)]),
                np.concatenate(problem.total_marginal or [np.zeros(0)]),
            ]
        )
        self.extra: list[LinearConstraint] = []
        self.xs, self.ys, self.us0 = xs, ys, u0

    def maximise(self, c: np.ndarray) -> tuple[float, np.ndarray]:
        constraints = [LinearConstraint(self.a, self.lo, self.hi), *self.extra]
        res = milp(
            -c,
            constraints=constraints,
            integrality=self.integrality,
            bounds=Bounds(self.lb, self.ub),
            # presolve off: on the big-M rows of the fair floor (coefficients from 1 to ~10^6) HiGHS's presolve
            # returned a floor below the optimum as "optimal" (a one-candidate round, floor 999 256 against
            # 2 241 741; found by tests/test_engine.py), and then an infeasible next tier
            options={"mip_rel_gap": 0, "presolve": False},
        )
        if res.status == 2:
            raise JointInfeasibleError("the pins cannot all be honoured together (capacities or squads)")
        if res.status != 0:
            raise RuntimeError(f"HiGHS stopped without an optimum: {res.message}")
        return -float(res.fun), res.x

    def fix(self, c: np.ndarray, value: float) -> None:
        self.extra.append(LinearConstraint(c[None, :], value - 0.5, np.inf))

    def vector(self, x: float = 0.0, y: float = 0.0) -> np.ndarray:
        c = np.zeros(self.n)
        c[self.xs], c[self.ys] = x, y
        return c


def _pairs(left: pd.DataFrame, right: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs ``(i, j)`` whose key columns are equal (a pandas join)."""
    keys = list(left.columns)
    joined = left.assign(i=np.arange(len(left))).merge(right.assign(j=np.arange(len(right))), on=keys)
    return joined["i"].to_numpy(dtype=np.int64), joined["j"].to_numpy(dtype=np.int64)


def solve_milp(problem: JointProblem, objective: Objective = "total") -> JointSolution:
    """The lexicographic optimum by one MILP per tier, each tier's optimum fixed for the next."""
    m = _Milp(problem)
    count = m.vector(x=1.0)
    placed, _ = m.maximise(count)
    m.fix(count, round(placed))
    if objective == "fair" and round(placed) > 0:
        c = np.zeros(m.n)
        c[m.t] = 1.0
        floor, _ = m.maximise(c)
        m.lb[m.t] = round(floor) - 0.5  # floors are integer gains
    members = m.vector(y=1.0)  # minus the squad places of placements with a lead: fewest left empty
    members[m.xs] = -problem.squad_size * (problem.options["lead"].to_numpy() >= 0)
    squad, _ = m.maximise(members)
    m.fix(members, round(squad))
    value = m.vector(x=1.0, y=1.0)
    value[m.xs] = problem.options["gain"].to_numpy(dtype=float)
    value[m.ys] = problem.squad_options["gain"].to_numpy(dtype=float)
    value[m.us0 : m.us0 + len(m.cost_seg)] = -m.cost_seg
    total, x = m.maximise(value)
    chosen_x = x[m.xs] > 0.5
    chosen_y = x[m.ys] > 0.5
    option = np.full(problem.n_candidates, -1, dtype=np.int64)
    option[problem.options["cand"].to_numpy()[chosen_x]] = np.flatnonzero(chosen_x)
    qc = problem.squad_options["cand"].to_numpy()
    members_of = [np.flatnonzero(chosen_y & (qc == c)).tolist() for c in range(problem.n_candidates)]
    solution, broken = evaluate(problem, option.tolist(), members_of, objective)
    if (
        broken
        or abs(solution.total - total) > 0.5
        or solution.placed != round(placed)
        or -solution.squad_missing != round(squad)
    ):
        raise AssertionError(f"the MILP's solution does not evaluate to its tiers: {broken}, {solution.tiers}")
    return solution


# ---------------------------------------------------------------------------- brute force


def solve_brute(problem: JointProblem, objective: Objective = "total", max_candidates: int = 4) -> JointSolution:
    """The lexicographic optimum by enumerating every assignment (capacities checked as it goes)."""
    if problem.n_candidates > max_candidates:
        raise ValueError(f"brute force is for at most {max_candidates} candidates")
    o, q = problem.options, problem.squad_options
    n_g = len(problem.guide_ids)
    lower = problem.squad_lower()
    oc, op, os_, ol, og = (o[k].to_numpy() for k in ("cand", "pos", "site", "lead", "gain"))
    qc, qg, qp, qgain, qpin = (q[k].to_numpy() for k in ("cand", "guide", "pos", "gain", "pinned"))

    # every choice of one candidate: (option, squad) or nothing
    choices: list[list[tuple[int, tuple[int, ...]]]] = []
    for c in range(problem.n_candidates):
        mine: list[tuple[int, tuple[int, ...]]] = [] if problem.pinned[c] else [(-1, ())]
        for i in np.flatnonzero(oc == c):
            eligible = np.flatnonzero((qc == c) & (qp == op[i]) & (qg != ol[i])).tolist()
            pinned_guides = set(qg[(qc == c) & qpin].tolist())
            for k in range(lower[c], problem.squad_size + 1):
                for team in itertools.combinations(eligible, k):
                    if pinned_guides <= {int(qg[j]) for j in team}:
                        mine.append((int(i), team))
        if not mine:
            raise JointInfeasibleError(f"pins of {problem.candidate_ids[c]} cannot be honoured")
        choices.append(mine)

    pos_used = np.zeros(len(problem.position_open), dtype=np.int64)
    tutor_used = np.zeros(len(problem.site_tutor), dtype=np.int64)
    legal_used = np.zeros(len(problem.site_legal), dtype=np.int64)
    lead_used = np.zeros(n_g, dtype=np.int64)
    total_used = np.zeros(n_g, dtype=np.int64)
    best: tuple[Any, ...] | None = None
    best_choice: list[tuple[int, tuple[int, ...]]] = []
    picked: list[tuple[int, tuple[int, ...]]] = []

    def fits() -> bool:
        return bool(
            (pos_used <= problem.position_open).all()
            and (tutor_used <= problem.site_tutor).all()
            and (legal_used <= problem.site_legal).all()
            and (lead_used <= problem.guide_lead).all()
            and (total_used <= problem.guide_total).all()
        )

    def apply(c: int, i: int, team: tuple[int, ...], sign: int) -> None:
        if i < 0:
            return
        pos_used[op[i]] += sign
        tutor_used[os_[i]] += sign
        legal_used[os_[i]] += sign * (not problem.exempt[c])
        if ol[i] >= 0:  # a host company's placement takes no guide
            lead_used[ol[i]] += sign
            total_used[ol[i]] += sign
        for j in team:
            total_used[qg[j]] += sign

    def key() -> tuple[Any, ...]:
        placed = [(c, i) for c, (i, _) in enumerate(picked) if i >= 0]
        # minus the squad places left empty: placements with a lead guide need squad_size members
        members = sum(len(t) - problem.squad_size * (ol[i] >= 0) for i, t in picked if i >= 0)
        gain = sum(int(og[i]) for _, i in placed) + sum(int(qgain[j]) for _, t in picked for j in t)
        total = gain - problem.load_cost(lead_used, total_used)
        if objective == "total":
            return (len(placed), members, total)
        floors = [int(og[i]) for c, i in placed if problem.pinned_in_floor or not problem.pinned[c]]
        return (len(placed), min(floors, default=np.inf), members, total)  # nobody counted: no floor binds

    def walk(c: int) -> None:
        nonlocal best, best_choice
        if c == problem.n_candidates:
            k = key()
            if best is None or k > best:
                best, best_choice = k, list(picked)
            return
        for i, team in choices[c]:
            apply(c, i, team, +1)
            if fits():
                picked.append((i, team))
                walk(c + 1)
                picked.pop()
            apply(c, i, team, -1)

    walk(0)
    if best is None:
        raise JointInfeasibleError("the pins cannot all be honoured together (capacities or squads)")
    solution, broken = evaluate(problem, [i for i, _ in best_choice], [list(t) for _, t in best_choice], objective)
    assert not broken, broken
    return solution


def solve(
    scores: mw.Scores, objective: Objective = "total", method: Literal["milp", "brute"] = "milp", **kwargs: Any
) -> JointSolution:
    """Build the joint problem of ``scores`` (keywords as :func:`joint_problem`) and solve it."""
    problem = joint_problem(scores, **kwargs)
    return solve_milp(problem, objective) if method == "milp" else solve_brute(problem, objective)


# ---------------------------------------------------------------------------- against the engine


@dataclasses.dataclass(frozen=True)
class EngineComparison:
    """The engine's assignment evaluated in the reference model, next to the reference optimum.

    ``engine`` holds the engine's tiers; with ``require_full`` its ``placed`` counts only
    placements that have a full squad (or are pinned), as tier (a) does, and
    ``engine_placed_any`` every placement. ``violations`` lists what the engine's
    assignment breaks in the model (an option the model does not allow, a partial
    squad, a capacity). ``shortfall`` is the first tier where the engine is worse and
    by how much, None when it reaches the optimum on every tier.
    """

    engine: JointSolution
    reference: JointSolution
    engine_placed_any: int
    violations: tuple[str, ...]
    shortfall: tuple[str, int] | None

    @property
    def optimal(self) -> bool:
        return self.shortfall is None and not self.violations


def compare_with_engine(result: mw.MatchResult, reference: JointSolution) -> EngineComparison:
    """Evaluate ``result``'s placements and squads in ``reference``'s model, tier by tier.

    Use the same round, policy and model options for both, e.g.::

        scores = mw.score(rnd, policy)
        reference = solve(scores, objective, load=LoadCosts.engine_today(policy), require_full=False)
        comparison = compare_with_engine(mw.match(rnd, policy, objective=objective), reference)
    """
    problem = reference.problem
    o, q = problem.options, problem.squad_options
    pos_index = {str(p): i for i, p in enumerate(problem.position_ids)}
    guide_index = {str(g): i for i, g in enumerate(problem.guide_ids)}
    tutor_index = {str(t): i for i, t in enumerate(result.scores.arrays.tutors.ids)}
    operator_index = {str(t): i for i, t in enumerate(result.scores.arrays.operators.ids)}
    columns = ["cand", "pos", "lead", "tutor", "operator"]
    option_of = {tuple(k): i for i, k in enumerate(o[columns].itertuples(index=False))}
    squad_of = {(c, p, g): i for i, (c, p, g) in enumerate(q[["cand", "pos", "guide"]].itertuples(index=False))}
    violations: list[str] = []
    option = [-1] * problem.n_candidates
    members: list[list[int]] = [[] for _ in range(problem.n_candidates)]
    rows = result.assignments.set_index("candidate_id")
    partial = 0
    for c, cid in enumerate(problem.candidate_ids):
        row = rows.loc[str(cid)]
        if row["status"] != "matched":
            continue
        key = (
            c,
            pos_index[str(row["position_id"])],
            guide_index.get(str(row["lead_guide_id"]), -1),
            tutor_index.get(str(row["tutor_id"]), -1),
            operator_index.get(str(row["operator_id"]), -1),
        )
        if key not in option_of:
            violations.append(f"{cid}: placement {key[1:]} is not an option of the model (a rule or a pin)")
            continue
        team = [squad_of.get((c, key[1], guide_index[g]), -1) for g in row["squad_ids"]]
        if -1 in team:
            violations.append(f"{cid}: a squad member the model does not allow")
        team = [j for j in team if j >= 0]
        full = problem.squad_size if key[2] >= 0 else 0
        if problem.require_full and not problem.pinned[c] and len(team) < full:
            partial += 1
            continue  # tier (a) does not count a placement without its full squad
        option[c], members[c] = option_of[key], team
    engine, broken = evaluate(problem, option, members, reference.objective)
    violations += broken
    if partial:
        violations.append(f"{partial} placements without a full squad")
    shortfall = None
    names = ("placed", "floor", "squad_missing", "total")
    for name, mine, best in zip(names, engine.tiers, reference.tiers, strict=True):
        if mine == best or (mine is None and best is None):
            continue
        if mine is None or best is None or mine < best:
            shortfall = (name, (best or 0) - (mine or 0))
        break
    placed_any = int((result.assignments["status"] == "matched").sum())
    return EngineComparison(engine, reference, placed_any, tuple(violations), shortfall)
