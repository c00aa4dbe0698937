"""Monitoring over the API: log served predictions and their late actuals, read the drift report,
performance and monitoring status, list, show and acknowledge alerts and bring one before a review
(``mltrl monitor ...``).

Rows come as JSON objects (the CLI reads the same columns from a CSV or Parquet file); a body is at
most 1 MiB, so a serving process sends them in batches.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request

from mltrl.errors import BadInput, NotFound
from mltrl.server.models_monitor import DeliveryIn
from mltrl.server.models_records import AcknowledgeIn, ActualsIn, PredictionsIn
from mltrl.server.routes import ERRORS, Code
from mltrl.server.security import Caller, caller
from mltrl.service.authorization import Action

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["monitoring"])
AlertId = Path(ge=1, le=2**31 - 1, description="Alert number")


@router.post("/projects/{key}/components/{code}/predictions", status_code=201)
def log_predictions(key: str, code: Code, body: PredictionsIn, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Served predictions with their ids; they wait for their actuals (``mltrl monitor predictions``)."""
    ref = _component_for(c, key, code, Action.RECORD_EVIDENCE)
    plain_rows(body.rows)
    label, rows = c.registry.predictions.log(
        ref,
        body.rows,
        id_column=body.id_column,
        prediction_column=body.prediction_column,
        window=body.window,
        at=body.at,
    )
    return {"component": ref, "window": label, "rows": rows}


