"""The gated review as pure rules: who may sign, and what a decision needs.

A review freezes what its level asked when it opened (a :class:`Template`:
roles, criteria, checklist questions, key decision points), so a policy edit
cannot change the bar of a review in progress. :func:`blockers` lists, in
plain words, everything that stands between a review and a graduation; the
service refuses ``graduate`` while the list is not empty, and the same list
is what ``mltrl review show`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from mltrl.domain.identity import same_person


class Result(StrEnum):
    MET = "met"
    UNMET = "unmet"
    WAIVED = "waived"
    NOT_APPLICABLE = "not-applicable"


class Verdict(StrEnum):
    APPROVE = "approve"
    REQUEST_CHANGES = "request-changes"


class Decision(StrEnum):
    GRADUATE = "graduate"
    TASKS = "tasks"
    SWITCHBACK = "switchback"
    PAUSE = "pause"


#: A key decision point's options that rule a graduation out.
NO_GRADUATION_OPTIONS = {
    ("research-path", "more-research"),
    ("continue-or-pause", "pause"),
    ("go-no-go", "no-go"),
}


@dataclass(frozen=True)
class RoleSpec:
    id: str
    name: str
    required: bool


@dataclass(frozen=True)
class CriterionSpec:
    id: str
    text: str
    kind: str


@dataclass(frozen=True)
class PointSpec:
    id: str
    question: str
    options: tuple[str, ...]
    needs_date: bool = False


@dataclass(frozen=True)
class Template:
    """What the level asked when the review opened."""

    level: int
    roles: tuple[RoleSpec, ...]
    criteria: tuple[CriterionSpec, ...]
    ethics: tuple[str, ...]  # checklist question ids
    points: tuple[PointSpec, ...]
    separation_of_duties: bool = True

    def role(self, role_id: str) -> RoleSpec | None:
        return next((r for r in self.roles if r.id == role_id), None)

    def criterion(self, criterion_id: str) -> CriterionSpec | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)

    def point(self, point_id: str) -> PointSpec | None:
        return next((p for p in self.points if p.id == point_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "roles": [vars(r) for r in self.roles],
            "criteria": [vars(c) for c in self.criteria],
            "ethics": list(self.ethics),
            "points": [{**vars(p), "options": list(p.options)} for p in self.points],
            "separation_of_duties": self.separation_of_duties,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Template:
        return cls(
            level=data["level"],
            roles=tuple(RoleSpec(**r) for r in data["roles"]),
            criteria=tuple(CriterionSpec(**c) for c in data["criteria"]),
            ethics=tuple(data["ethics"]),
            points=tuple(PointSpec(**{**p, "options": tuple(p["options"])}) for p in data["points"]),
            separation_of_duties=data["separation_of_duties"],
        )


@dataclass(frozen=True)
class Signature:
    verdict: Verdict
    tasks: tuple[dict[str, str], ...] = ()


@dataclass
class ReviewState:
    """Everything recorded on one review so far."""

    template: Template
    owner: str | None  # who built the work: may not be its only approver
    panel: dict[str, str] = field(default_factory=dict)  # person -> role id
    results: dict[str, tuple[Result, str]] = field(default_factory=dict)  # criterion -> (result, note)
    ethics: dict[str, str] = field(default_factory=dict)  # question -> answer
    signatures: dict[str, Signature] = field(default_factory=dict)  # person -> signature
    choices: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # point -> (option, date)

    @property
    def approvers(self) -> tuple[str, ...]:
        return tuple(sorted(p for p, s in self.signatures.items() if s.verdict is Verdict.APPROVE))

    @property
    def tasks(self) -> list[dict[str, str]]:
        return [{"by": person, **task} for person, s in sorted(self.signatures.items()) for task in s.tasks]

    def missing_quorum(self) -> list[str]:
        """Required roles with nobody on the panel who has signed (either way)."""
        signed_roles = {self.panel[p] for p in self.signatures if p in self.panel}
        return [r.id for r in self.template.roles if r.required and r.id not in signed_roles]


def blockers(state: ReviewState) -> list[str]:
    """Everything that stands between this review and a graduation, in words a panel acts on."""
    found: list[str] = []
    t = state.template
    for role in t.roles:
        if not role.required:
            continue
        members = [p for p, r in state.panel.items() if r == role.id]
        if not members:
            found.append(f"required role {role.id} has nobody on the panel")
        elif not any(
            state.signatures.get(p, Signature(Verdict.REQUEST_CHANGES)).verdict is Verdict.APPROVE
            for p in members
        ):
            found.append(f"required role {role.id} has not approved")
    for person, signature in sorted(state.signatures.items()):
        if signature.verdict is Verdict.REQUEST_CHANGES:
            found.append(f"{person} requested changes")
    for criterion in t.criteria:
        result, note = state.results.get(criterion.id, (None, ""))
        if criterion.kind == "evidence" and result not in (Result.WAIVED, Result.NOT_APPLICABLE):
            continue  # computed from the registry by the gate (mltrl.gates), unless the panel waives it
        if result is None:
            found.append(f"criterion {criterion.id} has no result")
        elif result is Result.UNMET:
            found.append(f"criterion {criterion.id} is unmet")
        elif result in (Result.WAIVED, Result.NOT_APPLICABLE) and not note.strip():
            found.append(f"criterion {criterion.id} is {result} without a reason")
    unanswered = [q for q in t.ethics if not state.ethics.get(q, "").strip()]
    if unanswered:
        found.append(
            f"ethics checklist incomplete: {len(unanswered)} of {len(t.ethics)} questions unanswered"
        )
    for point in t.points:
        choice = state.choices.get(point.id)
        if choice is None:
            found.append(f"key decision {point.id} is not recorded")
        elif (point.id, choice[0]) in NO_GRADUATION_OPTIONS:
            found.append(f"key decision {point.id} is {choice[0]}")
    approvers = set(state.approvers)
    owners = state.owner and all(same_person(a, state.owner) for a in approvers)  # "ZED", Cyrillic "Z\u0435d"
    if t.separation_of_duties and state.owner and approvers and owners:
        found.append(f"{state.owner} owns the work and cannot be its only approver")
    return found


def check_decision(state: ReviewState, decision: Decision, *, to_level: int | None = None) -> list[str]:
    """Why ``decision`` cannot be taken now (empty when it can)."""
    problems = [f"no quorum: required role {role} has not signed" for role in state.missing_quorum()]
    if decision is Decision.GRADUATE:
        return problems + [p for p in blockers(state) if p not in problems]
    if decision is Decision.TASKS and not state.tasks:
        problems.append("a 'tasks' decision needs the tasks: sign with --request-changes and list them")
    if decision is Decision.SWITCHBACK and (to_level is None or to_level >= state.template.level):
        problems.append(f"a switchback decision needs a level below {state.template.level} (--to)")
    return problems
