"""Profiles as tables: pandas DataFrames, a folder of CSV files, an Excel workbook, JSON.

One table per profile type (``candidates``, ``guides``, ``peers``, ``sites``,
``positions``) and per tie (``relationships``, ``pairings``, ``pins``,
``forbids``), plus a small ``round`` table of ``key, value`` rows (``name``,
``date``, ``region``, and the review: ``reviewer``, ``status``, ``approved_at``).
Cells are plain text a placement officer can type:

* a location is three columns ``lat``, ``lon``, ``municipality``;
* a set is a ``;``-separated list: ``it;en``, ``mon_am;mon_pm``;
* skills are ``skill:level`` items: ``cleaning:2;forklift:1``;
* an empty cell is "not stated" (the field's default, or none);
* text that begins with ``=``, ``+``, ``-``, ``@`` or ``'`` is written with a
  leading ``'`` so that no spreadsheet runs it as a formula, and read back without it.

This module turns tables into plain records and back; :class:`matchwork.Round`
validates the records. Reading never raises on the first problem: it collects
every problem of every table as :class:`~matchwork.errors.Problem` s.

Examples
--------
>>> from matchwork.model.profiles import Candidate, Location
>>> c = Candidate(id="C1", name="Anna", area="Mantova", location=Location(lat=45.1, lon=10.8),
...               skills={"cleaning": 2}, languages={"it", "en"})
>>> frame = records_to_frame("candidates", [c])
>>> frame.loc[0, ["id", "lat", "skills", "languages"]].tolist()
['C1', 45.1, 'cleaning:2', 'en;it']
>>> records, lines, problems = frame_to_records("candidates", frame)
>>> Candidate.model_validate(records[0]) == c
True
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import os
import types
import typing
from collections.abc import Iterable, Mapping
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from matchwork._validation import Lang, choice
from matchwork.errors import Problem
from matchwork.i18n import LANGS
from matchwork.i18n import text as say
from matchwork.io.atomic import atomic_file, atomic_folder
from matchwork.model.profiles import PROFILE_TYPES, FreeText, Location
from matchwork.model.vocab import suggest

__all__ = [
    "OPTIONAL_TABLES",
    "REQUIRED_TABLES",
    "ROUND_KEYS",
    "TABLES",
    "columns",
    "frame_to_records",
    "read_csv_dir",
    "read_excel",
    "read_json",
    "records_to_frame",
    "sheet_name",
    "site_records_with_positions",
    "typed",
    "write_csv_dir",
    "write_excel",
    "write_json",
]

TABLES: tuple[str, ...] = (*PROFILE_TYPES, "round")
"""Every table, in the order they are read and written."""
REQUIRED_TABLES: tuple[str, ...] = ("candidates", "guides", "sites", "positions")
OPTIONAL_TABLES: tuple[str, ...] = tuple(t for t in TABLES if t not in REQUIRED_TABLES)
ROUND_KEYS: tuple[str, ...] = ("name", "date", "region", "reviewer", "status", "approved_at")
LIST_SEP = ";"
_FORMULA_START = ("=", "+", "-", "@", "'")


@dataclasses.dataclass(frozen=True)
class _Column:
    name: str
    path: tuple[str, ...]  # where the value lives in the record
    kind: str  # "scalar", "text", "set", "map", "date", "bool"
    required: bool
    optional_parent: bool = False  # part of an optional nested model
    it: str = ""  # the Italian header: the field's "it" term in the schema


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """Strip ``X | None`` and ``Annotated`` layers; report whether None was allowed."""
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(annotation))
            annotation = args[0]
        else:
            return annotation, optional


def _is_text(annotation: Any) -> bool:
    """A free-text field (not an id, not a code), marked with ``FreeText`` in its type."""
    if any(isinstance(meta, FreeText) for meta in getattr(annotation, "__metadata__", ())):
        return True
    return any(_is_text(arg) for arg in typing.get_args(annotation))


def _kind(annotation: Any, metadata: Iterable[Any] = ()) -> str:
    if any(isinstance(meta, FreeText) for meta in metadata):
        return "text"
    inner, _ = _unwrap(annotation)
    origin = typing.get_origin(inner)
    if origin in (frozenset, set, list, tuple):
        return "textset" if _is_text(typing.get_args(inner)[0]) else "set"
    if origin is dict:
        return "map"
    if inner is bool:
        return "bool"
    if inner is dt.date:
        return "date"
    return "text" if _is_text(annotation) else "scalar"


def _columns_of(model: type[BaseModel]) -> list[_Column]:
    out: list[_Column] = []
    for name, info in model.model_fields.items():
        inner, optional = _unwrap(info.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            if inner is not Location:
                continue  # nested tables (a site's positions) live in their own table
            for sub, sub_info in inner.model_fields.items():
                kind = _kind(sub_info.annotation, sub_info.metadata)
                out.append(_Column(sub, (name, sub), kind, sub_info.is_required(), optional, _italian(sub_info)))
            continue
        item = typing.get_args(inner)[0] if typing.get_origin(inner) is tuple else None
        if isinstance(item, type) and issubclass(item, BaseModel):
            continue
        kind = _kind(info.annotation, info.metadata)
        out.append(_Column(name, (name,), kind, info.is_required(), it=_italian(info)))
    return out


def _italian(info: Any) -> str:
    extra = info.json_schema_extra
    return str(extra["it"]) if isinstance(extra, dict) and "it" in extra else ""


_SPECS: dict[str, list[_Column]] = {t: _columns_of(m) for t, m in PROFILE_TYPES.items()}
_SPECS["positions"].insert(0, _Column("site_id", ("site_id",), "scalar", True, it="sede"))
_SPECS["round"] = [
    _Column("key", ("key",), "scalar", True, it="chiave"),
    _Column("value", ("value",), "text", True, it="valore"),
]


def columns(table: str, lang: str = "en") -> list[str]:
    """The columns of ``table``, in order: as named in files (``"en"``) or as headed for Italian offices (``"it"``).

    The Italian headers are the schema's ``"it"`` term of each field. The lists of
    the two languages are parallel, so ``dict(zip(columns(t, "it"), columns(t)))``
    maps an Italian header to its column; readers and the blank workbook
    (``matchwork template``) both take the headers from here.

    Examples
    --------
    >>> columns("positions")[:3]
    ['site_id', 'id', 'title']
    >>> columns("positions", "it")[:3]
    ['sede', 'codice', 'mansione']
    """
    choice("lang", lang, Lang)
    return [c.it if lang == "it" else c.name for c in _spec(table)]


def _dtype(table: str, col: _Column) -> Any:
    """The pandas dtype of a column in :func:`typed`: what a notebook user would expect of it."""
    if col.kind == "bool":
        return "boolean"
    if col.kind != "scalar" or table == "round":
        return "string"  # text, dates as ISO text, lists as `;`-joined text
    model: Any = PROFILE_TYPES.get(table)
    if col.path[0] == "location":
        model = Location
    info = model.model_fields.get(col.path[-1]) if model is not None else None
    inner, _ = _unwrap(info.annotation) if info is not None else (str, False)
    if isinstance(inner, type) and issubclass(inner, Enum):
        return pd.CategoricalDtype([m.value for m in inner])
    if inner is int:
        return "Int64"
    if inner is float:
        return "Float64"
    return "string"


def typed(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (cells as :func:`records_to_frame` gives them) with each column in its pandas dtype.

    Numbers are ``Float64`` / ``Int64``, yes/no ``boolean``, vocabulary codes ``category``
    (with every allowed code as a category), everything else ``string``; all of them keep
    an empty cell as ``<NA>``. :func:`frame_to_records` reads the result back unchanged.
    """
    dtypes = {c.name: _dtype(table, c) for c in _spec(table) if c.name in frame.columns}
    return frame.astype(dtypes)


