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
candidates row 1 (C1), column 'lat': got '95', expected a number of at most 90
>>> print(t.problems[0].render("it"))
candidati, record 1 (C1), colonna 'lat': trovato '95', serve un numero non superiore a 90
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from typing import Any

import numpy as np
from pydantic import BaseModel, TypeAdapter, ValidationError

from matchwork.errors import Problem
from matchwork.model.profiles import Position, Review, parse_day, sensitive_fields
from matchwork.model.vocab import Region, Role, suggest

__all__ = [
    "MAX_SPREAD_KM",
    "REDACTED",
    "PositionsTable",
    "RoundChecks",
    "Table",
    "key_of",
    "positions_table",
    "problems_from_pydantic",
    "round_meta",
    "round_review",
    "valid_by_site",
    "without_cascades",
]

REDACTED = "<redacted>"
MAX_SPREAD_KM = 1_500
"""How far a place may be from the middle of the round's places (Italy is about 1 300 km long):
farther, its coordinates are wrong — often latitude and longitude swapped."""
SHOWN_IDS = 3
"""Unknown ids of one cell named in its problem; the rest are counted."""
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

    def problem(self, row: int, column: str | None, key: str, value: Any = None, **args: Any) -> Problem:
        """A problem of one record, said by its message key (``problem.<key>``)."""
        return Problem.of(
            key,
            self.name,
            column,
            value=None if value is None else str(value),
            row=row,
            line=self.line(row),
            record_id=self.record_id(row),
            **args,
        )

    def validate(self, model: type[BaseModel]) -> None:
        """Validate every record; keep the valid models (None where invalid) and every problem.

        A record that is not a mapping (a string in a JSON list, say) is one problem;
        the other records are still validated, so it hides none of theirs.
        """
        if all(isinstance(i, model) for i in self.items):
            self.models = list(self.items)
            return
        if all(isinstance(i, (Mapping, model)) for i in self.items):
            try:
                self.models = _adapter(model).validate_python(self.items)
                return
            except ValidationError:
                pass
        self.models = []
        for row, item in enumerate(self.items):
            if not isinstance(item, (Mapping, model)):
                self.models.append(None)
                self.problems.append(self.problem(row, None, "record"))
                continue
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


_SAME_KEY = {
    "missing": "missing",
    "extra_forbidden": "no_field",
    "int_parsing": "integer",
    "int_type": "integer",
    "int_from_float": "integer",
    "float_parsing": "number",
    "float_type": "number",
    "finite_number": "finite",
    "bool_parsing": "boolean",
    "bool_type": "boolean",
    "string_type": "text",
    "string_too_short": "not_empty",
    "list_type": "list",
    "set_type": "list",
    "frozen_set_type": "list",
    "tuple_type": "list",
    "iterable_type": "list",
    "dict_type": "record",
    "model_type": "record",
    "model_attributes_type": "record",
}
_WITH_CONTEXT = {
    "greater_than": ("gt",),
    "greater_than_equal": ("ge",),
    "less_than": ("lt",),
    "less_than_equal": ("le",),
    "string_too_long": ("max_length",),
    "too_short": ("min_length",),
    "too_long": ("max_length",),
}
_RENAMED = {"string_too_long": "text_too_long", "too_short": "at_least_items", "too_long": "at_most_items"}
_OWN = {
    "date",
    "sector",
    "sector_division",
    "sector_unknown",
    "rounds_to_zero",
    "mentees_over_max",
    "hours_over_cap",
    "distinct_ends",
    "lead_untrained",
    "staff_missing",
    "exempt_over_present",
    "hired_over_trainees",
    "cooperative_of_company",
    "trainees_over_max",
    "caseload_over_max",
    "disadvantaged_over_workers",
    "approval_incomplete",
    "draft_approved_at",
    "until_before_since",
    "reason_without_end",
    "municipality_unknown",
    "municipality_ambiguous",
    "location_missing",
    "coordinates_half",
}
_COLUMN_OF_CHECK = {
    "mentees_over_max": "current_mentees",
    "hours_over_cap": "hours_in_use",
    "distinct_ends": "b",
    "lead_untrained": "trained",
    "staff_missing": "headcount",
    "exempt_over_present": "exempt_trainees_present",
    "hired_over_trainees": "hired_24m",
    "cooperative_of_company": "cooperative_id",
    "trainees_over_max": "current_trainees",
    "caseload_over_max": "caseload",
    "disadvantaged_over_workers": "disadvantaged_workers",
    "approval_incomplete": "reviewer",
    "draft_approved_at": "approved_at",
    "until_before_since": "until",
    "reason_without_end": "until",
}


