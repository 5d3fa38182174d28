"""What the programme's modules share: the end reasons, the error, argument checks and the reads of the history.

Internal: the public names are re-exported by :mod:`matchwork.programme`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from matchwork.model.policy import Policy
from matchwork.model.vocab import EndReason
from matchwork.programme import tables as t
from matchwork.programme.texts import text

__all__ = ["LEAVING", "PAIRING_COLUMNS", "EndReason", "ProgrammeError"]

ROLES = t.ROLES
GUIDE_ROLES = ("lead_guide", "guide")
DESK_ROLES = ("tutor", "operator")
"""A host company's company tutor and the job desk's operator: each follows the placement, one per person."""
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
PAIRING_COLUMNS = ["pairing_id", *[c.name for c in t.pairings.c if c.name != "id"]]
"""The columns of :meth:`Programme.pairings` and of what :meth:`Programme.end` returns."""


LEAVING = frozenset({EndReason.COMPLETED, EndReason.HIRED, EndReason.WITHDREW})
"""Reasons that, for the whole person or their site, take them out of the waiting list."""


class ProgrammeError(ValueError):
    """A request the history cannot honour; the message names ids and dates only, never health data.

    Attributes
    ----------
    key : str
        The message's key, ``programme.<key>`` in :data:`matchwork.i18n.TEXTS`.
    fields : dict
        The message's fields.
    """

    __module__ = "matchwork.programme"

    def __init__(self, key: str, **fields: Any):
        self.key = key
        self.fields = fields
        super().__init__(text(key, "en", **fields))

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (``"it"`` or ``"en"``).

        >>> ProgrammeError("breakdown_needs_partner").text("it")
        "un'interruzione deve indicare il ruolo o il partner dell'abbinamento fallito"
        """
        return text(self.key, lang, **self.fields)


# ---------------------------------------------------------------------- small helpers


