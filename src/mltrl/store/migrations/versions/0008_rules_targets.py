"""Imported history as its own event kind, readiness targets, and working groups.

Imported graduations were ``graduate`` events marked ``{"approval": "import"}`` in their data; they
become ``import`` events, so no view, gate or report can take one for a reviewed graduation. What
the log says does not change, only how it is spelt: this is the one place where an event row is
updated, with the append-only trigger lifted inside the migration's own transaction. The
``targets`` table holds "component reaches level N by date", and ``working_group`` who works on a
component, in which role, from which level to which.

Revision ID: 0008_rules_targets
Revises: 0007_alert_reviews
Create Date: 2026-11-26
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0008_rules_targets"
down_revision = "0007_alert_reviews"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("due", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint("level BETWEEN 0 AND 9", name=op.f("ck_targets_level_range")),
        sa.ForeignKeyConstraint(
            ["component_id"], ["components.id"], name=op.f("fk_targets_component_id_components")
        ),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_targets_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_targets")),
    )
    op.create_index("ix_targets_component", "targets", ["component_id"])
    op.create_table(
        "working_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("joined_level", sa.Integer(), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_level", sa.Integer(), nullable=True),
        sa.Column("left_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["component_id"], ["components.id"], name=op.f("fk_working_group_component_id_components")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_working_group_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_group")),
    )
    op.create_index("ix_working_group_component", "working_group", ["component_id"])
    bind = op.get_bind()
    imported = [
        row.id
        for row in bind.execute(sa.text("SELECT id, data FROM events WHERE kind = 'graduate'"))
        if _approval(row.data) == "import"
    ]
    with _append_only_lifted(bind):
        for start in range(0, len(imported), 500):
            chunk = ", ".join(str(int(i)) for i in imported[start : start + 500])
            bind.execute(sa.text(f"UPDATE events SET kind = 'import' WHERE id IN ({chunk})"))


def downgrade() -> None:
    bind = op.get_bind()
    with _append_only_lifted(bind):
        bind.execute(sa.text("UPDATE events SET kind = 'graduate' WHERE kind = 'import'"))
    op.drop_index("ix_working_group_component", table_name="working_group")
    op.drop_table("working_group")
    op.drop_index("ix_targets_component", table_name="targets")
    op.drop_table("targets")


@contextmanager
def _append_only_lifted(bind: sa.Connection) -> Iterator[None]:
    """Lift the append-only trigger of ``events`` for this transaction only (see 0001_initial)."""
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("ALTER TABLE events DISABLE TRIGGER events_append_only"))
        yield
        bind.execute(sa.text("ALTER TABLE events ENABLE TRIGGER events_append_only"))
        return
    bind.execute(sa.text("DROP TRIGGER events_no_update"))
    yield
    bind.execute(
        sa.text(
            "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
            "BEGIN SELECT RAISE(ABORT, 'mltrl events are append-only'); END"
        )
    )


def _approval(data: object) -> str | None:
    if isinstance(data, str):
        data = json.loads(data)
    return data.get("approval") if isinstance(data, dict) else None
