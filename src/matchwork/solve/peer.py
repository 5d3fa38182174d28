"""The peer-supporter problem: each person at most one supporter, within each supporter's hours and people.

Pairs ``i = (cand[i], peer[i])`` with an integer ``gain[i]`` and the ``hours[i]``
the person needs; ``x[i]`` is 0 or 1. Each candidate takes at most one pair
(exactly one when pinned); each supporter gives at most their free hours, whose
cost rises hour by hour (one-hour segments of non-decreasing cost: burnout as a
soft cost), and follows at most ``people`` people. Lexicographic objective: the
most pairs, then the largest ``Σ gain·x − Σ hour costs``; under ``fair``, the
highest lowest gain among unpinned pairs between the two.

Each connected component of the pairs is solved on its own:

1. **The hour-unit flow.** The linear relaxation with everyone who has a pair
   placed (``x[i]`` is the share of the person's hours the supporter gives: the
   min-cost flow in hour units, with the people caps as side rows), solved by
   HiGHS through :func:`scipy.optimize.linprog`. Its optimum bounds the value
   from above; when it is infeasible not everyone can be placed and the component
   goes to two exact phases instead: the most placed (the flow's largest count,
   rounded down, is a bound; supporters the flow gives only whole people keep
   them, everyone else is placed by an exact MILP in what is left, and when that
   reaches the bound the count is proven — method ``count``; else an exact count
   MILP on the whole component), then the best value among solutions placing that
   many: an exact MILP with the count fixed, each supporter's load written as one
   of its patterns (how many people of each hour need it takes, with the exact
   hour cost), whose linear relaxation is tighter than the hour segments'.
2. If the flow's vertex is integral it is the optimum (method ``lp``).
3. **Repair of the split.** People the flow serves whole keep their supporter;
   those it splits are placed by an exact MILP (:func:`~matchwork.solve.milp.solve_milp`)
   in the hours and places left: a feasible solution, the incumbent.
4. **The pattern bound.** The same component with each supporter's load as one of
   its patterns (how many people of each hour need it takes, within its hours and
   people, with the exact hour cost; :func:`_pattern_model`): its linear relaxation
   is tighter than the flow (each supporter's loads per hour class within their
   convex hull), and when it is infeasible no whole assignment places everyone (two
   phases at once).
5. **Reduced-cost fixing** (Nemhauser & Wolsey 1988; Achterberg 2007 §7.7). With
   ``Δ`` = the incumbent's distance to the pattern bound, a pair whose reduced cost
   exceeds ``Δ`` takes the same value in every solution at least as good as the
   incumbent, so it is fixed; the pairs left free form smaller components, each
   solved by an exact MILP on supporter patterns (segments when the patterns would
   be too many) with the fixed pairs' hours and people taken out (method
   ``repair``). The optimum is the better of the repair and the incumbent; it is
   exact when every repair finishes. On the region's synthetic round the pattern
   MILP of a 25 000-pair component takes a quarter of the segment MILP's time.
6. **Time limit.** A repair stopped by the clock keeps its best solution or the
   incumbent's part, whichever is better, and the component's bound is the sum
   of the repairs' proven bounds (never above the pattern bound): status ``time_limit``
   with the proven relative gap.

Examples
--------
Two people (2 and 1 hours) and one supporter with 2 free hours: the flow would
split; the exact answer gives the supporter the person worth more per the hours.

>>> import numpy as np
>>> p = PeerProblem(
...     cand=np.array([0, 1]), peer=np.array([0, 0]), gain=np.array([50, 40]), hours=np.array([2.0, 1.0]),
...     seg_len=np.array([[1.0, 1.0]]), seg_cost=np.array([[0.0, 0.0]]), people=np.array([4]),
...     pinned=np.array([False, False]),
... )
>>> sol = solve_peer_problem(p)
>>> sol.chosen.tolist(), sol.count, sol.value, sol.status.status
([True, False], 1, 50.0, 'optimal')
"""

from __future__ import annotations

import dataclasses
import os
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog
from scipy.sparse.csgraph import connected_components

from matchwork.errors import MatchError
from matchwork.solve.milp import MilpResult, SolveStatus, solve_milp

__all__ = ["PARALLEL_MIN_PAIRS", "PeerPinError", "PeerProblem", "PeerSolution", "evaluate", "solve_peer_problem"]

