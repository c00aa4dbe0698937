"""The initial registry: projects, components, couplings, versions and the event log.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("rd_owner", sa.String(200)),
        sa.Column("product_owner", sa.String(200)),
        sa.Column(
            "parent_id", sa.Integer, sa.ForeignKey("projects.id", name="fk_projects_parent_id_projects")
        ),
        sa.Column("fork_reason", sa.Text),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("key", name="uq_projects_key"),
    )
    op.create_table(
        "components",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "project_id",
            sa.Integer,
            sa.ForeignKey("projects.id", name="fk_components_project_id_projects"),
            nullable=False,
        ),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column(
            "parent_id", sa.Integer, sa.ForeignKey("components.id", name="fk_components_parent_id_components")
        ),
        sa.Column(
            "forked_from_id",
            sa.Integer,
            sa.ForeignKey("components.id", name="fk_components_forked_from_id_components"),
        ),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("entry_level", sa.Integer, nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("last_at", ts, nullable=False),
        sa.Column("created_at", ts, nullable=False),
        sa.UniqueConstraint("project_id", "code", name="uq_components_project_code"),
        sa.CheckConstraint("level BETWEEN 0 AND 9", name="ck_components_level_range"),
        sa.CheckConstraint(
            "entry_level BETWEEN 0 AND 9 AND entry_level <= level", name="ck_components_entry_level_range"
        ),
    )
    op.create_index("ix_components_project", "components", ["project_id"])
    op.create_table(
        "couplings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "component_id",
            sa.Integer,
            sa.ForeignKey("components.id", name="fk_couplings_component_id_components"),
            nullable=False,
        ),
        sa.Column(
            "other_id",
            sa.Integer,
            sa.ForeignKey("components.id", name="fk_couplings_other_id_components"),
            nullable=False,
        ),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", ts, nullable=False),
        sa.UniqueConstraint("component_id", "other_id", name="uq_couplings_pair"),
        sa.CheckConstraint("component_id <> other_id", name="ck_couplings_not_self"),
    )
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "component_id",
            sa.Integer,
            sa.ForeignKey("components.id", name="fk_versions_component_id_components"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("uri", sa.Text),
        sa.Column("sha256", sa.String(64)),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("registered_at", ts, nullable=False),
        sa.Column("registered_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("component_id", "kind", "version", name="uq_versions_component_kind_version"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "project_id",
            sa.Integer,
            sa.ForeignKey("projects.id", name="fk_events_project_id_projects"),
            nullable=False,
        ),
        sa.Column(
            "component_id",
            sa.Integer,
            sa.ForeignKey("components.id", name="fk_events_component_id_components"),
        ),
        sa.Column("seq", sa.Integer),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("from_level", sa.Integer),
        sa.Column("to_level", sa.Integer),
        sa.Column("entry_level", sa.Integer),
        sa.Column("switchback_kind", sa.String(16)),
        sa.Column("approver", sa.String(400)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", ts, nullable=False),
        sa.Column("data", sa.JSON),
        sa.UniqueConstraint("component_id", "seq", name="uq_events_component_seq"),
    )
    op.create_index("ix_events_at", "events", ["at"])
    op.create_index("ix_events_project", "events", ["project_id"])
    _make_events_append_only()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_append_only ON events")
        op.execute("DROP FUNCTION IF EXISTS mltrl_events_append_only()")
    for table in ("events", "versions", "couplings", "components", "projects"):
        op.drop_table(table)


def _make_events_append_only() -> None:
    """The database itself refuses to change or delete a logged event."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION mltrl_events_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'mltrl events are append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
            "FOR EACH ROW EXECUTE FUNCTION mltrl_events_append_only()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER events_no_{action.lower()} BEFORE {action} ON events "
                "BEGIN SELECT RAISE(ABORT, 'mltrl events are append-only'); END"
            )
