"""Built-in perturbations for metamorphic relations (CheckList's INV / DIR / MFT), and their registry.

Each function returns a perturbation: a callable taking ``X`` and returning a perturbed copy; ``X``
is never changed. Randomness is seeded, so a relation gives the same result on the same data every
run. The tabular ones live here (``X`` a pandas DataFrame, or a 2-D numpy array whose columns are
named by position); images as numpy arrays in :mod:`mltrl.checks.perturbations_image`, text in
:mod:`mltrl.checks.perturbations_text`.

:data:`PERTURBATIONS` names every built-in one; the names are stable, because codified relations
store them: :func:`get` builds one by name (``get("image_flip")``), :func:`names` lists them and
:func:`describe` says what each does and which parameters it takes.
"""

from __future__ import annotations

import importlib
import inspect
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mltrl.errors import BadInput

Column = str | int
Perturbation = Callable[[Any], Any]


def gaussian_noise(
    scale: float = 0.01, columns: Sequence[Column] | None = None, seed: int = 0
) -> Perturbation:
    """Add Gaussian noise with standard deviation ``scale`` x each column's own standard deviation.

    ``columns`` defaults to every numeric column. An invariance relation with it asks: does a
    measurement error far below the data's spread change the prediction?
    """
    if not (isinstance(scale, (int, float)) and scale >= 0):
        raise BadInput(f"gaussian_noise: scale must be a number 0 or more, not {scale!r}")

    def perturb(X: Any) -> Any:
        frame, back = _frame(X)
        chosen = _numeric_columns(frame, columns, "gaussian_noise")
        rng = np.random.default_rng(seed)
        for column in chosen:
            values = frame[column].to_numpy(dtype=float)
            frame[column] = values + rng.normal(0.0, scale * float(np.std(values)), size=len(values))
        return back(frame)

    return perturb


def scaling(factor: float, columns: Sequence[Column] | None = None) -> Perturbation:
    """Multiply numeric ``columns`` (default: all numeric) by ``factor`` (e.g. 1.01 for +1%)."""
    if not isinstance(factor, (int, float)) or not np.isfinite(factor):
        raise BadInput(f"scaling: factor must be a finite number, not {factor!r}")

    def perturb(X: Any) -> Any:
        frame, back = _frame(X)
        for column in _numeric_columns(frame, columns, "scaling"):
            frame[column] = frame[column].to_numpy(dtype=float) * factor
        return back(frame)

    return perturb


def shift(column: Column, by: float) -> Perturbation:
    """Add ``by`` to one numeric column: the perturbation of a directional relation."""

    def perturb(X: Any) -> Any:
        frame, back = _frame(X)
        (name,) = _numeric_columns(frame, [column], "shift")
        frame[name] = frame[name].to_numpy(dtype=float) + by
        return back(frame)

    return perturb


def ramp(column: Column, by: Sequence[float]) -> Callable[[Any], list[Any]]:
    """Copies of ``X`` with ``column`` shifted by each amount of ``by`` in turn (for monotonic relations)."""
    amounts = list(by)
    if len(amounts) < 1 or any(b <= a for a, b in itertools.pairwise(amounts)):
        raise BadInput(f"ramp: by must be increasing amounts, not {by!r}")
    return lambda X: [shift(column, amount)(X) for amount in amounts]


def swap_feature(column: Column, seed: int = 0) -> Perturbation:
    """Shuffle one column's values across rows: a feature the model should ignore stays irrelevant."""

    def perturb(X: Any) -> Any:
        frame, back = _frame(X)
        if column not in frame.columns:
            raise BadInput(f"swap_feature: column {column!r} is not in X")
        rng = np.random.default_rng(seed)
        frame[column] = frame[column].to_numpy()[rng.permutation(len(frame))]
        return back(frame)

    return perturb


