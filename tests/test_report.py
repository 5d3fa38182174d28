"""The round report: self-contained, in the chosen language, and working in headless Chromium.

The Chromium tests drive the page as an officer would — tick "unmatched only", choose
an area and a site, type in the search box, click a column header twice, turn pages —
and check what the page shows against the result.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

import matchwork as mw
from matchwork.batch import run
from matchwork.report.report import PAGE_SIZE

from tools_loader import ROOT, load_tool


@pytest.fixture(scope="module")
def shot() -> ModuleType:
    """The screenshot tool, with Chromium installed from Debian's packages where missing."""
    tool = load_tool("screenshot_report")
    if tool.chromium() is None and shutil.which("apt-get") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=env, capture_output=True)
    if tool.chromium() is None:
        pytest.skip("chromium is not installed and cannot be installed here (needs root and apt-get)")
    return tool


@pytest.fixture(scope="module")
def done(tmp_path_factory: pytest.TempPathFactory) -> mw.batch.BatchRun:
    return run(mw.synth.round(120, seed=5, profile="cooperative"), tmp_path_factory.mktemp("r") / "out", lang="en")


@pytest.fixture(scope="module")
def report(done: mw.batch.BatchRun) -> Path:
    assert done.out_dir is not None
    return done.out_dir / "report.html"


@pytest.fixture(scope="module")
def italian(tmp_path_factory: pytest.TempPathFactory) -> Path:
    done = run(mw.synth.round(300, seed=0), tmp_path_factory.mktemp("it") / "out", lang="it")
    assert done.out_dir is not None
    return done.out_dir / "report.html"


