"""Every table format gives back exactly the round that was written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given

import matchwork as mw

from strategies import rounds


def _roundtrips(rnd: mw.Round, tmp: Path) -> dict[str, mw.Round]:
    return {
        "frames": mw.Round.from_frames(rnd.to_frames()),
        "csv": mw.Round.from_csv_dir(rnd.to_csv_dir(tmp / "csv")),
        "excel": mw.Round.from_excel(rnd.to_excel(tmp / "round.xlsx")),
        "json-text": mw.Round.from_json(rnd.to_json()),
        "json-file": mw.Round.from_json(rnd.to_json(tmp / "round.json") and tmp / "round.json"),
        "json-dict": mw.Round.from_json(json.loads(rnd.to_json())),
    }


@given(rnd=rounds())
def test_every_format_roundtrips_generated_rounds(rnd: mw.Round, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.mktemp("rt")
    for fmt, again in _roundtrips(rnd, tmp).items():
        assert again == rnd, fmt


def test_synthetic_round_roundtrips_with_pairings(small_round: mw.Round, tmp_path: Path) -> None:
    assert small_round.pairings, "the synthetic round should carry pairings in place"
    for fmt, again in _roundtrips(small_round, tmp_path).items():
        assert again == small_round, fmt
        assert again.pairings == small_round.pairings


def test_formula_text_is_neutralised_in_files_and_restored(tmp_path: Path) -> None:
    rnd = mw.synth.round(20, seed=1)
    first = rnd.candidates[0].model_copy(update={"name": '=HYPERLINK("http://x")'})
    rnd = rnd.replace(candidates=[first, *rnd.candidates[1:]])
    rnd.to_csv_dir(tmp_path / "csv")
    text = (tmp_path / "csv" / "candidates.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text
    assert mw.Round.from_csv_dir(tmp_path / "csv") == rnd
    import openpyxl

    rnd.to_excel(tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["candidates"]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert '\'=HYPERLINK("http://x")' in values
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in values)
    assert mw.Round.from_excel(tmp_path / "r.xlsx") == rnd


def test_frames_have_documented_columns(small_round: mw.Round) -> None:
    frames = small_round.to_frames()
    from matchwork.io import tables

    for table, frame in frames.items():
        assert list(frame.columns) == tables.columns(table), table
    cand = frames["candidates"]
    assert {"lat", "lon", "municipality"} <= set(cand.columns)
    assert all(";" not in str(v) or ":" in str(v) for v in cand["skills"].dropna())


def test_row_order_does_not_matter(small_round: mw.Round) -> None:
    frames = small_round.to_frames()
    shuffled = {k: v.sample(frac=1.0, random_state=3) for k, v in frames.items()}
    assert mw.Round.from_frames(shuffled) == small_round
