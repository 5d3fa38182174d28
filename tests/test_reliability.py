"""Reliability and privacy, adversarially: the bad-input catalogue end to end, properties, fuzz, leaks.

The catalogue's kinds are those of ``test_bad_input.CASES`` (table-level problems,
each run here through ``matchwork run``: exit 2, nothing written) and the file-,
policy- and engine-level kinds below. ``docs/reliability.md`` lists them.
"""

from __future__ import annotations

import ast
import io
import json
import logging
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.testing import CliRunner

import matchwork as mw
from in_place import in_place
from matchwork import cli
from matchwork.cli import EXIT_INVALID, app
from matchwork.errors import PolicyValidationError, RoundValidationError
from matchwork.i18n import text
from matchwork.io import outputs, tables
from matchwork.io.outputs import MANIFEST

from strategies import rounds
from test_bad_input import CASES

runner = CliRunner()
SRC = Path(__file__).resolve().parent.parent / "src" / "matchwork"


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich wraps tables to the terminal; tests read whole words."""
    monkeypatch.setattr(cli.console, "width", 300)
    monkeypatch.setattr(cli.out, "width", 300)


def _frames() -> dict[str, pd.DataFrame]:
    # cells as a spreadsheet holds them (any text), not the typed columns to_frames() gives
    return {t: f.astype(object) for t, f in mw.synth.round(40, seed=5).to_frames().items()}


def _run(source: Path, out: Path, *extra: str) -> Any:
    return runner.invoke(app, ["run", str(source), "--out", str(out), "-q", *extra])


# ---------------------------------------------------------------- the catalogue, end to end

# Every run below writes into a copy of a finished run's folder: a refused input must leave it byte for byte.


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("finished")
    source = mw.synth.round(40, seed=5).to_csv_dir(folder / "round")
    result = _run(source, folder / "out")
    assert result.exit_code == 0, result.output
    return folder / "out"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _everything(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize("kind", list(CASES))
def test_table_problems_stop_the_run_before_anything_is_written(kind: str, tmp_path: Path, finished_run: Path) -> None:
    frames = _frames()
    CASES[kind][0](frames)
    source = tables.write_csv_dir(frames, tmp_path / "round")
    out = tmp_path / "out"
    shutil.copytree(finished_run, out)
    before, files = _snapshot(out), _everything(tmp_path)
    result = _run(source, out, "--lang", "en")
    assert result.exit_code == EXIT_INVALID, result.output
    assert "in the input" in result.output  # "1 problem in the input": the language asked for
    assert _snapshot(out) == before and _everything(tmp_path) == files


def _pins_over_capacity(tmp: Path) -> Path:
    rnd = mw.synth.round(40, seed=5)
    site = next(s for s in rnd.sites if sum(p.openings for p in s.positions) == 1)
    frames = rnd.to_frames()
    frames["pins"] = pd.DataFrame(
        {"candidate_id": [c.id for c in rnd.candidates[:2]], "partner_id": [site.id] * 2, "role": [None, None]}
    )
    return tables.write_csv_dir(frames, tmp / "round")


def _policy(text: str | bytes) -> Any:
    def make(tmp: Path) -> Path:
        data = text.encode() if isinstance(text, str) else text
        (tmp / "policy.toml").write_bytes(data)
        return Path(mw.synth.round(40, seed=5).to_csv_dir(tmp / "round"))

    return make


def _file(name: str, content: bytes) -> Any:
    def make(tmp: Path) -> Path:
        (tmp / name).write_bytes(content)
        return tmp / name

    return make


OTHER_KINDS: dict[str, tuple[Any, int, str, tuple[str, ...]]] = {
    # kind: (make the input, exit code, text the output must hold, extra options)
    "pins that exceed a capacity": (_pins_over_capacity, EXIT_INVALID, "pins on site", ()),
    "policy with an unknown key": (_policy("[caps]\nsquad_sise = 2\n"), EXIT_INVALID, "squad_sise", ("--policy",)),
    "policy with a negative weight": (
        _policy("[weights.site]\ncommute = -5\n"),
        EXIT_INVALID,
        "commute",
        ("--policy",),
    ),
    "policy that is not TOML": (_policy("caps = [[\n"), EXIT_INVALID, "TOML", ("--policy",)),
    "round file of an unknown type": (_file("round.txt", b"id,name\n"), EXIT_INVALID, "Excel workbook", ()),
    "workbook that is not a workbook": (_file("round.xlsx", b"PK\x03\x04 broken"), EXIT_INVALID, "xlsx", ()),
    "JSON that does not parse": (_file("round.json", b'{"candidates": [}'), EXIT_INVALID, "valid JSON", ()),
}


@pytest.mark.parametrize("kind", list(OTHER_KINDS))
def test_other_kinds_are_clear_errors_with_nothing_written(kind: str, tmp_path: Path) -> None:
    make, code, text, extra = OTHER_KINDS[kind]
    inputs = tmp_path / "in"
    inputs.mkdir()
    source = make(inputs)
    options = ["--policy", str(inputs / "policy.toml")] if extra else []
    result = _run(source, tmp_path / "out", "--lang", "en", *options)
    assert result.exit_code == code, result.output
    assert text in result.output.replace("\n", " ")
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_round_where_nobody_can_be_placed_returns_everyone_with_reasons() -> None:
    rnd = mw.synth.round(40, seed=5)
    closed = [
        s.model_copy(update={"positions": tuple(p.model_copy(update={"openings": 0}) for p in s.positions)})
        for s in rnd.sites
    ]
    result = mw.match(rnd.replace(sites=closed, pairings=[]))
    assert (result.assignments.status == "unmatched").all()
    reasons = result.unmatched_reasons
    assert sorted(reasons.candidate_id) == sorted(c.id for c in rnd.candidates)
    assert all("no_opening" in r for r in reasons.rules)


def test_zero_guide_workers_is_a_located_error(tmp_path: Path) -> None:
    """Nobody to accompany a trainee: no guide worker and no company tutor."""
    frames = _frames()
    frames["guides"] = frames["guides"].iloc[0:0]
    frames["tutors"] = frames["tutors"].iloc[0:0]
    source = tables.write_csv_dir(frames, tmp_path / "round")
    result = _run(source, tmp_path / "out", "--lang", "en")
    assert result.exit_code == EXIT_INVALID
    assert "at least one guide worker" in result.output
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- round 2: hostile input (issue 16, 17)


def _good_frames() -> dict[str, pd.DataFrame]:
    return mw.synth.round(40, seed=5).to_frames()


def _csv(mutate: Any) -> Any:
    """A CSV round folder, changed by ``mutate(folder)``."""

    def make(tmp: Path) -> tuple[Path, list[str]]:
        folder = Path(mw.synth.round(40, seed=5).to_csv_dir(tmp / "round"))
        mutate(folder)
        return folder, []

    return make


def _frames_csv(mutate: Any) -> Any:
    """A CSV round folder written from frames changed by ``mutate(frames)``."""

    def make(tmp: Path) -> tuple[Path, list[str]]:
        frames = _good_frames()
        mutate(frames)
        return tables.write_csv_dir(frames, tmp / "round"), []

    return make


def _workbook(mutate: Any) -> Any:
    """A round workbook, its sheets changed by ``mutate(workbook)`` (openpyxl)."""

    def make(tmp: Path) -> tuple[Path, list[str]]:
        path = mw.synth.round(40, seed=5).to_excel(tmp / "round.xlsx")
        book = openpyxl.load_workbook(path)
        mutate(book)
        book.save(path)
        return path, []

    return make


def _json(mutate: Any) -> Any:
    def make(tmp: Path) -> tuple[Path, list[str]]:
        doc = mw.synth.round(40, seed=5).to_dict()
        text = mutate(doc)
        path = tmp / "round.json"
        path.write_text(text if isinstance(text, str) else json.dumps(doc), encoding="utf-8")
        return path, []

    return make


def _with_policy(text: str | bytes) -> Any:
    def make(tmp: Path) -> tuple[Path, list[str]]:
        data = text.encode() if isinstance(text, str) else text
        (tmp / "policy.toml").write_bytes(data)
        return Path(mw.synth.round(40, seed=5).to_csv_dir(tmp / "round")), ["--policy", str(tmp / "policy.toml")]

    return make


def _cell(sheet: str, column: str, row: int, value: Any) -> Any:
    def mutate(book: Any) -> None:
        ws = book[sheet]
        header = [c.value for c in ws[1]]
        ws.cell(row=row, column=header.index(column) + 1, value=value)

    return mutate


def _error_cell(sheet: str, column: str, row: int, code: str) -> Any:
    def mutate(book: Any) -> None:
        ws = book[sheet]
        header = [c.value for c in ws[1]]
        cell = ws.cell(row=row, column=header.index(column) + 1)
        cell.value = code
        cell.data_type = "e"

    return mutate


def _set_frame(table: str, row: int, column: str, value: Any) -> Any:
    def mutate(frames: dict[str, pd.DataFrame]) -> None:
        frames[table] = frames[table].astype(object)
        frames[table].loc[frames[table].index[row], column] = value

    return mutate


def _symlink(name: str, to: str) -> Any:
    def mutate(folder: Path) -> None:
        target = folder / name
        target.unlink()
        target.symlink_to(folder / to)

    return mutate


def _dir_entry(folder: Path) -> None:
    (folder / "peers.csv").unlink()
    (folder / "peers.csv").mkdir()


def _loop(folder: Path) -> None:
    (folder / "peers.csv").unlink()
    (folder / "peers.csv").symlink_to(folder / "peers.csv")


def _extra_cells(folder: Path) -> None:
    lines = (folder / "sites.csv").read_text(encoding="utf-8").split("\n")
    lines[3] += ",surplus"
    (folder / "sites.csv").write_text("\n".join(lines), encoding="utf-8")


def _nul(folder: Path) -> None:
    (folder / "guides.csv").write_bytes((folder / "guides.csv").read_bytes().replace(b"G000002", b"G00\x000002"))


def _dup_header(folder: Path) -> None:
    text = (folder / "guides.csv").read_text(encoding="utf-8")
    (folder / "guides.csv").write_text(text.replace("can_lead", "name", 1), encoding="utf-8")


def _both_languages(folder: Path) -> None:
    shutil.copy(folder / "sites.csv", folder / "sedi.csv")


def _formula_no_value(book: Any) -> None:
    ws = book["sites"]
    header = [c.value for c in ws[1]]
    ws.cell(row=3, column=header.index("headcount") + 1, value="=B2*2")  # openpyxl saves no computed value


def _far_cell(book: Any) -> None:
    book["candidates"].cell(row=1_048_576, column=16_384, value="far away")


def _twice_sheet(book: Any) -> None:
    book.copy_worksheet(book["sites"]).title = "sedi"


def _zip_bomb(tmp: Path) -> tuple[Path, list[str]]:
    path = tmp / "round.xlsx"
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z,
        z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f,
    ):
        block = b"\0" * (1 << 20)
        for _ in range(tables.MAX_UNPACKED_MB + 8):
            f.write(block)
    assert path.stat().st_size < 2 * 2**20  # a small file that claims half a gigabyte
    return path, []


def _many_ids(n: int) -> Any:
    return _frames_csv(_set_frame("candidates", 0, "excluded_ids", ";".join(f"X{i:06d}" for i in range(n))))


def _swap(frames: dict[str, pd.DataFrame]) -> None:
    frames["sites"] = frames["sites"].astype(object)
    lat, lon = frames["sites"].loc[2, "lat"], frames["sites"].loc[2, "lon"]
    frames["sites"].loc[2, "lat"], frames["sites"].loc[2, "lon"] = lon, lat


def _case_twin(frames: dict[str, pd.DataFrame]) -> None:
    frames["peers"] = frames["peers"].astype(object)
    frames["peers"].loc[0, "id"] = str(frames["candidates"].loc[3, "id"]).lower()


def _care_team_typo(frames: dict[str, pd.DataFrame]) -> None:
    member = next(m for cell in frames["candidates"].care_team.dropna() for m in str(cell).split(";") if m)
    frames["relationships"] = pd.concat(
        [
            frames["relationships"],
            pd.DataFrame({"a": [member + "x"], "b": [frames["peers"].loc[0, "id"]], "kind": ["family"]}),
        ],
        ignore_index=True,
    )


def _nested(doc: dict[str, Any]) -> str:
    return json.dumps(doc)[:-1] + ', "deep": ' + "[" * 100_000 + "]" * 100_000 + "}"


def _bad_record(doc: dict[str, Any]) -> None:
    doc["candidates"][1] = "not a record"
    doc["candidates"][4]["location"]["lat"] = 123


def _date_number(doc: dict[str, Any]) -> None:
    doc["peers"][0]["started_on"] = 1_700_006_400


def _not_object(doc: dict[str, Any]) -> str:
    return json.dumps([doc])


def _most_important(frames: dict[str, pd.DataFrame]) -> None:
    frames["candidates"] = frames["candidates"].astype(object)
    frames["candidates"].loc[6, "most_important"] = "flying"


HOSTILE: dict[str, tuple[Any, type[Exception], str, tuple[str, ...]]] = {
    # kind: (make → (source, options), error class, key of the problem or refusal, words the message must hold)
    # DataFrames (through a CSV folder too) -------------------------------------------------
    "misspelt table (forbid)": (
        _csv(lambda f: (f / "forbids.csv").rename(f / "forbid.csv")),
        RoundValidationError,
        "table_unknown",
        ("forbid.csv", "did you mean 'forbids.csv'"),
    ),
    "duplicate column header": (_csv(_dup_header), RoundValidationError, "column_twice", ("guides", "'name'")),
    "id differing only by case": (_frames_csv(_case_twin), RoundValidationError, "id_case", ("peers line 2", "'id'")),
    "latitude and longitude swapped": (
        _frames_csv(_swap),
        RoundValidationError,
        "far_away_swapped",
        ("sites line 4", "look swapped"),
    ),
    "positive number that rounds to zero": (
        _frames_csv(_set_frame("candidates", 2, "max_commute_km", "0.0004")),
        RoundValidationError,
        "rounds_to_zero",
        ("candidates line 4", "max_commute_km"),
    ),
    "round date with trailing characters": (
        _frames_csv(_set_frame("round", 1, "value", "2026-01-12 and more")),
        RoundValidationError,
        "date",
        ("round", "'date'"),
    ),
    "125 000 unknown ids in one cell": (
        _many_ids(125_000),
        RoundValidationError,
        "cell_too_long",
        ("candidates line 2", "excluded_ids", "32767"),
    ),
    "2 000 unknown ids in one cell": (
        _many_ids(2_000),
        RoundValidationError,
        "too_many_items",
        ("candidates line 2", "excluded_ids"),
    ),
    "misspelt care-team id in a relationship": (
        _frames_csv(_care_team_typo),
        RoundValidationError,
        "ref_person",
        ("relationships", "'a'"),
    ),
    "most_important not weighed by the policy": (
        _frames_csv(_most_important),
        RoundValidationError,
        "",
        ("candidates line 8", "most_important", "flying"),
    ),
    # CSV folders -------------------------------------------------------------------------
    "CSV entry that is a folder": (_csv(_dir_entry), RoundValidationError, "unreadable_folder", ("peers",)),
    "CSV entry that is a dangling link": (
        _csv(_symlink("peers.csv", "nowhere.csv")),
        RoundValidationError,
        "unreadable_dangling",
        ("peers",),
    ),
    "CSV entry that is a link loop": (_csv(_loop), RoundValidationError, "unreadable_loop", ("peers",)),
    "CSV line with more cells than the header": (
        _csv(_extra_cells),
        RoundValidationError,
        "csv_cells",
        ("sites line 4",),
    ),
    "CSV with a NUL byte": (_csv(_nul), RoundValidationError, "csv_nul", ("guides",)),
    "CSV table given twice (English and Italian)": (
        _csv(_both_languages),
        RoundValidationError,
        "file_twice",
        ("sedi.csv", "sites.csv"),
    ),
    # Excel ----------------------------------------------------------------------------------
    "Excel error cell #DIV/0!": (
        _workbook(_error_cell("sites", "headcount", 4, "#DIV/0!")),
        RoundValidationError,
        "error_cell",
        ("sites line 4", "headcount", "#DIV/0!"),
    ),
    "Excel error cell #N/A": (
        _workbook(_error_cell("candidates", "lat", 5, "#N/A")),
        RoundValidationError,
        "error_cell",
        ("candidates line 5", "'lat'", "#N/A"),
    ),
    "Excel formula without a saved value": (
        _workbook(_formula_no_value),
        RoundValidationError,
        "formula_no_value",
        ("sites line 3", "headcount"),
    ),
    "Excel ATECO code turned into an ambiguous number": (
        _workbook(_cell("sites", "sector", 2, 52.1)),
        RoundValidationError,
        "sector_ambiguous",
        ("sites line 2", "sector", "52.10"),
    ),
    "Excel cell at the last row and column (a 1 GB claim)": (
        _workbook(_far_cell),
        RoundValidationError,
        "column_unnamed",
        ("candidates line 1048576",),
    ),
    "Excel zip bomb": (_zip_bomb, RoundValidationError, "workbook_bomb", ("512 MB",)),
    "Excel sheet given twice (English and Italian)": (
        _workbook(_twice_sheet),
        RoundValidationError,
        "sheet_twice",
        ("sites", "'sedi'"),
    ),
    # JSON ------------------------------------------------------------------------------------
    "JSON record that is not a record, beside other problems": (
        _json(_bad_record),
        RoundValidationError,
        "record",
        ("candidates row 2", "candidates row 5"),
    ),
    "JSON nested 100 000 deep": (_json(_nested), RoundValidationError, "json_depth", ("64",)),
    "JSON date given as a number": (_json(_date_number), RoundValidationError, "date", ("peers row 1", "started_on")),
    "JSON that is not an object": (_json(_not_object), RoundValidationError, "json_object", ("json",)),
    # policy files ------------------------------------------------------------------------
    "policy weight of 1e308": (
        _with_policy("[weights.site]\ncommute = 1e308\n"),
        PolicyValidationError,
        "less_than_equal",
        ("weights.site.commute",),
    ),
    "policy hours that round to nothing": (
        _with_policy("[caps.hours_by_intensity]\nlow = 1e-300\n"),
        PolicyValidationError,
        "greater_than_equal",
        ("caps.hours_by_intensity.low",),
    ),
    "policy file that is not UTF-8": (
        _with_policy(b"[caps]\nsquad_size = 2 # \xe8\n"),
        PolicyValidationError,
        "policy_file",
        ("policy.toml",),
    ),
}


def _key_of(exc: Exception) -> set[str]:
    return {p.key or "" for p in getattr(exc, "problems", ())}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_input_gives_a_located_error_exit_2_and_writes_nothing(
    kind: str, tmp_path: Path, finished_run: Path
) -> None:
    make, error, key, words = HOSTILE[kind]
    inputs = tmp_path / "in"
    inputs.mkdir()
    source, options = make(inputs)
    policy = options[1] if options else None
    start = time.perf_counter()
    with pytest.raises(error) as info:  # the library: validate does exactly this
        mw.batch.check(source, policy)
    assert time.perf_counter() - start < 20, "a small hostile file must not take minutes"
    message = info.value.render("en") if hasattr(info.value, "render") else str(info.value)
    if key:
        assert key in _key_of(info.value), info.value
    for word in words:
        assert word in message, (word, message)
    assert "Traceback" not in message and "pydantic" not in message.lower()
    out = tmp_path / "out"
    shutil.copytree(finished_run, out)
    before, files = _snapshot(out), _everything(tmp_path)
    for command in (["validate", str(source), "-q", *options], ["run", str(source), "--out", str(out), "-q", *options]):
        result = runner.invoke(app, [*command, "--lang", "en"])
        assert result.exit_code == EXIT_INVALID, (command[0], result.output)
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert _snapshot(out) == before, "an existing output folder must stay byte for byte"
    assert _everything(tmp_path) == files, "nothing may be written"


def test_not_a_dataframe_and_a_misspelt_frame_name_are_located() -> None:
    frames: dict[str, Any] = dict(_good_frames())
    frames["forbid"] = frames.pop("forbids")
    frames["pins"] = [{"candidate_id": "C000001"}]
    with pytest.raises(RoundValidationError) as info:
        mw.Round.from_frames(frames)
    keys = {(p.table, p.key) for p in info.value.problems}
    assert keys == {("forbid", "table_unknown"), ("pins", "not_a_frame")}, info.value
    assert "did you mean 'forbids'" in str(info.value)


def test_duplicate_columns_of_a_dataframe_are_a_located_problem() -> None:
    frames = _good_frames()
    frames["sites"] = frames["sites"].set_axis([*frames["sites"].columns[:-1], "name"], axis=1)
    frames["candidates"] = frames["candidates"].assign(latitudine=frames["candidates"]["lat"])
    with pytest.raises(RoundValidationError) as info:
        mw.Round.from_frames(frames)
    assert {(p.table, p.column, p.key) for p in info.value.problems} == {
        ("sites", "name", "column_twice"),
        ("candidates", "lat", "column_twice"),
    }


def test_a_hint_never_shows_a_care_team_id() -> None:
    frames = _good_frames()
    _care_team_typo(frames)
    members = {m for cell in frames["candidates"].care_team.dropna() for m in str(cell).split(";") if m}
    with pytest.raises(RoundValidationError) as info:
        mw.Round.from_frames(frames)
    (problem,) = [p for p in info.value.problems if p.table == "relationships"]
    assert dict(problem.args).get("hint") is None  # the round's own ids are not close; care-team ones are never used
    for lang in ("it", "en"):
        assert not any(m in problem.message(lang) for m in members)


# ---------------------------------------------------------------- the command line and the output folder

CLI_KINDS: dict[str, tuple[Any, str]] = {}


def _cli_kind(name: str, key: str) -> Any:
    def register(fn: Any) -> Any:
        CLI_KINDS[name] = (fn, key)
        return fn

    return register


@_cli_kind("--out . in a folder of other files", "not_ours")
def _out_dot(tmp: Path, source: Path) -> tuple[list[str], Path]:
    return ["--out", "."], tmp


@_cli_kind("--out the input workbook's own folder", "not_ours")
def _out_input_folder(tmp: Path, source: Path) -> tuple[list[str], Path]:
    book = mw.Round.read(source).to_excel(tmp / "data" / "round.xlsx")
    return ["--out", str(book.parent), "--round", str(book)], tmp


@_cli_kind("--out the input CSV folder, even with --force", "input")
def _out_csv_folder(tmp: Path, source: Path) -> tuple[list[str], Path]:
    return ["--out", str(source), "--force"], tmp


@_cli_kind("--out a link to the input CSV folder, even with --force", "input")
def _out_link(tmp: Path, source: Path) -> tuple[list[str], Path]:
    (tmp / "link").symlink_to(source, target_is_directory=True)
    return ["--out", str(tmp / "link"), "--force"], tmp


@_cli_kind("--out a finished run whose round.json is the input", "input")
def _out_own_round(tmp: Path, source: Path) -> tuple[list[str], Path]:
    assert _run(source, tmp / "done").exit_code == 0
    return ["--out", str(tmp / "done"), "--round", str(tmp / "done" / "round.json")], tmp


@_cli_kind("--out a folder with the user's own file", "not_ours")
def _out_user_file(tmp: Path, source: Path) -> tuple[list[str], Path]:
    (tmp / "results").mkdir()
    (tmp / "results" / "notes.docx").write_bytes(b"the user's notes")
    return ["--out", str(tmp / "results")], tmp


@_cli_kind("--out a file", "not_folder")
def _out_file(tmp: Path, source: Path) -> tuple[list[str], Path]:
    (tmp / "results.txt").write_text("x", encoding="utf-8")
    return ["--out", str(tmp / "results.txt")], tmp


@_cli_kind("--out a finished run whose assignments.xlsx was edited", "changed")
def _out_edited(tmp: Path, source: Path) -> tuple[list[str], Path]:
    assert _run(source, tmp / "done").exit_code == 0
    (tmp / "done" / "assignments.xlsx").write_bytes(b"edited by hand")
    return ["--out", str(tmp / "done")], tmp


@_cli_kind("--problems the input itself", "input")
def _problems_input(tmp: Path, source: Path) -> tuple[list[str], Path]:
    return ["--out", str(tmp / "fresh"), "--problems", str(source / "candidates.csv")], tmp


@pytest.mark.parametrize("kind", list(CLI_KINDS))
def test_output_folders_that_are_not_matchworks_are_refused(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make, key = CLI_KINDS[kind]
    source = Path(mw.synth.round(40, seed=5).to_csv_dir(tmp_path / "round"))
    (tmp_path / "other.txt").write_text("someone else's", encoding="utf-8")
    options, cwd = make(tmp_path, source)
    if "--round" in options:
        at = options.index("--round")
        source = Path(options[at + 1])
        options = options[:at] + options[at + 2 :]
    monkeypatch.chdir(cwd)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = runner.invoke(app, ["run", str(source), "-q", "--lang", "en", *options])
    assert result.exit_code == EXIT_INVALID, result.output
    assert text(f"output.{key}", "en").split("{")[0].strip()[:20] in result.output.replace("\n", " ")
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before, "nothing written, nothing deleted"


def test_force_writes_beside_the_users_files_and_keeps_them(tmp_path: Path) -> None:
    source = Path(mw.synth.round(40, seed=5).to_csv_dir(tmp_path / "round"))
    out = tmp_path / "results"
    out.mkdir()
    (out / "notes.docx").write_bytes(b"the user's notes")
    assert _run(source, out, "--force").exit_code == 0
    assert (out / "notes.docx").read_bytes() == b"the user's notes"
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert "notes.docx" not in manifest["files"] and "assignments.csv" in manifest["files"]
    # the folder is matchwork's now: a second run needs no --force and still keeps the notes
    (out / "later.txt").write_text("added after", encoding="utf-8")
    assert _run(source, out).exit_code == 0
    assert (out / "notes.docx").exists() and (out / "later.txt").exists()


def test_out_dot_in_an_empty_folder_and_the_inputs_own_folder_with_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    source = Path(mw.synth.round(40, seed=5).to_excel(tmp_path / "data" / "round.xlsx"))
    monkeypatch.chdir(empty)
    assert runner.invoke(app, ["run", str(source), "--out", ".", "-q"]).exit_code == 0
    assert (empty / "assignments.csv").exists() and (empty / MANIFEST).exists()
    before = source.read_bytes()
    result = runner.invoke(app, ["run", str(source), "--out", str(source.parent), "--force", "-q"])
    assert result.exit_code == 0, result.output
    assert source.read_bytes() == before and (source.parent / "report.html").exists()


def test_a_stale_output_of_matchwork_is_removed_but_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with outputs.writing(out) as part:
        (part / "old.csv").write_text("old", encoding="utf-8")
        (part / "kept.csv").write_text("v1", encoding="utf-8")
    (out / "mine.txt").write_text("mine", encoding="utf-8")
    with outputs.writing(out) as part:
        (part / "kept.csv").write_text("v2", encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["kept.csv", MANIFEST, "mine.txt"]
    assert (out / "kept.csv").read_text(encoding="utf-8") == "v2"


# ---------------------------------------------------------------- faults injected into the commit


def _commit_replaces(out: Path, done: Any) -> int:
    """How many renames a commit into an existing run folder makes."""
    calls = 0
    real = os.replace

    def counting(*args: Any) -> None:
        nonlocal calls
        calls += 1
        real(*args)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(outputs.os, "replace", counting)
        mw.batch.write_outputs(done, out, lang="en")
    return calls


@pytest.fixture(scope="module")
def small_run() -> Any:
    return mw.batch.run(mw.synth.round(30, seed=2), None, lang="en")


def test_a_failure_at_any_rename_leaves_the_previous_outputs_byte_for_byte(tmp_path: Path, small_run: Any) -> None:
    """Inject a failure at each rename of a commit into a finished run's folder, one after the other."""
    out = tmp_path / "out"
    first = mw.batch.run(mw.synth.round(30, seed=3), None, lang="en")
    mw.batch.write_outputs(first, out, lang="en")
    (out / "mine.txt").write_text("the user's", encoding="utf-8")
    before = _snapshot(out)
    renames = _commit_replaces(out, first)
    assert _snapshot(out) == before  # the same run again gives the same bytes
    # each of matchwork's files moved aside and in, the manifest moved aside and written (the user's file untouched;
    # workbooks come out of xlsxwriter already stable, so stable_zip renames nothing)
    assert renames >= 2 * (len(before) - 1)
    for fault in range(renames):
        calls = 0

        def failing(*args: Any, at: int = fault) -> None:
            nonlocal calls
            calls += 1
            if calls == at + 1:
                raise OSError(28, "No space left on device")
            REAL_REPLACE(*args)

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(outputs.os, "replace", failing)
            with pytest.raises(OSError, match="No space"):
                mw.batch.write_outputs(small_run, out, lang="en")
        assert _snapshot(out) == before, f"fault at rename {fault + 1} of {renames}"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failure_while_writing_the_files_leaves_the_previous_outputs(tmp_path: Path, small_run: Any) -> None:
    out = tmp_path / "out"
    mw.batch.write_outputs(small_run, out, lang="en")
    before = _snapshot(out)

    def broken(folder: Path) -> None:
        raise OSError(5, "Input/output error")

    with pytest.raises(OSError):
        mw.batch.write_outputs(small_run, out, lang="en", extra=broken)
    assert _snapshot(out) == before


