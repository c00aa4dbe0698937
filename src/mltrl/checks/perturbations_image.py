"""Built-in perturbations of images held as numpy arrays: flip, brightness, small rotation.

``X`` is an array of images, ``(n, height, width)`` or ``(n, height, width, channels)``; a model
trained on flattened pixels (``(n, height * width)``, like scikit-learn's digits) passes
``shape=(height, width)`` and gets flattened copies back. ``X`` is never changed, the dtype is kept
(integers are rounded back) and every value stays inside the image's value range. Rotation uses
``scipy.ndimage`` (no image library needed); its random angles are seeded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from mltrl.errors import BadInput

Perturbation = Callable[[Any], Any]


def image_flip(direction: str = "horizontal", shape: Sequence[int] | None = None) -> Perturbation:
    """Mirror each image left-right (``horizontal``) or top-bottom (``vertical``)."""
    if direction not in ("horizontal", "vertical"):
        raise BadInput(f"image_flip: direction must be 'horizontal' or 'vertical', not {direction!r}")
    _shape("image_flip", shape)
    axis = 2 if direction == "horizontal" else 1

    def perturb(X: Any) -> Any:
        images, back = _images("image_flip", X, shape)
        return back(np.flip(images, axis=axis).copy())

    return perturb


def image_brightness(
    delta: float = 0.1,
    factor: float = 1.0,
    shape: Sequence[int] | None = None,
    value_range: Sequence[float] | None = None,
) -> Perturbation:
    """Scale pixel values by ``factor``, then add ``delta`` x the value range; clip to the range.

    The range is ``value_range`` if given, else 0-255 for integer images, 0-1 for float images
    inside [0, 1], and otherwise the smallest and largest value of ``X`` itself.
    """
    for argument, value in (("delta", delta), ("factor", factor)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
            raise BadInput(f"image_brightness: {argument} must be a finite number, not {value!r}")
    if factor < 0:
        raise BadInput(f"image_brightness: factor must be 0 or more, not {factor!r}")
    _shape("image_brightness", shape)
    fixed = _value_range("image_brightness", value_range)

    def perturb(X: Any) -> Any:
        images, back = _images("image_brightness", X, shape)
        low, high = fixed or _default_range(images)
        out = images.astype(float) * factor + delta * (high - low)
        return back(_cast(np.clip(out, low, high), images.dtype))

    return perturb


def image_rotation(
    degrees: float = 10.0,
    seed: int = 0,
    fixed: bool = False,
    shape: Sequence[int] | None = None,
) -> Perturbation:
    """Rotate each image about its centre, by a seeded angle drawn from [-degrees, degrees] per image
    (or by exactly ``degrees`` when ``fixed``); the size is kept and edges repeat the border pixels."""
    if isinstance(degrees, bool) or not isinstance(degrees, (int, float)) or not np.isfinite(degrees):
        raise BadInput(f"image_rotation: degrees must be a finite number, not {degrees!r}")
    if not fixed and degrees < 0:
        raise BadInput(f"image_rotation: degrees must be 0 or more, not {degrees!r}")
    _seed("image_rotation", seed)
    _shape("image_rotation", shape)

    def perturb(X: Any) -> Any:
        from scipy import ndimage  # imported on use: the checks package stays quick to import

        images, back = _images("image_rotation", X, shape)
        if fixed:
            angles = np.full(len(images), float(degrees))
        else:
            angles = np.random.default_rng(seed).uniform(-degrees, degrees, size=len(images))
        source = images.astype(float)
        out = np.empty_like(source)
        for i, angle in enumerate(angles):
            out[i] = ndimage.rotate(source[i], angle, axes=(1, 0), reshape=False, order=1, mode="nearest")
        return back(_cast(out, images.dtype))

    return perturb


def _images(
    where: str, X: Any, shape: Sequence[int] | None
) -> tuple[np.ndarray, Callable[[np.ndarray], Any]]:
    """``X`` as ``(n, h, w[, c])`` images, and how to give a result back in ``X``'s own layout."""
    if hasattr(X, "to_numpy"):
        X = X.to_numpy()
    if not isinstance(X, np.ndarray):
        raise BadInput(f"{where}: X is a {type(X).__name__}: give the images as a numpy array")
    if X.dtype.kind not in "biuf":
        raise BadInput(f"{where}: X holds {X.dtype} values: give numeric pixel values")
    if shape is not None:
        size = int(np.prod(shape))
        if X.ndim != 2 or X.shape[1] != size:
            raise BadInput(
                f"{where}: X has shape {X.shape}, which is not rows of flattened {tuple(shape)} images"
            )
        flat = X.shape
        return X.reshape((X.shape[0], *shape)), lambda images: images.reshape(flat)
    if X.ndim not in (3, 4):
        raise BadInput(
            f"{where}: X has shape {X.shape}: give images as (n, height, width[, channels]) "
            "or flattened rows with shape=(height, width)"
        )
    return X, lambda images: images


def _shape(where: str, shape: Sequence[int] | None) -> None:
    if shape is None:
        return
    if (
        isinstance(shape, (str, bytes))
        or not isinstance(shape, Sequence)
        or len(shape) not in (2, 3)
        or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0 for s in shape)
    ):
        raise BadInput(f"{where}: shape must be (height, width) or (height, width, channels), not {shape!r}")


def _seed(where: str, seed: Any) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise BadInput(f"{where}: seed must be a whole number 0 or more, not {seed!r}")


def _value_range(where: str, value_range: Sequence[float] | None) -> tuple[float, float] | None:
    if value_range is None:
        return None
    try:
        low, high = (float(v) for v in value_range)
    except (TypeError, ValueError):
        raise BadInput(f"{where}: value_range must be (low, high), not {value_range!r}") from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise BadInput(f"{where}: value_range must be (low, high) with low < high, not {value_range!r}")
    return low, high


def _default_range(images: np.ndarray) -> tuple[float, float]:
    if images.dtype.kind == "b":  # masks
        return 0.0, 1.0
    if images.dtype.kind in "iu":
        if images.dtype.itemsize == 1 or images.max(initial=0) <= 255:
            return 0.0, 255.0
        return 0.0, float(np.iinfo(images.dtype).max)
    low, high = float(images.min(initial=0.0)), float(images.max(initial=1.0))
    if low >= 0.0 and high <= 1.0:
        return 0.0, 1.0
    return low, high


def _cast(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if dtype.kind in "biu":
        return np.rint(values).astype(dtype)
    return values.astype(dtype)
