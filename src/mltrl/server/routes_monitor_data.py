"""Monitoring data and checks over the API: a component's reference and window profiles from served
rows, the list of stored profiles, the monitoring report's data, the drift and data-quality,
performance and skew checks that raise alerts, and pruning old monitoring data (``mltrl monitor
reference|log|windows|report|check|performance|skew|prune``).

A team server is where a serving process or a CI job sends what it saw: each route calls the
registry method the CLI calls, and answers what the CLI prints with ``--json``. Data comes as rows
of JSON objects (the CLI reads the same columns from a CSV or Parquet file), at most 1 MiB a body,
so a large window is sent in batches (windows merge; a reference is replaced, so it is sent whole).

A check sends its alerts to a webhook only by a name the server's configuration lists
(``webhooks``): a server never POSTs to an address a caller typed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from mltrl.errors import BadInput
from mltrl.jsonout import dumps
from mltrl.server.models_monitor import (
    MonitorCheckIn,
    PerformanceCheckIn,
    PruneIn,
    ReferenceIn,
    SkewCheckIn,
    WindowIn,
)
from mltrl.server.routes import ERRORS, Code
from mltrl.server.routes_lifecycle import component_for
from mltrl.server.routes_monitor import plain_rows, webhook_url
from mltrl.server.security import Caller, caller
from mltrl.service import inputs
from mltrl.service.authorization import Action

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["monitoring"])
COMPONENT = "/projects/{key}/components/{code}"


@router.put(f"{COMPONENT}/references/{{name}}")
def set_reference(
    key: str,
    code: Code,
    body: ReferenceIn,
    request: Request,
    name: str = Path(max_length=200, description="The reference's name, e.g. default or golden"),
    c: Caller = Depends(caller),
) -> dict[str, Any]:
    """Profile training or golden rows as the reference ``name``, replacing the one stored under it
    (``mltrl monitor reference --json``)."""
    ref = component_for(c, key, code, Action.RECORD_EVIDENCE, request)
    rows = c.registry.monitor.set_reference(ref, table_rows(body.rows), name=name)
    return {"component": ref, "role": "reference", "name": name, "rows": rows}


@router.post(f"{COMPONENT}/windows", status_code=201)
def log_window(
    key: str, code: Code, body: WindowIn, request: Request, c: Caller = Depends(caller)
) -> dict[str, Any]:
    """Profile served rows into their time window, merged with what it holds (``mltrl monitor log
    --json``): the ``window`` (hour or day) containing ``at``, or the custom one ``start``-``end``."""
    ref = component_for(c, key, code, Action.RECORD_EVIDENCE, request)
    label, rows = c.registry.monitor.log(
        ref, table_rows(body.rows), window=body.window, at=body.at, start=body.start, end=body.end
    )
    return {"component": ref, "role": "window", "name": label, "rows": rows}


@router.get(f"{COMPONENT}/profiles")
def list_profiles(key: str, code: Code, c: Caller = Depends(caller)) -> dict[str, Any]:
    """The stored reference and window profiles: role, name, rows, last update (``mltrl monitor
    windows --json``)."""
    c.require(Action.READ, key)
    ref = f"{key}/{code}"
    return {"component": ref, "profiles": c.registry.monitor.profiles(ref)}


@router.get(f"{COMPONENT}/monitoring-report", response_class=Response)
def monitoring_report(
    key: str,
    code: Code,
    window: str | None = Query(None, max_length=64, description="A window label (default: the latest)"),
    reference: str = Query("default", max_length=200, description="Which reference profile"),
    history: int = Query(30, ge=1, le=10_000, description="How many recent windows the history covers"),
    minimum: list[str] = Query([], alias="min", description="METRIC=VALUE: a performance floor to draw"),
    maximum: list[str] = Query([], alias="max", description="METRIC=VALUE: a performance ceiling to draw"),
    c: Caller = Depends(caller),
) -> Response:
    """The monitoring report's data: distributions of reference and window, drift and data quality,
    drift over recent windows, performance and open alerts (``mltrl monitor report --json``; the
    HTML page is the CLI's and the dashboard's)."""
    from mltrl.monitor.metrics import thresholds

    c.require(Action.READ, key)
    _texts(window=window, reference=reference)
    low, high = thresholds(inputs.metric_pairs(minimum, "--min"), inputs.metric_pairs(maximum, "--max"))
    data = c.registry.monitor.report(f"{key}/{code}", window=window, reference=reference, history=history)
    data["thresholds"] = {"min": low, "max": high}
    return _json(data)


@router.post(f"{COMPONENT}/monitoring-checks", response_class=Response)
def check_window(
    key: str, code: Code, body: MonitorCheckIn, request: Request, c: Caller = Depends(caller)
) -> Response:
    """Drift and data-quality check of a window against a reference (``mltrl monitor check
    PROJECT/CODE --json``): each failing check raises an alert, the outcome is recorded as
    ``L9.monitoring-drift`` evidence. Drift found is an answer (its alerts), not an error."""
    ref = _checked(c, key, code, request, body.open_review)
    _texts(window=body.window, reference=body.reference)
    outcome = c.registry.monitor.check(
        ref,
        window=body.window,
        reference=body.reference,
        settings=body.settings,
        webhook=webhook_url(request, body.webhook),
        open_review=body.open_review,
        evidence=body.evidence,
    )
    return _json(outcome)


@router.post("/projects/{key}/monitoring-checks", response_class=Response)
def check_project(key: str, body: MonitorCheckIn, request: Request, c: Caller = Depends(caller)) -> Response:
    """:func:`check_window` of every component of the project with the reference and a window, as
    one write: when one cannot be stored, nothing is (``mltrl monitor check PROJECT --json``; the
    nightly job of a team). The caller needs the right at each component's level."""
    c.require(Action.READ, key)
    c.require(Action.RECORD_EVIDENCE, key)  # before saying what the project holds
    _texts(window=body.window, reference=body.reference)
    refs = c.registry.monitor.checkable(key, body.reference)
    for ref in refs:
        level = c.registry.components.get(ref).level
        c.require(Action.RECORD_EVIDENCE, key, level)
        if body.open_review:
            c.require(Action.OPEN_REVIEW, key, level)
    outcomes = c.registry.monitor.check_many(
        refs,
        window=body.window,
        reference=body.reference,
        settings=body.settings,
        webhook=webhook_url(request, body.webhook),
        open_review=body.open_review,
        evidence=body.evidence,
    )
    return _json({"components": outcomes})


