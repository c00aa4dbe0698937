"""Fixtures of the recycling detector's level-7 suite: the detector, the golden set and its file.

Run it against a registry that knows ``recycling/1.1`` (the demo's): ``pytest --mltrl`` records each
marked test as evidence on the detector's current versions; plain ``pytest`` only runs the tests.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mltrl.demo import detector as bins

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def detector() -> bins.Detector:
    return bins.Detector()


@pytest.fixture(scope="session")
def golden_file() -> Path:
    """data/golden-bins.csv: the demo writes it and registers its sha256; written here when missing."""
    path = HERE / "data" / "golden-bins.csv"
    return path if path.is_file() else bins.write_golden(path)


@pytest.fixture(scope="session")
def golden(golden_file: Path) -> tuple[pd.DataFrame, np.ndarray]:
    table = pd.read_csv(golden_file)
    return table.drop(columns="label"), table["label"].to_numpy()
