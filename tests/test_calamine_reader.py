"""Workbooks read by calamine give the cells openpyxl gives; where calamine would differ, openpyxl reads.

Calamine reads an Excel error cell and a formula without a saved value as an empty
cell, and holds a sheet dense in memory (a cell at XFD1048576 aborts the process):
those workbooks must go to openpyxl, and all others to calamine with the same cells.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

import matchwork as mw
from matchwork.io import tables as tb


def _texts(frames: dict[str, pd.DataFrame]) -> dict[str, tuple[list[str], list[int], list[list[str | None]]]]:
    """Each table's headers, row numbers and cells as the records read them (``_text_of``)."""
    return {
        k: (list(f.columns), list(f.index), [[tb._text_of(v) for v in row] for row in f.itertuples(index=False)])
        for k, f in frames.items()
    }


def _both(path: Path) -> tuple[tuple[dict[str, pd.DataFrame], list[str]], tuple[dict[str, pd.DataFrame], list[str]]]:
    calamine, p1 = tb._read_excel_calamine(path)
    openpyxl_, p2 = tb._read_excel_openpyxl(path)
    return (calamine, [p.key for p in p1]), (openpyxl_, [p.key for p in p2])


def test_office_typed_cells_read_alike(tmp_path: Path) -> None:
    """Numbers (ATECO codes typed as numbers too), dates, times, booleans, padded text, a numeric header, a sheet
    that starts at C3 and a formula with its saved value: calamine reads what openpyxl reads, on the same lines."""
    path = tmp_path / "typed.xlsx"
    book = xlsxwriter.Workbook(str(path))
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    stamp = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    sheet = book.add_worksheet("sedi")
    header = ["id", "sector", "headcount", "since", "checked", "ok", "note", 2026]
    for j, h in enumerate(header):
        sheet.write(2, 2 + j, h)
    rows = [
        ["S1", 52.1, 12, dt.date(2026, 1, 2), dt.datetime(2026, 3, 4, 10, 30), True, "  padded  ", 0.1 + 0.2],
        ["S2", 1.11, 3.0, dt.date(1999, 12, 31), dt.datetime(2026, 3, 4), False, "=not a formula", 1e20],
        ["S3", 81, -4.5, None, None, None, "", 7],
    ]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(4 + i, 2 + j, value, stamp)
            elif isinstance(value, dt.date):
                sheet.write_datetime(4 + i, 2 + j, dt.datetime(value.year, value.month, value.day), date)
            elif isinstance(value, str):
                sheet.write_string(4 + i, 2 + j, value)
            elif value is not None:
                sheet.write(4 + i, 2 + j, value)
    sheet.write_formula(8, 2, "=C5", None, "S4")  # a formula with its saved value: the value is read
    book.close()
    assert tb._calamine_reads_alike(path)
    (calamine, p1), (openpyxl_, p2) = _both(path)
    assert p1 == p2 == ["sheet_required"] * 3  # candidates, guides, positions: missing alike
    assert _texts(calamine) == _texts(openpyxl_)
    headers, lines, cells = _texts(calamine)["sites"]
    assert headers[:5] == ["", "", "id", "sector", "headcount"] and headers[-1] == "2026"  # columns from A
    assert lines == [5, 6, 7, 9]
    row = [r[2:] for r in cells]
    assert row[0][1] == "52.1" and row[1][1] == "1.11" and row[2][1] == "81"
    assert row[0][3] == "2026-01-02" and row[0][4] == "2026-03-04" and row[0][5] == "true"
    assert row[0][6] == "padded" and row[1][6] == "=not a formula" and row[3][0] == "S4"


def _error_book(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "sites"
    sheet.append(["id", "headcount"])
    sheet.append(["S1", 3])
    if kind == "error":
        sheet["B3"] = "#DIV/0!"
        sheet["B3"].data_type = "e"
    elif kind == "formula":
        sheet["B3"] = "=B2*2"  # openpyxl saves no computed value
    else:
        sheet.cell(row=1_048_576, column=16_384, value="far away")
    book.save(path)
    return path


@pytest.mark.parametrize(("kind", "code"), [("error", "#DIV/0!"), ("formula", "formula")])
def test_error_cells_and_unsaved_formulas_go_to_openpyxl(tmp_path: Path, kind: str, code: str) -> None:
    path = _error_book(tmp_path, kind)
    calamine, _ = tb._read_excel_calamine(path)
    assert 3 not in calamine["sites"].index  # calamine alone reads the cell as empty, and skips the row
    assert not tb._calamine_reads_alike(path)
    frames, _ = tb.read_excel(path)
    cell = frames["sites"].loc[3, "headcount"]
    assert isinstance(cell, tb.CellError) and cell.code == code


def test_a_far_cell_never_reaches_calamine(tmp_path: Path) -> None:
    """Calamine would allocate the whole 1 048 576 × 16 384 sheet (an abort, not an exception)."""
    path = _error_book(tmp_path, "far")
    assert not tb._calamine_reads_alike(path)
    frames, problems = tb.read_excel(path)
    assert [p.key for p in problems if p.table == "sites"] == ["column_unnamed"]
    assert list(frames["sites"].index) == [2]


def test_a_written_round_reads_back_the_same_through_both(tmp_path: Path) -> None:
    rnd = mw.synth.round(80, seed=3)
    path = rnd.to_excel(tmp_path / "round.xlsx")
    assert tb._calamine_reads_alike(path)
    (calamine, p1), (openpyxl_, p2) = _both(path)
    assert p1 == p2 == []
    assert _texts(calamine) == _texts(openpyxl_)
    assert mw.Round.read(path).to_json() == mw.Round.from_frames(openpyxl_).to_json()


def test_a_damaged_sheet_stream_is_a_located_problem_not_a_crash(tmp_path: Path) -> None:
    """Found by the byte fuzzer: a corrupt deflate stream raised zlib.error out of the calamine check."""
    import zipfile
    import zlib

    good = mw.synth.round(20, seed=1).to_excel(tmp_path / "good.xlsx")
    with zipfile.ZipFile(good) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    raw = bytearray(good.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 40, start + 80):
        raw[i] ^= 0x5A
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bytes(raw))
    with zipfile.ZipFile(bad) as z, pytest.raises(zlib.error):
        z.read("xl/worksheets/sheet1.xml")  # what the check met
    assert not tb._calamine_reads_alike(bad)
    _, problems = tb.read_excel(bad)
    assert problems and all(p.table for p in problems)
