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

import csv
import dataclasses
import datetime as dt
import difflib
import errno
import io
import json
import math
import os
import re
import types
import typing
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from matchwork._validation import Lang, choice
from matchwork.errors import Problem
from matchwork.i18n import LANGS, TEXTS
from matchwork.i18n import text as say
from matchwork.io.atomic import atomic_file, atomic_folder
from matchwork.io.outputs import stable_zip
from matchwork.model.profiles import PROFILE_TYPES, FreeText, Location, SectorCode
from matchwork.model.vocab import suggest

__all__ = [
    "MAX_CELL",
    "MAX_FILE_MB",
    "MAX_UNPACKED_MB",
    "OPTIONAL_TABLES",
    "REQUIRED_TABLES",
    "ROUND_KEYS",
    "TABLES",
    "CellError",
    "TableRead",
    "ateco_codes_equal_to",
    "column_of",
    "columns",
    "frame_to_records",
    "json_bytes",
    "normalize",
    "read_csv_dir",
    "read_csv_text",
    "read_excel",
    "read_json",
    "read_sheet",
    "read_table",
    "records_to_frame",
    "round_key_of",
    "sheet_name",
    "site_records_with_positions",
    "table_of",
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


_SECTOR_META = typing.get_args(SectorCode)[1:]


def _is_sector(annotation: Any, metadata: Iterable[Any] = ()) -> bool:
    """Whether a field holds ATECO codes: its type, or its metadata once Pydantic unwrapped it, is ``SectorCode``."""
    if annotation == SectorCode or all(m in list(metadata) for m in _SECTOR_META):
        return True
    return any(_is_sector(a) for a in typing.get_args(annotation))


def _kind(annotation: Any, metadata: Iterable[Any] = ()) -> str:
    if any(isinstance(meta, FreeText) for meta in metadata):
        return "text"
    inner, _ = _unwrap(annotation)
    origin = typing.get_origin(inner)
    if origin in (frozenset, set, list, tuple):
        item = typing.get_args(inner)[0]
        return "textset" if _is_text(item) else "sectorset" if _is_sector(item) else "set"
    if origin is dict:
        return "map"
    if inner is bool:
        return "bool"
    if inner is dt.date:
        return "date"
    if _is_sector(annotation, metadata):
        return "sector"
    if inner in (int, float):
        return "number"
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
    if col.kind not in ("scalar", "number") or table == "round":
        return "string"  # text, dates as ISO text, sector codes, lists as `;`-joined text
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
    if kind in ("set", "textset", "sectorset"):
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


# ---------------------------------------------------------------- limits

MAX_CELL = 32_767
"""The most characters a cell may hold (Excel's own limit): a longer cell is a problem, not minutes of work."""
MAX_ITEMS = 1_000
"""The most items a list cell may hold."""
MAX_FILE_MB = 256
"""The largest CSV or JSON file read, in MB."""
MAX_UNPACKED_MB = 512
"""The most a workbook may unpack to, in MB: a small "zip bomb" is refused before it is opened."""
MAX_JSON_DEPTH = 64
"""The deepest nesting a JSON round document may have."""


# ---------------------------------------------------------------- names as offices type them


def normalize(name: Any) -> str:
    """A header or table name reduced for comparison: no accents, no case, one space between words.

    >>> normalize(" Disponibilità "), normalize("max_commute_km"), normalize("Équipe di cura")
    ('disponibilita', 'max commute km', 'equipe di cura')
    """
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.split(r"[^0-9a-z]+", text)).strip()


def _italian_of(model: type[BaseModel], field: str) -> str | None:
    info = model.model_fields.get(field)
    extra = info.json_schema_extra if info is not None else None
    return str(extra["it"]) if isinstance(extra, dict) and "it" in extra else None


def _aliases(table: str) -> dict[str, str]:
    """Every accepted spelling of each column of ``table`` (normalized) → the column."""
    out: dict[str, str] = {}
    model = PROFILE_TYPES.get(table)
    for col in _SPECS[table]:
        names = [col.name, col.it or ""]  # the Italian header the blank workbook writes
        if len(col.path) == 2:
            names.append(_italian_of(Location, col.path[1]) or "")
        elif model is not None and col.name in model.model_fields:
            names.append(_italian_of(model, col.name) or "")
        if f"column.{col.name}" in TEXTS:
            names += list(TEXTS[f"column.{col.name}"])
        for name in names:
            if name:
                out.setdefault(normalize(name), col.name)
    return out


