"""Validation shared by the checks: bad input is a one-line ``BadInput`` naming check and argument."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mltrl.errors import BadInput


def n_rows(check: str, X: Any, argument: str = "X") -> int:
    """How many rows ``X`` has (a DataFrame, an array or a list of rows)."""
    if X is None:
        raise BadInput(f"{check}: {argument} is missing: give the rows the model predicts on")
    shape = getattr(X, "shape", None)
    if shape is not None:
        if len(shape) == 0:
            raise BadInput(f"{check}: {argument} is a scalar: give one row per example")
        return int(shape[0])
    try:
        return len(X)
    except TypeError:
        raise BadInput(f"{check}: {argument} is a {type(X).__name__}, not rows of data") from None


def labels(check: str, y: Any, rows: int, argument: str = "y") -> np.ndarray:
    """``y`` as a 1-D array with one label per row of ``X`` and no missing value."""
    if y is None:
        raise BadInput(f"{check}: {argument} is missing: give one true label per row")
    values = np.asarray(y)
    if values.ndim != 1:
        raise BadInput(f"{check}: {argument} has shape {values.shape}: give a 1-D array of labels")
    if len(values) != rows:
        raise BadInput(f"{check}: {argument} has {len(values)} labels for {rows} rows of X")
    if pd.isna(values).any():
        missing = int(pd.isna(values).sum())
        raise BadInput(f"{check}: {argument} has {missing} missing (NaN/None) labels; drop or fill them")
    return values


def model_with_predict(check: str, model: Any, argument: str = "model") -> Any:
    if not callable(getattr(model, "predict", None)):
        raise BadInput(f"{check}: {argument} ({type(model).__name__}) has no predict method")
    return model


def positive_int(check: str, value: Any, argument: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise BadInput(f"{check}: {argument} must be a positive whole number, not {value!r}")
    return int(value)


def fraction(check: str, value: Any, argument: str, *, allow_zero: bool = True) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise BadInput(f"{check}: {argument} must be a number, not {value!r}") from None
    low_ok = number >= 0 if allow_zero else number > 0
    if not (low_ok and number <= 1):
        bound = "[0, 1]" if allow_zero else "(0, 1]"
        raise BadInput(f"{check}: {argument} must lie in {bound}, not {value!r}")
    return number


def confidence(check: str, value: Any) -> float:
    number = fraction(check, value, "confidence", allow_zero=False)
    if number >= 1:
        raise BadInput(f"{check}: confidence must lie in (0, 1), not {value!r}")
    return number
