"""Built-in perturbations of text: letter case, whitespace and typos (CheckList's robustness tests).

``X`` is a sequence of strings (a list, a tuple, a 1-D numpy array or a pandas Series), or a pandas
DataFrame whose text sits in ``column``. A copy of the same type comes back; ``X`` is never changed.
Random choices come from ``numpy.random.default_rng(seed)``, taken over the strings in order, so the
same text and seed give the same perturbed text every run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from mltrl.errors import BadInput

Perturbation = Callable[[Any], Any]
CASES = ("lower", "upper", "title", "swap", "random")
TYPOS = ("swap", "drop", "repeat")
_WORD = re.compile(r"[^\W\d_]{4,}")  # words of 4+ letters: typos in "a" or "of" change nothing testable
_GAP = re.compile(r"\s+")


def text_case(mode: str = "lower", seed: int = 0, column: str | None = None) -> Perturbation:
    """Change the letter case: ``lower``, ``upper``, ``title``, ``swap`` or ``random`` (each letter
    upper or lower by a seeded coin)."""
    if mode not in CASES:
        raise BadInput(f"text_case: mode {mode!r} is not one of {', '.join(CASES)}")
    _seed("text_case", seed)

    def change(texts: list[str]) -> list[str]:
        if mode == "random":
            rng = np.random.default_rng(seed)
            out = []
            for text in texts:
                upper = rng.random(len(text)) < 0.5
                out.append("".join(c.upper() if u else c.lower() for c, u in zip(text, upper, strict=True)))
            return out
        return [getattr(text, {"swap": "swapcase"}.get(mode, mode))() for text in texts]

    return _on_texts("text_case", change, column)


def text_whitespace(rate: float = 0.3, seed: int = 0, column: str | None = None) -> Perturbation:
    """Widen each gap between words with probability ``rate`` (one to three extra spaces), and pad
    the text with a leading and a trailing space: tokenisers should not care."""
    _rate("text_whitespace", rate)
    _seed("text_whitespace", seed)

    def change(texts: list[str]) -> list[str]:
        rng = np.random.default_rng(seed)
        out = []
        for text in texts:
            gaps = _GAP.findall(text)
            extra = np.where(rng.random(len(gaps)) < rate, rng.integers(1, 4, size=len(gaps)), 0)
            words = _GAP.split(text)
            spaced = [words[0]]
            for gap, k, word in zip(gaps, extra, words[1:], strict=True):
                spaced += [gap + " " * int(k), word]
            out.append(" " + "".join(spaced) + " ")
        return out

    return _on_texts("text_whitespace", change, column)


def text_typos(rate: float = 0.1, seed: int = 0, column: str | None = None) -> Perturbation:
    """Put a typo in each word of four or more letters with probability ``rate``: two neighbouring
    letters swapped, a letter dropped or a letter repeated (chosen by the seed)."""
    _rate("text_typos", rate)
    _seed("text_typos", seed)

    def change(texts: list[str]) -> list[str]:
        rng = np.random.default_rng(seed)

        def typo(match: re.Match[str]) -> str:
            word = match.group(0)
            if rng.random() >= rate:
                return word
            kind = TYPOS[int(rng.integers(len(TYPOS)))]
            i = int(rng.integers(1, len(word) - 1))  # keep the first letter: typos rarely hit it
            if kind == "swap":
                return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
            if kind == "drop":
                return word[:i] + word[i + 1 :]
            return word[: i + 1] + word[i] + word[i + 1 :]

        return [_WORD.sub(typo, text) for text in texts]

    return _on_texts("text_typos", change, column)


def _on_texts(where: str, change: Callable[[list[str]], list[str]], column: str | None) -> Perturbation:
    def perturb(X: Any) -> Any:
        if isinstance(X, pd.DataFrame):
            if column is None:
                raise BadInput(f"{where}: X is a DataFrame: say which column holds the text (column=...)")
            if column not in X.columns:
                raise BadInput(f"{where}: column {column!r} is not in X")
            frame = X.copy()
            frame[column] = change(_strings(where, frame[column].tolist(), f"column {column!r}"))
            return frame
        if isinstance(X, pd.Series):
            return pd.Series(change(_strings(where, X.tolist(), "X")), index=X.index, name=X.name)
        if isinstance(X, np.ndarray):
            if X.ndim != 1:
                raise BadInput(f"{where}: X has shape {X.shape}: give one text per row (1-D)")
            return np.asarray(
                change(_strings(where, X.tolist(), "X")), dtype=X.dtype if X.dtype == object else None
            )
        if isinstance(X, (list, tuple)):
            out = change(_strings(where, list(X), "X"))
            return type(X)(out) if isinstance(X, tuple) else out
        raise BadInput(f"{where}: X is a {type(X).__name__}: give a list, array or Series of strings")

    return perturb


def _strings(where: str, values: list[Any], what: str) -> list[str]:
    for i, value in enumerate(values):
        if not isinstance(value, str):
            raise BadInput(f"{where}: {what} row {i} is a {type(value).__name__}, not text")
    return values


def _rate(where: str, rate: Any) -> None:
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        raise BadInput(f"{where}: rate must lie in [0, 1], not {rate!r}")


def _seed(where: str, seed: Any) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise BadInput(f"{where}: seed must be a whole number 0 or more, not {seed!r}")
