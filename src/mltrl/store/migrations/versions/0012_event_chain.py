"""The events form a hash chain; approvals store the digest of what was signed.

- ``events`` gains ``prev_hash`` and ``hash`` (the chain, :mod:`mltrl.store.chain`), filled here for
  every existing event in id order, and ``via`` (where a write came from, for the audit);
  ``project_id`` may be empty, for identity changes (users, tokens) that belong to no project.
- ``event_chain`` holds the chain's head (last hash, length): the lock that keeps the chain linear on
  PostgreSQL, and what makes a deleted last event visible.
- ``review_signatures`` gains ``seen`` and ``digest`` (what the signer saw), ``ssh_signature`` and
  ``ssh_key``. Signatures made before this revision have no digest: ``review show`` says so.

The hash function is copied here, as it was when this migration was written, so the migration keeps
writing what it wrote (the chain's format is versioned by the migrations, not by the code).

Revision ID: 0012_event_chain
Revises: 0011_card_storage
Create Date: 2026-11-27
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0012_event_chain"
down_revision = "0011_card_storage"
branch_labels = None
depends_on = None

_GENESIS = "0" * 64
_HASHED = (
    "project_id",
    "component_id",
    "seq",
    "kind",
    "from_level",
    "to_level",
    "entry_level",
    "switchback_kind",
    "approver",
    "reason",
    "actor",
    "at",
    "data",
    "via",
)
_CHUNK = 2000
_APPEND_ONLY = "BEGIN SELECT RAISE(ABORT, 'mltrl events are append-only'); END"


def _time(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(sep=" ", timespec="microseconds")


def _hash(row: dict[str, Any], prev: str) -> str:
    values = [row.get(name) for name in _HASHED]
    values[11] = _time(values[11])
    values[12] = json.loads(values[12]) if isinstance(values[12], str) else values[12]
    text = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev}\n{text}".encode()).hexdigest()


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    op.create_table(
        "event_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_chain")),
    )
    for column in (
        sa.Column("seen", sa.JSON(), nullable=True),
        sa.Column("digest", sa.String(64), nullable=True),
        sa.Column("ssh_signature", sa.Text(), nullable=True),
        sa.Column("ssh_key", sa.String(200), nullable=True),
    ):
        op.add_column("review_signatures", column)
    new_columns = (
        sa.Column("via", sa.String(200), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=True),
        sa.Column("hash", sa.String(64), nullable=True),
    )
    if postgres:
        op.alter_column("events", "project_id", existing_type=sa.Integer(), nullable=True)
        for column in new_columns:
            op.add_column("events", column)
        op.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
        _fill(bind)
        op.execute("ALTER TABLE events ENABLE TRIGGER events_append_only")
    else:
        # SQLite cannot drop a NOT NULL: the table is copied, and its triggers made again after.
        op.execute("DROP TRIGGER IF EXISTS events_no_update")
        op.execute("DROP TRIGGER IF EXISTS events_no_delete")
        with op.batch_alter_table("events", recreate="always") as batch:
            batch.alter_column("project_id", existing_type=sa.Integer(), nullable=True)
            for column in new_columns:
                batch.add_column(column)
        _fill(bind)
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER events_no_{action.lower()} BEFORE {action} ON events {_APPEND_ONLY}")


def _fill(bind: sa.Connection) -> None:
    """Chain every existing event, in id order, and write the head."""
    columns = ", ".join(_HASHED)
    prev, length, pending = _GENESIS, 0, []
    update = sa.text("UPDATE events SET prev_hash = :prev_hash, hash = :hash WHERE id = :id")
    for row in bind.execute(sa.text(f"SELECT id, {columns} FROM events ORDER BY id")).mappings():
        digest = _hash(dict(row), prev)
        pending.append({"id": row["id"], "prev_hash": prev, "hash": digest})
        prev, length = digest, length + 1
        if len(pending) >= _CHUNK:
            bind.execute(update, pending)
            pending = []
    if pending:
        bind.execute(update, pending)
    bind.execute(
        sa.text("INSERT INTO event_chain (id, last_hash, length) VALUES (1, :h, :n)"),
        {"h": prev, "n": length},
    )


def downgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    for name in ("ssh_key", "ssh_signature", "digest", "seen"):
        op.drop_column("review_signatures", name)
    op.drop_table("event_chain")
    # Identity changes have no project, which the older schema cannot hold: they go with the audit.
    if postgres:
        op.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
        op.execute("DELETE FROM events WHERE project_id IS NULL")
        op.execute("ALTER TABLE events ENABLE TRIGGER events_append_only")
        for name in ("hash", "prev_hash", "via"):
            op.drop_column("events", name)
        op.alter_column("events", "project_id", existing_type=sa.Integer(), nullable=False)
        return
    op.execute("DROP TRIGGER IF EXISTS events_no_update")
    op.execute("DROP TRIGGER IF EXISTS events_no_delete")
    op.execute("DELETE FROM events WHERE project_id IS NULL")
    with op.batch_alter_table("events", recreate="always") as batch:
        for name in ("hash", "prev_hash", "via"):
            batch.drop_column(name)
        batch.alter_column("project_id", existing_type=sa.Integer(), nullable=False)
    for action in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER events_no_{action.lower()} BEFORE {action} ON events {_APPEND_ONLY}")
