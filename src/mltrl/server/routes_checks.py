"""Reads of what checks found, and the card's revisions: ``mltrl evidence show``, ``score``,
``golden history``, ``relations list/add/remove``, the results of ``deploy compare``/``deploy switch``,
and ``card revisions/diff/edit/freeze/export``. Gates are decided elsewhere; these only show and keep
records."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request

from mltrl.errors import NotFound
from mltrl.server.models_records import CardEditIn, CardFreezeIn, RelationIn
from mltrl.server.routes import ERRORS, Code
from mltrl.server.routes_lifecycle import component_for
from mltrl.server.security import Caller, caller
from mltrl.service.authorization import Action

router = APIRouter(prefix="/api/v1", responses=ERRORS)
RevisionNumber = Path(ge=1, le=2**31 - 1, description="Card revision number")


@router.get("/projects/{key}/evidence/{evidence_id}", tags=["evidence"])
def show_evidence(
    key: str, evidence_id: int = Path(ge=1, le=2**31 - 1), c: Caller = Depends(caller)
) -> dict[str, Any]:
    """One piece of evidence with its metrics and attachments, fresh or stale (``mltrl evidence show``)."""
    c.require(Action.READ, key)
    try:
        found = c.registry.evidence.get(evidence_id)
    except NotFound:
        found = None
    if found is None or found.ref.split("/", 1)[0] != key:  # another project's is as good as none
        raise NotFound(f"no evidence {evidence_id} in project {key!r}")
    return found.to_json()  # type: ignore[no-any-return]


@router.get("/projects/{key}/components/{code}/score", tags=["evidence"])
def ml_test_score(key: str, code: Code, c: Caller = Depends(caller)) -> dict[str, Any]:
    """The ML Test Score computed from the registry (``mltrl score KEY/CODE --json``)."""
    c.require(Action.READ, key)
    result = c.registry.components.score(f"{key}/{code}")
    return {**result.to_json(), "threshold": c.registry.catalog.settings.ml_test_score_threshold}


@router.get("/projects/{key}/components/{code}/golden", tags=["evidence"])
def golden_history(
    key: str,
    code: Code,
    dataset: str | None = Query(None, max_length=200, description="Only this golden data set"),
    c: Caller = Depends(caller),
) -> dict[str, Any]:
    """Each model version's golden score with its change vs its champion (``mltrl golden history``)."""
    from mltrl.views.checks import golden_rows

    c.require(Action.READ, key)
    ref = f"{key}/{code}"
    return {"component": ref, "scores": c.registry._read(lambda r: golden_rows(r, ref, dataset))}


@router.get("/projects/{key}/components/{code}/relations", tags=["evidence"])
def relations(key: str, code: Code, c: Caller = Depends(caller)) -> dict[str, Any]:
    """The codified metamorphic relations with each one's latest outcome (``mltrl relations list``)."""
    from mltrl.views.checks import relation_rows

    c.require(Action.READ, key)
    ref = f"{key}/{code}"
    return {"component": ref, "relations": c.registry._read(lambda r: relation_rows(r, ref))}


@router.post("/projects/{key}/components/{code}/relations", status_code=201, tags=["evidence"])
def add_relation(
    key: str, code: Code, body: RelationIn, request: Request, c: Caller = Depends(caller)
) -> dict[str, Any]:
    """Codify a metamorphic relation; L7.metamorphic needs every listed one to pass when they run
    (``mltrl relations add --json``, its ``--param``s as ``params``)."""
    from mltrl.service import inputs

    ref = component_for(c, key, code, Action.EDIT_RECORDS, request)
    for name, value in body.params.items():  # stored as JSON: PostgreSQL cannot hold a NUL there
        inputs.text(name, "params name", required=True, limit=200)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                inputs.text(item, f"params.{name}", limit=2000, multiline=False)
    created = c.registry.relations.add(
        ref,
        body.name,
        kind=body.kind,
        perturbation=body.perturbation,
        params=body.params,
        direction=body.direction,
        tolerance=body.tolerance,
        atol=body.atol,
        description=body.description,
    )
    return created.to_json()  # type: ignore[no-any-return]


@router.delete("/projects/{key}/components/{code}/relations/{name}", tags=["evidence"])
def remove_relation(
    key: str,
    code: Code,
    name: str,
    request: Request,
    reason: str = Query("", max_length=2000, description="Why it no longer applies"),
    c: Caller = Depends(caller),
) -> dict[str, Any]:
    """Take a relation off the codified list; the log keeps it (``mltrl relations remove --json``)."""
    ref = component_for(c, key, code, Action.EDIT_RECORDS, request)
    c.registry.relations.remove(ref, name, reason=reason)
    return {"component": ref, "relation": name, "removed": True}