_ALIASES: dict[str, dict[str, str]] = {t: _aliases(t) for t in TABLES}
_TABLE_NAMES: dict[str, str] = {normalize(n): t for t in TABLES for n in (t, *TEXTS[f"table.{t}"])}
_ROUND_KEYS: dict[str, str] = {normalize(n): k for k in ROUND_KEYS for n in (k, *TEXTS[f"column.{k}"])}
_ROUND_KEYS |= {normalize(n): k for n, k in (("stato", "status"), ("responsabile degli inserimenti", "reviewer"))}


def table_of(name: Any) -> str | None:
    """The table a sheet or file name stands for, in English or Italian, or None.

    >>> table_of("Lavoratori guida"), table_of("candidates"), table_of("people")
    ('guides', 'candidates', None)
    """
    return _TABLE_NAMES.get(normalize(name))


def round_key_of(name: Any) -> str | None:
    """The key of the ``round`` table a cell stands for, in English or Italian (``data`` → ``date``), or None.

    >>> round_key_of("stato"), round_key_of("Esito"), round_key_of("approvato il"), round_key_of("colore")
    ('status', 'status', 'approved_at', None)
    """
    return _ROUND_KEYS.get(normalize(name))


def column_of(table: str, header: Any) -> str | None:
    """The column a header stands for, in English or Italian (the schema's ``it`` term), or None.

    >>> column_of("candidates", "Distanza massima"), column_of("sites", "latitudine")
    ('max_commute_km', 'lat')
    """
    return _ALIASES[table].get(normalize(header))


# ---------------------------------------------------------------- cells → records


class CellError:
    """A spreadsheet cell that holds no value: an error (``#DIV/0!``) or a formula never calculated."""

    __slots__ = ("code",)

    def __init__(self, code: str):
        self.code = code

    def __repr__(self) -> str:
        return f"CellError({self.code!r})"


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
        return None if value is pd.NaT else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is pd.NaT or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


_ITALIAN_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+$")
_YES = {"si", "sì", "s", "vero", "v", "x"}
_NO = {"falso"}


def _number(text: str) -> str:
    """``12,5`` → ``12.5`` and ``1.234,5`` → ``1234.5``; anything else as it is."""
    if _ITALIAN_NUMBER.match(text):
        return text.replace(".", "").replace(",", ".")
    return text


def _boolean(text: str) -> str:
    low = text.strip().lower()
    if low in _YES:
        return "true"
    if low in _NO:
        return "false"
    return text


def _items(text: str) -> list[str]:
    return [i.strip() for i in _LIST_SPLIT.split(text) if i.strip()]


_LIST_SPLIT = re.compile(r"[;,]")


def _parse(text: str, kind: str) -> Any:
    if kind in ("set", "textset", "sectorset"):
        items = _items(text)
        if kind == "sectorset":
            items = [_sector_text(i) for i in items]
        return [_unescape(i) for i in items] if kind == "textset" else items
    if kind == "map":
        out: dict[str, Any] = {}
        for item in _items(text):
            key, sep, level = item.partition(":")
            # a missing level is left for validation to reject as "not an integer"
            out[key.strip()] = level.strip() if sep else ""
        return out
    if kind == "text":
        return _unescape(text)
    if kind == "number":
        return _number(text)
    if kind == "bool":
        return _boolean(text)
    if kind == "sector":
        return _sector_text(text)
    return text


def _sector_text(text: str) -> str:
    return text.replace(",", ".") if re.match(r"^\d{2},\d{1,2}$", text) else text


ATECO_EDITION = "2022"
"""The ``ateco`` edition codes are checked against: ATECO 2007 as updated in 2022, whose sections are matchwork's."""


def ateco_codes_equal_to(number: float | int) -> list[str]:
    """The ATECO codes whose number is ``number``: what a code was before Excel made it a number.

    ``52.10`` typed in Excel becomes 52.1, which is group ``52.1`` or class ``52.10``; a
    lost leading zero comes back (1.11 → ``01.11``).

    >>> ateco_codes_equal_to(52.1), ateco_codes_equal_to(1.11), ateco_codes_equal_to(81.21)
    (['52.1', '52.10'], ['01.11'], ['81.21'])
    """
    import ateco

    x = float(number)
    if not math.isfinite(x) or x < 0:
        return []
    forms: list[str] = []
    if x < 100:
        whole = int(x)
        if float(whole) == x:
            forms.append(f"{whole:02d}")
        for digits in (1, 2):
            shown = f"{x:.{digits}f}"
            if float(shown) == x:
                forms.append(f"{whole:02d}.{shown.split('.')[1]}")
    elif x.is_integer() and x < 1_000_000:
        compact = f"{int(x):06d}"
        forms.append(f"{compact[:2]}.{compact[2:4]}.{compact[4:]}")
    return [f for f in dict.fromkeys(forms) if ateco.lookup(f, edition=ATECO_EDITION) is not None]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


