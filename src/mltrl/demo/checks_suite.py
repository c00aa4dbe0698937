"""The recycling app's level-7 suites, run for real in the demo's history.

The detector (:mod:`mltrl.demo.detector`: scikit-learn's bundled 8x8 digit images stand in for photos)
is scored on the golden set against its champion, its codified relations run, the risk table's
critical scenarios are tested, data are validated where they enter and after processing, its
probabilities' calibration is measured and its latency timed against requirement 1 — each through
``mltrl.checks`` and recorded as the check's result, dated with the demo's timeline. Nothing here is
typed in: a criterion these runs do not meet stays unmet.

Components without a model of their own (the app, the image pipeline, the annotation module) run the
scenario and data tests through the detector; the golden set, relations and calibration are the
detector's, so their panels mark those not applicable, with the reason. Today's run of the same tests
goes through the pytest plugin instead (:mod:`mltrl.demo.run_suite`, the suite in ``suite/``).
"""

from __future__ import annotations

from datetime import datetime
from importlib.resources import files
from typing import Any

from mltrl.service.registry import Registry

GOLDEN = "golden-bins"
MODEL_CRITERIA = ("L7.golden-dataset", "L7.metamorphic", "L7.uncertainty")
#: Training rows per model version: 2.0.0 learns from more (synthetic) images.
TRAINING_ROWS = {"1.0.0": 500, "2.0.0": 1000}
#: The hackathon prototype the app replaced: the champion of the first shadow and canary.
PROTOTYPE_ROWS = 300
SUITE = files("mltrl.demo") / "suite"


def available() -> bool:
    try:
        import mltrl.checks.golden  # scikit-learn, scipy, statsmodels
        import mltrl.checks.validation  # noqa: F401  pandera
    except ImportError:
        return False
    return True


def run(reg: Registry, ref: str, at: datetime) -> dict[str, tuple[str, str]]:
    """Run the level-7 suites on ``ref`` at ``at``; the review results for what does not apply."""
    if not available():
        reason = "this demo runs without mltrl[checks]; the team's CI runs the level-7 suites"
        criteria = (*MODEL_CRITERIA, "L7.critical-scenarios", "L7.data-validation", "L7.ml-test-score")
        return dict.fromkeys(criteria, ("waived", reason))
    from mltrl.checks import record
    from mltrl.demo import detector as bins

    model = _current_model(reg, ref)
    detector = bins.Detector(TRAINING_ROWS.get(model or "", bins.TRAINING_ROWS))
    X, y = bins.golden()
    for result, criterion in _data_and_scenarios(detector, X, y):
        record(reg, ref, criterion, result, source="ci", at=at)
    if model is None:
        reason = "no model of its own: the detector's golden set, relations and calibration test it"
        results = dict.fromkeys(MODEL_CRITERIA, ("not-applicable", reason))
        results["L7.ml-test-score"] = (
            "not-applicable",
            "the ML Test Score grades the ML system through its model: the detector's suite carries it",
        )
        return results
    if not reg.relations.list(ref):
        codify(reg, ref, at)
    from mltrl.checks import CalibrationCheck, GoldenCheck, LatencyCheck

    pixels = X[bins.PIXELS].to_numpy()
    check = GoldenCheck(metric="accuracy", minimum=0.9, max_drop_vs_champion=0.02, n_boot=500)
    reg.golden.score(ref, GOLDEN, detector, pixels, y, check=check, source="ci", at=at)
    reg.relations.run(ref, detector, pixels, source="ci", at=at)
    calibration = CalibrationCheck(max_ece=0.1, n_boot=500).run(detector, X, y)
    record(reg, ref, "L7.uncertainty", calibration, source="ci", at=at)
    requirement = next((q for q in reg.requirements.list("recycling") if q.code == "1"), None)
    if requirement is not None:
        latency = LatencyCheck.from_requirement(requirement, calls=100).run(detector.predict, X)
        record(reg, ref, "L8.stress-tests", latency, requirement="1", step=1, source="ci", at=at)
    return {}


def _data_and_scenarios(detector: Any, X: Any, y: Any) -> list[tuple[Any, str]]:
    from mltrl.checks import DataValidationCheck, ScenarioSuite
    from mltrl.demo import detector as bins

    scenarios = ScenarioSuite.from_yaml(SUITE / "scenarios.yaml").run(detector, X, y)
    fairness = bins.fairness(detector, X, y)
    arriving = DataValidationCheck.from_yaml(SUITE / "expectations.yaml").run(X, stage="ingestion")
    reference = detector.processed(bins.training()[0])
    processed = DataValidationCheck.infer(reference).run(detector.processed(X), stage="processed")
    return [
        (scenarios, "L7.critical-scenarios"),
        (fairness, "L7.ml-test-score"),  # feeds the score's item M7 (inclusion across groups)
        (arriving, "L7.data-validation"),
        (processed, "L7.data-validation"),
    ]


def codify(reg: Registry, ref: str, at: datetime) -> None:
    reg.relations.add(
        ref,
        "brighter-photos",
        kind="invariance",
        perturbation="image_brightness",
        params={"delta": 0.01, "shape": [8, 8], "value_range": [0, 16]},
        tolerance=0.05,
        description="A photo taken in slightly brighter light is sorted the same",
        at=at,
    )
    reg.relations.add(
        ref,
        "sensor-noise",
        kind="invariance",
        perturbation="gaussian_noise",
        params={"scale": 0.02},
        tolerance=0.05,
        description="Sensor noise far below the pixels' spread does not change the class",
        at=at,
    )


def _current_model(reg: Registry, ref: str) -> str | None:
    return next((v.version for v in reversed(reg.versions.list(ref)) if v.kind == "model"), None)


def deployment(reg: Registry, ref: str, at: datetime) -> None:
    """Shadow and canary of the app with the detector's current model beside the champion in
    production (the hackathon prototype, trained on 300 photos), from request logs of the golden
    photos: each request's prediction by both, with a seeded latency and error flag."""
    if not available():
        return
    from mltrl.checks.deploy_record import compare
    from mltrl.checks.deployment import Columns

    model = _current_model(reg, "recycling/1.1") or "1.0.0"
    champion, candidate = _request_logs(TRAINING_ROWS.get(model, 500))
    shadow = Columns(latency="latency_ms", slices=("material",))
    compare(reg, ref, "shadow", champion, candidate, source="ci", at=at, columns=shadow, min_agreement=0.85)
    canary = Columns(error="error", actual="actual", latency="latency_ms")
    compare(reg, ref, "canary", champion, candidate, source="ci", at=at, columns=canary, min_rows=500,
            look_every=100, max_quality_drop=0.02)  # fmt: skip


def _request_logs(candidate_rows: int) -> tuple[Any, Any]:
    import numpy as np

    from mltrl.demo import detector as bins

    X, y = bins.golden()
    logs = []
    for seed, rows in ((1, PROTOTYPE_ROWS), (2, candidate_rows)):
        rng = np.random.default_rng(seed)
        logs.append(
            X[["material"]].assign(
                id=np.arange(len(X)),
                prediction=bins.Detector(rows).predict(X),
                actual=y,
                latency_ms=rng.gamma(4.0, 5.0, len(X)).round(2),
                error=rng.random(len(X)) < 0.01,
            )
        )
    return logs[0], logs[1]