@router.get("/projects/{key}/components/{code}/deployment-tests", tags=["evidence"])
def deployment_tests(key: str, code: Code, c: Caller = Depends(caller)) -> dict[str, Any]:
    """The results of ``mltrl deploy compare`` and ``deploy switch`` (shadow, canary, A/B, blue/green
    on ``L8.*``): the component's deployment-test evidence, oldest first, fresh or stale."""
    c.require(Action.READ, key)
    ref = f"{key}/{code}"
    component = c.registry.components.get(ref)
    rows = [e.to_json() for e in c.registry.evidence.list(ref, kind="deployment-test")]
    return {"component": component.ref, "evidence": rows}


# --- cards ------------------------------------------------------------------------------------------


@router.get("/projects/{key}/card/revisions", tags=["cards"])
def card_revisions(
    key: str,
    component: str | None = Query(None, max_length=64, description="A component's card (its code)"),
    c: Caller = Depends(caller),
) -> dict[str, Any]:
    """The card's frozen revisions (``mltrl card revisions KEY --json``)."""
    c.require(Action.READ, key)
    _code(component)
    return {"revisions": [r.model_dump() for r in c.registry.cards.revisions(key, component)]}


@router.get("/projects/{key}/card/diff", tags=["cards"])
def card_diff(
    key: str,
    before: int = Query(ge=1, le=2**31 - 1, description="A revision number"),
    after: int | None = Query(None, ge=1, le=2**31 - 1, description="A revision number (default: now)"),
    component: str | None = Query(None, max_length=64, description="A component's card (its code)"),
    c: Caller = Depends(caller),
) -> dict[str, Any]:
    """What changed between two revisions, or a revision and now (``mltrl card diff --json``)."""
    c.require(Action.READ, key)
    _code(component)
    result = c.registry.cards.diff(key, before, after, component)
    return {k: v for k, v in result.items() if k != "markdown"}


@router.patch("/projects/{key}/card", tags=["cards"])
def edit_card(key: str, body: CardEditIn, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Set hand-written sections: tldr, intended-use, caveats ... (``mltrl card edit --json``)."""
    c.require(Action.READ, key)
    c.require(Action.EDIT_RECORDS, key)
    changed = c.registry.cards.edit(key, body.sections, body.component)
    return {"project": key, "component": body.component, "sections": list(changed)}


@router.post("/projects/{key}/card/revisions", status_code=201, tags=["cards"])
def freeze_card(key: str, body: CardFreezeIn | None = None, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Freeze the card as it is now as a new revision (``mltrl card freeze --json``)."""
    body = body or CardFreezeIn()
    c.require(Action.READ, key)
    c.require(Action.EDIT_RECORDS, key)
    _code(body.component)
    number = c.registry.cards.freeze(key, body.component, reason=body.reason)
    frozen = next(r for r in c.registry.cards.revisions(key, body.component) if r.number == number)
    return frozen.model_dump()  # type: ignore[no-any-return]


@router.get("/projects/{key}/card/export", tags=["cards"])
def export_cards(key: str, c: Caller = Depends(caller)) -> dict[str, Any]:
    """The Markdown files ``mltrl card export DIR`` writes for this project, by path relative to
    ``DIR``: ``KEY.md`` (the project's card) and ``KEY/CODE.md`` (each component's), to commit to git."""
    c.require(Action.READ, key)
    return {"project": key, "files": c.registry.cards.markdown_files(key)}


@router.get("/projects/{key}/card/revisions/{number}", tags=["cards"])
def card_revision(
    key: str,
    number: int = RevisionNumber,
    component: str | None = Query(None, max_length=64),
    c: Caller = Depends(caller),
) -> Any:
    """A frozen revision of the card (as ``GET /card?revision=N``)."""
    from fastapi import Response

    from mltrl.cards import render

    c.require(Action.READ, key)
    _code(component)
    card = c.registry.cards.get(key, component, revision=number)
    return Response(render.to_json(card), media_type="application/json")


def _code(component: str | None) -> None:
    """A component code checked as the CLI checks it, before it reaches a query."""
    from mltrl.service import inputs

    if component is not None:
        inputs.component_code(component)
