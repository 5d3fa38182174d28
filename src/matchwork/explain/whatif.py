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

from matchwork._validation import Lang, PartnerRole, choice
from matchwork.errors import MatchError, RoundValidationError
from matchwork.explain.audience import rule_text
from matchwork.explain.lookup import names as lookup_names
from matchwork.explain.lookup import partner_index
from matchwork.explain.model import WhyNot
from matchwork.i18n import text, words
from matchwork.model.existing import partner_positions
from matchwork.model.profiles import Pin
from matchwork.model.vocab import Role, SupportIntensity
from matchwork.result import tier_loss
from matchwork.scoring.capacity import Capacities
from matchwork.scoring.rules import reason_codes, role_mask
from matchwork.solve.network import SCALE

if TYPE_CHECKING:
    from matchwork.result import MatchResult

__all__ = ["Price", "Prices", "capacity_prices", "price_book", "why_not"]


STAGE_OF_ROLE = {
    "site": "joint", "lead_guide": "joint", "guide": "squad", "tutor": "joint", "operator": "joint", "peer": "peer"
}  # fmt: skip
_COLUMN = {
    "site": "site_id", "lead_guide": "lead_guide_id", "guide": "squad_ids", "tutor": "tutor_id",
    "operator": "operator_id", "peer": "peer_id",
}  # fmt: skip
_DEFAULT_ROLE = {"site": "site", "position": "site", "guide": "lead_guide", "tutor": "tutor", "operator": "operator",
                 "peer": "peer"}  # fmt: skip


def why_not(
    result: MatchResult, candidate_id: str, partner_id: str, role: str | None = None, lang: str = "it"
) -> WhyNot:
    """Whether the pair was possible; if so, what forcing it costs, stage by stage; see :meth:`MatchResult.why_not`.

    The re-solve is the round as matched plus exactly one pin on the pair: same
    capacities, pairings in place, policy and features. Stages are compared on the
    tiers each one optimised (:attr:`~matchwork.result.StageSolution.tiers`), in order.
    """
    choice("lang", lang, Lang)
    rnd, a = result.solved_round, result.scores.arrays
    if candidate_id in result.kept_ids:  # not matched again: their pairings in place are kept
        kind = result.round.role_of(partner_id)
        role = role or _DEFAULT_ROLE.get(str(kind), "site")
        if _already(result, candidate_id, partner_id, role):
            return WhyNot(
                candidate_id, partner_id, role, True, (), (), 0.0, 0, _NOBODY,
                cost_by_stage=dict.fromkeys(result.stages, 0.0), lang=lang, current=True,
                tiers_before=result.tiers, tiers_after=result.tiers,
            )  # fmt: skip
        why = text("keep.whynot", lang)
        return WhyNot(candidate_id, partner_id, role, False, ("kept",), (why,), None, 0, _NOBODY, lang=lang)
    if candidate_id not in a.candidates.index:
        raise KeyError(f"no candidate {candidate_id!r} in this round")
    kind = rnd.role_of(partner_id)
    if kind not in _DEFAULT_ROLE:
        raise KeyError(
            f"no site, position, guide worker, tutor, operator or peer supporter {partner_id!r} in this round"
        )
    role = role or _DEFAULT_ROLE[kind]
    choice("role", role, PartnerRole)
    fits = role in ("lead_guide", "guide") if kind == "guide" else role == _DEFAULT_ROLE[kind]
    if not fits:
        raise ValueError(f"role {role!r} does not fit partner {partner_id!r} (a {kind})")
    c = a.candidates.index[candidate_id]
    codes, reasons = _forbidding(result, c, kind, partner_id, role, lang)
    before = result.tiers
    if codes:
        return WhyNot(candidate_id, partner_id, role, False, codes, reasons, None, 0, _NOBODY, lang=lang)
    if _already(result, candidate_id, partner_id, role):
        return WhyNot(
            candidate_id, partner_id, role, True, (), (), 0.0, 0, _NOBODY,
            cost_by_stage=dict.fromkeys(result.stages, 0.0), lang=lang, current=True,
            tiers_before=before, tiers_after=before,
        )  # fmt: skip
    pin_role = Role(role) if role in ("lead_guide", "guide") else None  # the partner's table says the rest
    try:
        pinned = rnd.replace(pins=[*rnd.pins, Pin(candidate_id=candidate_id, partner_id=partner_id, role=pin_role)])
        other = result.resolve(pinned)
    except RoundValidationError as exc:  # e.g. more pins on a position than it has openings
        detail = "; ".join(p.expected for p in exc.problems)
        reason = words("explain", lang)["pin_impossible"].format(detail=detail)
        return WhyNot(candidate_id, partner_id, role, False, (), (reason,), None, 0, _NOBODY, message=detail, lang=lang)
    except MatchError as exc:
        reason = words("explain", lang)["pin_impossible"].format(detail=exc)
        return WhyNot(
            candidate_id, partner_id, role, False, (), (reason,), None, 0, _NOBODY, message=str(exc), lang=lang
        )
    after = other.tiers
    by_stage = {stage: _points(before, stage) - _points(after, stage) for stage in result.stages}
    headline = _headline(before, after)
    lost, gained = _who_moves(result, other, exclude=candidate_id)
    return WhyNot(
        candidate_id,
        partner_id,
        role,
        True,
        (),
        (),
        by_stage[headline[0]] if headline else 0.0,
        int(_value(before, "joint", "placed") - _value(after, "joint", "placed")),
        lost,
        cost_by_stage=by_stage,
        lang=lang,
        headline=headline,
        gained=gained,
        tiers_before=before,
        tiers_after=after,
    )


