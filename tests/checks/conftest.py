"""Real models on scikit-learn's bundled data sets (no download: the data ship with scikit-learn)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


@pytest.fixture(scope="session")
def cancer() -> dict[str, Any]:
    """Breast cancer: a good model, a degraded one (trained on two weak features) and the golden split."""
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X_train, X_gold, y_train, y_gold = train_test_split(X, y, test_size=0.4, random_state=0, stratify=y)
    good = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X_train, y_train)
    weak_features = ["mean fractal dimension", "texture error"]
    weak = make_pipeline(
        # A column picker keeps the degraded model's interface: it takes the same X.
        _Columns(weak_features),
        LogisticRegression(max_iter=1000),
    ).fit(X_train, y_train)
    return {"X": X_gold, "y": y_gold, "good": good, "weak": weak}


@pytest.fixture(scope="session")
def wine() -> dict[str, Any]:
    X, y = load_wine(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=0, stratify=y)
    model = RandomForestClassifier(n_estimators=50, random_state=0).fit(X_train, y_train)
    return {"X": X_test, "y": y_test, "model": model}


class _Columns:
    def __init__(self, columns: list[str]) -> None:
        self.columns = columns

    def fit(self, X: pd.DataFrame, y: Any = None) -> _Columns:
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        return X[self.columns]
