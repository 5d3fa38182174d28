"""Open a report in headless Chromium: take a screenshot, collect console messages, or drive the page.

``python tools/screenshot_report.py`` renders the demo round's report and writes
``docs/img/report.png``; ``tests/test_report.py`` uses :func:`open_in_chromium` and
:class:`Browser`.

:class:`Browser` speaks the DevTools protocol over ``--remote-debugging-pipe``
(JSON messages ending in a NUL byte on file descriptors 3 and 4), so it needs
nothing but the standard library and Debian's ``chromium``: it loads a page, runs
JavaScript in it (clicks, choices, reading the table) and reports every console
message and uncaught exception. Chromium runs headless, without its sandbox (the
tests run as root), with background networking, extensions and first-run pages off.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONSOLE = re.compile(r":CONSOLE[:(\]]")
QUIET = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
]


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
                *QUIET,
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


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe: one page, JavaScript in it.

    >>> with Browser() as b:                                    # doctest: +SKIP
    ...     b.open(Path("report.html"))
    ...     b.evaluate("document.title")
    """

    def __init__(self, *, width: int = 1280, height: int = 1800, timeout: float = 60.0):
        exe = chromium()
        if exe is None:
            raise FileNotFoundError("chromium is not installed")
        self.timeout = timeout
        self.console: list[str] = []
        """Every console message and uncaught exception of the page, as ``"level: text"``."""
        self._profile = tempfile.TemporaryDirectory(ignore_cleanup_errors=True)
        to_browser, self._to_browser = os.pipe()
        self._from_browser, from_browser = os.pipe()

        def pipes_on_3_and_4() -> None:  # the file descriptors --remote-debugging-pipe reads and writes
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser, from_browser)]  # clear of 3 and 4
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self._proc = subprocess.Popen(
            [exe, *QUIET, "--remote-debugging-pipe", f"--user-data-dir={self._profile.name}", "about:blank"],
            preexec_fn=pipes_on_3_and_4,
            close_fds=False,  # Python's own descriptors are not inheritable (PEP 446): only 3 and 4 go across
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._next = 0
        self._session = ""
        try:
            target = self._call("Target.createTarget", {"url": "about:blank"})
            attached = self._call("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})
            self._session = attached["sessionId"]
            self._call("Page.enable", session=True)
            self._call("Runtime.enable", session=True)
            self._call("Log.enable", session=True)
            self._call(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                session=True,
            )
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object | TracebackType) -> None:
        self.close()

    def close(self) -> None:
        """Stop Chromium and remove its profile."""
        with contextlib.suppress(OSError, EOFError, TimeoutError, RuntimeError):
            self._call("Browser.close")
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._profile.cleanup()

    # ------------------------------------------------------------ protocol

    def _message(self) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_browser], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        self._note(message)
        return message

    def _note(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled":
            words = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            self.console.append(f"{params.get('type')}: {words}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.console.append(f"exception: {details.get('exception', {}).get('description', details.get('text'))}")
        elif method == "Log.entryAdded":
            self.console.append(f"{params['entry'].get('level')}: {params['entry'].get('text')}")

    def _call(self, method: str, params: dict[str, Any] | None = None, *, session: bool = False) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self._session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._message()
            if answer.get("id") == self._next:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result

    def _wait_for(self, event: str) -> None:
        while self._message().get("method") != event:
            pass

    # ------------------------------------------------------------ page

    def open(self, page: Path) -> None:
        """Load a local page and wait for its load event."""
        self._call("Page.navigate", {"url": page.resolve().as_uri()}, session=True)
        self._wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """Run JavaScript in the page and return its value (JSON-like); an exception in it is an error."""
        answer = self._call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, session=True
        )
        if "exceptionDetails" in answer:
            raise RuntimeError(f"{expression!r}: {answer['exceptionDetails'].get('exception', {}).get('description')}")
        return answer.get("result", {}).get("value")

    def screenshot(self, png: Path) -> None:
        """Write a PNG of the page as it looks now."""
        shot = self._call("Page.captureScreenshot", {"format": "png"}, session=True)
        png.write_bytes(base64.b64decode(shot["data"]))


def main() -> int:
    """The demo round's report in English (docs/img) and in Italian with prices (docs/it/img)."""
    import matchwork as mw
    from matchwork.batch import run

    console = []
    shots = {"en": ROOT / "docs" / "img" / "report.png", "it": ROOT / "docs" / "it" / "img" / "report.png"}
    for lang, png in shots.items():
        with tempfile.TemporaryDirectory() as tmp:
            done = run(mw.synth.round(300, seed=0), Path(tmp) / "out", lang=lang, prices=lang == "it")
            png.parent.mkdir(parents=True, exist_ok=True)
            console += open_in_chromium(done.out_dir / "report.html", png)  # type: ignore[operator]
    print("\n".join(console) or "no console messages")
    return 1 if console else 0


if __name__ == "__main__":
    sys.exit(main())
