"""``mltrl audit``: who did what, when, from where, read from the (hash-chained) event log.

Every write of the registry appends an event in its own transaction: lifecycle moves, reviews,
evidence, cards, monitoring, and identity changes (users, tokens, roles). Each event keeps its actor
(the OS user or ``--actor`` on the command line, the authenticated user on the team server) and
``via``: ``cli``, ``python``, ``token:PREFIX`` or ``password`` (a token minted with a password).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from mltrl.errors import BadInput
from mltrl.store import queries
from mltrl.store.reader import Reader, as_utc

_AUDIT = """
SELECT e.id, e.at, e.actor, e.via, p.key AS project, c.code AS component, e.kind, e.reason, e.data
FROM events e
LEFT JOIN projects p ON p.id = e.project_id
LEFT JOIN components c ON c.id = e.component_id
"""
#: At most this many rows per query unless asked (an audit of a large registry is exported in pages).
DEFAULT_LIMIT = 10_000


def parse_time(value: str | None, option: str) -> datetime | None:
    """``2026-11-27`` (the start of that day, UTC) or an ISO 8601 time; naive times are UTC."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(
            f"{option}: {value!r} is not a date or ISO 8601 time like 2026-03-01T09:30:00Z"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def entries(
    r: Reader,
    *,
    project: str | None = None,
    user: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after: int = 0,
    limit: int = DEFAULT_LIMIT,
) -> list[dict[str, Any]]:
    """The audit trail in the order it was written, filtered; ``after``: only events after this id
    (to page through an export)."""
    if project is not None and queries.project(r, project) is None:
        raise BadInput(f"no project {project!r} (see `mltrl project list`)")
    if since is not None and until is not None and since > until:
        raise BadInput(f"--since {since.isoformat()} is after --until {until.isoformat()}")
    if not 1 <= limit <= 1_000_000:
        raise BadInput(f"--limit {limit} is not between 1 and 1000000")
    where, params = ["e.id > :after"], {"after": int(after)}
    if project is not None:
        where.append("p.key = :project")
        params["project"] = project
    if user is not None:
        where.append("e.actor = :actor")
        params["actor"] = user
    if since is not None:
        where.append("e.at >= :since")
        params["since"] = r.time(since)
    if until is not None:
        where.append("e.at <= :until")
        params["until"] = r.time(until)
    sql = f"{_AUDIT} WHERE {' AND '.join(where)} ORDER BY e.id LIMIT {int(limit)}"
    return [_entry(row) for row in r.all(sql, **params)]


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    data = row["data"]
    return {
        "id": row["id"],
        "at": as_utc(row["at"]).isoformat(),  # type: ignore[union-attr]
        "actor": row["actor"],
        "via": row["via"],
        "project": row["project"],
        "component": row["component"],
        "kind": row["kind"],
        "reason": row["reason"],
        "data": json.loads(data) if isinstance(data, str) else data,
    }
