"""Pairings in place and time: what a round keeps before its stages are solved.

A placement office runs a round every few weeks; the people placed in earlier
rounds are on their way and their pairings are facts (issue 15). Before the
stages run, :func:`plan` reads the round's pairings against its date and the
policy's ``[continuity]`` section:

1. A pairing whose ``until`` is before the round's date has **ended**: it is
   history. One that ended in a *breakdown* adds a ``failed_pairing``
   relationship between the two (never again for this pair), keeps them apart
   for ``rematch_cooldown_days`` even where the policy does not forbid failed
   pairings, and gives the person priority (``Candidate.priority``).
2. A lead guide's role lasts ``lead_period_days`` from the pairing's start (seed
   002: the first two weeks); then the lead **joins the person's squad** and may
   lead a newcomer again. A squad member follows the person ``squad_months``.
3. ``keep = "always"``: every person with a placement in place keeps it, with
   all their ongoing pairings, even if a rule now fails (the result flags it as
   ``kept_with_issue`` with the rules, for the case team). ``"unless_rule"``: kept
   unless a rule now fails; then the person is matched again. ``"score"``: only
   the continuity bonus keeps pairings. A pin on a person is an explicit
   release: they are matched again, honouring the pin.

Kept people leave the optimisation; the loads they stand for stay carried by
their partners (as the profiles state them), so the stages see exactly the room
that is left. Every change of an ongoing pairing is a row of
:attr:`MatchResult.changes <matchwork.MatchResult.changes>` with its reason.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from typing import Any

import numpy as np
import pandas as pd

from matchwork.model.existing import partner_positions
from matchwork.model.policy import Policy
from matchwork.model.profiles import Pairing
from matchwork.model.round import Round
from matchwork.model.validation import NOBODY_LEFT_OK
from matchwork.model.vocab import EndReason, RelationshipKind, Role
from matchwork.scoring.rules import reason_codes, role_mask
from matchwork.scoring.scorer import Scorer

__all__ = ["CHANGE_COLUMNS", "KEPT_COLUMNS", "ContinuityPlan", "plan"]

CHANGE_COLUMNS = ("candidate_id", "role", "partner_id", "since", "until", "change", "reason")
"""Columns of the ``changes`` table: ``change`` is ``ended``, ``joined_squad`` or ``released``."""

KEPT_COLUMNS = (
    "candidate_id",
    "site_id",
    "position_id",
    "lead_guide_id",
    "squad_ids",
    "tutor_id",
    "operator_id",
    "peer_id",
    "since",
    "site_score",
    "guide_score",
    "peer_score",
    "squad_scores",
    "issues",
    "added",
)
"""Columns of the kept placements: ``issues`` are the rule codes a kept pairing now fails; ``added`` the partners
this round gave (:func:`matchwork.engine.refill.refill`), each ``(role, rank, options)``."""

# Rules about room, pins and score floors: a pairing in place is inside its partner's load, and a kept
# pairing is not a new choice, so these say nothing about whether it may go on.
_NOT_AN_ISSUE = frozenset(
    {
        "no_opening",
        "trainee_limit",
        "tutor_limit",
        "guide_full",
        "lead_full",
        "peer_hours",
        "peer_people_full",
        "tutor_full",
        "operator_full",
        "no_tutor_available",
        "no_operator_available",
        "pinned_elsewhere_site",
        "pinned_elsewhere_lead",
        "pinned_elsewhere_peer",
        "pinned_elsewhere_tutor",
        "pinned_elsewhere_operator",
        "below_min_score",
    }
)
_STAGE_OF_ROLE = {
    Role.SITE: "site",
    Role.LEAD_GUIDE: "guide",
    Role.GUIDE: "guide",
    Role.PEER: "peer",
    Role.TUTOR: "tutor",
    Role.OPERATOR: "operator",
}
_DAYS_PER_MONTH = 30.44


@dataclasses.dataclass(frozen=True)
class ContinuityPlan:
    """What a round keeps and what its stages solve.

    Attributes
    ----------
    round : Round
        The round the stages solve: kept people out, their partners' loads carried,
        ended pairings dropped, leads past their period in the squad, breakdowns
        turned into relationships, cool-downs and priority.
    kept : DataFrame
        One row per kept person (:data:`KEPT_COLUMNS`), sorted by id.
    changes : DataFrame
        Every change of an ongoing pairing (:data:`CHANGE_COLUMNS`).
    full : Round
        The round as given, kept people included.
    tables : dict
        The score tables of the kept people's rows (stage → ScoreTable), and
        ``pairs``: ``(candidate id, stage or "guide:<id>")`` → the pair index of each
        kept pairing in them, for explanations.
    timed : Round or None
        The round read against its date, kept people included: ended pairings
        dropped, breakdowns turned into relationships, cool-downs and priority.
    scorer : Scorer or None
        The scorer of ``timed`` that checked the kept pairings (None when nobody is placed).
    """

    round: Round
    kept: pd.DataFrame
    changes: pd.DataFrame
    full: Round
    tables: dict[str, Any] = dataclasses.field(default_factory=dict)
    pairs: dict[tuple[str, str], int] = dataclasses.field(default_factory=dict)
    timed: Round | None = None
    scorer: Scorer | None = None


def plan(rnd: Round, policy: Policy, *, release: dict[str, str] | None = None) -> ContinuityPlan:
    """Read the round's pairings against its date and the policy's ``[continuity]`` section.

    Parameters
    ----------
    rnd : Round
    policy : Policy
    release : dict, optional
        People to match again whatever ``keep`` says, each with the rule code that
        releases them (:func:`~matchwork.engine.refill.refill` under ``unless_rule``:
        a placement left without the tutor or operator its site needs).

    Returns
    -------
    ContinuityPlan

    Examples
    --------
    >>> import matchwork as mw
    >>> rnd = mw.synth.round(120, seed=0)
    >>> p = plan(rnd, mw.Policy.default())
    >>> placed_before = {x.candidate_id for x in rnd.pairings if x.role.value == "site"}
    >>> set(p.kept.candidate_id) == placed_before
    True
    >>> len(p.round.candidates) + len(p.kept) == len(rnd.candidates)
    True
    """
    cont = policy.continuity
    day = rnd.date
    changes: list[dict[str, Any]] = []
    ongoing: list[Pairing] = []
    relationships = [r.model_dump() for r in rnd.relationships]
    related = {frozenset((r.a, r.b)) for r in rnd.relationships if r.kind == RelationshipKind.FAILED_PAIRING}
    forbids = [f.model_dump() for f in rnd.forbids]
    priority: set[str] = set()
    for p in sorted(rnd.pairings, key=lambda x: (x.candidate_id, x.role.value, x.partner_id)):
        if not p.ongoing(day):
            changes.append(_change(p, "ended", (p.end_reason or EndReason.COMPLETED).value))
            if p.end_reason == EndReason.BREAKDOWN:
                other = _person_or_site(rnd, p)
                if frozenset((p.candidate_id, other)) not in related:
                    related.add(frozenset((p.candidate_id, other)))
                    relationships.append({"a": p.candidate_id, "b": other, "kind": RelationshipKind.FAILED_PAIRING})
                if day is not None and p.until is not None and (day - p.until).days < cont.rematch_cooldown_days:
                    forbids.append({"candidate_id": p.candidate_id, "partner_id": p.partner_id, "role": None})
                    priority.add(p.candidate_id)
            continue
        age = None if (day is None or p.since is None) else (day - p.since).days
        if p.role == Role.LEAD_GUIDE and age is not None and age >= cont.lead_period_days:
            changes.append(_change(p, "joined_squad", "lead_period_over"))
            p = p.model_copy(update={"role": Role.GUIDE})
        if p.role == Role.GUIDE and age is not None and age >= cont.squad_months * _DAYS_PER_MONTH:
            changes.append(_change(p, "ended", "squad_period_over"))
            continue
        ongoing.append(p)

    candidates = [
        c.model_copy(update={"priority": True}) if c.id in priority and not c.priority else c for c in rnd.candidates
    ]
    timed = rnd.replace(
        candidates=candidates,
        pairings=ongoing,
        relationships=relationships,
        forbids=_unique(forbids),
    )
    kept, released, tables, pairs, scorer = _kept(timed, policy, release or {})
    changes += released
    changes_frame = pd.DataFrame(changes, columns=list(CHANGE_COLUMNS))
    changes_frame = changes_frame.sort_values(["candidate_id", "role", "partner_id"], kind="stable")
    if kept.empty:
        return ContinuityPlan(timed, kept, changes_frame.reset_index(drop=True), rnd, tables, pairs, timed, scorer)
    token = NOBODY_LEFT_OK.set(True)  # every placement kept: nobody left to match is a round too
    try:
        out = _without(timed, set(kept.candidate_id), policy)
    finally:
        NOBODY_LEFT_OK.reset(token)
    return ContinuityPlan(out, kept, changes_frame.reset_index(drop=True), rnd, tables, pairs, timed, scorer)


def _change(p: Pairing, change: str, reason: str) -> dict[str, Any]:
    return {
        "candidate_id": p.candidate_id,
        "role": p.role.value,
        "partner_id": p.partner_id,
        "since": p.since,
        "until": p.until,
        "change": change,
        "reason": reason,
    }


def _person_or_site(rnd: Round, p: Pairing) -> str:
    """The other end of a failed pairing: the partner, or the site of a position."""
    return rnd.site_of_position[p.partner_id] if rnd.role_of(p.partner_id) == "position" else p.partner_id


def _unique(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen, out = set(), []
    for r in rows:
        key = (r["candidate_id"], r["partner_id"], str(r.get("role")))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _kept(
    rnd: Round, policy: Policy, release: dict[str, str]
) -> tuple[pd.DataFrame, list[dict[str, Any]], dict[str, Any], dict[tuple[str, str], int], Scorer | None]:
    """The people whose placement is kept (with the rules their pairings now fail), and those released."""
    keep = policy.continuity.keep
    by_candidate: defaultdict[str, list[Pairing]] = defaultdict(list)
    for p in rnd.pairings:
        by_candidate[p.candidate_id].append(p)
    placed = sorted(c for c, ps in by_candidate.items() if any(p.role == Role.SITE for p in ps))
    if keep == "score" or not placed:
        return pd.DataFrame(columns=list(KEPT_COLUMNS)), [], {}, {}, None
    pinned = {p.candidate_id for p in rnd.pins}
    scorer = Scorer(rnd, policy)
    checks, tables, pairs = _checks(scorer, placed)
    rows, released = [], []
    for cid in placed:
        issues, scores = checks[cid]
        if cid in release:
            issues = tuple(sorted({*issues, release[cid]}))
        if cid in pinned or (keep == "unless_rule" and issues):
            reason = "pin" if cid in pinned else "rule:" + ",".join(issues)
            released += [_change(p, "released", reason) for p in by_candidate[cid]]
            continue
        rows.append(_row(rnd, cid, by_candidate[cid], issues, scores))
    return _frame(rows), released, tables, pairs, scorer


_IDS = ("candidate_id", "site_id", "position_id", "lead_guide_id", "tutor_id", "operator_id", "peer_id")


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The kept placements; an id nobody has stays None (pandas' string dtype would read it as NaN)."""
    frame = pd.DataFrame(rows, columns=list(KEPT_COLUMNS))
    for col in _IDS:
        frame[col] = pd.Series([row[col] for row in rows], index=frame.index, dtype=object)
    return frame