# ---------------------------------------------------------------- reproducible outputs


def test_outputs_are_byte_for_byte_reproducible_whatever_the_hash_seed(tmp_path: Path) -> None:
    source = mw.synth.round(40, seed=5).to_excel(tmp_path / "round.xlsx")
    policy = tmp_path / "policy.toml"
    policy.write_text("[rules]\nforbidding_relationships = ['family', 'therapeutic', 'conflict']\n", encoding="utf-8")
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(SRC.parent)}
        code = "import matchwork.batch as b, sys; b.run(sys.argv[1], sys.argv[2], policy=sys.argv[3], lang='it')"
        subprocess.run([sys.executable, "-c", code, str(source), str(out), str(policy)], check=True, env=env)
        outs.append(out)
    a, b = (_snapshot(o) for o in outs)
    assert set(a) == set(b)
    for name in a:
        if name == "run.json":
            ra, rb = (json.loads(x[name]) for x in (a, b))
            for volatile in ("created", "timings"):
                ra.pop(volatile), rb.pop(volatile)
            assert ra == rb
        else:
            assert a[name] == b[name], f"{name} differs between two runs of the same input and policy"


# ---------------------------------------------------------------- properties


@settings(max_examples=30, deadline=None)
@given(rnd=rounds(), seed=st.integers(0, 2**16))
def test_every_candidate_once_caps_and_rules_kept_any_row_order(rnd: mw.Round, seed: int) -> None:
    result = mw.match(rnd)
    asg = result.assignments
    assert sorted(asg.candidate_id) == sorted(c.id for c in rnd.candidates)
    assert asg.candidate_id.is_unique
    loads = result.loads
    new = pd.concat(
        [
            asg.site_id.dropna().value_counts().rename("site"),
            asg.lead_guide_id.dropna().value_counts().rename("lead_guide"),
            pd.concat([asg.lead_guide_id.dropna(), asg.squad_ids.explode().dropna()]).value_counts().rename("guide"),
            asg.peer_id.dropna().value_counts().rename("peer"),
            asg.tutor_id.dropna().value_counts().rename("tutor"),
            asg.operator_id.dropna().value_counts().rename("operator"),
        ],
        axis=1,
    )
    for row in loads.itertuples():
        column = "site" if row.role in ("site_legal", "site_tutors") else row.role  # a site's limits, each apart
        known = row.partner_id in new.index and column in new.columns
        gained = new.at[row.partner_id, column] if known else 0
        if gained == gained and gained > 0:  # a partner given anyone this round stays within its cap
            assert row.load <= row.capacity + 1e-9, row
    for stage, role, col, table in (
        ("site", "site", "position_id", result.scores.site),
        ("guide", "lead_guide", "lead_guide_id", result.scores.guide),
        ("peer", "peer", "peer_id", result.scores.peer),
    ):
        chosen = asg[asg[col].notna()]
        if len(chosen):
            a = result.scores.arrays
            index = {"site": a.positions, "guide": a.guides, "peer": a.peers}[stage].index
            pair = table.find(
                np.array([a.candidates.index[c] for c in chosen.candidate_id]),
                np.array([index[p] for p in chosen[col]]),
            )
            assert (pair >= 0).all()
            assert table.feasible(role)[pair].all(), stage
    rng = np.random.default_rng(seed)
    shuffled = rnd.replace(
        candidates=[rnd.candidates[i] for i in rng.permutation(len(rnd.candidates))],
        guides=[rnd.guides[i] for i in rng.permutation(len(rnd.guides))],
        sites=[rnd.sites[i] for i in rng.permutation(len(rnd.sites))],
        peers=[rnd.peers[i] for i in rng.permutation(len(rnd.peers))],
    )
    pd.testing.assert_frame_equal(mw.match(shuffled).assignments, asg)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_rerunning_a_round_with_its_own_result_in_place_changes_nothing(seed: int) -> None:
    rnd = mw.synth.round(30, seed=seed).replace(pairings=[])
    first = mw.match(rnd)
    again = mw.match(in_place(rnd, first))
    cols = ["candidate_id", "status", "site_id", "position_id", "lead_guide_id", "squad_ids"]
    cols += ["tutor_id", "operator_id", "peer_id"]
    pd.testing.assert_frame_equal(first.assignments[cols], again.assignments[cols])


