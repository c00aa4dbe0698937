"""Use-cases for requirements: the "shall" statement, its V&V steps, its risk, its components.

MLTRL numbers requirements ``requirement.subset.component`` (``N``, ``N.M``,
``N.M.K``) and weighs each with ``risk = p(failure) x value``. Research
requirements are written from level 2, product requirements from level 5.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from sqlalchemy import insert, update

from mltrl.errors import BadInput, NotFound
from mltrl.service import inputs, lookup
from mltrl.service._store import Unit
from mltrl.store import requirement_queries, schema
from mltrl.store.records import RequirementRecord

REQUIREMENT_CODE = re.compile(r"[0-9]{1,4}(\.[0-9]{1,4}){0,2}")  # fullmatch: no trailing newline


class Kind(StrEnum):
    RESEARCH = "research"
    PRODUCT = "product"


class Category(StrEnum):
    SCIENCE = "science"
    TECHNICAL = "technical"
    PRODUCT = "product"
    PROJECT = "project"
    SECURITY = "security"
    PRIVACY = "privacy"
    ETHICS = "ethics"
    SIM_TO_REAL = "sim-to-real"


class StepKind(StrEnum):
    VERIFICATION = "verification"
    VALIDATION = "validation"


class Method(StrEnum):
    TEST = "test"
    ANALYSIS = "analysis"
    INSPECTION = "inspection"
    DEMONSTRATION = "demonstration"


class StepStatus(StrEnum):
    PLANNED = "planned"
    PASSED = "passed"
    FAILED = "failed"
    WAIVED = "waived"


def requirement_code(value: str) -> str:
    if not REQUIREMENT_CODE.fullmatch(str(value or "")):
        raise BadInput(f"requirement id {value!r} is not N, N.M or N.M.K (requirement.subset.component)")
    return str(value)


def probability(value: object) -> float:
    try:
        p = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadInput(f"p(failure) {value!r} is not a number") from None
    if not 0.0 <= p <= 1.0:
        raise BadInput(f"p(failure) {p} is outside [0, 1]")
    return p


def impact(value: object) -> int:
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= 10:
        raise BadInput(f"value {value!r} must be a whole number from 1 to 10")
    return int(text)


def add(
    unit: Unit,
    project_key: str,
    code: str,
    statement: str,
    *,
    kind: str,
    p_failure: object,
    value: object,
    category: str,
    rationale: str = "",
    stakeholder: str = "",
    components: list[str] | None = None,
    scenarios: list[str] | None = None,
    slices: list[str] | None = None,
    at: datetime | str | None = None,
) -> RequirementRecord:
    project = lookup.project(unit.reader, project_key)
    code = requirement_code(code)
    statement = inputs.text(statement, "statement", required=True, limit=4000)
    if not re.search(r"\bshall\b", statement, re.IGNORECASE):
        raise BadInput(f"requirement {code}: state what the system shall do (a 'shall' statement)")
    if requirement_queries.requirements(unit.reader, project.key, code):
        raise BadInput(f"requirement {code} already exists in project {project.key!r}")
    linked = [lookup.component(unit.reader, ref) for ref in components or []]
    when = inputs.moment(at)
    requirement_id = unit.conn.execute(
        insert(schema.requirements).values(
            project_id=project.id,
            code=code,
            kind=str(inputs.choice(Kind, kind, "requirement kind")),
            statement=statement,
            rationale=inputs.text(rationale, "rationale", limit=4000),
            stakeholder=inputs.text(stakeholder, "stakeholder"),
            p_failure=probability(p_failure),
            value=impact(value),
            category=str(inputs.choice(Category, category, "risk category")),
            scenarios=[inputs.text(s, "scenario", required=True, limit=500) for s in scenarios or []],
            slices=[inputs.text(s, "data slice", required=True, limit=500) for s in slices or []],
            created_at=when,
            created_by=unit.actor,
        )
    ).inserted_primary_key[0]
    for component in linked:
        unit.conn.execute(
            insert(schema.requirement_components).values(
                requirement_id=requirement_id, component_id=component.id
            )
        )
    unit.append_event(
        project_id=project.id,
        kind="requirement.add",
        at=when,
        data={"requirement": code, "statement": statement},
    )
    return get(unit, project.key, code)


def link(unit: Unit, project_key: str, code: str, ref: str) -> None:
    requirement = get(unit, project_key, code)
    component = lookup.component(unit.reader, ref)
    if component.ref in requirement.components:
        raise BadInput(f"requirement {code} is already linked to {component.ref}")
    unit.conn.execute(
        insert(schema.requirement_components).values(requirement_id=requirement.id, component_id=component.id)
    )
    project = lookup.project(unit.reader, project_key)
    unit.append_event(
        project_id=project.id,
        kind="requirement.link",
        at=inputs.now(),
        data={"requirement": code, "with": ref},
    )


def add_step(
    unit: Unit,
    project_key: str,
    code: str,
    kind: str,
    description: str,
    *,
    method: str,
    status: str = "planned",
) -> int:
    """A verification or validation step; returns its number within the requirement."""
    requirement = get(unit, project_key, code)
    number = max((s.number for s in requirement.steps), default=0) + 1
    step_status = inputs.choice(StepStatus, status, "V&V status")
    if step_status is StepStatus.WAIVED:
        raise BadInput("a step is added as planned, passed or failed; waive it afterwards with a reason")
    when = inputs.now()
    unit.conn.execute(
        insert(schema.vv_steps).values(
            requirement_id=requirement.id,
            number=number,
            kind=str(inputs.choice(StepKind, kind, "V&V kind")),
            description=inputs.text(description, "step description", required=True, limit=4000),
            method=str(inputs.choice(Method, method, "V&V method")),
            status=str(step_status),
            waive_reason="",
            updated_at=when,
            updated_by=unit.actor,
        )
    )
    project = lookup.project(unit.reader, project_key)
    unit.append_event(
        project_id=project.id,
        kind="vv.add",
        at=when,
        data={"requirement": code, "step": number, "kind": kind},
    )
    return number


def set_step(unit: Unit, project_key: str, code: str, number: int, status: str, *, reason: str = "") -> None:
    requirement = get(unit, project_key, code)
    step = next((s for s in requirement.steps if s.number == int(number)), None)
    if step is None:
        raise NotFound(f"requirement {code} has no V&V step {number}")
    value = inputs.choice(StepStatus, status, "V&V status")
    reason = inputs.text(reason, "reason", limit=4000)
    if value is StepStatus.WAIVED and not reason:
        raise BadInput(f"requirement {code} step {number}: waiving needs a reason")
    when = inputs.now()
    unit.conn.execute(
        update(schema.vv_steps)
        .where(schema.vv_steps.c.id == step.id)
        .values(status=str(value), waive_reason=reason, updated_at=when, updated_by=unit.actor)
    )
    project = lookup.project(unit.reader, project_key)
    unit.append_event(
        project_id=project.id,
        kind="vv.set",
        at=when,
        reason=reason,
        data={"requirement": code, "step": int(number), "status": str(value)},
    )


def get(unit: Unit, project_key: str, code: str) -> RequirementRecord:
    project = lookup.project(unit.reader, project_key)
    found = requirement_queries.requirements(unit.reader, project.key, requirement_code(code))
    if not found:
        raise NotFound(
            f"no requirement {code!r} in project {project.key!r} (see `mltrl req list {project.key}`)"
        )
    return found[0]
