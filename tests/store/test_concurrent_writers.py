"""Real processes writing at the same moment: one wins a race, nobody loses or duplicates an event."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from mltrl.demo import _reviewing
from mltrl.service.registry import Registry

# Each process waits for the same wall-clock instant, then runs the CLI, so the writes truly overlap.
LAUNCHER = """
import sys, time
start = float(sys.argv[1])
time.sleep(max(0.0, start - time.time()))
from mltrl.cli import main
sys.exit(main(sys.argv[2:]))
"""


def start_together(commands: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    start = time.time() + 1.5  # after every interpreter has started and imported
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, str(start), *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for argv in commands
    ]
    results = []
    for proc, argv in zip(procs, commands, strict=True):
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(argv, proc.returncode, out, err))
    return results


def graduate_events(reg: Registry, ref: str, kind: str = "graduate") -> list[int]:
    return [e.seq for e in reg.history(ref, lifecycle_only=True) if e.kind == kind]


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(4))
def test_two_processes_importing_the_same_graduation(registry: Registry, db_url: str, attempt: int) -> None:
    past = datetime.now(UTC) - timedelta(days=10)
    registry.projects.create("race", "Race", at=past)
    registry.components.add(
        "race/1", "Model", kind="model", level=4, at=past, reason="work done before the registry"
    )
    when = (past + timedelta(days=1)).isoformat()
    argv = ["--db", db_url, "import-graduation", "race/1", "--approver", "x", "--at", when, "--to", "5"]
    results = start_together([[*argv[:2], "--actor", f"p{i}", *argv[2:]] for i in range(2)])
    codes = sorted(r.returncode for r in results)
    assert codes == [0, 2], [r.stderr for r in results]
    loser = next(r for r in results if r.returncode == 2)
    assert loser.stderr.count("\n") == 1
    assert "already at level 5" in loser.stderr or "changed by someone else" in loser.stderr
    assert registry.components.get("race/1").level == 5
    assert graduate_events(registry, "race/1", "import") == [2]
    assert registry.doctor().healthy


@pytest.mark.slow
def test_two_processes_deciding_the_same_review(registry: Registry, db_url: str) -> None:
    registry.projects.create("race", "Race", rd_owner="owner")
    registry.components.add(
        "race/1", "Model", kind="model", level=4, reason="prototype built before the registry"
    )
    registry.datasets.add("race", "real-data", "Real data", kind="real")
    registry.datasets.link("real-data", "race/1", "train")
    now = datetime.now(UTC)
    review = _reviewing.staffed_review(registry, "race/1", now, {})
    _reviewing.complete(registry, review, now)
    argv = ["--db", db_url, "review", "decide", str(review), "graduate"]
    results = start_together([argv, argv])
    assert sorted(r.returncode for r in results) == [0, 2], [r.stderr for r in results]
    loser = next(r for r in results if r.returncode == 2)
    # which check stops the loser depends on where the two transactions meet on PostgreSQL: the
    # review row, the component's sequence number, or a unique key; each is one line, nothing written
    assert loser.stderr.count("\n") == 1, loser.stderr
    assert any(
        text in loser.stderr
        for text in (
            "decided",
            "changed by someone else",
            "someone else meanwhile",
            "another change landed first",
        )
    ), loser.stderr
    assert registry.components.get("race/1").level == 5
    assert graduate_events(registry, "race/1") == [2]
    assert registry.reviews.get(review).record.status == "decided"
    assert registry.doctor().healthy


@pytest.mark.slow
def test_many_writers_lose_and_duplicate_nothing(registry: Registry, db_url: str) -> None:
    registry.projects.create("busy", "Busy")
    writers, rounds = 4, 12
    for i in range(writers):
        registry.components.add(
            f"busy/{i + 1}", f"part {i}", kind="model", level=3, reason="work done before the registry"
        )
    before = registry.counts()["events"]
    # Each writer pauses and resumes its own component `rounds` times, in one process per writer,
    # all hitting the registry at once.
    script = """
import sys, time
start = float(sys.argv[1]); url = sys.argv[2]; ref = sys.argv[3]; rounds = int(sys.argv[4])
time.sleep(max(0.0, start - time.time()))
from mltrl.service.registry import Registry
with Registry.open(db=url, actor=ref) as reg:
    for _ in range(rounds):
        reg.components.pause(ref, reason="waiting")
        reg.components.resume(ref, reason="back")
        reg.versions.register(ref, "code", f"1.0.{_}")
"""
    start = time.time() + 1.5
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(start), db_url, f"busy/{i + 1}", str(rounds)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(writers)
    ]
    errors = [p.communicate(timeout=180)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * writers, errors
    assert registry.counts()["events"] == before + writers * rounds * 3
    for i in range(writers):
        seqs = [e.seq for e in registry.history(f"busy/{i + 1}", lifecycle_only=True)]
        assert seqs == list(range(1, 2 * rounds + 2))
    assert registry.doctor().healthy
