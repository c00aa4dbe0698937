"""``mltrl monitor status``: what is monitored, how the last check went, what is still open."""

from __future__ import annotations

from typing import Any

from mltrl.service import actuals, lookup
from mltrl.store import alert_queries
from mltrl.store.reader import Reader, as_utc

_MONITORED = """
SELECT c.id, p.key || '/' || c.code AS ref, c.level FROM components c JOIN projects p ON p.id = c.project_id
WHERE (EXISTS (SELECT 1 FROM profiles f WHERE f.component_id = c.id)
    OR EXISTS (SELECT 1 FROM alerts a WHERE a.component_id = c.id)
    OR EXISTS (SELECT 1 FROM evaluations e WHERE e.component_id = c.id)
    OR EXISTS (SELECT 1 FROM pending_predictions q WHERE q.component_id = c.id))
"""


def monitor_status(r: Reader, target: str | None = None) -> list[dict[str, Any]]:
    """One row per monitored component (of a project, or one component), in project/code order."""
    sql, params = _MONITORED, {}
    if target is not None and "/" in target:
        sql += " AND c.id = :cid"
        params["cid"] = lookup.component(r, target).id
    elif target is not None:
        sql += " AND p.key = :key"
        params["key"] = lookup.project(r, target).key
    return [_row(r, row) for row in r.all(sql + " ORDER BY p.key, c.code", **params)]


def _row(r: Reader, component: dict[str, Any]) -> dict[str, Any]:
    cid = component["id"]
    profiles = r.all(
        "SELECT role, name, rows FROM profiles WHERE component_id = :cid ORDER BY window_start DESC, name",
        cid=cid,
    )
    windows = [p for p in profiles if p["role"] == "window"]
    check = r.one(
        """SELECT outcome, metrics, recorded_at FROM evidence
           WHERE component_id = :cid AND kind = 'monitoring' ORDER BY recorded_at DESC, id DESC LIMIT 1""",
        cid=cid,
    )
    evaluated = [w for w in actuals.performance(r, cid) if w["evaluated"]]
    return {
        "component": component["ref"],
        "level": component["level"],
        "references": sorted(p["name"] for p in profiles if p["role"] == "reference"),
        "windows": len(windows),
        "latest_window": windows[0]["name"] if windows else None,
        "latest_window_rows": windows[0]["rows"] if windows else 0,
        "last_check": None
        if check is None
        else {"outcome": check["outcome"], "at": as_utc(check["recorded_at"]).isoformat()},
        "performance": _performance(evaluated[-1]) if evaluated else None,
        "open_alerts": alert_queries.alerts(r, component_id=cid, open_only=True),
    }


def _performance(window: dict[str, Any]) -> str:
    metric = f"accuracy {window['accuracy']:.3f}" if "accuracy" in window else f"MAE {window['mae']:.4g}"
    return f"{metric} in {window['window']} ({window['evaluated']:,} evaluated)"
