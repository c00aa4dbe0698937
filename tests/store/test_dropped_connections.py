"""A PostgreSQL server that drops the registry's connections (a restart, an ended session): reads
go on, a write fails whole with one line and nothing written, and the next one works.

SQLite has no connection to drop: these run on PostgreSQL (``MLTRL_TEST_DATABASE_URL``).
"""

from __future__ import annotations

import time

import psycopg
import pytest

from mltrl.errors import StoreError
from mltrl.service.registry import Registry
from mltrl.store import engine

PAST = "2025-01-01T00:00:00+00:00"
pytestmark = pytest.mark.postgres_only  # the SQLite run leaves these out (tests/conftest.py)


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("p", "P")
    registry.components.add("p/1", "Model", kind="model", level=0)
    return registry


def drop_connection(reg: Registry, db_url: str) -> None:
    """End the server session behind the registry's pooled connection, as a restart would."""
    pid = reg._read(lambda r: r.scalar("SELECT pg_backend_pid()"))
    plain = db_url.split("?")[0].replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
    for _ in range(50):  # the backend is gone once the server says so
        with psycopg.connect(plain, autocommit=True) as admin:
            if not admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchall():
                return
        time.sleep(0.05)


def test_a_read_on_a_dropped_connection_is_made_again_on_a_new_one(reg: Registry, db_url: str) -> None:
    drop_connection(reg, db_url)
    status = reg.status("p")
    assert [n.component.ref for n in status.roots] == ["p/1"] and status.system_level == 0


def test_a_write_on_a_just_dropped_connection_fails_whole_and_the_next_works(
    reg: Registry, db_url: str
) -> None:
    before = reg.counts()
    drop_connection(reg, db_url)
    dropped = r"cannot use the registry at .*: terminating connection due to administrator command$"
    with pytest.raises(StoreError, match=dropped):
        reg.versions.register("p/1", "model", "1.0.0")
    assert reg.counts() == before
    reg.versions.register("p/1", "model", "1.0.0")
    assert reg.counts()["versions"] == before["versions"] + 1


def test_a_connection_dropped_while_idle_is_replaced_before_a_write(
    reg: Registry, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "PING_AFTER_IDLE_S", 0.0)  # every pooled connection counts as idle
    before = reg.counts()
    drop_connection(reg, db_url)
    reg.versions.register("p/1", "model", "1.0.0")  # checked, found dropped, replaced: no error
    assert reg.counts()["versions"] == before["versions"] + 1
