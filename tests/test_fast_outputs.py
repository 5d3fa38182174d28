"""Writing at disk speed: orjson JSON with the same content, workbooks reproducible in one pass, sheets split
within Excel's row limit (whole areas, Italian names), Parquet on request under the output folder's rules; and
``import matchwork`` that loads nothing heavy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import matchwork as mw
from matchwork import batch
from matchwork.explain import to_json
from matchwork.io.outputs import MANIFEST, _is_stable, manifest_of, stable_zip


@pytest.fixture(scope="module")
def done() -> batch.BatchRun:
    return batch.run(mw.synth.round(120, seed=4), None, lang="it")


def test_explanations_json_holds_what_the_explanation_layer_writes(done: batch.BatchRun) -> None:
    fast = json.loads(batch._explanations_json(done.explanations))
    assert fast == json.loads(to_json(done.explanations))
    assert len(fast) == 120 and {e["candidate_id"] for e in fast} == set(done.result.assignments.candidate_id)


def test_round_json_reads_back_the_same_round() -> None:
    rnd = mw.synth.round(60, seed=2)
    again = mw.Round.from_json(rnd.to_json())
    assert again.to_json() == rnd.to_json()
    assert json.loads(rnd.json_bytes) == json.loads(json.dumps(rnd.to_dict(), default=str))


def test_workbooks_come_out_reproducible_without_a_second_pass(done: batch.BatchRun, tmp_path: Path) -> None:
    first = batch.write_outputs(done, tmp_path / "a")
    second = batch.write_outputs(done, tmp_path / "b")
    for name in ("assignments.xlsx", "site_view.xlsx", "explanations.json", "round.json", "assignments.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    book = first / "assignments.xlsx"
    assert _is_stable(book)  # stable_zip leaves it as written
    before = book.read_bytes()
    stable_zip(book)
    assert book.read_bytes() == before


@pytest.mark.parametrize("rows", [2, 7, 40])
def test_sheets_are_split_within_the_row_limit_by_whole_groups(rows: int) -> None:
    rng = np.random.default_rng(rows)
    areas = rng.choice(
        ["Mantova", "Suzzara", "Viadana", "Ostiglia", "Castiglione"], size=200, p=[0.4, 0.3, 0.1, 0.1, 0.1]
    )
    frame = pd.DataFrame({"area": areas, "n": np.arange(200)})
    parts = batch._within_excel("abbinamenti", frame, "area", rows=rows)
    assert len(parts) > 1
    assert all(len(p) <= rows - 1 and len(name) <= 31 for name, p in parts.items())
    assert sorted(pd.concat(parts.values())["n"]) == list(range(200))  # every row, once
    sizes = frame["area"].value_counts()
    for area, size in sizes.items():
        holding = [name for name, p in parts.items() if (p["area"] == area).any()]
        assert len(holding) == -(-size // (rows - 1)) if size > rows - 1 else len(holding) == 1, area
    assert list(parts) == [f"abbinamenti {k}" for k in range(1, len(parts) + 1)]
    assert batch._within_excel("abbinamenti", frame, "area", rows=201) == {"abbinamenti": frame}


def test_a_round_too_long_for_a_sheet_is_split_by_area(
    done: batch.BatchRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "EXCEL_ROWS", 41)
    folder = batch.write_outputs(done, tmp_path / "out", lang="it")
    book = openpyxl.load_workbook(folder / "assignments.xlsx", read_only=True)
    names = book.sheetnames
    parts = [n for n in names if n.startswith("abbinamenti ")]
    assert names[0] == "in breve" and len(parts) >= 3 and "carichi 1" in names
    seen: dict[str, set[str]] = {}
    total = 0
    for name in parts:
        rows = list(book[name].iter_rows(values_only=True))
        assert rows[0][:3] == ("persona", "codice persona", "ambito") and len(rows) <= 41
        total += len(rows) - 1
        for row in rows[1:]:
            seen.setdefault(str(row[2]), set()).add(name)
    assert total == 120
    big = done.result.assignments.assign(area=[c.area for c in done.result.round.candidates])
    small_areas = big["area"].value_counts()[lambda s: s <= 40].index
    assert all(len(seen[a]) == 1 for a in small_areas)  # an area that fits a sheet is never split
    view = openpyxl.load_workbook(folder / "site_view.xlsx", read_only=True)
    assert view.sheetnames[0].startswith("nuovi ingressi")


def test_parquet_on_request_under_the_folder_rules(done: batch.BatchRun, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    out = tmp_path / "out"
    batch.write_outputs(done, out, parquet=True)
    back = pd.read_parquet(out / "assignments.parquet")
    asg = done.result.assignments
    assert list(back.columns) == list(asg.columns) and len(back) == 120
    assert [tuple(x) for x in back["squad_ids"]] == list(asg["squad_ids"])
    np.testing.assert_array_equal(back["score"].to_numpy(), asg["score"].to_numpy())
    reasons = pd.read_parquet(out / "unmatched.parquet")
    assert list(reasons["candidate_id"]) == list(done.result.unmatched_reasons["candidate_id"])
    listed = manifest_of(out)
    assert listed is not None and {"assignments.parquet", "unmatched.parquet", "loads.parquet"} <= set(listed["files"])
    again = tmp_path / "again"
    batch.write_outputs(done, again, parquet=True)
    assert (again / "loads.parquet").read_bytes() == (out / "loads.parquet").read_bytes()
    (out / "notes.parquet").write_bytes(b"the user's own")
    batch.write_outputs(done, out)  # without Parquet: matchwork's Parquet files go, the user's stays
    assert not (out / "assignments.parquet").exists() and (out / "notes.parquet").read_bytes() == b"the user's own"
    assert MANIFEST in {p.name for p in out.iterdir()}


def test_parquet_failure_leaves_the_previous_outputs(
    done: batch.BatchRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    batch.write_outputs(done, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(frame: pd.DataFrame, path: Path) -> None:
        path.write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(batch, "_write_parquet", broken)
    with pytest.raises(OSError, match="disk full"):
        batch.write_outputs(done, out, parquet=True)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


HEAVY = ("pandas", "scipy", "networkx", "jinja2", "sqlalchemy", "openpyxl", "xlsxwriter", "pyarrow", "pydantic")


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return {m.split(".")[0] for m in out.split()} & set(HEAVY) | {m for m in out.split() if m == "scipy.optimize"}


def test_import_matchwork_loads_nothing_heavy() -> None:
    assert _loaded_after("import matchwork") == set()
    assert "scipy.optimize" in _loaded_after("import matchwork as mw; mw.match")  # the probe does see imports
    assert _loaded_after("import matchwork as mw; mw.__version__") == set()


def test_every_public_name_still_resolves() -> None:
    for name in mw.__all__:
        assert getattr(mw, name) is not None, name
    assert set(mw.__all__) <= set(dir(mw))
    with pytest.raises(AttributeError):
        _ = mw.no_such_name  # type: ignore[attr-defined]
