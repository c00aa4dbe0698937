"""The review page and its forms: the whole gated review in the browser.

Each form checks the session's CSRF token and the user's role (the same matrix as the API), then
calls the same Registry method the CLI and the API call: no rule lives here. A signature is always
the logged-in user's: no field names a signer.
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Request, Response

from mltrl.errors import BadInput, NotFound
from mltrl.server import panel
from mltrl.server.web.session import WebCaller, WebRoute, checked_form, redirect, render, web_user
from mltrl.service.authorization import Action
from mltrl.store.records import ReviewRecord
from mltrl.views.review import ReviewView

router = APIRouter(route_class=WebRoute, include_in_schema=False)
ReviewId = Path(ge=1, le=2**31 - 1)


def _review(user: WebCaller, key: str, review_id: int) -> ReviewView:
    user.require(Action.READ, key)
    view = user.registry.reviews.get(review_id)
    if view.record.project_key != key:
        raise NotFound(f"no review {review_id} in project {key!r}")
    return view


def _record(user: WebCaller, key: str, review_id: int) -> ReviewRecord:
    """The review's row alone: what a form's write checks roles against (the page after it shows
    the whole view)."""
    user.require(Action.READ, key)
    record = user.registry.reviews.record(review_id)
    if record.project_key != key:
        raise NotFound(f"no review {review_id} in project {key!r}")
    return record


def _url(key: str, review_id: int) -> str:
    return f"/projects/{key}/reviews/{review_id}"


@router.get("/projects/{key}/reviews/{review_id}")
def review_page(
    request: Request, key: str, review_id: int = ReviewId, user: WebCaller = Depends(web_user)
) -> Response:
    view = _review(user, key, review_id)
    reg, me, level = user.registry, user.principal, view.record.level
    data = view.to_json()
    ref = view.record.ref
    gate = {c["id"]: c for c in reg.components.gate(ref, level).to_json()["criteria"]}
    results = {r["criterion_id"]: r for r in data["results"]}
    answers = {a["question_id"]: a for a in data["ethics"]}
    panel = {m["person"]: m["role"] for m in data["panel"]}
    signed = {s["person"] for s in data["signatures"]}
    questions = {q.id: q.text for q in reg.catalog.ethics.questions}
    is_open = view.record.status == "open"
    may = {
        "edit": is_open and me.denial(Action.EDIT_REVIEW, key, level) is None,
        "sign": is_open
        and me.denial(Action.SIGN, key, level) is None
        and me.name in panel
        and me.name not in signed,
        "decide": is_open and me.denial(Action.DECIDE, key, level) is None,
    }
    return render(
        request,
        "review.html.j2",
        user=user,
        key=key,
        review=data,
        criteria=[
            {**c, "gate": gate.get(c["id"]), "recorded": results.get(c["id"])}
            for c in data["template"]["criteria"]
        ],
        ethics=[
            {"id": q, "text": questions.get(q, q), "answer": answers.get(q)}
            for q in data["template"]["ethics"]
        ],
        evidence=[e.to_json() | {"id": e.id} for e in reg.evidence.list(ref)],
        my_role=panel.get(me.name),
        may=may,
    )


@router.post("/projects/{key}/components/{code}/reviews")
async def open_review(request: Request, key: str, code: str, user: WebCaller = Depends(web_user)) -> Response:
    await checked_form(request, user)
    ref = f"{key}/{code}"
    user.require(Action.READ, key)
    user.require(Action.OPEN_REVIEW, key, user.registry.components.get(ref).level)
    review = user.registry.reviews.open(ref)
    return redirect(_url(key, review.id))


@router.post("/projects/{key}/reviews/{review_id}/panel")
async def add_member(
    request: Request,
    key: str,
    tasks: BackgroundTasks,
    review_id: int = ReviewId,
    user: WebCaller = Depends(web_user),
) -> Response:
    form = await checked_form(request, user)
    record = _record(user, key, review_id)
    user.require(Action.EDIT_REVIEW, key, record.level)
    panel.seat(user, tasks, str(request.base_url), record, form.get("role", ""), form.get("person", ""))
    return redirect(_url(key, review_id))


@router.post("/projects/{key}/reviews/{review_id}/results")
async def record_result(
    request: Request, key: str, review_id: int = ReviewId, user: WebCaller = Depends(web_user)
) -> Response:
    form = await checked_form(request, user)
    record = _record(user, key, review_id)
    user.require(Action.EDIT_REVIEW, key, record.level)
    user.registry.reviews.record_result(
        review_id, form.get("criterion", ""), form.get("result", ""), form.get("note", "")
    )
    return redirect(_url(key, review_id) + "#criteria")


@router.post("/projects/{key}/reviews/{review_id}/ethics")
async def answer_ethics(
    request: Request, key: str, review_id: int = ReviewId, user: WebCaller = Depends(web_user)
) -> Response:
    form = await checked_form(request, user)
    view = _review(user, key, review_id)
    user.require(Action.EDIT_REVIEW, key, view.record.level)
    before = {a["question_id"]: a["answer"] for a in view.details.get("ethics", [])}
    # Only what this person wrote or changed: an untouched empty box is not an answer.
    answers = {
        name.removeprefix("answer:"): value.strip()
        for name, value in form.items()
        if name.startswith("answer:") and value.strip() and value.strip() != before.get(name[7:])
    }
    if not answers:
        raise BadInput(f"review {review_id}: no new or changed ethics answer was given")
    user.registry.reviews.answer_ethics(review_id, answers)
    return redirect(_url(key, review_id) + "#ethics")


@router.post("/projects/{key}/reviews/{review_id}/choices")
async def record_choice(
    request: Request, key: str, review_id: int = ReviewId, user: WebCaller = Depends(web_user)
) -> Response:
    form = await checked_form(request, user)
    record = _record(user, key, review_id)
    user.require(Action.EDIT_REVIEW, key, record.level)
    user.registry.reviews.record_choice(
        review_id,
        form.get("point", ""),
        form.get("option", ""),
        on_date=form.get("on_date") or None,
        note=form.get("note", ""),
    )
    return redirect(_url(key, review_id) + "#decisions")


@router.post("/projects/{key}/reviews/{review_id}/signatures")
async def sign(
    request: Request,
    key: str,
    tasks: BackgroundTasks,
    review_id: int = ReviewId,
    user: WebCaller = Depends(web_user),
) -> Response:
    """Sign as the logged-in user (approve, or request changes with tasks, one per line)."""
    form = await checked_form(request, user)
    record = _record(user, key, review_id)
    user.require(Action.SIGN, key, record.level)
    todo = [line.strip() for line in form.get("tasks", "").splitlines() if line.strip()]
    user.registry.reviews.sign(
        review_id, user.principal.name, form.get("verdict", ""), tasks=todo or None, note=form.get("note", "")
    )
    panel.after_signature(user, tasks, str(request.base_url), review_id)
    return redirect(_url(key, review_id) + "#sign")


@router.post("/projects/{key}/reviews/{review_id}/decision")
async def decide(
    request: Request, key: str, review_id: int = ReviewId, user: WebCaller = Depends(web_user)
) -> Response:
    """Decide; graduation only when the gate holds and the panel approved (the service checks)."""
    form = await checked_form(request, user)
    record = _record(user, key, review_id)
    user.require(Action.DECIDE, key, record.level)
    to_level = form.get("to_level", "").strip()
    if to_level and not to_level.isdigit():
        raise BadInput(f"to level: {to_level!r} is not a level from 0 to 9")
    user.registry.reviews.decide(
        review_id,
        form.get("decision", ""),
        to_level=int(to_level) if to_level else None,
        reason=form.get("reason", ""),
        debrief=form.get("debrief", ""),
    )
    return redirect(_url(key, review_id))
