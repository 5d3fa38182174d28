"""Who accompanies each person, and where the round's review stands, in every output people read.

A cooperative's team gives a lead guide and a squad; a host company its own company
tutor and the desk operator of the person's area (seed 003). The assignments
workbook, the report's table and the site view must say so with the ids of
:attr:`MatchResult.assignments`, row by row; a site sees its own newcomers only. The
review (draft, or approved by the responsabile degli inserimenti, when) is the first
line of the "in breve" sheet and of the report, and run.json records it; a draft
never reads as approved.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import matchwork as mw
from matchwork.batch import BatchRun, run
from matchwork.cli import EXIT_INVALID, app
from matchwork.model.profiles import Review

APPROVED_AT = dt.datetime(2026, 2, 2, 10, 30)


@pytest.fixture(scope="module")
def done(tmp_path_factory: pytest.TempPathFactory) -> BatchRun:
    """A generated round with placements of both kinds (counted below), written in Italian."""
    return run(mw.synth.round(60, seed=2), tmp_path_factory.mktemp("people") / "out", lang="it")


def _folder(done: BatchRun) -> Path:
    assert done.out_dir is not None
    return done.out_dir


def _sheets(path: Path) -> dict[str, pd.DataFrame]:
    return pd.read_excel(path, sheet_name=None, dtype=object, keep_default_na=False, engine="openpyxl")


def _report_rows(path: Path) -> list[dict[str, Any]]:
    page = path.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, flags=re.S)
    assert found is not None
    rows: list[dict[str, Any]] = json.loads(found.group(1))["rows"]
    return rows


def _review_paragraph(path: Path) -> tuple[str, str]:
    """The report header's review: its class (draft or approved) and its text."""
    found = re.search(r'<p class="review (\w+)" id="review">([^<]*)</p>', path.read_text(encoding="utf-8"))
    assert found is not None
    return found.group(1), found.group(2)


def _who(named: dict[str, str], pid: object) -> str:
    return "" if pid is None or pid != pid else f"{named[str(pid)]} ({pid})"


def _people(rnd: mw.Round) -> dict[str, str]:
    return {x.id: x.name for x in (*rnd.guides, *rnd.tutors, *rnd.operators, *rnd.peers)}


def test_the_round_has_placements_of_both_kinds(done: BatchRun) -> None:
    """The generator gives what the tests below read: host companies and cooperative teams, all accompanied."""
    rnd = done.result.round
    asg = done.result.assignments
    kind = {s.id: s.kind.value for s in rnd.sites}
    placed = asg[asg.status == "matched"]
    at = placed["site_id"].map(kind)
    assert (at == "company").sum() >= 20 and (at == "cooperative").sum() >= 5
    company, coop = placed[at == "company"], placed[at == "cooperative"]
    assert company["tutor_id"].notna().all() and company["operator_id"].notna().all()
    assert company["lead_guide_id"].isna().all() and (company["squad_ids"].map(len) == 0).all()
    assert coop["tutor_id"].isna().all() and coop["operator_id"].isna().all()
    new = coop[coop["continuity"] == "new"]  # a placement kept from before may be past its lead's two weeks
    assert len(new) and new["lead_guide_id"].notna().all() and (new["squad_ids"].map(len) > 0).all()


def test_the_assignments_sheet_names_the_tutor_and_operator_with_the_results_ids(done: BatchRun) -> None:
    asg = done.result.assignments
    named = _people(done.result.round)
    sheet = _sheets(_folder(done) / "assignments.xlsx")["abbinamenti"]
    headers = list(sheet.columns)
    accompanying = ["referente", "squadra", "tutor aziendale", "operatore dello sportello", "peer supporter"]
    assert headers[headers.index("referente") : headers.index("referente") + 5] == accompanying
    assert sheet["codice persona"].tolist() == asg["candidate_id"].tolist()
    for column, ids in (
        ("referente", asg["lead_guide_id"]),
        ("tutor aziendale", asg["tutor_id"]),
        ("operatore dello sportello", asg["operator_id"]),
        ("peer supporter", asg["peer_id"]),
    ):
        assert sheet[column].tolist() == [_who(named, x) for x in ids], column
        # the id in brackets is the result's, row by row
        shown = sheet[column].str.extract(r"\(([^()]*)\)$")[0].fillna("").tolist()
        assert shown == [x if isinstance(x, str) else "" for x in ids], column
    assert sheet["squadra"].tolist() == [", ".join(named[g] for g in s) for s in asg["squad_ids"]]