def sheet_name(table: str, lang: str = "en") -> str:
    """The sheet of ``table`` in a workbook: its name (``"en"``) or its Italian name (``"it"``).

    >>> sheet_name("guides", "it")
    'lavoratori guida'
    """
    _spec(table)
    return say(f"table.{table}", lang)


def _spec(table: str) -> list[_Column]:
    if table not in _SPECS:
        raise ValueError(f"unknown table {table!r}; expected one of {', '.join(TABLES)}")
    return _SPECS[table]


# ---------------------------------------------------------------- records → cells


def _escape(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _unescape(text: str) -> str:
    return text[1:] if text.startswith("'") else text


def _code(value: Any) -> str:
    return str(value.value) if isinstance(value, Enum) else str(value)


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind in ("set", "textset"):
        items = sorted(_code(v) for v in value)
        if kind == "textset":
            items = [_escape(i) for i in items]
        return LIST_SEP.join(items) if items else None
    if kind == "map":
        return LIST_SEP.join(f"{_code(k)}:{v}" for k, v in sorted(value.items(), key=lambda kv: _code(kv[0]))) or None
    if kind == "date":
        return value.isoformat()
    if kind == "text":
        return _escape(value)
    if isinstance(value, Enum):
        return value.value
    return value


def records_to_frame(table: str, records: Iterable[BaseModel | Mapping[str, Any]]) -> pd.DataFrame:
    """A DataFrame of ``table`` from models (or their dicts), one row per record.

    For ``positions``, pass dicts with a ``site_id`` key beside the position's fields.
    """
    spec = _spec(table)
    rows = []
    for record in records:
        if isinstance(record, BaseModel):
            data = record.model_dump()
        else:
            data = dict(record)
        row = {}
        for col in spec:
            value: Any = data
            for part in col.path:
                value = None if value is None else value.get(part)
            row[col.name] = _cell(value, col.kind)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[c.name for c in spec], dtype=object)
    return frame


