"""Gate evaluation: every criterion of a level, met / unmet / stale / waived, with the reason."""

from mltrl.gates.evaluate import (
    CriterionOutcome,
    GateResult,
    default_gate,
    evaluate_gate,
    evidence_blocker_items,
    evidence_blockers,
)

__all__ = [
    "CriterionOutcome",
    "GateResult",
    "default_gate",
    "evaluate_gate",
    "evidence_blocker_items",
    "evidence_blockers",
]
