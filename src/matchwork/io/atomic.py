"""Atomic writes: a file or a folder appears whole or not at all, and a failure leaves the old one intact.

Both context managers yield a temporary path beside the target, on the same file
system, and move it into place with :func:`os.replace` only when the block ends
without error; on any error the temporary path is removed and whatever was at the
target before is left byte for byte.

Examples
--------
>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as tmp:
...     target = pathlib.Path(tmp) / "out.txt"
...     with atomic_file(target) as part:
...         _ = part.write_text("done", encoding="utf-8")
...     try:
...         with atomic_file(target) as part:
...             _ = part.write_text("half", encoding="utf-8")
...             raise RuntimeError("disk full")
...     except RuntimeError:
...         pass
...     target.read_text(encoding="utf-8"), sorted(p.name for p in target.parent.iterdir())
('done', ['out.txt'])
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_file", "atomic_folder"]


def _beside(target: Path) -> Path:
    parent = target.parent if str(target.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    return parent


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary file path beside ``path`` that replaces it when the block succeeds."""
    target = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=_beside(target))
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary folder beside ``path`` that replaces it whole when the block succeeds.

    The old folder is moved aside first and removed only once the new one is in
    place: readers see the old folder or the whole new one, never half.
    """
    target = Path(path)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=_beside(target)))
    try:
        yield tmp
        backup = None
        if target.exists():
            backup = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, backup)
        try:
            os.replace(tmp, target)
        except BaseException:
            if backup is not None:
                os.replace(backup, target)
            raise
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
