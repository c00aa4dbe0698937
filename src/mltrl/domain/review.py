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
    #: Decided, and the component stays at its level: level-2 "more research", level-8 "no-go",
    #: level-9 "keep" (the deployed component passed its recurring review).
    STAY = "stay"


#: A key decision point's options that rule a graduation out.
NO_GRADUATION_OPTIONS = {
    ("research-path", "more-research"),
    ("continue-or-pause", "pause"),
    ("go-no-go", "no-go"),
}


#: The key decision options that mean "decided, the component stays at this level".
STAY_OPTIONS = {
    ("research-path", "more-research"),
    ("go-no-go", "no-go"),
    ("keep-or-switch-back", "keep"),
}
#: Level-9 options that name the switchback the review decides (the paper: back to 7 or to 4).
SWITCHBACK_OPTIONS = {("keep-or-switch-back", "back-to-7"): 7, ("keep-or-switch-back", "back-to-4"): 4}


@dataclass(frozen=True)
class RoleSpec:
    id: str
    name: str
    required: bool
    approvals: int = 1  # different people in the role who must approve (reviews opened before: 1)


@dataclass(frozen=True)
class CriterionSpec:
    id: str
    text: str
    kind: str
    waivable: bool = True  # reviews opened before mltrl knew mandatory criteria could waive anything


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
    #: An entry review: the gate into ``level + 1``, assessed once for a component that asks to
    #: enter there, instead of the gate out of a level it stands at.
    entry: bool = False

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
            "entry": self.entry,
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
            entry=data.get("entry", False),
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


@dataclass(frozen=True)
class Blocker:
    """One thing that stands between a review and its gate, for scripts and notebooks to act on.

    ``kind``: role | signature | criterion | ethics | key-decision | separation-of-duties | quorum |
    evidence; ``subject``: what it is about (the role, person, criterion id, key decision ...);
    ``message``: the sentence ``review show`` prints (the same as in ``blockers``).
    """

    kind: str
    subject: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "subject": self.subject, "message": self.message}


def blockers(state: ReviewState) -> list[str]:
    """Everything that stands between this review and a graduation, in words a panel acts on."""
    return [b.message for b in blocker_items(state)]


def blocker_items(state: ReviewState) -> list[Blocker]:
    """:func:`blockers` as structured items."""
    found: list[Blocker] = []
    t = state.template
    for role in t.roles:
        if not role.required:
            continue
        members = [p for p, r in state.panel.items() if r == role.id]
        approving = [
            p
            for p in members
            if state.signatures.get(p, Signature(Verdict.REQUEST_CHANGES)).verdict is Verdict.APPROVE
        ]
        if not members:
            found.append(Blocker("role", role.id, f"required role {role.id} has nobody on the panel"))
        elif len(members) < role.approvals:
            found.append(
                Blocker(
                    "role",
                    role.id,
                    f"required role {role.id} needs {role.approvals} approvals and has "
                    f"{len(members)} {'person' if len(members) == 1 else 'people'} on the panel",
                )
            )
        elif not approving:
            found.append(Blocker("role", role.id, f"required role {role.id} has not approved"))
        elif len(approving) < role.approvals:
            found.append(
                Blocker(
                    "role",
                    role.id,
                    f"required role {role.id} has {len(approving)} of {role.approvals} approvals",
                )
            )
    for person, signature in sorted(state.signatures.items()):
        if signature.verdict is Verdict.REQUEST_CHANGES:
            found.append(Blocker("signature", person, f"{person} requested changes"))
    for criterion in t.criteria:
        result, note = state.results.get(criterion.id, (None, ""))
        said = None
        if result in (Result.WAIVED, Result.NOT_APPLICABLE) and not criterion.waivable:
            said = f"criterion {criterion.id} is mandatory and cannot be {result}"
        elif criterion.kind == "evidence" and result not in (Result.WAIVED, Result.NOT_APPLICABLE):
            continue  # computed from the registry by the gate (mltrl.gates), unless the panel waives it
        elif result is None:
            said = f"criterion {criterion.id} has no result"
        elif result is Result.UNMET:
            said = f"criterion {criterion.id} is unmet"
        elif result in (Result.WAIVED, Result.NOT_APPLICABLE) and not note.strip():
            said = f"criterion {criterion.id} is {result} without a reason"
        if said is not None:
            found.append(Blocker("criterion", criterion.id, said))
    unanswered = [q for q in t.ethics if not state.ethics.get(q, "").strip()]
    if unanswered:
        found.append(
            Blocker(
                "ethics",
                ", ".join(unanswered),
                f"ethics checklist incomplete: {len(unanswered)} of {len(t.ethics)} questions unanswered",
            )
        )
    for point in t.points:
        choice = state.choices.get(point.id)
        if choice is None:
            found.append(Blocker("key-decision", point.id, f"key decision {point.id} is not recorded"))
        elif (point.id, choice[0]) in NO_GRADUATION_OPTIONS:
            found.append(Blocker("key-decision", point.id, f"key decision {point.id} is {choice[0]}"))
    approvers = set(state.approvers)
    owners = state.owner and all(same_person(a, state.owner) for a in approvers)  # "ZED", Cyrillic "Z\u0435d"
    if t.separation_of_duties and state.owner and approvers and owners:
        found.append(
            Blocker(
                "separation-of-duties",
                state.owner,
                f"{state.owner} owns the work and cannot be its only approver",
            )
        )
    return found