@dataclasses.dataclass
class TableRead:
    """A table read from cells: records, where each was, and what was found on the way."""

    records: list[dict[str, Any]]
    lines: list[int]
    problems: list[Problem]
    warnings: list[Problem]
    notes: dict[int, dict[str, str]]  # record position → {header: text}
    headers: dict[str, str]  # column → header as the table spells it


def _lines_of(frame: pd.DataFrame) -> list[int]:
    if frame.index.name == "line" and pd.api.types.is_integer_dtype(frame.index):
        return [int(i) for i in frame.index]
    return list(range(2, len(frame) + 2))


def read_table(table: str, frame: pd.DataFrame) -> TableRead:
    """Plain records from a DataFrame of ``table``, with their lines, problems, warnings and notes.

    Headers may be English (``max_commute_km``) or Italian (``distanza massima``), in
    any case and with or without accents. A column matchwork does not know is kept
    as a note with a warning, unless it looks like a misspelt known column (then
    it is a problem with a "did you mean"). Lines are the frame's index when it is
    named ``line`` (as the readers of this module give it), else the row's position
    plus 2 (the header is line 1).
    """
    spec = {c.name: c for c in _spec(table)}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    lines = _lines_of(frame)
    used: dict[str, int] = {}  # column → position in the frame
    headers: dict[str, str] = {}
    note_columns: list[tuple[int, str]] = []
    seen: dict[str, list[str]] = {}
    for position, raw in enumerate(frame.columns):
        header = "" if raw is None else str(raw).strip()
        column = column_of(table, header) if header else None
        if column is not None:
            seen.setdefault(column, []).append(header)
            if column not in used:
                used[column], headers[column] = position, header
            continue
        values = frame.iloc[:, position].tolist()
        if not header or header.startswith("Unnamed:") or normalize(header) == "":
            if any(_cell_text(v) is not None for v in values):
                problems.append(Problem.of("column_unnamed", table, f"column {position + 1}"))
            continue
        close = difflib.get_close_matches(normalize(header), list(_ALIASES[table]), n=1, cutoff=0.8)
        if close:  # a misspelt known column: its data must not silently become a note
            problems.append(Problem.of("column_unknown", table, header, hint=_ALIASES[table][close[0]]))
            continue
        note_columns.append((position, header))
        warnings.append(Problem.of("column_extra", table, header))
    for column, spelled in seen.items():
        if len(spelled) > 1:
            problems.append(Problem.of("column_twice", table, column, n=len(spelled)))
    for col in spec.values():
        if col.required and not col.optional_parent and col.name not in used:
            italian = [n for n, c in _ALIASES[table].items() if c == col.name and n != normalize(col.name)]
            name = repr(col.name) + (f" / {italian[0]!r}" if italian else "")
            problems.append(Problem.of("column_required", table, col.name, name=name))
    problems += _location_columns(table, list(spec.values()), set(used))

    records: list[dict[str, Any]] = [{} for _ in range(len(frame))]
    for column, position in used.items():
        col = spec[column]
        values = frame.iloc[:, position].tolist()
        parsed = _parse_column(table, col, values, lines, problems, warnings)
        if len(col.path) == 1:
            key = col.path[0]
            for record, value in zip(records, parsed, strict=True):
                if value is not None:
                    record[key] = value
        else:
            outer, key = col.path
            for record, value in zip(records, parsed, strict=True):
                if value is not None:
                    record.setdefault(outer, {})[key] = value
    notes: dict[int, dict[str, str]] = {}
    for position, header in note_columns:
        for row, value in enumerate(frame.iloc[:, position].tolist()):
            text = _cell_text(value)
            if text is not None and not isinstance(value, CellError):
                notes.setdefault(row, {})[header] = text[:MAX_CELL]
    return TableRead(records, lines, problems, warnings, notes, headers)


def _cell_text(value: Any) -> str | None:
    if isinstance(value, CellError):
        return value.code
    if type(value) is str:
        return value.strip() or None
    return _text_of(value)


