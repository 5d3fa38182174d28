from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import matchwork as mw
from matchwork.cli import EXIT_INVALID, app

runner = CliRunner()


def test_demo_writes_a_valid_workbook(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path), "--size", "40"])
    assert result.exit_code == 0, result.output
    rnd = mw.Round.from_excel(tmp_path / "round.xlsx")
    assert rnd == mw.synth.round(40, seed=0)
    import pandas as pd

    written = pd.read_csv(tmp_path / "assignments.csv")
    assert list(written.candidate_id) == [c.id for c in rnd.candidates]
    assert (written.status == "matched").sum() == mw.match(rnd).metrics["matched"]


def test_validate_reports_every_problem_with_exit_2(tmp_path: Path) -> None:
    rnd = mw.synth.round(30, seed=1)
    frames = rnd.to_frames()
    frames["candidates"].loc[0, "lat"] = "999"
    frames["sites"].loc[1, "headcount"] = "-1"
    from matchwork import tables

    tables.write_excel(frames, tmp_path / "bad.xlsx")
    result = runner.invoke(app, ["validate", str(tmp_path / "bad.xlsx")])
    assert result.exit_code == EXIT_INVALID
    assert "lat" in result.output and "headcount" in result.output


def test_schema_command(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "--out", str(tmp_path)])
    assert result.exit_code == 0
    data = json.loads((tmp_path / "candidates.schema.json").read_text(encoding="utf-8"))
    assert data["properties"]["category"]["sensitive"] is True