# ---------------------------------------------------------------- cells → records


def _text_of(value: Any) -> str | None:
    """A cell as text, or None when empty; Excel numbers and dates come back as typed."""
    if value is None:
        return None
    if isinstance(value, float):
        if np.isnan(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, np.floating):
        return _text_of(float(value))
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is pd.NaT or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def _parse(text: str, kind: str) -> Any:
    if kind in ("set", "textset"):
        items = [i.strip() for i in text.split(LIST_SEP)]
        items = [i for i in items if i]
        return [_unescape(i) for i in items] if kind == "textset" else items
    if kind == "map":
        out: dict[str, Any] = {}
        for item in text.split(LIST_SEP):
            item = item.strip()
            if not item:
                continue
            key, sep, level = item.partition(":")
            # a missing level is left for validation to reject as "not an integer"
            out[key.strip()] = level.strip() if sep else ""
        return out
    if kind == "text":
        return _unescape(text)
    return text


def _parse_column(values: list[Any], kind: str) -> list[Any]:
    if all(type(v) is str for v in values):  # CSV cells: text already, the common case
        texts: list[str | None] = [v.strip() or None for v in values]
    else:
        texts = [_text_of(v) for v in values]
    cache: dict[str, Any] = {}
    out: list[Any] = []
    for text in texts:
        if text is None:
            out.append(None)
        elif kind in ("scalar", "bool", "date"):
            out.append(text)
        else:
            if text not in cache:
                cache[text] = _parse(text, kind)
            value = cache[text]
            out.append(value.copy() if isinstance(value, (list, dict)) else value)
    return out


