"""Running the component's codified metamorphic relations, and recording each relation's outcome.

All listed relations run in one :class:`~mltrl.checks.metamorphic.MetamorphicCheck` (Holm-corrected
across them); the check is recorded as ``L7.metamorphic`` evidence through
:func:`mltrl.checks.record`, and each relation's row is stored beside it with the definition it ran
with, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mltrl.checks.codified import relation
from mltrl.checks.evidence import record
from mltrl.checks.metamorphic import MetamorphicCheck
from mltrl.checks.result import CheckResult
from mltrl.errors import BadInput
from mltrl.service import checks_storage, lookup
from mltrl.store import check_queries

if TYPE_CHECKING:
    from mltrl.service.registry import Registry

CRITERION = "L7.metamorphic"


@dataclass(frozen=True)
class RelationsRun:
    """A run of the codified list, not stored yet: stored with the evidence it is recorded as."""

    ref: str
    result: CheckResult
    rows: list[dict[str, Any]]
    definitions: dict[str, dict[str, Any]]


def evaluate(
    reg: Registry, ref: str, model: Any, X: Any, *, min_rows: int = 30, confidence: float = 0.95
) -> RelationsRun:
    """Run every relation listed on ``ref`` for ``model`` on ``X``; nothing is written."""
    listed = reg._read(lambda r: check_queries.relations(r, lookup.component(r, ref).id))
    if not listed:
        raise BadInput(
            f"metamorphic {ref}: no relations are codified on it (`mltrl relations add {ref} NAME ...`)"
        )
    built = [
        relation(
            r.name,
            kind=r.kind,
            perturbation=r.perturbation,
            params=r.params,
            direction=r.direction,
            tolerance=r.tolerance,
            atol=r.atol,
        )
        for r in listed
    ]
    result = MetamorphicCheck(built, min_rows=min_rows, confidence=confidence).run(model, X)
    rows = [dict(row) for row in result.details]
    if not rows:  # too few rows to decide: every relation is insufficient
        rows = [{"relation": r.name, "status": "insufficient", "failures": 0, "n": result.n} for r in listed]
    return RelationsRun(ref, result, rows, {r.name: r.definition() for r in listed})


def store(reg: Registry, run: RelationsRun, evidence_id: int, *, at: datetime | str | None = None) -> None:
    reg._write(checks_storage.add_relation_results, run.ref, run.rows, run.definitions, evidence_id, at)


def run(
    reg: Registry,
    ref: str,
    model: Any,
    X: Any,
    *,
    min_rows: int = 30,
    confidence: float = 0.95,
    source: str = "api",
    at: datetime | str | None = None,
) -> CheckResult:
    """Run, record as ``L7.metamorphic`` evidence and store each relation's outcome: one transaction."""
    pending = evaluate(reg, ref, model, X, min_rows=min_rows, confidence=confidence)
    with reg.transaction():
        evidence = record(reg, ref, CRITERION, pending.result, source=source, at=at)
        store(reg, pending, evidence.id, at=at)
    return pending.result
