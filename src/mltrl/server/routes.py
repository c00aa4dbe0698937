"""The REST routes: each checks the caller's role, then calls the Registry method the CLI calls.

Shapes follow the CLI's ``--format json``: a list comes under a name (``{"components": [...]}``), a
write returns what it created or changed. Review writes return the review as ``review show --json``
prints it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query, Request, Response

from mltrl.errors import BadInput, Forbidden, NotFound
from mltrl.server import panel as seating
from mltrl.server.models import (
    ChoiceIn,
    DecisionIn,
    ErrorOut,
    EthicsIn,
    EvidenceIn,
    GrantIn,
    PanelIn,
    ResultIn,
    ReviewOpenIn,
    SignIn,
    TokenIn,
)
from mltrl.server.security import Caller, caller, password_user
from mltrl.service.authorization import Action
from mltrl.store.records import ReviewRecord
from mltrl.views.review import ReviewView

#: Declared on every route, so clients generated from /openapi.json know the error body.
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in [
        (400, "bad input, or a rule of MLTRL refuses the change"),
        (401, "no valid token"),
        (403, "the token's user, roles, scopes or projects do not allow it"),
        (404, "unknown project, component or review"),
        (409, "another change landed first; the body holds the current state"),
        (422, "malformed JSON, a wrong type, a missing or unknown field"),
        (503, "the database is unreachable or holds another schema"),
    ]
}
router = APIRouter(prefix="/api/v1", responses=ERRORS)
ReviewId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Review number")]
Code = str  # a component code such as 1.1 (validated by the service layer)


# --- who am I ---------------------------------------------------------------------------------------


@router.get("/me", tags=["identity"])
async def me(c: Caller = Depends(caller)) -> dict[str, Any]:
    """The authenticated user, their roles and what the token may be used for."""
    # async: it only formats the principal (no I/O), so it skips a second trip to the thread pool.
    p = c.principal
    return {
        "name": p.name,
        "display_name": p.display_name,
        "is_admin": p.is_admin,
        "roles": [
            {"project": g.project, "role": str(g.role), "min_level": g.min_level, "max_level": g.max_level}
            for g in p.grants
        ],
        "token": {"prefix": p.token_prefix, "scopes": sorted(p.scopes), "projects": sorted(p.projects)},
    }


# --- one's own tokens ---------------------------------------------------------------------------------


@router.post("/tokens", status_code=201, tags=["identity"])
def create_token(body: TokenIn, c: Caller = Depends(password_user)) -> dict[str, Any]:
    """Log in with name and password (HTTP Basic) and get a token of one's own; the secret is in the
    answer and nowhere else. A token only narrows what one's roles allow."""
    record, secret = c.registry.tokens.create(
        c.principal.name, projects=body.projects, scopes=body.scopes, expires=body.expires, label=body.name
    )
    return {**record.to_json(), "secret": secret}


@router.get("/tokens", tags=["identity"])
def list_tokens(c: Caller = Depends(caller)) -> dict[str, Any]:
    """One's own tokens (never their secrets); a site admin sees everyone's."""
    from mltrl.service import inputs

    now = inputs.now()
    rows = c.registry.tokens.list(None if c.principal.is_admin else c.principal.name)
    return {"tokens": [{**t.to_json(), "state": t.state(now)} for t in rows]}