PARALLEL_MIN_PAIRS = 40_000
"""Problems with at least this many pairs are solved one component per process."""

_EPS = 1e-6


class PeerPinError(MatchError):
    """The pinned pairs cannot all be honoured together (they exceed a supporter's hours or people)."""


@dataclasses.dataclass(frozen=True)
class PeerProblem:
    """A peer-supporter problem as arrays.

    Attributes
    ----------
    cand, peer : int arrays (pairs)
        The candidate and the supporter of each allowed pair (indices).
    gain : int array (pairs)
        What each pair is worth (scores scaled to integers, bonuses included).
    hours : float array (pairs)
        The weekly hours the pair's candidate needs.
    seg_len, seg_cost : float arrays (supporters × segments)
        Each supporter's free hours as segments (all of length 1 but the last;
        0-padded) and the cost of an hour in each (non-decreasing).
    people : int array (supporters)
        How many more people each supporter may follow.
    pinned : bool array (candidates)
        Candidates who must get one of their pairs.
    """

    cand: np.ndarray
    peer: np.ndarray
    gain: np.ndarray
    hours: np.ndarray
    seg_len: np.ndarray
    seg_cost: np.ndarray
    people: np.ndarray
    pinned: np.ndarray

    def subset(self, idx: np.ndarray) -> PeerProblem:
        """The same problem on the pairs ``idx`` only."""
        return dataclasses.replace(
            self, cand=self.cand[idx], peer=self.peer[idx], gain=self.gain[idx], hours=self.hours[idx]
        )


@dataclasses.dataclass(frozen=True)
class PeerSolution:
    """A solved peer problem.

    Attributes
    ----------
    chosen : bool array (pairs)
    count, value : int, float
        Pairs chosen; gains minus hour costs.
    count_bound, value_bound : int, float
        Proven upper bounds (equal to ``count`` and ``value`` when optimal; the value
        bound holds for solutions placing ``count_bound`` people).
    status : SolveStatus
        ``optimal``, or ``time_limit`` with the proven relative gap.
    method : str
        ``lp``, ``repair``, ``count`` (the most placed proven by the flow's bound), ``mip`` (two phases:
        most placed, then best value) joined by ``+``.
    fixed, free : int
        Pairs fixed by reduced cost, and pairs left to the repair MILPs.
    """

    chosen: np.ndarray
    count: int
    value: float
    count_bound: int
    value_bound: float
    status: SolveStatus
    method: str
    fixed: int = 0
    free: int = 0


def evaluate(problem: PeerProblem, chosen: np.ndarray) -> tuple[int, float]:
    """The number of pairs chosen and their value: gains minus each supporter's hour costs (cheapest hours first)."""
    load = np.bincount(problem.peer[chosen], weights=problem.hours[chosen], minlength=len(problem.people))
    return int(chosen.sum()), float(problem.gain[chosen].sum()) - float(_hour_costs(problem, load).sum())


def _hour_costs(problem: PeerProblem, load: np.ndarray) -> np.ndarray:
    filled = np.clip(load[:, None] - np.arange(problem.seg_len.shape[1]), 0.0, problem.seg_len)
    return (filled * problem.seg_cost).sum(axis=1)


# ---------------------------------------------------------------------------- the linear model of some pairs