_NOBODY = pd.DataFrame(columns=["candidate_id", "stage", "before", "after"])


def _value(tiers: tuple[tuple[str, str, float], ...], stage: str, tier: str) -> float:
    return next((v for s, t, v in tiers if s == stage and t == tier), 0.0)


def _points(tiers: tuple[tuple[str, str, float], ...], stage: str) -> float:
    return _value(tiers, stage, "points")


def _headline(
    before: tuple[tuple[str, str, float], ...], after: tuple[tuple[str, str, float], ...]
) -> tuple[str, str, float] | None:
    """The first tier that changes, in the engine's order, with what it loses (None when nothing changes).

    Tiers are compared in units of 1/10 000 of a point, the engine's own precision.
    """
    for (stage, tier, b), (_, _, x) in zip(before, after, strict=True):
        if round(b * SCALE) != round(x * SCALE):
            return stage, tier, tier_loss(tier, b, x)
    return None


def _already(result: MatchResult, candidate_id: str, partner_id: str, role: str) -> bool:
    """Whether the result already pairs the candidate with the partner in the role."""
    row = result.assignments.set_index("candidate_id").loc[candidate_id]
    if role == "site":
        return partner_id in (row["site_id"], row["position_id"])
    if role == "guide":
        return partner_id in row["squad_ids"]
    return bool(row[_COLUMN[role]] == partner_id)


