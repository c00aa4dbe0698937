"""Image and text perturbations, the registry of built-in perturbations, relations by name."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from mltrl.checks import MetamorphicCheck, Relation
from mltrl.checks import perturbations as P
from mltrl.errors import BadInput


@pytest.fixture(scope="module")
def digits() -> dict[str, Any]:
    """scikit-learn's bundled 8x8 digits, a model on their flattened pixels (values 0-16)."""
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.5, random_state=0)
    return {"X": X_test, "model": LogisticRegression(max_iter=2000).fit(X_train, y_train)}


@pytest.fixture(scope="module")
def reviews() -> dict[str, Any]:
    """Generated film reviews: the sentiment sits in one word; a word model and a character model."""
    rng = np.random.default_rng(0)
    good = ["excellent", "wonderful", "delightful", "superb", "brilliant", "charming"]
    bad = ["terrible", "horrible", "dreadful", "awful", "disappointing", "boring"]
    plain = ["movie", "plot", "actors", "story", "scenes", "music", "ending", "camera", "script"]
    texts, labels = [], []
    for _ in range(800):
        label = int(rng.integers(2))
        words = [*rng.choice(plain, 5), rng.choice(good if label else bad)]
        rng.shuffle(words)
        texts.append(" ".join(words).capitalize())
        labels.append(label)
    words = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(texts[:400], labels[:400])
    chars = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)), LogisticRegression(C=10)
    ).fit(texts[:400], labels[:400])
    return {"texts": texts[400:], "words": words, "chars": chars}


def test_the_registry_lists_every_builtin_by_a_stable_name() -> None:
    assert P.names() == [
        "gaussian_noise",
        "image_brightness",
        "image_flip",
        "image_rotation",
        "ramp",
        "scaling",
        "shift",
        "swap_feature",
        "text_case",
        "text_typos",
        "text_whitespace",
    ]
    rows = {row["name"]: row for row in P.describe()}
    assert rows["image_rotation"]["modality"] == "image"
    assert rows["image_rotation"]["parameters"]["degrees"] == 10.0
    assert rows["shift"]["required"] == ["column", "by"]
    assert rows["text_typos"]["summary"].startswith("Put a typo")


def test_unknown_names_and_parameters_are_one_line_bad_input() -> None:
    with pytest.raises(BadInput, match="perturbation 'blur' is unknown; built-in ones: gaussian_noise"):
        P.get("blur")
    with pytest.raises(BadInput, match=r"'text_typos': unknown parameter\(s\) rtae; it takes rate, seed"):
        P.get("text_typos", rtae=0.1)
    with pytest.raises(BadInput, match=r"'shift': missing parameter\(s\) by"):
        P.get("shift", column="age")
    with pytest.raises(BadInput, match="relation 'r': perturbation 'blur' is unknown"):
        Relation("r", "invariance", "blur")
    with pytest.raises(BadInput, match="relation 'r': params apply to a perturbation given by name"):
        Relation("r", "invariance", lambda X: X, params={"rate": 1})


def test_image_relations_by_name_on_digits(digits: dict[str, Any]) -> None:
    flat = {"shape": (8, 8)}
    relations = [
        Relation("a little brighter", "invariance", "image_brightness",
                 params={**flat, "delta": 0.02, "value_range": (0, 16)}, tolerance=0.05),
        Relation("tilted up to 5 degrees", "invariance", "image_rotation",
                 params={**flat, "degrees": 5}, tolerance=0.1),
        Relation("mirrored", "invariance", "image_flip", params=flat, tolerance=0.05),
    ]  # fmt: skip
    result = MetamorphicCheck(relations).run(digits["model"], digits["X"])
    status = {row["relation"]: (row["perturbation"], row["status"]) for row in result.details}
    # Digits are not mirror-symmetric: a flip changes most predictions, and the check says so.
    assert status == {
        "a little brighter": ("image_brightness", "pass"),
        "tilted up to 5 degrees": ("image_rotation", "pass"),
        "mirrored": ("image_flip", "fail"),
    }
    assert result.metrics["failure_rate[mirrored]"] > 0.3


def test_image_perturbations_keep_dtype_range_and_input() -> None:
    rng = np.random.default_rng(3)
    photos = rng.integers(0, 256, size=(4, 6, 5, 3), dtype=np.uint8)
    before = photos.copy()
    brighter = P.get("image_brightness", delta=0.5)(photos)
    assert brighter.dtype == np.uint8 and brighter.shape == photos.shape
    assert brighter.max() == 255 and (brighter >= photos).all()
    flipped = P.get("image_flip")(photos)
    assert np.array_equal(flipped[:, :, ::-1], photos)
    upside = P.get("image_flip", direction="vertical")(photos)
    assert np.array_equal(upside[:, ::-1], photos)
    turned = P.get("image_rotation", degrees=90, fixed=True)(photos[:, :5, :5])
    assert np.array_equal(turned, np.rot90(photos[:, :5, :5], k=1, axes=(1, 2)))
    np.testing.assert_array_equal(photos, before)  # never changed in place
    grey = rng.random((3, 7, 7))
    assert P.get("image_brightness", delta=-2.0)(grey).max() == 0.0  # floats in [0, 1] stay there