def _row(
    rnd: Round, cid: str, pairings: list[Pairing], issues: tuple[str, ...], scores: dict[str, float]
) -> dict[str, Any]:
    one: dict[Role, str] = {}
    squad: list[str] = []
    for p in pairings:
        if p.role == Role.GUIDE:
            squad.append(p.partner_id)
        else:
            one[p.role] = p.partner_id
    site_partner = one[Role.SITE]
    positions = partner_positions(rnd, site_partner)
    site = site_partner if rnd.role_of(site_partner) == "site" else rnd.site_of_position[site_partner]
    since = min((p.since for p in pairings if p.role == Role.SITE and p.since is not None), default=None)
    return {
        "candidate_id": cid,
        "site_id": site,
        "position_id": positions[0] if len(positions) == 1 else None,
        "lead_guide_id": one.get(Role.LEAD_GUIDE),
        "squad_ids": tuple(sorted(squad)),
        "tutor_id": one.get(Role.TUTOR),
        "operator_id": one.get(Role.OPERATOR),
        "peer_id": one.get(Role.PEER),
        "since": since,
        "site_score": scores.get("site", np.nan),
        "guide_score": scores.get("guide", np.nan),
        "peer_score": scores.get("peer", np.nan),
        "squad_scores": tuple(scores.get(f"guide:{g}", np.nan) for g in sorted(squad)),
        "issues": issues,
        "added": (),
    }