def _parse_column(
    table: str,
    col: _Column,
    values: list[Any],
    lines: list[int],
    problems: list[Problem],
    warnings: list[Problem],
) -> list[Any]:
    cache: dict[str, Any] = {}
    out: list[Any] = []
    for row, value in enumerate(values):
        line = lines[row]
        if isinstance(value, CellError):
            key = "formula_no_value" if value.code == "formula" else "error_cell"
            problems.append(Problem.of(key, table, col.name, code=value.code, row=row, line=line))
            out.append(None)
            continue
        if col.kind in ("sector", "sectorset") and _is_number(value) and not _is_nan(value):
            codes = ateco_codes_equal_to(value)
            number = _text_of(value)
            if len(codes) == 1:
                warnings.append(
                    Problem.of("sector_restored", table, col.name, value=number, code=codes[0], row=row, line=line)
                )
                out.append(codes if col.kind == "sectorset" else codes[0])
                continue
            if len(codes) > 1:
                problems.append(
                    Problem.of(
                        "sector_ambiguous",
                        table,
                        col.name,
                        value=number,
                        row=row,
                        line=line,
                        number=number,
                        codes=tuple(codes),
                    )
                )
                out.append(None)
                continue
        text = value.strip() or None if type(value) is str else _text_of(value)
        if text is None:
            out.append(None)
            continue
        if len(text) > MAX_CELL:
            problems.append(
                Problem.of("cell_too_long", table, col.name, limit=MAX_CELL, size=len(text), row=row, line=line)
            )
            out.append(None)
            continue
        if col.kind in ("scalar", "date"):
            out.append(text)
            continue
        if text not in cache:
            cache[text] = _parse(text, col.kind)
        parsed = cache[text]
        size = len(parsed) if isinstance(parsed, (list, dict)) else 0
        if size > MAX_ITEMS:
            problems.append(
                Problem.of("too_many_items", table, col.name, limit=MAX_ITEMS, size=size, row=row, line=line)
            )
            out.append(None)
            continue
        out.append(parsed.copy() if isinstance(parsed, (list, dict)) else parsed)
    return out


def _is_nan(value: Any) -> bool:
    return isinstance(value, (float, np.floating)) and bool(np.isnan(value))


def frame_to_records(table: str, frame: pd.DataFrame) -> tuple[list[dict[str, Any]], list[int], list[Problem]]:
    """Plain records from a DataFrame of ``table``, with their lines and any problems.

    Returns ``(records, lines, problems)``: one dict per row, ready for the table's
    model; the line of each row as a spreadsheet shows it (the header is line 1);
    and the problems found with the columns and cells. :func:`read_table` says more
    (warnings, notes).
    """
    read = read_table(table, frame)
    return read.records, read.lines, read.problems


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
        text_column = pd.api.types.is_object_dtype(out[col]) or pd.api.types.is_string_dtype(out[col])
        # the rare formula-like cell is looked for first (one pass over a list): the column is rebuilt only for it
        if text_column and any(isinstance(v, str) and v.startswith(_FORMULA_START) for v in out[col].tolist()):
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


def _unreadable(path: Path, exc: OSError | None = None) -> str:
    """Why a path cannot be read, as a reason key."""
    if path.is_symlink() and not path.exists():
        try:
            path.resolve(strict=True)
        except RuntimeError:
            return "loop"
        except OSError as err:
            return "loop" if err.errno == errno.ELOOP else "dangling"
        return "dangling"
    if path.is_dir():
        return "folder"
    if isinstance(exc, PermissionError):
        return "denied"
    if exc is not None and exc.errno == errno.ELOOP:
        return "loop"
    return "other"


def _unreadable_problem(table: str, path: Path, exc: OSError | None = None) -> Problem:
    reason = _unreadable(path, exc)
    return Problem.of(f"unreadable_{reason}", table, error=type(exc).__name__ if exc is not None else None)


def _read_text(path: Path, table: str) -> tuple[str | None, Problem | None]:
    try:
        if not path.is_file():
            return None, _unreadable_problem(table, path)
        size = path.stat().st_size
        if size > MAX_FILE_MB * 2**20:
            return None, Problem.of("too_big", table, limit=MAX_FILE_MB, size=round(size / 2**20))
        raw = path.read_bytes()
    except OSError as exc:
        return None, _unreadable_problem(table, path, exc)
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, Problem.of("csv_encoding", table, byte=exc.start)


