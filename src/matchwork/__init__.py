"""matchwork: who accompanies whom when a person with a fragile history starts work.

Examples
--------
>>> import matchwork as mw
>>> rnd = mw.synth.round(60, seed=0)
>>> isinstance(rnd, mw.Round)
True
"""

from __future__ import annotations

from typing import Any

from matchwork import batch, synth
from matchwork._version import VERSION
from matchwork.engine import match
from matchwork.errors import MatchError, Problem, RoundValidationError
from matchwork.explain import Explanation, WhyNot
from matchwork.io.privacy import pseudonymize
from matchwork.io.schema import schema
from matchwork.model.policy import Policy
from matchwork.model.profiles import (
    Candidate,
    Forbid,
    GuideWorker,
    Location,
    Pairing,
    PeerSupporter,
    Pin,
    PlacementSite,
    Position,
    Relationship,
    sensitive_fields,
)
from matchwork.model.round import Round
from matchwork.result import MatchResult
from matchwork.scoring.features import Feature
from matchwork.scoring.scorer import Scores, ScoreTable, score
from matchwork.solve import assign

__version__ = VERSION


def __getattr__(name: str) -> Any:
    """``mw.Programme`` on first use: the programme history needs the ``programme`` extra (SQLAlchemy, Alembic)."""
    if name == "Programme":
        from matchwork.programme import Programme

        return Programme
    raise AttributeError(f"module 'matchwork' has no attribute {name!r}")


__all__ = [
    "Candidate",
    "Explanation",
    "Feature",
    "Forbid",
    "GuideWorker",
    "Location",
    "MatchError",
    "MatchResult",
    "Pairing",
    "PeerSupporter",
    "Pin",
    "PlacementSite",
    "Policy",
    "Position",
    "Problem",
    "Programme",
    "Relationship",
    "Round",
    "RoundValidationError",
    "ScoreTable",
    "Scores",
    "WhyNot",
    "__version__",
    "assign",
    "batch",
    "match",
    "pseudonymize",
    "schema",
    "score",
    "sensitive_fields",
    "synth",
]
