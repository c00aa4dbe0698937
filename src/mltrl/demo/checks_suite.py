"""The recycling detector's golden succession and codified relations, run for real in the demo.

A scikit-learn classifier of scikit-learn's bundled 8x8 digit images stands in for the photo
detector (no download, a few hundred milliseconds): model 1.0.0, and model 2.0.0 "retrained with more
synthetic images" (more training rows). Each model version is scored on the golden set against its
champion and the codified relations run on it, so ``L7.golden-dataset`` and ``L7.metamorphic`` are met
by stored results, never by typed-in evidence. Components without a model of their own (the app, the
image pipeline, the annotation module) have nothing to score: their panels mark both criteria not
applicable, with the reason. Without ``mltrl[checks]`` the panels waive them, saying why.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from mltrl.service.registry import Registry

GOLDEN = "golden-bins"
CRITERIA = ("L7.golden-dataset", "L7.metamorphic")
#: Training rows per model version: 2.0.0 learns from more (synthetic) images.
TRAINING_ROWS = {"1.0.0": 500, "2.0.0": 1000}


def available() -> bool:
    try:
        import mltrl.checks.golden  # scikit-learn, scipy, statsmodels
        import mltrl.checks.metamorphic  # noqa: F401
    except ImportError:
        return False
    return True


def run(reg: Registry, ref: str, at: datetime) -> dict[str, tuple[str, str]]:
    """Score ``ref``'s current model on the golden set and run its relations; the review results
    for what cannot run here (criterion -> (result, reason))."""
    model = _current_model(reg, ref)
    if model is None:
        reason = "no model of its own: it is tested through the detector's golden set and relations"
        return dict.fromkeys(CRITERIA, ("not-applicable", reason))
    if not available():
        reason = "this demo runs without mltrl[checks]; the team's CI scores the detector"
        return dict.fromkeys(CRITERIA, ("waived", reason))
    from mltrl.checks import GoldenCheck

    if not reg.relations.list(ref):
        codify(reg, ref, at)
    classifier, X_gold, y_gold = _digits(TRAINING_ROWS.get(model, 500))
    check = GoldenCheck(metric="accuracy", minimum=0.9, max_drop_vs_champion=0.02, n_boot=500)
    reg.golden.score(ref, GOLDEN, classifier, X_gold, y_gold, check=check, source="ci", at=at)
    reg.relations.run(ref, classifier, X_gold, source="ci", at=at)
    return {}


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
    return next((v.version for v in reversed(reg.versions(ref)) if v.kind == "model"), None)


@cache
def _digits(training_rows: int) -> tuple[Any, Any, Any]:
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    # The last 600 images are the golden set; the models learn from the first ones.
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    model.fit(X[:training_rows], y[:training_rows])
    return model, X[-600:], y[-600:]
