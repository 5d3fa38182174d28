"""Bad input: each kind gives a located problem, all problems at once, no sensitive value echoed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import matchwork as mw
from matchwork.errors import RoundValidationError

SENTINEL = "SENTINEL-SECRET-1234"


@pytest.fixture
def frames() -> dict[str, pd.DataFrame]:
    # cells as a spreadsheet holds them (any text), not the typed columns to_frames() gives
    return {t: f.astype(object) for t, f in mw.synth.round(40, seed=5).to_frames().items()}


def _errors(frames: dict[str, pd.DataFrame]) -> RoundValidationError:
    with pytest.raises(RoundValidationError) as info:
        mw.Round.from_frames(frames)
    return info.value


def _set(frames: dict[str, pd.DataFrame], table: str, row: int, column: str, value: object) -> None:
    frames[table] = frames[table].copy()
    frames[table].loc[frames[table].index[row], column] = value


def _only(err: RoundValidationError) -> mw.Problem:
    assert len(err.problems) == 1, err
    return err.problems[0]


CASES: dict[str, tuple[Callable[[dict[str, pd.DataFrame]], None], tuple[str, int | None, str | None]]] = {
    # name: (mutation, (table, line, column))
    "duplicate id in one table": (
        lambda f: _set(f, "candidates", 3, "id", f["candidates"].loc[1, "id"]),
        ("candidates", 5, "id"),
    ),
    "duplicate id across roles": (lambda f: _set(f, "peers", 0, "id", f["guides"].loc[0, "id"]), ("peers", 2, "id")),
    "dangling guide site": (lambda f: _set(f, "guides", 2, "site_id", "S99999"), ("guides", 4, "site_id")),
    "dangling position site": (lambda f: _set(f, "positions", 1, "site_id", "S99999"), ("positions", 3, "site_id")),
    "dangling exclusion": (
        lambda f: _set(f, "candidates", 0, "excluded_ids", "G999"),
        ("candidates", 2, "excluded_ids"),
    ),
    "wrong type int": (lambda f: _set(f, "sites", 1, "headcount", "twelve"), ("sites", 3, "headcount")),
    "wrong type bool": (lambda f: _set(f, "guides", 1, "can_lead", "perhaps"), ("guides", 3, "can_lead")),
    "wrong type date": (lambda f: _set(f, "peers", 0, "started_on", "31/02/2025"), ("peers", 2, "started_on")),
    "latitude out of range": (lambda f: _set(f, "candidates", 4, "lat", "95.5"), ("candidates", 6, "lat")),
    "longitude out of range": (lambda f: _set(f, "sites", 0, "lon", "-200"), ("sites", 2, "lon")),
    "negative openings": (lambda f: _set(f, "positions", 0, "openings", "-1"), ("positions", 2, "openings")),
    "hours over 168": (lambda f: _set(f, "positions", 2, "hours_per_week", "170"), ("positions", 4, "hours_per_week")),
    "nan number": (lambda f: _set(f, "candidates", 1, "max_commute_km", "nan"), ("candidates", 3, "max_commute_km")),
    "infinite number": (
        lambda f: _set(f, "candidates", 1, "max_commute_km", "inf"),
        ("candidates", 3, "max_commute_km"),
    ),
    "skill level 4": (lambda f: _set(f, "guides", 0, "skills", "cleaning:4"), ("guides", 2, "skills")),
    "skill without level": (lambda f: _set(f, "guides", 0, "skills", "cleaning"), ("guides", 2, "skills")),
    "unknown skill": (lambda f: _set(f, "guides", 0, "skills", "clenaing:2"), ("guides", 2, "skills")),
    "unknown language": (lambda f: _set(f, "candidates", 2, "languages", "it;xx"), ("candidates", 4, "languages")),
    "unknown slot": (lambda f: _set(f, "candidates", 2, "availability", "monday"), ("candidates", 4, "availability")),
    "unknown sector": (lambda f: _set(f, "sites", 2, "sector", "34.1"), ("sites", 4, "sector")),
    "unknown relationship kind": (
        lambda f: _set(f, "relationships", 0, "kind", "friend"),
        ("relationships", 2, "kind"),
    ),
    "empty required cell": (lambda f: _set(f, "candidates", 0, "name", ""), ("candidates", 2, "name")),
    "missing required column": (
        lambda f: f.update(candidates=f["candidates"].drop(columns=["lat"])),
        ("candidates", None, "lat"),
    ),
    "misspelt column": (
        lambda f: f.update(guides=f["guides"].rename(columns={"can_lead": "can_laed"})),
        ("guides", None, "can_laed"),
    ),
    "empty candidates table": (lambda f: f.update(candidates=f["candidates"].iloc[0:0]), ("candidates", None, None)),
    "missing guides table": (lambda f: f.pop("guides"), ("guides", None, None)),
    "pin on forbidden pair": (
        lambda f: (
            f.update(pins=pd.DataFrame({"candidate_id": ["C000001"], "partner_id": ["S00001"], "role": [None]})),
            f.update(forbids=pd.DataFrame({"candidate_id": ["C000001"], "partner_id": ["S00001"], "role": [None]})),
        ),
        ("pins", 2, "partner_id"),
    ),
    "unknown round key": (
        lambda f: f.update(round=pd.concat([f["round"], pd.DataFrame({"key": ["colour"], "value": ["x"]})])),
        ("round", len(mw.synth.round(40, seed=5).to_frames()["round"]) + 2, "key"),
    ),
    "bad round date": (lambda f: _set(f, "round", 1, "value", "yesterday"), ("round", None, "date")),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_located(name: str, frames: dict[str, pd.DataFrame]) -> None:
    mutate, (table, line, column) = CASES[name]
    mutate(frames)
    problem = _only(_errors(frames))
    assert (problem.table, problem.line, problem.column) == (table, line, column), problem
    assert problem.expected and "Input should" not in problem.expected
    assert "pydantic" not in str(problem).lower()


def test_all_problems_of_all_tables_at_once(frames: dict[str, pd.DataFrame]) -> None:
    for name in ("latitude out of range", "wrong type int", "unknown skill", "dangling guide site"):
        CASES[name][0](frames)
    err = _errors(frames)
    assert {(p.table, p.line, p.column) for p in err.problems} == {
        CASES[n][1] for n in ("latitude out of range", "wrong type int", "unknown skill", "dangling guide site")
    }


def test_did_you_mean_for_codes_columns_and_ids(frames: dict[str, pd.DataFrame]) -> None:
    _set(frames, "guides", 0, "skills", "forklfit:1")
    _set(frames, "guides", 1, "site_id", frames["sites"].loc[0, "id"] + "x")
    frames["candidates"] = frames["candidates"].rename(columns={"max_commute_km": "max_comute_km"})
    frames["candidates"] = frames["candidates"]
    err = _errors(frames)
    text = str(err)
    assert "did you mean 'forklift'" in text
    assert f"did you mean {frames['sites'].loc[0, 'id']!r}" in text
    assert "did you mean 'max_commute_km'" in text


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("candidates", "category", SENTINEL),
        ("candidates", "referring_service", SENTINEL),
        ("candidates", "support_intensity", SENTINEL),
        ("candidates", "peer_experience", SENTINEL),
        ("candidates", "care_team", SENTINEL + " x"),
        ("peers", "lived_experience", SENTINEL),
        ("peers", "former_client_of", SENTINEL),
        ("relationships", "kind", SENTINEL),
    ],
)
def test_sensitive_values_are_never_echoed(
    frames: dict[str, pd.DataFrame], table: str, column: str, value: str
) -> None:
    _set(frames, table, 0, column, value)
    err = _errors(frames)
    problem = _only(err)
    assert (problem.table, problem.column) == (table, column)
    assert problem.value == "<redacted>"
    for text in (str(err), repr(err), repr(problem), str(err.to_records()), str(err.args)):
        assert SENTINEL not in text


def test_close_misspelling_of_sensitive_code_gets_no_hint(frames: dict[str, pd.DataFrame]) -> None:
    _set(frames, "candidates", 0, "category", "alcoholsm")
    problem = _only(_errors(frames))
    assert problem.value == "<redacted>"
    assert "did you mean" not in str(problem)


def test_csv_folder_problems(tmp_path: Path, frames: dict[str, pd.DataFrame]) -> None:
    rnd = mw.Round.from_frames(frames)
    folder = rnd.to_csv_dir(tmp_path / "r")
    # Latin-1 bytes, a renamed file
    (folder / "peers.csv").write_bytes("id,name\nR1,Niccolò\n".encode("latin-1"))
    (folder / "guides.csv").rename(folder / "guide.csv")
    with pytest.raises(RoundValidationError) as info:
        mw.Round.from_csv_dir(folder)
    by_table = {p.table: p for p in info.value.problems}
    assert "UTF-8" in by_table["peers"].expected
    assert "did you mean 'guides.csv'" in by_table["guide.csv"].expected
    assert "guides.csv" in by_table


def test_excel_missing_and_renamed_sheets(tmp_path: Path, frames: dict[str, pd.DataFrame]) -> None:
    frames["Candidatti"] = frames.pop("candidates")
    from matchwork.io import tables

    path = tables.write_excel(frames, tmp_path / "r.xlsx")
    with pytest.raises(RoundValidationError) as info:
        mw.Round.from_excel(path)
    tables_named = {p.table for p in info.value.problems}
    assert "candidates" in tables_named
    assert any("did you mean 'candidates'" in p.expected for p in info.value.problems)


def test_not_a_workbook(tmp_path: Path) -> None:
    bad = tmp_path / "round.xlsx"
    bad.write_text("this is not a zip file")
    with pytest.raises(RoundValidationError, match="Excel"):
        mw.Round.from_excel(bad)


def test_excel_lines_match_sheet_rows(tmp_path: Path, frames: dict[str, pd.DataFrame]) -> None:
    _set(frames, "sites", 4, "headcount", "-3")
    from matchwork.io import tables

    path = tables.write_excel(frames, tmp_path / "r.xlsx")
    with pytest.raises(RoundValidationError) as info:
        mw.Round.from_excel(path)
    problem = _only(info.value)
    import openpyxl

    sheet = openpyxl.load_workbook(path)["sites"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=problem.line, column=header.index("headcount") + 1).value == "-3"


def test_json_problems_are_located() -> None:
    doc = mw.synth.round(20, seed=2).to_dict()
    doc["candidates"][3]["location"]["lat"] = 120
    doc["sites"][0]["positions"][0]["openings"] = -2
    doc["guidez"] = []
    with pytest.raises(RoundValidationError) as info:
        mw.Round.from_json(doc)
    located = {(p.table, p.row, p.column) for p in info.value.problems}
    assert ("candidates", 3, "lat") in located
    assert ("sites", 0, "positions") in located or any(
        p.table == "sites" and (p.column or "").startswith("positions") for p in info.value.problems
    )
    assert any(p.table == "guidez" and "did you mean 'guides'" in p.expected for p in info.value.problems)


def test_invalid_json_text() -> None:
    with pytest.raises(RoundValidationError, match="valid JSON"):
        mw.Round.from_json("{not json")
