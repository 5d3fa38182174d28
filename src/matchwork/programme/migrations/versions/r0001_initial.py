"""The programme history: rounds, their documents, results, pairings, events, baselines, re-match requests.

Revision ID: 0001
Revises:
Create Date: 2026-05-20
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

DEFAULT_COOLDOWN_DAYS = 90

ROLES = "role IN ('site', 'lead_guide', 'guide', 'peer')"
REASONS = "'completed', 'hired', 'breakdown', 'withdrew', 'moved', 'changed', 'with_site'"


def upgrade() -> None:
    programme = op.create_table(
        "programme",
        sa.Column("id", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rematch_cooldown_days", sa.Integer, nullable=False),
        sa.Column("writes", sa.Integer, nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_programme_one_row")),
        sa.CheckConstraint("rematch_cooldown_days BETWEEN 0 AND 3650", name=op.f("ck_programme_cooldown_days")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme")),
    )
    op.bulk_insert(
        programme,
        [
            {
                "id": 1,
                "created_at": dt.datetime.now(dt.UTC),
                "rematch_cooldown_days": DEFAULT_COOLDOWN_DAYS,
                "writes": 0,
            }
        ],
    )
    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("round_date", sa.Date, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(200), nullable=False),
        sa.Column("approved_on", sa.Date, nullable=False),
        sa.Column("candidates", sa.Integer, nullable=False),
        sa.Column("matched", sa.Integer, nullable=False),
        sa.Column("policy", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rounds")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_rounds_fingerprint")),
    )
    op.create_index(op.f("ix_rounds_round_date"), "rounds", ["round_date"])
    op.create_table(
        "round_documents",
        sa.Column("round_id", sa.Integer, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_round_documents_round_id_rounds")),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_round_documents")),
    )
    op.create_table(
        "results",
        sa.Column("round_id", sa.Integer, nullable=False),
        sa.Column("candidate_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("site_id", sa.String(64)),
        sa.Column("position_id", sa.String(64)),
        sa.Column("lead_guide_id", sa.String(64)),
        sa.Column("squad_ids", sa.JSON, nullable=False),
        sa.Column("peer_id", sa.String(64)),
        sa.Column("continuity", sa.String(16)),
        sa.Column("approved_by", sa.String(200), nullable=False),
        sa.Column("approved_on", sa.Date, nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_results_round_id_rounds")),
        sa.PrimaryKeyConstraint("round_id", "candidate_id", name=op.f("pk_results")),
    )
    op.create_index(op.f("ix_results_candidate_id"), "results", ["candidate_id"])
    op.create_table(
        "pairings",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("candidate_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("site_id", sa.String(64)),
        sa.Column("start_on", sa.Date, nullable=False),
        sa.Column("end_on", sa.Date),
        sa.Column("end_reason", sa.String(16)),
        sa.Column("cooldown_until", sa.Date),
        sa.Column("opened_round_id", sa.Integer),
        sa.Column("closed_round_id", sa.Integer),
        sa.CheckConstraint(ROLES, name=op.f("ck_pairings_role")),
        sa.CheckConstraint(f"end_reason IS NULL OR end_reason IN ({REASONS})", name=op.f("ck_pairings_end_reason")),
        sa.CheckConstraint("(end_on IS NULL) = (end_reason IS NULL)", name=op.f("ck_pairings_end_has_reason")),
        sa.CheckConstraint("end_on IS NULL OR end_on >= start_on", name=op.f("ck_pairings_end_after_start")),
        sa.ForeignKeyConstraint(["opened_round_id"], ["rounds.id"], name=op.f("fk_pairings_opened_round_id_rounds")),
        sa.ForeignKeyConstraint(["closed_round_id"], ["rounds.id"], name=op.f("fk_pairings_closed_round_id_rounds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairings")),
    )
    op.create_index(op.f("ix_pairings_candidate_id_role"), "pairings", ["candidate_id", "role"])
    op.create_index(op.f("ix_pairings_partner_id"), "pairings", ["partner_id"])
    op.create_index(
        "uq_pairings_open_pair",
        "pairings",
        ["candidate_id", "role", "partner_id"],
        unique=True,
        sqlite_where=sa.text("end_on IS NULL"),
        postgresql_where=sa.text("end_on IS NULL"),
    )
    op.create_index(
        "uq_pairings_open_single_role",
        "pairings",
        ["candidate_id", "role"],
        unique=True,
        sqlite_where=sa.text("end_on IS NULL AND role <> 'guide'"),
        postgresql_where=sa.text("end_on IS NULL AND role <> 'guide'"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("happened_on", sa.Date, nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("candidate_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16)),
        sa.Column("partner_id", sa.String(64)),
        sa.Column("pairing_id", sa.Integer),
        sa.Column("round_id", sa.Integer),
        sa.Column("status", sa.String(32)),
        sa.Column("reason", sa.String(16)),
        sa.Column("reported_by", sa.String(200)),
        sa.Column("detail", sa.JSON),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "event IN ('round', 'imported', 'started', 'ended', 'changed', 'left')", name=op.f("ck_events_event")
        ),
        sa.ForeignKeyConstraint(["pairing_id"], ["pairings.id"], name=op.f("fk_events_pairing_id_pairings")),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_events_round_id_rounds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index(op.f("ix_events_candidate_id_happened_on"), "events", ["candidate_id", "happened_on"])
    op.create_index(op.f("ix_events_round_id"), "events", ["round_id"])
    op.create_table(
        "baselines",
        sa.Column("round_id", sa.Integer, nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("measure", sa.String(32), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.CheckConstraint(
            "measure IN ('current_mentees', 'trainees_present', 'openings', 'hours_in_use')",
            name=op.f("ck_baselines_measure"),
        ),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_baselines_round_id_rounds")),
        sa.PrimaryKeyConstraint("round_id", "partner_id", "measure", name=op.f("pk_baselines")),
    )
    op.create_table(
        "rematch_requests",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("candidate_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16)),
        sa.Column("requested_on", sa.Date, nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("priority", sa.Boolean, nullable=False),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("cleared_on", sa.Date),
        sa.Column("cleared_round_id", sa.Integer),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_rematch_requests_event_id_events")),
        sa.ForeignKeyConstraint(
            ["cleared_round_id"], ["rounds.id"], name=op.f("fk_rematch_requests_cleared_round_id_rounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rematch_requests")),
    )
    op.create_index(op.f("ix_rematch_requests_candidate_id"), "rematch_requests", ["candidate_id"])


def downgrade() -> None:
    for table in ("rematch_requests", "baselines", "events", "pairings", "results", "round_documents", "rounds"):
        op.drop_table(table)
    op.drop_table("programme")
