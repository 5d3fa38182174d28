"""Output folders matchwork owns: a manifest in each, only its own files replaced, never the input.

Every folder matchwork writes results into carries a manifest, ``matchwork-manifest.json``,
listing the files it wrote with their SHA-256. A later run into the same folder

* replaces only the files the manifest lists (and removes those of them it no
  longer writes), leaving any other file — the user's notes, say — where it is;
* refuses a folder that is not empty and has no manifest (:class:`OutputFolderError`,
  exit code 2 on the command line), unless ``force`` is given, and then still
  touches only the files it writes;
* refuses to replace a listed file that was changed since it was written, unless ``force``;
* never replaces, removes or writes into an input, whatever the paths: ``--out .``,
  the input's own folder, a link to it, an input named like an output.

Writing is atomic. The files are written into a temporary folder first; then, for a
new folder, the whole folder is moved into place; for an existing one, the old
files are moved aside, the new ones moved in and the manifest written, and any
failure moves everything back: the previous outputs stay byte for byte.

Workbooks (``.xlsx``) are made reproducible on the way (:func:`stable_zip`): the
same input and policy give the same bytes.

Examples
--------
>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as tmp:
...     out = pathlib.Path(tmp) / "results"
...     with writing(out) as part:
...         _ = (part / "a.csv").write_text("x\\n", encoding="utf-8")
...     _ = (out / "notes.docx").write_text("mine", encoding="utf-8")
...     with writing(out) as part:
...         _ = (part / "b.csv").write_text("y\\n", encoding="utf-8")
...     sorted(p.name for p in out.iterdir())
['b.csv', 'matchwork-manifest.json', 'notes.docx']
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from matchwork._version import VERSION
from matchwork.errors import OutputFolderError

__all__ = ["MANIFEST", "OutputFolder", "claim", "manifest_of", "stable_zip", "writing"]

MANIFEST = "matchwork-manifest.json"
"""The manifest's file name in every output folder."""
_TEMP = ".matchwork-"
FIXED_TIME = "2000-01-01T00:00:00Z"
"""The creation time written into workbooks, so that the same content gives the same bytes."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _input_identities(inputs: Iterable[str | os.PathLike[str]]) -> tuple[set[tuple[int, int]], list[Path]]:
    """The (device, inode) of every input file and folder, and every file inside an input folder."""
    ids: set[tuple[int, int]] = set()
    folders: list[Path] = []
    for given in inputs:
        path = Path(given)
        ident = _identity(path)
        if ident is None:
            continue
        ids.add(ident)
        if path.is_dir():
            folders.append(path.resolve())
            with contextlib.suppress(OSError):
                for child in path.iterdir():
                    child_id = _identity(child)
                    if child_id is not None:
                        ids.add(child_id)
    return ids, folders


@dataclasses.dataclass
class OutputFolder:
    """A folder matchwork may write into, as :func:`claim` found it."""

    path: Path
    exists: bool
    owned: dict[str, str | None]  # file → SHA-256 when written (None: not checked, e.g. run.json)
    inputs: set[tuple[int, int]]
    force: bool

    def is_input(self, name: str) -> bool:
        """Whether the entry ``name`` of the folder is an input (or the same file under another name)."""
        ident = _identity(self.path / name)
        return ident is not None and ident in self.inputs


def _read_manifest(folder: Path) -> dict[str, str | None] | None:
    file = folder / MANIFEST
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        files = data["files"]
        if not isinstance(files, dict) or not all(isinstance(k, str) and "/" not in k for k in files):
            return None
        return {str(k): (str(v) if v else None) for k, v in files.items()}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def claim(
    path: str | os.PathLike[str], *, inputs: Iterable[str | os.PathLike[str]] = (), force: bool = False
) -> OutputFolder:
    """Check that matchwork may write its outputs into ``path``, before any work is done.

    Raises
    ------
    OutputFolderError
        The path is a file; the folder holds files matchwork did not write (unless
        ``force``); a file it wrote was changed since (unless ``force``); or writing
        there would replace or change an input (always).
    """
    target = Path(path)
    shown = str(target)
    input_ids, input_folders = _input_identities(inputs)
    if target.exists() and not target.is_dir():
        raise OutputFolderError("not_folder", folder=shown)
    if not target.exists():
        return OutputFolder(target, False, {}, input_ids, force)
    resolved = target.resolve()
    for folder in input_folders:
        if resolved == folder:
            raise OutputFolderError("input", folder=shown, input=str(folder))
    entries = sorted(p.name for p in target.iterdir() if not p.name.startswith(_TEMP))
    owned: dict[str, str | None] = {}
    if MANIFEST in entries:
        manifest = _read_manifest(target)
        if manifest is None and not force:
            raise OutputFolderError("bad_manifest", folder=shown)
        owned = manifest or {}
    elif entries and not force:
        raise OutputFolderError("not_ours", folder=shown, n=len(entries), example=entries[0])
    found = OutputFolder(target, True, owned, input_ids, force)
    for name, digest in sorted(owned.items()):
        entry = target / name
        if found.is_input(name):
            raise OutputFolderError("input", folder=shown, input=str(entry))
        if digest and entry.is_file() and not force and _sha256(entry) != digest:
            raise OutputFolderError("changed", folder=shown, file=name)
    return found


def _manifest_text(files: dict[str, str | None]) -> str:
    body = {"matchwork": VERSION, "about": "files written by matchwork; it replaces only these", "files": files}
    return json.dumps(body, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _finish(staging: Path, volatile: Iterable[str]) -> dict[str, str | None]:
    """Make workbooks reproducible, and list every staged file with its digest."""
    skip = set(volatile)
    files: dict[str, str | None] = {}
    for entry in sorted(staging.iterdir()):
        if not entry.is_file():
            raise OSError(f"matchwork writes files only, not the folder {entry.name}")
        if entry.suffix.lower() in (".xlsx", ".xlsm"):
            stable_zip(entry)
        files[entry.name] = None if entry.name in skip else _sha256(entry)
    return files


@contextlib.contextmanager
def writing(
    path: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
    force: bool = False,
    volatile: Iterable[str] = (),
    keep: bool = False,
) -> Iterator[Path]:
    """A temporary folder to write outputs into; committed into ``path`` when the block succeeds.

    Parameters
    ----------
    path : path
        The output folder (created if missing).
    inputs : paths
        The run's inputs, which are never replaced, removed or written into.
    force : bool
        Write into a folder that holds files matchwork did not write (only its own
        file names are touched), or over files it wrote that were changed since.
    volatile : file names
        Files whose content changes from run to run by design (``run.json`` keeps
        the time): listed in the manifest without a digest.
    keep : bool
        Keep the files of the previous run that this one does not write (to add a
        file to a finished run); by default they are removed as stale.

    Raises
    ------
    OutputFolderError
        As :func:`claim`, checked again just before the commit.
    """
    volatile = tuple(volatile)
    inputs = tuple(inputs)
    folder = claim(path, inputs=inputs, force=force)
    target = folder.path
    if folder.exists:
        staging = Path(tempfile.mkdtemp(prefix=f"{_TEMP}new-", dir=target))
    else:
        parent = target.parent if str(target.parent) else Path(".")
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{_TEMP}{target.name}-", dir=parent))
    try:
        yield staging
        files = _finish(staging, volatile)
        folder = claim(path, inputs=inputs, force=force)  # the folder may have changed while we worked
        if not folder.exists:
            (staging / MANIFEST).write_text(_manifest_text(files), encoding="utf-8")
            os.replace(staging, target)
            return
        _commit(folder, staging, files, keep)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _commit(folder: OutputFolder, staging: Path, files: dict[str, str | None], keep: bool) -> None:
    """Move the staged files into an existing folder; on any failure put everything back."""
    target = folder.path
    stale = set() if keep else set(folder.owned) - set(files)
    touched = sorted((set(files) | stale) - {MANIFEST})
    for name in touched:
        entry = target / name
        if folder.is_input(name) or (entry.is_dir() and not entry.is_symlink()):
            raise OutputFolderError("input" if folder.is_input(name) else "not_folder", folder=str(target), input=name)
    listed = {**(folder.owned if keep else {}), **files}
    backup = Path(tempfile.mkdtemp(prefix=f"{_TEMP}old-", dir=target))
    moved_aside: list[str] = []
    moved_in: list[str] = []
    new_manifest = False
    try:
        for name in [*touched, MANIFEST]:
            if os.path.lexists(target / name):
                os.replace(target / name, backup / name)
                moved_aside.append(name)
        for name in files:
            os.replace(staging / name, target / name)
            moved_in.append(name)
        part = target / f"{_TEMP}manifest.part"
        part.write_text(_manifest_text(listed), encoding="utf-8")
        os.replace(part, target / MANIFEST)
        new_manifest = True
    except BaseException:
        (target / f"{_TEMP}manifest.part").unlink(missing_ok=True)
        for name in moved_in:
            with contextlib.suppress(OSError):
                os.replace(target / name, staging / name)
        if new_manifest:
            (target / MANIFEST).unlink(missing_ok=True)
        for name in moved_aside:
            os.replace(backup / name, target / name)
        shutil.rmtree(backup, ignore_errors=True)
        raise
    shutil.rmtree(backup, ignore_errors=True)


_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def _is_stable(file: Path) -> bool:
    """Whether a workbook already has what :func:`stable_zip` gives it: fixed member and document times.

    Reads the zip's directory and ``docProps/core.xml`` only (a workbook written by
    xlsxwriter in memory with :data:`FIXED_TIME` as its creation time is).
    """
    try:
        with zipfile.ZipFile(file) as src:
            infos = src.infolist()
            if any(i.date_time != (1980, 1, 1, 0, 0, 0) for i in infos):
                return False
            core = src.read("docProps/core.xml") if "docProps/core.xml" in src.namelist() else b""
    except (zipfile.BadZipFile, OSError, KeyError):
        return False
    times = re.findall(rb"<dcterms:(?:created|modified)[^>]*>([^<]*)</dcterms:", core)
    return all(t == FIXED_TIME.encode() for t in times)


def stable_zip(path: str | os.PathLike[str]) -> None:
    """Rewrite a workbook so that the same content always gives the same bytes.

    Every member gets the same timestamp (1 Jan 1980, the zip epoch) and the
    workbook's creation and modification times become :data:`FIXED_TIME`; member
    order and content are kept. A workbook that already has both is left as it is
    (rewriting a national round's workbooks would cost seconds).
    """
    file = Path(path)
    if _is_stable(file):
        return
    part = file.with_name(f"{_TEMP}{file.name}.part")
    with zipfile.ZipFile(file) as src, zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = _CORE_TIMES.sub(rb"\g<1>" + FIXED_TIME.encode() + rb"\g<2>", data)
            member = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            dst.writestr(member, data)
    os.replace(part, file)


def manifest_of(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The manifest of an output folder as written, or None if it has none."""
    try:
        data: dict[str, Any] = json.loads((Path(path) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data
