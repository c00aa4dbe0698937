"""Reads of stored monitoring profiles."""

from __future__ import annotations

from typing import Any

from mltrl.store.reader import Reader, as_utc


def listing(r: Reader, component_id: int) -> list[dict[str, Any]]:
    rows = r.all(
        """SELECT role, name, window_start, window_end, rows, updated_at FROM profiles
           WHERE component_id = :cid ORDER BY role, window_start, name""",
        cid=component_id,
    )
    for row in rows:
        for key in ("window_start", "window_end", "updated_at"):
            row[key] = as_utc(row[key]).isoformat() if row[key] is not None else None
    return rows


def data(r: Reader, component_id: int, role: str, name: str | None) -> tuple[str, bytes] | None:
    """(name, bytes) of a profile; for windows without a name, the latest window."""
    if name is None:
        row = r.one(
            """SELECT name, data FROM profiles WHERE component_id = :cid AND role = :role
               ORDER BY window_start DESC, updated_at DESC LIMIT 1""",
            cid=component_id,
            role=role,
        )
    else:
        row = r.one(
            "SELECT name, data FROM profiles WHERE component_id = :cid AND role = :role AND name = :name",
            cid=component_id,
            role=role,
            name=name,
        )
    return None if row is None else (row["name"], bytes(row["data"]))


def windows(r: Reader, component_id: int, limit: int) -> list[tuple[str, bytes]]:
    """(label, bytes) of the latest ``limit`` window profiles, oldest first."""
    rows = r.all(
        """SELECT name, data FROM profiles WHERE component_id = :cid AND role = 'window'
           ORDER BY window_start DESC, updated_at DESC LIMIT :limit""",
        cid=component_id,
        limit=limit,
    )
    return [(row["name"], bytes(row["data"])) for row in reversed(rows)]
