"""Fixtures of the hostile suite: a database per module, SQLite or PostgreSQL, populated once.

The registry is built once per module through the real CLI (``mltrl.cli.main``), on SQLite or on
the PostgreSQL server named by ``MLTRL_TEST_DATABASE_URL`` (its own schema, dropped afterwards).
Every bad input is refused without writing, so the cases can share it; a case that wrote would
fail its own "unchanged database" assertion.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from hostile_harness import Hostile, populate


@pytest.fixture(scope="module")
def database(
    database_in: Callable[[Path], AbstractContextManager[str]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A URL to an empty database for this module: SQLite, or a fresh PostgreSQL schema."""
    with database_in(tmp_path_factory.mktemp("hostile")) as url:
        yield url


@pytest.fixture(scope="module")
def hostile(database: str, tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    return populate(database, tmp_path_factory.mktemp("files"))


@pytest.fixture
def fresh_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory to run ``mltrl`` in with no registry and no environment pointing at one."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLTRL_DATABASE_URL", raising=False)
    monkeypatch.setenv("MLTRL_ACTOR", "tester")
    return tmp_path
