"""What keeps concurrent writers from losing or duplicating each other's work.

SQLite needs none of this: every write transaction starts with ``BEGIN IMMEDIATE`` (see
:mod:`mltrl.store.engine`), so writers run one after another. PostgreSQL runs them side by side at
READ COMMITTED, where "read a row, then write what was read plus something" loses one of two
concurrent writes. The helpers here close that gap; docs/storage.md lists which write uses which.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, select
from sqlalchemy.dialects import postgresql, sqlite


def lock_row(conn: Connection, table: Table, row_id: int) -> None:
    """Hold ``table``'s row ``row_id`` until the transaction ends; another transaction that asks
    for the same lock waits here, and every statement it runs afterwards sees what this one wrote.

    ``FOR NO KEY UPDATE``, not ``FOR UPDATE``: it does not block the ``FOR KEY SHARE`` locks that
    inserts of rows referencing this one take, so an event or an alert for the same component
    never waits for it. (On SQLite the statement is a plain read: the writer holds the database.)
    """
    if conn.dialect.name == "postgresql":
        conn.execute(select(table.c.id).where(table.c.id == row_id).with_for_update(key_share=True))


def insert_new(conn: Connection, table: Table, values: dict[str, Any], keys: list[str]) -> bool:
    """Insert the row unless one with the same ``keys`` exists (or a concurrent insert of it
    commits first); return whether this call inserted it. Never fails on the unique key, so the
    second of two writers creating the same row goes on to update it instead of failing."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT whose id SQLAlchemy fetched.
    return conn.execute(statement.returning(table.c.id)).first() is not None