@router.post("/projects/{key}/components/{code}/actuals", status_code=201)
def log_actuals(key: str, code: Code, body: ActualsIn, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Late actuals joined to their predictions; each window's evaluation is updated (``monitor actuals``)."""
    ref = _component_for(c, key, code, Action.RECORD_EVIDENCE)
    plain_rows(body.rows)
    result = c.registry.actuals.log(
        ref,
        body.rows,
        id_column=body.id_column,
        actual_column=body.actual_column,
        task=body.task,
        positive=body.positive,
        decision_threshold=body.decision_threshold,
    )
    return {"component": ref, **result}


@router.get("/projects/{key}/components/{code}/drift")
def drift(
    key: str,
    code: Code,
    window: str | None = Query(None, max_length=64, description="A window label (default: the latest)"),
    reference: str = Query("default", max_length=200, description="Which reference profile"),
    c: Caller = Depends(caller),
) -> dict[str, Any]:
    """Per-column drift and the data-set verdict (``mltrl monitor drift --json``); drift is an answer
    (``dataset_drift: true``), not an error (the CLI exits 1)."""
    from mltrl.service import inputs

    c.require(Action.READ, key)
    inputs.text(reference, "reference", required=True)
    if window is not None:
        inputs.text(window, "window", required=True)
    label, report = c.registry.monitor.drift(f"{key}/{code}", window=window, reference=reference)
    return {"window": label, "reference": reference, **report.to_json()}


@router.get("/projects/{key}/components/{code}/performance")
def performance(key: str, code: Code, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Metrics per window from joined actuals (``mltrl monitor performance --json``, no threshold)."""
    c.require(Action.READ, key)
    ref = f"{key}/{code}"
    return {"component": c.registry.components.get(ref).ref, "windows": c.registry.actuals.performance(ref)}


@router.get("/projects/{key}/monitoring")
def monitoring_status(key: str, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Monitored components: references, latest window, last check, open alerts (``monitor status``)."""
    c.require(Action.READ, key)
    return {"components": c.registry.monitor.status(key)}


@router.get("/projects/{key}/alerts")
def list_alerts(
    key: str,
    component: str | None = Query(None, max_length=64, description="Only this component's (its code)"),
    open_only: bool = Query(False, alias="open", description="Only unacknowledged alerts"),
    c: Caller = Depends(caller),
) -> dict[str, Any]:
    """Alerts of the project or one component (``mltrl monitor alerts --json``)."""
    c.require(Action.READ, key)
    target = f"{key}/{component}" if component else key
    return {"alerts": c.registry.alerts.list(target, open_only=open_only)}


@router.post("/projects/{key}/alerts/{alert_id}/acknowledgement")
def acknowledge(
    key: str,
    request: Request,
    alert_id: int = AlertId,
    body: AcknowledgeIn | None = None,
    c: Caller = Depends(caller),
) -> dict[str, Any]:
    """Acknowledge an alert as oneself (``mltrl monitor ack --json``); a second acknowledgement is refused."""
    c.require(Action.READ, key)
    c.require(Action.ACKNOWLEDGE, key)
    alert = _alert(c, key, alert_id)
    c.require(Action.ACKNOWLEDGE, key, alert["level"])
    request.state.current = lambda: {"alert": c.registry.alerts.get(alert_id)}
    c.registry.alerts.acknowledge(alert_id, (body or AcknowledgeIn()).note)
    return c.registry.alerts.get(alert_id)  # type: ignore[no-any-return]


@router.get("/projects/{key}/alerts/{alert_id}")
def show_alert(key: str, alert_id: int = AlertId, c: Caller = Depends(caller)) -> dict[str, Any]:
    """One alert with its data, the review it went to, its delivery and acknowledgement (the row
    ``mltrl monitor alerts --json`` lists, and ``monitor ack --json`` prints)."""
    c.require(Action.READ, key)
    return _alert(c, key, alert_id)


@router.post("/projects/{key}/alerts/{alert_id}/review")
def review_alert(
    key: str, request: Request, alert_id: int = AlertId, c: Caller = Depends(caller)
) -> dict[str, Any]:
    """Bring an alert before a review of its component: it joins the open review or opens one (on a
    level-9 component, the deployment review) (``mltrl monitor review --json``). Handling an alert
    (acknowledge) that may open a review (open-review): both, at the component's level."""
    c.require(Action.READ, key)
    for action in (Action.ACKNOWLEDGE, Action.OPEN_REVIEW):
        c.require(action, key)
    alert = _alert(c, key, alert_id)
    for action in (Action.ACKNOWLEDGE, Action.OPEN_REVIEW):
        c.require(action, key, alert["level"])
    request.state.current = lambda: {"alert": c.registry.alerts.get(alert_id)}
    return {"alert": alert_id, **c.registry.alerts.review(alert_id)}


@router.post("/projects/{key}/alerts/{alert_id}/deliveries")
def deliver_alert(
    key: str, request: Request, body: DeliveryIn, alert_id: int = AlertId, c: Caller = Depends(caller)
) -> dict[str, Any]:
    """(Re)send an alert to a webhook the server's configuration names, e.g. after the receiver was
    down (``mltrl monitor send``); the delivery's outcome is recorded on the alert, answered here."""
    c.require(Action.READ, key)
    c.require(Action.ACKNOWLEDGE, key)
    alert = _alert(c, key, alert_id)
    c.require(Action.ACKNOWLEDGE, key, alert["level"])
    c.registry.alerts.send(alert_id, webhook_url(request, body.webhook))  # type: ignore[arg-type]
    return c.registry.alerts.get(alert_id)  # type: ignore[no-any-return]


def _alert(c: Caller, key: str, alert_id: int) -> dict[str, Any]:
    """The alert, when it is one of the project's: another project's is as good as none."""
    alert = c.registry.alerts.get(alert_id)
    if alert["component"].split("/", 1)[0] != key:
        raise NotFound(f"no alert {alert_id} in project {key!r}")
    return alert


def _component_for(c: Caller, key: str, code: str, action: Action) -> str:
    c.require(Action.READ, key)
    component = c.registry.components.get(f"{key}/{code}")
    c.require(action, key, component.level)
    return component.ref


def webhook_url(request: Request, name: str | None) -> str | None:
    """The URL of a webhook the server's configuration names. A caller names one and never types a
    URL: a server that POSTs where a caller says reaches what only the server can reach."""
    if name is None:
        return None
    named: dict[str, str] = request.app.state.webhooks
    if name not in named:
        listed = ", ".join(sorted(named)) or "none"
        raise BadInput(f"no webhook {name!r} on this server (its configuration names: {listed})")
    return named[name]


def plain_rows(rows: list[dict[str, Any]], field: str = "rows") -> None:
    """Refuse a control character in a column name or a text value (as a CSV file's would be),
    before the rows reach the database (PostgreSQL cannot store a NUL)."""
    from mltrl.service import inputs

    for number, row in enumerate(rows):
        for column, value in row.items():
            inputs.text(column, f"{field}[{number}] column name", limit=200)
            if isinstance(value, str):
                inputs.text(value, f"{field}[{number}].{column}", limit=10_000, multiline=False)
