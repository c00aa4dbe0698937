"""Routes that create projects and components and move components: the CLI's `project create`,
`fork`, `component add`, `version add`, `component couple`, `switchback`, `pause`, `resume`,
`retire`, and the project's timeline, report and recurring reviews.

No route here raises a level: a component climbs only through a review's decision (routes.py), and
enters above the policy's review-free level only through an entry review; the service refuses
anything else with the CLI's message.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from mltrl.server.models_records import (
    ComponentIn,
    CouplingIn,
    ForkIn,
    ProjectIn,
    StatusChangeIn,
    SwitchbackIn,
    VersionIn,
)
from mltrl.server.routes import ERRORS, Code
from mltrl.server.security import Caller, caller
from mltrl.service.authorization import Action

router = APIRouter(prefix="/api/v1", responses=ERRORS)


@router.post("/projects", status_code=201, tags=["projects"])
def create_project(body: ProjectIn, c: Caller = Depends(caller)) -> dict[str, Any]:
    """A new project (``mltrl project create --json``); a site admin's act."""
    c.require_site_admin("create a project")
    project = c.registry.projects.create(
        body.key,
        body.name,
        description=body.description,
        rd_owner=body.rd_owner,
        product_owner=body.product_owner,
    )
    return project.to_json()  # type: ignore[no-any-return]


@router.post("/projects/{key}/forks", status_code=201, tags=["projects"])
def fork_project(key: str, body: ForkIn, c: Caller = Depends(caller)) -> dict[str, Any]:
    """A bifurcation (``mltrl fork --json``): a new project from the parent's live components."""
    c.require(Action.READ, key)
    c.require_site_admin("fork a project")
    child = c.registry.projects.fork(key, body.key, reason=body.reason, name=body.name)
    return {**child.to_json(), "components": [x.to_json() for x in c.registry.components.list(child.key)]}


@router.get("/projects/{key}/history", tags=["projects"])
def project_history(
    key: str,
    lifecycle: bool = Query(False, description="Only level and status changes"),
    since: str | None = Query(None, max_length=64, description="A date, a time, or a span back: 7d"),
    until: str | None = Query(None, max_length=64, description="A date (the whole day) or a time"),
    kind: list[str] = Query([], description="A kind (graduate, review.sign) or a family (review)"),
    limit: int | None = Query(None, ge=1, le=100_000, description="Only the N most recent"),
    c: Caller = Depends(caller),
) -> dict[str, Any]:
    """The project's timeline, oldest first (``mltrl history KEY --json``), with the CLI's filters."""
    from mltrl.service import lookup
    from mltrl.views import history as views

    c.require(Action.READ, key)
    chosen = views.filters(since=since, until=until, kinds=kind, limit=limit, lifecycle_only=lifecycle)
    events = c.registry._read(lambda r: views.project_history(r, lookup.project(r, key), chosen))
    return {"events": [{**e.to_json(), "description": views.describe(e)} for e in events]}


