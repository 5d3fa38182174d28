"""Open a report in headless Chromium: take a screenshot and collect the page's console messages.

``python tools/screenshot_report.py`` renders the demo round's report and writes
``docs/img/report.png``; ``tests/test_report.py`` uses :func:`open_in_chromium`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONSOLE = re.compile(r":CONSOLE[:(\]]")


def chromium() -> str | None:
    """The Chromium executable, if installed."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def open_in_chromium(page: Path, png: Path, *, width: int = 1280, height: int = 1800) -> list[str]:
    """Load ``page`` headless, write a screenshot to ``png``; return every console line the page logged."""
    exe = chromium()
    if exe is None:
        raise FileNotFoundError("chromium is not installed")
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [
                exe,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                "--enable-logging=stderr",
                "--v=0",
                f"--window-size={width},{height}",
                f"--screenshot={png}",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    return [line for line in proc.stderr.splitlines() if CONSOLE.search(line)]


def main() -> int:
    import matchwork as mw
    from matchwork.batch import run

    with tempfile.TemporaryDirectory() as tmp:
        done = run(mw.synth.round(300, seed=0), Path(tmp) / "out", lang="en", prices=True)
        console = open_in_chromium(done.out_dir / "report.html", ROOT / "docs" / "img" / "report.png")
    print("\n".join(console) or "no console messages")
    return 1 if console else 0


if __name__ == "__main__":
    sys.exit(main())
