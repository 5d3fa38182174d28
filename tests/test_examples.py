"""The examples run as they are, and the notebook objects render as HTML."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

import matchwork as mw

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("script", sorted(EXAMPLES.glob("*.py")), ids=lambda p: p.name)
def test_example_runs(script: Path, capsys: pytest.CaptureFixture[str]) -> None:
    namespace = runpy.run_path(str(script), run_name="__main__")
    printed = capsys.readouterr().out
    assert printed
    if script.name == "compare_policies.py":
        comparison = namespace["comparison"]
        assert list(comparison.index) == ["default", "commute x2, squad of 1"]
        assert comparison["mean squad size"].iloc[1] <= 1
        assert namespace["moved"] > 0
        assert "Why" in printed


def test_notebook_objects_render_as_html() -> None:
    rnd = mw.synth.round(40, seed=2)
    result = mw.match(rnd)
    cid = result.assignments.candidate_id.iloc[0]
    for obj in (rnd, result, result.explain(cid)):
        html = obj._repr_html_()
        assert html.startswith("<div") or html.startswith("<p")
    assert "candidates" in rnd._repr_html_()
