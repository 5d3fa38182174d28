"""The joint stage's tutor and operator sets and their Hall rows, against dense and exhaustive references.

The sets are sparse and their unions closed group by group (a national round's dense
matrix would take 37 GiB); these tests hold them to the plain definitions: each row's
set of partners, and every union of sets that chain by sharing a partner.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchwork.engine.joint import _assign_partners, _distinct_sets, _Hall, _holds
from matchwork.errors import MatchError


@st.composite
def pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int, int]:
    n_rows = draw(st.integers(1, 12))
    n_partners = draw(st.integers(2, 9))
    cell = st.tuples(st.integers(0, n_rows - 1), st.integers(0, n_partners - 1))
    cells = draw(st.lists(cell, min_size=n_rows, max_size=3 * n_rows))
    row = np.array([r for r, _ in cells], dtype=np.int64)
    partner = np.array([p for _, p in cells], dtype=np.int64)
    return row, partner, n_rows, n_partners


@settings(max_examples=150)
@given(pairs())
def test_distinct_sets_are_each_rows_partners(case: tuple[np.ndarray, np.ndarray, int, int]) -> None:
    row, partner, n_rows, n_partners = case
    dense = np.zeros((n_rows, n_partners), dtype=bool)
    dense[row, partner] = True
    which, sets = _distinct_sets(row, partner, n_rows, n_partners)
    assert np.array_equal(sets.toarray()[which], dense)
    assert len({tuple(r) for r in sets.toarray()}) == sets.shape[0]  # each set once
    probe_set = np.repeat(np.arange(sets.shape[0]), n_partners)
    probe_partner = np.tile(np.arange(n_partners), sets.shape[0])
    assert np.array_equal(_holds(sets, probe_set, probe_partner), sets.toarray().ravel())


def test_the_generator_draws_groups_and_chains() -> None:
    """The draws hold several groups and unions beyond the sets themselves, not only empty or single sets."""
    seen = {"several groups": 0, "unions beyond the sets": 0, "no set": 0}

    @settings(max_examples=200, database=None, derandomize=True)
    @given(pairs())
    def count(case: tuple[np.ndarray, np.ndarray, int, int]) -> None:
        row, partner, n_rows, n_partners = case
        which, sets = _distinct_sets(row, partner, n_rows, n_partners)
        hall = _Hall.of(sets, which, np.ones(n_partners), "tutor")
        used = np.unique(which)
        n_base = int((np.diff(sets.indptr)[used] > 0).sum())
        seen["several groups"] += hall.n_groups > 1
        seen["unions beyond the sets"] += len(hall.partners) > n_base
        seen["no set"] += n_base == 0

    count()
    assert seen["several groups"] >= 40 and seen["unions beyond the sets"] >= 40, seen
    assert seen["no set"] <= 10, seen


def _reference_unions(sets: list[frozenset[int]]) -> set[frozenset[int]]:
    """Every union of a non-empty choice of sets whose sets chain by shared partners (exhaustive)."""
    out = set()
    for k in range(1, len(sets) + 1):
        for chosen in itertools.combinations(sets, k):
            reached, left = set(chosen[0]), list(chosen[1:])
            while True:
                joined = [s for s in left if s & reached]
                if not joined:
                    break
                for s in joined:
                    reached |= s
                    left.remove(s)
            if not left:
                out.add(frozenset(reached))
    return out


@settings(max_examples=150)
@given(pairs(), st.data())
def test_hall_rows_are_every_chained_union(case: tuple[np.ndarray, np.ndarray, int, int], data: st.DataObject) -> None:
    row, partner, n_rows, n_partners = case
    which, sets = _distinct_sets(row, partner, n_rows, n_partners)
    room = np.array(data.draw(st.lists(st.integers(-1, 3), min_size=n_partners, max_size=n_partners)))
    hall = _Hall.of(sets, which, room, "tutor")
    dense = sets.toarray()
    used = [i for i in np.unique(which).tolist() if dense[i].any()]
    expected = _reference_unions(list({frozenset(np.flatnonzero(dense[i]).tolist()) for i in used}))
    got = [frozenset(p.tolist()) for p in hall.partners]
    assert len(got) == len(set(got)) and set(got) == expected
    assert np.allclose(hall.hi, [np.maximum(room, 0)[list(u)].sum() for u in got])
    for i in used:  # the unions containing each set, and the group of a set is that of its unions
        inside = {k for k, u in enumerate(got) if set(np.flatnonzero(dense[i]).tolist()) <= u}
        assert set(hall.contains[i]) == inside
        assert {int(hall.group[k]) for k in inside} == {hall.set_group[i]}
    # two sets are in one group exactly when their largest unions are the same
    for i, j in itertools.combinations(used, 2):
        shared = bool(set(hall.contains[i]) & set(hall.contains[j]))
        assert (hall.set_group[i] == hall.set_group[j]) == shared


def test_hall_rows_cap_is_per_group(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many small groups pass; one group whose sets overlap in more ways than the cap is refused."""
    import matchwork.engine.joint as joint

    monkeypatch.setattr(joint, "HALL_MAX_ROWS", 10)
    n = 30  # thirty sites of one tutor each: thirty groups of one union
    which, sets = _distinct_sets(np.arange(n), np.arange(n), n, n)
    assert len(_Hall.of(sets, which, np.ones(n), "tutor").partners) == n
    # one group: the pairs of a path of 8 partners chain into 28 unions
    row, partner = np.repeat(np.arange(7), 2), np.ravel([[k, k + 1] for k in range(7)])
    which, sets = _distinct_sets(row, partner, 7, 8)
    with pytest.raises(MatchError, match="overlap in too many ways"):
        _Hall.of(sets, which, np.ones(8), "tutor")


def test_assign_partners_stays_within_sets_and_room() -> None:
    """People get a partner of their own set, no partner beyond their room, by connected group."""
    from matchwork.engine.context import StageContext

    rng = np.random.default_rng(5)
    n_people, n_partners = 40, 12
    # four groups of three partners; each person allowed a random non-empty subset of one group
    row, partner = [], []
    for i in range(n_people):
        g = i % 4
        chosen = rng.choice(3, size=rng.integers(1, 4), replace=False) + 3 * g
        row += [i] * len(chosen)
        partner += chosen.tolist()
    which, sets = _distinct_sets(np.array(row), np.array(partner), n_people, n_partners)
    room = np.full(n_partners, 5)
    chosen = np.ones(n_people, dtype=bool)
    out = _assign_partners(
        StageContext.__new__(StageContext), np.arange(n_people), which, chosen, sets, room, np.full(n_partners, 6)
    )
    dense = sets.toarray()
    assert (out >= 0).all()
    assert dense[which, out].all()
    assert (np.bincount(out, minlength=n_partners) <= room).all()
