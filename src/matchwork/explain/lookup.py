"""Lookups an explanation shares: names by id, the capacity an option draws on, ranking."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from matchwork.scoring.scorer import ScoreTable

if TYPE_CHECKING:
    from matchwork.result import MatchResult

__all__ = ["capacity_of", "names", "partner_index", "rank_allowed"]


def names(result: MatchResult) -> dict[str, str]:
    """Every person's (company tutors and desk operators too), site's and position's name by id (a position as
    "site – title"); built once per result."""
    cached: dict[str, str] | None = result.__dict__.get("_names")
    if cached is not None:
        return cached
    rnd = result.round
    people: list[Any] = [*rnd.candidates, *rnd.guides, *rnd.peers, *rnd.sites, *rnd.tutors, *rnd.operators]
    out = {x.id: x.name for x in people}
    for site_id, pos in rnd.positions:
        out[pos.id] = f"{out[site_id]} – {pos.title}"
    result.__dict__["_names"] = out
    return out


def capacity_of(result: MatchResult, role: str, pid: str) -> tuple[str, str]:
    """The capacity an option draws on: a position's site, a guide's lead or total load, a peer's hours."""
    if role == "site":
        a = result.scores.arrays
        return "site", str(a.sites.ids[a.positions.site[a.positions.index[pid]]])
    return role, pid


def partner_index(result: MatchResult, role: str, pid: str) -> int:
    """The index of a partner in the score tables of its role."""
    a = result.scores.arrays
    cols = {"site": a.sites, "lead_guide": a.guides, "guide": a.guides, "peer": a.peers}[role]
    return int(cols.index[pid])


def rank_allowed(table: ScoreTable, ok: np.ndarray) -> np.ndarray:
    """Indices of the allowed pairs, best first, ties by partner (id order)."""
    idx = np.flatnonzero(ok)
    return idx[np.lexsort((table.cols[idx], -table.total[idx]))]
