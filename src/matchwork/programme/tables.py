"""The programme's tables, as SQLAlchemy Core metadata.

The schema is created and upgraded only by the Alembic migrations shipped in
``matchwork/programme/migrations``; this metadata says what the code reads and
writes, and a test checks that the migrations build exactly it.

Only ``round_documents`` holds the round as given, health and referral fields
included. Every other table holds ids, dates, statuses, reasons and counts — see
``docs/programme.md`` for who may read which table.

Examples
--------
>>> sorted(metadata.tables)  # doctest: +NORMALIZE_WHITESPACE
['baselines', 'events', 'pairings', 'programme', 'rematch_requests', 'results', 'round_documents', 'rounds']
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = [
    "END_REASONS",
    "EVENT_KINDS",
    "MEASURES",
    "ROLES",
    "baselines",
    "events",
    "metadata",
    "pairings",
    "programme",
    "rematch_requests",
    "results",
    "round_documents",
    "rounds",
]

ROLES = ("site", "lead_guide", "guide", "peer", "tutor", "operator")
"""The roles a partner plays for a candidate (``site``: the partner is a position; ``tutor``: a company tutor,
``operator``: a job-desk operator, both at a host company)."""
END_REASONS = ("completed", "hired", "breakdown", "withdrew", "moved", "changed", "with_site")
"""Why a pairing ended: the five an office reports, ``changed`` by a round, ``with_site`` with the placement."""
EVENT_KINDS = ("round", "imported", "started", "ended", "changed", "left")
"""What the journal records."""
MEASURES = (
    "current_mentees",
    "trainees_present",
    "openings",
    "hours_in_use",
    "exempt_trainees_present",
    "current_trainees",
    "caseload",
)
"""The loads a partner carries apart from the programme's own pairings (see :data:`baselines`)."""

Id = sa.String(64)
Name = sa.String(200)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

programme = sa.Table(
    "programme",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("rematch_cooldown_days", sa.Integer, nullable=False),
    sa.Column("writes", sa.Integer, nullable=False),
    sa.CheckConstraint("id = 1", name="one_row"),
    sa.CheckConstraint("rematch_cooldown_days BETWEEN 0 AND 3650", name="cooldown_days"),
)
"""One row: the programme's settings, and a write counter every write transaction updates first (its lock)."""

rounds = sa.Table(
    "rounds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", Name, nullable=False),
    sa.Column("round_date", sa.Date, nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("approved_by", Name, nullable=False),
    sa.Column("approved_on", sa.Date, nullable=False),
    sa.Column("candidates", sa.Integer, nullable=False),
    sa.Column("matched", sa.Integer, nullable=False),
    sa.Column("policy", sa.JSON, nullable=False),
    sa.Index(None, "round_date"),
)
"""One row per recorded round: name, date, who approved it, counts and the policy (no personal data)."""

round_documents = sa.Table(
    "round_documents",
    metadata,
    sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id"), primary_key=True),
    sa.Column("document", sa.Text, nullable=False),
)
"""The round as given (``Round.to_json()``): the one table with health and referral data."""

