"""Run whole gated reviews for the demo, as a real panel would record them, back-dated."""

from __future__ import annotations

from datetime import datetime, timedelta

from mltrl.service.registry import Registry

#: Options a panel that graduates the work records at each key decision.
GRADUATING_CHOICES = {
    "research-path": "prototype",
    "continue-or-pause": "continue",
    "deployment-audience": "external",
    "deployment-hosting": "cloud",
    "deployment-processing": "streaming",
    "go-no-go": "go",
    "keep-or-switch-back": "keep",
}


def staffed_review(reg: Registry, ref: str, at: datetime, people: dict[str, str]) -> int:
    """Open a review and put someone in every required role (``people``: role id -> name)."""
    review = reg.open_review(ref, at=at)
    for role in reg.review(review.id).template.roles:
        if role.required:
            reg.add_panel_member(review.id, role.id, people.get(role.id, f"{role.name} (demo)"), at=at)
    return review.id


#: The demo policy's causal-inference criteria; other projects mark them not applicable.
CAUSAL_CRITERIA = (
    "L0.causal-structure",
    "L0.identifiability",
    "L1.confounding-adjustment",
    "L2.sensitivity-analysis",
    "L4.consistency",
)


def complete(
    reg: Registry,
    review_id: int,
    at: datetime,
    *,
    causal: bool = False,
    notes: dict[str, str] | None = None,
    results: dict[str, tuple[str, str]] | None = None,
) -> None:
    """Record every criterion, the whole ethics checklist, the key decisions and all approvals.

    ``results`` records other results (criterion -> (result, note)), e.g. a reasoned waiver.
    """
    view = reg.review(review_id)
    not_applicable = {} if causal else dict.fromkeys(CAUSAL_CRITERIA, "not a causal-inference project")
    notes = notes or {}
    results = results or {}
    for criterion in view.template.criteria:
        if criterion.id in results:
            reg.record_result(review_id, criterion.id, *results[criterion.id], at=at)
        elif criterion.id in not_applicable:
            reg.record_result(review_id, criterion.id, "not-applicable", not_applicable[criterion.id], at=at)
        else:
            reg.record_result(
                review_id, criterion.id, "met", notes.get(criterion.id, "presented at the review"), at=at
            )
    reg.answer_ethics(review_id, {q: ethics_answer(q) for q in view.template.ethics}, at=at)
    for point in view.template.points:
        option = GRADUATING_CHOICES.get(point.id, point.options[0])
        date = (at + timedelta(days=14)).date().isoformat() if point.needs_date else None
        reg.record_choice(review_id, point.id, option, on_date=date, at=at)
    for person in {row["person"] for row in view.details["panel"]}:
        reg.sign_review(review_id, person, "approve", at=at)


def graduate(
    reg: Registry,
    ref: str,
    at: datetime,
    people: dict[str, str],
    *,
    causal: bool = False,
    notes: dict[str, str] | None = None,
    results: dict[str, tuple[str, str]] | None = None,
) -> None:
    review_id = staffed_review(reg, ref, at, people)
    complete(reg, review_id, at, causal=causal, notes=notes, results=results)
    reg.decide_review(
        review_id, "graduate", reason="every criterion met; panel approved", at=at, debrief="went as planned"
    )


def ethics_answer(question: str) -> str:
    return {
        "pre.intended-use": "Decision support with a human expert in the loop; not for autonomous decisions.",
        "pre.affected": "Patients, clinicians and the operators of the service.",
        "pre.provenance": "Every data set is registered with its datasheet, version and licence.",
    }.get(question, "Discussed by the panel; answer and follow-ups recorded in the review notes.")
