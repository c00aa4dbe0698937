"""Fixtures for the catalogue tests: writing policy files and keeping the environment clean."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from mltrl.catalog import ENV_POLICY


@pytest.fixture(autouse=True)
def _no_policy_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's own MLTRL_POLICY must not change what these tests see.
    monkeypatch.delenv(ENV_POLICY, raising=False)


@pytest.fixture
def write_policy(tmp_path: Path) -> Callable[[str], Path]:
    """Write YAML text (dedented) to a fresh policy file and return its path."""
    counter = iter(range(1000))

    def write(text: str) -> Path:
        path = tmp_path / f"policy-{next(counter)}.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write
