"""Checks whose results become evidence (issue 12): one contract, :class:`CheckResult`.

A check is configured, run on data and a model, and returns a :class:`CheckResult` (``pass`` /
``fail`` / ``insufficient``, metrics with confidence intervals, the threshold and why);
:func:`record` turns it into evidence. The checks themselves need the ``checks`` extra
(scikit-learn, scipy, statsmodels, pandera); they load on first use, so ``CheckResult`` and ``record`` work
with the base install.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mltrl.checks.evidence import record
from mltrl.checks.result import CheckResult

if TYPE_CHECKING:
    from mltrl.checks import perturbations
    from mltrl.checks.calibration import CalibrationCheck, CoverageCheck, reliability_diagram
    from mltrl.checks.causal import BalanceCheck, EValueCheck, OverlapCheck
    from mltrl.checks.deployment import ABTest, CanaryCheck, ShadowCheck
    from mltrl.checks.fairness import FairnessCheck
    from mltrl.checks.golden import GoldenCheck
    from mltrl.checks.latency import LatencyCheck
    from mltrl.checks.metamorphic import MetamorphicCheck, Relation
    from mltrl.checks.scenarios import Scenario, ScenarioSuite, record_scenarios
    from mltrl.checks.sim_to_real import SimToRealCheck
    from mltrl.checks.slices import SliceCheck
    from mltrl.checks.validation import DataValidationCheck, Expectation

_LAZY = {
    "GoldenCheck": "mltrl.checks.golden",
    "SliceCheck": "mltrl.checks.slices",
    "MetamorphicCheck": "mltrl.checks.metamorphic",
    "Relation": "mltrl.checks.metamorphic",
    "DataValidationCheck": "mltrl.checks.validation",
    "CalibrationCheck": "mltrl.checks.calibration",
    "CoverageCheck": "mltrl.checks.calibration",
    "reliability_diagram": "mltrl.checks.calibration",
    "LatencyCheck": "mltrl.checks.latency",
    "Scenario": "mltrl.checks.scenarios",
    "ScenarioSuite": "mltrl.checks.scenarios",
    "record_scenarios": "mltrl.checks.scenarios",
    "Expectation": "mltrl.checks.validation",
    "ShadowCheck": "mltrl.checks.deployment",
    "CanaryCheck": "mltrl.checks.deployment",
    "ABTest": "mltrl.checks.deployment",
    "FairnessCheck": "mltrl.checks.fairness",
    "SimToRealCheck": "mltrl.checks.sim_to_real",
    "BalanceCheck": "mltrl.checks.causal",
    "OverlapCheck": "mltrl.checks.causal",
    "EValueCheck": "mltrl.checks.causal",
}

__all__ = [
    "ABTest",
    "BalanceCheck",
    "CalibrationCheck",
    "CanaryCheck",
    "CheckResult",
    "CoverageCheck",
    "DataValidationCheck",
    "EValueCheck",
    "Expectation",
    "FairnessCheck",
    "GoldenCheck",
    "LatencyCheck",
    "MetamorphicCheck",
    "OverlapCheck",
    "Relation",
    "Scenario",
    "ScenarioSuite",
    "ShadowCheck",
    "SimToRealCheck",
    "SliceCheck",
    "perturbations",
    "record",
    "record_scenarios",
    "reliability_diagram",
]


def __getattr__(name: str) -> Any:
    # scikit-learn and statsmodels take a second to import; the pytest plugin only needs CheckResult.
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name == "perturbations":
        return importlib.import_module("mltrl.checks.perturbations")
    raise AttributeError(f"module 'mltrl.checks' has no attribute {name!r}")
