"""Recording an approved result: the round, what it decided, the pairings it starts, keeps and changes.

Internal: :meth:`matchwork.programme.Programme.record` runs :class:`Recorder` inside its transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

import pandas as pd
import sqlalchemy as sa

from matchwork.model.policy import Policy
from matchwork.model.round import Round
from matchwork.programme import tables as t
from matchwork.programme.common import (
    DESK_ROLES,
    GUIDE_ROLES,
    ROLES,
    ProgrammeError,
    category_of,
    exempt_categories,
    hours_by_intensity,
    hours_of,
    latest_profiles,
    now,
    open_rows,
)

__all__ = ["Recorded", "Recorder"]


@dataclasses.dataclass(frozen=True)
class Recorded:
    """What :meth:`Programme.record` stored.

    Attributes
    ----------
    round_id : int
        The round's number in the history.
    name : str
        The round's name.
    date : datetime.date
        The round's date: the pairings it starts start on it.
    candidates, matched : int
        Candidates in the round, and those placed.
    imported : int
        Pairings in place that the round brought and the history did not have yet.
    started, kept, ended, changed : int
        Pairings started; pairings in place kept; pairings in place ended by the
        round (reason ``changed``); and ``changed`` events (one per pairing replaced or dropped).
    """

    round_id: int
    name: str
    date: dt.date
    candidates: int
    matched: int
    imported: int
    started: int
    kept: int
    ended: int
    changed: int


def decided(row: Mapping[str, Any]) -> set[tuple[str, str]]:
    """The ``(role, partner)`` pairs one assignments row decides."""
    out: set[tuple[str, str]] = set()
    if isinstance(row.get("position_id"), str):
        out.add(("site", row["position_id"]))
    if isinstance(row.get("lead_guide_id"), str):
        out.add(("lead_guide", row["lead_guide_id"]))
    for guide in row.get("squad_ids") or ():
        out.add(("guide", str(guide)))
    if isinstance(row.get("peer_id"), str):
        out.add(("peer", row["peer_id"]))
    for role in DESK_ROLES:  # a host company's company tutor and job-desk operator
        if isinstance(row.get(f"{role}_id"), str):
            out.add((role, row[f"{role}_id"]))
    return out


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts, with pandas' missing values as None."""
    return [{str(k): (None if missing(v) else v) for k, v in r.items()} for r in frame.to_dict("records")]


def missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def open_pairings(conn: sa.Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert open pairings (dicts of :meth:`Recorder.pairing_row`); returns their ids, in order."""
    if not rows:
        return []
    query = sa.insert(t.pairings).returning(t.pairings.c.id, sort_by_parameter_order=True)
    return [int(i) for i in conn.execute(query, rows).scalars()]


def close_pairing(conn: sa.Connection, pairing_id: int, on: dt.date, reason: str, **extra: Any) -> None:
    conn.execute(
        sa.update(t.pairings).where(t.pairings.c.id == pairing_id).values(end_on=on, end_reason=reason, **extra)
    )


class Recorder:
    """The steps of :meth:`Programme.record`, inside its transaction."""

    def __init__(self, conn: sa.Connection, rnd: Round, policy: Policy, round_id: int, who: str, approved_on: dt.date):
        self.conn, self.rnd, self.policy, self.round_id = conn, rnd, policy, round_id
        self.who, self.approved_on = who, approved_on
        self.day = rnd.date
        self.site_of = {p.id: s for s, p in rnd.positions}
        self.guide_site = {g.id: g.site_id for g in rnd.guides}
        self.tutor_site = {tutor.id: tutor.site_id for tutor in rnd.tutors}
        self.placed_at = {  # where each person is placed: the operator's pairing belongs to that placement
            p.candidate_id: self.site_of.get(p.partner_id, p.partner_id) for p in rnd.pairings if p.role.value == "site"
        }
        self.events: list[dict[str, Any]] = []
        self.stamp = now()

    def event(self, kind: str, candidate_id: str, **values: Any) -> None:
        self.events.append(
            {
                "happened_on": self.day,
                "event": kind,
                "candidate_id": candidate_id,
                "round_id": self.round_id,
                "recorded_at": self.stamp,
                "role": None,
                "partner_id": None,
                "pairing_id": None,
                "status": None,
                "reason": None,
                "reported_by": None,
                "detail": None,
                **values,
            }
        )

    def partner_site(self, candidate_id: str, role: str, partner_id: str) -> str | None:
        """The site a pairing belongs to: the position's, the guide's or tutor's, the placement's for an operator."""
        if role == "site":
            return self.site_of.get(partner_id, partner_id)
        if role in GUIDE_ROLES:
            return self.guide_site.get(partner_id)
        if role == "tutor":
            return self.tutor_site.get(partner_id)
        if role == "operator":
            return self.placed_at.get(candidate_id)
        return None

    def run(self, assignments: list[dict[str, Any]]) -> Recorded:
        imported = self.import_pairings(open_rows(self.conn, self.day))
        rows = open_rows(self.conn, self.day)
        self.baselines(rows)
        counts = self.reconcile(assignments, rows)
        self.clear_requests(assignments)
        if self.events:
            self.conn.execute(sa.insert(t.events), self.events)
        return Recorded(
            round_id=self.round_id,
            name=self.rnd.name,
            date=self.day,
            candidates=len(self.rnd.candidates),
            matched=sum(1 for a in assignments if a["status"] == "matched"),
            imported=imported,
            **counts,
        )

    def import_pairings(self, open_rows: list[dict[str, Any]]) -> int:
        """The round's pairings in place that the history lacks; a contradiction stops the record."""
        keys = {(r["candidate_id"], r["role"], r["partner_id"]) for r in open_rows}
        single = {(r["candidate_id"], r["role"]): r["partner_id"] for r in open_rows if r["role"] != "guide"}
        conflicts = sorted(
            {
                f"{p.candidate_id} ({p.role.value})"
                for p in self.rnd.pairings
                if (p.candidate_id, p.role.value, p.partner_id) not in keys
                and single.get((p.candidate_id, p.role.value), p.partner_id) != p.partner_id
            }
        )
        if conflicts:
            raise ProgrammeError("pairing_conflict", candidates=", ".join(conflicts[:10]))
        new = [
            self.pairing_row(p.candidate_id, p.role.value, p.partner_id, start=p.since, round_id=None)
            for p in self.rnd.pairings
            if (p.candidate_id, p.role.value, p.partner_id) not in keys
        ]
        for row, pid in zip(new, open_pairings(self.conn, new), strict=True):
            self.event("imported", row["candidate_id"], role=row["role"], partner_id=row["partner_id"], pairing_id=pid)
            self.events[-1]["happened_on"] = row["start_on"]
        return len(new)

    def pairing_row(
        self, candidate_id: str, role: str, partner_id: str, *, start: dt.date | None, round_id: int | None
    ) -> dict[str, Any]:
        """A pairing to open: from ``start`` (not after the round's date), else from the round's date."""
        return {
            "candidate_id": candidate_id,
            "role": role,
            "partner_id": partner_id,
            "site_id": self.partner_site(candidate_id, role, partner_id),
            "start_on": start if start is not None and start <= self.day else self.day,
            "opened_round_id": round_id,
        }

    def baselines(self, open_rows: list[dict[str, Any]]) -> None:
        """Each partner's load apart from the programme's pairings open on the round's date."""
        guide_n: Counter[str] = Counter()
        desk_n: Counter[tuple[str, str]] = Counter()
        site_n: Counter[str] = Counter()
        position_n: Counter[str] = Counter()
        peer_rows = []
        for r in open_rows:
            if r["role"] == "site":
                position_n[r["partner_id"]] += 1
                site_n[r["site_id"] or r["partner_id"]] += 1
            elif r["role"] in GUIDE_ROLES:
                guide_n[r["partner_id"]] += 1
            elif r["role"] in DESK_ROLES:
                desk_n[(r["role"], r["partner_id"])] += 1
            else:
                peer_rows.append(r)
        in_round = {c.id: c for c in self.rnd.candidates}
        site_rows = [r for r in open_rows if r["role"] == "site"]
        others = latest_profiles(self.conn, {r["candidate_id"] for r in [*peer_rows, *site_rows]} - set(in_round))
        exempt = exempt_categories(self.policy, self.rnd.region)
        exempt_n: Counter[str] = Counter(
            r["site_id"] or r["partner_id"]
            for r in site_rows
            if category_of(in_round.get(r["candidate_id"]), others.get(r["candidate_id"])) in exempt
        )
        hours_by = hours_by_intensity(self.policy)
        peer_h: defaultdict[str, float] = defaultdict(float)
        for r in peer_rows:
            c = in_round.get(r["candidate_id"])
            profile = c.model_dump(mode="json") if c is not None else others.get(r["candidate_id"])
            peer_h[r["partner_id"]] += hours_of(profile, hours_by)
        rows: list[dict[str, Any]] = []

        def add(partner_id: str, measure: str, value: float) -> None:
            rows.append({"round_id": self.round_id, "partner_id": partner_id, "measure": measure, "value": value})

        for g in self.rnd.guides:
            add(g.id, "current_mentees", max(g.current_mentees - guide_n[g.id], 0))
        for s in self.rnd.sites:
            add(s.id, "trainees_present", max(s.trainees_present - site_n[s.id], 0))
            add(s.id, "exempt_trainees_present", max(s.exempt_trainees_present - exempt_n[s.id], 0))
            for pos in s.positions:
                add(pos.id, "openings", pos.openings + position_n[pos.id])
        for peer in self.rnd.peers:
            add(peer.id, "hours_in_use", max(round(peer.hours_in_use - peer_h[peer.id], 3), 0.0))
        for tutor in self.rnd.tutors:
            add(tutor.id, "current_trainees", max(tutor.current_trainees - desk_n[("tutor", tutor.id)], 0))
        for operator in self.rnd.operators:
            add(operator.id, "caseload", max(operator.caseload - desk_n[("operator", operator.id)], 0))
        if rows:
            self.conn.execute(sa.insert(t.baselines), rows)

    def reconcile(self, assignments: list[dict[str, Any]], open_rows: list[dict[str, Any]]) -> dict[str, int]:
        """Results; then, per candidate, pairings kept, ended as ``changed``, or started on the round's date."""
        placed = {a["candidate_id"]: a["site_id"] for a in assignments if isinstance(a.get("site_id"), str)}
        self.placed_at.update(placed)
        by_candidate: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in open_rows:
            by_candidate[r["candidate_id"]].append(r)
        results = [
            {
                "round_id": self.round_id,
                "candidate_id": a["candidate_id"],
                "status": a["status"],
                "site_id": a.get("site_id"),
                "position_id": a.get("position_id"),
                "lead_guide_id": a.get("lead_guide_id"),
                "squad_ids": [str(g) for g in (a.get("squad_ids") or ())],
                "peer_id": a.get("peer_id"),
                "continuity": a.get("continuity"),
                "tutor_id": a.get("tutor_id"),
                "operator_id": a.get("operator_id"),
                "approved_by": self.who,
                "approved_on": self.approved_on,
            }
            for a in assignments
        ]
        if results:
            self.conn.execute(sa.insert(t.results), results)
        kept, closing, opening = 0, [], []
        for a in assignments:
            cid = a["candidate_id"]
            want = decided(a)
            self.event("round", cid, status=a["status"])
            have = {(r["role"], r["partner_id"]) for r in by_candidate[cid]}
            for r in by_candidate[cid]:
                if (r["role"], r["partner_id"]) in want:
                    kept += 1
                    continue
                closing.append(r["id"])
                new = sorted(p for role, p in want - have if role == r["role"])
                to: Any = (new or None) if r["role"] == "guide" else (new[0] if new else None)
                was = {"role": r["role"], "partner_id": r["partner_id"], "pairing_id": r["id"]}
                self.event("ended", cid, reason="changed", **was)
                self.event("changed", cid, detail={"to": to}, **was)
            for role, partner in sorted(want - have, key=lambda rp: (ROLES.index(rp[0]), rp[1])):
                opening.append(
                    (len(self.events), self.pairing_row(cid, role, partner, start=None, round_id=self.round_id))
                )
                self.event("started", cid, role=role, partner_id=partner)
        for chunk in range(0, len(closing), 500):
            ids = closing[chunk : chunk + 500]
            self.conn.execute(
                sa.update(t.pairings)
                .where(t.pairings.c.id.in_(ids))
                .values(end_on=self.day, end_reason="changed", closed_round_id=self.round_id)
            )
        ids = open_pairings(self.conn, [row for _, row in opening])
        for (at, _), pid in zip(opening, ids, strict=True):
            self.events[at]["pairing_id"] = pid
        return {"started": len(opening), "kept": kept, "ended": len(closing), "changed": len(closing)}

    def clear_requests(self, assignments: list[dict[str, Any]]) -> None:
        """Re-match requests this round answered: a partner in that role (any, for a whole-person request)."""
        q = t.rematch_requests.c
        pending = self.conn.execute(
            sa.select(q.id, q.candidate_id, q.role).where(q.cleared_on.is_(None), q.requested_on <= self.day)
        ).all()
        if not pending:
            return
        roles = {a["candidate_id"]: {role for role, _ in decided(a)} for a in assignments}
        answered = [
            rid
            for rid, cid, role in pending
            if cid in roles and (role in roles[cid] or (role is None and "site" in roles[cid]))
        ]
        for chunk in range(0, len(answered), 500):
            self.conn.execute(
                sa.update(t.rematch_requests)
                .where(q.id.in_(answered[chunk : chunk + 500]))
                .values(cleared_on=self.day, cleared_round_id=self.round_id)
            )