@dataclasses.dataclass
class _Model:
    """Pairs ``idx`` as a linear model: columns x (pairs) then y (hour segments); rows lo ≤ A·v ≤ hi."""

    idx: np.ndarray
    a: sp.csr_array
    lo: np.ndarray
    hi: np.ndarray
    value_cost: np.ndarray  # minimise: −gains + hour costs
    upper: np.ndarray
    n_x: int
    n_int: int | None = None  # integer columns first (default: the x)

    def count_cost(self) -> np.ndarray:
        return np.concatenate([-np.ones(self.n_x), np.zeros(len(self.upper) - self.n_x)])

    def milp(self, cost: np.ndarray, time_limit: float | None) -> MilpResult:
        n_int = self.n_x if self.n_int is None else self.n_int
        integrality = np.concatenate([np.ones(n_int), np.zeros(len(self.upper) - n_int)])
        rows = [LinearConstraint(self.a, self.lo, self.hi)]
        return solve_milp(cost, rows, integrality, Bounds(np.zeros(len(self.upper)), self.upper), time_limit=time_limit)

    def lp(self, cost: np.ndarray) -> _Lp | None:
        """The linear relaxation: None when infeasible."""
        eq = self.lo == self.hi
        up = ~eq & np.isfinite(self.hi)
        down = ~eq & np.isfinite(self.lo) & (self.lo > -np.inf)
        a_ub = sp.vstack([self.a[up], -self.a[down]]).tocsr()
        b_ub = np.concatenate([self.hi[up], -self.lo[down]])
        res = linprog(
            cost,
            A_ub=a_ub if a_ub.shape[0] else None,
            b_ub=b_ub if a_ub.shape[0] else None,
            A_eq=self.a[eq] if eq.any() else None,
            b_eq=self.lo[eq] if eq.any() else None,
            bounds=np.stack([np.zeros(len(self.upper)), self.upper], axis=1),
            method="highs",
        )
        if res.status == 2:
            return None
        if res.status != 0:
            raise MatchError(f"the peer stage's linear relaxation failed ({res.message})")
        return _Lp(np.asarray(res.x), float(res.fun), np.asarray(res.lower.marginals), np.asarray(res.upper.marginals))


@dataclasses.dataclass
class _Lp:
    x: np.ndarray
    fun: float
    at_lower: np.ndarray  # reduced costs of columns at their lower bound (≥ 0)
    at_upper: np.ndarray  # reduced costs of columns at their upper bound (≤ 0)