def test_report_is_self_contained_and_searchable(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert "<svg" in html and 'id="search"' in html
    assert not re.search(r"""(src|href)=["']https?://""", html)  # loads nothing from the network
    for cid in (c.id for c in mw.synth.round(120, seed=5, profile="cooperative").candidates):
        assert cid in html


def test_report_opens_in_chromium_without_console_errors(report: Path, shot: ModuleType, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    console = shot.open_in_chromium(report, png)
    assert console == []
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_the_console_check_catches_a_broken_page(shot: ModuleType, tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<html><body><script>throw new Error('boom')</script></body></html>", encoding="utf-8")
    console = shot.open_in_chromium(page, tmp_path / "broken.png", width=400, height=300)
    assert any("boom" in line for line in console)


@pytest.mark.parametrize("folder", ["docs/img", "docs/it/img"])
def test_the_docs_screenshots_exist(folder: str) -> None:
    png = ROOT / folder / "report.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


ROWS = "Array.from(document.querySelectorAll('#pairings tbody tr'))"


def _shown(browser: ModuleType) -> list[str]:
    ids: list[str] = browser.evaluate(f"{ROWS}.map(tr => tr.getAttribute('data-id'))")
    return ids


def test_the_report_speaks_the_chosen_language_throughout(italian: Path, report: Path) -> None:
    page = italian.read_text(encoding="utf-8")
    for word in (
        "Tornata di abbinamento",
        "In breve",
        "Ambito",
        "Solo senza abbinamento",
        "Carichi rispetto ai limiti",
    ):
        assert word in page
    english = re.sub(r'<script type="application/json".*?</script>', "", page, flags=re.S)  # the data, names
    for word in ("Matching round", "Search by", ">role<", ">mean<", "at cap", ">area<", "Unmatched only", "median "):
        assert word not in english, word
    assert "Matching round" in report.read_text(encoding="utf-8")


def test_the_headline_is_read_from_the_result(done: mw.batch.BatchRun, report: Path) -> None:
    from matchwork.report.headline import blockers, headline

    h = headline(done.result, "en")
    page = report.read_text(encoding="utf-8")
    for sentence in h.sentences:
        assert html.escape(sentence) in page
    found = blockers(done.result)
    assert sum(h.counts.values()) == len(found) == len(done.result.unmatched_reasons)
    assert set(found["candidate_id"]) == set(done.result.assignments.query("status == 'unmatched'").candidate_id)
    assert h.counts["trade_off"] == 0  # the solver places as many as it can: nobody unplaced had a free option
    assert h.placed == done.result.metrics["matched"]


def test_filters_sort_and_pages_in_chromium(done: mw.batch.BatchRun, report: Path, shot: ModuleType) -> None:
    asg = done.result.assignments
    rnd = done.result.round
    area = {c.id: c.area for c in rnd.candidates}
    with shot.Browser() as b:
        b.open(report)
        assert len(_shown(b)) == min(PAGE_SIZE, len(asg))
        assert b.evaluate("document.getElementById('row-count').textContent") == f"{len(asg)} rows of {len(asg)}"

        b.evaluate("document.getElementById('only-unmatched').click()")
        unmatched = asg.loc[asg.status == "unmatched", "candidate_id"].tolist()
        shown = _shown(b)
        assert shown == unmatched[:PAGE_SIZE] and len(unmatched) > PAGE_SIZE  # id order, a page of them
        b.evaluate("document.getElementById('next').click()")
        assert _shown(b) == unmatched[PAGE_SIZE : 2 * PAGE_SIZE]
        assert b.evaluate("document.getElementById('page-info').textContent").startswith("page 2 of ")

        top_area = max(set(area.values()), key=lambda a: sum(area[c] == a for c in unmatched))
        b.evaluate(
            "var s = document.getElementById('filter-area');"
            f"s.value = {top_area!r}; s.dispatchEvent(new Event('change'))"
        )
        assert _shown(b) == [c for c in unmatched if area[c] == top_area][:PAGE_SIZE]

        b.evaluate("document.getElementById('only-unmatched').click()")  # matched again, in that area
        b.evaluate("document.querySelector('#pairings th[data-key=score]').click()")
        b.evaluate("document.querySelector('#pairings th[data-key=score]').click()")  # descending
        in_area = asg[asg.candidate_id.map(area) == top_area]
        best = in_area.sort_values(["score", "candidate_id"], ascending=[False, True], na_position="last")
        expected = [c for c in best.candidate_id if not pd.isna(in_area.set_index("candidate_id").score[c])]
        assert _shown(b)[: len(expected[:PAGE_SIZE])] == expected[:PAGE_SIZE]
        scores = b.evaluate(f"{ROWS}.map(tr => tr.querySelector('td.score').textContent)")
        numbers = [float(x) for x in scores if x]
        assert numbers == sorted(numbers, reverse=True) and numbers[0] == round(float(in_area.score.max()), 1)
        assert b.evaluate("document.querySelector('#pairings th[data-key=score]').getAttribute('aria-sort')") == (
            "descending"
        )

        site = asg.loc[asg.status == "matched", "site_id"].value_counts().index[0]
        b.evaluate(
            "var a = document.getElementById('filter-area'); a.value = ''; a.dispatchEvent(new Event('change'));"
            f"var s = document.getElementById('filter-site'); s.value = {site!r}; s.dispatchEvent(new Event('change'))"
        )
        assert sorted(_shown(b)) == sorted(asg.loc[asg.site_id == site, "candidate_id"])
        b.evaluate("document.querySelector('#pairings th[data-key=name]').click()")
        names = b.evaluate(f"{ROWS}.map(tr => tr.cells[0].firstChild.textContent.trim())")
        assert names == sorted(names, key=str.casefold)

        b.evaluate(
            "var s = document.getElementById('filter-site'); s.value = ''; s.dispatchEvent(new Event('change'));"
            "var q = document.getElementById('search'); q.value = 'C000007'; q.dispatchEvent(new Event('input'))"
        )
        assert _shown(b) == ["C000007"]
        b.screenshot(report.with_suffix(".driven.png"))
        assert b.console == []
    assert report.with_suffix(".driven.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_broken_script_is_caught_by_the_driver(shot: ModuleType, tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<html><body><script>setTimeout(function(){ throw new Error('kaput') }, 0)</script></body></html>")
    with shot.Browser() as b:
        b.open(page)
        b.evaluate("new Promise(r => setTimeout(r, 50))")
        assert any("kaput" in line for line in b.console)


def test_names_that_look_like_markup_stay_text(tmp_path: Path, shot: ModuleType) -> None:
    rnd = mw.synth.round(30, seed=2)
    first = rnd.candidates[0].model_copy(update={"name": "</script><b id=x>Eve</b>"})
    done = run(rnd.replace(candidates=[first, *rnd.candidates[1:]]), tmp_path / "out", lang="it")
    assert done.out_dir is not None
    page = done.out_dir / "report.html"
    assert "</script><b" not in page.read_text(encoding="utf-8")
    with shot.Browser() as b:
        b.open(page)
        assert b.evaluate("document.getElementById('x')") is None
        assert "</script><b id=x>Eve</b>" in b.evaluate("document.querySelector('#pairings tbody').textContent")
        assert b.console == []


@pytest.mark.parametrize(("size", "seed"), [(60, 1), (150, 23), (300, 0)])
def test_blockers_agree_with_the_result(size: int, seed: int) -> None:
    from matchwork.report.headline import blockers

    result = mw.match(mw.synth.round(size, seed=seed))
    found = blockers(result).set_index("candidate_id")
    reasons = result.unmatched_reasons.set_index("candidate_id")
    assert set(found.index) == set(reasons.index)
    assert (found["cause"] != "trade_off").all()  # placing the most first: nobody left out had a free option
    rules = found["cause"] == "rules"
    assert (reasons.loc[rules[rules].index, "reason"] == "no_feasible_option").all()
    squad = found["cause"] == "squad"
    assert (reasons.loc[squad[squad].index, "reason"] == "no_full_squad").all()
    limited = ~rules & ~squad
    assert (reasons.loc[limited[limited].index, "reason"] == "capacity_taken").all()
    loads = result.loads.set_index(["role", "partner_id"])
    for cid in found.index[found["cause"] == "lead"]:  # a site with room, held back by its lead guides
        sites = reasons.at[cid, "partners"]
        assert any(loads.at[("site", s), "load"] < loads.at[("site", s), "capacity"] for s in sites), cid