def as_date(value: Any) -> dt.date:
    """A date from a date, a datetime or an ISO string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise ProgrammeError("bad_date", value=str(value)[:40])


def as_id(value: Any) -> str:
    if not isinstance(value, str) or not _ID.match(value.strip()):
        raise ProgrammeError("bad_id", value=str(value)[:70])
    return value.strip()


def as_role(value: Any) -> str | None:
    if value is None:
        return None
    role = str(getattr(value, "value", value))
    if role not in ROLES:
        raise ProgrammeError("unknown_role", value=role[:40], allowed=", ".join(ROLES))
    return role


def as_reason(value: Any) -> EndReason:
    try:
        return EndReason(str(getattr(value, "value", value)))
    except ValueError:
        raise ProgrammeError(
            "unknown_reason", value=str(value)[:40], allowed=", ".join(r.value for r in EndReason)
        ) from None


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def open_on(on: dt.date) -> sa.ColumnElement[bool]:
    """Pairings open on ``on``: started on or before it, not ended on or before it."""
    p = t.pairings.c
    return sa.and_(p.start_on <= on, sa.or_(p.end_on.is_(None), p.end_on > on))


def insert_id(conn: sa.Connection, table: sa.Table, values: Mapping[str, Any]) -> int:
    """Insert one row and return its new ``id``."""
    return int(conn.execute(sa.insert(table).values(**values).returning(table.c.id)).scalar_one())


def lock(conn: sa.Connection) -> None:
    """Serialise writers: every write transaction first updates the one programme row."""
    conn.execute(sa.update(t.programme).where(t.programme.c.id == 1).values(writes=t.programme.c.writes + 1))


def hours_by_intensity(policy: Policy) -> dict[str, float]:
    return {str(getattr(k, "value", k)): float(v) for k, v in policy.caps.hours_by_intensity.items()}


def open_rows(conn: sa.Connection, on: dt.date) -> list[dict[str, Any]]:
    p = t.pairings.c
    query = sa.select(t.pairings).where(open_on(on)).order_by(p.id)
    return [dict(m) for m in conn.execute(query).mappings()]


# ---------------------------------------------------------------------- reads


def waiting_ids(conn: sa.Connection, day: dt.date) -> set[str]:
    e = t.events.c
    last_round = dict(
        conn.execute(
            sa.select(e.candidate_id, sa.func.max(e.id))
            .where(e.event == "round", e.happened_on <= day)
            .group_by(e.candidate_id)
        ).all()
    )
    last_left = dict(
        conn.execute(
            sa.select(e.candidate_id, sa.func.max(e.id))
            .where(e.event == "left", e.happened_on <= day)
            .group_by(e.candidate_id)
        ).all()
    )
    placed = {r["candidate_id"] for r in open_rows(conn, day) if r["role"] == "site"}
    q = t.rematch_requests.c
    pending = set(
        conn.execute(
            sa.select(q.candidate_id).where(q.requested_on <= day, sa.or_(q.cleared_on.is_(None), q.cleared_on > day))
        ).scalars()
    )
    return {
        cid for cid, rid in last_round.items() if last_left.get(cid, -1) < rid and (cid not in placed or cid in pending)
    }


def priority_ids(conn: sa.Connection, day: dt.date) -> set[str]:
    """People with priority on ``day``: a breakdown not yet re-matched (the engine's ``Candidate.priority``)."""
    q = t.rematch_requests.c
    query = sa.select(q.candidate_id).where(
        q.priority.is_(True), q.requested_on <= day, sa.or_(q.cleared_on.is_(None), q.cleared_on > day)
    )
    return set(conn.execute(query).scalars())


def cooldown_pairs(conn: sa.Connection, day: dt.date, days: int | None) -> set[tuple[str, str]]:
    p = t.pairings.c
    rows = conn.execute(
        sa.select(p.candidate_id, p.role, p.partner_id, p.site_id, p.end_on, p.cooldown_until).where(
            p.end_reason == "breakdown"
        )
    ).all()
    out = set()
    for cid, role, partner, site, end_on, until in rows:
        limit = end_on + dt.timedelta(days=days) if days is not None else until
        if limit is not None and end_on <= day < limit:
            out.add((cid, site if role == "site" and site else partner))
    return out


def failed_pairs(conn: sa.Connection, day: dt.date) -> set[tuple[str, str]]:
    p = t.pairings.c
    rows = conn.execute(
        sa.select(p.candidate_id, p.role, p.partner_id, p.site_id).where(p.end_reason == "breakdown", p.end_on <= day)
    ).all()
    return {(cid, site if role == "site" and site else partner) for cid, role, partner, site in rows}


def documents(conn: sa.Connection, round_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    ids = sorted(set(round_ids))
    if not ids:
        return {}
    d = t.round_documents.c
    rows = conn.execute(sa.select(d.round_id, d.document).where(d.round_id.in_(ids))).all()
    return {int(rid): json.loads(doc) for rid, doc in rows}


def latest_profiles(conn: sa.Connection, candidate_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Each candidate's profile (a JSON dict) from the last recorded round they were in."""
    wanted = set(candidate_ids)
    if not wanted:
        return {}
    res = t.results.c
    latest = dict(conn.execute(sa.select(res.candidate_id, sa.func.max(res.round_id)).group_by(res.candidate_id)).all())
    docs = documents(conn, {latest[c] for c in wanted if c in latest})
    out = {}
    for rid, doc in docs.items():
        for c in doc.get("candidates", []):
            if c["id"] in wanted and latest.get(c["id"]) == rid:
                out[c["id"]] = c
    return out


def hours_of(profile: Mapping[str, Any] | None, hours_by: Mapping[str, float]) -> float:
    intensity = (profile or {}).get("support_intensity") or "medium"
    return float(hours_by.get(str(intensity), hours_by.get("medium", 2.0)))


def last_policy(conn: sa.Connection) -> Policy:
    r = t.rounds.c
    stored = conn.execute(sa.select(r.policy).order_by(r.id.desc()).limit(1)).scalar()
    return Policy.model_validate(stored) if stored else Policy.default()


def exempt_categories(policy: Policy, region: str | None) -> set[str]:
    """The L. 381/91 categories the legal trainee limit does not count, under the rule set of the round's region."""
    return {c.value for c in policy.trainee_rule_set(region).exempt_categories}


def category_of(candidate: Any, profile: Mapping[str, Any] | None) -> str | None:
    """A person's category: from their profile in this round, else from the last recorded one."""
    if candidate is not None:
        return candidate.category.value if candidate.category is not None else None
    return (profile or {}).get("category")
