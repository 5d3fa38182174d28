"""Places by name: the shipped comuni table, the lookup, and a Location that needs no coordinates."""

from __future__ import annotations

import gzip
import math
from importlib import resources

import numpy as np
import pytest

import matchwork as mw
from matchwork.model.geo import MunicipalityError, comune, comuni
from matchwork.model.profiles import Location
from matchwork.synth import AREAS


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dp, dl = map(math.radians, (lat1, lat2, lat2 - lat1, lon2 - lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def test_the_table_is_shipped_whole_with_its_notice() -> None:
    table = comuni()
    assert len(table) == 7896 == len({c.istat for c in table})
    assert all(35.4 < c.lat < 47.1 and 6.6 < c.lon < 18.6 for c in table)  # Lampedusa to the Brenner, Aosta to Otranto
    assert len({c.sigla for c in table}) == 110  # provinces, metropolitan cities and Sardinia's 2026 provinces
    notice = resources.files("matchwork").joinpath("data/NOTICE.md").read_text(encoding="utf-8")
    assert "ISTAT" in notice and "GeoNames" in notice and "Openpolis" in notice and "CC BY 4.0" in notice
    raw = resources.files("matchwork").joinpath("data/comuni.csv.gz").read_bytes()
    assert gzip.decompress(raw).decode("utf-8").startswith("istat,istat_2017_2025,name,")


def test_every_mantova_town_of_the_synthetic_rounds_is_near_its_known_centre() -> None:
    towns = [town for towns in AREAS.values() for town in towns]
    distances = [_km(lat, lon, comune(name).lat, comune(name).lon) for name, lat, lon in towns]
    assert len(distances) == 42
    assert float(np.median(distances)) < 0.5 and max(distances) < 3.5  # Curtatone's point is a frazione 3 km off


@pytest.mark.parametrize(
    ("written", "istat"),
    [
        ("Sustinente", "020064"),
        ("SUSTINENTE", "020064"),
        ("020064", "020064"),
        ("20064", "020064"),  # the leading zero a spreadsheet drops
        ("sermide e felonica", "020061"),
        ("Bozen", "021008"),  # either half of a bilingual name
        ("None", "001168"),  # a real comune, not a missing value
        ("Napoli", "063049"),  # province NA, not a missing value
        ("092009", "118006"),  # Cagliari's code before Sardinia's 2026 reorganisation
        ("Castro (LE)", "075096"),
        ("Castro, BG", "016065"),
        ("Paternò", "087033"),  # the exact spelling decides where accents alone differ
        ("Forli", "040012"),
    ],
)
def test_a_comune_is_found_by_name_or_code(written: str, istat: str) -> None:
    assert comune(written).istat == istat


def test_an_unknown_or_shared_name_says_what_would_do() -> None:
    with pytest.raises(MunicipalityError) as unknown:
        comune("Sustinent")
    assert unknown.value.kind == "unknown" and unknown.value.options == ("Sustinente",)
    with pytest.raises(MunicipalityError) as shared:
        comune("Castro")
    assert shared.value.kind == "ambiguous" and shared.value.options == ("Castro (BG)", "Castro (LE)")
    with pytest.raises(MunicipalityError):
        comune("999999")


def test_a_location_by_municipality_gets_the_point_and_the_official_name() -> None:
    loc = Location(municipality="20064")
    assert (loc.lat, loc.lon, loc.municipality) == (comune("020064").lat, comune("020064").lon, "Sustinente")
    assert Location(municipality="castro (le)").municipality == "Castro (LE)"
    # coordinates are an override: kept as given, and the municipality is then only read by people
    own = Location(lat=45.1, lon=10.8, municipality="Casa del Sole")
    assert (own.lat, own.lon, own.municipality) == (45.1, 10.8, "Casa del Sole")
    schema = Location.model_json_schema()
    assert schema["anyOf"] == [{"required": ["lat", "lon"]}, {"required": ["municipality"]}]


def test_a_round_by_municipality_is_located_when_wrong_and_round_trips_when_right(tmp_path) -> None:  # type: ignore[no-untyped-def]
    frames = mw.synth.round(30, seed=2).to_frames()
    for table in ("candidates", "sites"):
        frames[table]["lat"] = None
        frames[table]["lon"] = None
    frames["candidates"].loc[3, "municipality"] = "Sustinent"
    frames["sites"].loc[1, "municipality"] = "Castro"
    frames["candidates"].loc[5, "lat"] = 45.1  # half a point
    with pytest.raises(mw.RoundValidationError) as err:
        mw.Round.from_frames(frames)
    where = {(p.table, p.line, p.column): p for p in err.value.problems}
    assert set(where) == {("candidates", 5, "municipality"), ("sites", 3, "municipality"), ("candidates", 7, "lon")}
    assert "Sustinente" in where["candidates", 5, "municipality"].expected
    assert "Castro (BG), Castro (LE)" in where["sites", 3, "municipality"].expected
    frames["candidates"].loc[3, "municipality"] = "Sustinente"
    frames["sites"].loc[1, "municipality"] = "Castro (LE)"
    frames["candidates"].loc[5, "lat"] = None
    rnd = mw.Round.from_frames(frames)
    assert rnd.sites[1].location.municipality == "Castro (LE)" and rnd.sites[1].location.lat == comune("075096").lat
    assert mw.Round.from_excel(rnd.to_excel(tmp_path / "round.xlsx")) == rnd
    assert mw.match(rnd).metrics["candidates"] == 30


def test_dropping_one_coordinate_column_is_one_problem() -> None:
    frames = mw.synth.round(20, seed=1).to_frames()
    frames["sites"] = frames["sites"].drop(columns=["lon"])
    with pytest.raises(mw.RoundValidationError) as err:
        mw.Round.from_frames(frames)
    assert [(p.table, p.column, p.row) for p in err.value.problems] == [("sites", "lon", None)]
    frames = mw.synth.round(20, seed=1).to_frames()
    frames["sites"] = frames["sites"].drop(columns=["lat", "lon"])  # the municipality alone is enough
    assert len(mw.Round.from_frames(frames).sites) == len(frames["sites"])