@router.delete("/tokens/{prefix}", tags=["identity"])
def revoke_token(prefix: str, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Revoke one of one's own tokens (a site admin: anyone's), e.g. the one in this request."""
    found = c.registry.tokens.list(None if c.principal.is_admin else c.principal.name)
    if prefix not in {t.prefix for t in found}:
        raise NotFound(f"no token {prefix!r} of {c.principal.name}")
    return {**c.registry.tokens.revoke(prefix).to_json(), "state": "revoked"}


# --- projects and components ------------------------------------------------------------------------


@router.get("/projects", tags=["projects"])
def list_projects(c: Caller = Depends(caller)) -> dict[str, Any]:
    """Projects the caller may read, with their system TRL (``mltrl project list --json``)."""
    reg = c.registry
    readable = set(c.principal.readable(p.key for p in reg.projects.list()))
    items = []
    for project in reg.projects.list():
        if project.key in readable:
            s = reg.status(project.key)
            items.append(
                {**project.to_json(), "system_level": s.system_level, "held_back_by": s.held_back_by}
            )
    return {"projects": items}


@router.get("/projects/{key}", tags=["projects"])
def show_project(key: str, c: Caller = Depends(caller)) -> dict[str, Any]:
    c.require(Action.READ, key)
    reg = c.registry
    project = reg.projects.get(key)
    forks = [p.key for p in reg.projects.list() if p.parent_key == project.key]
    return {
        **project.to_json(),
        "forks": forks,
        "components": [x.to_json() for x in reg.components.list(key)],
    }


@router.get("/projects/{key}/status", tags=["projects"])
def project_status(key: str, c: Caller = Depends(caller)) -> dict[str, Any]:
    """The component tree with levels and the system TRL (``mltrl status KEY --json``)."""
    c.require(Action.READ, key)
    return c.registry.status(key).to_json()  # type: ignore[no-any-return]


@router.get("/projects/{key}/components", tags=["components"])
def list_components(key: str, c: Caller = Depends(caller)) -> dict[str, Any]:
    c.require(Action.READ, key)
    project = c.registry.projects.get(key)
    return {"project": project.key, "components": [x.to_json() for x in c.registry.components.list(key)]}


@router.get("/projects/{key}/components/{code}", tags=["components"])
def show_component(key: str, code: Code, c: Caller = Depends(caller)) -> dict[str, Any]:
    c.require(Action.READ, key)
    ref = f"{key}/{code}"
    reg = c.registry
    return {
        **reg.components.get(ref).to_json(),
        "couplings": [k.to_json() for k in reg.components.couplings(ref)],
        "versions": [v.to_json() for v in reg.versions.list(ref)],
    }


@router.get("/projects/{key}/components/{code}/history", tags=["components"])
def component_history(
    key: str, code: Code, lifecycle: bool = Query(False), c: Caller = Depends(caller)
) -> dict[str, Any]:
    """The component's events, oldest first (``mltrl history KEY/CODE --json``)."""
    from mltrl.views import history as views

    c.require(Action.READ, key)
    events = c.registry.history(f"{key}/{code}", lifecycle_only=lifecycle)
    return {"events": [{**e.to_json(), "description": views.describe(e)} for e in events]}


@router.get("/projects/{key}/components/{code}/gate", tags=["components"])
def evaluate_gate(
    key: str,
    code: Code,
    level: int | None = Query(None, ge=0, le=9, description="The gate at the end of this level"),
    upcoming: bool = Query(False, alias="next", description="The gate ahead (at the component's level)"),
    c: Caller = Depends(caller),
) -> dict[str, Any]:
    """Evaluate a gate: met / unmet / stale / waived per criterion (``mltrl gate --json``).

    A gate that does not hold is an answer, not an error: ``holds`` is false (the CLI exits 1).
    """
    c.require(Action.READ, key)
    if level is not None and upcoming:
        raise BadInput("give level or next, not both")
    ref = f"{key}/{code}"
    if upcoming:
        level = c.registry.components.get(ref).level
    return c.registry.components.gate(ref, level).to_json()  # type: ignore[no-any-return]


#: The renderers of ``mltrl card show --format``, with the media type each answers as. The HTML page is
#: sanitised when rendered; its Content-Security-Policy (a sandbox, no scripts) keeps it inert even
#: when opened straight from the API's origin, where the dashboard's session cookie lives.
CARD_FORMATS: dict[str, tuple[str, str]] = {
    "json": ("to_json", "application/json"),
    "md": ("to_markdown", "text/markdown; charset=utf-8"),
    "markdown": ("to_markdown", "text/markdown; charset=utf-8"),
    "html": ("to_html", "text/html; charset=utf-8"),
}
CardFormat = Literal["json", "md", "markdown", "html"]