# ---------------------------------------------------------------- fuzz

_cells = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.sampled_from(["", "nan", "inf", "-1", "1e400", "=SUM(A1)", "it;;en", "cleaning:9", "2026-02-30", "\x00", "NaT"]),
)


@st.composite
def _fuzzed_frames(draw: st.DrawFn) -> dict[str, pd.DataFrame]:
    frames = {k: v.copy() for k, v in _BASE.items()}
    for _ in range(draw(st.integers(1, 6))):
        table = draw(st.sampled_from(sorted(frames)))
        frame = frames[table]
        action = draw(st.sampled_from(["cell", "cell", "cell", "drop_column", "add_column", "drop_rows", "dup_row"]))
        if action == "cell" and len(frame) and len(frame.columns):
            row = draw(st.integers(0, len(frame) - 1))
            col = draw(st.sampled_from(list(frame.columns)))
            frame = frame.astype(object)
            frame.iloc[row, frame.columns.get_loc(col)] = draw(_cells)
        elif action == "drop_column" and len(frame.columns):
            frame = frame.drop(columns=[draw(st.sampled_from(list(frame.columns)))])
        elif action == "add_column":
            frame = frame.assign(**{draw(st.text(min_size=1, max_size=8)): draw(_cells)})
        elif action == "drop_rows":
            frame = frame.iloc[: draw(st.integers(0, len(frame)))]
        elif action == "dup_row" and len(frame):
            frame = pd.concat([frame, frame.iloc[[draw(st.integers(0, len(frame) - 1))]]], ignore_index=True)
        frames[table] = frame
    return frames


