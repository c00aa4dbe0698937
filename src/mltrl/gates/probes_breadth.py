"""Probes of the level-7 tests whose results carry labels: critical scenarios and data validation.

``L7.critical-scenarios`` is met when every requirement linked to the component that names
critical scenarios or data slices in the risk table, and whose risk (``p(failure) x value``) is at
or above the policy's ``critical_scenario_risk`` (0 by default: all of them), has passing evidence
for the criterion that covers it, on the current versions. Evidence covers a requirement when its
``requirements`` label (as :func:`mltrl.checks.scenarios.record_scenarios` and a
:class:`~mltrl.checks.scenarios.ScenarioSuite` result write it) names it.

``L7.data-validation`` is met when the latest data-validation evidence of each stage,
``ingestion`` and ``processed`` (the ``stage`` label :class:`~mltrl.checks.DataValidationCheck`
writes), passed on the current versions: the paper asks for tests up- and downstream.

Evidence typed in by hand without those labels backs neither.
"""

from __future__ import annotations

from collections.abc import Iterable

from mltrl.gates.context import GateContext
from mltrl.store.records import EvidenceRecord

Outcome = tuple[str, str]
STAGES = ("ingestion", "processed")


def labels(evidence: EvidenceRecord, name: str) -> list[str]:
    """The values of label ``name`` in the evidence's metrics: ``name`` itself, or ``<check>.<name>``
    when the pytest plugin recorded several results in one piece of evidence."""
    found = []
    for key, value in evidence.metrics.items():
        if isinstance(value, str) and (key == name or key.endswith(f".{name}")):
            found.extend(part.strip() for part in value.split(",") if part.strip())
    return found


def critical_scenarios(ctx: GateContext, criterion_id: str) -> Outcome:
    floor = ctx.catalog.settings.critical_scenario_risk
    named = [q for q in ctx.component_requirements if q.scenarios or q.slices]
    if not named:
        return (
            "unmet",
            "no requirement linked to the component names critical scenarios or data slices "
            "(`mltrl req add ... --scenario/--slice`)",
        )
    due = sorted((q for q in named if q.risk >= floor), key=lambda q: (-q.risk, q.code))
    if not due:
        return "met", f"no requirement naming scenarios or slices has risk {floor:g} or more"
    evidence = [e for e in ctx.evidence if e.criterion_id == criterion_id]
    missing, failing, stale, passed = [], [], [], []
    for q in due:
        covering = _latest(evidence, lambda e, code=q.code: code in labels(e, "requirements"))
        where = f"{q.code} (risk {q.risk:g})"
        if covering is None:
            missing.append(where)
        elif covering.outcome != "pass":
            failing.append(f"{where}: evidence {covering.id} failed")
        elif not covering.fresh:
            stale.append(f"{where}: evidence {covering.id} is on replaced versions")
        else:
            passed.append(f"{where}: evidence {covering.id}")
    if missing or failing:
        parts = ([f"no scenario test for {', '.join(missing)}"] if missing else []) + failing
        return "unmet", "; ".join(parts)
    if stale:
        return "stale", "; ".join(stale)
    return (
        "met",
        f"{len(passed)} requirement(s) at risk {floor:g} or more tested, highest first: " + "; ".join(passed),
    )


def data_validation(ctx: GateContext, criterion_id: str) -> Outcome:
    evidence = [e for e in ctx.evidence if e.criterion_id == criterion_id]
    missing, failing, stale, passed = [], [], [], []
    for stage in STAGES:
        latest = _latest(evidence, lambda e, stage=stage: stage in labels(e, "stage"))
        if latest is None:
            missing.append(stage)
        elif latest.outcome != "pass":
            failing.append(f"{stage}: evidence {latest.id} failed")
        elif not latest.fresh:
            stale.append(f"{stage}: evidence {latest.id} is on replaced versions")
        else:
            passed.append(f"{stage}: evidence {latest.id}")
    if missing or failing:
        parts = (
            [f"no data-validation result at {' and '.join(missing)} (mltrl.checks.DataValidationCheck)"]
            if missing
            else []
        ) + failing
        return "unmet", "; ".join(parts)
    if stale:
        return "stale", "; ".join(stale)
    return "met", "data validated at both stages: " + "; ".join(passed)


def _latest(evidence: Iterable[EvidenceRecord], matches: object) -> EvidenceRecord | None:
    found = [e for e in evidence if matches(e)]  # type: ignore[operator]
    return found[-1] if found else None
