"""A placement round: one validated cohort of people, places and the ties between them.

A :class:`Round` checks what no single record can: ids unique across all roles,
every reference resolving (a guide's site and position, a relationship's ends, an
existing pairing, a pin, a forbidden pair, a candidate's exclusions), and
capacities consistent with the load already carried. It reads and writes every
table format of :mod:`matchwork.io.tables`.

Examples
--------
>>> import matchwork as mw
>>> rnd = mw.Round(
...     candidates=[{"id": "C1", "name": "Anna", "area": "Mantova",
...                  "location": {"lat": 45.156, "lon": 10.791}}],
...     sites=[{"id": "S1", "name": "Coop Verde", "sector": "81.30", "area": "Mantova",
...             "location": {"lat": 45.16, "lon": 10.80}, "headcount": 12,
...             "positions": [{"id": "P1", "title": "giardiniere"}]}],
...     guides=[{"id": "G1", "name": "Bruno", "site_id": "S1", "can_lead": True}],
...     date="2026-01-12",
... )
>>> rnd
Round('round', 2026-01-12: 1 candidates, 1 guides, 0 peers, 1 sites, 1 positions)
>>> mw.Round(candidates=[], sites=[], guides=[])  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
matchwork.errors.RoundValidationError: 3 problems in the round:
  candidates: expected at least one candidate
...
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
from pydantic import BaseModel, TypeAdapter, ValidationError

from matchwork import _gc
from matchwork.errors import Problem, RoundValidationError, problems_from_pydantic
from matchwork.io import tables as tb
from matchwork.model.profiles import (
    PROFILE_TYPES,
    Candidate,
    Forbid,
    GuideWorker,
    Pairing,
    PeerSupporter,
    Pin,
    PlacementSite,
    Position,
    Relationship,
)
from matchwork.model.vocab import Role, suggest

__all__ = ["Round"]

_PEOPLE = ("candidates", "guides", "peers", "sites")
_TIES = ("relationships", "pairings", "pins", "forbids")
_LOCATION_COLUMNS: dict[tuple[str, ...], str] = {
    ("location", "lat"): "lat",
    ("location", "lon"): "lon",
    ("location", "municipality"): "municipality",
}


class _Table:
    """The records of one table as given, with where each came from."""

    def __init__(self, name: str, items: Sequence[Any], lines: Sequence[int] | None = None):
        self.name = name
        self.items = list(items)
        self.lines = list(lines) if lines is not None else None
        self.models: list[Any] = []
        self.problems: list[Problem] = []

    def line(self, row: int) -> int | None:
        return self.lines[row] if self.lines is not None else None

    def record_id(self, row: int) -> str | None:
        item = self.items[row]
        get = item.get if isinstance(item, Mapping) else functools.partial(getattr, item)
        for key in ("id", "candidate_id"):
            try:
                value = get(key, None)
            except TypeError:
                value = None
            if value is not None:
                partner = get("partner_id", None) if key == "candidate_id" else None
                return f"{value}→{partner}" if partner is not None else str(value)
        return None

    def problem(self, row: int, column: str | None, expected: str, value: Any = None) -> Problem:
        return Problem(
            self.name,
            column,
            expected,
            value=None if value is None else str(value),
            row=row,
            line=self.line(row),
            record_id=self.record_id(row),
        )

    def validate(self, model: type[BaseModel]) -> None:
        """Validate every record; keep the valid models (None where invalid) and every problem."""
        if all(isinstance(i, model) for i in self.items):
            self.models = list(self.items)
            return
        if not all(isinstance(i, (Mapping, model)) for i in self.items):
            for row, item in enumerate(self.items):
                if not isinstance(item, (Mapping, model)):
                    self.problems.append(self.problem(row, None, f"a {model.__name__} or a mapping of its fields"))
            return
        try:
            self.models = _adapter(model).validate_python(self.items)
            return
        except ValidationError:
            pass
        self.models = []
        for row, item in enumerate(self.items):
            try:
                self.models.append(item if isinstance(item, model) else model.model_validate(item))
            except ValidationError as exc:
                self.models.append(None)
                self.problems += problems_from_pydantic(
                    exc,
                    self.name,
                    model,
                    row=row,
                    line=self.line(row),
                    record_id=self.record_id(row),
                    column_of=_LOCATION_COLUMNS,
                )

    def raw(self, row: int, key: str) -> Any:
        """A field of a record as given (or as validated), even when the record is invalid."""
        model = self.models[row] if self.models else None
        if model is not None:
            return getattr(model, key, None)
        item = self.items[row]
        return item.get(key) if isinstance(item, Mapping) else getattr(item, key, None)


@functools.cache
def _adapter(model: type[BaseModel]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


class Round:
    """One validated cohort: the four lists, the ties between people, the pairings in place.

    Parameters
    ----------
    candidates, guides, peers, sites : sequence of profiles or mappings
        The people and places of the round; mappings are validated into
        :class:`~matchwork.profiles.Candidate` and friends. A site carries its positions.
    relationships : sequence of Relationship or mappings
        Ties between two people (therapeutic, family, conflict, failed pairing).
    pairings : sequence of Pairing or mappings
        Pairings already in place from earlier rounds.
    pins, forbids : sequence of Pin / Forbid or mappings
        Pairs the office forces or forbids.
    name : str
        A name for the round, e.g. ``"Mantova 2026-Q1"``.
    date : datetime.date or ISO string, optional
        The day placements start; decides which peer supporters are still new.
        Defaults to today.

    Raises
    ------
    RoundValidationError
        Listing every problem of every table, located by table, row and column.

    Notes
    -----
    Records are kept sorted by id, so two rounds with the same records in any
    order are equal and match identically.
    """

    def __init__(
        self,
        candidates: Iterable[Candidate | Mapping[str, Any]] = (),
        guides: Iterable[GuideWorker | Mapping[str, Any]] = (),
        peers: Iterable[PeerSupporter | Mapping[str, Any]] = (),
        sites: Iterable[PlacementSite | Mapping[str, Any]] = (),
        *,
        relationships: Iterable[Relationship | Mapping[str, Any]] = (),
        pairings: Iterable[Pairing | Mapping[str, Any]] = (),
        pins: Iterable[Pin | Mapping[str, Any]] = (),
        forbids: Iterable[Forbid | Mapping[str, Any]] = (),
        name: str = "round",
        date: dt.date | str | None = None,
    ):
        given = {
            "candidates": candidates,
            "guides": guides,
            "peers": peers,
            "sites": sites,
            "relationships": relationships,
            "pairings": pairings,
            "pins": pins,
            "forbids": forbids,
        }
        self._init_from({name_: _Table(name_, list(items)) for name_, items in given.items()}, name=name, date=date)

    # ------------------------------------------------------------ construction

    def _init_from(
        self,
        tables: dict[str, _Table],
        *,
        name: str,
        date: dt.date | str | None,
        problems: Sequence[Problem] = (),
        positions: _Table | None = None,
    ) -> None:
        with _gc.paused():
            self._validate_and_keep(tables, name=name, date=date, problems=problems, positions=positions)

    def _validate_and_keep(
        self,
        tables: dict[str, _Table],
        *,
        name: str,
        date: dt.date | str | None,
        problems: Sequence[Problem],
        positions: _Table | None,
    ) -> None:
        found = list(problems)
        for table in tables.values():
            table.validate(PROFILE_TYPES[table.name])
            if table.name == "sites" and positions is not None:
                # a site's positions come from the positions table, whose problems are already listed
                bad = {positions.raw(r, "site_id") for r, m in enumerate(positions.models) if m is None}
                table.problems = [
                    p for p in table.problems if not (p.column or "").startswith("positions") or p.record_id not in bad
                ]
            found += table.problems
        meta_name, meta_date, meta_problems = _meta(name, date)
        found += meta_problems
        found += _Checks(tables, positions, broken={p.table for p in problems if p.row is None}).run()
        found = _without_cascades(found)
        if found:
            raise RoundValidationError(found)

        def valid(table: str) -> tuple[Any, ...]:
            return tuple(m for m in tables[table].models if m is not None)

        self._name = meta_name
        self._date = meta_date
        self._candidates: tuple[Candidate, ...] = tuple(sorted(valid("candidates"), key=lambda m: m.id))
        self._guides: tuple[GuideWorker, ...] = tuple(sorted(valid("guides"), key=lambda m: m.id))
        self._peers: tuple[PeerSupporter, ...] = tuple(sorted(valid("peers"), key=lambda m: m.id))
        self._sites: tuple[PlacementSite, ...] = tuple(
            _positions_sorted(s) for s in sorted(valid("sites"), key=lambda m: m.id)
        )
        self._relationships: tuple[Relationship, ...] = tuple(
            sorted(valid("relationships"), key=lambda r: (r.a, r.b, r.kind.value))
        )
        self._pairings: tuple[Pairing, ...] = tuple(
            sorted(valid("pairings"), key=lambda p: (p.candidate_id, p.role.value, p.partner_id))
        )
        self._pins: tuple[Pin, ...] = tuple(sorted(valid("pins"), key=_tie_key))
        self._forbids: tuple[Forbid, ...] = tuple(sorted(valid("forbids"), key=_tie_key))

    @classmethod
    def _from_tables(
        cls,
        records: Mapping[str, Sequence[Any]],
        lines: Mapping[str, Sequence[int] | None],
        *,
        name: str,
        date: dt.date | str | None,
        problems: Sequence[Problem] = (),
        positions: _Table | None = None,
    ) -> Round:
        self = cls.__new__(cls)
        tables = {t: _Table(t, records.get(t, ()), lines.get(t)) for t in (*_PEOPLE, *_TIES)}
        self._init_from(tables, name=name, date=date, problems=problems, positions=positions)
        return self

    # ------------------------------------------------------------ data

    @property
    def name(self) -> str:
        """The round's name."""
        return self._name

    @property
    def date(self) -> dt.date:
        """The day placements start."""
        return self._date

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        """The candidates, sorted by id."""
        return self._candidates

    @property
    def guides(self) -> tuple[GuideWorker, ...]:
        """The guide workers, sorted by id."""
        return self._guides

    @property
    def peers(self) -> tuple[PeerSupporter, ...]:
        """The peer supporters, sorted by id."""
        return self._peers

    @property
    def sites(self) -> tuple[PlacementSite, ...]:
        """The placement sites with their positions, sorted by id."""
        return self._sites

    @property
    def relationships(self) -> tuple[Relationship, ...]:
        """Ties between people, sorted."""
        return self._relationships

    @property
    def pairings(self) -> tuple[Pairing, ...]:
        """Pairings already in place from earlier rounds."""
        return self._pairings

    @property
    def pins(self) -> tuple[Pin, ...]:
        """Pairs the office forces."""
        return self._pins

    @property
    def forbids(self) -> tuple[Forbid, ...]:
        """Pairs the office forbids."""
        return self._forbids

    @functools.cached_property
    def positions(self) -> tuple[tuple[str, Position], ...]:
        """Every position as ``(site_id, position)``, in site then position order."""
        return tuple((s.id, p) for s in self._sites for p in s.positions)

    @functools.cached_property
    def relationship_graph(self) -> nx.MultiGraph:
        """The relationships as a NetworkX multigraph; each edge's key is its kind.

        >>> from matchwork import synth
        >>> g = synth.round(40, seed=1).relationship_graph
        >>> all(k in {"therapeutic", "family", "conflict", "failed_pairing"} for _, _, k in g.edges(keys=True))
        True
        """
        graph = nx.MultiGraph()
        for r in self._relationships:
            graph.add_edge(r.a, r.b, key=r.kind.value, kind=r.kind)
        return graph

    def role_of(self, id_: str) -> str | None:
        """Which table an id belongs to: ``"candidate"``, ``"guide"``, ``"peer"``, ``"site"``,
        ``"position"``, or None."""
        return self._roles.get(id_)

    @functools.cached_property
    def _roles(self) -> dict[str, str]:
        roles = {c.id: "candidate" for c in self._candidates}
        roles |= {g.id: "guide" for g in self._guides}
        roles |= {p.id: "peer" for p in self._peers}
        roles |= {s.id: "site" for s in self._sites}
        roles |= {p.id: "position" for _, p in self.positions}
        return roles

    def summary(self) -> dict[str, int]:
        """Counts of each kind of record.

        >>> from matchwork import synth
        >>> synth.round(30, seed=0).summary()["candidates"]
        30
        """
        return {
            "candidates": len(self._candidates),
            "guides": len(self._guides),
            "peers": len(self._peers),
            "sites": len(self._sites),
            "positions": len(self.positions),
            "relationships": len(self._relationships),
            "pairings": len(self._pairings),
            "pins": len(self._pins),
            "forbids": len(self._forbids),
        }

    def replace(self, **changes: Any) -> Round:
        """A new round with some lists or the name or date replaced; validated again.

        >>> from matchwork import synth
        >>> rnd = synth.round(30, seed=0)
        >>> rnd.replace(peers=[]).summary()["peers"]
        0
        """
        fields: dict[str, Any] = {
            "candidates": self._candidates,
            "guides": self._guides,
            "peers": self._peers,
            "sites": self._sites,
            "relationships": self._relationships,
            "pairings": self._pairings,
            "pins": self._pins,
            "forbids": self._forbids,
            "name": self._name,
            "date": self._date,
        }
        unknown = set(changes) - set(fields)
        if unknown:
            raise TypeError(f"Round.replace() got unknown fields {sorted(unknown)}; expected some of {list(fields)}")
        fields.update(changes)
        return Round(**fields)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Round):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self._name, self._date, len(self._candidates)))

    def _key(self) -> tuple[Any, ...]:
        return (
            self._name,
            self._date,
            self._candidates,
            self._guides,
            self._peers,
            self._sites,
            self._relationships,
            self._pairings,
            self._pins,
            self._forbids,
        )

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"Round({self._name!r}, {self._date.isoformat()}: {s['candidates']} candidates, {s['guides']} guides, "
            f"{s['peers']} peers, {s['sites']} sites, {s['positions']} positions)"
        )

    def _repr_html_(self) -> str:
        """The round in Jupyter: its name, date and the count of each kind of record."""
        import html

        cells = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in self.summary().items())
        title = html.escape(f"{self._name} – {self._date.isoformat()}")
        return f"<div><b>Round</b> {title}<table>{cells}</table></div>"

    # ------------------------------------------------------------ tables out

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """One DataFrame per table, including ``positions`` and the ``round`` key/value table."""
        frames = {
            "candidates": tb.records_to_frame("candidates", self._candidates),
            "guides": tb.records_to_frame("guides", self._guides),
            "peers": tb.records_to_frame("peers", self._peers),
            "sites": tb.records_to_frame("sites", self._sites),
            "positions": tb.records_to_frame(
                "positions", [{"site_id": s, **p.model_dump()} for s, p in self.positions]
            ),
            "relationships": tb.records_to_frame("relationships", self._relationships),
            "pairings": tb.records_to_frame("pairings", self._pairings),
            "pins": tb.records_to_frame("pins", self._pins),
            "forbids": tb.records_to_frame("forbids", self._forbids),
        }
        frames["round"] = tb.records_to_frame(
            "round", [{"key": "name", "value": self._name}, {"key": "date", "value": self._date.isoformat()}]
        )
        return frames

    def to_csv_dir(self, path: str | os.PathLike[str]) -> Path:
        """Write the round as a folder of CSV files (atomically); returns the folder."""
        return tb.write_csv_dir(self.to_frames(), path)

    def to_excel(self, path: str | os.PathLike[str]) -> Path:
        """Write the round as an Excel workbook, one sheet per table (atomically)."""
        return tb.write_excel(self.to_frames(), path)

    def to_dict(self) -> dict[str, Any]:
        """The round as a JSON-ready document (sites carry their positions)."""

        def dump(models: Iterable[BaseModel]) -> list[dict[str, Any]]:
            return [m.model_dump(mode="json") for m in models]

        doc: dict[str, Any] = {"matchwork": 1, "name": self._name, "date": self._date.isoformat()}
        for table in (*_PEOPLE, *_TIES):
            doc[table] = dump(getattr(self, table))
        for records in doc.values():
            if isinstance(records, list):
                for record in records:
                    _sort_lists(record)
        return doc

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        """The round as JSON text; also written (atomically) to ``path`` if given."""
        return tb.write_json(self.to_dict(), path)

    # ------------------------------------------------------------ tables in

    @classmethod
    def from_frames(cls, frames: Mapping[str, pd.DataFrame], *, name: str | None = None) -> Round:
        """A round from one DataFrame per table (as :meth:`to_frames` gives).

        ``candidates``, ``guides``, ``sites`` and ``positions`` are required; the
        other tables may be left out. Every problem of every table is raised at once
        as a :class:`~matchwork.errors.RoundValidationError`.
        """
        return cls._from_table_frames(dict(frames), [], name=name)

    @classmethod
    def from_csv_dir(cls, path: str | os.PathLike[str], *, name: str | None = None) -> Round:
        """A round from a folder of UTF-8 CSV files named after the tables."""
        frames, problems = tb.read_csv_dir(path)
        return cls._from_table_frames(frames, problems, name=name)

    @classmethod
    def from_excel(cls, path: str | os.PathLike[str], *, name: str | None = None) -> Round:
        """A round from an Excel workbook with one sheet per table."""
        frames, problems = tb.read_excel(path)
        return cls._from_table_frames(frames, problems, name=name)

    @classmethod
    def from_json(cls, source: str | os.PathLike[str] | Mapping[str, Any]) -> Round:
        """A round from a JSON file, JSON text or a parsed document (:meth:`to_dict`)."""
        doc, problems = tb.read_json(source)
        records: dict[str, list[Any]] = {t: doc[t] if isinstance(doc.get(t), list) else [] for t in (*_PEOPLE, *_TIES)}
        if problems and not any(records.values()):
            raise RoundValidationError(problems)
        return cls._from_tables(
            records,
            {},
            name=doc.get("name", "round"),
            date=doc.get("date"),
            problems=problems,
        )

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Round:
        """A round from a workbook (``.xlsx``), a JSON file (``.json``) or a CSV folder."""
        p = Path(path)
        if p.is_dir():
            return cls.from_csv_dir(p)
        if p.suffix.lower() == ".json":
            return cls.from_json(p)
        if p.suffix.lower() in (".xlsx", ".xlsm"):
            return cls.from_excel(p)
        raise RoundValidationError(
            [Problem(str(p), None, "an Excel workbook (.xlsx), a JSON file (.json) or a folder of CSV files")]
        )

    @classmethod
    def _from_table_frames(cls, frames: dict[str, pd.DataFrame], problems: list[Problem], *, name: str | None) -> Round:
        with _gc.paused():
            return cls._from_frames_unpaused(frames, problems, name=name)

    @classmethod
    def _from_frames_unpaused(
        cls, frames: dict[str, pd.DataFrame], problems: list[Problem], *, name: str | None
    ) -> Round:
        problems = list(problems)
        records: dict[str, list[Any]] = {}
        lines: dict[str, list[int] | None] = {}
        for table in tb.TABLES:
            if table not in frames:
                if table in tb.REQUIRED_TABLES and not any(p.table in (table, f"{table}.csv") for p in problems):
                    problems.append(Problem(table, None, f"a table named {table!r}"))
                continue
            recs, lns, found = tb.frame_to_records(table, frames[table])
            records[table], lines[table] = recs, lns
            problems += found
        meta_rows = records.pop("round", [])
        meta = {str(r.get("key")): r.get("value") for r in meta_rows}
        for row, key in enumerate(meta):
            if key not in tb.ROUND_KEYS:
                round_lines = lines.get("round")
                line = round_lines[row] if round_lines else None
                problems.append(Problem("round", "key", "one of: name, date", value=key, row=row, line=line))
        positions = _positions_table(records.pop("positions", []), lines.pop("positions", None))
        problems += positions.problems
        if "sites" in records:
            records["sites"] = tb.site_records_with_positions(records["sites"], _valid_by_site(positions))
        return cls._from_tables(
            records,
            lines,
            name=name or meta.get("name") or "round",
            date=meta.get("date"),
            problems=problems,
            positions=positions,
        )


