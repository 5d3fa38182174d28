"""A programme over time: the history of rounds, results, pairings and endings in a database.

``Programme(url)`` keeps what every round decided and what happened between
rounds, and builds the next round from it; ``cli`` is the ``matchwork programme``
command. Needs the ``programme`` extra (SQLAlchemy and Alembic).

Examples
--------
>>> from matchwork.programme import Programme
>>> Programme("sqlite://").revision
'0003'
"""

from __future__ import annotations

from matchwork.programme.common import LEAVING, EndReason, ProgrammeError
from matchwork.programme.programme import Programme
from matchwork.programme.record import Recorded

__all__ = ["LEAVING", "EndReason", "Programme", "ProgrammeError", "Recorded"]
