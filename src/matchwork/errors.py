"""The library's own errors: every problem of the input at once, located, never leaking.

A :class:`RoundValidationError` carries one :class:`Problem` per thing wrong with
the input — table, row, column, the offending value and what was expected — so
that an office can fix a whole spreadsheet in one pass. Values of fields marked
sensitive (health and referral data) are never echoed back.

A problem made with :meth:`Problem.of` carries a message key of :mod:`matchwork.i18n`
(``problem.<key>``) and its values, so that it reads in the user's language
(:meth:`Problem.render`); its ``expected`` is the English text, for callers that read it.

Examples
--------
>>> err = RoundValidationError([Problem("candidates", "lat", "a number from -90 to 90",
...                                     value="95", row=2, line=4, record_id="C3")])
>>> print(err)
1 problem in the round:
  candidates line 4 (C3), column 'lat': got '95', expected a number from -90 to 90
>>> p = Problem.of("less_than_equal", "candidates", "lat", value="95", line=4, record_id="C3", le=90)
>>> p.expected
'a number of at most 90'
>>> print(p.render("it"))
candidati, riga 4 (C3), colonna 'lat': trovato '95', serve un numero non superiore a 90
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from matchwork.i18n import TEXTS, text

__all__ = [
    "InputValidationError",
    "InputWarning",
    "MatchError",
    "OutputFolderError",
    "PolicyValidationError",
    "Problem",
    "RoundValidationError",
]

REDACTED = "<redacted>"
SHOWN = 200
"""How many problems a person is shown at once (the rest are counted, and written to a file on request)."""


def _number(value: float | int, lang: str) -> str:
    out = f"{value:g}" if isinstance(value, float) else str(value)
    return out.replace(".", ",") if lang == "it" else out


def _arg(name: str, value: Any, lang: str) -> Any:
    """A value of a message in ``lang``: table names and codes translated, numbers written as the language does."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return _number(value, lang)
    if name.endswith("table") and isinstance(value, str) and f"table.{value}" in TEXTS:
        return text(f"table.{value}", lang)
    if name in ("role", "kind") and isinstance(value, str) and f"label.{value}" in TEXTS:
        return text(f"label.{value}", lang)
    if isinstance(value, tuple):
        items = []
        for item in value:
            label = text(f"label.{item}", lang) if f"label.{item}" in TEXTS else None
            same = label is None or label.lower() == str(item).replace("_", " ").lower()
            items.append(str(item) if same else f"{item} ({label})")
        return ", ".join(items)
    return value


