"""Round-level checks: unique ids, references that resolve, consistent loads."""

from __future__ import annotations

import datetime as dt

import pytest

import matchwork as mw
from matchwork.errors import RoundValidationError


def _base(**over):
    data = {
        "candidates": [
            {"id": "C1", "name": "Anna", "area": "Mantova", "location": {"lat": 45.15, "lon": 10.79}},
            {"id": "C2", "name": "Luca", "area": "Mantova", "location": {"lat": 45.16, "lon": 10.78}},
        ],
        "sites": [
            {
                "id": "S1",
                "name": "Coop Verde",
                "sector": "81.30",
                "area": "Mantova",
                "location": {"lat": 45.16, "lon": 10.80},
                "headcount": 12,
                "positions": [{"id": "P1", "title": "giardiniere", "openings": 1}],
            }
        ],
        "guides": [{"id": "G1", "name": "Bruno", "site_id": "S1", "can_lead": True, "max_mentees": 2}],
        "peers": [{"id": "R1", "name": "Rita", "areas_served": ["Mantova"]}],
        "date": "2026-01-12",
    }
    data.update(over)
    return data


def _problems(**over) -> list[mw.Problem]:
    with pytest.raises(RoundValidationError) as info:
        mw.Round(**_base(**over))
    return list(info.value.problems)


def test_valid_round_builds_and_sorts() -> None:
    data = _base()
    data["candidates"] = data["candidates"][::-1]
    rnd = mw.Round(**data)
    assert [c.id for c in rnd.candidates] == ["C1", "C2"]
    assert rnd.date == dt.date(2026, 1, 12)
    assert rnd.role_of("P1") == "position"
    assert rnd.positions[0][0] == "S1"


def test_duplicate_id_across_roles() -> None:
    probs = _problems(peers=[{"id": "G1", "name": "Rita", "areas_served": ["Mantova"]}])
    assert len(probs) == 1
    p = probs[0]
    assert (p.table, p.column, p.value, p.row) == ("peers", "id", "G1", 0)
    assert "guides" in p.expected


def test_guide_site_must_resolve_with_hint() -> None:
    probs = _problems(guides=[{"id": "G1", "name": "Bruno", "site_id": "S11"}])
    assert [(p.table, p.column, p.value) for p in probs] == [("guides", "site_id", "S11")]
    assert "did you mean 'S1'" in probs[0].expected


def test_guide_position_must_belong_to_its_site() -> None:
    probs = _problems(guides=[{"id": "G1", "name": "Bruno", "site_id": "S1", "position_id": "P9"}])
    assert [(p.table, p.column) for p in probs] == [("guides", "position_id")]


def test_relationship_ends_resolve_to_people_or_care_team() -> None:
    cands = _base()["candidates"]
    cands[0] = {**cands[0], "care_team": ["OP1"]}
    ok = mw.Round(**_base(candidates=cands, relationships=[{"a": "R1", "b": "OP1", "kind": "therapeutic"}]))
    assert ok.relationship_graph.has_edge("R1", "OP1")
    probs = _problems(relationships=[{"a": "R1", "b": "OP2", "kind": "therapeutic"}])
    assert [(p.table, p.column, p.value) for p in probs] == [("relationships", "b", "OP2")]


def test_pairing_roles_and_loads() -> None:
    probs = _problems(pairings=[{"candidate_id": "C1", "partner_id": "G1", "role": "peer"}])
    assert [(p.table, p.column) for p in probs] == [("pairings", "role")]
    # a pairing in place must be counted in the guide's current load
    probs = _problems(pairings=[{"candidate_id": "C1", "partner_id": "G1", "role": "lead_guide"}])
    assert [(p.table, p.column, p.record_id) for p in probs] == [("guides", "current_mentees", "G1")]


def test_pins_forbids_and_exclusions() -> None:
    probs = _problems(
        pins=[{"candidate_id": "C1", "partner_id": "G1"}], forbids=[{"candidate_id": "C1", "partner_id": "G1"}]
    )
    assert [(p.table, p.column) for p in probs] == [("pins", "partner_id")]
    assert "forbids" in probs[0].expected
    probs = _problems(pins=[{"candidate_id": "C1", "partner_id": "P1"}, {"candidate_id": "C2", "partner_id": "P1"}])
    assert [(p.table, p.column) for p in probs] == [("sites", "positions"), ("sites", "positions")]


def test_empty_required_tables() -> None:
    probs = _problems(candidates=[], guides=[], sites=[])
    assert {p.table for p in probs} >= {"candidates", "guides", "sites"}


def test_every_problem_at_once() -> None:
    cands = _base()["candidates"]
    cands[0] = {**cands[0], "location": {"lat": 95, "lon": 10.0}, "languages": ["italien"]}
    cands[1] = {**cands[1], "max_commute_km": -3}
    probs = _problems(candidates=cands, guides=[{"id": "G1", "name": "Bruno", "site_id": "S2"}])
    cols = sorted((p.table, p.column) for p in probs)
    assert cols == [
        ("candidates", "languages"),
        ("candidates", "lat"),
        ("candidates", "max_commute_km"),
        ("guides", "site_id"),
    ]
    lang = next(p for p in probs if p.column == "languages")
    assert "did you mean 'it'" in lang.expected


def test_replace_revalidates() -> None:
    rnd = mw.Round(**_base())
    with pytest.raises(RoundValidationError):
        rnd.replace(guides=[])
    with pytest.raises(TypeError, match="unknown fields"):
        rnd.replace(colour="red")


def test_gc_pause_restores_the_collector_across_threads_and_errors() -> None:
    import gc
    import threading

    from matchwork import _gc

    started, release = threading.Barrier(3), threading.Event()
    seen: list[bool] = []

    @_gc.paused
    def work(fail: bool = False) -> None:
        seen.append(gc.isenabled())
        if fail:
            raise RuntimeError("boom")
        started.wait()
        release.wait()

    assert gc.isenabled()
    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    started.wait()
    assert not gc.isenabled()  # paused while either thread is inside
    release.set()
    for t in threads:
        t.join()
    assert gc.isenabled() and seen == [False, False]
    with pytest.raises(RuntimeError):
        work(fail=True)
    assert gc.isenabled()
    gc.disable()
    try:
        _gc.paused(lambda: None)()
        assert not gc.isenabled()  # a collector that was off stays off
    finally:
        gc.enable()
