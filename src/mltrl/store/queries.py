"""Every read of the registry, as plain SQL over a :class:`Reader`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from mltrl.store.reader import Reader, as_utc
from mltrl.store.records import (
    ComponentRecord,
    CouplingRecord,
    EventRecord,
    ProjectRecord,
    VersionRecord,
)

_PROJECT = """
SELECT p.id, p.key, p.name, p.description, p.rd_owner, p.product_owner, parent.key AS parent_key,
       p.fork_reason, p.created_at, p.created_by, p.traits
FROM projects p LEFT JOIN projects parent ON parent.id = p.parent_id
"""

_COMPONENT = """
SELECT c.id, c.project_id, p.key AS project_key, c.code, c.name, c.kind, parent.code AS parent_code,
       CASE WHEN origin.id IS NULL THEN NULL ELSE origin_project.key || '/' || origin.code END AS forked_from,
       c.description, c.owner, c.entry_level, c.level, c.status, c.seq, c.last_at, c.created_at
FROM components c
JOIN projects p ON p.id = c.project_id
LEFT JOIN components parent ON parent.id = c.parent_id
LEFT JOIN components origin ON origin.id = c.forked_from_id
LEFT JOIN projects origin_project ON origin_project.id = origin.project_id
"""

_EVENT = """
SELECT e.id, p.key AS project_key, e.component_id, c.code, e.seq, e.kind, e.from_level, e.to_level,
       e.entry_level, e.switchback_kind, e.approver, e.reason, e.actor, e.at, e.data
