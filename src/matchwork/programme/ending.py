"""Ending pairings between rounds: completed, hired, breakdown, withdrew, moved.

Internal: :meth:`matchwork.programme.Programme.end` runs :func:`end_pairings` inside its transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import sqlalchemy as sa

from matchwork.programme import tables as t
from matchwork.programme.common import (
    GUIDE_ROLES,
    LEAVING,
    PAIRING_COLUMNS,
    EndReason,
    ProgrammeError,
    insert_id,
    now,
    open_rows,
)
from matchwork.programme.record import close_pairing

__all__ = ["end_pairings"]


def end_pairings(
    conn: sa.Connection,
    cid: str,
    role: str | None,
    partner: str | None,
    day: dt.date,
    why: EndReason,
    by: str | None,
) -> pd.DataFrame:
    """End the person's pairings open on ``day`` that match ``role`` and ``partner``; the pairings ended."""

    def matches(r: dict[str, Any]) -> bool:
        return (role is None or r["role"] == role) and (
            partner is None or r["partner_id"] == partner or (r["role"] == "site" and r["site_id"] == partner)
        )

    rows = [r for r in open_rows(conn, day) if r["candidate_id"] == cid]
    chosen = [r for r in rows if matches(r)]
    last_round = conn.execute(
        sa.select(sa.func.max(t.rounds.c.round_date))
        .select_from(t.results.join(t.rounds, t.results.c.round_id == t.rounds.c.id))
        .where(t.results.c.candidate_id == cid)
    ).scalar()
    if last_round is not None and day < last_round:
        raise ProgrammeError("end_before_round", candidate=cid, date=day.isoformat(), round_date=last_round.isoformat())
    stamp = now()
    events: list[dict[str, Any]] = []

    def event(kind: str, **values: Any) -> dict[str, Any]:
        row = {
            "happened_on": day,
            "event": kind,
            "candidate_id": cid,
            "round_id": None,
            "recorded_at": stamp,
            "role": None,
            "partner_id": None,
            "pairing_id": None,
            "status": None,
            "reason": None,
            "reported_by": by,
            "detail": None,
            **values,
        }
        events.append(row)
        return row

    leaves = why in LEAVING and (role is None or any(r["role"] == "site" for r in chosen))
    if not chosen:
        if role is None and partner is None and why in LEAVING and last_round is not None:
            event("left", reason=why.value)
            conn.execute(sa.insert(t.events), events)
            clear_all_requests(conn, cid, day)
            return pd.DataFrame(columns=PAIRING_COLUMNS)
        what = role or partner or "any"
        raise ProgrammeError("no_open_pairing", candidate=cid, what=what, date=day.isoformat())
    chosen_ids = {r["id"] for r in chosen}
    site_ids = {r["site_id"] for r in chosen if r["role"] == "site"}
    # the placement's people go with it: guide workers and the company tutor of that site, and the desk operator
    # who follows the placement (one per person)
    cascade = [
        r
        for r in rows
        if r["id"] not in chosen_ids
        and site_ids
        and ((r["role"] in (*GUIDE_ROLES, "tutor") and r["site_id"] in site_ids) or r["role"] == "operator")
    ]
    cooldown = None
    if why is EndReason.BREAKDOWN:
        days = conn.execute(sa.select(t.programme.c.rematch_cooldown_days)).scalar_one()
        cooldown = day + dt.timedelta(days=int(days))
    for r in chosen:
        close_pairing(conn, r["id"], day, why.value, cooldown_until=cooldown)
        event("ended", role=r["role"], partner_id=r["partner_id"], pairing_id=r["id"], reason=why.value)
    for r in cascade:
        close_pairing(conn, r["id"], day, "with_site")
        event("ended", role=r["role"], partner_id=r["partner_id"], pairing_id=r["id"], reason="with_site")
    if leaves:
        event("left", reason=why.value)
    ids: list[int] = []
    for row in events:
        ids.append(insert_id(conn, t.events, row))
    if leaves:
        clear_all_requests(conn, cid, day)
    elif why in (EndReason.BREAKDOWN, EndReason.MOVED):
        requests = []
        roles = [None] if (why is EndReason.MOVED and role is None and partner is None) else [r["role"] for r in chosen]
        for req_role in dict.fromkeys(roles):
            requests.append(
                {
                    "candidate_id": cid,
                    "role": req_role,
                    "requested_on": day,
                    "reason": why.value,
                    "priority": why is EndReason.BREAKDOWN,
                    "event_id": ids[0],
                }
            )
        conn.execute(sa.insert(t.rematch_requests), requests)
    ended_ids = chosen_ids | {r["id"] for r in cascade}
    p = t.pairings.c
    query = sa.select(p.id.label("pairing_id"), *[c for c in t.pairings.c if c.name != "id"]).where(
        p.id.in_(sorted(ended_ids))
    )
    return pd.DataFrame([dict(m) for m in conn.execute(query.order_by(p.id)).mappings()], columns=PAIRING_COLUMNS)


def clear_all_requests(conn: sa.Connection, cid: str, day: dt.date) -> None:
    q = t.rematch_requests.c
    conn.execute(
        sa.update(t.rematch_requests).where(q.candidate_id == cid, q.cleared_on.is_(None)).values(cleared_on=day)
    )
