"""JSON Schema of every input, for the case-management systems that feed matchwork.

:func:`schema` gives one schema per table and one for the whole round document
that :meth:`matchwork.Round.from_json` reads. Fields holding health or referral
data carry ``"sensitive": true``; every field carries its Italian term as ``"it"``.

Examples
--------
>>> from matchwork import schema
>>> s = schema()
>>> sorted(s)[:4]
['candidates', 'cooperatives', 'forbids', 'guides']
>>> s["candidates"]["properties"]["category"]["sensitive"]
True
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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
    Relationship,
    Review,
)
from matchwork.model.vocab import Region

__all__ = ["RoundDocument", "schema"]


class RoundDocument(BaseModel):
    """The JSON document of a whole round, as :meth:`matchwork.Round.to_json` writes it."""

    model_config = ConfigDict(extra="forbid", title="matchwork round")

    matchwork: int = Field(1, description="Format version.")
    name: str = Field("round", description="Name of the round.")
    date: dt.date | None = Field(None, description="The day placements start (YYYY-MM-DD).")
    region: Region | None = Field(None, description="The region whose traineeship rules apply.")
    review: Review | None = Field(None, description="Who reviews the round's matches, and their approval.")
    candidates: list[Candidate]
    guides: list[GuideWorker] = []
    peers: list[PeerSupporter] = []
    sites: list[PlacementSite]
    tutors: list[CompanyTutor] = []
    operators: list[DeskOperator] = []
    cooperatives: list[Cooperative] = []
    relationships: list[Relationship] = []
    pairings: list[Pairing] = []
    pins: list[Pin] = []
    forbids: list[Forbid] = []
    notes: dict[str, dict[str, dict[str, str]]] = Field(
        default_factory=dict,
        description="Extra columns kept as notes: table → record id → {header: text}. Never used for matching.",
    )


def schema() -> dict[str, dict[str, Any]]:
    """JSON Schemas: one per table (``candidates``, ``sites``…) and ``round`` for the document.

    Returns
    -------
    dict
        Table name → JSON Schema (draft 2020-12) of one record; ``"round"`` → the
        schema of the whole JSON document.
    """
    out = {table: model.model_json_schema() for table, model in PROFILE_TYPES.items()}
    out["round"] = RoundDocument.model_json_schema()
    return out