_BASE = mw.synth.round(12, seed=3, n_sites=4, n_guides=6, n_peers=2).to_frames()


@pytest.mark.filterwarnings("ignore::matchwork.errors.InputWarning")
@given(frames=_fuzzed_frames())
def test_fuzzed_tables_raise_only_the_librarys_validation_error(frames: dict[str, pd.DataFrame]) -> None:
    try:
        rnd = mw.Round.from_frames(frames)
    except RoundValidationError as exc:
        problems = exc.problems
    else:
        problems = []
        result = mw.match(rnd)  # what validates must also match
        assert len(result.assignments) == len(rnd.candidates)
    assert all(p.expected for p in problems)


@pytest.mark.filterwarnings("ignore::matchwork.errors.InputWarning")
@given(frames=_fuzzed_frames())
def test_fuzzed_csv_folders_through_the_command(frames: dict[str, pd.DataFrame], tmp_path_factory: Any) -> None:
    tmp = tmp_path_factory.mktemp("fuzz")
    source = tables.write_csv_dir(frames, tmp / "round")
    result = runner.invoke(app, ["validate", str(source), "-q"])
    assert result.exit_code in (0, EXIT_INVALID), result.output
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(result.exception, SystemExit)


# ---------------------------------------------------------------- fuzz: generated bytes, per format

