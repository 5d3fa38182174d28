"""Validation of a round's records: each table's records, then what no single record can check.

:class:`Table` validates the records of one table against its profile model and
keeps every problem, located (table, row, line, record id, column); values of
fields marked sensitive are never echoed (:func:`problems_from_pydantic`).
:class:`RoundChecks` then checks the round as a whole: ids unique across roles,
references that resolve, loads consistent with the pairings in place.

Examples
--------
>>> from matchwork.model.profiles import Candidate
>>> t = Table("candidates", [{"id": "C1", "name": "Anna", "area": "Mantova", "location": {"lat": 95, "lon": 10}}])
>>> t.validate(Candidate)
>>> print(t.problems[0])
candidates row 1 (C1), column 'lat': got '95', expected less than or equal to 90
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from matchwork.errors import Problem
from matchwork.model.profiles import Position, Review, sensitive_fields
from matchwork.model.vocab import Region, Role, suggest

__all__ = [
    "REDACTED",
    "PositionsTable",
    "RoundChecks",
    "Table",
    "positions_table",
    "problems_from_pydantic",
    "round_meta",
    "round_review",
    "valid_by_site",
    "without_cascades",
]

REDACTED = "<redacted>"
_LOCATION_COLUMNS: dict[tuple[str, ...], str] = {
    ("location", "lat"): "lat",
    ("location", "lon"): "lon",
    ("location", "municipality"): "municipality",
}


class Table:
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


def _show(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, (set, frozenset)):
        return ";".join(sorted(map(_show, value)))
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


_PREFIX = re.compile(r"^(Input should be |Value error, |Assertion failed, )")


def _expected(err: Mapping[str, Any], vocab: Sequence[str] | None, sensitive: bool) -> str:
    kind = err["type"]
    if kind == "missing":
        return "a value (this column is required)"
    if kind == "extra_forbidden":
        return "no such column"
    if kind == "enum" and vocab is not None:
        hint = None if sensitive else suggest(str(err.get("input", "")), list(vocab))
        codes = ", ".join(vocab) if len(vocab) <= 16 else f"one of {len(vocab)} known codes"
        text = f"one of: {codes}" if len(vocab) <= 16 else codes
        return text + (f" (did you mean {hint!r}?)" if hint else "")
    msg = _PREFIX.sub("", str(err.get("msg", "a valid value")))
    return msg[0].lower() + msg[1:] if msg else "a valid value"


def _vocabulary(model: type[BaseModel], field: str) -> list[str] | None:
    info = model.model_fields.get(field)
    if info is None:
        return None
    schema_enum = _enum_of(info.annotation)
    return [e.value for e in schema_enum] if schema_enum else None


def _enum_of(annotation: Any) -> type[Enum] | None:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _enum_of(arg)
        if found is not None:
            return found
    return None


def problems_from_pydantic(
    error: ValidationError,
    table: str,
    model: type[BaseModel],
    *,
    row: int | None = None,
    line: int | None = None,
    record_id: str | None = None,
    column_of: Mapping[tuple[str, ...], str] | None = None,
) -> list[Problem]:
    """Turn a Pydantic ``ValidationError`` of one record into located :class:`Problem` s.

    Values of sensitive fields are replaced by ``"<redacted>"`` and get no "did you
    mean" hint, which would leak them as surely.
    """
    secret = sensitive_fields(model)
    out = []
    for err in error.errors(include_url=False):
        loc = tuple(str(part) for part in err["loc"])
        field = loc[0] if loc else None
        column = field
        if column_of and loc:
            column = column_of.get(loc[:2], column_of.get(loc[:1], field))
        is_secret = field in secret
        value = None
        if err["type"] not in ("missing",) and "input" in err and not isinstance(err["input"], (dict, BaseModel)):
            value = REDACTED if is_secret else _show(err["input"])
        vocab = _vocabulary(model, field) if field else None
        out.append(
            Problem(
                table=table,
                column=column,
                expected=_expected(err, vocab, is_secret),
                value=value,
                row=row,
                line=line,
                record_id=record_id,
            )
        )
    return out


def round_meta(name: Any, date: Any) -> tuple[str, dt.date, list[Problem]]:
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


def round_review(region: Any, review: Any) -> tuple[Region | None, Review, list[Problem]]:
    """The round's region and review (who approves its matches, and when), validated.

    ``review`` is a :class:`Review`, a mapping of its fields, or None (a draft with
    no reviewer named).
    """
    problems: list[Problem] = []
    found_region: Region | None = None
    if isinstance(region, Region):
        found_region = region
    elif region is not None and str(region).strip():
        try:
            found_region = Region(str(region).strip().lower())
        except ValueError:
            codes = [r.value for r in Region]
            hint = suggest(str(region), codes)
            expected = "an Italian region: " + ", ".join(codes) + (f" (did you mean {hint!r}?)" if hint else "")
            problems.append(Problem("round", "region", expected, value=str(region)[:60]))
    if isinstance(review, Review):
        return found_region, review, problems
    fields = {k: v for k, v in dict(review or {}).items() if v is not None and str(v).strip() != ""}
    try:
        return found_region, Review.model_validate(fields), problems
    except ValidationError as exc:
        problems += problems_from_pydantic(exc, "round", Review)
        return found_region, Review(), problems


class PositionsTable(Table):
    """The positions table: Position records plus the ``site_id`` column that nests them."""

    def __init__(self, records: list[dict[str, Any]], lines: Sequence[int] | None):
        super().__init__("positions", records, lines)
        self.site_ids = [r.get("site_id") for r in records]

    def raw(self, row: int, key: str) -> Any:
        return self.site_ids[row] if key == "site_id" else super().raw(row, key)


def positions_table(records: list[dict[str, Any]], lines: Sequence[int] | None) -> PositionsTable:
    table = PositionsTable(records, lines)
    table.items = [{k: v for k, v in r.items() if k != "site_id"} for r in records]
    table.validate(Position)
    if not table.models:
        table.models = [None] * len(table.items)
    table.problems += [
        table.problem(row, "site_id", "the id of a site") for row, site in enumerate(table.site_ids) if site is None
    ]
    return table


def valid_by_site(table: PositionsTable) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for site, model in zip(table.site_ids, table.models, strict=True):
        if site is not None and model is not None:
            out[str(site)].append(model)
    return out


class RoundChecks:
    """What no single record can check: unique ids, resolving references, consistent loads."""

    def __init__(self, tables: dict[str, Table], positions: Table | None = None, broken: set[str] | None = None):
        self.t = tables
        self.positions = positions
        # tables that could not be read at all: references into them are not checked
        self.broken = {b.removesuffix(".csv") for b in (broken or set())}
        self.problems: list[Problem] = []

    def run(self) -> list[Problem]:
        self._not_empty()
        ids = self._unique_ids()
        self._guides_resolve(ids)
        self._tutors_and_cooperatives_resolve(ids)
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
        for table, what in (("candidates", "candidate"), ("sites", "site")):
            if not self.t[table].items and table not in self.broken:
                self.problems.append(Problem(table, None, f"at least one {what}"))
        if not self.t["guides"].items and not self.t["tutors"].items and not self.broken & {"guides", "tutors"}:
            self.problems.append(Problem("guides", None, "at least one guide worker (or company tutor)"))

    def _unique_ids(self) -> dict[str, tuple[str, str | None]]:
        """Every id → (kind, site of a position); reports ids used twice."""
        seen: dict[str, tuple[str, int | None, str]] = {}
        ids: dict[str, tuple[str, str | None]] = {}

        def claim(id_: Any, table: Table, row: int, kind: str, column: str, site: str | None = None) -> None:
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

        for table, kind in _KINDS:
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

    def _dangling(self, table: Table, row: int, column: str, value: str, what: str, pool: Iterable[str]) -> None:
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

    def _tutors_and_cooperatives_resolve(self, ids: Mapping[str, tuple[str, str | None]]) -> None:
        if self._checkable("sites"):
            t = self.t["tutors"]
            for row, _ in self._rows("tutors"):
                site = t.raw(row, "site_id")
                if isinstance(site, str) and ids.get(site, ("",))[0] != "site":
                    self._dangling(t, row, "site_id", site, "a site", self._of_kind(ids, "site"))
        if not self._checkable("cooperatives"):
            return  # a round may name its teams' cooperative without listing the cooperatives
        sites = self.t["sites"]
        for row, _ in self._rows("sites"):
            coop = sites.raw(row, "cooperative_id")
            if isinstance(coop, str) and ids.get(coop, ("",))[0] != "cooperative":
                self._dangling(
                    sites,
                    row,
                    "cooperative_id",
                    coop,
                    "a cooperative (cooperatives table)",
                    self._of_kind(ids, "cooperative"),
                )

    def _candidates_resolve(self, ids: Mapping[str, tuple[str, str | None]]) -> None:
        t = self.t["candidates"]
        if self.broken & {"guides", "peers", "sites", "tutors", "operators"}:
            return  # an id of a table that could not be read cannot be checked
        partners = self._of_kind(ids, *_PARTNER_KINDS)
        for row, _ in self._rows("candidates"):
            for other in sorted(_as_set(t.raw(row, "excluded_ids"))):
                if ids.get(other, ("",))[0] not in _PARTNER_KINDS:
                    self._dangling(
                        t,
                        row,
                        "excluded_ids",
                        other,
                        "a guide worker, peer supporter, site, position, company tutor or desk operator of the round",
                        partners,
                    )

    def _care_team_ids(self) -> set[str]:
        t = self.t["candidates"]
        return {m for row in range(len(t.items)) for m in _as_set(t.raw(row, "care_team"))}

    def _relationships_resolve(self, ids: Mapping[str, tuple[str, str | None]]) -> None:
        t = self.t["relationships"]
        if not self._checkable("candidates") or self.broken & {"guides", "peers", "sites", "tutors", "operators"}:
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
            "tutor": ("tutor",),
            "operator": ("operator",),
            None: _PARTNER_KINDS,
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

    def _tie_resolves(self, t: Table, row: int, ids: Mapping[str, tuple[str, str | None]]) -> None:
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
            if kind == "" and self.broken & {"sites", "guides", "peers", "tutors", "operators"}:
                return
            if kind == "":
                self._dangling(
                    t,
                    row,
                    "partner_id",
                    partner,
                    "a site, position, guide worker, peer supporter, company tutor or desk operator",
                    self._of_kind(ids, *_PARTNER_KINDS),
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
            if role in ("site", "lead_guide", "peer", "tutor", "operator"):
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
        other_pairs: Counter[tuple[Role, str]] = Counter()
        for _, m in self._rows("pairings"):
            if m is not None and m.role in (Role.LEAD_GUIDE, Role.GUIDE):
                guide_pairs[m.partner_id] += 1
            elif m is not None and m.role == Role.SITE:
                position_pairs[m.partner_id] += 1
            elif m is not None:
                other_pairs[(m.role, m.partner_id)] += 1
        for table, role, column, what in (
            ("tutors", Role.TUTOR, "current_trainees", "trainees with this tutor"),
            ("operators", Role.OPERATOR, "caseload", "people followed by this operator"),
            ("peers", Role.PEER, "current_people", "people with this peer supporter"),
        ):
            t = self.t[table]
            for row, m in self._rows(table):
                carried = getattr(m, column, None) if m is not None else None
                if carried is not None and carried < other_pairs[(role, m.id)]:
                    n = other_pairs[(role, m.id)]
                    expected = f"at least {n}: the pairings table has that many {what}"
                    self.problems.append(t.problem(row, column, expected, carried))
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


_KINDS: tuple[tuple[str, str], ...] = (
    ("candidates", "candidate"),
    ("guides", "guide"),
    ("peers", "peer"),
    ("sites", "site"),
    ("tutors", "tutor"),
    ("operators", "operator"),
    ("cooperatives", "cooperative"),
)
"""Tables whose records have an id of their own, and the kind of that id."""
_PARTNER_KINDS: tuple[str, ...] = ("site", "position", "guide", "peer", "tutor", "operator")


def without_cascades(problems: list[Problem]) -> list[Problem]:
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