def test_the_report_table_names_the_tutor_and_operator_with_the_results_ids(done: BatchRun) -> None:
    asg = done.result.assignments
    named = _people(done.result.round)
    rows = _report_rows(_folder(done) / "report.html")
    assert [r["id"] for r in rows] == asg["candidate_id"].tolist()
    assert [r["tutor"] for r in rows] == [_who(named, x) for x in asg["tutor_id"]]
    assert [r["operator"] for r in rows] == [_who(named, x) for x in asg["operator_id"]]
    assert [r["lead"] for r in rows] == [_who(named, x) for x in asg["lead_guide_id"]]
    page = (_folder(done) / "report.html").read_text(encoding="utf-8")
    assert '<th data-key="tutor">Tutor aziendale</th>' in page
    assert '<th data-key="operator">Operatore dello sportello</th>' in page


def test_a_site_sees_its_own_newcomers_with_their_tutor_and_operator(done: BatchRun) -> None:
    rnd = done.result.round
    asg = done.result.assignments.set_index("candidate_id")
    tutors = {t.id: t for t in rnd.tutors}
    operators = {o.id: o for o in rnd.operators}
    area = {c.id: c.area for c in rnd.candidates}
    view = _sheets(_folder(done) / "site_view.xlsx")["nuovi ingressi"]
    assert {"tutor aziendale", "operatore dello sportello"} <= set(view.columns)
    placed = asg[asg.status == "matched"]
    assert sorted(view["codice persona"]) == sorted(placed.index)
    by_tutor_name = {t.name: t for t in rnd.tutors}
    for row in view.to_dict("records"):
        cid, site = row["codice persona"], row["codice sede"]
        assert asg.at[cid, "site_id"] == site  # only the site's own newcomers
        tutor_id, operator_id = asg.at[cid, "tutor_id"], asg.at[cid, "operator_id"]
        assert row["tutor aziendale"] == ("" if tutor_id is None else tutors[tutor_id].name)
        assert row["operatore dello sportello"] == ("" if operator_id is None else operators[operator_id].name)
        if row["tutor aziendale"]:  # a tutor of this site, never another company's
            assert by_tutor_name[row["tutor aziendale"]].site_id == site
        if operator_id is not None:  # the desk operator of the person's own area
            assert area[cid] in operators[operator_id].areas_served
    assert (view["tutor aziendale"] != "").sum() == placed["tutor_id"].notna().sum() > 0


def test_a_draft_reads_as_a_draft_everywhere(done: BatchRun) -> None:
    reviewer = done.result.round.review.reviewer
    assert reviewer and done.result.round.review.status.value == "draft"
    folder = _folder(done)
    record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert record["review"] == {"status": "draft", "reviewer": reviewer, "approved_at": None}
    line = f"Abbinamenti in bozza, da approvare da parte di {reviewer} (responsabile degli inserimenti)."
    glance = _sheets(folder / "assignments.xlsx")["in breve"]
    assert glance.iloc[0, 0] == line
    assert _review_paragraph(folder / "report.html") == ("draft", line)
    said = " ".join(glance.iloc[:, 0]) + (folder / "report.html").read_text(encoding="utf-8")
    assert "approvati" not in said and "approvato" not in said


@pytest.mark.parametrize("lang", ["it", "en"])
def test_an_approval_says_who_and_when(tmp_path: Path, lang: str) -> None:
    rnd = mw.synth.round(30, seed=4).approve(by="R. Rossi", at=APPROVED_AT)
    done = run(rnd, tmp_path / "out", lang=lang)
    folder = _folder(done)
    record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert record["review"] == {"status": "approved", "reviewer": "R. Rossi", "approved_at": "2026-02-02T10:30:00"}
    line = {
        "it": "Abbinamenti approvati da R. Rossi (responsabile degli inserimenti) il 02/02/2026 alle 10:30.",
        "en": "Matches approved by R. Rossi (head of placements) on 2026-02-02 at 10:30.",
    }[lang]
    glance = pd.read_excel(folder / "assignments.xlsx", sheet_name=0, dtype=object, engine="openpyxl")
    assert glance.columns[0] == {"it": "In breve", "en": "At a glance"}[lang] and glance.iloc[0, 0] == line
    assert _review_paragraph(folder / "report.html") == ("approved", line)
    assert ("bozza" if lang == "it" else "Draft") not in (folder / "report.html").read_text(encoding="utf-8")