def _positions_sorted(site: PlacementSite) -> PlacementSite:
    ordered = tuple(sorted(site.positions, key=lambda p: p.id))
    return site if ordered == site.positions else site.model_copy(update={"positions": ordered})


def _tie_key(t: Pin | Forbid) -> tuple[str, str, str]:
    return (t.candidate_id, t.partner_id, t.role.value if t.role else "")


def _sort_lists(record: dict[str, Any]) -> None:
    for key, value in record.items():
        if isinstance(value, list) and value and not isinstance(value[0], dict):
            record[key] = sorted(value)
        elif isinstance(value, list):
            for item in value:
                _sort_lists(item)


def _meta(name: Any, date: Any) -> tuple[str, dt.date, list[Problem]]:
    problems = []
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        problems.append(Problem("round", "name", "a name of 1 to 200 characters", value=str(name)[:60]))
        name = "round"
    if date is None or date == "":
        return name.strip(), dt.date.today(), problems
    if isinstance(date, dt.datetime):
        return name.strip(), date.date(), problems
    if isinstance(date, dt.date):
        return name.strip(), date, problems
    try:
        return name.strip(), dt.date.fromisoformat(str(date).strip()[:10]), problems
    except ValueError:
        problems.append(Problem("round", "date", "a date as YYYY-MM-DD", value=str(date)[:60]))
        return name.strip(), dt.date.today(), problems