def _split_header(raw: str) -> str:
    return re.split(r"\r\n|\r|\n", raw, maxsplit=1)[0]


def _delimiter(table: str, header: str) -> str:
    """``,`` or ``;``: whichever splits the header into more known columns (Italian Excel saves with ``;``)."""
    best, score = ",", -1
    for sep in (",", ";"):
        try:
            cells = next(csv.reader([header], delimiter=sep), [])
        except csv.Error:
            continue
        known = sum(column_of(table, c) is not None for c in cells)
        if known > score:
            best, score = sep, known
    return best


def read_csv_text(table: str, raw: str) -> tuple[pd.DataFrame, list[Problem]]:
    """A CSV file's text as a frame of text cells indexed by line, and its problems.

    Lines are counted as a spreadsheet shows them (a cell spanning several text
    lines is one row; an empty line is an empty row, skipped but counted). Columns
    may be separated by ``,`` or ``;``; any line end works (``\\n``, ``\\r\\n``, ``\\r``).
    """
    problems: list[Problem] = []
    if "\x00" in raw:
        return pd.DataFrame(), [Problem.of("csv_nul", table)]
    header_line = _split_header(raw)
    reader = csv.reader(io.StringIO(raw, newline=""), delimiter=_delimiter(table, header_line), strict=False)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    number = 0
    limit = csv.field_size_limit(MAX_FILE_MB * 2**20)  # a long cell is a located problem below, not a lost table
    try:
        for cells in reader:
            number += 1
            if header is None:
                if not any(c.strip() for c in cells):
                    continue
                header = cells
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                if any(c.strip() for c in cells[len(header) :]):
                    problems.append(Problem.of("csv_cells", table, line=number, n=len(header), size=len(cells)))
                    continue
                cells = cells[: len(header)]
            rows.append(cells + [""] * (len(header) - len(cells)))
            lines.append(number)
    except csv.Error as exc:
        problems.append(Problem.of("csv_malformed", table, line=number + 1, detail=str(exc)))
    finally:
        csv.field_size_limit(limit)
    if header is None:
        return pd.DataFrame(columns=columns(table), dtype=object), problems
    frame = pd.DataFrame(rows, columns=pd.Index(header, dtype=object), dtype=object)
    frame.index = pd.Index(lines, name="line", dtype="int64")
    return frame, problems


def read_csv_dir(path: str | os.PathLike[str]) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Read the CSV files of a round folder: ``candidates.csv`` or ``candidati.csv``…

    Every cell is read as text (no type guessing, no ``NA`` magic). Files must be
    UTF-8; anything else is a :class:`Problem`, not a crash. Frames come indexed by
    the line each row has in the file (see :func:`read_csv_text`).
    """
    folder = Path(path)
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    if not folder.is_dir():
        return frames, [Problem.of("not_a_folder", str(folder))]
    try:
        entries = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv")
    except OSError as exc:
        return frames, [_unreadable_problem(str(folder), folder, exc)]
    found: dict[str, list[Path]] = {}
    for entry in entries:
        table = table_of(entry.stem)
        if table is None:
            hint = suggest(entry.stem, list(TABLES))
            problems.append(Problem.of("table_unknown", entry.name, hint=f"{hint}.csv" if hint else None))
            continue
        found.setdefault(table, []).append(entry)
    for table in TABLES:
        files = found.get(table)
        if not files:
            if table in REQUIRED_TABLES:
                problems.append(Problem.of("file_required", f"{table}.csv", name=f"{table}.csv"))
            continue
        if len(files) > 1:
            problems.append(Problem.of("file_twice", table, name=", ".join(f.name for f in files)))
            continue
        raw, problem = _read_text(files[0], table)
        if problem is not None or raw is None:
            problems.append(problem or _unreadable_problem(table, files[0]))
            continue
        frame, found_problems = read_csv_text(table, raw)
        frames[table] = frame
        problems += found_problems
    return frames, problems


_TEMPLATE_SHEETS = frozenset(say(f"template.sheet_{k}", lang) for k in ("instructions", "lists") for lang in LANGS)
"""The blank workbook's own sheets (``matchwork template``): instructions and word lists, not tables."""