_GOOD = mw.synth.round(12, seed=3, n_sites=4, n_guides=6, n_peers=2)
_GOOD_CSV = {t: f.to_csv(index=False, lineterminator="\n").encode() for t, f in _GOOD.to_frames().items()}
_GOOD_JSON = _GOOD.to_json().encode()
_GOOD_POLICY = mw.Policy().to_toml().encode()
REACHED: Counter[str] = Counter()
"""How far the generated bytes got, per format: what the generators produce is counted, not assumed."""


@st.composite
def _mutated(draw: st.DrawFn, good: bytes) -> bytes:
    """Valid bytes with random splices, deletions and insertions; or random bytes altogether."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=2000))
    data = bytearray(good)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        action = draw(st.sampled_from(["flip", "cut", "insert", "truncate"]))
        if action == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif action == "cut":
            del data[at : at + draw(st.integers(1, 40))]
        elif action == "insert":
            data[at:at] = draw(
                st.one_of(
                    st.binary(max_size=20),
                    st.sampled_from(
                        [b",", b";", b'"', b"\r", b"\n", b"\x00", b"\xff\xfe", b"=SUM(A1)", b"\xe8", b"[[["]
                    ),
                )
            )
        elif action == "truncate":
            del data[at:]
    return bytes(data)


def _only_library_errors(read: Any, kinds: tuple[type[Exception], ...] = (RoundValidationError,)) -> str:
    try:
        read()
    except kinds as exc:
        problems = exc.problems  # type: ignore[attr-defined]
    else:
        return "read"
    assert problems and all(p.message("it") and p.message("en") for p in problems)
    return "problems"


@given(table=st.sampled_from(sorted(_GOOD_CSV)), data=st.data())
def test_fuzzed_csv_bytes_give_only_located_problems(table: str, data: st.DataObject) -> None:
    content = data.draw(_mutated(_GOOD_CSV[table]))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, good in _GOOD_CSV.items():
            (folder / f"{name}.csv").write_bytes(content if name == table else good)
        REACHED[f"csv:{_only_library_errors(lambda: mw.Round.from_csv_dir(folder))}"] += 1


def _xlsx_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        return Path(_GOOD.to_excel(Path(tmp) / "r.xlsx")).read_bytes()


_GOOD_XLSX = _xlsx_bytes()


@st.composite
def _workbooks(draw: st.DrawFn) -> bytes:
    """Whole-file mutations (mostly damaged zips), or a sound zip whose sheet XML is mutated (reaches the parser)."""
    if draw(st.booleans()):
        return draw(_mutated(_GOOD_XLSX))
    source = zipfile.ZipFile(io.BytesIO(_GOOD_XLSX))
    sheets = [n for n in source.namelist() if n.startswith("xl/worksheets/") or n == "xl/sharedStrings.xml"]
    target = draw(st.sampled_from(sheets))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in source.namelist():
            body = source.read(name)
            z.writestr(name, draw(_mutated(body)) if name == target else body)
    return out.getvalue()


@given(content=_workbooks())
def test_fuzzed_workbook_bytes_give_only_located_problems(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "round.xlsx"
        path.write_bytes(content)
        REACHED[f"xlsx:{_only_library_errors(lambda: mw.Round.from_excel(path))}"] += 1


@given(content=_mutated(_GOOD_JSON))
def test_fuzzed_json_bytes_give_only_located_problems(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "round.json"
        path.write_bytes(content)
        REACHED[f"json:{_only_library_errors(lambda: mw.Round.from_json(path))}"] += 1


@given(content=_mutated(_GOOD_POLICY))
def test_fuzzed_policy_bytes_give_only_located_problems(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "policy.toml"
        path.write_bytes(content)
        REACHED[f"policy:{_only_library_errors(lambda: mw.Policy.from_toml(path), (PolicyValidationError,))}"] += 1


def test_the_byte_fuzzers_reach_both_outcomes() -> None:
    """Run after the fuzzers (file order): each format's generator gives files that read and files that do not."""
    if not REACHED:
        pytest.skip("run with the fuzz tests")
    for fmt in ("csv", "xlsx", "json", "policy"):
        assert REACHED[f"{fmt}:problems"] > 0, REACHED
    assert REACHED["csv:read"] + REACHED["json:read"] + REACHED["policy:read"] > 0, REACHED


