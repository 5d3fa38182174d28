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

import dataclasses
import datetime as dt
import functools
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from pydantic import BaseModel

if TYPE_CHECKING:
    import networkx as nx

from matchwork import _gc
from matchwork.errors import InputWarning, Problem, RoundValidationError
from matchwork.io import tables as tb
from matchwork.io.atomic import atomic_file
from matchwork.model.profiles import (
    PROFILE_TYPES,
    Candidate,
    CompanyTutor,
    Cooperative,
    DeskOperator,
    Forbid,
    GuideWorker,
    Pairing,
    PeerSupporter,
    Pin,
    PlacementSite,
    Position,
    Relationship,
    Review,
)
from matchwork.model.validation import (
    RoundChecks,
    Table,
    positions_table,
    round_meta,
    round_review,
    valid_by_site,
    without_cascades,
)
from matchwork.model.vocab import Region, suggest

__all__ = ["Round"]

_PEOPLE = ("candidates", "guides", "peers", "sites", "tutors", "operators", "cooperatives")
_TIES = ("relationships", "pairings", "pins", "forbids")


class Round:
    """One validated cohort: the four lists, the ties between people, the pairings in place.

    Parameters
    ----------
    candidates, guides, peers, sites : sequence of profiles or mappings
        The people and places of the round; mappings are validated into
        :class:`~matchwork.profiles.Candidate` and friends. A site carries its positions.
    tutors, operators, cooperatives : sequence of profiles or mappings, optional
        Company tutors (:class:`~matchwork.model.profiles.CompanyTutor`), job-desk
        operators (:class:`~matchwork.model.profiles.DeskOperator`) and type-B
        cooperatives (:class:`~matchwork.model.profiles.Cooperative`).
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
    region : Region or str, optional
        The Italian region whose traineeship rules apply (``"lombardia"``…); the
        policy picks its legal rule set from it unless it names one.
    review : Review or mapping, optional
        Who reviews the round's matches (the responsabile degli inserimenti) and
        whether they approved them; by default a draft with no reviewer named.

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
        tutors: Iterable[CompanyTutor | Mapping[str, Any]] = (),
        operators: Iterable[DeskOperator | Mapping[str, Any]] = (),
        cooperatives: Iterable[Cooperative | Mapping[str, Any]] = (),
        relationships: Iterable[Relationship | Mapping[str, Any]] = (),
        pairings: Iterable[Pairing | Mapping[str, Any]] = (),
        pins: Iterable[Pin | Mapping[str, Any]] = (),
        forbids: Iterable[Forbid | Mapping[str, Any]] = (),
        name: str = "round",
        date: dt.date | str | None = None,
        region: Region | str | None = None,
        review: Review | Mapping[str, Any] | None = None,
    ):
        given = {
            "candidates": candidates,
            "guides": guides,
            "peers": peers,
            "sites": sites,
            "tutors": tutors,
            "operators": operators,
            "cooperatives": cooperatives,
            "relationships": relationships,
            "pairings": pairings,
            "pins": pins,
            "forbids": forbids,
        }
        tables = {name_: Table(name_, list(items)) for name_, items in given.items()}
        self._init_from(tables, name=name, date=date, region=region, review=review)

    # ------------------------------------------------------------ construction

    @_gc.paused
    def _init_from(
        self,
        tables: dict[str, Table],
        *,
        name: str,
        date: dt.date | str | None,
        region: Any = None,
        review: Any = None,
        problems: Sequence[Problem] = (),
        positions: Table | None = None,
        source: _Source | None = None,
    ) -> None:
        source = source or _Source()
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
        meta_name, meta_date, meta_problems = round_meta(name, date)
        found += meta_problems
        meta_region, meta_review, review_problems = round_review(region, review)
        found += review_problems
        found += RoundChecks(tables, positions, broken={p.table for p in problems if p.row is None}).run()
        found = [_with_header(p, source.headers) for p in without_cascades(found)]
        if found:
            raise RoundValidationError(found)
        self._warnings = tuple(_with_header(p, source.headers) for p in [*source.warnings, *_undated_peers(tables)])
        if self._warnings:
            warnings.warn(InputWarning(self._warnings), stacklevel=4)
        self._where: dict[tuple[str, str], tuple[int, int | None]] = {}
        self._notes: dict[str, dict[str, dict[str, str]]] = {}
        self._headers = source.headers
        for table in [*tables.values(), *([positions] if positions is not None else [])]:
            for row in range(len(table.items)):
                record = table.record_id(row)
                if record is not None:
                    self._where.setdefault((table.name, record), (row, table.line(row)))
            for row, note in source.notes.get(table.name, {}).items():
                record = table.record_id(row) if row < len(table.items) else None
                if record is not None:
                    self._notes.setdefault(table.name, {})[record] = note
        for noted, by_id in source.notes_by_id.items():
            self._notes.setdefault(noted, {}).update(by_id)

        def valid(table: str) -> tuple[Any, ...]:
            return tuple(m for m in tables[table].models if m is not None)

        self._name = meta_name
        self._date = meta_date
        self._region = meta_region
        self._review = meta_review
        self._candidates: tuple[Candidate, ...] = tuple(sorted(valid("candidates"), key=lambda m: m.id))
        self._guides: tuple[GuideWorker, ...] = tuple(sorted(valid("guides"), key=lambda m: m.id))
        self._peers: tuple[PeerSupporter, ...] = tuple(sorted(valid("peers"), key=lambda m: m.id))
        self._sites: tuple[PlacementSite, ...] = tuple(
            _positions_sorted(s) for s in sorted(valid("sites"), key=lambda m: m.id)
        )
        self._tutors: tuple[CompanyTutor, ...] = tuple(sorted(valid("tutors"), key=lambda m: m.id))
        self._operators: tuple[DeskOperator, ...] = tuple(sorted(valid("operators"), key=lambda m: m.id))
        self._cooperatives: tuple[Cooperative, ...] = tuple(sorted(valid("cooperatives"), key=lambda m: m.id))
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
        region: Any = None,
        review: Any = None,
        problems: Sequence[Problem] = (),
        positions: Table | None = None,
        source: _Source | None = None,
    ) -> Round:
        self = cls.__new__(cls)
        tables = {t: Table(t, records.get(t, ()), lines.get(t)) for t in (*_PEOPLE, *_TIES)}
        self._init_from(
            tables,
            name=name,
            date=date,
            region=region,
            review=review,
            problems=problems,
            positions=positions,
            source=source,
        )
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
    def region(self) -> Region | None:
        """The region whose traineeship rules apply, if stated."""
        return self._region

    @property
    def review(self) -> Review:
        """Who reviews the round's matches and whether they approved them (draft → approved)."""
        return self._review

    def approve(self, by: str | None = None, at: dt.datetime | None = None) -> Round:
        """The same round with its matches approved by ``by`` (default: the reviewer named) at ``at`` (now).

        >>> from matchwork import synth
        >>> rnd = synth.round(20, seed=0).approve(by="R. Rossi", at=dt.datetime(2026, 2, 2, 10, 30))
        >>> rnd.review.status.value, rnd.review.reviewer, rnd.review.approved_at.isoformat()
        ('approved', 'R. Rossi', '2026-02-02T10:30:00')
        """
        return self.replace(review=self._review.approve(by, at))

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
    def tutors(self) -> tuple[CompanyTutor, ...]:
        """The company tutors, sorted by id."""
        return self._tutors

    @property
    def operators(self) -> tuple[DeskOperator, ...]:
        """The job-desk operators, sorted by id."""
        return self._operators

    @property
    def cooperatives(self) -> tuple[Cooperative, ...]:
        """The type-B cooperatives whose teams are sites, sorted by id."""
        return self._cooperatives

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
    def site_positions(self) -> dict[str, tuple[str, ...]]:
        """Each site's position ids, in id order."""
        return {s.id: tuple(p.id for p in s.positions) for s in self._sites}

    @functools.cached_property
    def site_of_position(self) -> dict[str, str]:
        """The site of each position id."""
        return {p.id: s.id for s in self._sites for p in s.positions}

    @functools.cached_property
    def relationship_graph(self) -> nx.MultiGraph:
        """The relationships as a NetworkX multigraph; each edge's key is its kind.

        >>> from matchwork import synth
        >>> g = synth.round(40, seed=1).relationship_graph
        >>> all(k in {"therapeutic", "family", "conflict", "failed_pairing"} for _, _, k in g.edges(keys=True))
        True
        """
        import networkx as nx  # on first use: NetworkX costs 0.1 s to import and most runs never ask

        graph = nx.MultiGraph()
        for r in self._relationships:
            graph.add_edge(r.a, r.b, key=r.kind.value, kind=r.kind)
        return graph

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """What was read leniently, located: extra columns kept as notes, ATECO codes restored from numbers."""
        return getattr(self, "_warnings", ())

    @property
    def notes(self) -> dict[str, dict[str, dict[str, str]]]:
        """Extra columns of the input, kept as notes: table → record id → {header: text}.

        Notes never count for matching; :meth:`to_frames` and :meth:`to_json` write them back.
        """
        return getattr(self, "_notes", {})

    def locate(self, problems: Iterable[Problem]) -> list[Problem]:
        """The problems with the row and line their record has in the input, and its header, where known.

        Checks made after the round is built (against a policy, say) name a record by
        id; this gives them back the line a spreadsheet shows.
        """
        where = getattr(self, "_where", {})
        out = []
        for p in problems:
            found = where.get((p.table, p.record_id or ""))
            if found is not None and p.line is None:
                p = dataclasses.replace(p, row=found[0], line=found[1])
            out.append(_with_header(p, getattr(self, "_headers", {})))
        return out

    def role_of(self, id_: str) -> str | None:
        """Which table an id belongs to: ``"candidate"``, ``"guide"``, ``"peer"``, ``"site"``,
        ``"position"``, ``"tutor"``, ``"operator"``, ``"cooperative"``, or None."""
        return self._roles.get(id_)

    @functools.cached_property
    def _roles(self) -> dict[str, str]:
        roles = {c.id: "candidate" for c in self._candidates}
        roles |= {g.id: "guide" for g in self._guides}
        roles |= {p.id: "peer" for p in self._peers}
        roles |= {s.id: "site" for s in self._sites}
        roles |= {p.id: "position" for _, p in self.positions}
        roles |= {t.id: "tutor" for t in self._tutors}
        roles |= {o.id: "operator" for o in self._operators}
        roles |= {c.id: "cooperative" for c in self._cooperatives}
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
            "tutors": len(self._tutors),
            "operators": len(self._operators),
            "cooperatives": len(self._cooperatives),
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
            "tutors": self._tutors,
            "operators": self._operators,
            "cooperatives": self._cooperatives,
            "relationships": self._relationships,
            "pairings": self._pairings,
            "pins": self._pins,
            "forbids": self._forbids,
            "name": self._name,
            "date": self._date,
            "region": self._region,
            "review": self._review,
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
            self._region,
            self._review,
            self._candidates,
            self._guides,
            self._peers,
            self._sites,
            self._tutors,
            self._operators,
            self._cooperatives,
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
        """One DataFrame per table, including ``positions`` and the ``round`` key/value table.

        Columns have real dtypes (``Float64``, ``Int64``, ``boolean``, ``category`` for
        vocabulary codes, ``string`` for text and ``;``-joined lists); an empty cell is
        ``<NA>``. :meth:`from_frames` reads them back into an equal round.

        >>> from matchwork import synth
        >>> frames = synth.round(30, seed=0).to_frames()
        >>> frames["sites"].dtypes[["headcount", "lat", "kind", "name"]].map(str).tolist()
        ['Int64', 'Float64', 'category', 'string']
        """
        frames = {
            "candidates": tb.records_to_frame("candidates", self._candidates),
            "guides": tb.records_to_frame("guides", self._guides),
            "peers": tb.records_to_frame("peers", self._peers),
            "sites": tb.records_to_frame("sites", self._sites),
            "positions": tb.records_to_frame(
                "positions", [{"site_id": s, **p.model_dump()} for s, p in self.positions]
            ),
            "tutors": tb.records_to_frame("tutors", self._tutors),
            "operators": tb.records_to_frame("operators", self._operators),
            "cooperatives": tb.records_to_frame("cooperatives", self._cooperatives),
            "relationships": tb.records_to_frame("relationships", self._relationships),
            "pairings": tb.records_to_frame("pairings", self._pairings),
            "pins": tb.records_to_frame("pins", self._pins),
            "forbids": tb.records_to_frame("forbids", self._forbids),
        }
        frames["round"] = tb.records_to_frame(
            "round", [{"key": k, "value": v} for k, v in self._meta().items() if v is not None]
        )
        for table, by_id in self.notes.items():
            if table not in frames or not by_id:
                continue
            frame = frames[table]
            ids = _record_ids(table, frame)
            headers = list(dict.fromkeys(h for note in by_id.values() for h in note))
            for header in headers:
                if header in frame.columns:
                    continue
                frame[header] = [by_id.get(i, {}).get(header) for i in ids]
        return {table: tb.typed(table, frame) for table, frame in frames.items()}

    def _meta(self) -> dict[str, str | None]:
        """The round's own facts as the ``round`` table's key/value rows."""
        review = self._review
        return {
            "name": self._name,
            "date": self._date.isoformat(),
            "region": self._region.value if self._region else None,
            "reviewer": review.reviewer,
            "status": review.status.value,
            "approved_at": review.approved_at.isoformat() if review.approved_at else None,
        }

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
        if self._region is not None:
            doc["region"] = self._region.value
        doc["review"] = self._review.model_dump(mode="json")
        for table in (*_PEOPLE, *_TIES):
            doc[table] = dump(getattr(self, table))
        for records in doc.values():
            if isinstance(records, list):
                for record in records:
                    _sort_lists(record)
        if self.notes:
            doc["notes"] = {
                t: {i: dict(n) for i, n in sorted(by_id.items())} for t, by_id in sorted(self.notes.items())
            }
        return doc

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        """The round as JSON text; also written (atomically) to ``path`` if given."""
        if path is not None:
            with atomic_file(path) as tmp:
                tmp.write_bytes(self.json_bytes)
        return self.json_bytes.decode("utf-8")

    @functools.cached_property
    def json_bytes(self) -> bytes:
        """:meth:`to_json` as UTF-8 bytes, built once (a run fingerprints the round and writes it)."""
        return tb.json_bytes(self.to_dict())

    # ------------------------------------------------------------ tables in

    @classmethod
    def from_frames(cls, frames: Mapping[str, pd.DataFrame], *, name: str | None = None) -> Round:
        """A round from one DataFrame per table (as :meth:`to_frames` gives).

        ``candidates``, ``guides``, ``sites`` and ``positions`` are required; the
        other tables may be left out. Every problem of every table is raised at once
        as a :class:`~matchwork.errors.RoundValidationError`.
        """
        problems: list[Problem] = []
        known: dict[str, pd.DataFrame] = {}
        if not isinstance(frames, Mapping):
            raise RoundValidationError([Problem.of("not_a_frame", "frames")])
        for key, frame in frames.items():
            table = tb.table_of(key)
            if table is None:
                hint = suggest(str(key), list(tb.TABLES))
                problems.append(Problem.of("table_unknown", str(key)[:80], hint=hint))
            elif table in known:
                problems.append(Problem.of("table_twice", table, name=str(key)))
            elif not isinstance(frame, pd.DataFrame):
                problems.append(Problem.of("not_a_frame", table))
            else:
                known[table] = frame
        return cls._from_table_frames(known, problems, name=name)

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
        found = _Source()
        notes = doc.get("notes")
        if isinstance(notes, Mapping):
            found.notes_by_id = {
                str(t): {
                    str(i): {str(h): str(v) for h, v in n.items()} for i, n in by_id.items() if isinstance(n, Mapping)
                }
                for t, by_id in notes.items()
                if isinstance(by_id, Mapping)
            }
        elif notes is not None:
            problems = [*problems, Problem.of("json_object", "notes")]
        return cls._from_tables(
            records,
            {},
            name=doc.get("name", "round"),
            date=doc.get("date"),
            region=doc.get("region"),
            review=doc.get("review"),
            problems=problems,
            source=found,
        )

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Round:
        """A round from a workbook (``.xlsx``), a JSON file (``.json``) or a CSV folder."""
        p = Path(path)
        if p.is_dir():
            return cls.from_csv_dir(p)
        if not p.exists() and not p.is_symlink():
            raise RoundValidationError([Problem.of("no_path", str(p))])
        if p.suffix.lower() == ".json":
            return cls.from_json(p)
        if p.suffix.lower() in (".xlsx", ".xlsm"):
            return cls.from_excel(p)
        raise RoundValidationError([Problem.of("round_file", str(p))])

    @classmethod
    @_gc.paused
    def _from_table_frames(cls, frames: dict[str, pd.DataFrame], problems: list[Problem], *, name: str | None) -> Round:
        problems = list(problems)
        records: dict[str, list[Any]] = {}
        lines: dict[str, list[int] | None] = {}
        source = _Source()
        for table in tb.TABLES:
            if table not in frames:
                if table in tb.REQUIRED_TABLES and not any(p.table in (table, f"{table}.csv") for p in problems):
                    problems.append(Problem.of("table_required", table, name=repr(table)))
                continue
            read = tb.read_table(table, frames[table])
            records[table], lines[table] = read.records, read.lines
            problems += read.problems
            source.warnings += read.warnings
            source.headers[table] = read.headers
            if read.notes:
                source.notes[table] = read.notes
        meta_rows = records.pop("round", [])
        round_lines = lines.get("round") or []
        meta: dict[str, Any] = {}
        for row, record in enumerate(meta_rows):
            key = tb.round_key_of(record.get("key"))
            if key is None:
                line = round_lines[row] if row < len(round_lines) else None
                problems.append(
                    Problem.of("round_key", "round", "key", value=str(record.get("key")), row=row, line=line)
                )
            else:
                meta[key] = record.get("value")
        positions = positions_table(records.pop("positions", []), lines.pop("positions", None))
        problems += positions.problems
        if "sites" in records:
            records["sites"] = tb.site_records_with_positions(records["sites"], valid_by_site(positions))
        review = {k: meta.get(k) for k in ("reviewer", "status", "approved_at")}
        return cls._from_tables(
            records,
            lines,
            name=name or meta.get("name") or "round",
            date=meta.get("date"),
            region=meta.get("region"),
            review=review,
            problems=problems,
            positions=positions,
            source=source,
        )


