"""Delayed actuals: predictions waiting for their actual, and per-window running evaluations.

Revision ID: 0006_actuals
Revises: 0005_alerts
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_actuals"
down_revision = "0005_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("window_label", sa.String(length=64), nullable=False),
        sa.Column("task", sa.String(length=16), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("abs_error", sa.Float(), nullable=False),
        sa.Column("squared_error", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["component_id"], ["components.id"], name=op.f("fk_evaluations_component_id_components")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluations")),
        sa.UniqueConstraint("component_id", "window_label", name="uq_evaluations_window"),
    )
    op.create_table(
        "pending_predictions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("prediction_id", sa.String(length=200), nullable=False),
        sa.Column("window_label", sa.String(length=64), nullable=False),
        sa.Column("predicted", sa.String(length=200), nullable=False),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["component_id"], ["components.id"], name=op.f("fk_pending_predictions_component_id_components")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_predictions")),
        sa.UniqueConstraint("component_id", "prediction_id", name="uq_pending_predictions_id"),
    )


def downgrade() -> None:
    op.drop_table("pending_predictions")
    op.drop_table("evaluations")
