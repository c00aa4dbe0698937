"""The recycling detector of the example suite, and the images it is tested on.

scikit-learn's bundled 8x8 digit images stand in for the app's photos (they ship with scikit-learn:
nothing downloads), and their ten classes for ten materials. The detector is the demo's model
2.0.0: a logistic regression on pixels scaled to [0, 1], trained on the first 1,000 images. The
last 600 images are the golden set ``golden-bins``; ``brightness`` and ``material`` are metadata
columns the scenarios slice on and the detector ignores.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

PIXELS = [f"p{row}{col}" for row in range(8) for col in range(8)]
MATERIALS = ["glass", "can", "cardboard", "paper", "bottle", "film", "tin", "carton", "textile", "organic"]
TRAINING_ROWS = 1000
GOLDEN_ROWS = 600


@cache
def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X.astype(np.int64), y


def frame(X: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    """Images as a table: 64 pixel columns (0-16), their mean brightness and the material shown."""
    table = pd.DataFrame(X, columns=PIXELS)
    table["brightness"] = X.mean(axis=1).round(3)
    table["material"] = [MATERIALS[label] for label in y]
    return table


def training() -> tuple[pd.DataFrame, np.ndarray]:
    X, y = _digits()
    return frame(X[:TRAINING_ROWS], y[:TRAINING_ROWS]), y[:TRAINING_ROWS]


def golden() -> tuple[pd.DataFrame, np.ndarray]:
    X, y = _digits()
    return frame(X[-GOLDEN_ROWS:], y[-GOLDEN_ROWS:]), y[-GOLDEN_ROWS:]


def write_golden(path: Path) -> Path:
    """The golden set as CSV, byte for byte the same on every machine (its sha256 is registered)."""
    table, y = golden()
    path.parent.mkdir(parents=True, exist_ok=True)
    table.assign(label=y).to_csv(path, index=False, lineterminator="\n")
    return path


def sim_to_real(seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(synthetic, real) tables with a ``label`` column, neither seen in training: renders stand in as
    400 images under randomised lighting (each image's pixels scaled by 0.85-1.15 and re-quantised),
    and 397 photos the model never saw stand in for the real ones."""
    X, y = _digits()
    cut = TRAINING_ROWS + 397
    rng = np.random.default_rng(seed)
    exposure = rng.uniform(0.85, 1.15, (len(X) - cut, 1))
    renders = np.clip(np.rint(X[cut:] * exposure), 0, 16).astype(np.int64)
    synthetic = frame(renders, y[cut:]).assign(label=y[cut:])
    real = frame(X[TRAINING_ROWS:cut], y[TRAINING_ROWS:cut]).assign(label=y[TRAINING_ROWS:cut])
    return synthetic, real


class Detector:
    """The model behind the app: predicts from the 64 pixel columns of a table, or from a pixel array."""

    def __init__(self, training_rows: int = TRAINING_ROWS, seed: int = 0) -> None:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import MinMaxScaler

        X, y = _digits()
        # Pixels scale to [0, 1], clipped: a pixel brighter than any seen in training cannot become an
        # extreme feature (a standard scaler turned rarely lit pixels into values 5x beyond training).
        self.model = make_pipeline(
            MinMaxScaler(clip=True), LogisticRegression(max_iter=2000, random_state=seed)
        )
        self.model.fit(X[:training_rows].astype(float), y[:training_rows])

    @staticmethod
    def pixels(X: pd.DataFrame | np.ndarray) -> np.ndarray:
        values = X[PIXELS].to_numpy() if isinstance(X, pd.DataFrame) else np.asarray(X)
        if values.ndim != 2 or values.shape[1] != len(PIXELS):
            raise ValueError(f"the detector reads 64 pixel columns, got an array of shape {values.shape}")
        return values.astype(float)

    def predict(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        return self.model.predict(self.pixels(X))

    def predict_proba(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        return self.model.predict_proba(self.pixels(X))

    def processed(self, X: pd.DataFrame | np.ndarray) -> pd.DataFrame:
        """What the classifier reads after the pipeline's scaling step: the processed features."""
        scaled = self.model[:-1].transform(self.pixels(X))
        return pd.DataFrame(scaled, columns=PIXELS)


#: Materials the app sends to a recycling bin; the rest go to general waste.
RECYCLABLE = frozenset({"glass", "can", "cardboard", "paper", "bottle", "tin", "carton"})


def lighting(X: pd.DataFrame) -> np.ndarray:
    """Each photo's lighting group: ``dim`` below the median brightness of the photos, else ``bright``."""
    return np.where(X["brightness"] < np.median(X["brightness"]), "dim", "bright")


def fairness(detector: Detector, X: pd.DataFrame, y: np.ndarray):  # type: ignore[no-untyped-def]
    """Is the bin decision (recyclable or not) as good in dim photos as in bright ones? Photos from
    older phones and darker homes must not be sorted worse: demographic parity and equalized odds of
    the decision across lighting, with intervals (``mltrl.checks.FairnessCheck``)."""
    from mltrl.checks import FairnessCheck

    groups = lighting(X)
    truth = np.array([MATERIALS[label] in RECYCLABLE for label in y])
    decided = np.array([MATERIALS[label] in RECYCLABLE for label in detector.predict(X)])
    check = FairnessCheck("lighting", measures=["equalized_odds"], max_difference=0.1, n_boot=500)
    return check.run(decided, pd.DataFrame({"lighting": groups}), truth)
