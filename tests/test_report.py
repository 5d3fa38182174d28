"""The round report: self-contained, searchable, and clean in headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

import matchwork as mw
from matchwork.batch import run

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
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    done = run(mw.synth.round(120, seed=5), tmp_path_factory.mktemp("r") / "out", lang="en")
    return done.out_dir / "report.html"


def test_report_is_self_contained_and_searchable(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert "<svg" in html and 'id="search"' in html
    assert not re.search(r"""(src|href)=["']https?://""", html)  # loads nothing from the network
    for cid in (c.id for c in mw.synth.round(120, seed=5).candidates):
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


def test_the_docs_screenshot_exists() -> None:
    png = ROOT / "docs" / "img" / "report.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
