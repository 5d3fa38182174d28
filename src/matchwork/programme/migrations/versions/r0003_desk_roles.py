"""The job desk in the history: company tutors and desk operators as pairing roles, their loads, and the results.

A placement at a host company (seed 003) has a company tutor and a job-desk operator
instead of guide workers. Their pairings are kept like the others (roles ``tutor``
and ``operator``), the load each carries apart from the programme like a guide's
(``current_trainees``, ``caseload``), and what a round decided names them
(``results.tutor_id``, ``results.operator_id``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ROLES_BEFORE = "role IN ('site', 'lead_guide', 'guide', 'peer')"
ROLES_AFTER = "role IN ('site', 'lead_guide', 'guide', 'peer', 'tutor', 'operator')"
MEASURES_BEFORE = (
    "measure IN ('current_mentees', 'trainees_present', 'openings', 'hours_in_use', 'exempt_trainees_present')"
)
MEASURES_AFTER = (
    "measure IN ('current_mentees', 'trainees_present', 'openings', 'hours_in_use', 'exempt_trainees_present', "
    "'current_trainees', 'caseload')"
)


def _roles_check(check: str) -> None:
    """Change the CHECK on ``pairings.role``: PostgreSQL alters it in place, SQLite rebuilds the table.

    ``events.pairing_id`` refers to ``pairings``: dropping the old copy while events
    point at it would leave SQLite a foreign-key violation it reports at commit, so
    the references are set aside during the rebuild and put back after it (same ids).
    """
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("CREATE TEMP TABLE matchwork_event_pairings AS SELECT id, pairing_id FROM events")
        op.execute("UPDATE events SET pairing_id = NULL WHERE pairing_id IS NOT NULL")
    with op.batch_alter_table("pairings") as batch:
        batch.drop_constraint(op.f("ck_pairings_role"), type_="check")
        batch.create_check_constraint(op.f("ck_pairings_role"), check)
    if sqlite:
        op.execute(
            "UPDATE events SET pairing_id = "
            "(SELECT s.pairing_id FROM matchwork_event_pairings s WHERE s.id = events.id)"
        )
        op.execute("DROP TABLE matchwork_event_pairings")


def _measures_check(check: str) -> None:
    with op.batch_alter_table("baselines") as batch:
        batch.drop_constraint(op.f("ck_baselines_measure"), type_="check")
        batch.create_check_constraint(op.f("ck_baselines_measure"), check)


def upgrade() -> None:
    _roles_check(ROLES_AFTER)
    _measures_check(MEASURES_AFTER)
    op.add_column("results", sa.Column("tutor_id", sa.String(64)))
    op.add_column("results", sa.Column("operator_id", sa.String(64)))


def downgrade() -> None:
    """Back to 0002: the tutor and operator pairings and loads go (their events stay, without the pairing)."""
    desk = "SELECT id FROM pairings WHERE role IN ('tutor', 'operator')"
    op.execute(f"UPDATE events SET pairing_id = NULL WHERE pairing_id IN ({desk})")
    op.execute("DELETE FROM pairings WHERE role IN ('tutor', 'operator')")
    op.execute("DELETE FROM baselines WHERE measure IN ('current_trainees', 'caseload')")
    with op.batch_alter_table("results") as batch:
        batch.drop_column("operator_id")
        batch.drop_column("tutor_id")
    _measures_check(MEASURES_BEFORE)
    _roles_check(ROLES_BEFORE)