def test_a_draft_with_no_reviewer_named_says_so(tmp_path: Path) -> None:
    rnd = mw.synth.round(30, seed=4)
    rnd = rnd.replace(review=Review())
    done = run(rnd, tmp_path / "out", lang="en")
    line = "Draft matches, awaiting approval: no head of placements is named."
    assert _review_paragraph(_folder(done) / "report.html") == ("draft", line)
    record = json.loads((_folder(done) / "run.json").read_text(encoding="utf-8"))
    assert record["review"] == {"status": "draft", "reviewer": None, "approved_at": None}


def test_run_approve_by_approves_the_runs_matches_now(tmp_path: Path) -> None:
    runner = CliRunner()
    source = tmp_path / "round.json"
    mw.synth.round(30, seed=4).to_json(source)
    draft = runner.invoke(app, ["run", str(source), "--out", str(tmp_path / "draft"), "--lang", "en"])
    assert draft.exit_code == 0, draft.output
    assert "Draft matches, awaiting approval by" in draft.output
    before = dt.datetime.now().replace(second=0, microsecond=0)
    approved = runner.invoke(
        app, ["run", str(source), "--out", str(tmp_path / "ok"), "--lang", "en", "--approve-by", " Rita B. "]
    )
    after = dt.datetime.now()
    assert approved.exit_code == 0, approved.output
    record = json.loads((tmp_path / "ok" / "run.json").read_text(encoding="utf-8"))
    assert record["review"]["status"] == "approved" and record["review"]["reviewer"] == "Rita B."
    when = dt.datetime.fromisoformat(record["review"]["approved_at"])
    assert before <= when <= after
    assert f"Matches approved by Rita B. (head of placements) on {when.date().isoformat()}" in approved.output
    assert mw.Round.from_json(tmp_path / "ok" / "round.json").review.reviewer == "Rita B."
    # the same input and policy: the approved matches are the draft's
    assert (tmp_path / "ok" / "assignments.csv").read_bytes() == (tmp_path / "draft" / "assignments.csv").read_bytes()
    refused = runner.invoke(app, ["run", str(source), "--out", str(tmp_path / "no"), "--approve-by", "  "])
    assert refused.exit_code == EXIT_INVALID and not (tmp_path / "no").exists()


def test_the_reports_loads_include_tutors_operators_and_every_role_of_the_result(done: BatchRun) -> None:
    from matchwork.report.report import ROLES

    page = (_folder(done) / "report.html").read_text(encoding="utf-8")
    loads = done.result.metrics["loads"]
    assert set(loads.index) <= set(ROLES)  # the chart and the table leave no role of the loads out
    for role, label in (("tutor", "tutor aziendali (tirocinanti)"), ("operator", "operatori dello sportello (carico)")):
        partners, at_cap = int(loads.at[role, "partners"]), int(loads.at[role, "at_capacity"])
        assert partners > 0
        cell = r'<td class="num">[^<]*</td>'
        row = (
            rf'<tr><td>{re.escape(label)}</td><td class="num">{partners}</td>{cell}{cell}<td class="num">{at_cap}</td>'
        )
        assert re.search(row, page), role
        assert f">{label}</text>" in page  # a row of the chart


def test_the_law_sheets_say_durations_by_category_and_each_cooperatives_share(tmp_path: Path) -> None:
    """Issue 18 §5: the workbook carries the longest traineeship by category under the round's rule set and the
    L. 381/91 shares per type-B cooperative, with the round's trainees counted as model.law computes them."""
    from matchwork.model.law import cooperative_shares, durations

    rnd = mw.synth.round(120, seed=0)
    result = mw.match(rnd)
    result.write(tmp_path / "out")
    book = pd.ExcelFile(tmp_path / "out" / "assignments.xlsx", engine="openpyxl")
    spans = pd.read_excel(book, "durata dei tirocini")
    expected = durations(result.policy, rnd.region)
    assert spans["durata massima (mesi)"].tolist() == expected["max_months"].tolist()
    assert set(spans["regole applicate"]) == {"lombardia"}
    assert "invalido psichico" in set(spans["categoria"])  # Italian labels, not codes
    coops = pd.read_excel(book, "cooperative 30%")
    matched = result.assignments[result.assignments.status == "matched"]
    shares = cooperative_shares(rnd, dict(zip(matched.candidate_id, matched.site_id, strict=True)))
    assert coops["codice cooperativa"].tolist() == shares["cooperative_id"].tolist()
    assert coops["tirocinanti L. 381/91 abbinati ora alle sue sedi"].tolist() == shares["placed"].tolist()
    assert shares["placed"].sum() > 0  # the round places L. 381/91 trainees at cooperatives
    assert (coops["almeno 30% su tutti"] == shares["meets_30_of_all"].map({True: "sì", False: "no"})).all()
