"""Alerts can open (or join) a review of their component, and know the window they are about.

The window lets a check that runs every hour on the same window raise its alert once, not hourly.

Revision ID: 0007_alert_reviews
Revises: 0006_actuals
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_alert_reviews"
down_revision = "0006_actuals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite can add a foreign key only by rebuilding the table
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("review_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("window_label", sa.String(length=64), nullable=True))
        batch.create_foreign_key(op.f("fk_alerts_review_id_reviews"), "reviews", ["review_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint(op.f("fk_alerts_review_id_reviews"), type_="foreignkey")
        batch.drop_column("review_id")
        batch.drop_column("window_label")