@router.post(f"{COMPONENT}/performance-checks", response_class=Response)
def check_performance(
    key: str, code: Code, body: PerformanceCheckIn, request: Request, c: Caller = Depends(caller)
) -> Response:
    """The latest evaluated window's metrics against thresholds (``mltrl monitor performance
    --json``): a breach raises a ``performance`` alert, once per window."""
    ref = _checked(c, key, code, request, body.open_review)
    outcome = c.registry.monitor.check_performance(
        ref,
        minimum=body.minimum,
        maximum=body.maximum,
        webhook=webhook_url(request, body.webhook),
        open_review=body.open_review,
    )
    return _json(outcome)


@router.post(f"{COMPONENT}/skew-checks", response_class=Response)
def check_skew(
    key: str, code: Code, body: SkewCheckIn, request: Request, c: Caller = Depends(caller)
) -> Response:
    """Training-serving skew: the same entities' features as trained on and as served, joined on
    ``key`` (``mltrl monitor skew --json``); a skewed feature raises a ``skew`` alert."""
    ref = _checked(c, key, code, request, body.open_review)
    inputs.text(body.key, "key", required=True, limit=200)
    outcome = c.registry.monitor.check_skew(
        ref,
        table_rows(body.training, "training"),
        table_rows(body.serving, "serving"),
        key=body.key,
        threshold=body.threshold,
        webhook=webhook_url(request, body.webhook),
        open_review=body.open_review,
    )
    return _json(outcome)


@router.post("/monitoring/prune", response_class=Response)
def prune(body: PruneIn, c: Caller = Depends(caller)) -> Response:
    """Delete window profiles and acknowledged alerts older than ``older_than`` in the registry, a
    project or a component (``mltrl monitor prune --json``). Never a reference, an open alert or one
    a review names. The server's data, not a project's: site admins only."""
    c.require_site_admin("prune monitoring data")
    if body.target is not None:
        inputs.text(body.target, "target", required=True, limit=200)
    report = c.registry.monitor.prune(body.older_than, body.target, dry_run=body.dry_run)
    return _json(report.to_json())


def table_rows(rows: list[dict[str, Any]], field: str = "rows") -> list[dict[str, Any]]:
    """The rows, once they make a table: some rows, each with the same columns (a missing value is
    a null, as an empty CSV cell is), and no control character in a name or a text."""
    if not rows:
        raise BadInput(f"{field}: the table has no rows")
    plain_rows(rows, field)
    first = rows[0].keys()
    if not first:
        raise BadInput(f"{field}[0]: a row needs at least one column")
    for number, row in enumerate(rows):
        if row.keys() != first:
            missing, extra = sorted(first - row.keys()), sorted(row.keys() - first)
            differs = f"has no column {missing[0]!r}" if missing else f"has a column {extra[0]!r}"
            raise BadInput(
                f"{field}[{number}] {differs} that {field}[0] "
                f"{'has' if missing else 'does not'}; every row needs the same columns (null for no value)"
            )
    return rows


def _checked(c: Caller, key: str, code: str, request: Request, open_review: bool) -> str:
    """A check records what the component does in production (evidence, alerts); bringing its
    alerts before a review opens one, which needs that right too."""
    ref = component_for(c, key, code, Action.RECORD_EVIDENCE, request)
    if open_review:
        c.require(Action.OPEN_REVIEW, key, c.registry.components.get(ref).level)
    return ref


def _texts(**given: str | None) -> None:
    for name, value in given.items():
        if value is not None:
            inputs.text(value, name, required=True)


def _json(payload: Any) -> Response:
    """Exactly the JSON the CLI prints: a non-finite number is null, numpy numbers are plain."""
    return Response(dumps(payload), media_type="application/json")
