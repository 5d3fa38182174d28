"""The peer-supporter solver (:mod:`matchwork.solve.peer`) against brute force on tiny generated problems.

The generator is counted (``test_the_generator_reaches_every_path``): most problems
give pairings, many split in the hour-unit flow and go through the repair with pairs
fixed by reduced cost, some cannot place everyone (two phases), some have pins that
cannot hold.
"""

from __future__ import annotations

import collections
import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from matchwork.engine.peer import hour_segments
from matchwork.solve.peer import (
    PeerPinError,
    PeerProblem,
    _components,
    _model,
    _pattern_model,
    _patterns,
    evaluate,
    solve_peer_problem,
)

from brute import peer_problem_best


def problem(seed: int, *, n_c: int | None = None, n_p: int | None = None, density: float = 0.7) -> PeerProblem:
    """A random peer problem: whole or half hours, rising hour costs, people caps, ties, sometimes pins."""
    rng = np.random.default_rng(seed)
    n_c = n_c or int(rng.integers(1, 7))
    n_p = n_p or int(rng.integers(1, 4))
    cand, peer = np.nonzero(rng.random((n_c, n_p)) < density)
    pinned = rng.random(n_c) < 0.12
    # a pin leaves its candidate one pair (the rules forbid the others: pinned_elsewhere_peer)
    keep = np.ones(len(cand), dtype=bool)
    for c in np.flatnonzero(pinned):
        mine = np.flatnonzero(cand == c)
        if len(mine):
            keep[mine] = False
            keep[rng.choice(mine)] = True
    cand, peer = cand[keep], peer[keep]
    need = rng.choice([1.0, 2.0, 3.0] if rng.random() < 0.7 else [0.5, 1.5, 2.0], size=n_c)
    gain = (rng.integers(1, 6, len(cand)) * 10_000 + rng.integers(0, 3, len(cand)) * 2_500).astype(np.int64)
    room = rng.choice([0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0], size=n_p)
    limit = room + rng.choice([0.0, 2.0, 4.0], size=n_p)
    weight = float(rng.choice([0.0, 2.0 * 10_000, 30.0 * 10_000]))
    segments = [hour_segments(lim - r, lim, r, weight) for r, lim in zip(room, limit, strict=True)]
    width = max(len(x) for x, _ in segments)
    seg_len, seg_cost = np.zeros((n_p, width)), np.zeros((n_p, width))
    for q, (length, cost) in enumerate(segments):
        seg_len[q, : len(length)], seg_cost[q, : len(cost)] = length, cost
    people = rng.integers(1, 4, size=n_p)
    return PeerProblem(cand, peer, gain, need[cand], seg_len, seg_cost, people, pinned)


def feasible(p: PeerProblem, chosen: np.ndarray) -> bool:
    per_cand = np.bincount(p.cand[chosen], minlength=len(p.pinned))
    load = np.bincount(p.peer[chosen], weights=p.hours[chosen], minlength=len(p.people))
    people = np.bincount(p.peer[chosen], minlength=len(p.people))
    return bool(
        np.all(per_cand <= 1)
        and np.all(per_cand[p.pinned] == 1)
        and np.all(load <= p.seg_len.sum(axis=1) + 1e-9)
        and np.all(people <= p.people)
    )


def check(p: PeerProblem, fair: bool) -> str:
    """The solver reaches the brute-force optimum (or says the pins cannot hold when brute force finds none)."""
    best = peer_problem_best(p, fair=fair)
    if best is None:
        with pytest.raises(PeerPinError):
            solve_peer_problem(p, fair=fair)
        return "pins"
    sol = solve_peer_problem(p, fair=fair)
    assert feasible(p, sol.chosen)
    count, value = evaluate(p, sol.chosen)
    assert (sol.count, sol.value) == (count, pytest.approx(value))
    assert sol.status.status == "optimal" and sol.status.gap == 0
    assert count == best[0]
    if fair:
        free = p.gain[sol.chosen & ~p.pinned[p.cand]]
        assert (free.min() if len(free) else np.inf) == best[1]
    assert value == pytest.approx(best[2], abs=1e-6)
    assert sol.value_bound == pytest.approx(value, abs=1e-6)
    return sol.method


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 10**6), fair=st.booleans())
def test_the_solver_reaches_the_brute_force_optimum(seed: int, fair: bool) -> None:
    check(problem(seed), fair)


