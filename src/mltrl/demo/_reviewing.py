"""Run whole gated reviews for the demo, as a real panel would record them, back-dated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

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
    review = reg.reviews.open(ref, at=at)
    for role in reg.reviews.get(review.id).template.roles:
        if role.required:
            reg.reviews.add_member(review.id, role.id, people.get(role.id, f"{role.name} (demo)"), at=at)
    return review.id


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
    view = reg.reviews.get(review_id)
    notes = notes or {}
    results = results or {}
    for criterion in view.template.criteria:
        if criterion.id in results:
            reg.reviews.record_result(review_id, criterion.id, *results[criterion.id], at=at)
        elif reg.catalog.criterion(criterion.id).applies_to and not causal:
            continue  # the causal-inference criteria: the catalogue waives them for other projects
        else:
            reg.reviews.record_result(
                review_id, criterion.id, "met", notes.get(criterion.id, "presented at the review"), at=at
            )
    reg.reviews.answer_ethics(review_id, {q: ethics_answer(q) for q in view.template.ethics}, at=at)
    for point in view.template.points:
        option = GRADUATING_CHOICES.get(point.id, point.options[0])
        date = (at + timedelta(days=14)).date().isoformat() if point.needs_date else None
        reg.reviews.record_choice(review_id, point.id, option, on_date=date, at=at)
    for person in {row["person"] for row in view.details["panel"]}:
        reg.reviews.sign(review_id, person, "approve", at=at)


def graduate(
    reg: Registry,
    ref: str,
    at: datetime,
    people: dict[str, str],
    *,
    causal: bool = False,
    notes: dict[str, str] | None = None,
    results: dict[str, tuple[str, str]] | None = None,
) -> int:
    """A whole review that passes: of the gate ahead, or the entry review of a component waiting to enter."""
    review_id = staffed_review(reg, ref, at, people)
    complete(reg, review_id, at, causal=causal, notes=notes, results=results)
    reg.reviews.decide(
        review_id, "graduate", reason="every criterion met; panel approved", at=at, debrief="went as planned"
    )
    return review_id


def ethics_answer(question: str) -> str:
    return {
        "pre.intended-use": "Decision support with a human expert in the loop; not for autonomous decisions.",
        "pre.affected": "Patients, clinicians and the operators of the service.",
        "pre.provenance": "Every data set is registered with its datasheet, version and licence.",
    }.get(question, "Discussed by the panel; answer and follow-ups recorded in the review notes.")


def enter(
    reg: Registry,
    ref: str,
    name: str,
    *,
    kind: str,
    level: int,
    at: datetime | None = None,
    people: dict[str, str] | None = None,
    reason: str = "work done before the registry kept it",
    waive: str | None = None,
    **details: Any,
) -> int | None:
    """Add a component at ``level`` the way the rules allow: with a reason, and above the policy's
    review-free level through an entry review that assesses the gate into it (returns its id).

    ``waive``: the note with which the panel waives the evidence criteria it may waive (for a
    component whose evidence lives elsewhere); a mandatory level-4 real-data criterion is met by
    linking a real data set instead.
    """
    free = reg.catalog.settings.entry_without_review_up_to
    if level <= free:
        reg.components.add(
            ref, name, kind=kind, level=level, reason=reason if level else "", at=at, **details
        )
        return None
    when = at or datetime.now(UTC)
    reg.components.add(
        ref, name, kind=kind, level=level, reason=reason, entry_review=True, at=when, **details
    )
    results: dict[str, tuple[str, str]] = {}
    if waive:
        gate = reg.catalog.level(level - 1)
        results = {c.id: ("waived", waive) for c in gate.criteria if c.kind == "evidence" and c.waivable}
        if any(c.id == "L4.real-data" for c in gate.criteria):
            key = f"{ref.replace('/', '-').replace('.', '-')}-real"
            reg.datasets.add(ref.split("/")[0], key, f"Real data of {ref}", kind="real")
            reg.datasets.link(key, ref, "train")
    return graduate(reg, ref, when, people or {}, results=results)
