"""Shared fixtures: every test gets a fresh, empty registry on the backend under test.

The backend is SQLite unless ``MLTRL_TEST_DATABASE_URL`` names a PostgreSQL
database; there each test gets its own schema (via ``search_path``), so tests
never see each other's rows and the suite can run against a shared server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from mltrl.service.registry import Registry

ENV_TEST_URL = "MLTRL_TEST_DATABASE_URL"

# Every project card revision a move derives from the one before is checked, throughout the suite
# (and in the CLI and server processes the tests start), against the card assembled whole.
os.environ.setdefault("MLTRL_VERIFY_CARDS", "1")


def _postgres_url() -> str | None:
    return os.environ.get(ENV_TEST_URL) or None


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database that no other test uses (not yet initialised)."""
    with fresh_database(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def database_in() -> Callable[[Path], AbstractContextManager[str]]:
    """:func:`fresh_database`, for fixtures of a wider scope than one test (a module's shared data)."""
    return fresh_database


@contextmanager
def fresh_database(directory: Path) -> Iterator[str]:
    """An empty database on the backend under test (a file in ``directory``, or a schema of its
    own on PostgreSQL), dropped afterwards: for fixtures that outlive one test."""
    base = _postgres_url()
    if base is None:
        yield f"sqlite:///{directory / 'registry.db'}"
        return
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    plain = base.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def backend(db_url: str) -> str:
    return "postgresql" if db_url.startswith("postgresql") else "sqlite"


@pytest.fixture
def registry(db_url: str) -> Iterator[Registry]:
    """An initialised, empty registry acting as ``tester``."""
    with Registry.init(db=db_url, actor="tester") as reg:
        yield reg


#: Debian's Chromium; tests never download a browser.
CHROMIUM = "/usr/bin/chromium"
#: Without these, Chromium keeps trying to reach Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Chromium driven by Playwright, shared by the session's browser tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


#: The policy of an organisation that lets a component enter at any level with a reason alone.
LENIENT_ENTRY = "version: 1\nsettings:\n  entry_without_review_up_to: 9\n"


@pytest.fixture
def lenient_entry(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run under a policy that lets components enter at any level with a reason (``MLTRL_POLICY``).

    For tests whose subject is not how a component enters (monitoring, data sets, hostile input ...)
    and that need one at level 4 or above; tests/reviews/test_paper_rules.py and tests/cli/test_cli_rules.py
    check the shipped rule, entry reviews above level 3, on the shipped defaults.
    """
    path = tmp_path_factory.mktemp("policy") / "lenient-entry.yaml"
    path.write_text(LENIENT_ENTRY)
    monkeypatch.setenv("MLTRL_POLICY", str(path))
    return path


#: Fixtures through which a test reaches the backend under test. A test whose fixtures include none
#: of them runs the same whatever MLTRL_TEST_DATABASE_URL says.
BACKEND_FIXTURES = frozenset({"db_url", "database_in"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, run only the tests that reach the database under test: the others do the
    same on every backend and ran in the SQLite run (``scripts/test`` without the variable). On
    SQLite, leave out the tests of what only a database server has (``postgres_only``)."""
    if _postgres_url() is None:
        server_only = [item for item in items if item.get_closest_marker("postgres_only")]
        if server_only:
            config.hook.pytest_deselected(items=server_only)
            items[:] = [item for item in items if not item.get_closest_marker("postgres_only")]
        return
    keep, same_everywhere = [], []
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & BACKEND_FIXTURES or item.get_closest_marker("backend"):
            keep.append(item)
        else:
            same_everywhere.append(item)
    if same_everywhere:
        config.hook.pytest_deselected(items=same_everywhere)
        items[:] = keep