def write_excel(frames: Mapping[str, pd.DataFrame], path: str | os.PathLike[str]) -> Path:
    """Write one sheet per table into an ``.xlsx`` workbook, atomically (the same frames give the same bytes)."""
    with atomic_file(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for table, frame in frames.items():
                frame.to_excel(writer, sheet_name=table, index=False)
        stable_zip(tmp)
    return Path(path)


def _workbook_guard(file: Path) -> Problem | None:
    """Refuse a workbook that is not a zip, or would unpack to more than :data:`MAX_UNPACKED_MB`."""
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return Problem.of("workbook", file.name, detail=type(exc).__name__)
    claimed = sum(max(i.file_size, 0) for i in infos)
    if claimed > MAX_UNPACKED_MB * 2**20 or len(infos) > 10_000:
        return Problem.of("workbook_bomb", file.name, limit=MAX_UNPACKED_MB, size=round(claimed / 2**20))
    return None


def _sheet_rows(workbook: Any, sheet: Any) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """The rows of a read-only sheet as parsed, sparse: only the rows and cells the file holds."""
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["data_type"] = "formula"  # a formula Excel never calculated: no saved value
            return cell

    with workbook._archive.open(sheet._worksheet_path) as source:
        parser = Parser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        yield from parser.parse()


def _cell_value(cell: dict[str, Any]) -> Any:
    kind = cell["data_type"]
    if kind == "formula":
        return CellError("formula")
    if kind == "e":
        return CellError(str(cell["value"]))
    return cell["value"]


def _frame_of_rows(rows: Iterable[tuple[int, dict[int, Any]]]) -> pd.DataFrame:
    """A sheet's non-empty rows (row number → {column number: value}) as a frame indexed by row number."""
    header: list[Any] | None = None
    body: list[list[Any]] = []
    lines: list[int] = []
    extra: list[Any] = []  # a value beyond the header, as a marker column
    for number, given in rows:
        values = {k: v for k, v in given.items() if not (isinstance(v, str) and not v.strip())}
        if not values:
            continue
        if header is None:
            width = max(values)
            if width > 16_384:
                break
            header = [values.get(i) for i in range(1, width + 1)]
            continue
        width = len(header)
        if max(values) > width:
            extra.append((number, max(values)))
            if min(values) > width:
                continue
        body.append([values.get(i) for i in range(1, width + 1)])
        lines.append(number)
    if header is None:
        return pd.DataFrame()
    names = [_header_text(h) for h in header]
    frame = pd.DataFrame(body, columns=pd.Index(names, dtype=object), dtype=object)
    frame.index = pd.Index(lines, name="line", dtype="int64")
    if extra:
        frame.attrs["beyond_header"] = extra
    return frame


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, CellError):
        return value.code
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))  # a header typed as a number: 2026, not 2026.0 (as openpyxl gives it)
    return str(value)


def read_sheet(workbook: Any, sheet: Any) -> pd.DataFrame:
    """One sheet as a frame indexed by its row numbers; errors and uncalculated formulas as :class:`CellError`."""
    rows = (
        (number, {c["column"]: _cell_value(c) for c in cells if c["value"] is not None or c["data_type"] == "formula"})
        for number, cells in _sheet_rows(workbook, sheet)
    )
    return _frame_of_rows(rows)


def _tables_of(names: Iterable[str]) -> tuple[dict[str, list[str]], list[Problem]]:
    """Which sheet holds which table: the template's own sheets skipped, unknown names a problem each."""
    problems: list[Problem] = []
    found: dict[str, list[str]] = {}
    for given in names:
        name = str(given).strip()
        if name in _TEMPLATE_SHEETS:  # the blank workbook's instructions and lists
            continue
        table = table_of(name)
        if table is None:
            hint = suggest(name, list(TABLES))
            problems.append(Problem.of("sheet_unknown", f"sheet {name!r}", hint=hint))
            continue
        found.setdefault(table, []).append(given)
    return found, problems


