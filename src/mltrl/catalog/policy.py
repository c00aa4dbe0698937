"""Organisation policy files: their schema, and applying one to the shipped catalogue.

MLTRL is a framework each organisation operationalises for itself, so the shipped catalogue is a
default: a policy file adds, removes or rewords gate criteria and panel roles per level, extends or
replaces the ethics checklist, and sets organisation-wide settings. A policy is applied as a whole
or not at all; the first problem is a :class:`~mltrl.errors.PolicyError` that names the file and the
place in it (``policy p.yaml: levels.2.remove_criteria: unknown criterion 'L2.nope'``).

Within a level, operations run in a fixed order: remove, then change, then add. So a policy can
replace a criterion by removing it and adding a new one with the same id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mltrl.catalog._reading import Invalid, describe_validation_error, read_yaml_mapping
from mltrl.catalog.models import (
    MAX_LEVEL,
    MIN_LEVEL,
    CardSection,
    Catalog,
    Criterion,
    CriterionKind,
    DeploymentTest,
    EthicsChecklist,
    EthicsQuestion,
    EthicsSection,
    KebabId,
    Level,
    Role,
    Settings,
    Text,
)
from mltrl.errors import PolicyError


class _Rules(BaseModel):
    # A misspelt key must not be silently ignored: the override would quietly not happen.
    model_config = ConfigDict(frozen=True, extra="forbid")


class CriterionChange(_Rules):
    """New wording or kind for an existing criterion; omitted fields stay as shipped."""

    text: Text | None = None
    kind: CriterionKind | None = None
    waivable: bool | None = None
    applies_to: tuple[KebabId, ...] | None = None


class RoleChange(_Rules):
    """New name, required flag or number of approvals for an existing panel role."""

    name: Text | None = None
    required: bool | None = None
    approvals: int | None = Field(None, ge=1, le=9)


class LevelRules(_Rules):
    """Changes to one level's gate criteria and review panel."""

    add_criteria: tuple[Criterion, ...] = ()
    remove_criteria: tuple[str, ...] = ()
    change_criteria: dict[str, CriterionChange] = Field(default_factory=dict)
    add_roles: tuple[Role, ...] = ()
    remove_roles: tuple[str, ...] = ()
    change_roles: dict[str, RoleChange] = Field(default_factory=dict)


class EthicsRules(_Rules):
    """Changes to the ethics checklist; ``replace: true`` makes ``add_sections`` the whole checklist."""

    replace: bool = False
    add_sections: tuple[EthicsSection, ...] = ()
    add_questions: dict[str, tuple[EthicsQuestion, ...]] = Field(default_factory=dict)
    remove_questions: tuple[str, ...] = ()


class SettingsRules(_Rules):
    """Settings to override; omitted ones keep the shipped defaults."""

    separation_of_duties: bool | None = None
    ml_test_score_threshold: float | None = Field(default=None, ge=0.0, le=7.0)
    critical_scenario_risk: float | None = Field(default=None, ge=0.0, le=10.0)
    deployment_tests: tuple[DeploymentTest, ...] | None = Field(default=None, min_length=1)
    allow_imports: bool | None = None
    entry_without_review_up_to: int | None = Field(default=None, ge=0, le=9)
    review_every_days: int | None = Field(default=None, ge=1, le=3650)
    require_ssh_signatures: bool | None = None
    ssh_allowed_signers: str | None = None


class CardRules(_Rules):
    """Sections the organisation adds to every TRL Card."""

    add_sections: tuple[CardSection, ...] = ()


class Policy(_Rules):
    """A whole policy file. ``version`` is required so that the format can evolve safely."""

    version: Literal[1]
    settings: SettingsRules = SettingsRules()
    levels: dict[int, LevelRules] = Field(default_factory=dict)
    ethics: EthicsRules = EthicsRules()
    cards: CardRules = CardRules()


def read_policy(path: Path) -> Policy:
    """Parse and validate a policy file; every problem is a one-line :class:`PolicyError`."""
    try:
        return Policy.model_validate(read_yaml_mapping(path))
    except Invalid as problem:
        raise PolicyError(f"policy {path}: {problem}") from None
    except ValidationError as exc:
        raise PolicyError(f"policy {path}: {describe_validation_error(exc)}") from None


def apply_policy(catalog: Catalog, policy: Policy, source: str | Path) -> Catalog:
    """A new catalogue with ``policy`` applied; ``source`` names the file in error messages."""
    try:
        return _apply(catalog, policy)
    except Invalid as problem:
        raise PolicyError(f"policy {source}: {problem}") from None
    except ValidationError as exc:  # a rule the per-operation checks above did not foresee
        raise PolicyError(
            f"policy {source}: the result is invalid: {describe_validation_error(exc)}"
        ) from None


def _apply(catalog: Catalog, policy: Policy) -> Catalog:
    for n in policy.levels:
        if not MIN_LEVEL <= n <= MAX_LEVEL:
            raise Invalid(f"levels.{n}", f"level {n} is outside {MIN_LEVEL}-{MAX_LEVEL}")
    levels = tuple(
        _apply_level(level, policy.levels[level.level]) if level.level in policy.levels else level
        for level in catalog.levels
    )
    settings = Settings.model_validate(
        {**catalog.settings.model_dump(), **policy.settings.model_dump(exclude_none=True)}
    )
    ethics = _apply_ethics(catalog.ethics, policy.ethics)
    sections = _card_sections(catalog, policy.cards)
    return Catalog(
        phases=catalog.phases, levels=levels, ethics=ethics, settings=settings, card_sections=sections
    )


