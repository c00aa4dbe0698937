"""Durable by default: every move acknowledged before a crash is still there after it.

The registry records signatures and decisions, so SQLite commits with ``synchronous = FULL`` unless
``MLTRL_SQLITE_SYNCHRONOUS=NORMAL`` is chosen for a bulk import. A process killed with SIGKILL in the
middle of many moves leaves a registry that opens, replays cleanly, and holds every acknowledged move.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mltrl.errors import StoreError
from mltrl.service.registry import Registry

#: One process moves a component 1,000 times, printing each move's sequence number once it committed.
MOVER = """
import sys
from datetime import UTC, datetime, timedelta
from mltrl.service.registry import Registry

reg = Registry.open(sys.argv[1], actor="mover")
at = datetime.now(UTC) - timedelta(days=30)
level = 0
for n in range(1000):
    at += timedelta(seconds=1)
    if level < 9:
        moved = reg.components.import_graduation("crash/1", approver="history", at=at)
    else:
        moved = reg.components.switchback("crash/1", 0, kind="discovery", reason="start over", at=at)
    level = moved.level
    print(moved.seq, flush=True)
"""


@pytest.mark.slow
def test_a_kill_in_the_middle_of_a_thousand_moves_loses_no_acknowledged_move(
    registry: Registry, db_url: str
) -> None:
    registry.projects.create("crash", "Crash", at="2020-01-01")
    registry.components.add("crash/1", "Model", kind="model", level=0, at="2020-01-02")
    mover = subprocess.Popen(
        [sys.executable, "-c", MOVER, db_url], stdout=subprocess.PIPE, text=True, bufsize=1
    )
    assert mover.stdout is not None
    acknowledged = 1
    for line in mover.stdout:
        acknowledged = int(line)
        if acknowledged >= 200:  # well into the run, with writes in flight
            break
    os.kill(mover.pid, signal.SIGKILL)
    mover.wait()
    time.sleep(0.1)
    with Registry.open(db_url) as after:
        report = after.doctor()
        assert report.healthy, report.problems
        assert after.components.get("crash/1").seq >= acknowledged


def test_sqlite_commits_are_fully_synced_unless_told_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A SQLite setting, on either backend run: PostgreSQL's durability is the server's own
    # (fsync, synchronous_commit), which mltrl leaves at its safe defaults.
    from mltrl.store.engine import make_engine
    from mltrl.store.location import locate

    db_url = f"sqlite:///{tmp_path / 'durable.db'}"
    Registry.init(db=db_url).close()

    def mode() -> int:
        engine = make_engine(locate(db_url))
        with engine.connect() as conn:
            value = conn.exec_driver_sql("PRAGMA synchronous").scalar()
        engine.dispose()
        return int(value)

    assert mode() == 2  # FULL
    monkeypatch.setenv("MLTRL_SQLITE_SYNCHRONOUS", "normal")
    assert mode() == 1  # NORMAL, for a bulk import that can be run again
    monkeypatch.setenv("MLTRL_SQLITE_SYNCHRONOUS", "sometimes")
    with pytest.raises(StoreError, match="MLTRL_SQLITE_SYNCHRONOUS: 'SOMETIMES' is not one of FULL, NORMAL"):
        mode()