def _read_tables(
    names: Iterable[str], read: Callable[[str], pd.DataFrame]
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Every table of a workbook whose sheets are ``names``, each read by ``read(sheet name)``."""
    found, problems = _tables_of(names)
    frames: dict[str, pd.DataFrame] = {}
    for table in TABLES:
        sheets = found.get(table)
        if not sheets:
            if table in REQUIRED_TABLES:
                problems.append(Problem.of("sheet_required", table, name=repr(table)))
            continue
        if len(sheets) > 1:
            problems.append(Problem.of("sheet_twice", table, name=", ".join(repr(s) for s in sheets)))
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                frame = read(sheets[0])
        except Exception as exc:  # a damaged sheet: say which, never crash
            problems.append(Problem.of("workbook", table, detail=type(exc).__name__))
            continue
        for line, column in frame.attrs.pop("beyond_header", [])[:1]:
            problems.append(Problem.of("column_unnamed", table, f"column {column}", line=line))
        frames[table] = frame
    return frames, problems


CALAMINE_MAX_CELLS = 20_000_000
"""The largest area (rows × columns, empty cells included) a sheet may span to be read by calamine, which holds
it dense in memory; a sheet claiming more (a stray cell at XFD1048576) is streamed by openpyxl instead."""

_XML_ERROR = re.compile(rb'<c\b[^>]*\bt="e"')
_XML_FORMULA_NO_VALUE = re.compile(rb"(?:</f>|<f\b[^>]*/>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>")
_XML_FAR = re.compile(rb'<c r="([A-Z]{2,3}[0-9]+|[A-Z][0-9]{6,})"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _calamine_reads_alike(file: Path) -> bool:
    """Whether calamine gives exactly the cells openpyxl would for this workbook.

    Calamine reads an error cell (``#DIV/0!``) and a formula with no saved value as
    an empty cell, where matchwork names the problem; and it holds a sheet dense, so
    a cell claimed at the last row and column would exhaust memory. Workbooks with
    either (rare: checked on the raw sheet XML, without parsing it) are read by
    openpyxl; so are sheets written in a form this check does not know (prefixed
    XML, cells without their reference).
    """
    try:
        with zipfile.ZipFile(file) as archive:
            for info in archive.infolist():
                if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                    continue
                data = archive.read(info)
                if b"<sheetData" not in data:
                    if b"sheetData" in data:
                        return False  # a namespace prefix: not the form checked below
                    continue
                if data.count(b"<c ") + data.count(b"<c>") != data.count(b'<c r="'):
                    return False
                if b't="e"' in data and _XML_ERROR.search(data):  # the literal first: a fast scan
                    return False
                if b"<f" in data and _XML_FORMULA_NO_VALUE.search(data):
                    return False
                rows, cols = 99_999, 26
                for ref in _XML_FAR.findall(data):
                    letters = ref.rstrip(b"0123456789")
                    cols = max(cols, _column_number(letters))
                    rows = max(rows, int(ref[len(letters) :]))
                if rows * cols > CALAMINE_MAX_CELLS:
                    return False
    except Exception:  # a damaged member (zlib.error, a bad zip…): openpyxl reads it and names the problem
        return False
    return True


def _as_openpyxl(value: Any) -> Any:
    """A calamine cell as openpyxl gives it: a date as a midnight datetime (numbers differ only as 62.0 and 62)."""
    if type(value) is dt.date:
        return dt.datetime(value.year, value.month, value.day)
    return value


def _calamine_sheet(book: Any, name: str) -> pd.DataFrame:
    """One sheet read by calamine, as :func:`read_sheet` reads it with openpyxl (row and column numbers kept)."""
    sheet = book.get_sheet_by_name(name)
    start = sheet.start
    if start is None:
        return pd.DataFrame()
    top, left = start[0] + 1, start[1] + 1

    def cells(row: list[Any]) -> dict[int, Any]:
        return {left + j: _as_openpyxl(v) for j, v in enumerate(row) if v != ""}

    return _frame_of_rows((top + i, cells(row)) for i, row in enumerate(sheet.to_python(skip_empty_area=True)))


def _read_excel_calamine(file: Path) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    import python_calamine

    with python_calamine.load_workbook(file) as book:
        names = [m.name for m in book.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
        return _read_tables(names, lambda name: _calamine_sheet(book, name))


def _read_excel_openpyxl(file: Path) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        return {}, [Problem.of("workbook", file.name, detail=type(exc).__name__)]
    try:
        sheets = {str(s.title): s for s in workbook.worksheets}
        return _read_tables(list(sheets), lambda name: read_sheet(workbook, sheets[name]))
    finally:
        workbook.close()


def read_excel(path: str | os.PathLike[str]) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Read a round workbook: one sheet per table, named in English or Italian (``candidates``, ``candidati``).

    The workbook is checked before it is opened (:data:`MAX_UNPACKED_MB`). Cells are
    read by calamine (python-calamine, the engine of ``pandas.read_excel(engine="calamine")``,
    8-10× faster than openpyxl), except in a workbook holding an error cell, a
    formula with no saved value or a sheet claiming more than
    :data:`CALAMINE_MAX_CELLS` cells, which openpyxl streams: calamine would read the
    first two as empty cells and hold the third dense in memory. Either way only the
    cells the workbook holds are kept, formulas are never run (a cell gives the
    value Excel saved; an error value or a formula with no saved value is a
    problem) and frames come indexed by the sheet's row numbers.
    """
    file = Path(path)
    if not file.is_file():
        return {}, [Problem.of("no_path", str(file))]
    guard = _workbook_guard(file)
    if guard is not None:
        return {}, [guard]
    if _calamine_reads_alike(file):
        try:
            return _read_excel_calamine(file)
        except Exception:  # anything calamine cannot read, openpyxl reads or names the problem
            pass
    return _read_excel_openpyxl(file)


def _json_default(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def json_bytes(document: Any, *, indent: bool = True) -> bytes:
    """JSON as UTF-8 bytes through orjson (10-20x faster than the standard library, a fraction of its memory).

    Keys keep their order; sets are written sorted, dates in ISO form, NaN as
    ``null``; ``indent`` indents by two spaces. The standard ``json`` module reads
    the result back.

    >>> import datetime as dt
    >>> json_bytes({"b": {2, 1}, "a": dt.date(2026, 1, 2), "x": float("nan")}, indent=False)
    b'{"b":[1,2],"a":"2026-01-02","x":null}'
    """
    import orjson

    option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
    return orjson.dumps(document, default=_json_default, option=option)


def write_json(document: Mapping[str, Any], path: str | os.PathLike[str] | None = None) -> str:
    """The round document as JSON text, also written atomically to ``path`` if given."""
    raw = json_bytes(document)
    if path is not None:
        with atomic_file(path) as tmp:
            tmp.write_bytes(raw)
    return raw.decode("utf-8")


def _depth(doc: Any, limit: int) -> bool:
    """Whether ``doc`` nests deeper than ``limit`` (iteratively, so a hostile file cannot exhaust the stack)."""
    stack = [(doc, 1)]
    while stack:
        node, level = stack.pop()
        if level > limit:
            return True
        if isinstance(node, dict):
            stack += [(v, level + 1) for v in node.values()]
        elif isinstance(node, list):
            stack += [(v, level + 1) for v in node]
    return False


def read_json(source: str | os.PathLike[str] | Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """A round document from a JSON file, JSON text or an already-parsed mapping.

    A path (``Path``) is always a file; a string is a file if one exists there, else
    JSON text if it starts with ``{``.
    """
    if isinstance(source, Mapping):
        doc: Any = dict(source)
    else:
        is_text = isinstance(source, str) and source.lstrip().startswith("{") and not _is_file(source)
        if is_text:
            raw: str | None = str(source)
        else:
            raw, problem = _read_text(Path(source), "json")
            if problem is not None:
                if problem.key == "csv_encoding":
                    problem = Problem.of("json_file", "json", detail="UTF-8")
                return {}, [problem]
        try:
            doc = json.loads(raw or "")
        except json.JSONDecodeError as exc:
            return {}, [Problem.of("json", "json", at_line=exc.lineno, at_col=exc.colno, detail=exc.msg)]
        except RecursionError:
            return {}, [Problem.of("json_depth", "json", limit=MAX_JSON_DEPTH)]
    if not isinstance(doc, dict):
        return {}, [Problem.of("json_object", "json")]
    if _depth(doc, MAX_JSON_DEPTH):
        return {}, [Problem.of("json_depth", "json", limit=MAX_JSON_DEPTH)]
    problems = []
    known = {*PROFILE_TYPES, *ROUND_KEYS, "review", "matchwork", "notes"} - {"positions"}
    for key in sorted(set(doc) - known, key=str):
        hint = suggest(str(key), sorted(known))
        problems.append(Problem.of("table_unknown", str(key)[:80], hint=hint))
    for table in [*PROFILE_TYPES, "positions"]:
        if table in doc and not isinstance(doc[table], list):
            problems.append(Problem.of("json_list", table))
    return doc, problems


def _is_file(text: str) -> bool:
    try:
        return len(text) < 4096 and Path(text).is_file()
    except (OSError, ValueError):
        return False


def site_records_with_positions(
    sites: list[dict[str, Any]], positions: Mapping[str, list[Any]]
) -> list[dict[str, Any]]:
    """Attach each site's positions (already validated) to its record."""
    return [{**s, "positions": positions.get(str(s.get("id")), [])} for s in sites]