def test_image_bad_input_names_the_perturbation_and_argument() -> None:
    with pytest.raises(
        BadInput, match=r"image_flip: X has shape \(5, 64\): give images as \(n, height, width"
    ):
        P.get("image_flip")(np.zeros((5, 64)))
    with pytest.raises(
        BadInput, match=r"image_rotation: X has shape \(5, 60\), which is not rows of flattened"
    ):
        P.get("image_rotation", shape=(8, 8))(np.zeros((5, 60)))
    with pytest.raises(BadInput, match="image_brightness: X is a list: give the images as a numpy array"):
        P.get("image_brightness")([[1, 2]])
    with pytest.raises(BadInput, match="image_flip: direction must be 'horizontal' or 'vertical'"):
        P.get("image_flip", direction="diagonal")
    with pytest.raises(BadInput, match="image_brightness: value_range must be"):
        P.get("image_brightness", value_range=(1, 0))
    with pytest.raises(BadInput, match="image_rotation: seed must be a whole number"):
        P.get("image_rotation", seed=-1)


def test_text_relations_tell_a_word_model_from_a_character_model(reviews: dict[str, Any]) -> None:
    relations = [
        Relation("shouting", "invariance", "text_case", params={"mode": "upper"}),
        Relation("sloppy spacing", "invariance", "text_whitespace"),
        Relation("typos", "invariance", "text_typos", params={"rate": 1.0}, tolerance=0.05),
    ]
    words = MetamorphicCheck(relations).run(reviews["words"], reviews["texts"])
    chars = MetamorphicCheck(relations).run(reviews["chars"], reviews["texts"])
    assert [row["status"] for row in words.details] == ["pass", "pass", "fail"]
    assert chars.status == "pass"
    assert words.metrics["failure_rate[typos]"] > 0.2 > chars.metrics["failure_rate[typos]"]


def test_text_perturbations_keep_the_container_and_are_seeded() -> None:
    texts = ["The quick brown fox", "jumps over  the lazy dog"]
    assert P.get("text_case", mode="title")(texts) == ["The Quick Brown Fox", "Jumps Over  The Lazy Dog"]
    assert P.get("text_whitespace", rate=0.0)(tuple(texts)) == (
        " The quick brown fox ",
        " jumps over  the lazy dog ",
    )
    series = pd.Series(texts, index=[10, 20], name="review")
    typed = P.get("text_typos", rate=1.0, seed=4)(series)
    assert list(typed.index) == [10, 20] and typed.name == "review"
    assert typed.tolist() != texts and [len(t.split()) for t in typed] == [4, 5]
    assert typed.tolist() == P.get("text_typos", rate=1.0, seed=4)(series).tolist()
    assert typed.tolist() != P.get("text_typos", rate=1.0, seed=5)(series).tolist()
    frame = pd.DataFrame({"text": texts, "stars": [4, 2]})
    shouted = P.get("text_case", mode="upper", column="text")(frame)
    assert shouted["text"].tolist() == ["THE QUICK BROWN FOX", "JUMPS OVER  THE LAZY DOG"]
    assert frame["text"].tolist() == texts
    array = np.array(texts)
    assert P.get("text_case", mode="swap")(array)[0] == "tHE QUICK BROWN FOX"


def test_text_bad_input_names_the_perturbation_and_row() -> None:
    with pytest.raises(BadInput, match="text_typos: X row 1 is a float, not text"):
        P.get("text_typos")(["fine", float("nan")])
    with pytest.raises(BadInput, match=r"text_case: X is a DataFrame: say which column holds the text"):
        P.get("text_case")(pd.DataFrame({"t": ["a"]}))
    with pytest.raises(BadInput, match="text_whitespace: column 'body' is not in X"):
        P.get("text_whitespace", column="body")(pd.DataFrame({"t": ["a"]}))
    with pytest.raises(BadInput, match=r"text_case: mode 'shout' is not one of lower, upper"):
        P.get("text_case", mode="shout")
    with pytest.raises(BadInput, match=r"text_typos: rate must lie in \[0, 1\]"):
        P.get("text_typos", rate=2)


def test_same_inputs_and_seed_give_bit_identical_results(
    digits: dict[str, Any], reviews: dict[str, Any]
) -> None:
    def run() -> tuple[str, str]:
        image = MetamorphicCheck(
            [Relation("tilt", "invariance", "image_rotation", params={"shape": (8, 8), "seed": 7})]
        ).run(digits["model"], digits["X"])
        text = MetamorphicCheck(
            [Relation("typos", "invariance", "text_typos", params={"rate": 0.5, "seed": 7}, tolerance=0.5)]
        ).run(reviews["words"], reviews["texts"])
        return image.to_json(), text.to_json()

    assert run() == run()
