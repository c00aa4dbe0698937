"""No sequence of review operations graduates a component without a complete, approved review.

Random operations (staffing, results, answers, key decisions, signatures, decisions) hit a real
registry. After every step, each graduation in the component's log is checked against the review
that produced it, with an oracle written here from the recorded rows, independent of the rules in
``mltrl.domain.review``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from mltrl.errors import MltrlError
from mltrl.service.registry import Registry

# Components start at high levels here with a reason alone; entry reviews are tested in test_paper_rules.
pytestmark = pytest.mark.usefixtures("lenient_entry")

PEOPLE = ["Ada", "Ben", "Cy", "Dee", "Eve", "owner"]
GRADUATING = {"continue-or-pause": {"continue"}, "research-path": {"prototype", "both"}}
#: What a review that passed but chose to pause may differ in from one that graduates.
PAUSING = {**GRADUATING, "continue-or-pause": {"pause"}}


def review_was_complete(
    reg: Registry, review_id: int, owner: str, choices: dict[str, set[str]] = GRADUATING
) -> list[str]:
    """Everything wrong with the review behind a graduation (empty when it was complete and approved)."""
    view = reg.reviews.get(review_id)
    t, d = view.template, view.details
    role_of = {row["person"]: row["role"] for row in d["panel"]}
    verdict = {row["person"]: row["verdict"] for row in d["signatures"]}
    problems = []
    for role in t.roles:
        if role.required and not any(role_of[p] == role.id and verdict.get(p) == "approve" for p in role_of):
            problems.append(f"no approval for {role.id}")
    if any(v == "request-changes" for v in verdict.values()):
        problems.append("changes were requested")
    results = {row["criterion_id"]: row for row in d["results"]}
    for c in t.criteria:
        row = results.get(c.id)
        if c.kind == "evidence":
            if row and row["result"] in ("waived", "not-applicable") and not row["note"].strip():
                problems.append(f"{c.id} waived without reason")
            continue  # backed by the registry (the component has real data linked)
        if row is None or row["result"] == "unmet" or (row["result"] != "met" and not row["note"].strip()):
            problems.append(f"{c.id} not met")
    answered = {row["question_id"] for row in d["ethics"] if row["answer"].strip()}
    if set(t.ethics) - answered:
        problems.append("ethics incomplete")
    chosen = {row["point_id"]: row["option_id"] for row in d["choices"]}
    for point in t.points:
        if chosen.get(point.id) not in choices.get(point.id, set(point.options)):
            problems.append(f"{point.id} not a graduating choice")
    approvers = {p for p, v in verdict.items() if v == "approve"}
    if approvers and approvers <= {owner}:
        problems.append("the owner approved alone")
    return problems


GRADUATIONS = {"seen": 0}


class ReviewMachine(RuleBasedStateMachine):
    def __init__(self, registry: Registry) -> None:
        super().__init__()
        self.reg = registry
        self.key = f"r{uuid.uuid4().hex[:10]}"
        self.ref = f"{self.key}/1"
        self.review: int | None = None

    @initialize()
    def component(self) -> None:
        self.reg.projects.create(self.key, "review machine")
        self.reg.components.add(
            self.ref, "model", kind="model", level=4, owner="owner", reason="work done before the registry"
        )
        self.reg.datasets.add(self.key, f"{self.key}-data", "real data", kind="real")
        self.reg.datasets.link(f"{self.key}-data", self.ref, "train")

    def attempt(self, action) -> None:  # type: ignore[no-untyped-def]
        before = self.reg.counts()
        try:
            action()
        except MltrlError:
            assert self.reg.counts() == before, "a refused review operation wrote something"

    @rule()
    def open_review(self) -> None:
        def act() -> None:
            self.review = self.reg.reviews.open(self.ref).id

        self.attempt(act)

    @rule(
        person=st.sampled_from(PEOPLE),
        role=st.sampled_from(
            [
                "research-lead",
                "applied-ai",
                "software-engineering",
                "product-manager",
                "stakeholder",
                "researcher",
                "bogus",
            ]
        ),
    )
    def staff(self, person: str, role: str) -> None:
        if self.review is not None:
            self.attempt(lambda: self.reg.reviews.add_member(self.review, role, person))

    @rule(
        data=st.data(),
        result=st.sampled_from(["met", "unmet", "waived", "not-applicable"]),
        note=st.booleans(),
    )
    def result(self, data: st.DataObject, result: str, note: bool) -> None:
        if self.review is None:
            return
        criteria = [c.id for c in self.reg.reviews.get(self.review).template.criteria]
        criterion = data.draw(st.sampled_from([*criteria, "L4.bogus"]))
        self.attempt(
            lambda: self.reg.reviews.record_result(self.review, criterion, result, "because" if note else "")
        )

    @rule(everything=st.booleans())
    def ethics(self, everything: bool) -> None:
        if self.review is None:
            return
        questions = list(self.reg.reviews.get(self.review).template.ethics)
        chosen = questions if everything else questions[: len(questions) // 2]
        self.attempt(lambda: self.reg.reviews.answer_ethics(self.review, dict.fromkeys(chosen, "answered")))

    @rule(option=st.sampled_from(["continue", "pause", "nonsense"]))
    def choose(self, option: str) -> None:
        if self.review is not None:
            self.attempt(lambda: self.reg.reviews.record_choice(self.review, "continue-or-pause", option))

    @rule(person=st.sampled_from(PEOPLE), approve=st.booleans())
    def sign(self, person: str, approve: bool) -> None:
        if self.review is None:
            return
        tasks = None if approve else [{"task": "more tests", "target": "recall >= 0.9"}]
        self.attempt(
            lambda: self.reg.reviews.sign(
                self.review, person, "approve" if approve else "request-changes", tasks=tasks
            )
        )

    @rule()
    def diligent_panel(self) -> None:
        """Do everything a graduation needs at once, so random sabotage has something to break."""
        if self.review is None:
            return
        from mltrl.demo import _reviewing

        def act() -> None:
            with self.reg.transaction():  # all or nothing, like any other operation
                view = self.reg.reviews.get(self.review)
                staffed = {row["role"] for row in view.details["panel"]}
                for role in view.template.roles:
                    if role.required and role.id not in staffed:
                        self.reg.reviews.add_member(self.review, role.id, f"panel {role.id}")
                _reviewing.complete(self.reg, self.review, datetime.now(UTC))

        self.attempt(act)

    @rule()
    def switch_back_under_an_open_review(self) -> None:
        """A discovery switchback while a review is open: the review of the old level is superseded."""
        self.attempt(
            lambda: self.reg.components.switchback(self.ref, 4, kind="discovery", reason="found a gap")
        )
        if self.review is not None and self.reg.reviews.get(self.review).record.status == "superseded":
            self.review = None

    @rule(decision=st.sampled_from(["graduate", "graduate", "tasks", "pause", "switchback", "stay"]))
    def decide(self, decision: str) -> None:
        if self.review is None:
            return
        review = self.review

        def act() -> None:
            self.reg.reviews.decide(
                review, decision, to_level=4 if decision == "switchback" else None, reason="decided"
            )
            self.review = None
            if self.reg.components.get(self.ref).status == "paused":
                self.reg.components.resume(self.ref)

        self.attempt(act)

    @invariant()
    def open_reviews_are_of_the_current_level_and_one_at_most(self) -> None:
        level = self.reg.components.get(self.ref).level
        still_open = [r for r in self.reg.reviews.list(self.ref) if r.status == "open"]
        assert len(still_open) <= 1 and all(r.level == level for r in still_open)

    @invariant()
    def outcomes_say_what_happened(self) -> None:
        for record in self.reg.reviews.list(self.ref):
            view = self.reg.reviews.get(record.id)
            assert view.outcome != "decided, stays at level 4", "level 4 has no 'stay' outcome"
            if view.outcome == "passed, paused":
                problems = review_was_complete(self.reg, record.id, "owner", PAUSING)
                assert not problems, problems

    @invariant()
    def every_graduation_came_from_a_complete_approved_review(self) -> None:
        for event in self.reg.history(self.ref, lifecycle_only=True):
            if event.kind != "graduate":
                continue
            source = (event.data or {}).get("approval", "")
            assert source.startswith("review:"), f"a graduation without a review: {source!r}"
            problems = review_was_complete(self.reg, int(source.split(":")[1]), "owner")
            assert not problems, problems
            GRADUATIONS["seen"] += 1


@pytest.mark.slow
def test_no_review_sequence_graduates_without_a_complete_approved_review(registry: Registry) -> None:
    run_state_machine_as_test(
        lambda: ReviewMachine(registry),
        settings=settings(
            max_examples=25, stateful_step_count=40, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )


def test_the_oracle_sees_an_incomplete_review(registry: Registry) -> None:
    """The oracle above is not vacuous: on a half-done review it lists what is missing."""
    registry.projects.create("o", "oracle")
    registry.components.add(
        "o/1", "model", kind="model", level=4, owner="owner", reason="work done before the registry"
    )
    review = registry.reviews.open("o/1").id
    registry.reviews.add_member(review, "research-lead", "owner")
    registry.reviews.sign(review, "owner", "approve", at=datetime.now(UTC))
    problems = review_was_complete(registry, review, "owner")
    assert "no approval for applied-ai" in problems and "ethics incomplete" in problems
    assert "the owner approved alone" in problems
