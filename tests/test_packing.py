"""The lexicographic packing solver (column generation, certificates, branch and bound) against brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchwork.solve.lp import LinearModel, incremental_available
from matchwork.solve.packing import InfeasibleError, PackingSolver, TableOracle

PLACED, MEMBERS, VALUE = (np.eye(3)[i] for i in range(3))


def _brute(problem: dict, tiers: list[np.ndarray], floor: int | None = None) -> list[int] | None:
    """Every choice of at most one column per group (exactly one if forced), checked row by row."""
    group, rows, values = problem["group"], problem["rows"], problem["values"]
    lo, hi, forced = problem["lo"], problem["hi"], problem["forced"]
    seg_row, seg_value = problem["seg_row"], problem["seg_value"]
    n_groups = len(forced)
    level, exempt = problem["level"], problem["exempt"]
    choices = []
    for g in range(n_groups):
        mine = [j for j in range(len(group)) if group[j] == g]
        if floor is not None and not exempt[g]:
            mine = [j for j in mine if level[j] >= floor]
        choices.append(mine if forced[g] else [None, *mine])
    best = None
    for pick in itertools.product(*choices):
        use = np.zeros(len(lo))
        for j in pick:
            if j is not None:
                use[rows[j]] += 1
        filled = {}
        for r in set(seg_row.tolist()):  # a balance row: its use is carried by its segments, cheapest first
            n = int((seg_row == r).sum())
            if use[r] > n:
                break
            filled[r] = int(use[r])
            use[r] = 0
        else:
            if np.any(use < lo - 1e-9) or np.any(use > hi + 1e-9):
                continue
            out = []
            for w in tiers:
                v = sum(w @ values[:, j] for j in pick if j is not None)
                for r, k in filled.items():  # segments of a row are listed cheapest first
                    v += float((w @ seg_value[:, seg_row == r])[:k].sum())
                out.append(round(float(v)))
            if best is None or out > best:
                best = out
    return best


@st.composite
def problems(draw: st.DrawFn) -> dict:
    n_groups = draw(st.integers(1, 4))
    n_rows = draw(st.integers(1, 3))
    n_cols = draw(st.integers(1, 8))
    group = np.array([draw(st.integers(0, n_groups - 1)) for _ in range(n_cols)])
    rows = [sorted(set(draw(st.lists(st.integers(0, n_rows - 1), max_size=2)))) for _ in range(n_cols)]
    values = np.stack(
        [
            np.ones(n_cols, dtype=np.int64),
            np.array([draw(st.integers(0, 2)) for _ in range(n_cols)]),
            np.array([draw(st.integers(-5, 20)) for _ in range(n_cols)]),
        ]
    )
    hi = np.array([float(draw(st.integers(0, 2))) for _ in range(n_rows)])
    lo = np.full(n_rows, -np.inf)
    seg_row, seg_value = np.zeros(0, dtype=np.int64), np.zeros((3, 0))
    if draw(st.booleans()):  # a balance row: a convex cost per unit used
        r = n_rows
        lo, hi = np.r_[lo, 0.0], np.r_[hi, 0.0]
        k = draw(st.integers(1, 3))
        costs = np.sort([draw(st.integers(0, 6)) for _ in range(k)])
        seg_row = np.full(k, r)
        seg_value = np.stack([np.zeros(k), np.zeros(k), -costs.astype(float)])
        rows = [[*r_, r] if draw(st.booleans()) else r_ for r_ in rows]
        n_rows += 1
    forced = np.array([draw(st.integers(0, 9)) < 3 for _ in range(n_groups)])
    level = values[2].copy()
    exempt = forced.copy()
    return {
        "group": group,
        "rows": rows,
        "values": values,
        "lo": lo,
        "hi": hi,
        "forced": forced,
        "seg_row": seg_row,
        "seg_value": seg_value,
        "n_rows": n_rows,
        "level": level,
        "exempt": exempt,
    }


def _solver(p: dict, incremental: bool | None = None) -> PackingSolver:
    oracle = TableOracle(p["group"], p["rows"], p["values"], p["n_rows"], p["level"], p["exempt"], len(p["forced"]))
    return PackingSolver(
        p["lo"],
        p["hi"],
        oracle,
        len(p["forced"]),
        forced=p["forced"],
        exempt=p["exempt"],
        segments=(p["seg_row"], p["seg_value"]),
        incremental=incremental,
    )


@settings(max_examples=150, deadline=None)
@given(p=problems(), incremental=st.sampled_from([True, False]), one_by_one=st.booleans())
def test_tiers_equal_brute_force(p: dict, incremental: bool, one_by_one: bool) -> None:
    """Placed, then members, then value: the same optimum as enumeration, either way of holding the tiers."""
    tiers = [PLACED, MEMBERS, VALUE]
    best = _brute(p, tiers)
    solver = _solver(p, incremental)
    try:
        if one_by_one:  # each tier exact before the next
            got = []
            for w in tiers:
                out = solver.optimise(w)
                got.append(out.value)
                assert out.status.status == "optimal" and out.value <= out.bound + 1e-6
                solver.fix(w, out.value)
        else:
            outcomes = solver.lexicographic([("placed", PLACED), ("members", MEMBERS), ("value", VALUE)])
            got = [o.value for o in outcomes.values()]
    except InfeasibleError:
        assert best is None
        return
    assert got == best
    # the incumbent is what the solver says it is
    chosen = solver.chosen()
    assert len(set(solver.cols.group[chosen].tolist())) == len(chosen)
    assert int(solver.cols.values[0, chosen].sum()) == best[0]


@settings(max_examples=100, deadline=None)
@given(p=problems())
def test_a_floor_leaves_out_low_levels_but_not_exempt_groups(p: dict) -> None:
    levels = sorted(set(p["level"].tolist()))
    floor = levels[len(levels) // 2]
    best = _brute(p, [PLACED, VALUE], floor=floor)
    solver = _solver(p)
    solver.restrict(floor)
    try:
        got = [solver.optimise(PLACED).value]
        solver.fix(PLACED, got[0])
        got.append(solver.optimise(VALUE).value)
    except InfeasibleError:
        assert best is None
        return
    assert got == best
    chosen = solver.chosen()
    low = (solver.cols.level[chosen] < floor) & ~p["exempt"][solver.cols.group[chosen]]
    assert not low.any()


def test_an_odd_cycle_needs_branch_and_bound_and_gets_the_integer_optimum() -> None:
    """Three groups, three rows of capacity one, each group's two columns on two rows: the linear optimum
    takes every column at one half (value 3 × 10 = 30 > two columns' 20); the integer optimum places two."""
    group = [0, 0, 1, 1, 2, 2]
    rows = [[0], [1], [1], [2], [2], [0]]
    values = np.array([[1] * 6, [0] * 6, [10, 10, 10, 10, 10, 10]])
    oracle = TableOracle(np.array(group), rows, values, 3)
    solver = PackingSolver(np.full(3, -np.inf), np.ones(3), oracle, 3)
    out = solver.optimise(VALUE)
    assert out.value == 30 and out.method == "lp"  # here three fit: one per row
    rows = [[0, 1], [1, 2], [1, 2], [2, 0], [2, 0], [0, 1]]  # now every column takes two rows
    oracle = TableOracle(np.array(group), rows, values, 3)
    solver = PackingSolver(np.full(3, -np.inf), np.ones(3), oracle, 3)
    out = solver.optimise(VALUE)
    assert out.bound == pytest.approx(15.0)  # halves: 1.5 columns worth 10
    assert out.value == 10 and out.method in ("repair", "mip") and out.status.status == "optimal"


def test_too_many_columns_to_fix_are_reported_with_the_gap_not_as_optimal() -> None:
    """Two odd cycles: the linear optimum places 3 (halves), the integer optimum 2. Proving 2 needs every column
    within the gap; when more than ``within_limit`` of them could matter, the answer is the best found over part of
    them, reported ``time_limit`` with its gap to the bound (never "optimal"), and still feasible and valued right."""
    group = np.repeat(np.arange(6), 2)
    rows = [[0, 1], [1, 2], [1, 2], [2, 0], [2, 0], [0, 1], [3, 4], [4, 5], [4, 5], [5, 3], [5, 3], [3, 4]]
    values = np.stack([np.ones(12), np.zeros(12), np.zeros(12)]).astype(np.int64)
    oracle = TableOracle(group, rows, values, 6)
    exact = PackingSolver(np.full(6, -np.inf), np.ones(6), oracle, 6).optimise(PLACED)
    assert (exact.value, exact.status.status) == (2, "optimal") and exact.bound == pytest.approx(3.0)
    solver = PackingSolver(np.full(6, -np.inf), np.ones(6), oracle, 6)
    solver.within_limit = 1
    out = solver.optimise(PLACED)
    assert out.status.status == "time_limit" and "columns could lift the tier" in out.status.message
    chosen = solver.chosen()
    use = np.bincount([r for j in solver.cols.key[chosen] for r in rows[j]], minlength=6)
    assert (use <= 1).all() and out.value == len(chosen) <= 2
    assert out.status.gap == pytest.approx((3 - out.value) / 3)


def test_pins_that_cannot_all_be_honoured_raise() -> None:
    oracle = TableOracle(np.array([0, 1]), [[0], [0]], np.array([[1, 1], [0, 0], [3, 4]]), 1)
    solver = PackingSolver(np.array([-np.inf]), np.array([1.0]), oracle, 2, forced=np.array([True, True]))
    with pytest.raises(InfeasibleError):
        solver.optimise(VALUE)


def test_a_time_limit_is_reported_with_its_gap_never_as_infeasible() -> None:
    """A dense random packing that branch and bound cannot close in a millisecond."""
    rng = np.random.default_rng(3)
    n_groups, n_rows, per = 60, 25, 6
    group = np.repeat(np.arange(n_groups), per)
    rows = [sorted(rng.choice(n_rows, size=3, replace=False).tolist()) for _ in group]
    values = np.stack([np.ones(len(group)), np.zeros(len(group)), rng.integers(10, 100, size=len(group))])
    oracle = TableOracle(group, rows, values.astype(np.int64), n_rows)
    solver = PackingSolver(np.full(n_rows, -np.inf), np.full(n_rows, 2.0), oracle, n_groups, time_limit=1e-3)
    out = solver.optimise(VALUE)
    assert out.status.status in ("optimal", "time_limit")
    if out.status.status == "time_limit":
        assert out.status.gap is not None and out.status.gap >= 0
    chosen = solver.cols.key[solver.chosen()]  # the table's own column numbers
    use = np.zeros(n_rows)
    for j in chosen:
        use[rows[j]] += 1
    assert (use <= 2).all() and len(set(group[chosen].tolist())) == len(chosen)  # a feasible answer
    assert out.value == int(values[2, chosen].sum())  # valued right
    exact = _solver_exact(oracle, n_rows, n_groups)
    assert out.value <= exact  # never above the optimum; equal when optimal
    if out.status.status == "optimal":
        assert out.value == exact


def _solver_exact(oracle: TableOracle, n_rows: int, n_groups: int) -> int:
    solver = PackingSolver(np.full(n_rows, -np.inf), np.full(n_rows, 2.0), oracle, n_groups)
    return solver.optimise(VALUE).value


@pytest.mark.skipif(not incremental_available(), reason="SciPy's HiGHS binding is not importable here")
def test_the_kept_model_and_a_solve_from_scratch_agree() -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        n_rows, n_cols = 5, 12
        index = [sorted(rng.choice(n_rows, size=2, replace=False).tolist()) for _ in range(n_cols)]
        cost = rng.integers(1, 9, size=n_cols).astype(float)
        starts = np.r_[0, np.cumsum([len(i) for i in index])]
        answers = []
        for incremental in (True, False):
            m = LinearModel(incremental=incremental)
            m.add_rows(np.full(n_rows, -np.inf), np.ones(n_rows))
            m.add_cols(cost, starts, np.concatenate(index))
            s = m.solve()
            dual = s.row_dual
            reduced = m.cost - m.matrix().T @ dual
            assert np.all(reduced[s.x < 1e-9] <= 1e-7) and np.all(reduced[s.x > 1 - 1e-9] >= -1e-7)
            answers.append(s.objective)
        assert answers[0] == pytest.approx(answers[1])


@pytest.mark.parametrize("incremental", [True, False])
def test_changed_row_bounds_are_what_the_next_solve_obeys(incremental: bool) -> None:
    # a tier held at a bound is released by set_row_bounds (PackingSolver.lexicographic); the kept HiGHS model
    # must see the change too, not only the cold copy
    m = LinearModel(incremental=incremental)
    rows = m.add_rows(np.full(2, -np.inf), np.array([1.0, 1.0]))
    m.add_cols(np.array([2.0, 3.0]), np.array([0, 1, 2]), np.array([0, 1]))
    assert m.solve().objective == pytest.approx(5.0)
    m.set_row_bounds(rows, -np.inf, np.array([0.0, 1.0]))
    assert m.solve().objective == pytest.approx(3.0)
    m.set_row_bounds(rows[:1], -np.inf, 1.0)
    assert m.solve().objective == pytest.approx(5.0)
