"""Routes of a component's plan and people: readiness targets (``mltrl target``), the working group
(``mltrl group``), the hand-off from R&D to product (``mltrl handoff``), the recurring-review cadence
(``mltrl component cadence``), its couplings, and a project's traits (``mltrl project traits``).

None of these moves a level. Who may change what follows what it governs: targets and the working
group are records (edit-records); the owner (the separation of duties reads it: an owner cannot be
their work's only approver), the review cadence and the traits (which criteria the gates hold) are
the project's governance, so they are its admins' (administer).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request

from mltrl.errors import NotFound
from mltrl.server.models_records import CadenceIn, HandOffIn, MemberIn, TargetIn, TraitsIn
from mltrl.server.routes import ERRORS, Code
from mltrl.server.routes_lifecycle import component_for
from mltrl.server.security import Caller, caller
from mltrl.service.authorization import Action

router = APIRouter(prefix="/api/v1", responses=ERRORS)
TargetId = Path(ge=1, le=2**31 - 1, description="Target number (see GET /projects/{key}/targets)")
Reason = Query("", max_length=2000, description="Why (the log keeps it)")


# --- readiness targets ------------------------------------------------------------------------------


@router.get("/projects/{key}/targets", tags=["targets"])
def list_targets(
    key: str,
    component: str | None = Query(None, max_length=64, description="Only this component's (its code)"),
    c: Caller = Depends(caller),
) -> dict[str, Any]:
    """Targets with their state and forecast (``mltrl target list KEY[/CODE] --json``)."""
    c.require(Action.READ, key)
    target = f"{key}/{component}" if component else key
    return {"targets": [t.to_json() for t in c.registry.targets.list(target)]}


@router.post("/projects/{key}/components/{code}/targets", status_code=201, tags=["targets"])
def add_target(
    key: str, code: Code, body: TargetIn, request: Request, c: Caller = Depends(caller)
) -> dict[str, Any]:
    """The component reaches a level by a date (``mltrl target add --json``)."""
    ref = component_for(c, key, code, Action.EDIT_RECORDS, request)
    target_id = c.registry.targets.add(ref, body.level, body.by, note=body.note)
    (created,) = [t for t in c.registry.targets.list(ref) if t.target.id == target_id]
    return created.to_json()  # type: ignore[no-any-return]


@router.delete("/projects/{key}/targets/{target_id}", tags=["targets"])
def remove_target(
    key: str, target_id: int = TargetId, reason: str = Reason, c: Caller = Depends(caller)
) -> dict[str, Any]:
    """Withdraw a target, saying why (``mltrl target remove ID --reason ... --json``)."""
    c.require(Action.READ, key)
    c.require(Action.EDIT_RECORDS, key)
    found = [t for t in c.registry.targets.list(key) if t.target.id == target_id]
    if not found:  # another project's target is as good as none: the CLI's line for an unknown one
        raise NotFound(f"no target {target_id} (see `mltrl target list`)")
    c.require(Action.EDIT_RECORDS, key, found[0].current_level)
    c.registry.targets.remove(target_id, reason=reason)
    return {"id": target_id, "removed": True, "reason": reason}


# --- the working group and the hand-off -------------------------------------------------------------


@router.get("/projects/{key}/components/{code}/group", tags=["components"])
def show_group(key: str, code: Code, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Members as they are and were, level by level, with the hand-offs (``mltrl group show --json``)."""
    c.require(Action.READ, key)
    return _group(c, f"{key}/{code}")


@router.post("/projects/{key}/components/{code}/group", status_code=201, tags=["components"])
def join_group(
    key: str, code: Code, body: MemberIn, request: Request, c: Caller = Depends(caller)
) -> dict[str, Any]:
    """A person joins the working group in a role, from the current level on (``mltrl group add``)."""
    ref = component_for(c, key, code, Action.EDIT_RECORDS, request)
    c.registry.groups.join(ref, body.person, body.role)
    return _group(c, ref)


@router.delete("/projects/{key}/components/{code}/group/{person}", tags=["components"])
def leave_group(
    key: str, code: Code, person: str, request: Request, reason: str = Reason, c: Caller = Depends(caller)
) -> dict[str, Any]:
    """A member leaves; the history keeps the levels they worked at (``mltrl group remove``)."""
    ref = component_for(c, key, code, Action.EDIT_RECORDS, request)
    c.registry.groups.leave(ref, person, reason=reason)
    return _group(c, ref)


@router.post("/projects/{key}/components/{code}/handoff", tags=["components"])
def hand_off(
    key: str, code: Code, body: HandOffIn, request: Request, c: Caller = Depends(caller)
) -> dict[str, Any]:
    """From level 5 the product owner takes the component over (``mltrl handoff --json``)."""
    ref = component_for(c, key, code, Action.ADMINISTER, request)
    return c.registry.components.hand_off(ref, body.to, note=body.note).to_json()  # type: ignore[no-any-return]


@router.put("/projects/{key}/components/{code}/cadence", tags=["components"])
def set_cadence(
    key: str, code: Code, body: CadenceIn, request: Request, c: Caller = Depends(caller)
) -> dict[str, Any]:
    """Days between the recurring reviews while deployed (``mltrl component cadence --json``)."""
    ref = component_for(c, key, code, Action.ADMINISTER, request)
    component = c.registry.components.set_cadence(ref, body.review_every_days)
    return {**component.to_json(), "review_every_days": body.review_every_days}


@router.get("/projects/{key}/components/{code}/couplings", tags=["components"])
def couplings(key: str, code: Code, c: Caller = Depends(caller)) -> dict[str, Any]:
    """The components this one is coupled to, both ways (the couplings of ``component show --json``)."""
    c.require(Action.READ, key)
    ref = c.registry.components.get(f"{key}/{code}").ref
    return {"component": ref, "couplings": [k.to_json() for k in c.registry.components.couplings(ref)]}


# --- a project's traits -----------------------------------------------------------------------------


@router.patch("/projects/{key}/traits", tags=["projects"])
def set_traits(key: str, body: TraitsIn, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Add or remove traits; a trait's criteria apply only with it (``mltrl project traits --json``).
    A trait cannot be removed once a component climbed under its criteria (the service refuses)."""
    c.require(Action.READ, key)
    c.require(Action.ADMINISTER, key)
    project = c.registry.projects.set_traits(key, add=body.add, remove=body.remove)
    return {"project": project.key, "traits": project.traits}


def _group(c: Caller, ref: str) -> dict[str, Any]:
    from mltrl.service import lookup
    from mltrl.store import people_queries

    def view(r):  # type: ignore[no-untyped-def]
        component = lookup.component(r, ref)
        return {
            "component": component.ref,
            "owner": component.owner,
            "members": people_queries.working_group(r, component.id),
            "handoffs": people_queries.handoffs(r, component.id),
        }

    return c.registry._read(view)  # type: ignore[no-any-return]
