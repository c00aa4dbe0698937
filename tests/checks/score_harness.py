"""Helpers the ML Test Score tests share: a level-7 component and CI- or hand-attested rubric items."""

from __future__ import annotations

from mltrl.service.registry import Registry

REF = "rec/1.1"
#: Two items of every section: recorded by CI, each section sums to 2 (the default threshold).
TWO_EACH = "D1,D2,M1,M2,I1,I2,Mon1,Mon2"


def seed(registry: Registry) -> Registry:
    """``rec/1.1``, a model at level 7 on model 1.0.0 and data 1.0.0, with no evidence yet."""
    registry.projects.create("rec", "Recycling")
    registry.components.add(REF, "Sorter", kind="model", level=7, reason="built before the registry")
    registry.versions.register(REF, "model", "1.0.0")
    registry.versions.register(REF, "data", "1.0.0")
    return registry


def attest(reg: Registry, items: str, *, source: str = "ci", outcome: str = "pass") -> None:
    """Evidence that names rubric items in its ``rubric`` metric (CI by default; ``cli`` is by hand)."""
    reg.evidence.record(
        REF, "L7.ml-test-score", kind="report", outcome=outcome, metrics={"rubric": items}, source=source
    )


def items(reg: Registry) -> dict[str, tuple[float, str]]:
    return {i.id: (i.points, i.status) for i in reg.components.score(REF).items}