def test_the_generator_reaches_every_path() -> None:
    """Over 300 fixed seeds: pairings given, split flows repaired with fixing, two phases, pins that cannot hold.

    Measured: 235 give pairings, 22 repair, 14 fix pairs, 122 go to two phases, 41 have pins that fail; of
    the two-phase ones 119 reach the flow's count bound (no count MILP), 3 need the count MILP.
    """
    seen: collections.Counter[str] = collections.Counter()
    for seed in range(300):
        p = problem(seed)
        method = check(p, fair=seed % 3 == 0)
        seen[method] += 1
        if method != "pins":
            sol = solve_peer_problem(p)
            seen["given"] += sol.count > 0
            seen["fixed"] += sol.fixed > 0
    assert seen["given"] >= 200, seen
    assert sum(n for m, n in seen.items() if "repair" in m) >= 15, seen
    assert seen["fixed"] >= 10, seen
    assert sum(n for m, n in seen.items() if "mip" in m) >= 10, seen
    assert sum(n for m, n in seen.items() if "count" in m) >= 50, seen  # the most placed by the flow's bound
    assert sum(n for m, n in seen.items() if "mip" in m and "count" not in m) >= 1, seen  # bound not reached
    assert seen["pins"] >= 3, seen


def test_a_time_limit_keeps_a_feasible_answer_and_a_proven_bound() -> None:
    """A problem too large for a few hundredths of a second: feasible, the gap what the bound says, the bound true."""
    p = problem(7, n_c=600, n_p=300, density=0.02)
    seg_len, seg_cost = np.ones((300, 8)), np.tile(np.arange(8) * 5000.0, (300, 1))  # 8 free hours, rising costs
    p = PeerProblem(p.cand, p.peer, p.gain, p.hours, seg_len, seg_cost, np.full(300, 4), np.zeros_like(p.pinned))
    exact = solve_peer_problem(p)
    assert exact.status.status == "optimal" and exact.count > 500 and "repair" in exact.method
    for limit in (0.01, 0.2):
        quick = solve_peer_problem(p, time_limit=limit)
        assert feasible(p, quick.chosen)
        assert quick.count <= exact.count and quick.count_bound >= exact.count
        if quick.count == exact.count:
            assert quick.value <= exact.value + 1e-6 <= quick.value_bound + 2e-6
            if quick.status.status == "time_limit":
                gap = (quick.value_bound - quick.value) / abs(quick.value_bound)
                assert quick.status.gap == pytest.approx(gap)
            else:
                assert quick.value == pytest.approx(exact.value)


def test_processes_give_the_serial_answer() -> None:
    p = problem(11, n_c=200, n_p=40, density=0.03)
    p = PeerProblem(p.cand, p.peer, p.gain, p.hours, p.seg_len, p.seg_cost, p.people, np.zeros_like(p.pinned))
    serial = solve_peer_problem(p, processes=1)
    pooled = solve_peer_problem(p, processes=2)
    assert serial.count > 20 and serial.value == pytest.approx(pooled.value) and serial.count == pooled.count


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_supporter_patterns_are_every_load_that_fits(seed: int) -> None:
    """The patterns of a supporter are exactly the class counts within its degree, hours and people (enumerated)."""
    rng = np.random.default_rng(seed)
    hv = np.unique(rng.choice([0.5, 1.0, 1.5, 2.0, 3.0], size=int(rng.integers(1, 4))))
    deg = rng.integers(0, 4, size=len(hv))
    hours, people = float(rng.choice([0.5, 2.0, 3.5, 8.0])), int(rng.integers(0, 5))
    pats = _patterns(hv, deg, hours, people, limit=10**6)
    assert pats is not None
    every = {
        n for n in itertools.product(*(range(d + 1) for d in deg)) if np.dot(n, hv) <= hours + 1e-9 and sum(n) <= people
    }
    assert {tuple(int(v) for v in row) for row in pats} == every and len(pats) == len(every)
    assert _patterns(hv, deg, hours, people, limit=len(every) - 1) is None or len(every) == 1


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_the_pattern_model_reaches_the_brute_force_optimum(seed: int) -> None:
    """The best-value phase on supporter patterns, with the count fixed at the most, finds brute force's best value."""
    p = problem(seed)
    best = peer_problem_best(p)
    if best is None or best[0] == 0:
        return
    model = _pattern_model(p, count=best[0])
    assert model is not None
    res = model.milp(model.value_cost, None)
    assert res.status == "optimal" and res.x is not None
    chosen = res.x[: len(p.cand)] > 0.5
    assert feasible(p, chosen)
    count, value = evaluate(p, chosen)
    assert count == best[0]
    assert value == pytest.approx(best[2], abs=1e-6)
    assert -float(res.objective or 0.0) == pytest.approx(value, abs=1e-6)  # the pattern costs are the hour costs