def _checks(
    scorer: Scorer, placed: list[str]
) -> tuple[dict[str, tuple[tuple[str, ...], dict[str, float]]], dict[str, Any], dict[tuple[str, str], int]]:
    """For each placed person: the rules their ongoing pairings now fail, and each stage's score of them.

    Only the cells of the ongoing pairings are scored (a site's every position for a
    pairing with a whole site), with the people's own loads released as for any
    candidate of the round: a national round keeps tens of thousands of people, whose
    full rows would not fit in memory.
    """
    rnd, a = scorer.round, scorer.arrays
    partners = {"site": a.positions, "guide": a.guides, "peer": a.peers, "tutor": a.tutors, "operator": a.operators}
    who = set(placed)
    ongoing = [p for p in rnd.pairings if p.candidate_id in who]
    ids = [partner_positions(rnd, p.partner_id) if p.role == Role.SITE else (p.partner_id,) for p in ongoing]
    cells: defaultdict[str, set[tuple[int, int]]] = defaultdict(set)
    for p, xs in zip(ongoing, ids, strict=True):
        stage = _STAGE_OF_ROLE[p.role]
        cells[stage] |= {(a.candidates.index[p.candidate_id], partners[stage].index[x]) for x in xs}
    tables = {}
    for stage, pairs_of in cells.items():
        rows, cols = np.array(sorted(pairs_of), dtype=np.int64).T
        tables[stage] = scorer.cells(stage, rows, cols)
    issues: dict[str, set[str]] = {c: set() for c in placed}
    scores: dict[str, dict[str, list[float]]] = {c: defaultdict(list) for c in placed}
    pairs: dict[tuple[str, str], int] = {}
    for p, xs in zip(ongoing, ids, strict=True):
        stage = _STAGE_OF_ROLE[p.role]
        table = tables[stage]
        found = table.find(a.candidates.index[p.candidate_id], np.array([partners[stage].index[x] for x in xs]))
        masks = [int(table.reasons[k]) & role_mask(p.role.value) for k in found]
        best = min(range(len(found)), key=lambda i: (bin(masks[i]).count("1"), i))  # a whole site: its best position
        issues[p.candidate_id] |= set(reason_codes(masks[best])) - _NOT_AN_ISSUE
        key = f"guide:{p.partner_id}" if p.role == Role.GUIDE else stage
        scores[p.candidate_id][key].append(float(table.total[found[best]]))
        pairs[(p.candidate_id, key)] = int(found[best])
    checks = {c: (tuple(sorted(issues[c])), {s: float(np.mean(v)) for s, v in scores[c].items()}) for c in placed}
    return checks, tables, pairs