def _pattern_key(pattern: str) -> str:
    if pattern.startswith("^[A-Za-z0-9]"):
        return "id"
    if pattern.startswith("^[a-z]"):
        return "criterion"
    if ";" in pattern:
        return "area"
    return "plain_text"


def key_of(
    err: Mapping[str, Any], vocab: Sequence[str] | None = None, sensitive: bool = False
) -> tuple[str, dict[str, Any]] | None:
    """The message key and values of one Pydantic error, or None when matchwork has no words for it.

    >>> key_of({"type": "less_than_equal", "ctx": {"le": 90}})
    ('less_than_equal', {'le': 90})
    """
    kind = str(err["type"])
    ctx = dict(err.get("ctx") or {})
    if kind.startswith(("date", "datetime")):
        return "date", {}
    if kind in _SAME_KEY:
        return _SAME_KEY[kind], {}
    if kind in _WITH_CONTEXT:
        return _RENAMED.get(kind, kind), {k: ctx.get(k) for k in _WITH_CONTEXT[kind]}
    if kind == "string_pattern_mismatch":
        return _pattern_key(str(ctx.get("pattern", ""))), {}
    if kind == "enum" and vocab is not None:
        hint = None if sensitive else suggest(str(err.get("input", "")), list(vocab))
        if len(vocab) <= 16:
            return "enum", {"codes": tuple(vocab), "hint": hint}
        return "enum_many", {"n": len(vocab), "hint": hint}
    if kind == "municipality_unknown" and not ctx.get("options"):
        return "municipality_none", {}  # nothing close enough to suggest
    if kind in _OWN:
        return kind, {k: v for k, v in ctx.items() if not isinstance(v, Exception)}
    return None


def _expected(err: Mapping[str, Any]) -> str:
    msg = str(err.get("msg", "a valid value"))
    for prefix in ("Input should be ", "Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
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


def _is_map(model: type[BaseModel], field: str | None) -> bool:
    info = model.model_fields.get(field or "")
    return info is not None and "dict[" in str(info.annotation)


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

    Each carries a message key (said in Italian or English, with the accepted values);
    values of sensitive fields are replaced by ``"<redacted>"`` and get no "did you
    mean" hint, which would leak them as surely.
    """
    secret = sensitive_fields(model)
    out = []
    for err in error.errors(include_url=False):
        loc = tuple(str(part) for part in err["loc"])
        field = loc[0] if loc else _COLUMN_OF_CHECK.get(str(err["type"]))
        column = field
        if column_of and loc:
            column = column_of.get(loc[:2], column_of.get(loc[:1], field))
        is_secret = field in secret
        value = None
        if err["type"] not in ("missing",) and "input" in err and not isinstance(err["input"], (dict, BaseModel)):
            value = REDACTED if is_secret else _show(err["input"])
        vocab = _vocabulary(model, field) if field else None
        found = key_of(err, vocab, is_secret)
        if found is not None and found[0] == "integer" and _is_map(model, field):
            found = ("skill_level", {})
        if found is None:
            out.append(Problem(table, column, _expected(err), value=value, row=row, line=line, record_id=record_id))
        else:
            made = Problem.of(found[0], table, column, value=value, row=row, line=line, record_id=record_id, **found[1])
            out.append(made)
    return out


def round_meta(name: Any, date: Any) -> tuple[str, dt.date, list[Problem]]:
    """The round's name and date, checked: a date is a day (``2026-02-03`` or ``3/2/2026``), nothing more."""
    problems = []
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        problems.append(Problem.of("round_name", "round", "name", value=str(name)[:60]))
        name = "round"
    if date is None or date == "":
        return name.strip(), dt.date.today(), problems
    try:
        return name.strip(), parse_day(date), problems
    except ValueError:
        problems.append(Problem.of("date", "round", "date", value=str(date)[:60]))
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
            found_region = Region(str(region).strip())
        except ValueError:
            hint = suggest(str(region), [r.value for r in Region])
            problems.append(Problem.of("region", "round", "region", value=str(region)[:60], hint=hint))
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
        table.problem(row, "site_id", "ref_site") for row, site in enumerate(table.site_ids) if site is None
    ]
    return table


def valid_by_site(table: PositionsTable) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for site, model in zip(table.site_ids, table.models, strict=True):
        if site is not None and model is not None:
            out[str(site)].append(model)
    return out


