"""Reads of monitoring alerts."""

from __future__ import annotations

import json
from typing import Any

from mltrl.store.reader import Reader, as_utc

_ALERTS = """
SELECT a.id, a.component_id, p.key || '/' || c.code AS component, c.level, a.kind, a.message, a.data,
       a.created_at, a.created_by, a.webhook, a.acknowledged_at, a.acknowledged_by, a.review_id,
       a.window_label AS window
FROM alerts a JOIN components c ON c.id = a.component_id JOIN projects p ON p.id = a.project_id
"""


def alerts(
    r: Reader, *, project_key: str | None = None, component_id: int | None = None, open_only: bool = False
) -> list[dict[str, Any]]:
    where, params = [], {}
    if project_key is not None:
        where.append("p.key = :key")
        params["key"] = project_key
    if component_id is not None:
        where.append("a.component_id = :cid")
        params["cid"] = component_id
    if open_only:
        where.append("a.acknowledged_at IS NULL")
    rows = r.all(_ALERTS + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY a.id", **params)
    return [_decoded(row) for row in rows]


def alert(r: Reader, alert_id: int) -> dict[str, Any] | None:
    row = r.one(_ALERTS + " WHERE a.id = :id", id=alert_id)
    return None if row is None else _decoded(row)


def for_review(r: Reader, review_id: int) -> list[dict[str, Any]]:
    """The alerts brought before a review."""
    return [_decoded(row) for row in r.all(_ALERTS + " WHERE a.review_id = :id ORDER BY a.id", id=review_id)]


def same_finding(r: Reader, component_id: int, kind: str, window: str, columns: list[str]) -> int | None:
    """The alert already raised about this window for the same kind and columns, if any."""
    for row in r.all(
        _ALERTS
        + " WHERE a.component_id = :cid AND a.kind = :kind AND a.window_label = :window ORDER BY a.id",
        cid=component_id,
        kind=kind,
        window=window,
    ):
        if sorted(_decoded(row)["data"].get("columns", [])) == sorted(columns):
            return int(row["id"])
    return None


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    row["data"] = json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]
    for key in ("created_at", "acknowledged_at"):
        row[key] = as_utc(row[key]).isoformat() if row[key] is not None else None
    return row


def open_counts(r: Reader, project_key: str) -> dict[str, int]:
    """component code -> number of unacknowledged alerts."""
    rows = r.all(
        """SELECT c.code, COUNT(*) AS n FROM alerts a JOIN components c ON c.id = a.component_id
           JOIN projects p ON p.id = a.project_id
           WHERE p.key = :key AND a.acknowledged_at IS NULL GROUP BY c.code""",
        key=project_key,
    )
    return {row["code"]: int(row["n"]) for row in rows}
