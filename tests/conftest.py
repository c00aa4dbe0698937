"""Shared fixtures: every test gets a fresh, empty registry on the backend under test.

The backend is SQLite unless ``MLTRL_TEST_DATABASE_URL`` names a PostgreSQL
database; there each test gets its own schema (via ``search_path``), so tests
never see each other's rows and the suite can run against a shared server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from mltrl.service.registry import Registry

ENV_TEST_URL = "MLTRL_TEST_DATABASE_URL"


def _postgres_url() -> str | None:
    return os.environ.get(ENV_TEST_URL) or None


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database that no other test uses (not yet initialised)."""
    base = _postgres_url()
    if base is None:
        yield f"sqlite:///{tmp_path / 'registry.db'}"
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