def frame_to_records(table: str, frame: pd.DataFrame) -> tuple[list[dict[str, Any]], list[int], list[Problem]]:
    """Plain records from a DataFrame of ``table``, with their lines and any problems.

    Returns ``(records, lines, problems)``: one dict per row, ready for the table's
    model; the line of each row as a spreadsheet shows it (the header is line 1);
    and the problems found with the columns (missing, unknown, misnamed).
    """
    spec = _spec(table)
    known = {c.name for c in spec}
    problems: list[Problem] = []
    present = [str(c).strip() for c in frame.columns]
    for position, name in enumerate(present):
        if name in known:
            continue
        if name.startswith("Unnamed:"):  # a column without header: an error only if it holds data
            if any(_text_of(v) is not None for v in frame.iloc[:, position].tolist()):
                problems.append(Problem(table, f"column {position + 1}", "a header naming this column"))
            continue
        hint = suggest(name, sorted(known))
        problems.append(Problem(table, name, "no such column" + (f" (did you mean {hint!r}?)" if hint else "")))
    for spec_col in spec:
        if spec_col.required and not spec_col.optional_parent and spec_col.name not in present:
            problems.append(Problem(table, spec_col.name, f"a column named {spec_col.name!r} (it is required)"))
    problems += _location_columns(table, spec, set(present))

    frame = frame.set_axis(present, axis=1)
    usable = [c for c in spec if c.name in present]
    parsed = {c.name: _parse_column(frame[c.name].tolist(), c.kind) for c in usable}
    records: list[dict[str, Any]] = [{} for _ in range(len(frame))]
    for col in usable:
        values = parsed[col.name]
        if len(col.path) == 1:
            key = col.path[0]
            for record, value in zip(records, values, strict=True):
                if value is not None:
                    record[key] = value
        else:
            outer, key = col.path
            for record, value in zip(records, values, strict=True):
                if value is not None:
                    record.setdefault(outer, {})[key] = value
    lines = list(range(2, len(frame) + 2))
    return records, lines, problems


def _location_columns(table: str, spec: list[_Column], present: set[str]) -> list[Problem]:
    """A place is ``lat`` and ``lon`` together, or a ``municipality``: one problem per missing column, not per row."""
    place = [c for c in spec if c.path[0] == "location"]
    if not place:
        return []
    has = {c.path[1] for c in place if c.name in present}
    if len(has & {"lat", "lon"}) == 1:
        (missing,) = {"lat", "lon"} - has
        return [Problem(table, missing, f"a column named {missing!r} beside {({'lat', 'lon'} - {missing}).pop()!r}")]
    if not has and not place[0].optional_parent:
        return [Problem(table, "municipality", "a column named 'municipality', or the columns 'lat' and 'lon'")]
    return []


# ---------------------------------------------------------------- files


def safe_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with text cells that a spreadsheet would run as a formula prefixed by ``'``.

    >>> safe_cells(pd.DataFrame({"name": ["=HYPERLINK(1)", "Anna"]}))["name"].tolist()
    ["'=HYPERLINK(1)", 'Anna']
    """
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_object_dtype(out[col]) or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: _escape(v) if isinstance(v, str) else v)
    return out


def write_csv_dir(frames: Mapping[str, pd.DataFrame], path: str | os.PathLike[str]) -> Path:
    """Write one UTF-8 CSV per table into the folder ``path``, atomically.

    The files are first written to a temporary folder beside ``path``, which then
    replaces it: a failed write leaves any previous folder as it was.
    """
    with atomic_folder(path) as tmp:
        for table, frame in frames.items():
            frame.to_csv(tmp / f"{table}.csv", index=False, encoding="utf-8", lineterminator="\n")
    return Path(path)


def read_csv_dir(path: str | os.PathLike[str]) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Read the CSV files of a round folder: ``candidates.csv``, ``guides.csv``…

    Every cell is read as text (no type guessing, no ``NA`` magic). Files must be
    UTF-8 and comma-separated; anything else is a :class:`Problem`, not a crash.
    """
    folder = Path(path)
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    if not folder.is_dir():
        return frames, [Problem(str(folder), None, "a folder of CSV files")]
    present = {p.stem: p for p in folder.glob("*.csv")}
    for name in sorted(set(present) - set(TABLES)):
        hint = suggest(name, list(TABLES))
        problems.append(
            Problem(f"{name}.csv", None, "no such table" + (f" (did you mean {hint}.csv?)" if hint else ""))
        )
    for table in TABLES:
        file = present.get(table)
        if file is None:
            if table in REQUIRED_TABLES:
                problems.append(Problem(f"{table}.csv", None, f"a file {table}.csv in {folder.name}"))
            continue
        try:
            raw = file.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            problems.append(
                Problem(table, None, f"a UTF-8 encoded file (byte {exc.start} is not UTF-8; save as 'CSV UTF-8')")
            )
            continue
        header = raw.split("\n", 1)[0]
        if header.count(";") > header.count(",") and header.count(";") > 0:
            problems.append(
                Problem(
                    table, None, "commas between columns (this file uses ';': save as 'CSV UTF-8 (comma delimited)')"
                )
            )
            continue
        if not raw.strip():
            frames[table] = pd.DataFrame(columns=columns(table), dtype=object)
            continue
        try:
            frames[table] = pd.read_csv(io.StringIO(raw), dtype=str, keep_default_na=False, na_filter=False)
        except (pd.errors.ParserError, ValueError) as exc:
            problems.append(Problem(table, None, f"a well-formed CSV file ({str(exc).splitlines()[0]})"))
    return frames, problems