def _who_moves(before: MatchResult, after: MatchResult, exclude: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Everyone else whose pairing changes: those who lose something, and apart those who only gain.

    A change of site, lead guide or peer supporter is a loss when the new pairing scores
    less than the old one or is none, a gain when it scores more or is new; a squad
    change compares the squad's total score. An equal score at another partner is a loss
    of continuity, so it counts with the losses.
    """
    x, y = before.assignments.set_index("candidate_id"), after.assignments.set_index("candidate_id")
    sx, sy = (r.squads.groupby("candidate_id")["score"].sum() for r in (before, after))
    columns = {"site": ("site_id", "site_score"), "lead_guide": ("lead_guide_id", "guide_score"),
               "squad": ("squad_ids", None), "tutor": ("tutor_id", ""), "operator": ("operator_id", ""),
               "peer": ("peer_id", "peer_score")}  # fmt: skip
    lost: list[tuple[Any, ...]] = []
    gained: list[tuple[Any, ...]] = []
    for stage, (col, score) in columns.items():
        changed = x[col].map(repr) != y[col].map(repr)  # None == None here, unlike pandas' !=
        for cid in x.index[changed]:
            if cid == exclude:
                continue
            old, new = x.at[cid, col], y.at[cid, col]
            if score is None:
                gain = float(sy.get(cid, 0.0)) - float(sx.get(cid, 0.0))
            elif old is None or new is None:
                gain = 1.0 if old is None else -1.0
            elif not score:  # a tutor or operator carries no score: another one is a loss of continuity
                gain = 0.0
            else:
                gain = float(y.at[cid, score]) - float(x.at[cid, score])  # type: ignore[arg-type]
            (gained if gain > 1e-9 else lost).append((cid, stage, old, new))
    cols = ["candidate_id", "stage", "before", "after"]
    losers = {row[0] for row in lost}
    lost += [row for row in gained if row[0] in losers]  # who loses anything is displaced, all their changes with it
    gained = [row for row in gained if row[0] not in losers]
    return pd.DataFrame(lost, columns=cols), pd.DataFrame(gained, columns=cols)


def _forbidding(
    result: MatchResult, c: int, kind: str, partner_id: str, role: str, lang: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The rules that forbid the pair in the role, and why in words.

    A site is forbidden when every one of its positions is (the rules common to them
    all, else each position's first). A guide worker of a site the candidate cannot go
    to is forbidden through it: "G works at S; S is not possible for C because …".
    """
    scorer, a, rnd = result.scores.scorer, result.scores.arrays, result.solved_round
    t = words("explain", lang)
    if kind in ("site", "position"):
        return _site_rules(result, c, partner_positions(rnd, partner_id), lang)
    table = kind
    col = {"guide": a.guides, "tutor": a.tutors, "operator": a.operators, "peer": a.peers}[table].index[partner_id]
    row = scorer.dense(table, candidates=np.array([c]))
    codes = reason_codes(int(row.reasons[col]) & role_mask(role))
    if role == "lead_guide" and not a.guides.can_lead[col] and "cannot_lead" not in codes:
        codes = (*codes, "cannot_lead")
    reasons = tuple(dict.fromkeys(rule_text(code, lang) for code in codes))
    if kind in ("guide", "tutor"):  # they work at one site: the person must be able to go there
        site = str(a.sites.ids[(a.guides if kind == "guide" else a.tutors).site[col]])
        site_codes, site_reasons = _site_rules(result, c, rnd.site_positions[site], lang)
        if site_codes:
            names = lookup_names(result)
            chain = t["works_at"].format(
                guide=names[partner_id], site=names[site], candidate=names[str(a.candidates.ids[c])],
                reasons="; ".join(site_reasons),
            )  # fmt: skip
            codes, reasons = tuple(dict.fromkeys([*codes, *site_codes])), (*reasons, chain)
    return codes, reasons


def _site_rules(
    result: MatchResult, c: int, positions: tuple[str, ...], lang: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The rules forbidding every one of these positions to the candidate (none if one is allowed)."""
    a = result.scores.arrays
    row = result.scores.scorer.dense("site", candidates=np.array([c]))
    cols = np.array([a.positions.index[p] for p in positions])
    masks = row.reasons[cols] & np.uint64(role_mask("site"))
    if (masks == 0).any():
        return (), ()
    codes = reason_codes(int(np.bitwise_and.reduce(masks)) or int(masks[0]))
    return codes, tuple(dict.fromkeys(rule_text(code, lang) for code in codes))


@dataclasses.dataclass(frozen=True)
class Price:
    """What one more slot of a partner is worth: placements gained, then points, stage by stage.

    ``gain`` is the points gained in the first stage that changes, never negative (a
    slot only relaxes its stage, and the engine is exact); ``by_stage`` holds every
    stage's points gained (a later stage may lose).
    """

    extra_matched: int
    gain: float
    by_stage: dict[str, float]


class Prices:
    """Capacity prices computed on demand and kept: one full re-solve per binding partner."""

    def __init__(self, result: MatchResult):
        self.result = result
        self.cache: dict[tuple[str, int], Price] = {}

    def get(self, role: str, idx: int) -> Price:
        key = (role, idx)
        if key not in self.cache:
            other = self.result.resolve(None, _one_more(self.result, role, idx))
            before, after = self.result.tiers, other.tiers
            by_stage = {stage: _points(after, stage) - _points(before, stage) for stage in self.result.stages}
            first = _headline(after, before)  # what the slot gains first, in the engine's order
            extra = int(_value(after, "joint", "placed") - _value(before, "joint", "placed"))
            self.cache[key] = Price(extra, by_stage[first[0]] if first else 0.0, by_stage)
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
    supporter: the hours a medium-intensity candidate needs and one more person.
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
        cap,
        peer_hours=plus(cap.peer_hours, idx, hours),
        peer_limit=plus(cap.peer_limit, idx, hours),
        peer_people=plus(cap.peer_people, idx),
        peer_people_limit=plus(cap.peer_people_limit, idx),
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
    by_stage = np.zeros((len(loads), len(result.stages)))
    a = result.scores.arrays
    for i in np.flatnonzero(binding):
        role, pid = str(loads.at[i, "role"]), str(loads.at[i, "partner_id"])
        if role == "lead_guide" and not a.guides.can_lead[a.guides.index[pid]]:
            continue  # one more lead slot is worth nothing to a guide who may not lead
        price = prices.get(role, partner_index(result, role, pid))
        extra[i], gain[i] = price.extra_matched, price.gain
        by_stage[i] = list(price.by_stage.values())
    out = loads.assign(binding=binding, extra_matched=extra, gain=gain)
    for k, stage in enumerate(result.stages):
        out[f"gain_{stage}"] = by_stage[:, k]
    return out.sort_values(["extra_matched", "gain", "role", "partner_id"], ascending=[False, False, True, True])