def _card_sections(catalog: Catalog, rules: CardRules) -> tuple[CardSection, ...]:
    from mltrl.cards.model import HANDWRITTEN, PEOPLE_AND_LINKS

    taken = {*HANDWRITTEN, *PEOPLE_AND_LINKS, *catalog.card_section_ids}
    for i, section in enumerate(rules.add_sections):
        if section.id in taken:
            raise Invalid(f"cards.add_sections[{i}].id", f"card section {section.id!r} already exists")
        taken.add(section.id)
    return (*catalog.card_sections, *rules.add_sections)


def _no_repeats(ids: Iterable[str], where: str) -> None:
    for key, count in Counter(ids).items():
        if count > 1:
            raise Invalid(where, f"{key!r} is listed {count} times")


def _apply_level(level: Level, rules: LevelRules) -> Level:
    n = level.level
    where = f"levels.{n}"
    criteria = {c.id: c for c in level.criteria}
    _no_repeats(rules.remove_criteria, f"{where}.remove_criteria")
    for criterion_id in rules.remove_criteria:
        if criteria.pop(criterion_id, None) is None:
            raise Invalid(f"{where}.remove_criteria", f"unknown criterion {criterion_id!r}")
    for criterion_id, change in rules.change_criteria.items():
        if criterion_id not in criteria:
            raise Invalid(f"{where}.change_criteria", f"unknown criterion {criterion_id!r}")
        old = criteria[criterion_id]
        criteria[criterion_id] = Criterion(**{**old.model_dump(), **change.model_dump(exclude_none=True)})
    for i, criterion in enumerate(rules.add_criteria):
        if not criterion.id.startswith(f"L{n}."):
            raise Invalid(f"{where}.add_criteria[{i}].id", f"{criterion.id!r} must start with 'L{n}.'")
        if criterion.id in criteria:
            raise Invalid(f"{where}.add_criteria[{i}].id", f"criterion {criterion.id!r} already exists")
        criteria[criterion.id] = criterion

    roles = {r.id: r for r in level.panel_roles}
    _no_repeats(rules.remove_roles, f"{where}.remove_roles")
    for role_id in rules.remove_roles:
        if roles.pop(role_id, None) is None:
            raise Invalid(f"{where}.remove_roles", f"unknown role {role_id!r}")
    for role_id, role_change in rules.change_roles.items():
        if role_id not in roles:
            raise Invalid(f"{where}.change_roles", f"unknown role {role_id!r}")
        roles[role_id] = Role(**{**roles[role_id].model_dump(), **role_change.model_dump(exclude_none=True)})
    for i, role in enumerate(rules.add_roles):
        if role.id in roles:
            raise Invalid(f"{where}.add_roles[{i}].id", f"role {role.id!r} already exists")
        roles[role.id] = role
    if not any(role.required for role in roles.values()):
        raise Invalid(where, "the review panel would have no required role, so nobody would approve")

    return Level(
        **{
            **{name: getattr(level, name) for name in type(level).model_fields},
            "criteria": tuple(criteria.values()),
            "panel_roles": tuple(roles.values()),
        }
    )


def _apply_ethics(checklist: EthicsChecklist, rules: EthicsRules) -> EthicsChecklist:
    if rules.replace and not rules.add_sections:
        raise Invalid(
            "ethics.replace", "replacing the checklist needs the new sections in ethics.add_sections"
        )
    titles = {} if rules.replace else {s.id: s.title for s in checklist.sections}
    questions = {} if rules.replace else {s.id: list(s.questions) for s in checklist.sections}
    known = {q.id for qs in questions.values() for q in qs}

    def take(question: EthicsQuestion, where: str) -> None:
        if question.id in known:
            raise Invalid(where, f"question {question.id!r} already exists")
        known.add(question.id)

    for i, section in enumerate(rules.add_sections):
        if section.id in titles:
            raise Invalid(f"ethics.add_sections[{i}].id", f"section {section.id!r} already exists")
        for j, question in enumerate(section.questions):
            take(question, f"ethics.add_sections[{i}].questions[{j}].id")
        titles[section.id] = section.title
        questions[section.id] = list(section.questions)

    _no_repeats(rules.remove_questions, "ethics.remove_questions")
    for question_id in rules.remove_questions:
        section_id = next((s for s, qs in questions.items() if any(q.id == question_id for q in qs)), None)
        if section_id is None:
            raise Invalid("ethics.remove_questions", f"unknown question {question_id!r}")
        questions[section_id] = [q for q in questions[section_id] if q.id != question_id]
        known.discard(question_id)

    for section_id, new in rules.add_questions.items():
        if section_id not in titles:
            raise Invalid("ethics.add_questions", f"unknown section {section_id!r}")
        for j, question in enumerate(new):
            take(question, f"ethics.add_questions.{section_id}[{j}].id")
        questions[section_id].extend(new)

    for section_id, remaining in questions.items():
        if not remaining:
            raise Invalid(
                "ethics.remove_questions",
                f"section {section_id!r} would have no questions left (use ethics.replace to redefine it)",
            )
    return EthicsChecklist(
        sections=tuple(
            EthicsSection(id=section_id, title=titles[section_id], questions=tuple(questions[section_id]))
            for section_id in titles
        )
    )
