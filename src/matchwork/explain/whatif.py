"""What-if questions, each a full re-solve of the same round with one change.

:func:`why_not` pins a pair and compares; :func:`capacity_prices` gives a partner
one more slot and compares. The re-solve comes from the result itself
(:meth:`matchwork.MatchResult.resolve`, injected by the engine), so this module
never imports the engine.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from matchwork.errors import MatchError
from matchwork.explain.lookup import partner_index
from matchwork.explain.model import WhyNot
from matchwork.model.existing import partner_positions
from matchwork.model.profiles import Pin
from matchwork.model.vocab import Role, SupportIntensity
from matchwork.scoring.capacity import Capacities
from matchwork.scoring.rules import RULE_BY_CODE, reason_codes, role_mask

if TYPE_CHECKING:
    from matchwork.result import MatchResult

__all__ = ["Prices", "capacity_prices", "price_book", "why_not"]


def why_not(result: MatchResult, candidate_id: str, partner_id: str, role: str | None = None) -> WhyNot:
    """Whether the pair was possible; if so, what forcing it costs; see :meth:`MatchResult.why_not`."""
    rnd, a = result.round, result.scores.arrays
    if candidate_id not in a.candidates.index:
        raise KeyError(f"no candidate {candidate_id!r} in this round")
    kind = rnd.role_of(partner_id)
    if kind not in ("site", "position", "guide", "peer"):
        raise KeyError(f"no site, position, guide worker or peer supporter {partner_id!r} in this round")
    role = role or {"site": "site", "position": "site", "guide": "lead_guide", "peer": "peer"}[kind]
    if role not in ("site", "lead_guide", "guide", "peer") or (kind == "guide") != (role in ("lead_guide", "guide")):
        raise ValueError(f"role {role!r} does not fit partner {partner_id!r} (a {kind})")
    c = a.candidates.index[candidate_id]
    codes = _forbidding(result, c, kind, partner_id, role)
    empty = pd.DataFrame(columns=["candidate_id", "stage", "before", "after"])
    if codes:
        texts = tuple(dict.fromkeys(RULE_BY_CODE[x].text["en"] for x in codes))
        return WhyNot(candidate_id, partner_id, role, False, codes, texts, None, 0, empty)
    pin_role = None if role in ("site", "peer") else Role(role)
    pinned = rnd.replace(pins=[*rnd.pins, Pin(candidate_id=candidate_id, partner_id=partner_id, role=pin_role)])
    try:
        other = result.resolve(pinned)
    except MatchError as exc:
        return WhyNot(candidate_id, partner_id, role, True, (), (), None, 0, empty, message=str(exc))
    before, after = result.objective, other.objective
    return WhyNot(
        candidate_id,
        partner_id,
        role,
        True,
        (),
        (),
        before["total"] - after["total"],
        int(before["matched"] - after["matched"]),
        _displaced(result, other, exclude=candidate_id),
        {k: before[f"{k}_total"] - after[f"{k}_total"] for k in ("site", "lead_guide", "squad", "peer")},
    )


def _forbidding(result: MatchResult, c: int, kind: str, partner_id: str, role: str) -> tuple[str, ...]:
    """The rules that forbid the pair in the role (for a site: those forbidding every one of its positions)."""
    scorer, a = result.scores.scorer, result.scores.arrays
    if kind in ("site", "position"):
        row = scorer.dense("site", candidates=np.array([c]))
        cols = np.array([a.positions.index[p] for p in partner_positions(result.round, partner_id)])
        masks = row.reasons[cols] & np.uint64(role_mask("site"))
        return () if (masks == 0).any() else reason_codes(int(np.bitwise_and.reduce(masks)) or int(masks[0]))
    table = "guide" if kind == "guide" else "peer"
    col = {"guide": a.guides, "peer": a.peers}[table].index[partner_id]
    row = scorer.dense(table, candidates=np.array([c]))
    codes = reason_codes(int(row.reasons[col]) & role_mask(role))
    if role == "lead_guide" and not a.guides.can_lead[col] and "cannot_lead" not in codes:
        codes = (*codes, "cannot_lead")
    return codes


def _displaced(before: MatchResult, after: MatchResult, exclude: str) -> pd.DataFrame:
    cols = {"site": "site_id", "lead_guide": "lead_guide_id", "squad": "squad_ids", "peer": "peer_id"}
    x, y = before.assignments, after.assignments
    rows = []
    for stage, col in cols.items():
        changed = x[col].map(repr) != y[col].map(repr)  # None == None here, unlike pandas' !=
        for cid, b, a in zip(x.candidate_id[changed], x[col][changed], y[col][changed], strict=True):
            if cid != exclude:
                rows.append((cid, stage, b, a))
    return pd.DataFrame(rows, columns=["candidate_id", "stage", "before", "after"])


class Prices:
    """Capacity prices computed on demand and kept: one full re-solve per binding partner."""

    def __init__(self, result: MatchResult):
        self.result = result
        self.cache: dict[tuple[str, int], tuple[int, float]] = {}

    def get(self, role: str, idx: int) -> tuple[int, float]:
        key = (role, idx)
        if key not in self.cache:
            other = self.result.resolve(None, _one_more(self.result, role, idx))
            before, after = self.result.objective, other.objective
            self.cache[key] = (int(after["matched"] - before["matched"]), after["total"] - before["total"])
        return self.cache[key]


def price_book(result: MatchResult) -> Prices:
    prices = result.__dict__.get("_prices")
    if prices is None:
        prices = result.__dict__["_prices"] = Prices(result)
    return prices


def _one_more(result: MatchResult, role: str, idx: int) -> Capacities:
    """The round's capacities with one more slot for one partner.

    A site: one more trainee under both its limits and one more opening in each
    of its positions (so one more anywhere in the site); a lead guide: one more
    newcomer to lead (and to follow); a guide: one more newcomer to follow; a peer
    supporter: the hours a medium-intensity candidate needs.
    """
    cap, a, policy = result.scores.capacities, result.scores.arrays, result.policy

    def plus(arr: np.ndarray, at: Any, by: float = 1) -> np.ndarray:
        out = arr.copy()
        out[at] += by
        return out

    if role == "site":
        positions = np.flatnonzero(a.positions.site == idx)
        return dataclasses.replace(
            cap,
            site_legal=plus(cap.site_legal, idx),
            site_tutor=plus(cap.site_tutor, idx),
            site_legal_limit=plus(cap.site_legal_limit, idx),
            site_tutor_limit=plus(cap.site_tutor_limit, idx),
            position_open=plus(cap.position_open, positions),
        )
    if role in ("lead_guide", "guide"):
        total = plus(cap.guide_total, idx)
        lead = np.where(a.guides.can_lead, np.minimum(policy.caps.lead_newcomers, total), 0)
        if role == "lead_guide":
            lead = plus(np.minimum(lead, cap.guide_lead), idx)
        return dataclasses.replace(
            cap, guide_total=total, guide_limit=plus(cap.guide_limit, idx), guide_lead=np.minimum(lead, total)
        )
    hours = float(policy.caps.hours_by_intensity[SupportIntensity.MEDIUM])
    return dataclasses.replace(
        cap, peer_hours=plus(cap.peer_hours, idx, hours), peer_limit=plus(cap.peer_limit, idx, hours)
    )


def capacity_prices(result: MatchResult, roles: Iterable[str] | None = None) -> pd.DataFrame:
    """What one more slot of each partner would add to the round; see :meth:`MatchResult.capacity_prices`."""
    roles = tuple(roles or ("site", "lead_guide", "guide", "peer"))
    bad = set(roles) - {"site", "lead_guide", "guide", "peer"}
    if bad:
        raise ValueError(f"roles must be among site, lead_guide, guide, peer; got {sorted(bad)}")
    loads = result.loads[result.loads["role"].isin(roles)].reset_index(drop=True)
    binding = (loads["load"] >= loads["capacity"] - 1e-9).to_numpy()
    prices = price_book(result)
    extra = np.zeros(len(loads), dtype=np.int64)
    gain = np.zeros(len(loads))
    a = result.scores.arrays
    for i in np.flatnonzero(binding):
        role, pid = str(loads.at[i, "role"]), str(loads.at[i, "partner_id"])
        if role == "lead_guide" and not a.guides.can_lead[a.guides.index[pid]]:
            continue  # one more lead slot is worth nothing to a guide who may not lead
        extra[i], gain[i] = prices.get(role, partner_index(result, role, pid))
    out = loads.assign(binding=binding, extra_matched=extra, gain=gain)
    return out.sort_values(["extra_matched", "gain", "role", "partner_id"], ascending=[False, False, True, True])
