"""The library's own errors: every problem of the input at once, located, never leaking.

A :class:`RoundValidationError` carries one :class:`Problem` per thing wrong with
the input — table, row, column, the offending value and what was expected — so
that an office can fix a whole spreadsheet in one pass. Values of fields marked
sensitive (health and referral data) are never echoed back.

Examples
--------
>>> err = RoundValidationError([Problem("candidates", "lat", "a number from -90 to 90",
...                                     value="95", row=2, line=4, record_id="C3")])
>>> print(err)
1 problem in the round:
  candidates line 4 (C3), column 'lat': got '95', expected a number from -90 to 90
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

__all__ = [
    "InputValidationError",
    "MatchError",
    "PolicyValidationError",
    "Problem",
    "RoundValidationError",
]

REDACTED = "<redacted>"


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
        What was expected, in words.
    value : str or None
        The offending value as text, or ``"<redacted>"`` for a sensitive field.
    row : int or None
        0-based position of the record in its table.
    line : int or None
        Where a spreadsheet user sees the record: its line in a CSV file or its row
        in an Excel sheet (the header is line 1).
    record_id : str or None
        The id of the record, when it has a readable one.
    """

    table: str
    column: str | None
    expected: str
    value: str | None = None
    row: int | None = None
    line: int | None = None
    record_id: str | None = None

    def where(self) -> str:
        """The location in words: ``"candidates line 4 (C3), column 'lat'"``."""
        out = self.table
        if self.line is not None:
            out += f" line {self.line}"
        elif self.row is not None:
            out += f" row {self.row + 1}"
        if self.record_id:
            out += f" ({self.record_id})"
        if self.column:
            out += f", column {self.column!r}"
        return out

    def __str__(self) -> str:
        got = f"got {self.value!r}, " if self.value is not None else ""
        return f"{self.where()}: {got}expected {self.expected}"


class InputValidationError(ValueError):
    """Some input is invalid; ``problems`` lists every problem found.

    It is a :class:`ValueError`, so callers that catch bad input generically still do.
    """

    subject = "the input"

    def __init__(self, problems: Iterable[Problem]):
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._render())

    def _render(self, limit: int = 50) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in {self.subject}:"
        lines = [f"  {p}" for p in self.problems[:limit]]
        if n > limit:
            lines.append(f"  … and {n - limit} more (see .problems)")
        return "\n".join([head, *lines])

    def to_records(self) -> list[dict[str, Any]]:
        """The problems as a list of dicts, e.g. for ``pandas.DataFrame``."""
        return [dataclasses.asdict(p) for p in self.problems]


class RoundValidationError(InputValidationError):
    """The tables of a round are invalid; ``problems`` lists every problem of every table."""

    subject = "the round"


class PolicyValidationError(InputValidationError):
    """A policy is invalid; each problem's ``column`` is the key path (``weights.site.commute``)."""

    subject = "the policy"


class MatchError(RuntimeError):
    """A round that is valid as data cannot be matched as asked (e.g. pins that exceed a capacity)."""
