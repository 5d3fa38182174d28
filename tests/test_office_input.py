"""Input as offices type it (issue 17): Italian headers and sheets, 12,5, 3/2/2026, sì, `,` lists, notes, ATECO.

Every lenient reading here is documented in docs/tables.md and listed in docs/reliability.md.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

import matchwork as mw
from matchwork import cli
from matchwork.cli import EXIT_INVALID, app
from matchwork.errors import InputWarning, RoundValidationError
from matchwork.io import tables

runner = CliRunner()


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli.console, "width", 300)
    monkeypatch.setattr(cli.out, "width", 300)


def _cells(rnd: mw.Round) -> dict[str, pd.DataFrame]:
    """The round's tables as a spreadsheet holds them: every cell a plain value (object columns)."""
    return {table: frame.astype(object) for table, frame in rnd.to_frames().items()}


def _italian(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The same tables with Italian sheet names and headers (the schema's ``it`` terms)."""
    out = {}
    for table, frame in frames.items():
        model = mw.model.profiles.PROFILE_TYPES.get(table)
        names = {}
        for column in frame.columns:
            italian = None
            if column in ("lat", "lon", "municipality"):
                italian = mw.model.profiles.Location.model_fields[column].json_schema_extra["it"]  # type: ignore[index]
            elif model is not None and column in model.model_fields:
                italian = model.model_fields[column].json_schema_extra["it"]  # type: ignore[index]
            elif f"column.{column}" in mw.i18n.TEXTS:
                italian = mw.i18n.TEXTS[f"column.{column}"][0]
            names[column] = (italian or column).capitalize()
        out[mw.i18n.TEXTS[f"table.{table}"][0]] = frame.rename(columns=names)
    return out


def test_italian_sheets_and_headers_read_as_the_english_ones(tmp_path: Path) -> None:
    rnd = mw.synth.round(40, seed=5)
    frames = _italian(_cells(rnd))
    assert "lavoratori guida" in frames and "Distanza massima" in frames["candidati"].columns
    assert mw.Round.from_frames(frames) == rnd
    path = tables.write_excel(frames, tmp_path / "tornata.xlsx")
    assert mw.Round.from_excel(path) == rnd
    folder = tables.write_csv_dir(frames, tmp_path / "tornata")
    assert mw.Round.from_csv_dir(folder) == rnd


def test_italian_headers_never_collide_within_a_table() -> None:
    for table in tables.TABLES:
        spellings = [tables.normalize(h) for h in tables._ALIASES[table]]
        assert len(spellings) == len(set(spellings)), table


def _office_cells(frames: dict[str, pd.DataFrame]) -> None:
    c, g, p = (frames[t].astype(object) for t in ("candidates", "guides", "positions"))
    c.loc[0, "max_commute_km"] = "12,5"
    c.loc[1, "languages"] = "it, en"
    c.loc[2, "availability"] = "mon_am; tue_pm,wed_am"
    c.loc[3, "wants_peer"] = "sì"
    c.loc[4, "wants_peer"] = "No"
    g.loc[0, "can_lead"] = "Si"
    g.loc[1, "years_experience"] = "4,5"
    p.loc[0, "hours_per_week"] = "17,5"
    frames["candidates"], frames["guides"], frames["positions"] = c, g, p
    peers = frames["peers"].astype(object)
    peers.loc[0, "started_on"] = "3/2/2026"
    frames["peers"] = peers


def test_numbers_dates_yes_no_and_lists_as_offices_type_them() -> None:
    frames = _cells(mw.synth.round(40, seed=5))
    ids = [frames["candidates"].loc[i, "id"] for i in range(5)]
    _office_cells(frames)
    rnd = mw.Round.from_frames(frames)
    by_id = {c.id: c for c in rnd.candidates}
    assert by_id[ids[0]].max_commute_km == 12.5
    assert {str(x) for x in by_id[ids[1]].languages} == {"it", "en"}
    assert {str(x) for x in by_id[ids[2]].availability} == {"mon_am", "tue_pm", "wed_am"}
    assert by_id[ids[3]].wants_peer is True and by_id[ids[4]].wants_peer is False
    peer = next(p for p in rnd.peers if p.id == frames["peers"].loc[0, "id"])
    assert peer.started_on == dt.date(2026, 2, 3)
    position = dict(rnd.positions)
    assert any(p.hours_per_week == 17.5 for _, p in rnd.positions) and position


@pytest.mark.parametrize(
    ("column", "value", "italian"),
    [
        ("max_commute_km", "dodici", "un numero, come 12,5"),
        ("wants_peer", "forse", "sì o no"),
        ("languages", "it;xx", "uno dei"),
        ("mobility", "treno", "walk (a piedi)"),
        ("id", "C 1", "un codice fatto di lettere"),
    ],
)
def test_every_message_says_the_accepted_values_in_italian(column: str, value: str, italian: str) -> None:
    frames = _cells(mw.synth.round(40, seed=5))
    frames["candidates"] = frames["candidates"].astype(object)
    frames["candidates"].loc[0, column] = value
    with pytest.raises(RoundValidationError) as info:
        mw.Round.from_frames(frames)
    rendered = info.value.render("it")
    assert italian in rendered, rendered
    assert "^" not in rendered and "[A-Za-z" not in rendered  # no regular expression for people
    assert "Input should" not in rendered and "unable to" not in rendered


def test_a_date_typed_as_3_2_2026_in_a_bad_form_lists_the_accepted_forms() -> None:
    frames = _cells(mw.synth.round(40, seed=5))
    frames["peers"] = frames["peers"].astype(object)
    frames["peers"].loc[0, "started_on"] = "3 febbraio"
    with pytest.raises(RoundValidationError) as info:
        mw.Round.from_frames(frames)
    assert "gg/mm/aaaa (3/2/2026)" in info.value.render("it")
    assert "dd/mm/yyyy" in info.value.render("en")


def test_extra_columns_are_kept_as_notes_with_a_warning(tmp_path: Path) -> None:
    frames = _cells(mw.synth.round(40, seed=5))
    frames["candidates"] = frames["candidates"].assign(note=["chiamare il lunedì"] + [None] * 39)
    with pytest.warns(InputWarning, match="note"):
        rnd = mw.Round.from_frames(frames)
    first = frames["candidates"].loc[0, "id"]
    assert rnd.notes == {"candidates": {first: {"note": "chiamare il lunedì"}}}
    assert [(w.table, w.column, w.key) for w in rnd.warnings] == [("candidates", "note", "column_extra")]
    back = rnd.to_frames()["candidates"]
    assert back.loc[back.id == first, "note"].item() == "chiamare il lunedì"
    again = mw.Round.from_json(rnd.to_json())  # JSON keeps notes under "notes": nothing to warn about
    assert again.notes == rnd.notes and not again.warnings
    # a header close to a known one is a misspelling, not a note
    frames["candidates"] = frames["candidates"].rename(columns={"languages": "lenguages"})
    with pytest.raises(RoundValidationError, match="did you mean 'languages'"):
        mw.Round.from_frames(frames)


def _sector_in_excel(tmp: Path, value: Any) -> Path:
    path = mw.synth.round(40, seed=5).to_excel(tmp / "round.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["sites"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("sector") + 1, value=value)
    book.save(path)
    return path


def test_an_ateco_code_excel_made_a_number_is_restored_or_refused_with_the_candidates(tmp_path: Path) -> None:
    with pytest.warns(InputWarning, match="81.21"):
        rnd = mw.Round.from_excel(_sector_in_excel(tmp_path, 81.21))
    assert rnd.sites[0].sector == "81.21"
    assert [w.key for w in rnd.warnings] == ["sector_restored"]
    with pytest.warns(InputWarning):
        assert mw.Round.from_excel(_sector_in_excel(tmp_path, 1.11)).sites[0].sector == "01.11"
    with pytest.raises(RoundValidationError) as info:
        mw.Round.from_excel(_sector_in_excel(tmp_path, 52.1))
    (problem,) = info.value.problems
    assert (problem.table, problem.line, problem.column, problem.key) == ("sites", 2, "sector", "sector_ambiguous")
    assert "52.1, 52.10" in problem.render("it") and "testo" in problem.render("it")
    assert tables.ateco_codes_equal_to(12) == ["12", "12.0", "12.00"]


def test_an_ateco_code_that_does_not_exist_is_refused() -> None:
    frames = _cells(mw.synth.round(40, seed=5))
    frames["sites"].loc[0, "sector"] = "81.99"
    with pytest.raises(RoundValidationError) as info:
        mw.Round.from_frames(frames)
    assert info.value.problems[0].key == "sector_unknown"


def test_csv_with_semicolons_and_cr_line_ends_is_read_with_the_spreadsheets_line_numbers(tmp_path: Path) -> None:
    rnd = mw.synth.round(40, seed=5)
    folder = Path(rnd.to_csv_dir(tmp_path / "round"))
    frames = _cells(rnd)
    frames["sites"].to_csv(folder / "sites.csv", sep=";", index=False, lineterminator="\r")
    text = (folder / "guides.csv").read_text(encoding="utf-8").split("\n")
    text.insert(3, "")  # an empty row: skipped, but counted as the spreadsheet counts it
    (folder / "guides.csv").write_text("\n".join(text), encoding="utf-8")
    assert mw.Round.from_csv_dir(folder) == rnd
    lines = text[:]
    cells = lines[5].split(",")
    cells[2] = "S99999"
    lines[5] = ",".join(cells)
    (folder / "guides.csv").write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(RoundValidationError) as info:
        mw.Round.from_csv_dir(folder)
    (problem,) = info.value.problems
    assert (problem.table, problem.line, problem.column) == ("guides", 6, "site_id")


def test_validate_runs_the_checks_of_run_with_the_policy_and_the_same_line_numbers(tmp_path: Path) -> None:
    frames = _cells(mw.synth.round(40, seed=5))
    frames["candidates"] = frames["candidates"].astype(object)
    frames["candidates"].loc[6, "most_important"] = "flying"
    book = tables.write_excel(_italian(frames), tmp_path / "tornata.xlsx")
    outputs = []
    for command in (["validate", str(book)], ["run", str(book), "--out", str(tmp_path / "out"), "-q"]):
        result = runner.invoke(app, command)
        assert result.exit_code == EXIT_INVALID, result.output
        outputs.append(result.output)
        assert "1 problema nei dati" in result.output and "Criterio più importante" in result.output
        row = next(line for line in result.output.splitlines() if "flying" in line)
        assert "│ 8 " in row, row
    assert outputs[0] == outputs[1]


def test_messages_follow_matchwork_lang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frames = _cells(mw.synth.round(40, seed=5))
    frames["candidates"].loc[0, "lat"] = "95"
    book = tables.write_excel(frames, tmp_path / "r.xlsx")
    assert "un numero non superiore a 90" in runner.invoke(app, ["validate", str(book)]).output
    monkeypatch.setenv("MATCHWORK_LANG", "en")
    assert "expected" in runner.invoke(app, ["validate", str(book)]).output.lower()


def test_long_problem_lists_show_200_and_write_the_rest_on_request(tmp_path: Path) -> None:
    frames = _cells(mw.synth.round(300, seed=1))
    frames["candidates"]["lat"] = "95"
    book = tables.write_excel(frames, tmp_path / "r.xlsx")
    listing = tmp_path / "problemi.csv"
    result = runner.invoke(app, ["validate", str(book), "--problems", str(listing)])
    assert result.exit_code == EXIT_INVALID
    assert "e altri 100" in result.output
    written = pd.read_csv(listing)
    assert len(written) == 300 and set(written.line) == set(range(2, 302))


def test_a_path_that_starts_with_a_brace_is_a_file_not_json_text(tmp_path: Path) -> None:
    rnd = mw.synth.round(30, seed=2)
    path = tmp_path / "{round}.json"
    rnd.to_json(path)
    assert mw.Round.from_json(str(path)) == rnd == mw.Round.read(path)


_CSV_TEST = "test_csv_with_semicolons_and_cr_line_ends_is_read_with_the_spreadsheets_line_numbers"
LENIENT: dict[str, str] = {
    # a reading a careful office would expect to work → the test that holds it
    "Italian sheet, file and column names": "test_italian_sheets_and_headers_read_as_the_english_ones",
    "decimal comma (12,5; 1.234,5)": "test_numbers_dates_yes_no_and_lists_as_offices_type_them",
    "dates as gg/mm/aaaa (3/2/2026)": "test_numbers_dates_yes_no_and_lists_as_offices_type_them",
    "yes/no as sì/no, vero/falso": "test_numbers_dates_yes_no_and_lists_as_offices_type_them",
    "lists separated by , or ;": "test_numbers_dates_yes_no_and_lists_as_offices_type_them",
    "extra columns (kept as notes, with a warning)": "test_extra_columns_are_kept_as_notes_with_a_warning",
    "ATECO code Excel made a number (restored, with a warning)": (
        "test_an_ateco_code_excel_made_a_number_is_restored_or_refused_with_the_candidates"
    ),
    "CSV with ; between columns": _CSV_TEST,
    "CSV with CR-only line ends": _CSV_TEST,
    "an empty row inside a table (skipped, counted)": _CSV_TEST,
    "a file path that starts with {": "test_a_path_that_starts_with_a_brace_is_a_file_not_json_text",
}
"""The lenient readings docs/reliability.md lists (tests/test_reliability.py holds the two in step)."""


def test_every_lenient_reading_has_its_test() -> None:
    assert all(callable(globals().get(name)) for name in LENIENT.values())
