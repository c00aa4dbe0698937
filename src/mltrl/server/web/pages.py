"""The read pages: the portfolio, a project, its TRL Card, monitoring and what waits for me.

Every figure comes from the registry's own views (status, history, risk, requirements, data sets,
alerts, reviews), the ones ``mltrl status``, ``history``, ``req risk`` ... print.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from mltrl.domain.model import phase_of
from mltrl.server.web.session import WebCaller, WebRoute, render, web_user
from mltrl.service.authorization import Action

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PHASES = ("research", "prototyping", "productization", "deployment")


@router.get("/")
def portfolio(
    request: Request,
    q: str = Query("", max_length=200),
    phase: str = Query("", max_length=40),
    level: str = Query("", max_length=2),
    user: WebCaller = Depends(web_user),
) -> Response:
    """Projects the user may read, by system TRL and phase, with what holds each back."""
    reg = user.registry
    projects = [p for p in reg.projects.list() if user.principal.denial(Action.READ, p.key) is None]
    rows = []
    for project in projects:
        status = reg.status(project.key).to_json()
        rows.append({**status, "key": project.key, "name": project.name})
    wanted = q.strip().lower()
    shown = [
        row
        for row in rows
        if (not wanted or wanted in f"{row['key']} {row['name']}".lower())
        and (not phase or row["system_phase"] == phase)
        and (not level or str(row["system_level"]) == level)
    ]
    shown.sort(key=lambda row: (row["system_level"] is None, -(row["system_level"] or 0), row["key"]))
    by_phase = {p: sum(1 for row in rows if row["system_phase"] == p) for p in PHASES}
    return render(
        request,
        "portfolio.html.j2",
        user=user,
        rows=shown,
        total=len(rows),
        by_phase=by_phase,
        filters={"q": q, "phase": phase, "level": level},
        phases=PHASES,
    )


@router.get("/projects/{key}")
def project_page(request: Request, key: str, user: WebCaller = Depends(web_user)) -> Response:
    user.require(Action.READ, key)
    reg = user.registry
    status = reg.status(key).to_json()
    events = [{**e.to_json(), "description": _describe(e)} for e in reg.history(key, lifecycle_only=True)]
    reviews = [r.to_json() | {"id": r.id} for r in reg.reviews.list(key)]
    open_for = {r["code"] for r in reviews if r["status"] == "open"}
    components = _flatten(status["components"])
    for node in components:
        node["can_open"] = (
            node["code"] not in open_for
            and node["status"] in ("active", "entering")  # an entering one opens its entry review
            and user.principal.denial(Action.OPEN_REVIEW, key, node["level"]) is None
        )
    return render(
        request,
        "project.html.j2",
        user=user,
        status=status,
        components=components,
        events=list(reversed(events)),
        reviews=list(reversed(reviews)),
        requirements=[q.to_json() | {"risk": q.risk} for q in reg.requirements.list(key)],
        risk=reg.requirements.risk(key).to_json(),
        datasets=[d.to_json() for d in reg.datasets.list(key)],
        key=status["project"]["key"],
    )


@router.get("/projects/{key}/card")
def card_page(
    key: str, component: str | None = Query(None, max_length=40), user: WebCaller = Depends(web_user)
) -> Response:
    """The TRL Card as ``mltrl card show --format html`` renders it (sanitised there)."""
    from mltrl.cards import render as cards

    user.require(Action.READ, key)
    return HTMLResponse(cards.to_html(user.registry.cards.get(key, component)))


@router.get("/projects/{key}/monitoring")
def monitoring_page(request: Request, key: str, user: WebCaller = Depends(web_user)) -> Response:
    """Per monitored component: windows, last check, performance and its alerts."""
    user.require(Action.READ, key)
    reg = user.registry
    reg.projects.get(key)
    return render(
        request,
        "monitoring.html.j2",
        user=user,
        key=key,
        rows=reg.monitor.status(key),
        alerts=reg.alerts.list(key),
    )


@router.get("/projects/{key}/components/{code}/drift")
def drift_page(
    key: str,
    code: str,
    reference: str = Query("default", max_length=100),
    user: WebCaller = Depends(web_user),
) -> Response:
    """The component's drift report, as ``mltrl monitor report --html`` writes it."""
    from mltrl.monitor.metrics import thresholds
    from mltrl.monitor.report_html import render_html

    user.require(Action.READ, key)
    data = user.registry.monitor.report(f"{key}/{code}", reference=reference)
    low, high = thresholds({}, {})  # the performance limits the CLI takes as options: none here
    data["thresholds"] = {"min": low, "max": high}
    return HTMLResponse(render_html(data))


@router.get("/reviews")
def my_reviews(request: Request, user: WebCaller = Depends(web_user)) -> Response:
    """Open reviews waiting for me: to sign (I sit on the panel), to decide (my role decides and
    nothing else stands in the way), to fill in (I may edit it and it is not ready yet)."""
    reg, me = user.registry, user.principal
    waiting: dict[str, list[dict[str, Any]]] = {"sign": [], "decide": [], "complete": []}
    for project in reg.projects.list():
        if me.denial(Action.READ, project.key) is not None:
            continue
        for record in reg.reviews.list(project.key):
            if record.status != "open":
                continue
            view = reg.reviews.get(record.id)
            panel = {m["person"]: m["role"] for m in view.details.get("panel", [])}
            signed = {s["person"] for s in view.details.get("signatures", [])}
            row = {**record.to_json(), "id": record.id, "blockers": view.blockers, "role": panel.get(me.name)}
            if me.name in panel and me.name not in signed:
                waiting["sign"].append(row)
            elif not view.blockers and me.denial(Action.DECIDE, project.key, record.level) is None:
                waiting["decide"].append(row)
            elif view.blockers and me.denial(Action.EDIT_REVIEW, project.key, record.level) is None:
                waiting["complete"].append(row)
    return render(request, "my_reviews.html.j2", user=user, waiting=waiting)


def _describe(event: Any) -> str:
    from mltrl.views.history import describe

    return describe(event)


def _flatten(nodes: list[dict[str, Any]], depth: int = 0) -> list[dict[str, Any]]:
    """The component tree in display order, each node with its depth (for indentation)."""
    out = []
    for node in nodes:
        out.append({**node, "depth": depth, "phase": phase_of(node["level"])})
        out.extend(_flatten(node["children"], depth + 1))
    return out