@router.get("/projects/{key}/report", tags=["projects"])
def project_report(key: str, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Days per level, switchbacks, paths and cycles (``mltrl report --project KEY --json``)."""
    c.require(Action.READ, key)
    return c.registry.report(key).to_json()  # type: ignore[no-any-return]


@router.get("/projects/{key}/due-reviews", tags=["reviews"])
def reviews_due(key: str, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Deployed components and when their recurring review is due (``mltrl review due KEY --json``)."""
    c.require(Action.READ, key)
    every = c.registry.catalog.settings.review_every_days
    return {"default_every_days": every, "components": [d.to_json() for d in c.registry.reviews.due(key)]}


@router.post("/projects/{key}/components", status_code=201, tags=["components"])
def add_component(key: str, body: ComponentIn, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Start a component (``mltrl component add --json``). Above the policy's review-free level it
    needs ``entry_review`` and waits, ``entering``, for the review that admits it."""
    c.require(Action.READ, key)
    c.require(Action.EDIT_RECORDS, key, body.level)
    record = c.registry.components.add(
        f"{key}/{body.code}",
        body.name,
        kind=body.kind,
        level=body.level,
        parent=body.parent,
        description=body.description,
        owner=body.owner,
        reason=body.reason,
        entry_review=body.entry_review,
    )
    return record.to_json()  # type: ignore[no-any-return]


@router.get("/projects/{key}/components/{code}/versions", tags=["components"])
def list_versions(key: str, code: Code, c: Caller = Depends(caller)) -> dict[str, Any]:
    c.require(Action.READ, key)
    component = c.registry.components.get(f"{key}/{code}")
    return {
        "component": component.ref,
        "versions": [v.to_json() for v in c.registry.versions.list(component.ref)],
    }


@router.post("/projects/{key}/components/{code}/versions", status_code=201, tags=["components"])
def register_version(
    key: str, code: Code, body: VersionIn, request: Request, c: Caller = Depends(caller)
) -> dict[str, Any]:
    """Register a code, model or data version (``mltrl version add --json``); on a deployed component
    it is an embedded switchback to level 7, as on the command line."""
    ref = component_for(c, key, code, Action.EDIT_RECORDS, request)
    v = c.registry.versions.register(
        ref, body.kind, body.version, sha256=body.sha256, uri=body.uri, note=body.note
    )
    after = c.registry.components.get(ref)
    return {**v.to_json(), "component": after.ref, "level": after.level, "status": after.status}


@router.post("/projects/{key}/components/{code}/couplings", status_code=201, tags=["components"])
def couple(
    key: str, code: Code, body: CouplingIn, request: Request, c: Caller = Depends(caller)
) -> dict[str, Any]:
    """Record a dependency, also across projects (``mltrl component couple --json``)."""
    ref = component_for(c, key, code, Action.EDIT_RECORDS, request)
    other_key = body.other.split("/", 1)[0]
    c.require(Action.READ, other_key)  # naming a component one cannot see would reveal it exists
    first, second = c.registry.components.get(ref), c.registry.components.get(body.other)
    c.registry.components.couple(ref, body.other, note=body.note)
    return {"component": first.ref, "other": second.ref, "note": body.note}


@router.post("/projects/{key}/components/{code}/switchback", tags=["lifecycle"])
def switchback(
    key: str, code: Code, body: SwitchbackIn, request: Request, c: Caller = Depends(caller)
) -> dict[str, Any]:
    """Back to a lower level the component went through (``mltrl switchback --json``): a decision."""
    ref = component_for(c, key, code, Action.DECIDE, request)
    return c.registry.components.switchback(ref, body.to_level, kind=body.kind, reason=body.reason).to_json()  # type: ignore[no-any-return]


def _status_route(verb: str) -> None:
    def change(
        key: str,
        code: Code,
        request: Request,
        body: StatusChangeIn | None = None,
        c: Caller = Depends(caller),
    ) -> dict[str, Any]:
        ref = component_for(c, key, code, Action.DECIDE, request)
        reason = (body or StatusChangeIn()).reason
        return getattr(c.registry.components, verb)(ref, reason=reason).to_json()  # type: ignore[no-any-return]

    change.__name__ = verb
    change.__doc__ = f"``mltrl {verb} KEY/CODE --json``: a decision about the component."
    router.post(f"/projects/{{key}}/components/{{code}}/{verb}", tags=["lifecycle"])(change)


for _verb in ("pause", "resume", "retire"):
    _status_route(_verb)


def component_for(c: Caller, key: str, code: str, action: Action, request: Request) -> str:
    """The component's ref once the caller may read the project and do ``action`` at its level; a
    conflict on the write that follows answers with the component as it then stands."""
    c.require(Action.READ, key)
    component = c.registry.components.get(f"{key}/{code}")
    c.require(action, key, component.level)
    request.state.current = lambda: {"component": c.registry.components.get(component.ref).to_json()}
    return component.ref
