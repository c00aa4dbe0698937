"""History from before the registry: ``mltrl import-graduation`` one graduation at a time, and
``reg.components.import_history`` for a whole project's past in one transaction.

The only routes that raise a level without a review. The service refuses them once a component's
history is live here (a review, a reviewed graduation, an entry review), for a date that is not in
the past, and when the organisation's policy forbids imports (``settings.allow_imports``), with the
CLI's words. Who may ask at all is decided here: the project's admins (see :func:`import_graduation`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from mltrl.errors import BadInput
from mltrl.server.models_records import HistoryIn, ImportGraduationIn
from mltrl.server.routes import ERRORS, Code
from mltrl.server.routes_lifecycle import component_for
from mltrl.server.security import Caller, caller
from mltrl.service.authorization import Action

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["lifecycle"])

#: An import vouches for a level no gate checked here: only those who already answer for the
#: project's trust may do it. An approver (``decide``) cannot raise a level on their own — a
#: review's decision still needs its gate to hold and its panel to sign — so an import, which skips
#: both, needs more: ``administer``, the project admin's (who grants the approver role itself).
IMPORT = Action.ADMINISTER


@router.post("/projects/{key}/components/{code}/import-graduation")
def import_graduation(
    key: str, code: Code, body: ImportGraduationIn, request: Request, c: Caller = Depends(caller)
) -> dict[str, Any]:
    """Record a graduation that happened before the registry kept the project, approved back then
    by ``approver`` at ``at`` (``mltrl import-graduation --json``); marked as imported in the log.

    Needs the ``administer`` right at the component's level (a project admin, with an admin-scoped
    token): an approver's ``decide`` never raises a level by itself (a review's gate and panel
    must agree), and an import checks neither, so it is the act of whoever answers for the project.
    """
    ref = component_for(c, key, code, IMPORT, request)
    record = c.registry.components.import_graduation(
        ref, approver=body.approver, at=body.at, to_level=body.to_level, reason=body.reason
    )
    return record.to_json()  # type: ignore[no-any-return]


@router.post("/projects/{key}/history")
def import_history(key: str, body: HistoryIn, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Load the project's lifecycle history from before the registry, oldest first, in one
    transaction: all events land or none (``reg.components.import_history``). Each event names a
    component of this project; the same right as an imported graduation, at each component's level.

    Answers how many events were written and the components as they now stand.
    """
    c.require(Action.READ, key)
    c.require(IMPORT, key)
    refs: list[str] = []
    for number, event in enumerate(body.events, start=1):
        if event.ref.split("/", 1)[0] != key:
            raise BadInput(
                f"history event {number}: {event.ref!r} is not a component of project {key!r} "
                f"(this route loads {key}'s history only)"
            )
        if event.ref not in refs:
            refs.append(event.ref)
    for ref in refs:
        c.require(IMPORT, key, c.registry.components.get(ref).level)
    written = c.registry.components.import_history(e.model_dump(exclude_none=True) for e in body.events)
    return {
        "project": key,
        "events": written,
        "components": [c.registry.components.get(ref).to_json() for ref in refs],
    }