def _without(rnd: Round, kept: set[str], policy: Policy) -> Round:
    """The round without the kept people; their partners keep carrying the loads they stand for.

    A site's trainees present include its kept people; those the rule set exempts from
    the legal limit are exempt trainees present now (the office may have counted them
    there already: at least as many, never twice).
    """
    ongoing = [p for p in rnd.pairings if p.candidate_id in kept]
    rule_set = policy.trainee_limits.rule_sets[policy.trainee_limits.name_for(rnd.region)]
    exempt = {c.id for c in rnd.candidates if c.id in kept and c.category in rule_set.exempt_categories}
    site_of = rnd.site_of_position
    exempt_at = Counter(
        site_of.get(p.partner_id, p.partner_id) for p in ongoing if p.role == Role.SITE and p.candidate_id in exempt
    )
    sites = [
        s.model_copy(update={"exempt_trainees_present": max(s.exempt_trainees_present, exempt_at[s.id])})
        if exempt_at[s.id]
        else s
        for s in rnd.sites
    ]
    leads = Counter(p.partner_id for p in ongoing if p.role == Role.LEAD_GUIDE)
    all_leads = Counter(p.partner_id for p in rnd.pairings if p.role == Role.LEAD_GUIDE)
    people = Counter(p.partner_id for p in rnd.pairings if p.role == Role.PEER)
    guides = [
        g.model_copy(update={"current_leads": all_leads[g.id]}) if g.current_leads is None and leads[g.id] else g
        for g in rnd.guides
    ]
    peers = [
        e.model_copy(update={"current_people": people[e.id]}) if e.current_people is None and people[e.id] else e
        for e in rnd.peers
    ]
    staying = [c for c in rnd.candidates if c.id not in kept]
    known = {x for x in (*(r.a for r in rnd.relationships), *(r.b for r in rnd.relationships)) if rnd.role_of(x)}
    known = (known - kept) | {m for c in staying for m in c.care_team}  # ids of the round, care teams that stay
    return rnd.replace(
        candidates=staying,
        guides=guides,
        peers=peers,
        sites=sites,
        pairings=[p for p in rnd.pairings if p.candidate_id not in kept],
        relationships=[r for r in rnd.relationships if {r.a, r.b} <= known],
        forbids=[f for f in rnd.forbids if f.candidate_id not in kept],
        pins=[p for p in rnd.pins if p.candidate_id not in kept],
    )
