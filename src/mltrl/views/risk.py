"""``mltrl risk``: requirements ranked by risk = p(failure) x value, and a likelihood x impact matrix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mltrl.store.records import RequirementRecord

#: Five likelihood bands (p of failure) and five impact bands (value 1-10), lowest first.
LIKELIHOOD = (
    "rare (<0.2)",
    "unlikely (0.2-0.4)",
    "possible (0.4-0.6)",
    "likely (0.6-0.8)",
    "almost certain (>=0.8)",
)
IMPACT = ("1-2", "3-4", "5-6", "7-8", "9-10")


@dataclass
class RiskReport:
    project: str
    ranked: list[RequirementRecord]
    matrix: list[list[list[str]]]  # [likelihood band][impact band] -> requirement ids

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


def risk_report(project: str, requirements: list[RequirementRecord]) -> RiskReport:
    ranked = sorted(requirements, key=lambda q: (-q.risk, -q.value, q.code))
    matrix: list[list[list[str]]] = [[[] for _ in IMPACT] for _ in LIKELIHOOD]
    for q in ranked:
        matrix[likelihood_band(q.p_failure)][impact_band(q.value)].append(q.code)
    return RiskReport(project=project, ranked=ranked, matrix=matrix)
