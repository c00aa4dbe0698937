"""The registry's tables (SQLAlchemy Core): the one definition Alembic migrates from.

Current state (projects, components, versions, couplings) sits beside an
append-only ``events`` table. Every write appends an event and updates the
current state in the same transaction; ``components.seq`` counts the
lifecycle events of a component and, together with the unique
``(component_id, seq)`` key on events, makes two concurrent writers of the
same component collide instead of both landing.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Timestamp = DateTime(timezone=True)

projects = Table(
    "projects",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("rd_owner", String(200)),
    Column("product_owner", String(200)),
    Column("parent_id", Integer, ForeignKey("projects.id")),
    Column("fork_reason", Text),
    Column("created_at", Timestamp, nullable=False),
    Column("created_by", String(200), nullable=False),
)

components = Table(
    "components",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("parent_id", Integer, ForeignKey("components.id")),
    Column("forked_from_id", Integer, ForeignKey("components.id")),
    Column("description", Text, nullable=False, default=""),
    Column("entry_level", Integer, nullable=False),
    Column("level", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("last_at", Timestamp, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("project_id", "code", name="uq_components_project_code"),
    CheckConstraint("level BETWEEN 0 AND 9", name="level_range"),
    CheckConstraint("entry_level BETWEEN 0 AND 9 AND entry_level <= level", name="entry_level_range"),
)

couplings = Table(
    "couplings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("component_id", Integer, ForeignKey("components.id"), nullable=False),
    Column("other_id", Integer, ForeignKey("components.id"), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("component_id", "other_id", name="uq_couplings_pair"),
    CheckConstraint("component_id <> other_id", name="not_self"),
)

versions = Table(
    "versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("component_id", Integer, ForeignKey("components.id"), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("version", String(100), nullable=False),
    Column("uri", Text),
    Column("sha256", String(64)),
    Column("note", Text, nullable=False, default=""),
    Column("registered_at", Timestamp, nullable=False),
    Column("registered_by", String(200), nullable=False),
    UniqueConstraint("component_id", "kind", "version", name="uq_versions_component_kind_version"),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("component_id", Integer, ForeignKey("components.id")),
    # Lifecycle events carry the component's sequence number; other events
    # (a project created, a version registered ...) leave it empty.
    Column("seq", Integer),
    Column("kind", String(32), nullable=False),
    Column("from_level", Integer),
    Column("to_level", Integer),
    Column("entry_level", Integer),
    Column("switchback_kind", String(16)),
    Column("approver", String(400)),
    Column("reason", Text, nullable=False, default=""),
    Column("actor", String(200), nullable=False),
    Column("at", Timestamp, nullable=False),
    Column("data", JSON(none_as_null=True)),  # no data is SQL NULL, not the JSON text 'null'
    UniqueConstraint("component_id", "seq", name="uq_events_component_seq"),
)

Index("ix_events_at", events.c.at)
Index("ix_events_project", events.c.project_id)
Index("ix_components_project", components.c.project_id)