# ---------------------------------------------------------------- privacy and safety

SENTINEL = "ZZLEAKCHECK"


def _planted() -> mw.Round:
    rnd = mw.synth.round(60, seed=8)
    candidates = [
        c.model_copy(update={"care_team": c.care_team | {f"{SENTINEL}{i}"}}) for i, c in enumerate(rnd.candidates)
    ]
    return rnd.replace(candidates=candidates)


def test_no_sensitive_value_in_logs_or_site_outputs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    rnd = _planted()
    done = mw.batch.run(rnd, tmp_path / "out", lang="en")
    assert SENTINEL not in caplog.text
    view = pd.read_excel(tmp_path / "out" / "site_view.xlsx", sheet_name=None)
    assert SENTINEL not in pd.concat(view.values()).to_csv()
    for cid in done.result.assignments.candidate_id:
        for audience in ("site", "candidate"):
            assert SENTINEL not in done.result.explain(cid, audience=audience).text


def test_sensitive_values_never_reach_exception_messages() -> None:
    rnd = _planted()
    bad = rnd.candidates[0].model_dump()
    bad["care_team"] = [f"{SENTINEL} with spaces;and;semicolons"]
    bad["category"] = f"{SENTINEL}-category"
    frames = rnd.to_frames()
    frames["candidates"] = frames["candidates"].astype(object)
    frames["candidates"].loc[0, "category"] = f"{SENTINEL}-category"
    frames["candidates"].loc[1, "referring_service"] = f"{SENTINEL}-service"
    with pytest.raises(RoundValidationError) as info:
        mw.Round.from_frames(frames)
    assert SENTINEL not in str(info.value) and SENTINEL not in repr(info.value.problems)


