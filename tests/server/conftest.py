"""Fixtures: a real `mltrl serve` over a populated registry, per test or shared by a module."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from server_site import LENIENT_ENTRY, DatabaseIn, Site, populate, start_server, stop_server

from mltrl.service.registry import Registry


@contextmanager
def serving(db_url: str, directory: Path) -> Iterator[Site]:
    """A populated registry at ``db_url`` served by `mltrl serve`, under a lenient entry policy."""
    policy = directory / "lenient-entry.yaml"
    policy.write_text(LENIENT_ENTRY)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLTRL_POLICY", str(policy))
        with Registry.init(db=db_url, actor="test-setup") as reg:
            tokens = populate(reg)
        log = directory / "server.log"
        url, process = start_server(db_url, log)
        try:
            yield Site(url, db_url, tokens, log, process)
        finally:
            stop_server(process)


@pytest.fixture
def site(db_url: str, tmp_path: Path) -> Iterator[Site]:
    """A server of this test's own: for tests that change who may do what, or stop it."""
    with serving(db_url, tmp_path) as served:
        yield served


@pytest.fixture(scope="module")
def shared_site(database_in: DatabaseIn, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One server for a module's tests that change nothing it relies on (refusals, reads)."""
    directory = tmp_path_factory.mktemp("shared-site")
    with database_in(directory) as url, serving(url, directory) as served:
        yield served
