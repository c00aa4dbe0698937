"""Opening a review already filled in: from a review file, and from an earlier review's panel and answers.

Nothing here decides anything on its own: every entry goes through the ordinary review use-cases
(:mod:`mltrl.service.reviews`: open, panel, result, ethics, choose, sign, decide), so each rule
applies exactly as it does command by command, and each lands as its usual event. The whole runs in
the caller's one transaction, so a refusal anywhere (the last signature, the decision) leaves
nothing written, not even the review.

Copying from an earlier review takes its panel (roles the new gate still has) and its ethics answers
(questions the checklist still has). Results and signatures are never copied: a new review is a new
judgement, and the panel records and signs it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mltrl.catalog import Catalog
from mltrl.domain.review import Template
from mltrl.errors import BadInput, MltrlError, NotFound
from mltrl.service import inputs, reviews
from mltrl.service._store import Unit
from mltrl.service.review_file import ReviewFile
from mltrl.store import review_queries
from mltrl.store.records import ReviewRecord


@dataclass(frozen=True)
class AppliedReview:
    """The review opened, and what was recorded on it (counts), copied, or left out and why."""

    review: ReviewRecord
    copied_from: int | None = None
    panel: int = 0
    results: int = 0
    ethics: int = 0
    key_decisions: int = 0
    signatures: int = 0
    decision: str | None = None
    left_out: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "review": self.review.to_json(),
            "copied_from": self.copied_from,
            "recorded": {
                "panel": self.panel,
                "results": self.results,
                "ethics": self.ethics,
                "key_decisions": self.key_decisions,
                "signatures": self.signatures,
            },
            "decision": self.decision,
            "left_out": list(self.left_out),
        }


def apply(
    unit: Unit,
    catalog: Catalog,
    ref: str,
    spec: ReviewFile,
    *,
    source: str,
    entry: bool | None = None,
    from_review: int | None = None,
    at: datetime | str | None = None,
) -> AppliedReview:
    """Open ``ref``'s review, copy from review ``from_review`` if given, then record ``spec`` in order:
    panel, results, ethics answers, key decisions, signatures, decision. All of it in ``unit``."""
    when = inputs.moment(at)
    origin = None
    if from_review is not None:
        origin = review_queries.review(unit.reader, int(from_review))
        if origin is None:
            raise NotFound(f"no review {from_review} to start from (see `mltrl review list`)")
    if entry is not None and spec.entry is not None and entry != spec.entry:
        raise BadInput(
            f"{source}: entry: the file is for {'an entry' if spec.entry else 'a gate'} review, "
            f"but {'an entry' if entry else 'a gate'} review was asked for"
        )
    record = reviews.open_review(unit, catalog, ref, entry=spec.entry if entry is None else entry, at=when)
    template = Template.from_json(record.template)
    if spec.gate is not None and spec.gate != record.level:
        raise BadInput(
            f"{source}: gate: the file is for the level-{spec.gate} gate, but {record.ref}'s review is the "
            f"level-{record.level} gate; nothing was written"
        )
    counts: dict[str, int] = {}
    left_out: list[str] = []
    if origin is not None:
        counts, left_out = _copy(unit, origin, record, template, when)
    rid = record.id
    for role, people in spec.panel.items():
        for person in people:
            with _place(source, f"panel.{role}", rid):
                reviews.add_member(unit, rid, role, person, at=when)
    for criterion, entry_ in spec.results.items():
        with _place(source, f"results.{criterion}", rid):
            reviews.record_result(unit, rid, criterion, entry_.result, entry_.note, at=when)
    unknown = [question for question in spec.ethics if question not in template.ethics]
    if unknown:
        raise BadInput(
            f"{source}: ethics.{unknown[0]}: not a question of the ethics checklist (see `mltrl ethics`); "
            "nothing was written"
        )
    if spec.ethics:
        with _place(source, "ethics", rid):
            reviews.answer_ethics(unit, rid, dict(spec.ethics), at=when)
    for point, choice in spec.key_decisions.items():
        on_date = choice.date.isoformat() if choice.date else None
        with _place(source, f"key_decisions.{point}", rid):
            reviews.choose(unit, rid, point, choice.option, on_date=on_date, note=choice.note, at=when)
    for person, signature in spec.signatures.items():
        tasks = [{"task": t.task, "target": t.target} for t in signature.tasks]
        with _place(source, f"signatures.{person}", rid):
            reviews.sign(unit, rid, person, signature.verdict, tasks=tasks, note=signature.note, at=when)
    if spec.decision is not None:
        with _place(source, "decision", rid):
            record = reviews.decide(
                unit,
                catalog,
                rid,
                spec.decision,
                to_level=spec.to,
                reason=spec.reason,
                debrief=spec.debrief,
                fork_key=spec.fork_key,
                at=when,
            )
    return AppliedReview(
        review=record,
        copied_from=from_review,
        panel=counts.get("panel", 0) + sum(len(people) for people in spec.panel.values()),
        results=len(spec.results),
        ethics=len(set(spec.ethics) | set(counts.get("answered", ()))),
        key_decisions=len(spec.key_decisions),
        signatures=len(spec.signatures),
        decision=spec.decision,
        left_out=tuple(left_out),
    )


def _copy(
    unit: Unit, origin: ReviewRecord, record: ReviewRecord, template: Template, when: datetime
) -> tuple[dict[str, Any], list[str]]:
    """Review ``origin``'s panel and ethics answers onto the new review, where they still fit."""
    details = review_queries.details(unit.reader, origin.id)
    left_out: list[str] = []
    panel = 0
    for row in details["panel"]:
        if template.role(row["role"]) is None:
            left_out.append(
                f"{row['person']} ({row['role']}): the level-{record.level} gate has no role {row['role']}"
            )
            continue
        with _place(f"review {origin.id}", "panel", record.id):
            reviews.add_member(unit, record.id, row["role"], row["person"], at=when)
        panel += 1
    answers = {row["question_id"]: row["answer"] for row in details["ethics"] if row["answer"].strip()}
    kept = {q: a for q, a in answers.items() if q in template.ethics}
    dropped = sorted(set(answers) - set(kept))
    if dropped:
        left_out.append(
            f"{len(dropped)} ethics answer(s) to questions the checklist no longer has: {', '.join(dropped)}"
        )
    if kept:
        with _place(f"review {origin.id}", "ethics", record.id):
            reviews.answer_ethics(unit, record.id, kept, at=when)
    return {"panel": panel, "answered": tuple(kept)}, left_out


@contextmanager
def _place(source: str, place: str, review_id: int) -> Iterator[None]:
    """Say where in the file a refusal came from; the review it names is rolled back with the rest."""
    try:
        yield
    except MltrlError as exc:
        message = exc.message
        if message.startswith(f"review {review_id}: "):
            message = message.removeprefix(f"review {review_id}: ")
        elif message.startswith(f"review {review_id} "):
            message = "the review " + message.removeprefix(f"review {review_id} ")
        message = message.removesuffix(f"; see `mltrl review show {review_id}`")
        if "nothing was written" not in message:
            message += "; nothing was written"
        raise type(exc)(f"{source}: {place}: {message}") from None