def test_formula_cells_are_neutralised_in_csv_and_excel_outputs(tmp_path: Path) -> None:
    rnd = mw.synth.round(40, seed=5)
    evil = '=HYPERLINK("http://x","y")'
    candidates = [c.model_copy(update={"name": evil}) for c in rnd.candidates]
    sites = [s.model_copy(update={"name": "+cmd|' /C calc'!A0"}) for s in rnd.sites]
    done = mw.batch.run(rnd.replace(candidates=candidates, sites=sites), tmp_path / "out")
    assert done.result.metrics["matched"] > 0
    sheet = openpyxl.load_workbook(tmp_path / "out" / "site_view.xlsx").active
    values = [c.value for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert values and not any(v.startswith(("=", "+", "-", "@")) for v in values)
    assert any(v.startswith("'=") for v in values) and any(v.startswith("'+") for v in values)
    for csv in (tmp_path / "out").glob("*.csv"):
        for line in csv.read_text(encoding="utf-8").splitlines()[1:]:
            for cell in line.split(","):
                assert not cell.startswith(("=", "+", "@")), (csv.name, cell)


def test_no_pickle_eval_or_exec_anywhere_in_the_library() -> None:
    banned = {"pickle", "marshal", "shelve", "dill"}
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name.split(".")[0] for a in node.names] + [getattr(node, "module", "") or ""]
                assert not banned & {n.split(".")[0] for n in names}, path
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("eval", "exec", "compile"), path


