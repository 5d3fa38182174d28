"""``matchwork programme``: init, record, end, next, show — exit codes, messages in both languages, files written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import matchwork as mw
from matchwork.programme import Programme
from matchwork.programme.cli import EXIT_FAILURE, EXIT_INVALID, EXIT_OK, app

from programme_db import BACKENDS, database_url

runner = CliRunner()
SENTINEL = "ZZLEAKCHECK"


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(request.param, tmp_path)


def call(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_a_programme_from_the_command_line(url: str, tmp_path: Path) -> None:
    code, output = call("init", "--db", url, "--cooldown-days", "60")
    assert code == EXIT_OK and "Archivio del programma pronto" in output and "60 giorni" in output

    rnd = mw.synth.round(80, seed=11, profile="cooperative").replace(date="2026-01-12")
    mw.batch.run(rnd, tmp_path / "run1", lang="it")
    code, output = call("record", str(tmp_path / "run1"), "--approved-by", "Responsabile", "--on", "2026-01-09",
                        "--db", url, "--lang", "en")  # fmt: skip
    assert code == EXIT_OK and output.startswith("Round #1 «")
    code, output = call("record", str(tmp_path / "run1"), "--approved-by", "Responsabile", "--db", url)
    assert code == EXIT_FAILURE and output.strip().splitlines() == [
        "errore: questa tornata è già registrata (tornata n. 1)"
    ]

    with Programme(url) as programme:
        placed = programme.pairings(on="2026-01-12")
    row = placed[placed.role == "lead_guide"].iloc[0]
    cid, lead = row.candidate_id, row.partner_id
    code, output = call("end", cid, "--role", "lead_guide", "--reason", "breakdown", "--on", "2026-01-30",
                        "--by", "tutor", "--db", url)  # fmt: skip
    assert code == EXIT_OK and "chiusi il 2026-01-30 (interruzione)" in output
    code, output = call("end", cid, "--role", "lead_guide", "--reason", "breakdown", "--on", "2026-01-30", "--db", url)
    assert code == EXIT_FAILURE and "nessun abbinamento in corso" in output
    code, _ = call("end", cid, "--reason", "fired", "--on", "2026-01-30", "--db", url)
    assert code == EXIT_INVALID

    arrivals = tmp_path / "arrivals.json"
    newcomer = mw.synth.round(5, seed=99, profile="cooperative").candidates[0].model_dump(mode="json") | {"id": "NEW-1"}
    newcomer["excluded_ids"] = []
    arrivals.write_text(json.dumps({"candidates": [newcomer]}), encoding="utf-8")
    code, output = call("next", "--out", str(tmp_path / "next.xlsx"), "--on", "2026-02-09",
                        "--profiles", str(arrivals), "--db", url, "--lang", "en")  # fmt: skip
    assert code == EXIT_OK and "Next round written" in output
    nxt = mw.Round.read(tmp_path / "next.xlsx")
    ids = {c.id for c in nxt.candidates}
    assert {"NEW-1", cid} <= ids
    assert mw.Forbid(candidate_id=cid, partner_id=lead) in nxt.forbids
    assert mw.Relationship(a=cid, b=lead, kind="failed_pairing") in nxt.relationships

    code, output = call("record", str(tmp_path / "next.xlsx"), "--approved-by", "Responsabile", "--db", url)
    assert code == EXIT_OK and output.startswith("Tornata n. 2")
    code, output = call("show", cid, "--db", url)
    assert code == EXIT_OK and "Percorso di" in output and "interruzione" in output and "tutor" in output
    code, output = call("show", "--db", url, "--lang", "en", "--on", "2026-02-09")
    assert code == EXIT_OK and "Rounds recorded" in output and "pairings in progress today" in output
    code, output = call("show", "C404", "--db", url, "--lang", "en")
    assert code == EXIT_OK and "No history for C404" in output


def test_bad_input_exits_2_and_prints_no_value(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    rnd = mw.synth.round(30, seed=2, profile="cooperative").replace(date="2026-01-12")
    rnd.to_json(tmp_path / "round.json")
    assert call("record", str(tmp_path / "round.json"), "--approved-by", "x", "--db", url)[0] == EXIT_OK
    bad = rnd.candidates[0].model_dump(mode="json") | {"id": "NEW-2", "support_intensity": SENTINEL}
    bad["excluded_ids"] = []
    (tmp_path / "bad.json").write_text(json.dumps({"candidates": [bad]}), encoding="utf-8")
    code, output = call("next", "--out", str(tmp_path / "n.json"), "--on", "2026-02-01",
                        "--profiles", str(tmp_path / "bad.json"), "--db", url)  # fmt: skip
    assert code == EXIT_INVALID and "support_intensity" in output and SENTINEL not in output
    assert not (tmp_path / "n.json").exists()
    assert call("next", "--out", str(tmp_path / "n.json"), "--on", "2026-02-30", "--db", url)[0] == EXIT_INVALID
    assert call("next", "--out", str(tmp_path / "n.csv"), "--on", "2026-02-01", "--db", url)[0] == EXIT_INVALID
    code, output = call("record", str(tmp_path / "missing"), "--approved-by", "x", "--db", url)
    assert code == EXIT_FAILURE and "né una cartella di esecuzione" in output
    assert call("show", "--db", url, "--lang", "fr")[0] == EXIT_INVALID


def test_the_desk_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    rnd = mw.synth.round(40, seed=1)  # a Mantova desk round: host companies, tutors, operators, lombardia
    rnd.to_json(tmp_path / "round.json")
    assert call("record", str(tmp_path / "round.json"), "--approved-by", "Responsabile", "--db", url)[0] == EXIT_OK
    with Programme(url) as programme:
        placed = programme.pairings(on=rnd.date)
    row = placed[placed.role == "tutor"].iloc[0]
    code, output = call("end", row.candidate_id, "--role", "tutor", "--reason", "moved", "--on", str(rnd.date),
                        "--db", url)  # fmt: skip
    assert code == EXIT_OK and "(trasferimento)" in output
    code, output = call("show", row.candidate_id, "--db", url)
    assert code == EXIT_OK and "tutor aziendale" in output and "operatore dello sportello lavoro" in output
    site = next(t.site_id for t in rnd.tutors if t.id == row.partner_id)
    tutor = mw.model.profiles.CompanyTutor(id="T-NEW", name="Nuovo tutor", site_id=site, current_trainees=2)
    (tmp_path / "tutors.json").write_text(json.dumps({"tutors": [tutor.model_dump(mode="json")]}), encoding="utf-8")
    code, _ = call("next", "--out", str(tmp_path / "next.json"), "--on", "2026-03-02",
                   "--profiles", str(tmp_path / "tutors.json"), "--db", url)  # fmt: skip
    assert code == EXIT_OK
    nxt = mw.Round.read(tmp_path / "next.json")
    assert nxt.region == rnd.region and {t.id for t in nxt.tutors} == {t.id for t in rnd.tutors} | {"T-NEW"}
    assert next(t for t in nxt.tutors if t.id == "T-NEW").current_trainees == 2  # a new tutor's own figure
    assert row.candidate_id in {c.id for c in nxt.candidates}  # waits for a tutor again
