"""The level catalogue as validated, immutable values.

Everything downstream (reviews, gates, cards, the CLI) reads levels from a :class:`Catalog`, so the
rules that keep it coherent live here: exactly the levels 0-9, phases that cover them once, and ids
that other records can refer to for years (criterion ids carry their level, ``L4.real-data``).
Models are frozen because one shipped catalogue is cached and shared by every caller.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from mltrl.domain.model import DEFAULT_REVIEW_EVERY_DAYS
from mltrl.errors import BadInput

MIN_LEVEL = 0
MAX_LEVEL = 9

CriterionKind = Literal["attestation", "evidence"]
CodeCaliber = Literal["none", "research", "prototype", "product"]
#: The paper's deployment tests at level 8, each a criterion ``L8.<name>``.
DeploymentTest = Literal["shadow", "canary", "ab-test", "blue-green"]

_KEBAB = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_KEBAB_RE = re.compile(rf"{_KEBAB}")
_CRITERION_RE = re.compile(rf"L(\d)\.{_KEBAB}")
_QUESTION_RE = re.compile(rf"{_KEBAB}(?:\.{_KEBAB})?")


def _kebab(value: str) -> str:
    if not _KEBAB_RE.fullmatch(value):
        raise ValueError(f"{value!r} is not a kebab-case id (lower-case letters, digits and '-')")
    return value


def _criterion_id(value: str) -> str:
    if not _CRITERION_RE.fullmatch(value):
        raise ValueError(f"{value!r} is not a criterion id of the form 'L<level>.<kebab-case>'")
    return value


def _question_id(value: str) -> str:
    if not _QUESTION_RE.fullmatch(value):
        raise ValueError(f"{value!r} is not a question id such as 'pre.harm'")
    return value


KebabId = Annotated[str, AfterValidator(_kebab)]
CriterionId = Annotated[str, AfterValidator(_criterion_id)]
QuestionId = Annotated[str, AfterValidator(_question_id)]
#: Free text shown to people: surrounding blanks are dropped and it may not be empty.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _duplicates(ids: Iterable[str]) -> list[str]:
    return [key for key, count in Counter(ids).items() if count > 1]


class Frozen(BaseModel):
    """Base of catalogue values: immutable, and unknown keys are an error rather than ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def to_json(self) -> dict[str, Any]:
        """A plain dict of JSON types, for ``--json`` output and APIs."""
        return self.model_dump(mode="json")


class Role(Frozen):
    """A seat on a level's review panel; every required role must approve a graduation."""

    id: KebabId
    name: Text
    required: bool = True
    #: How many different people in the role must approve (N of however many sit in it), e.g. 2 QA
    #: engineers at level 7. Applies to required roles.
    approvals: int = Field(1, ge=1, le=9)


class Option(Frozen):
    """One answer a review can give to a decision point."""

    id: KebabId
    label: Text


class DecisionPoint(Frozen):
    """A key decision the paper places at a level's review (e.g. the level 8 go/no-go)."""

    id: KebabId
    question: Text
    options: tuple[Option, ...] = Field(min_length=2)
    #: The decision also fixes a date (level 8 decides *when* to deploy, not only whether).
    needs_date: bool = False

    @model_validator(mode="after")
    def _unique_options(self) -> DecisionPoint:
        if dup := _duplicates(option.id for option in self.options):
            raise ValueError(f"decision point {self.id!r} repeats option {dup[0]!r}")
        return self


class Criterion(Frozen):
    """A gate criterion: met by a reviewer's attestation or by evidence computed from the registry."""

    id: CriterionId
    text: Text
    kind: CriterionKind
    #: False for what the paper makes mandatory (real data at level 4, regulatory compliance at 6 ...):
    #: a panel cannot waive it or mark it not applicable; only an organisation's policy can relax it.
    waivable: bool = True
    #: Project traits the criterion asks for (``causal``): it applies only to projects carrying all of
    #: them, and is waived by the catalogue for the rest. Empty: every project.
    applies_to: tuple[KebabId, ...] = ()

    @property
    def level(self) -> int:
        """The level the id names: ``L4.real-data`` belongs to level 4."""
        return int(self.id[1])

    def applies(self, traits: Iterable[str]) -> bool:
        """Whether it applies to a project with these traits (every trait it asks for among them)."""
        return set(self.applies_to) <= set(traits)