@dataclasses.dataclass
class _Source:
    """What reading tables found beside the records: warnings, notes by row, headers as spelt."""

    warnings: list[Problem] = dataclasses.field(default_factory=list)
    notes: dict[str, dict[int, dict[str, str]]] = dataclasses.field(default_factory=dict)
    notes_by_id: dict[str, dict[str, dict[str, str]]] = dataclasses.field(default_factory=dict)
    headers: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)


def _with_header(problem: Problem, headers: Mapping[str, Mapping[str, str]]) -> Problem:
    header = headers.get(problem.table, {}).get(problem.column or "")
    if header and header != problem.column and problem.header is None:
        return dataclasses.replace(problem, header=header)
    return problem


def _record_ids(table: str, frame: pd.DataFrame) -> list[str]:
    if "id" in frame.columns:
        return [str(i) for i in frame["id"]]
    if "candidate_id" in frame.columns:
        return [f"{c}→{p}" for c, p in zip(frame["candidate_id"], frame["partner_id"], strict=True)]
    return [""] * len(frame)


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


def _undated_peers(tables: Mapping[str, Table]) -> list[Problem]:
    """Peer supporters with no start date: treated as new (the safe default), said as a warning."""
    peers = tables.get("peers")
    if peers is None:
        return []
    return [
        Problem.of("peer_start_missing", "peers", "started_on", row=r, record_id=m.id)
        for r, m in enumerate(peers.models)
        if m is not None and m.started_on is None
    ]