NOBODY_LEFT_OK: contextvars.ContextVar[bool] = contextvars.ContextVar("nobody_left_ok", default=False)
"""Set while the engine builds the round its stages solve: when every person's placement in place is kept,
nobody is left to match, and that round has no candidates (a round as given always has some)."""


class RoundChecks:
    """What no single record can check: unique ids, resolving references, consistent loads, plausible places."""

    def __init__(self, tables: dict[str, Table], positions: Table | None = None, broken: set[str] | None = None):
        self.t = tables
        self.positions = positions
        # tables that could not be read at all: references into them are not checked
        self.broken = {b.removesuffix(".csv") for b in (broken or set())}
        self.problems: list[Problem] = []
        self._hints = 0

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
        self._places()
        return self.problems

    # every check reads raw values, so that one bad field does not hide the rest
    def _rows(self, table: str) -> Iterable[tuple[int, Any]]:
        t = self.t[table]
        yield from enumerate(t.models or [None] * len(t.items))

    def _checkable(self, table: str) -> bool:
        """References into a table are checked only if it was read and is not empty."""
        return table not in self.broken and bool(self.t[table].items)

    def _not_empty(self) -> None:
        for table in ("candidates", "sites"):
            if table == "candidates" and NOBODY_LEFT_OK.get():
                continue
            if not self.t[table].items and table not in self.broken:
                self.problems.append(Problem.of(f"no_{table}", table))
        if not self.t["guides"].items and not self.t["tutors"].items and not self.broken & {"guides", "tutors"}:
            self.problems.append(Problem.of("no_guides", "guides"))

    def _unique_ids(self) -> dict[str, tuple[str, str | None]]:
        """Every id → (kind, site of a position); reports ids used twice, or twice but for upper and lower case."""
        seen: dict[str, tuple[str, int | None]] = {}
        folded: dict[str, tuple[str, str, int | None]] = {}
        ids: dict[str, tuple[str, str | None]] = {}

        def claim(id_: Any, table: Table, row: int, kind: str, column: str, site: str | None = None) -> None:
            if not isinstance(id_, str):
                return
            if id_ in seen:
                other_table, other_line = seen[id_]
                self.problems.append(
                    table.problem(row, column, "id_twice", id_, other_table=other_table, other_line=other_line)
                )
                return
            line = table.line(row) if table.line(row) is not None else row + 1
            low = id_.casefold()
            if low in folded:
                other, other_table, other_line = folded[low]
                self.problems.append(
                    table.problem(
                        row, column, "id_case", id_, other=repr(other), other_table=other_table, other_line=other_line
                    )
                )
                return
            seen[id_] = (table.name, line)
            folded[low] = (id_, table.name, line)
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
                    self._dangling(self.positions, row, "site_id", [site], "ref_site", site_ids)
            return ids
        sites = self.t["sites"]
        for row in range(len(sites.items)):
            positions = sites.raw(row, "positions")
            for i, position in enumerate(positions if isinstance(positions, (list, tuple)) else []):
                pid = position.get("id") if isinstance(position, Mapping) else getattr(position, "id", None)
                claim(pid, sites, row, "position", f"positions[{i}].id", site=sites.raw(row, "id"))
        return ids

    def _dangling(
        self, table: Table, row: int, column: str, values: Sequence[str], key: str, pool: Iterable[str], **args: Any
    ) -> None:
        """Unknown ids of one cell: one problem, naming the first few and counting the rest.

        A "did you mean" comes only from ``pool`` (never from sensitive ids such as
        care-team members), and only for the first 200 hints of a round.
        """
        if not values:
            return
        hint = None
        if len(values) == 1 and self._hints < 200:
            self._hints += 1
            hint = suggest(values[0], sorted(pool))
        shown = ";".join(values[:SHOWN_IDS])
        if len(values) > SHOWN_IDS:
            shown += f" … (+{len(values) - SHOWN_IDS})"
        self.problems.append(table.problem(row, column, key, shown, hint=hint, **args))

    def _of_kind(self, ids: Mapping[str, tuple[str, str | None]], *kinds: str) -> list[str]:
        return [i for i, (k, _) in ids.items() if k in kinds]

    def _guides_resolve(self, ids: Mapping[str, tuple[str, str | None]]) -> None:
        t = self.t["guides"]
        if not self._checkable("sites"):
            return
        for row, _ in self._rows("guides"):
            site, position = t.raw(row, "site_id"), t.raw(row, "position_id")
            if isinstance(site, str) and ids.get(site, ("",))[0] != "site":
                self._dangling(t, row, "site_id", [site], "ref_site", self._of_kind(ids, "site"))
            elif isinstance(position, str) and position in ids and ids[position][1] not in ids:
                continue  # the position's own site does not resolve: reported on the positions table
            elif isinstance(position, str) and ids.get(position) != ("position", site):
                pool = [i for i, v in ids.items() if v == ("position", site)]
                self._dangling(t, row, "position_id", [position], "ref_position", pool, site=site)

    def _tutors_and_cooperatives_resolve(self, ids: Mapping[str, tuple[str, str | None]]) -> None:
        if self._checkable("sites"):
            t = self.t["tutors"]
            for row, _ in self._rows("tutors"):
                site = t.raw(row, "site_id")
                if isinstance(site, str) and ids.get(site, ("",))[0] != "site":
                    self._dangling(t, row, "site_id", [site], "ref_site", self._of_kind(ids, "site"))
        if not self._checkable("cooperatives"):
            return  # a round may name its teams' cooperative without listing the cooperatives
        sites = self.t["sites"]
        for row, _ in self._rows("sites"):
            coop = sites.raw(row, "cooperative_id")
            if isinstance(coop, str) and ids.get(coop, ("",))[0] != "cooperative":
                self._dangling(
                    sites, row, "cooperative_id", [coop], "ref_cooperative", self._of_kind(ids, "cooperative")
                )

    def _candidates_resolve(self, ids: Mapping[str, tuple[str, str | None]]) -> None:
        t = self.t["candidates"]
        if self.broken & {"guides", "peers", "sites", "tutors", "operators"}:
            return  # an id of a table that could not be read cannot be checked
        partners = self._of_kind(ids, *_PARTNER_KINDS)
        for row, _ in self._rows("candidates"):
            unknown = [
                other
                for other in sorted(_as_set(t.raw(row, "excluded_ids")))
                if ids.get(other, ("",))[0] not in _PARTNER_KINDS
            ]
            self._dangling(t, row, "excluded_ids", unknown, "ref_excluded", partners)

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
                    # the hint draws on the round's own ids only: care-team members are sensitive
                    self._dangling(t, row, end, [value], "ref_person", ids)

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
                    self.problems.append(t.problem(row, "role", "one_pairing", model.role.value, role=model.role.value))

    def _tie_resolves(self, t: Table, row: int, ids: Mapping[str, tuple[str, str | None]]) -> None:
        candidate, partner, role = t.raw(row, "candidate_id"), t.raw(row, "partner_id"), t.raw(row, "role")
        if not self._checkable("candidates"):
            candidate = None
        if isinstance(candidate, str) and ids.get(candidate, ("",))[0] != "candidate":
            self._dangling(t, row, "candidate_id", [candidate], "ref_candidate", self._of_kind(ids, "candidate"))
        if isinstance(partner, str):
            kind = ids.get(partner, ("",))[0]
            try:
                role_value: Role | None = Role(role) if role else None
            except ValueError:
                return  # reported by the record's own validation
            if kind == "" and self.broken & {"sites", "guides", "peers", "tutors", "operators"}:
                return
            if kind == "":
                pool = self._of_kind(ids, *_PARTNER_KINDS)
                self._dangling(t, row, "partner_id", [partner], "ref_partner", pool)
            elif not self._partner_ok(role_value, kind):
                self.problems.append(
                    t.problem(row, "role", "role_kind", role_value.value if role_value else "", kind=_KIND_LABEL[kind])
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
                key = "pin_forbidden" if pair in forbidden else "pin_excluded"
                self.problems.append(pins.problem(row, "partner_id", key, model.partner_id))
            kind = ids.get(model.partner_id, ("",))[0]
            role = model.role.value if model.role else {"position": "site", "guide": "lead_guide"}.get(kind, kind)
            if role in ("site", "lead_guide", "peer", "tutor", "operator"):
                key_ = (model.candidate_id, role)
                if key_ in per_role and per_role[key_] != model.partner_id:
                    self.problems.append(
                        pins.problem(
                            row, "partner_id", "pin_one_role", model.partner_id, role=role, other=per_role[key_]
                        )
                    )
                per_role.setdefault(key_, model.partner_id)

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
        for table, role, column in (
            ("tutors", Role.TUTOR, "current_trainees"),
            ("operators", Role.OPERATOR, "caseload"),
            ("peers", Role.PEER, "current_people"),
        ):
            t = self.t[table]
            for row, m in self._rows(table):
                carried = getattr(m, column, None) if m is not None else None
                if carried is not None and carried < other_pairs[(role, m.id)]:
                    key = f"{table}_pairings"
                    self.problems.append(t.problem(row, column, key, carried, n=other_pairs[(role, m.id)]))
        guides = self.t["guides"]
        for row, g in self._rows("guides"):
            if g is not None and g.current_mentees < guide_pairs[g.id]:
                self.problems.append(
                    guides.problem(row, "current_mentees", "mentees_pairings", g.current_mentees, n=guide_pairs[g.id])
                )
        sites = self.t["sites"]
        pins_on: Counter[str] = Counter(m.partner_id for _, m in self._rows("pins") if m is not None)
        for row, s in self._rows("sites"):
            if s is None:
                continue
            placed_here = position_pairs[s.id] + sum(position_pairs[p.id] for p in s.positions)
            if s.trainees_present < placed_here:
                self.problems.append(
                    sites.problem(row, "trainees_present", "trainees_pairings", s.trainees_present, n=placed_here)
                )
            for p in s.positions:
                room = p.openings + position_pairs[p.id]
                if pins_on[p.id] > room:
                    self.problems.append(
                        sites.problem(row, "positions", "pins_position", pins_on[p.id], room=room, position=p.id)
                    )
            room = sum(p.openings + position_pairs[p.id] for p in s.positions) + position_pairs[s.id]
            site_pins = pins_on[s.id] + sum(pins_on[p.id] for p in s.positions)
            if site_pins > room:
                self.problems.append(sites.problem(row, "positions", "pins_site", site_pins, room=room, site=s.id))

    def _places(self) -> None:
        """Every place within :data:`MAX_SPREAD_KM` of the middle of the round's places.

        The middle is the median latitude and longitude of all valid places, which
        a minority of wrong ones cannot move; a place far from it (latitude and
        longitude swapped, say) would make every trip "too far" without a word.
        """
        points: list[tuple[Table, int, float, float]] = []
        for table in ("candidates", "sites", "peers"):
            t = self.t[table]
            for row, model in self._rows(table):
                loc = getattr(model, "location", None) if model is not None else None
                if loc is not None:
                    points.append((t, row, loc.lat, loc.lon))
        if len(points) < 3:
            return
        lat = np.array([p[2] for p in points])
        lon = np.array([p[3] for p in points])
        mid_lat, mid_lon = float(np.median(lat)), float(np.median(lon))
        far = _km(lat, lon, mid_lat, mid_lon)
        swapped = (np.abs(lon) <= 90) & (_km(lon, lat, mid_lat, mid_lon) <= MAX_SPREAD_KM)
        for i in np.flatnonzero(far > MAX_SPREAD_KM):
            t, row, la, lo = points[i]
            key = "far_away_swapped" if swapped[i] else "far_away"
            self.problems.append(t.problem(row, "lat", key, f"{la}, {lo}", km=MAX_SPREAD_KM, distance=round(far[i])))


_KIND_LABEL = {
    "site": "site",
    "position": "site",
    "guide": "guide",
    "peer": "peer",
    "tutor": "tutor",
    "operator": "operator",
}


def _km(lat1: np.ndarray, lon1: np.ndarray, lat2: float, lon2: float) -> np.ndarray:
    """Great-circle distances in km (haversine), from every point to one."""
    p1, p2 = np.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * math.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * 6371.0 * np.arcsin(np.minimum(1.0, np.sqrt(a))))


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
    """Drop per-row "missing value" problems that only echo another: a column already reported missing
    as a whole, or a cell whose value the reader already refused (an error cell, a cell too long…)."""
    missing_columns = {(p.table, p.column) for p in problems if p.row is None and p.column is not None}
    refused_cells = {(p.table, p.row, p.column) for p in problems if p.row is not None and p.key not in _ECHOES}
    return [
        p
        for p in problems
        if p.key not in _ECHOES
        or p.row is None
        or ((p.table, p.column) not in missing_columns and (p.table, p.row, p.column) not in refused_cells)
    ]


_ECHOES = frozenset({"missing", "coordinates_half", "location_missing"})
"""Per-row problems that a missing column, or a cell already refused, explains on its own."""


def _as_set(value: Any) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    try:
        return {str(v) for v in value}
    except TypeError:
        return set()