def test_the_pattern_bound_on_the_everyone_placed_path() -> None:
    """Where the hour-unit flow places everyone, the supporter-pattern relaxation bounds the brute-force optimum.

    Over the 300 generator seeds' components (counted: 124 where the flow places
    everyone; 22 of them get a tighter bound from the patterns; 2 whose pattern
    relaxation is infeasible although the flow is not, so the stage goes to the two
    phases at once; 9 whose pins no whole assignment honours): the pattern bound lies
    between the brute-force optimum and the flow's, and an infeasible pattern
    relaxation means brute force cannot place everyone either.
    """
    seen: collections.Counter[str] = collections.Counter()
    for seed in range(300):
        p = problem(seed)
        for g in _components(p, np.arange(len(p.cand))):
            q = p.subset(g)
            every = np.arange(len(q.cand))
            flow = _model(q, every, everyone=True).lp(_model(q, every, everyone=True).value_cost)
            if flow is None:
                continue
            seen["flow"] += 1
            patterns = _pattern_model(q, every, everyone=True)
            assert patterns is not None
            relaxed = patterns.lp(patterns.value_cost)
            best = peer_problem_best(q)
            n_cands = len(np.unique(q.cand))
            if relaxed is None:
                seen["patterns infeasible"] += 1
                assert best is None or best[0] < n_cands
                continue
            if best is None or best[0] < n_cands:  # a relaxation may place everyone where whole people cannot
                seen["relaxation only"] += 1
                continue
            assert best[2] <= -relaxed.fun + 1e-6 <= -flow.fun + 2e-6
            seen["tighter"] += -relaxed.fun < -flow.fun - 1e-6
    assert seen["flow"] >= 100, seen
    assert seen["tighter"] >= 15, seen
    assert seen["patterns infeasible"] >= 1, seen


def plain_milp(p: PeerProblem) -> tuple[int, float]:
    """The most pairs, then the best value with that many: two whole MILPs on hour segments, written afresh here."""
    n_x, n_p = len(p.cand), len(p.people)
    seg_p, seg_k = np.nonzero(p.seg_len > 0)
    n = n_x + len(seg_p)
    x, y = np.arange(n_x), n_x + np.arange(len(seg_p))
    cand_rows = sp.csr_array((np.ones(n_x), (p.cand, x)), shape=(len(p.pinned), n))
    hour_rows = sp.csr_array(
        (np.r_[p.hours, -np.ones(len(seg_p))], (np.r_[p.peer, seg_p], np.r_[x, y])), shape=(n_p, n)
    )
    people_rows = sp.csr_array((np.ones(n_x), (p.peer, x)), shape=(n_p, n))
    rows = [
        LinearConstraint(cand_rows, np.where(p.pinned, 1.0, 0.0), 1.0),
        LinearConstraint(hour_rows, 0.0, 0.0),
        LinearConstraint(people_rows, 0.0, p.people.astype(np.float64)),
    ]
    integral = np.r_[np.ones(n_x), np.zeros(len(seg_p))]
    bounds = Bounds(0.0, np.r_[np.ones(n_x), p.seg_len[seg_p, seg_k]])
    exact = {"mip_rel_gap": 0.0}
    most = milp(
        np.r_[-np.ones(n_x), np.zeros(len(seg_p))], constraints=rows, integrality=integral, bounds=bounds, options=exact
    )
    count = round(-most.fun)
    rows.append(LinearConstraint(sp.csr_array(np.r_[np.ones(n_x), np.zeros(len(seg_p))][None, :]), count, count))
    cost = np.r_[-p.gain.astype(np.float64), p.seg_cost[seg_p, seg_k]]
    best = milp(cost, constraints=rows, integrality=integral, bounds=bounds, options=exact)
    assert best.status == 0
    return count, -float(best.fun)


def medium(seed: int) -> PeerProblem:
    """40-90 people, 12-30 supporters with 4-8 hours of rising cost and 2-4 people each, no pins."""
    rng = np.random.default_rng(seed)
    p = problem(seed, n_c=int(rng.integers(40, 90)), n_p=int(rng.integers(12, 30)), density=0.12)
    n_p = len(p.people)
    room = rng.choice([4.0, 6.0, 8.0], size=n_p)
    seg_len = (np.arange(8) < room[:, None]).astype(np.float64)
    seg_cost = np.tile(np.arange(1, 9) * 4000.0, (n_p, 1))
    people = rng.integers(2, 5, size=n_p)
    return PeerProblem(p.cand, p.peer, p.gain, p.hours, seg_len, seg_cost, people, np.zeros_like(p.pinned))


def test_medium_problems_reach_the_plain_milp_optimum() -> None:
    """40 problems of 40-90 people against two plain MILPs: the same count and value on both paths.

    Counted: 9 go the everyone-placed path (the flow splits people; the pattern bound,
    fixing and repair), 31 the two phases (19 of them with the count proven by the flow).
    """
    seen: collections.Counter[str] = collections.Counter()
    for seed in range(40):
        p = medium(seed)
        sol = solve_peer_problem(p)
        assert sol.status.status == "optimal" and feasible(p, sol.chosen)
        count, value = plain_milp(p)
        assert sol.count == count and sol.value == pytest.approx(value, abs=1e-6)
        seen["repair" if "repair" in sol.method else "mip" if "mip" in sol.method else sol.method] += 1
    assert seen["repair"] >= 5 and seen["mip"] >= 20, seen
