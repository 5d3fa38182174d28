"""The matchwork command end to end: demo, run, validate, explain, suggest, schema; exit codes; atomic outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import matchwork as mw
from matchwork import cli
from matchwork.cli import EXIT_FAILURE, EXIT_INVALID, app
from matchwork.io import tables

runner = CliRunner()

OUTPUTS = {
    "assignments.csv",
    "assignments.xlsx",
    "unmatched.csv",
    "loads.csv",
    "explanations.json",
    "site_view.xlsx",
    "report.html",
    "run.json",
    "round.json",
    "policy.json",
    "matchwork-manifest.json",
}


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "out"
    result = runner.invoke(app, ["demo", "--out", str(out), "--size", "60", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Report:" in result.output and str((out / "report.html").resolve()) in result.output.replace("\n", "")
    return out


def test_demo_writes_the_round_and_every_output(demo_dir: Path) -> None:
    assert OUTPUTS | {"round.xlsx"} == {p.name for p in demo_dir.iterdir()}
    rnd = mw.Round.from_excel(demo_dir / "round.xlsx")
    assert rnd == mw.synth.round(60, seed=0)
    written = pd.read_csv(demo_dir / "assignments.csv")
    result = mw.match(rnd)
    assert list(written.candidate_id) == [c.id for c in rnd.candidates]
    assert (written.status == "matched").sum() == result.metrics["matched"]
    record = json.loads((demo_dir / "run.json").read_text(encoding="utf-8"))
    assert record["matchwork"] == mw.__version__
    assert len(record["input_sha256"]) == 64 and record["policy"]["caps"]["squad_size"] == 2
    assert set(record["timings"]) >= {"score", "site_and_lead", "squad", "peer", "explain"}
    explanations = json.loads((demo_dir / "explanations.json").read_text(encoding="utf-8"))
    assert [e["candidate_id"] for e in explanations] == list(written.candidate_id)


def test_run_on_a_workbook_with_a_policy(demo_dir: Path, tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[caps]\nsquad_size = 1\n", encoding="utf-8")
    out = tmp_path / "run"
    result = runner.invoke(
        app,
        ["run", str(demo_dir / "round.xlsx"), "--policy", str(policy), "--out", str(out), "--objective", "fair", "-q"],
    )
    assert result.exit_code == 0, result.output
    assert result.output == ""  # --quiet
    assert {p.name for p in out.iterdir()} == OUTPUTS
    squads = pd.read_csv(out / "assignments.csv", keep_default_na=False).squad_ids
    assert squads.map(lambda s: len([x for x in s.split(";") if x])).max() <= 1
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert record["policy"]["solver"]["objective"] == "fair"
    assert record["input_sha256"] == mw.batch.fingerprint(demo_dir / "round.xlsx")


def test_site_view_is_redacted_and_lists_what_to_prepare(demo_dir: Path) -> None:
    view = pd.read_excel(demo_dir / "site_view.xlsx", sheet_name=None)
    assert list(view) == ["newcomers", "to prepare"]
    frame = view["newcomers"]
    assert "peer" not in " ".join(frame.columns)
    rnd = mw.Round.from_excel(demo_dir / "round.xlsx")
    text = pd.concat(view.values()).to_csv()
    for c in rnd.candidates:
        for svc in c.care_team:
            assert svc not in text
    assert "therapeutic" not in text.lower() and "lived experience" not in text.lower()
    for word in ("mental health", "substance use", "CPS", "SerD", "probation"):
        assert word not in text  # categories, lived experience and referring services stay with the case team
    people = {c.id: c for c in rnd.candidates}
    for cid, needs in zip(frame["candidate id"], frame["adjustments to prepare"].fillna(""), strict=True):
        assert needs == ", ".join(sorted(mw.model.vocab.label(a, "en") for a in people[cid].accommodations))
    prepare = view["to prepare"]
    for (site, adjustment), group in (
        frame.assign(adjustment=frame["adjustments to prepare"].fillna("").str.split(", "))
        .explode("adjustment")
        .groupby(["site id", "adjustment"])
    ):
        if adjustment:
            row = prepare[(prepare["site id"] == site) & (prepare["adjustment"] == adjustment)]
            assert row["newcomers"].tolist() == [len(group)]


def test_assignments_workbook_is_for_people(demo_dir: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(demo_dir / "assignments.xlsx")
    assert book.sheetnames == [
        "at a glance",
        "assignments",
        "unmatched",
        "loads",
        "traineeship durations",
        "cooperatives 30%",
    ]
    sheet = book["assignments"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    header = [c.value for c in sheet[1]]
    rows = pd.DataFrame(list(sheet.iter_rows(min_row=2, values_only=True)), columns=header)
    asg = pd.read_csv(demo_dir / "assignments.csv", keep_default_na=False)
    rnd = mw.Round.from_excel(demo_dir / "round.xlsx")
    named = {x.id: x.name for x in (*rnd.candidates, *rnd.guides, *rnd.sites)}
    assert rows["candidate id"].tolist() == asg["candidate_id"].tolist()
    assert rows["candidate"].tolist() == [named[c] for c in asg["candidate_id"]]
    matched = asg["status"] == "matched"
    assert rows.loc[matched, "site"].tolist() == [named[s] for s in asg.loc[matched, "site_id"]]
    squads = [", ".join(named[g] for g in s.split(";") if g) for s in asg.loc[matched, "squad_ids"]]
    assert rows.loc[matched, "squad"].fillna("").tolist() == squads
    scores = rows.loc[matched, "score"].astype(float)
    assert (scores.round(1) == scores).all() and scores.tolist() == pytest.approx(
        asg.loc[matched, "score"].astype(float).tolist(), abs=0.051
    )
    assert sheet.column_dimensions["A"].width > 8
    unmatched = book["unmatched"]
    assert unmatched.max_row - 1 == int((~matched).sum())


def test_demo_ends_with_a_plain_summary_in_the_users_language(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "demo"), "--size", "40", "--seed", "3"])
    assert result.exit_code == 0, result.output
    rnd = mw.synth.round(40, seed=3)
    placed = mw.match(rnd).metrics["matched"]
    assert f"{placed} persone abbinate su 40" in result.output or f"{placed} persona abbinata su 40" in result.output
    assert "Il limite principale" in result.output and "Risultati:" in result.output
    assert "MatchResult(" not in result.output and "Round(" not in result.output


def test_broken_workbook_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    frames = {t: f.astype(object) for t, f in mw.synth.round(30, seed=1).to_frames().items()}
    frames["candidates"].loc[0, "lat"] = "999"
    frames["sites"].loc[1, "headcount"] = "-1"
    tables.write_excel(frames, tmp_path / "bad.xlsx")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(tmp_path / "bad.xlsx"), "--out", str(out)])
    assert result.exit_code == EXIT_INVALID
    assert "lat" in result.output and "headcount" in result.output
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.xlsx"]  # no temporary folder left behind


def test_failed_run_leaves_previous_outputs_intact(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(demo_dir / "round.xlsx"), "--out", str(out), "-q"]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    rnd = mw.Round.from_excel(demo_dir / "round.xlsx")
    forbidden = mw.Pin(candidate_id=rnd.candidates[0].id, partner_id=rnd.candidates[0].id)
    bad = tmp_path / "bad.json"
    doc = json.loads(rnd.to_json())
    doc["pins"] = [forbidden.model_dump(mode="json")]
    bad.write_text(json.dumps(doc), encoding="utf-8")
    result = runner.invoke(app, ["run", str(bad), "--out", str(out)])
    assert result.exit_code in (EXIT_INVALID, EXIT_FAILURE)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_unwritable_output_is_a_clear_error(demo_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["run", str(demo_dir / "round.xlsx"), "--out", str(blocker / "out"), "-q"])
    assert result.exit_code == EXIT_FAILURE
    assert "error" in result.output
    assert "Traceback" not in result.output


def test_explain_and_why_not_from_a_run_folder(demo_dir: Path) -> None:
    asg = pd.read_csv(demo_dir / "assignments.csv")
    matched = asg[asg.status == "matched"].iloc[0]
    result = runner.invoke(app, ["explain", str(demo_dir), matched.candidate_id, "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].endswith(f"({matched.candidate_id}): matched")
    assert matched.position_id in result.output
    site = runner.invoke(app, ["explain", str(demo_dir), matched.candidate_id, "--audience", "site"])
    assert site.exit_code == 0 and "Peer supporter" not in site.output
    other = asg[asg.status == "unmatched"].candidate_id.iloc[0]
    why = runner.invoke(app, ["explain", str(demo_dir), other, "--why-not", matched.site_id])
    assert why.exit_code == 0, why.output
    assert other in why.output and ("possibile" in why.output or "non è possibile" in why.output)
    why_en = runner.invoke(app, ["explain", str(demo_dir), other, "--why-not", matched.site_id, "--lang", "en"])
    assert "possible" in why_en.output and "possibile" not in why_en.output  # --why-not follows --lang
    missing = runner.invoke(app, ["explain", str(demo_dir), "nobody"])
    assert missing.exit_code == EXIT_FAILURE and "no candidate" in missing.output


def test_suggest_lists_partners(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli.out, "width", 250)
    cid = pd.read_csv(demo_dir / "assignments.csv").candidate_id.iloc[0]
    result = runner.invoke(app, ["suggest", str(demo_dir / "round.xlsx"), cid, "-k", "2"])
    assert result.exit_code == 0, result.output
    expected = mw.match(mw.Round.from_excel(demo_dir / "round.xlsx")).suggest(cid, k=2)
    for stage, pid in zip(expected.stage, expected.partner_id, strict=True):
        assert any(stage in line and pid in line for line in result.output.splitlines()), (stage, pid)


def test_validate_reports_every_problem_with_exit_2(tmp_path: Path) -> None:
    frames = {t: f.astype(object) for t, f in mw.synth.round(30, seed=1).to_frames().items()}
    frames["candidates"].loc[0, "lat"] = "999"
    frames["sites"].loc[1, "headcount"] = "-1"
    tables.write_excel(frames, tmp_path / "bad.xlsx")
    result = runner.invoke(app, ["validate", str(tmp_path / "bad.xlsx")])
    assert result.exit_code == EXIT_INVALID
    assert "lat" in result.output and "headcount" in result.output


def test_schema_command(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "--out", str(tmp_path)])
    assert result.exit_code == 0
    data = json.loads((tmp_path / "candidates.schema.json").read_text(encoding="utf-8"))
    assert data["properties"]["category"]["sensitive"] is True


@pytest.mark.parametrize("command", [[], ["demo"], ["run"], ["validate"], ["explain"], ["suggest"], ["schema"]])
def test_help_everywhere(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_bad_options_are_usage_errors(demo_dir: Path) -> None:
    result = runner.invoke(app, ["run", str(demo_dir / "round.xlsx"), "--out", "x", "--lang", "fr"])
    assert result.exit_code == 2 and "--lang" in result.output


def test_a_write_that_fails_midway_leaves_the_previous_run(
    demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(demo_dir / "round.xlsx"), "--out", str(out), "-q"]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def disk_full(*args: object, **kwargs: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(mw.batch, "_explanations_json", disk_full)  # fails after the tables are written
    result = runner.invoke(app, ["run", str(demo_dir / "round.xlsx"), "--out", str(out), "--lang", "en", "-q"])
    assert result.exit_code == EXIT_FAILURE and "No space left" in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # the temporary folder is gone


def test_help_keeps_the_extras_in_square_brackets() -> None:
    """Typer renders help with rich markup, where "[parquet]" would read as a tag and vanish from the install hint."""
    wide = {"COLUMNS": "240", "TERMINAL_WIDTH": "240"}
    assert "matchwork[parquet]" in runner.invoke(app, ["run", "--help"], env=wide).output
    assert "matchwork[programme]" in runner.invoke(app, ["--help"], env=wide).output
