"""What each component adds to its project's latest card, so a move derives the next revision.

``card_members``: per live component, the length of its run in each per-component list of its
project's latest card revision (and its fairness line, and whether its testing status moves with
the clock). ``card_state``: which revision that is, the last event it saw, the policy it was
assembled under and its size. Both are a cache of the latest revision: empty tables are correct
(the next level move assembles its project's card whole and fills them).

Revision ID: 0016_card_members
Revises: 0015_oidc_identities
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_card_members"
down_revision = "0015_oidc_identities"
branch_labels = None
depends_on = None

#: Partial indexes: the members a derivation reads beyond the changed ones.
PARTIAL = (
    ("ix_card_members_volatile", "volatile"),
    ("ix_card_members_metrics", "n_metrics > 0"),
    ("ix_card_members_fairness", "fairness IS NOT NULL"),
)


def upgrade() -> None:
    op.create_table(
        "card_members",
        sa.Column("component_id", sa.Integer(), sa.ForeignKey("components.id"), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("level", sa.Integer()),
        sa.Column("status", sa.String(16), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in (
                "n_codes",
                "n_how",
                "n_versions",
                "n_group",
                "n_handoffs",
                "n_testing",
                "n_ethics",
                "n_metrics",
            )
        ),
        sa.Column("fairness", sa.Text()),
        sa.Column("volatile", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_card_members_project", "card_members", ["project_id", "component_id"])
    for name, where in PARTIAL:
        op.create_index(
            name,
            "card_members",
            ["project_id", "component_id"],
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )
    op.create_index("ix_components_project_level", "components", ["project_id", "level"])
    op.create_table(
        "card_state",
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id"), primary_key=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("seen_event", sa.Integer(), nullable=False),
        sa.Column("policy", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_index("ix_components_project_level", table_name="components")
    for name, _ in PARTIAL:
        op.drop_index(name, table_name="card_members")
    op.drop_table("card_state")
    op.drop_index("ix_card_members_project", table_name="card_members")
    op.drop_table("card_members")