def test_pseudonymize_is_stable_keyed_and_keeps_the_match() -> None:
    rnd = mw.synth.round(80, seed=4)
    a, b = mw.pseudonymize(rnd, key="office-key-1"), mw.pseudonymize(rnd, key="office-key-1")
    other = mw.pseudonymize(rnd, key="office-key-2")
    assert a == b and a != other
    original_ids = {c.id for c in rnd.candidates} | {g.id for g in rnd.guides} | {s.id for s in rnd.sites}
    names = {c.name for c in rnd.candidates} | {g.name for g in rnd.guides} | {p.name for p in rnd.peers}
    text = a.to_json()
    assert not any(f'"{i}"' in text for i in original_ids)
    assert not any(f'"{n}"' in text for n in names)
    x, y = mw.match(rnd), mw.match(a)
    assert x.assignments.status.value_counts().to_dict() == y.assignments.status.value_counts().to_dict()
    # the same optimum, tier by tier (ties — a guide as lead or in the squad — may break the other way)
    tiers = ["matched", "squad_missing", "joint_value", "peers", "peer_value", "total"]
    for tier in tiers:
        assert math.isclose(x.objective[tier], y.objective[tier], rel_tol=1e-12), tier
    with pytest.raises(ValueError, match="at least 8"):
        mw.pseudonymize(rnd, key="short")


def test_policy_errors_are_located() -> None:
    with pytest.raises(PolicyValidationError) as info:
        mw.Policy.from_toml_text("[caps]\nsquad_size = -1\n[weights.peer]\nlanguage = -3\n")
    where = {p.column for p in info.value.problems}
    assert len(info.value.problems) >= 2 and any("squad_size" in str(w) for w in where)


# ---------------------------------------------------------------- security review


def test_ids_and_sheet_names_never_reach_output_names(tmp_path: Path) -> None:
    for hostile in ("../../etc/passwd", "..", "a/b", "C:\\x", "/abs"):
        with pytest.raises(ValidationError):
            mw.Candidate(id=hostile, name="x", area="M", location={"lat": 45, "lon": 10})
    book = mw.synth.round(30, seed=2).to_excel(tmp_path / "round.xlsx")
    wb = openpyxl.load_workbook(book)
    wb.copy_worksheet(wb["sites"]).title = "..%2F..%2Fescape"
    wb.save(book)
    with pytest.raises(RoundValidationError):
        mw.Round.from_excel(book)
    done = mw.batch.run(mw.synth.round(30, seed=2), tmp_path / "out")
    names = {p.name for p in done.out_dir.iterdir()}
    assert all("/" not in n and not n.startswith(".") for n in names)
    assert {p.name for p in tmp_path.iterdir()} == {"round.xlsx", "out"}


def test_no_output_cell_is_a_formula(tmp_path: Path) -> None:
    rnd = mw.synth.round(40, seed=5)
    evil = ["=1+1", "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3"]
    candidates = [c.model_copy(update={"name": evil[i % 4]}) for i, c in enumerate(rnd.candidates)]
    done = mw.batch.run(rnd.replace(candidates=candidates), tmp_path / "out")
    for book in done.out_dir.glob("*.xlsx"):
        wb = openpyxl.load_workbook(book)  # formulas kept as formulas would show as data_type "f"
        for sheet in wb.worksheets:
            for row in sheet.iter_rows():
                assert not any(c.data_type == "f" for c in row), book.name


# ---------------------------------------------------------------- the page and the catalogue agree

REAL_REPLACE = os.replace
FILE_LEVEL = (  # tests/test_bad_input.py
    "CSV not UTF-8",
    "renamed CSV file",
    "missing sheet",
    "renamed sheet",
    "file that is not a workbook (library)",
    "JSON with misplaced values and an unknown table",
)
ROUND_LEVEL = ("zero guide workers", "a round where nobody can be placed")
PYTHON_ONLY = (
    "a table that is not a DataFrame",  # test_not_a_dataframe_and_a_misspelt_frame_name_are_located
    "duplicate DataFrame columns, or one column in English and Italian",  # test_duplicate_columns_of_a_dataframe…
)


def _catalogue() -> dict[str, str]:
    from test_office_input import LENIENT

    kinds: dict[str, str] = {}
    for group, names in (
        ("cells", CASES),
        ("first round", [*OTHER_KINDS, *FILE_LEVEL, *ROUND_LEVEL]),
        ("hostile", [*HOSTILE, *PYTHON_ONLY]),
        ("output folders", CLI_KINDS),
        ("lenient", LENIENT),
    ):
        for name in names:
            assert name not in kinds, f"{name} twice in the catalogue"
            kinds[name] = group
    return kinds


def test_the_reliability_page_lists_every_kind_and_its_figures() -> None:
    page = (SRC.parents[1] / "docs" / "reliability.md").read_text(encoding="utf-8")
    section = page.split("## Bad input: a catalogue", 1)[1].split("\n## ", 1)[0]
    listed = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells[0] not in ("kind",) and not set(cells[0]) <= {"-"}:
            listed.append(cells[0])
    kinds = _catalogue()
    assert len(listed) == len(set(listed)), "a kind listed twice"
    assert set(listed) == set(kinds), (sorted(set(kinds) - set(listed)), sorted(set(listed) - set(kinds)))
    errors = sum(1 for g in kinds.values() if g != "lenient")
    new = len(HOSTILE) + len(PYTHON_ONLY) + len(CLI_KINDS)
    assert f"**Figures: {errors} kinds** ({errors - new} from the first round, {new} new)" in page
    assert f"**{len(kinds) - errors} lenient readings**" in page
    assert new >= 25
