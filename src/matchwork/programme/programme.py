"""A programme over time: every round, result, pairing and ending, kept in a database.

A placement office runs a round every few weeks. :class:`Programme` remembers
what each round decided and what happened between rounds, and builds the next
round from that memory:

* :meth:`Programme.record` stores an approved :class:`~matchwork.MatchResult` — the
  round as given, what it decided for each candidate, and the pairings it starts;
  pairings in place that it keeps stay open, those it changes end with reason
  ``changed`` and a ``changed`` event says from whom to whom;
* :meth:`Programme.end` records a pairing that ends between rounds (completed,
  hired, breakdown, withdrew, moved); a breakdown makes the pair a
  ``failed_pairing``, gives the person priority and starts a cool-down;
* :meth:`Programme.next_round` builds the next :class:`~matchwork.Round`: the
  pairings in place, the relationships accumulated, the pairs still in cool-down
  as forbidden pairs, and each partner's load from the pairings open on its date;
* :meth:`Programme.history` gives a person's path.

Every write is one transaction: when anything fails, the history is as it was.
The schema is made and upgraded only by the Alembic migrations shipped with the
package; opening a database migrates it to the package's schema unless
``migrate=False``.

Examples
--------
>>> import datetime as dt
>>> import matchwork as mw
>>> from matchwork.programme import Programme
>>> programme = Programme("sqlite://")                  # in memory; a file path or any SQLAlchemy URL works
>>> first = mw.synth.round(40, seed=1, date=dt.date(2026, 1, 12), profile="cooperative")
>>> done = programme.record(mw.match(first), approved_by="Responsabile inserimenti", on="2026-01-09")
>>> done.round_id, done.candidates == 40, done.started > 0
(1, True, True)
>>> placed = mw.match(first).assignments.query("status == 'matched'").candidate_id.iloc[0]
>>> ended = programme.end(placed, "site", on="2026-02-20", reason="hired")
>>> sorted(set(ended.end_reason))
['hired', 'with_site']
>>> nxt = programme.next_round(on="2026-03-02")
>>> nxt.date.isoformat(), placed in {c.id for c in nxt.candidates}
('2026-03-02', False)
>>> programme.history(placed).event.tolist()[:2]
['round', 'started']
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import sqlalchemy as sa

from matchwork.model.policy import Policy
from matchwork.model.profiles import (
    Candidate,
    CompanyTutor,
    Cooperative,
    DeskOperator,
    GuideWorker,
    PeerSupporter,
    PlacementSite,
)
from matchwork.model.round import Round
from matchwork.model.vocab import Region
from matchwork.programme import db
from matchwork.programme import tables as t
from matchwork.programme.common import (
    DESK_ROLES,
    GUIDE_ROLES,
    EndReason,
    ProgrammeError,
    as_date,
    as_id,
    as_reason,
    as_role,
    cooldown_pairs,
    hours_by_intensity,
    hours_of,
    insert_id,
    last_policy,
    latest_profiles,
    lock,
    now,
    open_on,
    open_rows,
    waiting_ids,
)
from matchwork.programme.ending import end_pairings
from matchwork.programme.next_round import NextRound
from matchwork.programme.record import Recorded, Recorder, records
from matchwork.result import MatchResult

__all__ = ["Programme"]


class Programme:
    """The history of a placement programme in a database: rounds, results, pairings, events.

    Parameters
    ----------
    url : str or path-like
        A SQLAlchemy URL (``sqlite:///programme.db``, ``postgresql+psycopg://user@host/db``)
        or the path of a SQLite file. Default: ``programme.db`` in the working folder.
    migrate : bool
        Bring the schema to this package's revision on opening (default). With
        ``False`` a database at another revision raises :class:`ProgrammeError` —
        for accounts that may read and write rows but not change tables.

    Raises
    ------
    ProgrammeError
        When the schema is not at this package's revision and may not be migrated,
        or is newer than this package knows.

    Notes
    -----
    The round documents table is the only one with health and referral data; the
    others hold ids, dates, statuses, reasons and counts. :meth:`next_round`,
    :meth:`loads`, :meth:`round` and :meth:`record` read or write it; :meth:`history`,
    :meth:`pairings`, :meth:`changes`, :meth:`rounds`, :meth:`waiting`,
    :meth:`priorities`, :meth:`cooldown_forbids` and :meth:`end` never do.
    """

    def __init__(self, url: str | os.PathLike[str] = "sqlite:///programme.db", *, migrate: bool = True):
        self._url = db.url_of(url)
        self._engine = db.make_engine(self._url)
        current, head = db.revisions(self._engine)
        if current != head:
            known = known_revision(current)
            if not known:
                raise ProgrammeError("schema_newer", current=current, head=head)
            if not migrate:
                raise ProgrammeError("schema_outdated", current=current or "none", head=head)
            db.upgrade(self._engine)

    # ------------------------------------------------------------------ housekeeping

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self._url.render_as_string(hide_password=True)

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine (for reports that read the tables directly)."""
        return self._engine

    @property
    def revision(self) -> str:
        """The database's schema revision."""
        return db.revisions(self._engine)[0] or ""

    @property
    def rematch_cooldown_days(self) -> int:
        """Days after a breakdown during which the same pair is not paired again (stored; default 90)."""
        with self._engine.connect() as conn:
            return int(conn.execute(sa.select(t.programme.c.rematch_cooldown_days)).scalar_one())

    def configure(self, *, rematch_cooldown_days: int) -> None:
        """Change the programme's stored settings.

        Parameters
        ----------
        rematch_cooldown_days : int
            Days, 0 to 3650, a pair whose pairing broke down is kept apart; applies to
            breakdowns recorded from now on.

        Examples
        --------
        >>> p = Programme("sqlite://")
        >>> p.configure(rematch_cooldown_days=60)
        >>> p.rematch_cooldown_days
        60
        """
        if isinstance(rematch_cooldown_days, bool) or not isinstance(rematch_cooldown_days, int):
            raise ProgrammeError("cooldown_days")
        if not 0 <= rematch_cooldown_days <= 3650:
            raise ProgrammeError("cooldown_days")
        with self._engine.begin() as conn:
            lock(conn)
            conn.execute(sa.update(t.programme).values(rematch_cooldown_days=rematch_cooldown_days))

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    def __enter__(self) -> Programme:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Programme({self.url!r})"

    # ------------------------------------------------------------------ writes

    def record(self, result: MatchResult, *, approved_by: str, on: dt.date | str | None = None) -> Recorded:
        """Store an approved result: the round, what it decided, and its pairings from the round's date.

        Pairings in place that the round brings and the history lacks are imported
        first (from their ``since``, else the round's date). Then, for each candidate
        of the round, pairings open on the round's date that the result keeps stay
        open; those it does not keep end on that date with reason ``changed``, with a
        ``changed`` event naming the partner before and after; the pairings it decides
        that were not open start on that date.

        Parameters
        ----------
        result : MatchResult
            The result of ``matchwork.match(round, policy)``.
        approved_by : str
            Who approved the round (name or role, as the office records it).
        on : date or ISO string, optional
            The day it was approved; default today.

        Returns
        -------
        Recorded
            What was stored.

        Raises
        ------
        ProgrammeError
            If the round is already recorded, dated before the last recorded round,
            or brings pairings in place that contradict the history. Nothing is stored.

        Examples
        --------
        >>> import matchwork as mw
        >>> p = Programme("sqlite://")
        >>> rnd = mw.synth.round(30, seed=2, profile="cooperative")
        >>> p.record(mw.match(rnd), approved_by="équipe").candidates
        30
        >>> p.record(mw.match(rnd), approved_by="équipe")
        Traceback (most recent call last):
        ...
        matchwork.programme.ProgrammeError: this round is already recorded (round #1)
        """
        rnd = getattr(result, "round", None)
        if not isinstance(rnd, Round) or not hasattr(result, "assignments"):
            raise ProgrammeError("not_a_result")
        who = approved_by.strip() if isinstance(approved_by, str) else ""
        if not who or len(who) > 200:
            raise ProgrammeError("approved_by_missing")
        approved_on = as_date(on) if on is not None else dt.date.today()
        document = rnd.to_json()
        fingerprint = hashlib.sha256(document.encode("utf-8")).hexdigest()
        assignments = records(result.assignments)
        with self._engine.begin() as conn:
            lock(conn)
            r = t.rounds.c
            duplicate = conn.execute(sa.select(r.id).where(r.fingerprint == fingerprint)).scalar()
            if duplicate is not None:
                raise ProgrammeError("already_recorded", round_id=duplicate)
            last = conn.execute(sa.select(sa.func.max(r.round_date))).scalar()
            if last is not None and rnd.date < last:
                raise ProgrammeError("round_before_last", date=rnd.date.isoformat(), last=last.isoformat())
            matched = sum(1 for a in assignments if a["status"] == "matched")
            round_id = insert_id(
                conn,
                t.rounds,
                dict(
                    name=rnd.name,
                    round_date=rnd.date,
                    fingerprint=fingerprint,
                    recorded_at=now(),
                    approved_by=who,
                    approved_on=approved_on,
                    candidates=len(rnd.candidates),
                    matched=matched,
                    policy=result.policy.to_dict(),
                ),
            )
            conn.execute(sa.insert(t.round_documents).values(round_id=round_id, document=document))
            return Recorder(conn, rnd, result.policy, int(round_id), who, approved_on).run(assignments)

    def end(
        self,
        candidate_id: str,
        role: str | None = None,
        partner_id: str | None = None,
        *,
        on: dt.date | str,
        reason: EndReason | str,
        reported_by: str | None = None,
    ) -> pd.DataFrame:
        """End a person's open pairings between rounds, with a date and a reason.

        Parameters
        ----------
        candidate_id : str
            The person.
        role : {"site", "lead_guide", "guide", "peer", "tutor", "operator"}, optional
            Which pairing; default every open pairing of the person (or those with
            ``partner_id``).
        partner_id : str, optional
            Which partner (a position, its site, a guide worker, a peer supporter,
            a company tutor, a job-desk operator).
        on : date or ISO string
            The day the pairing ended: it is open up to the day before.
        reason : EndReason or str
            ``completed``, ``hired``, ``breakdown``, ``withdrew`` or ``moved``.
        reported_by : str, optional
            Who reported it.

        Returns
        -------
        pandas.DataFrame
            The pairings ended (the columns of :meth:`pairings`). Ending the site
            also ends the person's guide and company-tutor pairings at that site and
            their job-desk operator's (reason ``with_site``).

        Raises
        ------
        ProgrammeError
            If no pairing open on ``on`` matches, if ``on`` is before the last round
            the person was in (which decided with the pairing in place), or if a
            breakdown names neither role nor partner. Nothing is stored.

        Notes
        -----
        * ``breakdown``: the pair becomes a ``failed_pairing`` relationship in every
          next round (with the site, for the site role), is forbidden until
          ``on + rematch_cooldown_days`` (:meth:`cooldown_forbids`), and the person
          is put on the waiting list with priority (:meth:`priorities`).
        * ``moved``: the person waits for a new partner in that role (every role
          without one), without priority.
        * ``completed``, ``hired``, ``withdrew`` for the site or the whole person:
          the person leaves the waiting list. Without a role, a person with no open
          pairing may still be recorded as leaving.

        Examples
        --------
        >>> import matchwork as mw
        >>> p = Programme("sqlite://")
        >>> first = mw.match(mw.synth.round(40, seed=1, date="2026-01-12", profile="cooperative"))
        >>> _ = p.record(first, approved_by="équipe", on="2026-01-12")
        >>> placed = first.assignments.query("status == 'matched'").candidate_id.iloc[0]
        >>> p.end(placed, "lead_guide", on="2026-01-30", reason="breakdown")[["role", "end_reason"]].values.tolist()
        [['lead_guide', 'breakdown']]
        >>> placed in p.waiting("2026-02-12"), p.priorities("2026-02-12").candidate_id.tolist() == [placed]
        (True, True)
        """
        cid = as_id(candidate_id)
        which = as_role(role)
        partner = as_id(partner_id) if partner_id is not None else None
        why = as_reason(reason)
        day = as_date(on)
        if why is EndReason.BREAKDOWN and which is None and partner is None:
            raise ProgrammeError("breakdown_needs_partner")
        by = reported_by.strip()[:200] if isinstance(reported_by, str) and reported_by.strip() else None
        with self._engine.begin() as conn:
            lock(conn)
            return end_pairings(conn, cid, which, partner, day, why, by)

    # ------------------------------------------------------------------ the next round

    def next_round(
        self,
        candidates: Iterable[Candidate | Mapping[str, Any] | str] = (),
        guides: Iterable[GuideWorker | Mapping[str, Any]] = (),
        peers: Iterable[PeerSupporter | Mapping[str, Any]] = (),
        sites: Iterable[PlacementSite | Mapping[str, Any]] = (),
        *,
        tutors: Iterable[CompanyTutor | Mapping[str, Any]] = (),
        operators: Iterable[DeskOperator | Mapping[str, Any]] = (),
        cooperatives: Iterable[Cooperative | Mapping[str, Any]] = (),
        on: dt.date | str,
        region: Region | str | None = None,
        reviewer: str | None = None,
        name: str | None = None,
        waiting: bool = True,
        exclude: Iterable[str] = (),
        policy: Policy | None = None,
    ) -> Round:
        """The next round, from the history and the profiles given.

        Parameters
        ----------
        candidates : profiles, mappings or ids
            New or updated candidate profiles; an id stands for the person's last
            recorded profile.
        guides, peers, sites : profiles or mappings
            New or updated partner profiles; partners not given come from the last
            recorded round. The load of a partner that round knew comes from the
            history, whatever figure the profile given carries; a new partner's
            figures (``current_mentees``, ``trainees_present``, ``hours_in_use``,
            ``current_trainees``, ``caseload``) count what it carries *outside* the
            programme, and a new position's ``openings`` its places for the
            programme. The pairings open on ``on`` are then added (subtracted, for
            openings).
        tutors, operators, cooperatives : profiles or mappings, optional
            New or updated company tutors
            (:class:`~matchwork.model.profiles.CompanyTutor`), job-desk operators
            (:class:`~matchwork.model.profiles.DeskOperator`) and type-B
            cooperatives (:class:`~matchwork.model.profiles.Cooperative`), as for
            ``guides``: the others come from the last recorded round, and a known
            tutor's or operator's load from the history.
        on : date or ISO string
            The round's date.
        region : Region or str, optional
            The region whose traineeship rules apply; default the last recorded
            round's (so a Lombardy programme keeps Lombardy's rule set).
        reviewer : str, optional
            Who reviews the new round (the responsabile inserimenti); default the
            last recorded round's reviewer. The new round is a draft either way.
        name : str, optional
            The round's name; default ``"round <date>"``.
        waiting : bool
            Also take everyone the history says is waiting (:meth:`waiting`): not
            placed yet, or needing a partner again after a breakdown or a move.
        exclude : ids
            People or partners to leave out of this round.
        policy : Policy, optional
            For the peer-supporter hours each person needs
            (``caps.hours_by_intensity``); default the last recorded round's policy.

        Returns
        -------
        Round
            With, for its candidates, the pairings open on ``on`` (``since`` = their
            start); the relationships of every recorded round plus a
            ``failed_pairing`` for each breakdown; a forbidden pair for each pair in
            cool-down; and loads from the history:

            * ``current_mentees`` of a guide worker: outside load + open lead and
              squad pairings;
            * ``trainees_present`` of a site: outside trainees + open site pairings;
            * ``openings`` of a position: its places − the open pairings there;
            * ``hours_in_use`` of a peer supporter: outside hours + the hours of their
              open pairings, by each person's support intensity;
            * ``current_trainees`` of a company tutor and ``caseload`` of a job-desk
              operator: outside load + their open pairings.

            Its region is the last round's (or ``region``), and its review a draft
            for the same reviewer (or ``reviewer``), with no approval.

            The pairings of this round's own candidates are part of those loads, as
            :class:`~matchwork.Round` expects: the engine gives them back when it
            matches the candidates again.

        Raises
        ------
        ProgrammeError
            If no round is recorded and no guides (or tutors) and sites are given, if an id has
            no recorded profile, or if a candidate's open pairing names a partner
            who is not in the round.
        RoundValidationError
            If the round built is not valid (e.g. a supporter's hours in use now
            exceed the hours they may give).

        Examples
        --------
        >>> import matchwork as mw
        >>> p = Programme("sqlite://")
        >>> first = mw.match(mw.synth.round(40, seed=1, date="2026-01-12", profile="cooperative"))
        >>> _ = p.record(first, approved_by="équipe", on="2026-01-12")
        >>> newcomer = mw.synth.round(5, seed=9, profile="cooperative").candidates[0].model_copy(update={"id": "NEW-1"})
        >>> nxt = p.next_round([newcomer], on="2026-02-12", name="febbraio")
        >>> nxt.name, "NEW-1" in {c.id for c in nxt.candidates}
        ('febbraio', True)
        >>> {c.id for c in nxt.candidates} - {"NEW-1"} == set(p.waiting("2026-02-12"))
        True
        """
        day = as_date(on)
        left_out = {as_id(i) for i in exclude}
        with self._engine.connect() as conn:
            return NextRound(conn, day, left_out, policy).build(
                list(candidates),
                list(guides),
                list(peers),
                list(sites),
                tutors=list(tutors),
                operators=list(operators),
                cooperatives=list(cooperatives),
                region=region,
                reviewer=reviewer,
                name=name,
                waiting=waiting,
            )

    # ------------------------------------------------------------------ reads

    def pairings(
        self, candidate_id: str | None = None, *, on: dt.date | str | None = None, partner_id: str | None = None
    ) -> pd.DataFrame:
        """Pairings, every one or those open on a date, sorted by start.

        Parameters
        ----------
        candidate_id, partner_id : str, optional
            Only this person's, or only this partner's.
        on : date or ISO string, optional
            Only those open on that day (started on or before it, not ended on or before it).

        Returns
        -------
        pandas.DataFrame
            Columns ``pairing_id, candidate_id, role, partner_id, site_id, start_on,
            end_on, end_reason, cooldown_until, opened_round_id, closed_round_id``.

        Examples
        --------
        >>> import matchwork as mw
        >>> p = Programme("sqlite://")
        >>> first = mw.match(mw.synth.round(40, seed=1, date="2026-01-12", profile="cooperative"))
        >>> _ = p.record(first, approved_by="équipe", on="2026-01-12")
        >>> open_now = p.pairings(on="2026-01-12")
        >>> set(open_now.role) <= {"site", "lead_guide", "guide", "peer", "tutor", "operator"}
        True
        >>> bool(open_now.end_on.isna().all())
        True
        >>> p.pairings(on="2025-01-01").empty  # nothing before the first placements in place began
        True
        """
        p = t.pairings.c
        query = sa.select(p.id.label("pairing_id"), *[c for c in t.pairings.c if c.name != "id"])
        if candidate_id is not None:
            query = query.where(p.candidate_id == candidate_id)
        if partner_id is not None:
            query = query.where(p.partner_id == partner_id)
        if on is not None:
            query = query.where(open_on(as_date(on)))
        with self._engine.connect() as conn:
            frame = pd.DataFrame(conn.execute(query.order_by(p.start_on, p.id)).mappings().all())
        columns = ["pairing_id", *[c.name for c in t.pairings.c if c.name != "id"]]
        return frame if len(frame) else pd.DataFrame(columns=columns)

    def history(self, candidate_id: str) -> pd.DataFrame:
        """A person's path: the rounds they were in, pairings started and ended, changes, leaving.

        Returns
        -------
        pandas.DataFrame
            One row per event, sorted by date (then by the order recorded), with
            columns ``date, event, round_id, round, role, partner_id, status, reason,
            reported_by, to``. ``event`` is ``round`` (with the round's ``status`` for
            them), ``imported``, ``started``, ``ended`` (with its ``reason``),
            ``changed`` (``partner_id`` before, ``to`` after) or ``left``.

        Examples
        --------
        >>> import matchwork as mw
        >>> p = Programme("sqlite://")
        >>> rnd = mw.synth.round(30, seed=2, profile="cooperative")
        >>> _ = p.record(mw.match(rnd), approved_by="équipe", on="2026-02-01")
        >>> p.history("C000001").columns.tolist()
        ['date', 'event', 'round_id', 'round', 'role', 'partner_id', 'status', 'reason', 'reported_by', 'to']
        """
        e, r = t.events.c, t.rounds.c
        query = (
            sa.select(
                e.happened_on.label("date"),
                e.event,
                e.round_id,
                r.name.label("round"),
                e.role,
                e.partner_id,
                e.status,
                e.reason,
                e.reported_by,
                e.detail,
            )
            .select_from(t.events.outerjoin(t.rounds, e.round_id == r.id))
            .where(e.candidate_id == candidate_id)
            .order_by(e.happened_on, e.id)
        )
        with self._engine.connect() as conn:
            rows = [dict(m) for m in conn.execute(query).mappings()]
        for row in rows:
            detail = row.pop("detail") or {}
            to = detail.get("to")
            row["to"] = ";".join(to) if isinstance(to, list) else to
        columns = ["date", "event", "round_id", "round", "role", "partner_id", "status", "reason", "reported_by", "to"]
        return pd.DataFrame(rows, columns=columns)

    def changes(self, round_id: int | None = None) -> pd.DataFrame:
        """Pairings in place that a round replaced or dropped (the ``changed`` events).

        Parameters
        ----------
        round_id : int, optional
            Only this round's.

        Returns
        -------
        pandas.DataFrame
            Columns ``round_id, date, candidate_id, role, from_partner, to_partner``
            (``to_partner`` empty when the round left the role empty; squad members
            joined by ``;``).

        Examples
        --------
        >>> import matchwork as mw
        >>> p = Programme("sqlite://")
        >>> first = mw.match(mw.synth.round(40, seed=1, date="2026-01-12", profile="cooperative"))
        >>> _ = p.record(first, approved_by="équipe", on="2026-01-12")
        >>> changed = set(first.assignments.query("continuity == 'changed'").candidate_id)
        >>> changed |= set(first.changes.query("change == 'joined_squad'").candidate_id)  # past the lead's 2 weeks
        >>> sorted(set(p.changes(1).candidate_id)) == sorted(changed)
        True
        """
        e = t.events.c
        query = sa.select(e.round_id, e.happened_on, e.candidate_id, e.role, e.partner_id, e.detail).where(
            e.event == "changed"
        )
        if round_id is not None:
            query = query.where(e.round_id == round_id)
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(e.id)).all()
        out = []
        for rid, day, cid, role, before, detail in rows:
            to = (detail or {}).get("to")
            out.append((rid, day, cid, role, before, ";".join(to) if isinstance(to, list) else to))
        return pd.DataFrame(out, columns=["round_id", "date", "candidate_id", "role", "from_partner", "to_partner"])

    def rounds(self) -> pd.DataFrame:
        """The rounds recorded: ``round_id, name, date, candidates, matched, approved_by, approved_on, recorded_at``.

        Examples
        --------
        >>> import matchwork as mw
        >>> p = Programme("sqlite://")
        >>> first = mw.match(mw.synth.round(40, seed=1, date="2026-01-12", profile="cooperative"))
        >>> _ = p.record(first, approved_by="équipe", on="2026-01-12")
        >>> p.rounds()[["round_id", "candidates", "approved_by"]].values.tolist()
        [[1, 40, 'équipe']]
        """
        r = t.rounds.c
        query = sa.select(
            r.id.label("round_id"),
            r.name,
            r.round_date.label("date"),
            r.candidates,
            r.matched,
            r.approved_by,
            r.approved_on,
            r.recorded_at,
        ).order_by(r.id)
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        columns = ["round_id", "name", "date", "candidates", "matched", "approved_by", "approved_on", "recorded_at"]
        return pd.DataFrame([dict(m) for m in rows], columns=columns)

    def round(self, round_id: int | None = None) -> Round:
        """A recorded round as it was given (the last one by default); reads the round documents table.

        Examples
        --------
        >>> import matchwork as mw
        >>> p = Programme("sqlite://")
        >>> first = mw.match(mw.synth.round(40, seed=1, date="2026-01-12", profile="cooperative"))
        >>> _ = p.record(first, approved_by="équipe", on="2026-01-12")
        >>> p.round() == first.round
        True
        """
        with self._engine.connect() as conn:
            if round_id is None:
                round_id = conn.execute(sa.select(sa.func.max(t.rounds.c.id))).scalar()
            document = conn.execute(
                sa.select(t.round_documents.c.document).where(t.round_documents.c.round_id == round_id)
            ).scalar()
        if document is None:
            raise ProgrammeError("unknown_round", round_id=round_id)
        return Round.from_json(json.loads(document))

    def waiting(self, on: dt.date | str) -> list[str]:
        """Ids of the people waiting on a date, sorted.

        Someone is waiting who was in a recorded round, has not left since, and
        either has no site pairing open on ``on`` or needs a partner again (a
        pairing broke down or a partner moved, and no round has replaced it yet).

        Examples
        --------
        >>> import matchwork as mw
        >>> p = Programme("sqlite://")
        >>> first = mw.match(mw.synth.round(40, seed=1, date="2026-01-12", profile="cooperative"))
        >>> _ = p.record(first, approved_by="équipe", on="2026-01-12")
        >>> p.waiting("2026-01-12") == sorted(first.assignments.query("status == 'unmatched'").candidate_id)
        True
        """
        with self._engine.connect() as conn:
            return sorted(waiting_ids(conn, as_date(on)))

    def priorities(self, on: dt.date | str) -> pd.DataFrame:
        """People with priority on a date (a breakdown not yet re-matched): ``candidate_id, role, since, reason``.

        For the policy's priority bonus; cleared when a round gives them a partner in that role.

        Examples
        --------
        >>> import matchwork as mw
        >>> p = Programme("sqlite://")
        >>> first = mw.match(mw.synth.round(40, seed=1, date="2026-01-12", profile="cooperative"))
        >>> _ = p.record(first, approved_by="équipe", on="2026-01-12")
        >>> placed = first.assignments.query("status == 'matched'").candidate_id.iloc[0]
        >>> _ = p.end(placed, "site", on="2026-02-01", reason="breakdown")
        >>> p.priorities("2026-02-12")[["role", "reason"]].values.tolist(), placed in p.waiting("2026-02-12")
        ([['site', 'breakdown']], True)
        """
        q = t.rematch_requests.c
        day = as_date(on)
        query = (
            sa.select(q.candidate_id, q.role, q.requested_on.label("since"), q.reason)
            .where(q.priority.is_(True), q.requested_on <= day, sa.or_(q.cleared_on.is_(None), q.cleared_on > day))
            .order_by(q.candidate_id, q.id)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return pd.DataFrame([dict(m) for m in rows], columns=["candidate_id", "role", "since", "reason"])

    def cooldown_forbids(self, on: dt.date | str, days: int | None = None) -> list[tuple[str, str]]:
        """Pairs ``(candidate_id, partner_id)`` that may not be paired again on a date, sorted.

        Parameters
        ----------
        on : date or ISO string
            The day of the round.
        days : int, optional
            The cool-down in days; default the one stored with each breakdown
            (``rematch_cooldown_days`` when it was recorded).

        Notes
        -----
        For the site role the pair is the person and the site, not only the position.

        Examples
        --------
        >>> import matchwork as mw
        >>> p = Programme("sqlite://")
        >>> first = mw.match(mw.synth.round(40, seed=1, date="2026-01-12", profile="cooperative"))
        >>> _ = p.record(first, approved_by="équipe", on="2026-01-12")
        >>> row = first.assignments.query("status == 'matched'").iloc[0]
        >>> _ = p.end(row.candidate_id, "site", on="2026-02-01", reason="breakdown")
        >>> (row.candidate_id, row.site_id) in p.cooldown_forbids("2026-02-12")
        True
        >>> p.cooldown_forbids("2026-05-02"), p.cooldown_forbids("2026-02-12", days=5)  # 90 days by default
        ([], [])
        """
        day = as_date(on)
        with self._engine.connect() as conn:
            return sorted(cooldown_pairs(conn, day, days))

    def loads(self, on: dt.date | str, policy: Policy | None = None) -> pd.DataFrame:
        """What the programme's own pairings open on a date ask of each partner.

        Columns: ``partner_id, kind`` (``site``, ``position``, ``guide``, ``peer``, ``tutor``, ``operator``),
        ``people`` (open pairings), ``leads`` (of them, as lead guide) and ``hours``
        (a peer supporter's weekly hours by each person's support intensity, from
        ``policy`` or the last recorded round's). Loads from outside the programme
        are not included. Reads the round documents table (support intensity).

        Examples
        --------
        >>> import matchwork as mw
        >>> p = Programme("sqlite://")
        >>> first = mw.match(mw.synth.round(40, seed=1, date="2026-01-12", profile="cooperative"))
        >>> _ = p.record(first, approved_by="équipe", on="2026-01-12")
        >>> loads = p.loads("2026-01-12")
        >>> set(loads.kind) <= {"site", "position", "guide", "peer", "tutor", "operator"}
        True
        >>> bool((loads.people > 0).all())
        True
        """
        day = as_date(on)
        with self._engine.connect() as conn:
            rows = open_rows(conn, day)
            pol = policy or last_policy(conn)
            hours_by = hours_by_intensity(pol)
            peer_rows = [r for r in rows if r["role"] == "peer"]
            profiles = latest_profiles(conn, {r["candidate_id"] for r in peer_rows})
        people: Counter[tuple[str, str]] = Counter()
        leads: Counter[str] = Counter()
        hours: defaultdict[str, float] = defaultdict(float)
        for r in rows:
            if r["role"] == "site":
                people[(r["partner_id"], "position")] += 1
                if r["site_id"]:
                    people[(r["site_id"], "site")] += 1
            elif r["role"] in GUIDE_ROLES:
                people[(r["partner_id"], "guide")] += 1
                leads[r["partner_id"]] += r["role"] == "lead_guide"
            elif r["role"] in DESK_ROLES:
                people[(r["partner_id"], r["role"])] += 1
            else:
                people[(r["partner_id"], "peer")] += 1
                hours[r["partner_id"]] += hours_of(profiles.get(r["candidate_id"]), hours_by)
        out = [
            (pid, kind, n, leads[pid] if kind == "guide" else 0, hours[pid] if kind == "peer" else 0.0)
            for (pid, kind), n in sorted(people.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        ]
        return pd.DataFrame(out, columns=["partner_id", "kind", "people", "leads", "hours"])


def known_revision(revision: str | None) -> bool:
    if revision is None:
        return True
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(db.alembic_config())
    try:
        return script.get_revision(revision) is not None
    except Exception:  # an unknown revision: alembic raises its own CommandError/ResolutionError
        return False