class Phase(Frozen):
    """One of MLTRL's four phases (research, prototyping, productization, deployment)."""

    id: KebabId
    name: Text
    levels: tuple[int, ...] = Field(min_length=1)


class Level(Frozen):
    """What one readiness level expects, who reviews it, and what its gate checks."""

    level: int = Field(ge=MIN_LEVEL, le=MAX_LEVEL)
    name: Text
    phase: KebabId
    code_caliber: CodeCaliber
    summary: Text
    data: Text
    review_focus: Text
    panel_roles: tuple[Role, ...]
    deliverables: tuple[Text, ...]
    decision_points: tuple[DecisionPoint, ...] = ()
    criteria: tuple[Criterion, ...]

    @model_validator(mode="after")
    def _coherent(self) -> Level:
        prefix = f"L{self.level}."
        for criterion in self.criteria:
            if not criterion.id.startswith(prefix):
                raise ValueError(f"level {self.level}: criterion {criterion.id!r} must start with {prefix!r}")
        for what, ids in (
            ("criterion", (c.id for c in self.criteria)),
            ("panel role", (r.id for r in self.panel_roles)),
            ("decision point", (d.id for d in self.decision_points)),
        ):
            if dup := _duplicates(ids):
                raise ValueError(f"level {self.level}: {what} {dup[0]!r} appears twice")
        if not self.required_roles:
            # Without a required role nobody would have to approve a graduation.
            raise ValueError(f"level {self.level}: the panel needs at least one required role")
        return self

    @property
    def required_roles(self) -> tuple[Role, ...]:
        """The roles whose approval a graduation from this level needs."""
        return tuple(role for role in self.panel_roles if role.required)

    @property
    def evidence_criteria(self) -> tuple[Criterion, ...]:
        """Criteria the registry must back with fresh evidence (not a reviewer's tick)."""
        return tuple(c for c in self.criteria if c.kind == "evidence")

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id; :class:`BadInput` names the level when it is not there."""
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise BadInput(f"level {self.level} has no criterion {criterion_id!r}")


class EthicsQuestion(Frozen):
    """One question of the ethics checklist, answered at every review."""

    id: QuestionId
    text: Text


class EthicsSection(Frozen):
    """A group of checklist questions (before development, after development, organisation)."""

    id: KebabId
    title: Text
    questions: tuple[EthicsQuestion, ...] = Field(min_length=1)


class EthicsChecklist(Frozen):
    """The organisation's ethics checklist; question ids are unique so answers can refer to them."""

    sections: tuple[EthicsSection, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> EthicsChecklist:
        if dup := _duplicates(section.id for section in self.sections):
            raise ValueError(f"ethics section {dup[0]!r} appears twice")
        if dup := _duplicates(question.id for question in self.questions):
            raise ValueError(f"ethics question {dup[0]!r} appears twice")
        return self

    @property
    def questions(self) -> tuple[EthicsQuestion, ...]:
        """Every question, in checklist order."""
        return tuple(question for section in self.sections for question in section.questions)


class CardSection(Frozen):
    """A TRL Card section the organisation adds to the paper's (e.g. clinical validation)."""

    id: KebabId
    title: Text
    #: A required section must be written for the card to be complete (levels 8 and 9).
    required: bool = True


class Settings(Frozen):
    """Organisation-wide knobs that gates and reviews read."""

    #: The author of the work may not be its only approver.
    separation_of_duties: bool = True
    #: Minimum ML Test Score (Breck et al.: the lowest of four section scores, each 0-7) at level 7,
    #: computed from the registry (``mltrl score``). 2 is the top of the rubric's "first pass at
    #: productionization" band: every side of the system has at least two automated tests (or four
    #: done by hand) before it is integrated; an organisation asks for more in its policy.
    ml_test_score_threshold: float = Field(default=2.0, ge=0.0, le=7.0)
    #: ``L7.critical-scenarios``: every requirement linked to the component that names critical
    #: scenarios or data slices, with risk (p(failure) x value, 0-10) at or above this, needs a
    #: passing scenario test on the current versions. 0: all of them.
    critical_scenario_risk: float = Field(default=0.0, ge=0.0, le=10.0)
    #: Which deployment tests the level-8 gate asks for (``L8.shadow``, ``L8.canary``, ``L8.ab-test``,
    #: ``L8.blue-green``); the others are waived by policy. The paper names all four; shadow and
    #: canary are what a team can run before any user sees the new version.
    deployment_tests: tuple[DeploymentTest, ...] = Field(default=("shadow", "canary"), min_length=1)
    #: Whether history from before the registry may be loaded with ``import-graduation``.
    allow_imports: bool = True
    #: A component may enter at a level up to this one with a reason alone; above it, the gate into
    #: its starting level is assessed once by an entry review (the paper: an off-the-shelf model may
    #: start at level 3, but skipping levels 5-7 is what goes wrong).
    entry_without_review_up_to: int = Field(default=3, ge=0, le=9)
    #: How often a deployed (level-9) component is reviewed again, in days, unless it has its own.
    review_every_days: int = Field(default=DEFAULT_REVIEW_EVERY_DAYS, ge=1, le=3650)
    #: Every signature made locally (CLI, Python API) must carry an SSH signature by a key listed
    #: for the signer in the allowed-signers file (docs/trust.md); the team server signs as the
    #: authenticated user instead.
    require_ssh_signatures: bool = False
    #: The allowed-signers file (OpenSSH format, as git uses): absolute, or relative to the
    #: registry's ``.mltrl/`` directory. Default: ``.mltrl/allowed_signers``. ``$MLTRL_ALLOWED_SIGNERS``
    #: overrides it.
    ssh_allowed_signers: str | None = None


class Catalog(Frozen):
    """Levels 0-9, their phases, the ethics checklist and the organisation's settings."""

    phases: tuple[Phase, ...]
    levels: tuple[Level, ...]
    ethics: EthicsChecklist
    settings: Settings = Settings()
    card_sections: tuple[CardSection, ...] = ()

    @model_validator(mode="after")
    def _coherent(self) -> Catalog:
        numbers = [level.level for level in self.levels]
        expected = list(range(MIN_LEVEL, MAX_LEVEL + 1))
        if numbers != expected:
            raise ValueError(f"levels must be {MIN_LEVEL}..{MAX_LEVEL} once each and in order, got {numbers}")
        if dup := _duplicates(phase.id for phase in self.phases):
            raise ValueError(f"phase {dup[0]!r} appears twice")
        covered = sorted(n for phase in self.phases for n in phase.levels)
        if covered != expected:
            raise ValueError(f"phases must cover levels {MIN_LEVEL}..{MAX_LEVEL} once each, got {covered}")
        for level in self.levels:
            if level.phase != self.phase_of(level.level).id:
                raise ValueError(
                    f"level {level.level} says phase {level.phase!r} but is listed under "
                    f"{self.phase_of(level.level).id!r}"
                )
        if dup := _duplicates(c.id for level in self.levels for c in level.criteria):
            raise ValueError(f"criterion {dup[0]!r} appears twice")
        if dup := _duplicates(s.id for s in self.card_sections):
            raise ValueError(f"card section {dup[0]!r} appears twice")
        return self

    @property
    def card_section_ids(self) -> tuple[str, ...]:
        """Ids of the card sections the organisation adds (``mltrl card edit`` accepts them)."""
        return tuple(s.id for s in self.card_sections)

    def level(self, n: int) -> Level:
        """Level ``n``; :class:`BadInput` when ``n`` is not a level, since it usually came from a user."""
        if not isinstance(n, int) or isinstance(n, bool) or not MIN_LEVEL <= n <= MAX_LEVEL:
            raise BadInput(f"level {n!r} is outside {MIN_LEVEL}-{MAX_LEVEL}")
        return self.levels[n - MIN_LEVEL]

    def phase_of(self, n: int) -> Phase:
        """The phase that level ``n`` belongs to."""
        for phase in self.phases:
            if n in phase.levels:
                return phase
        raise BadInput(f"level {n!r} is outside {MIN_LEVEL}-{MAX_LEVEL}")

    @property
    def traits(self) -> frozenset[str]:
        """The project traits some criterion applies to: the traits a project may carry."""
        return frozenset(t for level in self.levels for c in level.criteria for t in c.applies_to)

    def criterion(self, criterion_id: str) -> Criterion:
        """Look a criterion up by its stable id, wherever it sits."""
        match = _CRITERION_RE.fullmatch(criterion_id)
        if match is None:
            raise BadInput(f"{criterion_id!r} is not a criterion id of the form 'L<level>.<kebab-case>'")
        return self.level(int(match.group(1))).criterion(criterion_id)
