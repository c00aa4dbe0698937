"""Which policy file applies: explicit path > $MLTRL_POLICY > <home>/policy.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from mltrl.catalog import ENV_POLICY, find_policy, load_catalog
from mltrl.errors import PolicyError


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A registry's .mltrl directory holding a policy.yaml."""
    directory = tmp_path / ".mltrl"
    directory.mkdir()
    (directory / "policy.yaml").write_text("version: 1\n", encoding="utf-8")
    return directory


def test_explicit_path_wins_over_environment_and_home(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_POLICY, str(tmp_path / "from-env.yaml"))
    assert find_policy(home, explicit=tmp_path / "explicit.yaml") == tmp_path / "explicit.yaml"
    assert find_policy(home, explicit=str(tmp_path / "explicit.yaml")) == tmp_path / "explicit.yaml"


def test_environment_wins_over_home(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_POLICY, str(tmp_path / "from-env.yaml"))
    assert find_policy(home) == tmp_path / "from-env.yaml"


def test_home_policy_is_used_when_nothing_else_is_given(home: Path) -> None:
    assert find_policy(home) == home / "policy.yaml"


def test_no_policy_anywhere_means_none(tmp_path: Path) -> None:
    assert find_policy(None) is None
    assert find_policy(tmp_path) is None  # a home without policy.yaml


def test_an_empty_environment_variable_is_ignored(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_POLICY, "")
    assert find_policy(home) == home / "policy.yaml"


def test_a_named_policy_that_does_not_exist_is_reported_not_skipped(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Falling back to the defaults would silently drop the organisation's rules.
    missing = tmp_path / "typo.yaml"
    monkeypatch.setenv(ENV_POLICY, str(missing))
    found = find_policy(home)
    assert found == missing
    with pytest.raises(PolicyError, match=f"policy {missing}: cannot read"):
        load_catalog(found)


def test_found_home_policy_is_applied(home: Path) -> None:
    (home / "policy.yaml").write_text(
        "version: 1\nsettings: {separation_of_duties: false}\n", encoding="utf-8"
    )
    assert load_catalog(find_policy(home)).settings.separation_of_duties is False