_TEMPLATE_SHEETS = frozenset(say(f"template.sheet_{k}", lang) for k in ("instructions", "lists") for lang in LANGS)
"""The blank workbook's own sheets (``matchwork template``): instructions and word lists, not tables."""


def write_excel(frames: Mapping[str, pd.DataFrame], path: str | os.PathLike[str]) -> Path:
    """Write one sheet per table into an ``.xlsx`` workbook, atomically."""
    with atomic_file(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for table, frame in frames.items():
            frame.to_excel(writer, sheet_name=table, index=False)
    return Path(path)


def read_excel(path: str | os.PathLike[str]) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Read a round workbook: one sheet per table, named as the tables are."""
    file = Path(path)
    if not file.is_file():
        return {}, [Problem(str(file), None, "an Excel workbook (.xlsx) at this path")]
    try:
        sheets = pd.read_excel(file, sheet_name=None, dtype=object, engine="openpyxl", keep_default_na=False)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        return {}, [Problem(file.name, None, f"an Excel .xlsx workbook ({type(exc).__name__})")]
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    by_name = {str(name).strip(): frame for name, frame in sheets.items() if str(name).strip() not in _TEMPLATE_SHEETS}
    for name in sorted(set(by_name) - set(TABLES)):
        hint = suggest(name, list(TABLES))
        problems.append(
            Problem(f"sheet {name!r}", None, "no such sheet" + (f" (did you mean {hint!r}?)" if hint else ""))
        )
    for table in TABLES:
        if table in by_name:
            frames[table] = by_name[table]
        elif table in REQUIRED_TABLES:
            problems.append(Problem(table, None, f"a sheet named {table!r} in the workbook"))
    return frames, problems


def _json_default(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def write_json(document: Mapping[str, Any], path: str | os.PathLike[str] | None = None) -> str:
    """The round document as JSON text, also written atomically to ``path`` if given."""
    text = json.dumps(document, ensure_ascii=False, indent=1, default=_json_default, sort_keys=False)
    if path is not None:
        with atomic_file(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
    return text


def read_json(source: str | os.PathLike[str] | Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """A round document from a JSON file, JSON text or an already-parsed mapping."""
    if isinstance(source, Mapping):
        doc: Any = dict(source)
    else:
        text = str(source)
        try:
            if not text.lstrip().startswith("{"):
                text = Path(source).read_text(encoding="utf-8")
            doc = json.loads(text)
        except (OSError, UnicodeDecodeError) as exc:
            return {}, [Problem(str(source)[:80], None, f"a readable UTF-8 JSON file ({type(exc).__name__})")]
        except json.JSONDecodeError as exc:
            return {}, [Problem("json", None, f"valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")]
    if not isinstance(doc, dict):
        return {}, [Problem("json", None, "a JSON object with one list per table")]
    problems = []
    known = {*PROFILE_TYPES, "name", "date", "region", "review", "matchwork"} - {"positions"}
    for key in sorted(set(doc) - known):
        hint = suggest(key, sorted(known))
        problems.append(Problem(key, None, "no such table" + (f" (did you mean {hint!r}?)" if hint else "")))
    for table in [*PROFILE_TYPES, "positions"]:
        if table in doc and not isinstance(doc[table], list):
            problems.append(Problem(table, None, "a list of records"))
    return doc, problems


def site_records_with_positions(
    sites: list[dict[str, Any]], positions: Mapping[str, list[Any]]
) -> list[dict[str, Any]]:
    """Attach each site's positions (already validated) to its record."""
    return [{**s, "positions": positions.get(str(s.get("id")), [])} for s in sites]
