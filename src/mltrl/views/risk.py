"""``mltrl risk``: requirements ranked by risk = p(failure) x value, and a likelihood x impact matrix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from mltrl.store.records import EvidenceRecord, RequirementRecord

#: Five likelihood bands (p of failure) and five impact bands (value 1-10), lowest first.
LIKELIHOOD = (
    "rare (<0.2)",
    "unlikely (0.2-0.4)",
    "possible (0.4-0.6)",
    "likely (0.6-0.8)",
    "almost certain (>=0.8)",
)
IMPACT = ("1-2", "3-4", "5-6", "7-8", "9-10")


#: Headline figures of a check's evidence, shown next to the requirement it backs: the sim-to-real
#: gap first, since the risk table is where a sim-to-real requirement's risk is weighed.
HEADLINE = (
    "accuracy_gap",
    "domain_auc",
    "demographic_parity_difference",
    "equalized_odds_difference",
    "accuracy",
)


@dataclass
class RiskReport:
    project: str
    ranked: list[RequirementRecord]
    matrix: list[list[list[str]]]  # [likelihood band][impact band] -> requirement ids
    #: requirement id -> what its latest evidence measured, e.g. "accuracy gap -0.07 [-0.11, -0.04]"
    measured: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "ranked": [
                {
                    "id": q.code,
                    "kind": q.kind,
                    "category": q.category,
                    "statement": q.statement,
                    "p_failure": q.p_failure,
                    "value": q.value,
                    "risk": q.risk,
                    "scenarios": q.scenarios,
                    "slices": q.slices,
                    "measured": self.measured.get(q.code, ""),
                }
                for q in self.ranked
            ],
            "matrix": {
                "likelihood": list(LIKELIHOOD),
                "impact": list(IMPACT),
                "cells": self.matrix,
            },
        }


def likelihood_band(p: float) -> int:
    return min(int(p * 5), 4)


def impact_band(value: int) -> int:
    return (value - 1) // 2


def risk_report(
    project: str,
    requirements: list[RequirementRecord],
    evidence: list[EvidenceRecord] = (),  # type: ignore[assignment]
) -> RiskReport:
    ranked = sorted(requirements, key=lambda q: (-q.risk, -q.value, q.code))
    matrix: list[list[list[str]]] = [[[] for _ in IMPACT] for _ in LIKELIHOOD]
    for q in ranked:
        matrix[likelihood_band(q.p_failure)][impact_band(q.value)].append(q.code)
    return RiskReport(project=project, ranked=ranked, matrix=matrix, measured=measured(evidence))


def measured(evidence: Sequence[EvidenceRecord]) -> dict[str, str]:
    """For each requirement, the headline figures of the latest evidence backing it that has any."""
    latest: dict[str, EvidenceRecord] = {}
    for e in evidence:
        if e.requirement and any(name in e.metrics for name in HEADLINE):
            latest[e.requirement] = e
    out = {}
    for code, e in latest.items():
        figures = [_figure(e, name) for name in HEADLINE if name in e.metrics][:2]
        out[code] = f"{'; '.join(figures)} ({e.outcome}, evidence {e.id}{'' if e.fresh else ', stale'})"
    return out


def _figure(e: EvidenceRecord, name: str) -> str:
    low, high = e.metrics.get(f"{name}_ci_low"), e.metrics.get(f"{name}_ci_high")
    interval = f" [{low:.3g}, {high:.3g}]" if isinstance(low, float) and isinstance(high, float) else ""
    return f"{name.replace('_', ' ')} {e.metrics[name]:.3g}{interval}"