def _taken(p: PeerProblem, whole: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The hours and people the pairs ``whole`` take from each supporter (``_model``'s ``fixed_*``)."""
    n_p = len(p.people)
    return np.bincount(p.peer[whole], weights=p.hours[whole], minlength=n_p), np.bincount(p.peer[whole], minlength=n_p)


def _model(
    p: PeerProblem,
    idx: np.ndarray,
    *,
    everyone: bool,
    fixed_hours: np.ndarray | None = None,
    fixed_people: np.ndarray | None = None,
    count: int | None = None,
) -> _Model:
    """The pairs ``idx`` with the hours and people ``fixed_*`` already taken; ``everyone``: each candidate placed."""
    n_p = len(p.people)
    fh = np.zeros(n_p) if fixed_hours is None else fixed_hours
    fk = np.zeros(n_p, dtype=np.int64) if fixed_people is None else fixed_people
    cands, ci = np.unique(p.cand[idx], return_inverse=True)
    peers, pi = np.unique(p.peer[idx], return_inverse=True)
    n_x = len(idx)
    seg = p.seg_len[peers]
    yp, yk = np.nonzero(seg > 0)
    n = n_x + len(yp)
    xs, ys = np.arange(n_x), n_x + np.arange(len(yp))
    blocks = [sp.csr_array((np.ones(n_x), (ci, xs)), shape=(len(cands), n))]
    lo = [np.where(everyone | p.pinned[cands], 1.0, 0.0)]
    hi = [np.ones(len(cands))]
    blocks.append(
        sp.csr_array(
            (np.concatenate([p.hours[idx], -np.ones(len(yp))]), (np.concatenate([pi, yp]), np.concatenate([xs, ys]))),
            shape=(len(peers), n),
        )
    )
    lo.append(-fh[peers])
    hi.append(-fh[peers])
    room = p.people[peers] - fk[peers]
    tight = np.flatnonzero(np.bincount(pi, minlength=len(peers)) > room)
    if len(tight):
        row_of = np.full(len(peers), -1)
        row_of[tight] = np.arange(len(tight))
        sel = row_of[pi] >= 0
        blocks.append(sp.csr_array((np.ones(int(sel.sum())), (row_of[pi[sel]], xs[sel])), shape=(len(tight), n)))
        lo.append(np.full(len(tight), -np.inf))
        hi.append(room[tight].astype(np.float64))
    if count is not None:
        blocks.append(sp.csr_array((np.ones(n_x), (np.zeros(n_x, dtype=np.int64), xs)), shape=(1, n)))
        lo.append(np.array([float(count)]))
        hi.append(np.array([float(count)]))
    cost = np.concatenate([-p.gain[idx].astype(np.float64), p.seg_cost[peers][yp, yk].astype(np.float64)])
    upper = np.concatenate([np.ones(n_x), seg[yp, yk]])
    return _Model(idx, sp.vstack(blocks).tocsr(), np.concatenate(lo), np.concatenate(hi), cost, upper, n_x)


PATTERNS_PER_PAIR = 4
"""The best-value phase uses supporter patterns while they number at most this many per pair (else hour segments)."""


def _patterns(hv: np.ndarray, deg: np.ndarray, hours: float, people: int, limit: int) -> np.ndarray | None:
    """Every count of people per hour class a supporter can take: ``n ≤ deg``, ``n·hv ≤ hours``, ``Σn ≤ people``.

    None when there are more than ``limit``.
    """
    pats = np.zeros((1, len(hv)), dtype=np.int64)
    for c in range(len(hv)):
        m = np.arange(int(deg[c]) + 1)
        grid = np.repeat(pats, len(m), axis=0)
        grid[:, c] = np.tile(m, len(pats))
        pats = grid[(grid @ hv <= hours + _EPS) & (grid.sum(axis=1) <= people)]
        if len(pats) > limit:
            return None
    return pats


def _pattern_model(
    p: PeerProblem,
    idx: np.ndarray | None = None,
    *,
    everyone: bool = False,
    count: int | None = None,
    fixed_hours: np.ndarray | None = None,
    fixed_people: np.ndarray | None = None,
) -> _Model | None:
    """The pairs ``idx`` (default all), each supporter's load as one pattern of hour classes; as :func:`_model`.

    A pattern is how many people of each hour need a supporter takes (within the
    hours and people left after ``fixed_*``), with its exact hour cost (of the fixed
    hours and the pattern's together, as the segments of :func:`_model` count them);
    each supporter takes one pattern, and the pairs chosen at a supporter fill its
    pattern class by class. ``everyone``: each candidate placed; ``count``: exactly
    that many pairs chosen. Every integer solution of the segment model is one here
    of the same value and back, so the optimum is the same; the linear relaxation is
    tighter (each supporter's load, people per hour class, ranges over the convex hull
    of its whole loads; a Lagrangian with a knapsack per supporter is tighter still,
    as it also keeps whole people within a class), which shortens branch and bound.
    None when the patterns would number more than :data:`PATTERNS_PER_PAIR` per pair.
    """
    idx = np.arange(len(p.cand)) if idx is None else idx
    n_p = len(p.people)
    fh = np.zeros(n_p) if fixed_hours is None else fixed_hours
    fk = np.zeros(n_p, dtype=np.int64) if fixed_people is None else fixed_people
    n_x = len(idx)
    hours = p.hours[idx]
    hv, cls = np.unique(hours, return_inverse=True)
    cands, ci = np.unique(p.cand[idx], return_inverse=True)
    peers, pi = np.unique(p.peer[idx], return_inverse=True)
    deg = np.zeros((len(peers), len(hv)), dtype=np.int64)
    np.add.at(deg, (pi, cls), 1)
    room = p.seg_len[peers].sum(axis=1) - fh[peers]
    left = PATTERNS_PER_PAIR * n_x
    found = []
    for k in range(len(peers)):
        pats = _patterns(hv, deg[k], float(room[k]), int(p.people[peers[k]] - fk[peers[k]]), left)
        if pats is None:
            return None
        left -= len(pats)
        found.append(pats)
    pats = np.concatenate(found)
    owner = np.repeat(np.arange(len(peers)), [len(f) for f in found])
    n_z = len(pats)
    load = fh[peers[owner]] + pats @ hv
    filled = np.clip(load[:, None] - np.arange(p.seg_len.shape[1]), 0.0, p.seg_len[peers[owner]])
    z_cost = (filled * p.seg_cost[peers[owner]]).sum(axis=1)
    n = n_x + n_z
    xs, zs = np.arange(n_x), n_x + np.arange(n_z)
    classes, slot = np.unique(pi * len(hv) + cls, return_inverse=True)  # (supporter, class) rows in use
    zr, zc = np.nonzero(pats)
    z_slot = np.searchsorted(classes, owner[zr] * len(hv) + zc)  # a pattern never exceeds the class's degree
    blocks = [
        sp.csr_array((np.ones(n_x), (ci, xs)), shape=(len(cands), n)),
        sp.csr_array(
            (
                np.concatenate([np.ones(n_x), -pats[zr, zc].astype(np.float64)]),
                (np.concatenate([slot, z_slot]), np.concatenate([xs, zs[zr]])),
            ),
            shape=(len(classes), n),
        ),
        sp.csr_array((np.ones(n_z), (owner, zs)), shape=(len(peers), n)),
    ]
    lo = [np.where(everyone | p.pinned[cands], 1.0, 0.0), np.zeros(len(classes)), np.ones(len(peers))]
    hi = [np.ones(len(cands)), np.zeros(len(classes)), np.ones(len(peers))]
    if count is not None:
        blocks.append(sp.csr_array((np.ones(n_x), (np.zeros(n_x, dtype=np.int64), xs)), shape=(1, n)))
        lo.append(np.array([float(count)]))
        hi.append(np.array([float(count)]))
    cost = np.concatenate([-p.gain[idx].astype(np.float64), z_cost])
    a = sp.vstack(blocks).tocsr()
    return _Model(idx, a, np.concatenate(lo), np.concatenate(hi), cost, np.ones(n), n_x, n)


def _components(p: PeerProblem, idx: np.ndarray) -> list[np.ndarray]:
    """The pairs ``idx`` grouped by connected component (candidates and supporters as nodes), smallest first."""
    if not len(idx):
        return []
    n_c = len(p.pinned)
    n = n_c + len(p.people)
    graph = sp.csr_array((np.ones(len(idx)), (p.cand[idx], n_c + p.peer[idx])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    lab = labels[p.cand[idx]]
    order = np.argsort(lab, kind="stable")
    groups = np.split(idx[order], np.flatnonzero(np.diff(lab[order])) + 1)
    return sorted(groups, key=len)


# ---------------------------------------------------------------------------- one component


@dataclasses.dataclass
class _Part:
    chosen: np.ndarray
    count_bound: int
    value_bound: float
    statuses: list[SolveStatus]
    methods: set[str]
    fixed: int = 0
    free: int = 0


class _Clock:
    def __init__(self, budget: float | None):
        self.deadline = None if budget is None else time.time() + budget

    def share(self, part: float = 1.0) -> float | None:
        if self.deadline is None:
            return None
        return max((self.deadline - time.time()) * part, 0.05)


def _solve_component(job: tuple[PeerProblem, float | None]) -> _Part:
    """One connected component (all of ``p``'s pairs): the flow, the repair, the fixing; see the module docstring."""
    p, budget = job
    clock = _Clock(budget)
    start = time.perf_counter()
    every = np.arange(len(p.cand))
    n_cands = len(np.unique(p.cand))
    whole_model = _model(p, every, everyone=True)
    lp = whole_model.lp(whole_model.value_cost)
    lp_status = SolveStatus("optimal", 0.0, time.perf_counter() - start, "hour-unit flow")
    if lp is None:  # not everyone can be placed: the most first, then the best
        return _two_phases(p, clock)
    x = lp.x[: len(every)]
    whole = x > 1 - _EPS
    if np.all(whole | (x < _EPS)):
        return _Part(whole, n_cands, -lp.fun, [lp_status], {"lp"})
    served = np.zeros(len(p.pinned), dtype=bool)
    served[p.cand[whole]] = True
    split = np.flatnonzero(~served[p.cand])
    fh, fk = _taken(p, whole)
    first = _model(p, split, everyone=True, fixed_hours=fh, fixed_people=fk)
    found = first.milp(first.value_cost, clock.share(0.3))
    statuses = [lp_status, _optimal_or_limited(found)]
    incumbent: np.ndarray | None = None
    if found.x is not None:
        incumbent = whole.copy()
        incumbent[split] = found.x[: len(split)] > 0.5
    found_value = evaluate(p, incumbent)[1] if incumbent is not None else -np.inf
    tight = lp
    if -found_value - lp.fun > _EPS * max(1.0, abs(lp.fun)):  # the flow's bound not reached
        # the supporter-pattern relaxation: tighter than the flow, so its reduced costs fix more
        patterns = _pattern_model(p, every, everyone=True)
        relaxed = patterns.lp(patterns.value_cost) if patterns is not None else None
        if patterns is not None and relaxed is None and incumbent is None:
            return _two_phases(p, clock)  # whole people cannot all be placed, even in the relaxation
        if relaxed is not None and relaxed.fun > lp.fun:
            tight = relaxed
    # reduced-cost fixing around the incumbent
    off = np.zeros(len(every), dtype=bool)
    on = np.zeros(len(every), dtype=bool)
    if incumbent is not None:
        delta = -found_value - tight.fun
        if delta <= _EPS * max(1.0, abs(tight.fun)):
            return _Part(incumbent, n_cands, found_value, statuses, {"lp", "repair"}, len(every), 0)
        margin = delta + 1.0 + 1e-9 * abs(tight.fun)
        off = tight.at_lower[: len(every)] > margin
        on = -tight.at_upper[: len(every)] > margin
    settled = np.zeros(len(p.pinned), dtype=bool)
    settled[p.cand[on]] = True
    free = np.flatnonzero(~off & ~on & ~settled[p.cand])
    fh = np.bincount(p.peer[on], weights=p.hours[on], minlength=len(p.people))
    fk = np.bincount(p.peer[on], minlength=len(p.people))
    groups = _components(p, free)
    chosen = on.copy()
    bound = float(p.gain[on].sum())
    in_groups = np.zeros(len(p.people), dtype=bool)
    in_groups[p.peer[free]] = True
    bound -= float(_hour_costs(p, fh)[~in_groups].sum())
    sizes = np.array([len(g) for g in groups], dtype=np.float64)
    for k, idx in enumerate(groups):
        model = _pattern_model(p, idx, everyone=True, fixed_hours=fh, fixed_people=fk) or _model(
            p, idx, everyone=True, fixed_hours=fh, fixed_people=fk
        )
        share = len(idx) / sizes[k:].sum()
        res = model.milp(model.value_cost, clock.share(share))
        statuses.append(_optimal_or_limited(res))
        if res.status == "infeasible" and incumbent is None:
            return _two_phases(p, clock)  # the flow places everyone, whole people cannot be
        options = []
        if res.x is not None:
            options.append(res.x[: len(idx)] > 0.5)
        if incumbent is not None:
            options.append(incumbent[idx])
        if not options:  # stopped before any solution, with no incumbent: those people wait
            statuses.append(SolveStatus("time_limit", None, 0.0, "no solution within the time limit"))
            return _Part(whole, n_cands, -tight.fun, statuses, {"lp", "repair"}, int((off | on).sum()), len(free))
        best = max(options, key=lambda pick: _value_with(p, chosen, idx, pick))
        chosen[idx] = best
        bound += -res.bound if res.bound is not None else _lp_bound(model)
    value = evaluate(p, chosen)[1]
    value_bound = min(-tight.fun, max(value, bound))
    return _Part(chosen, n_cands, value_bound, statuses, {"lp", "repair"}, int((off | on).sum()), len(free))


def _value_with(p: PeerProblem, chosen: np.ndarray, idx: np.ndarray, pick: np.ndarray) -> float:
    trial = chosen.copy()
    trial[idx] = pick
    return evaluate(p, trial)[1]


def _optimal_or_limited(res: MilpResult) -> SolveStatus:
    if res.status in ("optimal", "time_limit", "infeasible"):
        return SolveStatus(res.status if res.status != "infeasible" else "optimal", res.gap, res.seconds, res.message)
    raise MatchError(f"the peer stage's solver failed ({res.message})")


def _most_by_flow(p: PeerProblem, model: _Model, clock: _Clock) -> MilpResult | None:
    """The most placed without branch and bound on the whole component, when the flow's bound is reached; else None.

    The hour-unit flow's largest count (the linear relaxation of ``model``'s count)
    rounded down bounds the integer count. Supporters the flow gives only whole
    people keep them; everyone else (people split by the flow, and those of the
    supporters who hold a split share) is placed by an exact MILP in the hours and
    places left. When that reaches the bound, it is the most placed, proven.
    """
    relaxed = model.lp(model.count_cost())
    if relaxed is None:  # pins cannot hold even in hour units
        return None
    bound = int(np.floor(-relaxed.fun + _EPS))
    x = relaxed.x[: model.n_x]
    whole = x > 1 - _EPS
    start = time.perf_counter()
    split = (x > _EPS) & ~whole
    if split.any():
        hot = np.zeros(len(p.people), dtype=bool)
        hot[p.peer[split]] = True
        whole &= ~hot[p.peer]
        kept = np.zeros(len(p.pinned), dtype=bool)
        kept[p.cand[whole]] = True
        rest = np.flatnonzero(~kept[p.cand])
        fh, fk = _taken(p, whole)
        sub = _model(p, rest, everyone=False, fixed_hours=fh, fixed_people=fk)
        found = sub.milp(sub.count_cost(), clock.share(0.2))
        if found.x is None:  # stopped by the clock before any solution
            return None
        whole[rest] = found.x[: len(rest)] > 0.5
    if int(whole.sum()) < bound:
        return None
    chosen = np.concatenate([whole.astype(np.float64), np.zeros(len(model.upper) - model.n_x)])
    seconds = time.perf_counter() - start
    return MilpResult("optimal", 0.0, seconds, "the flow's bound reached", chosen, -float(bound), -float(bound))


def _two_phases(p: PeerProblem, clock: _Clock) -> _Part:
    """Not everyone can be placed: the most placed first (the flow's bound, else an exact MILP), then the best value."""
    every = np.arange(len(p.cand))
    most_model = _model(p, every, everyone=False)
    methods = {"mip"}
    most = _most_by_flow(p, most_model, clock)
    if most is not None:
        methods.add("count")
    else:
        most = most_model.milp(most_model.count_cost(), clock.share(0.5))
    if most.status == "infeasible":
        raise PeerPinError("pins cannot be honoured in the peer stage: they exceed a peer supporter's hours or people")
    if most.x is None:  # stopped before any solution: the pins alone, if they fit, else the count without a limit
        pins = p.pinned[p.cand]
        load = np.bincount(p.peer[pins], weights=p.hours[pins], minlength=len(p.people))
        fits = np.all(load <= p.seg_len.sum(axis=1) + _EPS) and np.all(
            np.bincount(p.peer[pins], minlength=len(p.people)) <= p.people
        )
        if not fits:
            return _two_phases(p, _Clock(None))
        bound = int(np.floor(-most.bound + _EPS)) if most.bound is not None else len(np.unique(p.cand))
        return _Part(pins, bound, _lp_bound(most_model), [_optimal_or_limited(most)], methods)
    n = round(-float(most.objective or 0.0))
    count_bound = int(np.floor(-most.bound + _EPS)) if most.bound is not None else len(np.unique(p.cand))
    best_model = _pattern_model(p, count=n) or _model(p, every, everyone=False, count=n)
    best = best_model.milp(best_model.value_cost, clock.share())
    x = best.x if best.x is not None else most.x
    chosen = x[: len(every)] > 0.5
    value_bound = -best.bound if best.bound is not None else _lp_bound(best_model)
    return _Part(chosen, count_bound, value_bound, [_optimal_or_limited(most), _optimal_or_limited(best)], methods)


def _lp_bound(model: _Model) -> float:
    """The best value the model's linear relaxation allows (a bound on every integer solution)."""
    relaxed = model.lp(model.value_cost)
    return -relaxed.fun if relaxed is not None else -np.inf


# ---------------------------------------------------------------------------- the fair floor


def _best_floor(p: PeerProblem, clock: _Clock) -> float:
    """The highest lowest gain (pins exempt) this component can reach while placing the most."""
    every = np.arange(len(p.cand))
    model = _model(p, every, everyone=False)
    most = _most_by_flow(p, model, clock) or model.milp(model.count_cost(), clock.share(0.2))
    if most.status == "infeasible":
        raise PeerPinError("pins cannot be honoured in the peer stage: they exceed a peer supporter's hours or people")
    n_most = round(-float(most.objective or 0.0))
    forced = p.pinned[p.cand]
    levels = np.unique(p.gain[~forced])
    if not len(levels):
        return -np.inf
    lo, hi = 0, len(levels) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        allowed = np.flatnonzero((p.gain >= levels[mid]) | forced)
        ok = len(np.unique(p.cand[allowed])) >= n_most
        if ok:
            sub = _model(p, allowed, everyone=False)
            relaxed = sub.lp(sub.count_cost())
            ok = relaxed is not None and -relaxed.fun > n_most - _EPS
            if ok:
                res = sub.milp(sub.count_cost(), clock.share(0.2))
                ok = res.x is not None and round(-float(res.objective or 0.0)) >= n_most
        lo, hi = (mid, hi) if ok else (lo, mid - 1)
    return float(levels[lo])


def _floor_job(job: tuple[PeerProblem, float | None]) -> float:
    return _best_floor(job[0], _Clock(job[1]))


# ---------------------------------------------------------------------------- the whole problem


def solve_peer_problem(
    problem: PeerProblem, *, fair: bool = False, time_limit: float | None = None, processes: int | None = None
) -> PeerSolution:
    """Solve the peer problem exactly, or within ``time_limit`` seconds with a proven gap.

    Parameters
    ----------
    problem : PeerProblem
    fair : bool
        Raise the lowest gain of an unpinned pair (among solutions placing the most) before the total.
    time_limit : float, optional
        The stage's budget in seconds, shared among components by size; None: exact.
    processes : int, optional
        Worker processes for the components (default: the CPUs, when the problem has
        at least :data:`PARALLEL_MIN_PAIRS` pairs).

    Returns
    -------
    PeerSolution

    Raises
    ------
    PeerPinError
        When the pinned pairs cannot all be honoured together.
    """
    start = time.perf_counter()
    p = problem
    if np.any(p.pinned & (np.bincount(p.cand, minlength=len(p.pinned)) == 0)):
        raise PeerPinError("pins cannot be honoured in the peer stage: a pinned person has no allowed supporter")
    groups = _components(p, np.arange(len(p.cand)))
    floor = -np.inf
    if fair and groups:
        floors = _map(_floor_job, [(p.subset(g), _share(time_limit, 0.3 * len(g) / len(p.cand))) for g in groups], p)
        floor = min(floors, default=-np.inf)
        if floor > -np.inf:
            groups = _components(p, np.flatnonzero((p.gain >= floor) | p.pinned[p.cand]))
    total = max(sum(len(g) for g in groups), 1)
    left = None if time_limit is None else max(time_limit - (time.perf_counter() - start), 0.05)
    workers = _workers(p, processes)
    jobs = [(p.subset(g), _share(left, workers * len(g) / total)) for g in groups]
    parts = _map(_solve_component, jobs, p, processes)
    chosen = np.zeros(len(p.cand), dtype=bool)
    count_bound, value_bound = 0, 0.0
    statuses: list[SolveStatus] = []
    methods: set[str] = set()
    fixed = free = 0
    for g, part in zip(groups, parts, strict=True):
        chosen[g] = part.chosen
        count_bound += part.count_bound
        value_bound += part.value_bound
        statuses += part.statuses
        methods |= part.methods
        fixed += part.fixed
        free += part.free
    count, value = evaluate(p, chosen)
    seconds = time.perf_counter() - start
    if count < count_bound:
        status = SolveStatus(
            "time_limit", (count_bound - count) / count_bound, seconds, "people placed below the bound"
        )
    else:
        exact = all(s.status == "optimal" for s in statuses)
        gap = 0.0 if exact else max(value_bound - value, 0.0) / max(abs(value_bound), 1.0)
        status = SolveStatus("optimal" if exact else "time_limit", gap, seconds, f"{fixed} pairs fixed, {free} free")
    methods_s = "+".join(m for m in ("lp", "repair", "count", "mip") if m in methods) or "lp"
    if fair:
        methods_s += "+search"
    bound = value if status.status == "optimal" else value_bound
    return PeerSolution(chosen, count, value, max(count_bound, count), bound, status, methods_s, fixed, free)


def _share(limit: float | None, part: float) -> float | None:
    return None if limit is None else max(limit * part, 0.05)


def _workers(p: PeerProblem, processes: int | None) -> int:
    if processes is not None:
        return max(processes, 1)
    return (os.cpu_count() or 1) if len(p.cand) >= PARALLEL_MIN_PAIRS else 1


def _map(fn, jobs, p: PeerProblem, processes: int | None = None):  # type: ignore[no-untyped-def]
    """``fn`` over the jobs: in processes (largest first) when the problem is large, else in turn."""
    workers = min(_workers(p, processes), len(jobs))
    if workers < 2:
        return [fn(job) for job in jobs]
    order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i][0].cand))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        done = dict(zip(order, pool.map(fn, [jobs[i] for i in order]), strict=True))
    return [done[i] for i in range(len(jobs))]