def quorum_items(state: ReviewState) -> list[Blocker]:
    """Required roles nobody in which has signed, either way: every decision needs them."""
    return [
        Blocker("quorum", role, f"no quorum: required role {role} has not signed")
        for role in state.missing_quorum()
    ]


def staying_choice(state: ReviewState) -> str | None:
    """The recorded key decision that keeps the component at its level, e.g. ``go-no-go=no-go``."""
    for point, (option, _) in state.choices.items():
        if (point, option) in STAY_OPTIONS:
            return f"{point}={option}"
    return None


def passed_but_paused(state: ReviewState) -> bool:
    """A level-4 review that passed everything but chose to pause (the paper: common at level 4)."""
    if state.choices.get("continue-or-pause", ("", None))[0] != "pause":
        return False
    rest = [p for p in blockers(state) if p != "key decision continue-or-pause is pause"]
    return not rest and not state.missing_quorum()


def check_decision(state: ReviewState, decision: Decision, *, to_level: int | None = None) -> list[str]:
    """Why ``decision`` cannot be taken now (empty when it can)."""
    t = state.template
    if decision is Decision.GRADUATE and t.level == 9 and not t.entry:
        return [
            "level 9 is the top: a deployed component is reviewed again, it does not graduate; "
            "decide `stay` to keep it deployed, or `switchback`"
        ]
    if t.entry and decision not in (Decision.GRADUATE, Decision.TASKS):
        return [
            f"an entry review admits the component at level {t.level + 1} (graduate) or lists what is "
            "missing (tasks); to start lower, retire it and add it again at the lower level"
        ]
    problems = [f"no quorum: required role {role} has not signed" for role in state.missing_quorum()]
    if decision is Decision.GRADUATE:
        return problems + [p for p in blockers(state) if p not in problems]
    chosen = {(point, option) for point, (option, _) in state.choices.items()}
    for (point, option), level in SWITCHBACK_OPTIONS.items():
        if (
            (point, option) in chosen
            and decision is not Decision.SWITCHBACK
            and decision is not Decision.TASKS
        ):
            problems.append(f"the panel chose {point}={option}: decide `switchback --to {level}`")
        if (point, option) in chosen and decision is Decision.SWITCHBACK and to_level != level:
            problems.append(
                f"the panel chose {point}={option}, so the switchback goes to {level}, not {to_level}"
            )
    if decision is Decision.STAY:
        staying = staying_choice(state)
        if staying is None and not problems:
            options = " or ".join(f"{p}={o}" for p, o in sorted(STAY_OPTIONS) if t.point(p) is not None)
            problems.append(
                f"'stay' needs the level's key decision to keep the component here ({options})"
                if options
                else f"level {t.level} has no 'stay' outcome; decide tasks, pause or switchback"
            )
        elif staying == "keep-or-switch-back=keep":
            problems += [p for p in blockers(state) if p not in problems]
    if decision is Decision.SWITCHBACK and ("keep-or-switch-back", "keep") in chosen:
        problems.append("the panel chose keep-or-switch-back=keep: decide `stay`")
    if decision is Decision.TASKS and not state.tasks:
        problems.append("a 'tasks' decision needs the tasks: sign with --request-changes and list them")
    if decision is Decision.SWITCHBACK and (to_level is None or to_level >= state.template.level):
        problems.append(f"a switchback decision needs a level below {state.template.level} (--to)")
    return problems
