from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

import matchwork as mw
from matchwork.io.schema import RoundDocument
from matchwork.model.profiles import PROFILE_TYPES

LOC = {"lat": 45.0, "lon": 10.0}


def _cand(**kw):
    return mw.Candidate(**{"id": "C1", "name": "Anna", "area": "Mantova", "location": LOC, **kw})


def test_defaults_are_sensible() -> None:
    c = _cand()
    assert c.max_commute_km == 15.0
    assert {str(x) for x in c.languages} == {"it"}
    assert len(c.availability) == 10
    assert not c.wants_peer and c.category is None


@pytest.mark.parametrize(
    "bad",
    [
        {"skills": {"cleaning": 2.5}},
        {"skills": {"cleaning": 0}},
        {"languages": []},
        {"availability": []},
        {"max_commute_km": 0},
        {"max_commute_km": float("nan")},
        {"wished_sectors": ["Z"]},
        {"wished_sectors": ["34"]},
        {"colour": "red"},
        {"most_important": "Not A Feature"},
    ],
)
def test_strict_where_a_wrong_value_would_change_a_match(bad) -> None:
    with pytest.raises(ValidationError):
        _cand(**bad)


def test_load_cannot_exceed_capacity() -> None:
    with pytest.raises(ValidationError, match="current_mentees"):
        mw.GuideWorker(id="G", name="B", site_id="S", max_mentees=1, current_mentees=2)
    with pytest.raises(ValidationError, match="hours_in_use"):
        mw.PeerSupporter(id="R", name="R", areas_served=["M"], hours_per_week=4, hours_in_use=5)


def test_precision_is_kept_so_every_format_is_exact() -> None:
    c = _cand(location={"lat": 45.123456789123, "lon": 10.1}, max_commute_km=12.34567)
    assert c.location.lat == 45.1234568
    assert c.max_commute_km == 12.346


def test_sensitive_marks_in_schema_match_helper() -> None:
    schemas = mw.schema()
    for table, model in PROFILE_TYPES.items():
        props = schemas[table]["properties"]
        marked = {name for name, p in props.items() if p.get("sensitive")}
        assert marked == set(mw.sensitive_fields(model)), table
        assert all("it" in p for p in props.values()), f"{table}: every field has its Italian term"
    assert mw.sensitive_fields(mw.Candidate) >= {"category", "referring_service", "peer_experience"}
    assert mw.sensitive_fields(mw.PeerSupporter) == {"lived_experience", "former_client_of"}


def test_schema_document_matches_what_the_round_writes(small_round: mw.Round) -> None:
    doc = RoundDocument.model_validate(small_round.to_dict())
    assert len(doc.candidates) == len(small_round.candidates)
    assert mw.schema()["round"]["title"] == "matchwork round"
    enum = mw.schema()["candidates"]["$defs"]["Category"]["enum"]
    assert "psychiatric_treatment" in enum


def test_round_date_defaults_to_today_and_parses() -> None:
    rnd = mw.synth.round(20, seed=0)
    assert rnd.replace(date=None).date == dt.date.today()
    assert rnd.replace(date="2025-03-04").date == dt.date(2025, 3, 4)