@router.get(
    "/projects/{key}/card",
    tags=["cards"],
    responses={200: {"content": {"text/markdown": {}, "text/html": {}}}},
)
def show_card(
    key: str,
    component: str | None = Query(None, description="A component's card (its code) instead of the project's"),
    revision: int | None = Query(None, ge=1, le=2**31 - 1, description="A frozen revision instead of now"),
    format: CardFormat = Query("json", description="json, md (or markdown) or html, as `card show --format`"),
    c: Caller = Depends(caller),
) -> Response:
    """The TRL Card assembled from the registry now (``mltrl card show KEY --format FORMAT``): its
    JSON (the default), Markdown, or a standalone HTML page."""
    from mltrl.cards import render
    from mltrl.service import inputs

    c.require(Action.READ, key)
    if component is not None:
        inputs.component_code(component)  # before any query: PostgreSQL cannot compare a NUL
    card = c.registry.cards.get(key, component, revision=revision)
    renderer, media_type = CARD_FORMATS[format]
    response = Response(getattr(render, renderer)(card), media_type=media_type)
    if format == "html":
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'"
        response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/projects/{key}/requirements", tags=["requirements"])
def list_requirements(key: str, c: Caller = Depends(caller)) -> dict[str, Any]:
    c.require(Action.READ, key)
    return {"project": key, "requirements": [q.to_json() for q in c.registry.requirements.list(key)]}


# --- evidence ---------------------------------------------------------------------------------------


@router.get("/projects/{key}/components/{code}/evidence", tags=["evidence"])
def list_evidence(key: str, code: Code, c: Caller = Depends(caller)) -> dict[str, Any]:
    c.require(Action.READ, key)
    ref = f"{key}/{code}"
    component = c.registry.components.get(ref)
    return {"component": component.ref, "evidence": [e.to_json() for e in c.registry.evidence.list(ref)]}


