"""A causal diagnosis model: a project with the ``causal`` trait, so the catalogue's causal-inference
criteria (levels 0, 1, 2 and 4) apply to it.

Its level-1 gate is met by a covariate-balance and an overlap check run on observational records the
demo generates (smoking, age and BMI confound treatment and outcome); its level-2 review stops at the
E-value: the estimated effect would not survive a modest unmeasured confounder.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mltrl.demo import _reviewing
from mltrl.service.registry import Registry

if TYPE_CHECKING:
    from mltrl.demo.build import Timeline

PEOPLE = {"research-lead": "Prof. M. Alvarez", "researcher": "J. Richens"}
REF = "causal-dx/1.1"


def records(rows: int = 4000, seed: int = 7) -> pd.DataFrame:
    """Observational records: who was treated depends on age, BMI and smoking (the confounders)."""
    rng = np.random.default_rng(seed)
    age = rng.normal(55, 12, rows)
    bmi = rng.normal(27, 4, rows)
    smoker = rng.binomial(1, 0.3, rows)
    logit = 0.04 * (age - 55) + 0.08 * (bmi - 27) + 0.6 * smoker - 0.2
    treated = rng.binomial(1, 1 / (1 + np.exp(-logit)))
    return pd.DataFrame({"age": age, "bmi": bmi, "smoker": smoker, "treated": treated})


def build(reg: Registry, t: Timeline) -> None:
    reg.projects.create(
        "causal-dx",
        "Causal diagnosis model",
        description="Computer-assisted diagnosis that reasons about cause and effect between risk factors, "
        "diseases and symptoms, instead of correlations.",
        rd_owner="C. Lee",
        traits=["causal"],
        at=t.after(1),
    )
    reg.components.add(REF, "Counterfactual diagnosis algorithm", kind="algorithm", level=0, owner="C. Lee",
                      at=t.after(1))  # fmt: skip
    notes = {
        "L0.causal-structure": "structure elicited from 20 doctors, checked by an independent group",
        "L0.identifiability": "proof that the counterfactual query is identifiable (appendix A)",
    }
    _reviewing.graduate(reg, REF, t.after(30), PEOPLE, causal=True, notes=notes)
    _adjustment_checks(reg, t.after(20))
    _reviewing.graduate(reg, REF, t.after(10), PEOPLE, causal=True, notes=notes)
    at = t.after(25)
    review = _reviewing.staffed_review(reg, REF, at, PEOPLE)
    _sensitivity(reg, at)
    for criterion in reg.reviews.get(review).template.criteria:
        if (
            criterion.id != "L2.causal-sensitivity"
            and reg.catalog.criterion(criterion.id).kind == "attestation"
        ):
            reg.reviews.record_result(review, criterion.id, "met", "presented at the review", at=at)


def _adjustment_checks(reg: Registry, at: datetime) -> None:
    from mltrl.checks import BalanceCheck, OverlapCheck, record

    data = records()
    record(reg, REF, "L1.covariate-balance", BalanceCheck(treatment="treated").run(data), source="ci", at=at)
    record(reg, REF, "L1.overlap", OverlapCheck(treatment="treated").run(data), source="ci", at=at)


def _sensitivity(reg: Registry, at: datetime) -> None:
    """The effect estimate, risk ratio 1.4 [1.1, 1.8]: an unmeasured confounder of risk ratio 1.43 with
    both treatment and outcome could explain the interval's lower end away."""
    from mltrl.checks import EValueCheck, record

    result = EValueCheck(min_e_value=2.0).run(1.4, 1.1, 1.8)
    record(reg, REF, "L2.causal-sensitivity", result, source="ci", at=at)