FROM events e
JOIN projects p ON p.id = e.project_id
LEFT JOIN components c ON c.id = e.component_id
"""


def _project(row: dict[str, Any]) -> ProjectRecord:
    row["created_at"] = as_utc(row["created_at"])
    traits = row["traits"]
    row["traits"] = sorted(json.loads(traits) if isinstance(traits, str) else traits or [])
    return ProjectRecord.from_row(row)


def _component(row: dict[str, Any]) -> ComponentRecord:
    row["last_at"] = as_utc(row["last_at"])
    row["created_at"] = as_utc(row["created_at"])
    return ComponentRecord.from_row(row)


def _event(row: dict[str, Any]) -> EventRecord:
    row["at"] = as_utc(row["at"])
    if isinstance(row["data"], str):
        row["data"] = json.loads(row["data"])
    return EventRecord.from_row(row)


def projects(r: Reader) -> list[ProjectRecord]:
    return [_project(row) for row in r.all(_PROJECT + " ORDER BY p.key")]


def project(r: Reader, key: str, *, lock: bool = False) -> ProjectRecord | None:
    """The project ``key``; ``lock``: held until the transaction ends, as
    :func:`mltrl.store.locks.lock_row` holds a row, read and locked in one statement."""
    lock_clause = " FOR NO KEY UPDATE OF p" if lock and r.postgres else ""
    row = r.one(_PROJECT + " WHERE p.key = :key" + lock_clause, key=key)
    return None if row is None else _project(row)


def components(r: Reader, project_key: str | None = None) -> list[ComponentRecord]:
    if project_key is None:
        rows = r.all(_COMPONENT + " ORDER BY p.key, c.id")
    else:
        rows = r.all(_COMPONENT + " WHERE p.key = :key ORDER BY c.id", key=project_key)
    return [_component(row) for row in rows]


def components_by_id(r: Reader, ids: list[int]) -> dict[int, ComponentRecord]:
    if not ids:
        return {}
    among, params = r.in_ids("c.id", ids)
    return {row["id"]: _component(row) for row in r.all(_COMPONENT + f" WHERE {among}", **params)}


def component(r: Reader, project_key: str, code: str) -> ComponentRecord | None:
    row = r.one(_COMPONENT + " WHERE p.key = :key AND c.code = :code", key=project_key, code=code)
    return None if row is None else _component(row)


def children(r: Reader, project_key: str, code: str) -> list[ComponentRecord]:
    """The components whose parent is ``code``, in the order :func:`components` lists them."""
    rows = r.all(
        _COMPONENT + " WHERE p.key = :key AND parent.code = :code ORDER BY c.id", key=project_key, code=code
    )
    return [_component(row) for row in rows]


def couplings(r: Reader, component_id: int) -> list[CouplingRecord]:
    """Couplings are symmetric: list the other side whichever side recorded it."""
    rows = r.all(
        """
        SELECT k.id, p.key AS project_key, o.code, o.name, o.level, k.note
        FROM couplings k
        JOIN components o ON o.id = CASE WHEN k.component_id = :id THEN k.other_id ELSE k.component_id END
        JOIN projects p ON p.id = o.project_id
        WHERE k.component_id = :id OR k.other_id = :id
        ORDER BY p.key, o.code
        """,
        id=component_id,
    )
    return [CouplingRecord.from_row(row) for row in rows]


def versions(r: Reader, component_id: int) -> list[VersionRecord]:
    rows = r.all(
        """
        SELECT id, kind, version, uri, sha256, note, registered_at, registered_by
        FROM versions WHERE component_id = :id ORDER BY kind, registered_at, id
        """,
        id=component_id,
    )
    for row in rows:
        row["registered_at"] = as_utc(row["registered_at"])
    return [VersionRecord.from_row(row) for row in rows]


def events(
    r: Reader,
    project_key: str | None = None,
    component_id: int | None = None,
    lifecycle_only: bool = False,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    kinds: Sequence[str] = (),
    limit: int | None = None,
) -> list[EventRecord]:
    """Events oldest first; ``since``/``until`` bound ``at`` (both inclusive), ``kinds`` are exact
    kinds or families (``review`` is every ``review.*``), ``limit`` keeps the most recent ones."""
    where, params = [], {}
    if project_key is not None:
        where.append("p.key = :key")
        params["key"] = project_key
    if component_id is not None:
        where.append("e.component_id = :cid")
        params["cid"] = component_id
    if lifecycle_only:
        where.append("e.seq IS NOT NULL")
    if since is not None:
        where.append("e.at >= :since")
        params["since"] = r.time(since)
    if until is not None:
        where.append("e.at <= :until")
        params["until"] = r.time(until)
    if kinds:
        alternatives = []
        for n, kind in enumerate(kinds):
            alternatives.append(f"e.kind = :kind{n} OR e.kind LIKE :family{n}")
            params[f"kind{n}"] = kind
            # A family is the kind before its dot; '_' and '%' cannot occur in a kind name.
            params[f"family{n}"] = f"{kind}.%"
        where.append("(" + " OR ".join(alternatives) + ")")
    sql = _EVENT + (" WHERE " + " AND ".join(where) if where else "")
    if limit is None:
        return [_event(row) for row in r.all(sql + " ORDER BY e.at, e.id", **params)]
    # The most recent `limit` events, still printed oldest first.
    rows = r.all(sql + " ORDER BY e.at DESC, e.id DESC LIMIT :limit", **params, limit=limit)
    return [_event(row) for row in reversed(rows)]


def lifecycle_log(r: Reader, project_key: str | None = None) -> list[dict[str, Any]]:
    """The lean lifecycle log for analytics and replay, ordered per component by seq."""
    sql = """
        SELECT e.component_id, p.key AS project_key, c.code, e.seq, e.kind, e.from_level, e.to_level,
               e.entry_level, e.switchback_kind, e.approver, e.reason, e.actor, e.at
        FROM events e JOIN projects p ON p.id = e.project_id JOIN components c ON c.id = e.component_id
        WHERE e.seq IS NOT NULL
    """
    params: dict[str, Any] = {}
    if project_key is not None:
        sql += " AND p.key = :key"
        params["key"] = project_key
    rows = r.all(sql + " ORDER BY e.component_id, e.seq", **params)
    for row in rows:
        row["at"] = as_utc(row["at"])
    return rows


def lifecycle_scan(r: Reader, project_key: str | None = None) -> list[tuple[Any, ...]]:
    """The lifecycle log as lean tuples, for analytics over the whole organisation.

    Each row: (component_id, kind, to_level, switchback_kind, at_seconds), ordered by
    component and sequence. Times come as epoch seconds from the database, which saves
    parsing hundreds of thousands of timestamps in Python; names come from
    :func:`component_names`, so the scan needs no joins.
    """
    sql = f"""
        SELECT e.component_id, e.kind, e.to_level, e.switchback_kind, {r.epoch("e.at")}
        FROM events e WHERE e.seq IS NOT NULL
    """
    params: dict[str, Any] = {}
    if project_key is not None:
        sql += " AND e.project_id = (SELECT id FROM projects WHERE key = :key)"
        params["key"] = project_key
    return r.tuples(sql + " ORDER BY e.component_id, e.seq", **params)


def component_names(r: Reader) -> dict[int, tuple[str, str]]:
    """component id -> (project key, code) for every component."""
    rows = r.tuples("SELECT c.id, p.key, c.code FROM components c JOIN projects p ON p.id = c.project_id")
    return {cid: (key, code) for cid, key, code in rows}


def counts(r: Reader) -> dict[str, int]:
    """Row counts per table, for tests and ``doctor``."""
    return {
        table: int(r.scalar(f"SELECT COUNT(*) AS n FROM {table}"))
        for table in ("projects", "components", "couplings", "versions", "events")
    }
