"""A causal diagnosis model under the organisation's causal-inference policy (levels 0-2 criteria)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mltrl.demo import _reviewing
from mltrl.service.registry import Registry

if TYPE_CHECKING:
    from mltrl.demo.build import Timeline

PEOPLE = {"research-lead": "Prof. M. Alvarez", "researcher": "J. Richens"}


def build(reg: Registry, t: Timeline) -> None:
    reg.create_project(
        "causal-dx",
        "Causal diagnosis model",
        description="Computer-assisted diagnosis that reasons about cause and effect between risk factors, "
        "diseases and symptoms, instead of correlations.",
        rd_owner="C. Lee",
        at=t.after(1),
    )
    reg.add_component(
        "causal-dx/1.1",
        "Counterfactual diagnosis algorithm",
        kind="algorithm",
        level=0,
        owner="C. Lee",
        at=t.after(1),
    )
    notes = {
        "L0.causal-structure": "structure elicited from 20 doctors, checked by an independent group",
        "L0.identifiability": "proof that the counterfactual query is identifiable (appendix A)",
        "L1.confounding-adjustment": "propensity matching checked: standardised mean differences < 0.1",
    }
    _reviewing.graduate(reg, "causal-dx/1.1", t.after(30), PEOPLE, causal=True, notes=notes)
    _reviewing.graduate(reg, "causal-dx/1.1", t.after(30), PEOPLE, causal=True, notes=notes)
    at = t.after(25)
    review = _reviewing.staffed_review(reg, "causal-dx/1.1", at, PEOPLE)
    reg.record_result(
        review,
        "L2.sensitivity-analysis",
        "unmet",
        "estimates move by 30% under a plausible unobserved confounder; not yet robust",
        at=at,
    )