results = sa.Table(
    "results",
    metadata,
    sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id"), primary_key=True),
    sa.Column("candidate_id", Id, primary_key=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("site_id", Id),
    sa.Column("position_id", Id),
    sa.Column("lead_guide_id", Id),
    sa.Column("squad_ids", sa.JSON, nullable=False),
    sa.Column("peer_id", Id),
    sa.Column("continuity", sa.String(16)),
    sa.Column("tutor_id", Id),
    sa.Column("operator_id", Id),
    sa.Column("approved_by", Name, nullable=False),
    sa.Column("approved_on", sa.Date, nullable=False),
    sa.Index(None, "candidate_id"),
)
"""What each round decided for each of its candidates, and who approved it.

``tutor_id`` and ``operator_id``: the company tutor and the job-desk operator of a
placement at a host company (empty elsewhere, and in rounds recorded before revision 0003).
"""

pairings = sa.Table(
    "pairings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("candidate_id", Id, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("partner_id", Id, nullable=False),
    sa.Column("site_id", Id),
    sa.Column("start_on", sa.Date, nullable=False),
    sa.Column("end_on", sa.Date),
    sa.Column("end_reason", sa.String(16)),
    sa.Column("cooldown_until", sa.Date),
    sa.Column("opened_round_id", sa.Integer, sa.ForeignKey("rounds.id")),
    sa.Column("closed_round_id", sa.Integer, sa.ForeignKey("rounds.id")),
    sa.CheckConstraint(_in("role", ROLES), name="role"),
    sa.CheckConstraint(f"end_reason IS NULL OR {_in('end_reason', END_REASONS)}", name="end_reason"),
    sa.CheckConstraint("(end_on IS NULL) = (end_reason IS NULL)", name="end_has_reason"),
    sa.CheckConstraint("end_on IS NULL OR end_on >= start_on", name="end_after_start"),
    sa.Index(None, "candidate_id", "role"),
    sa.Index(None, "partner_id"),
    sa.Index(
        "uq_pairings_open_pair",
        "candidate_id",
        "role",
        "partner_id",
        unique=True,
        sqlite_where=sa.text("end_on IS NULL"),
        postgresql_where=sa.text("end_on IS NULL"),
    ),
    sa.Index(
        "uq_pairings_open_single_role",
        "candidate_id",
        "role",
        unique=True,
        sqlite_where=sa.text("end_on IS NULL AND role <> 'guide'"),
        postgresql_where=sa.text("end_on IS NULL AND role <> 'guide'"),
    ),
)
"""Every pairing the programme has known: who, in which role, from when, until when and why it ended.

``partner_id`` is a position for the ``site`` role; ``site_id`` is the site of that
position, the site a guide worker or a company tutor works in, or, for a job-desk
operator, the site of the placement they follow. ``cooldown_until`` is set when a
pairing breaks down: the pair is not paired again before that day.
"""

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("happened_on", sa.Date, nullable=False),
    sa.Column("event", sa.String(16), nullable=False),
    sa.Column("candidate_id", Id, nullable=False),
    sa.Column("role", sa.String(16)),
    sa.Column("partner_id", Id),
    sa.Column("pairing_id", sa.Integer, sa.ForeignKey("pairings.id")),
    sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id")),
    sa.Column("status", sa.String(32)),
    sa.Column("reason", sa.String(16)),
    sa.Column("reported_by", Name),
    sa.Column("detail", sa.JSON),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(_in("event", EVENT_KINDS), name="event"),
    sa.Index(None, "candidate_id", "happened_on"),
    sa.Index(None, "round_id"),
)
"""The journal, in the order things were recorded: rounds, pairings started and ended, changes, people leaving.

A ``changed`` event is a round replacing a pairing in place: ``partner_id`` is the
partner before, ``detail["to"]`` the partner after (null when the round left the role empty).
"""

baselines = sa.Table(
    "baselines",
    metadata,
    sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id"), primary_key=True),
    sa.Column("partner_id", Id, primary_key=True),
    sa.Column("measure", sa.String(32), primary_key=True),
    sa.Column("value", sa.Float, nullable=False),
    sa.CheckConstraint(_in("measure", MEASURES), name="measure"),
)
"""Per recorded round and partner, the load carried apart from the programme's pairings.

``current_mentees``, ``trainees_present`` (of which ``exempt_trainees_present``: the
trainees a rule set's exemptions do not count), ``hours_in_use``, a company tutor's
``current_trainees`` and a job-desk operator's ``caseload``: what the partner
carries outside the programme (the round's figure minus the programme's open
pairings); ``openings``: a position's places for the programme in total (its free
openings plus the programme's trainees there). :meth:`Programme.next_round` adds
the pairings open on its date to these.
"""

rematch_requests = sa.Table(
    "rematch_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("candidate_id", Id, nullable=False),
    sa.Column("role", sa.String(16)),
    sa.Column("requested_on", sa.Date, nullable=False),
    sa.Column("reason", sa.String(16), nullable=False),
    sa.Column("priority", sa.Boolean, nullable=False),
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), nullable=False),
    sa.Column("cleared_on", sa.Date),
    sa.Column("cleared_round_id", sa.Integer, sa.ForeignKey("rounds.id")),
    sa.Index(None, "candidate_id"),
)
"""A person who needs a partner again (a pairing broke down or a partner moved); ``priority`` after a breakdown.

Cleared when a recorded round gives them a partner in that role (any role when ``role`` is null).
"""
