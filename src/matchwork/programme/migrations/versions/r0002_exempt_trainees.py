"""Baselines also keep the exempt trainees a site carries apart from the programme (Lombardy's exemptions).

The legal trainee limit does not count trainees of the categories a rule set exempts;
a site's ``exempt_trainees_present`` carried from outside the programme is kept like
its ``trainees_present``, so that the next round counts them right.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BEFORE = "measure IN ('current_mentees', 'trainees_present', 'openings', 'hours_in_use')"
AFTER = "measure IN ('current_mentees', 'trainees_present', 'openings', 'hours_in_use', 'exempt_trainees_present')"


def upgrade() -> None:
    with op.batch_alter_table("baselines", recreate="always") as batch:  # SQLite rebuilds the table
        batch.drop_constraint(op.f("ck_baselines_measure"), type_="check")
        batch.create_check_constraint(op.f("ck_baselines_measure"), AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM baselines WHERE measure = 'exempt_trainees_present'")
    with op.batch_alter_table("baselines", recreate="always") as batch:
        batch.drop_constraint(op.f("ck_baselines_measure"), type_="check")
        batch.create_check_constraint(op.f("ck_baselines_measure"), BEFORE)
