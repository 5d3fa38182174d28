"""``assign`` against brute force and across backends."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import matchwork as mw
from matchwork.solve import available_backends

BACKENDS = ["scipy", *available_backends()]


def brute(scores, cap, feasible, load_cost=None, fair=False):
    """The best (placed, [min score], total) over every assignment, by enumeration."""
    n, m = scores.shape
    best = None
    for choice in itertools.product(range(-1, m), repeat=n):
        used = np.bincount([j for j in choice if j >= 0], minlength=m)
        if np.any(used > cap):
            continue
        if any(j >= 0 and not feasible[i, j] for i, j in enumerate(choice)):
            continue
        pairs = [(i, j) for i, j in enumerate(choice) if j >= 0]
        total = sum(scores[i, j] for i, j in pairs)
        if load_cost is not None:
            total -= sum(load_cost[j, :u].sum() for j, u in enumerate(used))
        low = min((scores[i, j] for i, j in pairs), default=np.inf)
        key = (len(pairs), low, total) if fair else (len(pairs), total)
        if best is None or key > best:
            best = key
    return best


def value(scores, rows, cols, load_cost=None, fair=False):
    used = np.bincount(cols, minlength=scores.shape[1])
    total = scores[rows, cols].sum()
    if load_cost is not None:
        total -= sum(load_cost[j, :u].sum() for j, u in enumerate(used))
    low = scores[rows, cols].min(initial=np.inf)
    return (len(rows), low, total) if fair else (len(rows), total)


@st.composite
def problems(draw):
    n = draw(st.integers(1, 5))
    m = draw(st.integers(1, 3))
    scores = draw(arrays(np.float64, (n, m), elements=st.integers(0, 20).map(float)))
    cap = draw(arrays(np.int64, (m,), elements=st.integers(0, 2)))
    feasible = draw(arrays(bool, (n, m)))
    with_load = draw(st.booleans())
    load = None
    if with_load:
        steps = draw(arrays(np.float64, (m, 2), elements=st.integers(0, 6).map(float)))
        load = np.cumsum(steps, axis=1)
    return scores, cap, feasible, load


@given(problems(), st.sampled_from(BACKENDS))
def test_total_objective_matches_brute_force(problem, backend) -> None:
    scores, cap, feasible, load = problem
    r, c = mw.assign(scores, cap, feasible=feasible, load_cost=load, backend=backend)
    assert np.all(np.diff(r) > 0), "rows sorted, each at most once"
    assert np.all(feasible[r, c])
    assert np.all(np.bincount(c, minlength=len(cap)) <= cap)
    got = value(scores, r, c, load)
    want = brute(scores, cap, feasible, load)
    assert got[0] == want[0]
    assert got[1] == pytest.approx(want[1])


@given(problems(), st.sampled_from(available_backends()))
def test_fair_objective_matches_brute_force(problem, backend) -> None:
    scores, cap, feasible, _ = problem
    r, c = mw.assign(scores, cap, feasible=feasible, objective="fair", backend=backend)
    got = value(scores, r, c, fair=True)
    want = brute(scores, cap, feasible, fair=True)
    assert got[:2] == want[:2]
    assert got[2] == pytest.approx(want[2])


def test_backends_agree_on_a_larger_problem() -> None:
    rng = np.random.default_rng(0)
    scores = rng.random((60, 25)) * 100
    feasible = rng.random((60, 25)) < 0.3
    cap = rng.integers(0, 4, size=25)
    load = np.cumsum(rng.random((25, 4)) * 5, axis=1)
    values = set()
    for backend in BACKENDS:
        r, c = mw.assign(scores, cap, feasible=feasible, load_cost=load, backend=backend)
        values.add((len(r), round(value(scores, r, c, load)[1], 4)))
    assert len(values) == 1, values


def test_sparse_input_uses_stored_pairs_only() -> None:
    dense = np.array([[0.0, 5.0], [3.0, 0.0]])
    sparse = sp.csr_array(dense)  # the zeros are not pairs
    for backend in BACKENDS:
        r, c = mw.assign(sparse, backend=backend)
        assert (r.tolist(), c.tolist()) == ([0, 1], [1, 0])
    r, c = mw.assign(dense)  # dense zeros are pairs like any other
    assert len(r) == 2


def test_zero_exclusion_places_everyone_it_can() -> None:
    # maximising the total alone would give row 0 column 0 (100) and leave row 1 out
    scores = np.array([[100.0, 1.0], [50.0, 0.0]])
    feasible = np.array([[True, True], [True, False]])
    r, c = mw.assign(scores, feasible=feasible)
    assert (r.tolist(), c.tolist()) == ([0, 1], [1, 0])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"scores": np.array([[np.nan, 1.0]])}, "NaN"),
        ({"scores": np.array([[np.inf, 1.0]])}, "infinite"),
        ({"scores": np.ones(3)}, "2-D"),
        ({"scores": np.ones((2, 2)), "capacity": [1]}, "one value per column"),
        ({"scores": np.ones((2, 2)), "capacity": -1}, "non-negative"),
        ({"scores": np.ones((2, 2)), "feasible": np.ones((2, 3), bool)}, "shape"),
        ({"scores": np.ones((2, 2)), "capacity": 2, "load_cost": [5.0, 1.0]}, "non-decreasing"),
        ({"scores": np.ones((2, 2)), "capacity": 3, "load_cost": [1.0, 2.0]}, "capacity 3"),
        ({"scores": np.ones((2, 2)), "objective": "best"}, "objective"),
        ({"scores": np.ones((2, 2)), "backend": "gurobi"}, "backend"),
    ],
)
def test_clear_errors(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        mw.assign(**kwargs)