class _PositionsTable(_Table):
    """The positions table: Position records plus the ``site_id`` column that nests them."""

    def __init__(self, records: list[dict[str, Any]], lines: Sequence[int] | None):
        super().__init__("positions", records, lines)
        self.site_ids = [r.get("site_id") for r in records]

    def raw(self, row: int, key: str) -> Any:
        return self.site_ids[row] if key == "site_id" else super().raw(row, key)


def _positions_table(records: list[dict[str, Any]], lines: Sequence[int] | None) -> _PositionsTable:
    table = _PositionsTable(records, lines)
    table.items = [{k: v for k, v in r.items() if k != "site_id"} for r in records]
    table.validate(Position)
    if not table.models:
        table.models = [None] * len(table.items)
    table.problems += [
        table.problem(row, "site_id", "the id of a site") for row, site in enumerate(table.site_ids) if site is None
    ]
    return table


def _valid_by_site(table: _PositionsTable) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for site, model in zip(table.site_ids, table.models, strict=True):
        if site is not None and model is not None:
            out[str(site)].append(model)
    return out


class _Checks:
    """What no single record can check: unique ids, resolving references, consistent loads."""

    def __init__(self, tables: dict[str, _Table], positions: _Table | None = None, broken: set[str] | None = None):
        self.t = tables
        self.positions = positions
        # tables that could not be read at all: references into them are not checked
        self.broken = {b.removesuffix(".csv") for b in (broken or set())}
        self.problems: list[Problem] = []

    def run(self) -> list[Problem]:
        self._not_empty()
        ids = self._unique_ids()
        self._guides_resolve(ids)
        self._candidates_resolve(ids)
        self._relationships_resolve(ids)
        self._pairings_resolve(ids)
        self._pins_and_forbids(ids)
        self._loads()
        return self.problems

    # every check reads raw values, so that one bad field does not hide the rest
    def _rows(self, table: str) -> Iterable[tuple[int, Any]]:
        t = self.t[table]
        yield from enumerate(t.models or [None] * len(t.items))

    def _checkable(self, table: str) -> bool:
        """References into a table are checked only if it was read and is not empty."""
        return table not in self.broken and bool(self.t[table].items)

    def _not_empty(self) -> None:
        for table, what in (("candidates", "candidate"), ("sites", "site"), ("guides", "guide worker")):
            if not self.t[table].items and table not in self.broken:
                self.problems.append(Problem(table, None, f"at least one {what}"))

    def _unique_ids(self) -> dict[str, tuple[str, str | None]]:
        """Every id → (kind, site of a position); reports ids used twice."""
        seen: dict[str, tuple[str, int | None, str]] = {}
        ids: dict[str, tuple[str, str | None]] = {}

        def claim(id_: Any, table: _Table, row: int, kind: str, column: str, site: str | None = None) -> None:
            if not isinstance(id_, str):
                return
            if id_ in seen:
                _first_table, _first_row, first_where = seen[id_]
                self.problems.append(
                    table.problem(row, column, f"an id unique across the round (also used in {first_where})", id_)
                )
                return
            where = table.name + (f" line {table.line(row)}" if table.line(row) else f" row {row + 1}")
            seen[id_] = (table.name, row, where)
            ids[id_] = (kind, site)

        for table, kind in (("candidates", "candidate"), ("guides", "guide"), ("peers", "peer"), ("sites", "site")):
            t = self.t[table]
            for row in range(len(t.items)):
                claim(t.raw(row, "id"), t, row, kind, "id")
        if self.positions is not None:
            for row in range(len(self.positions.items)):
                pos = self.positions
                claim(pos.raw(row, "id"), pos, row, "position", "id", site=pos.raw(row, "site_id"))
            site_ids = {i for i, (k, _) in ids.items() if k == "site"}
            for row in range(len(self.positions.items)):
                site = self.positions.raw(row, "site_id")
                if isinstance(site, str) and site not in site_ids:
                    self._dangling(self.positions, row, "site_id", site, "a site", site_ids)
            return ids
        sites = self.t["sites"]
        for row in range(len(sites.items)):
            positions = sites.raw(row, "positions")
            for i, position in enumerate(positions if isinstance(positions, (list, tuple)) else []):
                pid = position.get("id") if isinstance(position, Mapping) else getattr(position, "id", None)
                claim(pid, sites, row, "position", f"positions[{i}].id", site=sites.raw(row, "id"))
        return ids

    def _dangling(self, table: _Table, row: int, column: str, value: str, what: str, pool: Iterable[str]) -> None:
        hint = suggest(value, sorted(pool)) if len(self.problems) < 200 else None
        self.problems.append(
            table.problem(row, column, f"the id of {what}" + (f" (did you mean {hint!r}?)" if hint else ""), value)
        )

    def _of_kind(self, ids: Mapping[str, tuple[str, str | None]], *kinds: str) -> list[str]:
        return [i for i, (k, _) in ids.items() if k in kinds]

    def _guides_resolve(self, ids: Mapping[str, tuple[str, str | None]]) -> None:
        t = self.t["guides"]
        if not self._checkable("sites"):
            return
        for row, _ in self._rows("guides"):
            site, position = t.raw(row, "site_id"), t.raw(row, "position_id")
            if isinstance(site, str) and ids.get(site, ("",))[0] != "site":
                self._dangling(t, row, "site_id", site, "a site", self._of_kind(ids, "site"))
            elif isinstance(position, str) and position in ids and ids[position][1] not in ids:
                continue  # the position's own site does not resolve: reported on the positions table
            elif isinstance(position, str) and ids.get(position) != ("position", site):
                pool = [i for i, v in ids.items() if v == ("position", site)]
                self._dangling(t, row, "position_id", position, f"a position of site {site}", pool)

    def _candidates_resolve(self, ids: Mapping[str, tuple[str, str | None]]) -> None:
        t = self.t["candidates"]
        partners = self._of_kind(ids, "guide", "peer", "site", "position")
        for row, _ in self._rows("candidates"):
            for other in sorted(_as_set(t.raw(row, "excluded_ids"))):
                if ids.get(other, ("",))[0] not in ("guide", "peer", "site", "position"):
                    self._dangling(
                        t,
                        row,
                        "excluded_ids",
                        other,
                        "a guide worker, peer supporter, site or position of the round",
                        partners,
                    )

    def _care_team_ids(self) -> set[str]:
        t = self.t["candidates"]
        return {m for row in range(len(t.items)) for m in _as_set(t.raw(row, "care_team"))}

    def _relationships_resolve(self, ids: Mapping[str, tuple[str, str | None]]) -> None:
        t = self.t["relationships"]
        if not self._checkable("candidates") or self.broken & {"guides", "peers", "sites"}:
            return
        known = set(ids) | self._care_team_ids()
        for row, _ in self._rows("relationships"):
            for end in ("a", "b"):
                value = t.raw(row, end)
                if isinstance(value, str) and value not in known:
                    self._dangling(t, row, end, value, "a person, site or care-team member of the round", known)

    def _partner_ok(self, role: Role | str | None, kind: str) -> bool:
        allowed = {
            "site": ("site", "position"),
            "lead_guide": ("guide",),
            "guide": ("guide",),
            "peer": ("peer",),
            None: ("site", "position", "guide", "peer"),
        }
        key = role.value if isinstance(role, Role) else role
        return kind in allowed.get(key, ())

    def _pairings_resolve(self, ids: Mapping[str, tuple[str, str | None]]) -> None:
        t = self.t["pairings"]
        single: Counter[tuple[str, str]] = Counter()
        for row, model in self._rows("pairings"):
            self._tie_resolves(t, row, ids)
            if model is not None and model.role != Role.GUIDE:
                single[(model.candidate_id, model.role.value)] += 1
                if single[(model.candidate_id, model.role.value)] == 2:
                    self.problems.append(
                        t.problem(
                            row, "role", f"at most one {model.role.value} pairing per candidate", model.role.value
                        )
                    )

    def _tie_resolves(self, t: _Table, row: int, ids: Mapping[str, tuple[str, str | None]]) -> None:
        candidate, partner, role = t.raw(row, "candidate_id"), t.raw(row, "partner_id"), t.raw(row, "role")
        if not self._checkable("candidates"):
            candidate = None
        if isinstance(candidate, str) and ids.get(candidate, ("",))[0] != "candidate":
            self._dangling(t, row, "candidate_id", candidate, "a candidate", self._of_kind(ids, "candidate"))
        if isinstance(partner, str):
            kind = ids.get(partner, ("",))[0]
            try:
                role_value: Role | None = Role(role) if role else None
            except ValueError:
                return  # reported by the record's own validation
            if kind == "" and self.broken & {"sites", "guides", "peers"}:
                return
            if kind == "":
                self._dangling(
                    t,
                    row,
                    "partner_id",
                    partner,
                    "a site, position, guide worker or peer supporter",
                    self._of_kind(ids, "site", "position", "guide", "peer"),
                )
            elif not self._partner_ok(role_value, kind):
                self.problems.append(
                    t.problem(row, "role", f"a role that a {kind} can play", role_value.value if role_value else "")
                )

    def _pins_and_forbids(self, ids: Mapping[str, tuple[str, str | None]]) -> None:
        forbidden: set[tuple[str, str]] = set()
        for row, model in self._rows("forbids"):
            self._tie_resolves(self.t["forbids"], row, ids)
            if model is not None:
                forbidden.add((model.candidate_id, model.partner_id))
        excluded = {(m.id, other) for m in self.t["candidates"].models if m is not None for other in m.excluded_ids}
        pins = self.t["pins"]
        per_role: dict[tuple[str, str], str] = {}
        for row, model in self._rows("pins"):
            self._tie_resolves(pins, row, ids)
            if model is None:
                continue
            pair = (model.candidate_id, model.partner_id)
            if pair in forbidden or pair in excluded:
                source = "the forbids table" if pair in forbidden else "the candidate's own exclusions"
                self.problems.append(
                    pins.problem(
                        row, "partner_id", f"a pair that is not forbidden (it is in {source})", model.partner_id
                    )
                )
            kind = ids.get(model.partner_id, ("",))[0]
            role = model.role.value if model.role else {"position": "site", "guide": "lead_guide"}.get(kind, kind)
            if role in ("site", "lead_guide", "peer"):
                key = (model.candidate_id, role)
                if key in per_role and per_role[key] != model.partner_id:
                    self.problems.append(
                        pins.problem(
                            row,
                            "partner_id",
                            f"one {role} pin per candidate (also pinned to {per_role[key]})",
                            model.partner_id,
                        )
                    )
                per_role.setdefault(key, model.partner_id)

    def _loads(self) -> None:
        """Loads carried must cover the pairings in place; pins must fit the openings."""
        guide_pairs: Counter[str] = Counter()
        position_pairs: Counter[str] = Counter()
        for _, m in self._rows("pairings"):
            if m is not None and m.role in (Role.LEAD_GUIDE, Role.GUIDE):
                guide_pairs[m.partner_id] += 1
            elif m is not None and m.role == Role.SITE:
                position_pairs[m.partner_id] += 1
        guides = self.t["guides"]
        for row, g in self._rows("guides"):
            if g is not None and g.current_mentees < guide_pairs[g.id]:
                self.problems.append(
                    guides.problem(
                        row,
                        "current_mentees",
                        f"at least {guide_pairs[g.id]}: the pairings table has that many newcomers with this guide",
                        g.current_mentees,
                    )
                )
        sites = self.t["sites"]
        pins_on: Counter[str] = Counter(m.partner_id for _, m in self._rows("pins") if m is not None)
        for row, s in self._rows("sites"):
            if s is None:
                continue
            placed_here = position_pairs[s.id] + sum(position_pairs[p.id] for p in s.positions)
            if s.trainees_present < placed_here:
                self.problems.append(
                    sites.problem(
                        row,
                        "trainees_present",
                        f"at least {placed_here}: the pairings table places that many trainees here",
                        s.trainees_present,
                    )
                )
            for p in s.positions:
                room = p.openings + position_pairs[p.id]
                if pins_on[p.id] > room:
                    self.problems.append(
                        sites.problem(
                            row, "positions", f"at most {room} pins on position {p.id} (its openings)", pins_on[p.id]
                        )
                    )
            room = sum(p.openings + position_pairs[p.id] for p in s.positions) + position_pairs[s.id]
            site_pins = pins_on[s.id] + sum(pins_on[p.id] for p in s.positions)
            if site_pins > room:
                self.problems.append(
                    sites.problem(row, "positions", f"at most {room} pins on site {s.id} (its openings)", site_pins)
                )


def _without_cascades(problems: list[Problem]) -> list[Problem]:
    """Drop per-row "missing value" problems of a column already reported missing as a whole."""
    missing_columns = {(p.table, p.column) for p in problems if p.row is None and p.column is not None}
    return [
        p
        for p in problems
        if p.row is None or (p.table, p.column) not in missing_columns or not p.expected.startswith("a value")
    ]


def _as_set(value: Any) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    try:
        return {str(v) for v in value}
    except TypeError:
        return set()