def _frame(X: Any) -> tuple[pd.DataFrame, Callable[[pd.DataFrame], Any]]:
    """A copy of X as a DataFrame, and how to give it back in X's own type."""
    if isinstance(X, pd.DataFrame):
        return X.copy(), lambda frame: frame
    array = np.asarray(X)
    if array.ndim != 2:
        raise BadInput(f"perturbation: X has shape {array.shape}: give a table (2-D)")
    return pd.DataFrame(array.copy()), lambda frame: frame.to_numpy()


def _numeric_columns(frame: pd.DataFrame, columns: Sequence[Column] | None, where: str) -> list[Column]:
    if columns is None:
        return [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise BadInput(f"{where}: columns not in X: {', '.join(map(str, missing))}")
    text = [c for c in columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if text:
        raise BadInput(f"{where}: columns are not numeric: {', '.join(map(str, text))}")
    return list(columns)


#: Every built-in perturbation: stable name -> (modality, module, function). Codified relations
#: store these names; renaming one breaks them, so a name is only ever added.
PERTURBATIONS: Mapping[str, tuple[str, str, str]] = {
    "gaussian_noise": ("tabular", __name__, "gaussian_noise"),
    "scaling": ("tabular", __name__, "scaling"),
    "shift": ("tabular", __name__, "shift"),
    "ramp": ("tabular", __name__, "ramp"),
    "swap_feature": ("tabular", __name__, "swap_feature"),
    "image_flip": ("image", "mltrl.checks.perturbations_image", "image_flip"),
    "image_brightness": ("image", "mltrl.checks.perturbations_image", "image_brightness"),
    "image_rotation": ("image", "mltrl.checks.perturbations_image", "image_rotation"),
    "text_case": ("text", "mltrl.checks.perturbations_text", "text_case"),
    "text_whitespace": ("text", "mltrl.checks.perturbations_text", "text_whitespace"),
    "text_typos": ("text", "mltrl.checks.perturbations_text", "text_typos"),
}


def names() -> list[str]:
    """The names of every built-in perturbation, sorted."""
    return sorted(PERTURBATIONS)


def factory(name: Any) -> Callable[..., Callable[[Any], Any]]:
    """The function that builds the perturbation called ``name``; ``BadInput`` for an unknown name."""
    if not isinstance(name, str) or name not in PERTURBATIONS:
        raise BadInput(f"perturbation {name!r} is unknown; built-in ones: {', '.join(names())}")
    _, module, function = PERTURBATIONS[name]
    return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]


def get(name: Any, **params: Any) -> Callable[[Any], Any]:
    """The perturbation called ``name`` built with ``params`` (e.g. ``get("text_typos", rate=0.05)``)."""
    build = factory(name)
    accepted = inspect.signature(build).parameters
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise BadInput(
            f"perturbation {name!r}: unknown parameter(s) {', '.join(unknown)}; it takes "
            f"{', '.join(accepted) or 'none'}"
        )
    missing = [
        p for p, spec in accepted.items() if spec.default is inspect.Parameter.empty and p not in params
    ]
    if missing:
        raise BadInput(f"perturbation {name!r}: missing parameter(s) {', '.join(missing)}")
    return build(**params)


def describe() -> list[dict[str, Any]]:
    """One row per built-in perturbation: name, modality, parameters (with their defaults), the
    required ones, and a one-line summary."""
    rows = []
    for name in names():
        modality = PERTURBATIONS[name][0]
        build = factory(name)
        parameters = {
            p: (None if spec.default is inspect.Parameter.empty else spec.default)
            for p, spec in inspect.signature(build).parameters.items()
        }
        summary = " ".join((inspect.getdoc(build) or "").split("\n\n")[0].split())
        required = [
            p for p, spec in inspect.signature(build).parameters.items() if spec.default is spec.empty
        ]
        rows.append(
            {
                "name": name,
                "modality": modality,
                "parameters": parameters,
                "required": required,
                "summary": summary,
            }
        )
    return rows
