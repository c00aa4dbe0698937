"""Project traits (e.g. ``causal``) and the demographic groups a data set's datasheet states.

``projects.traits``: the kebab-case traits a project carries; catalogue criteria may apply only to
projects with a trait (the causal-inference criteria). ``datasets.demographics``: for each group
column of the data, its groups and how many rows each holds, as counted from the data.

Revision ID: 0014_traits_demographics
Revises: 0013_sessions
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_traits_demographics"
down_revision = "0013_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("traits", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("datasets") as batch:
        batch.add_column(sa.Column("demographics", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("datasets") as batch:
        batch.drop_column("demographics")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("traits")