@router.post("/projects/{key}/components/{code}/evidence", status_code=201, tags=["evidence"])
def record_evidence(key: str, code: Code, body: EvidenceIn, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Record a check's result on the component's exact versions (``mltrl evidence add --json``)."""
    ref = f"{key}/{code}"
    c.require(Action.READ, key)
    c.require(Action.RECORD_EVIDENCE, key, c.registry.components.get(ref).level)
    record = c.registry.evidence.record(
        ref,
        body.criterion,
        kind=body.kind,
        outcome=body.outcome,
        metrics=body.metrics,
        requirement=body.requirement,
        step=body.step,
        versions=body.versions,
        source=body.source,
        note=body.note,
    )
    return record.to_json()  # type: ignore[no-any-return]


# --- reviews ----------------------------------------------------------------------------------------


@router.get("/projects/{key}/reviews", tags=["reviews"])
def list_reviews(
    key: str,
    component: str | None = Query(None, description="Only this component's (its code)"),
    c: Caller = Depends(caller),
) -> dict[str, Any]:
    c.require(Action.READ, key)
    rows = c.registry.reviews.list(f"{key}/{component}" if component else key)
    return {"reviews": [row.to_json() for row in rows]}


@router.get("/projects/{key}/reviews/{review_id}", tags=["reviews"])
def show_review(key: str, review_id: ReviewId, c: Caller = Depends(caller)) -> dict[str, Any]:
    c.require(Action.READ, key)
    return _review(c, key, review_id).to_json()  # type: ignore[no-any-return]


@router.post("/projects/{key}/components/{code}/reviews", status_code=201, tags=["reviews"])
def open_review(
    key: str, code: Code, request: Request, body: ReviewOpenIn | None = None, c: Caller = Depends(caller)
) -> dict[str, Any]:
    """Open the component's gate review at its level (``mltrl review open --json``)."""
    body = body or ReviewOpenIn()
    ref = f"{key}/{code}"
    c.require(Action.READ, key)
    c.require(Action.OPEN_REVIEW, key, c.registry.components.get(ref).level)
    request.state.current = lambda: {"component": c.registry.components.get(ref).to_json()}
    review = c.registry.reviews.open(ref, entry=body.entry, from_review=body.from_review)
    return c.registry.reviews.get(review.id).to_json()  # type: ignore[no-any-return]


@router.post("/projects/{key}/reviews/{review_id}/panel", tags=["reviews"])
def add_panel_member(
    key: str,
    review_id: ReviewId,
    body: PanelIn,
    request: Request,
    tasks: BackgroundTasks,
    c: Caller = Depends(caller),
) -> dict[str, Any]:
    """Put a user on the panel and tell them by webhook; only someone who could sign this review at its
    level may be put there."""
    record = _review_for(c, key, review_id, Action.EDIT_REVIEW, request)
    seating.seat(c, tasks, str(request.base_url), record, body.role, body.person)
    return c.registry.reviews.get(review_id).to_json()  # type: ignore[no-any-return]


@router.post("/projects/{key}/reviews/{review_id}/results", tags=["reviews"])
def record_result(
    key: str, review_id: ReviewId, body: ResultIn, request: Request, c: Caller = Depends(caller)
) -> dict[str, Any]:
    _review_for(c, key, review_id, Action.EDIT_REVIEW, request)
    c.registry.reviews.record_result(review_id, body.criterion, body.result, body.note)
    return c.registry.reviews.get(review_id).to_json()  # type: ignore[no-any-return]


@router.post("/projects/{key}/reviews/{review_id}/ethics", tags=["reviews"])
def answer_ethics(
    key: str, review_id: ReviewId, body: EthicsIn, request: Request, c: Caller = Depends(caller)
) -> dict[str, Any]:
    _review_for(c, key, review_id, Action.EDIT_REVIEW, request)
    c.registry.reviews.answer_ethics(review_id, body.answers)
    return c.registry.reviews.get(review_id).to_json()  # type: ignore[no-any-return]


@router.post("/projects/{key}/reviews/{review_id}/choices", tags=["reviews"])
def record_choice(
    key: str, review_id: ReviewId, body: ChoiceIn, request: Request, c: Caller = Depends(caller)
) -> dict[str, Any]:
    _review_for(c, key, review_id, Action.EDIT_REVIEW, request)
    c.registry.reviews.record_choice(review_id, body.point, body.option, on_date=body.on_date, note=body.note)
    return c.registry.reviews.get(review_id).to_json()  # type: ignore[no-any-return]


@router.post("/projects/{key}/reviews/{review_id}/signatures", status_code=201, tags=["reviews"])
def sign_review(
    key: str,
    review_id: ReviewId,
    body: SignIn,
    request: Request,
    tasks: BackgroundTasks,
    c: Caller = Depends(caller),
) -> dict[str, Any]:
    """Sign as the authenticated user: there is no way to name another signer."""
    _review_for(c, key, review_id, Action.SIGN, request)
    c.registry.reviews.sign(
        review_id,
        c.principal.name,
        body.verdict,
        tasks=body.tasks,
        note=body.note,
        role=body.role,  # type: ignore[arg-type]
    )
    return seating.after_signature(c, tasks, str(request.base_url), review_id).to_json()  # type: ignore[no-any-return]


@router.post("/projects/{key}/reviews/{review_id}/decision", tags=["reviews"])
def decide_review(
    key: str, review_id: ReviewId, body: DecisionIn, request: Request, c: Caller = Depends(caller)
) -> dict[str, Any]:
    """Decide the review; graduation only when its gate holds and its panel approved (the service checks)."""
    _review_for(c, key, review_id, Action.DECIDE, request)
    review = c.registry.reviews.decide(
        review_id,
        body.decision,
        to_level=body.to_level,
        reason=body.reason,
        debrief=body.debrief,
        fork_key=body.fork_key,
    )
    return {
        **c.registry.reviews.get(review_id).to_json(),
        "component": c.registry.components.get(review.ref).to_json(),
    }


# --- roles on a project (its admins) -----------------------------------------------------------------


@router.get("/projects/{key}/roles", tags=["roles"])
def list_roles(key: str, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Who holds which role on the project (``mltrl role list --project KEY --json``)."""
    c.require(Action.ADMINISTER, key)
    return {"roles": [g.to_json() for g in c.registry.roles.list(project=key)]}


@router.post("/projects/{key}/roles", status_code=201, tags=["roles"])
def grant_role(key: str, body: GrantIn, c: Caller = Depends(caller)) -> dict[str, Any]:
    c.require(Action.ADMINISTER, key)
    grant = c.registry.roles.grant(
        body.user, key, body.role, min_level=body.min_level, max_level=body.max_level
    )
    return grant.to_json()  # type: ignore[no-any-return]


@router.delete("/projects/{key}/roles/{user}/{role}", tags=["roles"])
def revoke_role(key: str, user: str, role: str, c: Caller = Depends(caller)) -> dict[str, Any]:
    c.require(Action.ADMINISTER, key)
    c.registry.roles.revoke(user, key, role)
    return {"user": user, "project": key, "role": role, "revoked": True}


# --- audit ---------------------------------------------------------------------------------------------


@router.get("/audit", tags=["audit"])
def audit(
    c: Caller = Depends(caller),
    project: str | None = Query(None, description="Only this project's writes (its admins may ask)"),
    user: str | None = Query(None, description="Only what this person did"),
    since: str | None = Query(None, description="From this date or ISO 8601 time"),
    until: str | None = Query(None, description="Up to this date or ISO 8601 time"),
    after: int = Query(0, ge=0, le=2**62, description="Only events after this id (paging)"),
    limit: int = Query(1000, ge=1, le=100_000),
    format: str = Query("json", pattern="^(json|jsonl)$", description="jsonl: one event per line"),
) -> Any:
    """Who did what, when, from which token (``mltrl audit --json``). A project's admins see its
    writes; the whole registry's (identity changes included) is for site admins."""
    from mltrl.jsonout import dumps
    from mltrl.views.audit import parse_time

    if project is not None:
        c.require(Action.ADMINISTER, project)
    else:
        reason = c.principal.denial(Action.ADMINISTER, "*")
        if not c.principal.is_admin or reason is not None:
            raise Forbidden(
                reason or f"{c.principal.name} is not a site admin: name a project (?project=KEY)"
            )
    rows = c.registry.audit.list(
        project=project,
        user=user,
        since=parse_time(since, "since"),
        until=parse_time(until, "until"),
        after=after,
        limit=limit,
    )
    if format == "jsonl":
        return Response("".join(dumps(row) + "\n" for row in rows), media_type="application/x-ndjson")
    return {"events": rows}


def _review(c: Caller, key: str, review_id: ReviewId) -> ReviewView:
    view = c.registry.reviews.get(review_id)
    if view.record.project_key != key:
        # The review exists, but not in this project: as far as this URL goes, it does not.
        raise NotFound(f"no review {review_id} in project {key!r}")
    return view


def _review_for(c: Caller, key: str, review_id: ReviewId, action: Action, request: Request) -> ReviewRecord:
    """The review's row, once the caller may read the project and do ``action`` at the review's level.

    Only the row: the write that follows checks the rest, and the answer shows the review as the
    write left it (its full view costs a few dozen reads; one per request is enough). A conflict
    on the write answers with the review's state as it then stands.
    """
    c.require(Action.READ, key)
    record = c.registry.reviews.record(review_id)
    if record.project_key != key:
        raise NotFound(f"no review {review_id} in project {key!r}")  # (as _review says it)
    c.require(action, key, record.level)
    request.state.current = lambda: {"review": c.registry.reviews.get(review_id).to_json()}
    return record