@dataclasses.dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input.

    Attributes
    ----------
    table : str
        The table (``candidates``, ``sites``…) or ``round`` for whole-round checks.
    column : str or None
        The column (a field name as it appears in the table), if one is at fault.
    expected : str
        What was expected, in English words.
    value : str or None
        The offending value as text, or ``"<redacted>"`` for a sensitive field.
    row : int or None
        0-based position of the record in its table.
    line : int or None
        Where a spreadsheet user sees the record: its line in a CSV file or its row
        in an Excel sheet (the header is line 1).
    record_id : str or None
        The id of the record, when it has a readable one.
    key : str or None
        The message key (``problem.<key>`` in :data:`matchwork.i18n.TEXTS`), when the
        problem can be said in every language.
    args : tuple of (name, value) pairs
        The values the message is filled with (a ``hint`` adds "did you mean").
    header : str or None
        The column's header as the user's table spells it (an Italian header, say).
    """

    table: str
    column: str | None
    expected: str
    value: str | None = None
    row: int | None = None
    line: int | None = None
    record_id: str | None = None
    key: str | None = None
    args: tuple[tuple[str, Any], ...] = ()
    header: str | None = None

    @classmethod
    def of(
        cls,
        key: str,
        table: str,
        column: str | None = None,
        *,
        value: str | None = None,
        row: int | None = None,
        line: int | None = None,
        record_id: str | None = None,
        **args: Any,
    ) -> Problem:
        """A problem said by its message key ``problem.<key>``, filled with ``args``."""
        pairs = tuple(sorted((k, v) for k, v in args.items() if v is not None))
        made = cls(table, column, "", value, row, line, record_id, key, pairs)
        return dataclasses.replace(made, expected=made.message("en"))

    def message(self, lang: str = "en") -> str:
        """What was expected, in ``lang``."""
        if self.key is None:
            return self.expected
        values = {k: _arg(k, v, lang) for k, v in self.args if k != "hint"}
        out = text(f"problem.{self.key}", lang, **values)
        hint = dict(self.args).get("hint")
        return out + (text("problem.hint", lang, hint=hint) if hint else "")

    def where(self, lang: str = "en") -> str:
        """The location in words: ``"candidates line 4 (C3), column 'lat'"``."""
        if lang == "en":
            out = self.table
        else:
            out = text(f"table.{self.table}", lang) if f"table.{self.table}" in TEXTS else self.table
            out += ","
        if self.line is not None:
            out += " " + text("problem.line", lang, n=self.line)
        elif self.row is not None:
            out += " " + text("problem.row", lang, n=self.row + 1)
        if self.record_id:
            out += f" ({self.record_id})"
        if self.column:
            out += ", " + text("problem.column", lang, name=repr(self.header or self.column))
        return out.rstrip(",")

    def render(self, lang: str = "en") -> str:
        """The whole problem in ``lang``: where, the value found and what was expected."""
        if self.value is not None:
            return text(
                "problem.got", lang, where=self.where(lang), value=repr(self.value), expected=self.message(lang)
            )
        return text("problem.expected", lang, where=self.where(lang), expected=self.message(lang))

    def __str__(self) -> str:
        return self.render("en")

    def to_record(self, lang: str = "en") -> dict[str, Any]:
        """The problem as a flat dict (a row of a problems file), its message in ``lang``."""
        return {
            "table": self.table,
            "line": self.line,
            "row": self.row,
            "record_id": self.record_id,
            "column": self.column,
            "header": self.header,
            "value": self.value,
            "expected": self.message(lang),
        }


class InputValidationError(ValueError):
    """Some input is invalid; ``problems`` lists every problem found.

    It is a :class:`ValueError`, so callers that catch bad input generically still do.
    """

    subject = "the input"

    def __init__(self, problems: Iterable[Problem]):
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self.render("en", limit=50))

    def render(self, lang: str = "en", limit: int = SHOWN) -> str:
        """Every problem in ``lang``, one a line, the first ``limit`` of them and a count of the rest."""
        n = len(self.problems)
        head = text(
            f"problem.head_{'one' if n == 1 else 'many'}",
            lang,
            n=n,
            subject=text(f"problem.subject.{self.subject_key}", lang),
        )
        lines = [f"  {p.render(lang)}" for p in self.problems[:limit]]
        if n > limit:
            lines.append("  " + text("problem.more", lang, n=n - limit))
        return "\n".join([head, *lines])

    subject_key = "input"

    def to_records(self, lang: str = "en") -> list[dict[str, Any]]:
        """The problems as a list of dicts, e.g. for ``pandas.DataFrame``."""
        return [p.to_record(lang) for p in self.problems]


class RoundValidationError(InputValidationError):
    """The tables of a round are invalid; ``problems`` lists every problem of every table."""

    subject = "the round"
    subject_key = "round"


class PolicyValidationError(InputValidationError):
    """A policy is invalid; each problem's ``column`` is the key path (``weights.site.commute``)."""

    subject = "the policy"
    subject_key = "policy"


class OutputFolderError(ValueError):
    """matchwork will not write into this output folder: it would lose a file that is not its own.

    ``key`` and ``values`` say why, in every language (:meth:`render`).
    """

    def __init__(self, key: str, **values: Any):
        self.key = key
        self.values: Mapping[str, Any] = values
        super().__init__(self.render("en"))

    def render(self, lang: str = "en") -> str:
        """Why, in ``lang``."""
        return text(f"output.{self.key}", lang, **self.values)


class InputWarning(UserWarning):
    """The input was read leniently (extra columns kept as notes, say); ``problems`` says where."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: tuple[Problem, ...] = tuple(problems)
        n = len(self.problems)
        first = "; ".join(str(p) for p in self.problems[:3])
        super().__init__(f"{n} warning{'s' if n != 1 else ''} about the input: {first}" + (" …" if n > 3 else ""))


class MatchError(RuntimeError):
    """A round that is valid as data cannot be matched as asked (e.g. pins that exceed a capacity)."""
