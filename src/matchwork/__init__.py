"""matchwork: who accompanies whom when a person with a fragile history starts work.

``import matchwork`` loads nothing heavy: every public name is imported on first
use (PEP 562), so that the command line and programs that need one part start
fast. ``mw.match`` also loads the output layer, which :meth:`MatchResult.write` uses.

Examples
--------
>>> import matchwork as mw
>>> rnd = mw.synth.round(60, seed=0)
>>> isinstance(rnd, mw.Round)
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from matchwork._version import VERSION

if TYPE_CHECKING:  # what the names below are, for type checkers and editors; at run time they load on first use
    from matchwork import batch, synth
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
    from matchwork.programme import Programme
    from matchwork.result import MatchResult
    from matchwork.scoring.features import Feature
    from matchwork.scoring.scorer import Scores, ScoreTable, score
    from matchwork.solve import assign

__version__ = VERSION

_WHERE: dict[str, str] = {
    "batch": "matchwork.batch",
    "synth": "matchwork.synth",
    "match": "matchwork.engine",
    "MatchError": "matchwork.errors",
    "Problem": "matchwork.errors",
    "RoundValidationError": "matchwork.errors",
    "Explanation": "matchwork.explain",
    "WhyNot": "matchwork.explain",
    "pseudonymize": "matchwork.io.privacy",
    "schema": "matchwork.io.schema",
    "Policy": "matchwork.model.policy",
    **{
        name: "matchwork.model.profiles"
        for name in (
            "Candidate",
            "Forbid",
            "GuideWorker",
            "Location",
            "Pairing",
            "PeerSupporter",
            "Pin",
            "PlacementSite",
            "Position",
            "Relationship",
            "sensitive_fields",
        )
    },
    "Round": "matchwork.model.round",
    "Programme": "matchwork.programme",  # needs the programme extra (SQLAlchemy, Alembic)
    "MatchResult": "matchwork.result",
    "Feature": "matchwork.scoring.features",
    "Scores": "matchwork.scoring.scorer",
    "ScoreTable": "matchwork.scoring.scorer",
    "score": "matchwork.scoring.scorer",
    "assign": "matchwork.solve",
}
"""Where each public name lives: imported on first use."""

_WRITES = frozenset({"match", "MatchResult"})
"""Names that give results: they load :mod:`matchwork.batch` too, which registers :meth:`MatchResult.write`."""


def __getattr__(name: str) -> Any:
    """A public name on first use: its module is imported then, not with ``import matchwork``."""
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'matchwork' has no attribute {name!r}")
    module = importlib.import_module(where)
    value = module if where == f"matchwork.{name}" else getattr(module, name)
    if name in _WRITES:
        importlib.import_module("matchwork.batch")
    globals()[name] = value  # later look-ups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})


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
