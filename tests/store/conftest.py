"""Helpers for the multi-process tests: real processes that write at the same instant.

``together`` runs the real CLI in each process; ``racing`` runs a Python snippet on the real API,
for races that need many rounds to meet (a few statements long, they rarely overlap in one round).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

import pytest

# Each process imports what it needs first, then waits for the same wall-clock instant, so the
# writes themselves overlap.
PRELUDE = """
import sys, time
start = float(sys.argv[1])
import mltrl.cli.app, mltrl.service.registry, mltrl.monitor.files, mltrl.monitor.drift
from mltrl.cli import main
from mltrl.errors import MltrlError
from mltrl.service.registry import Registry
time.sleep(max(0.0, start - time.time()))


def next_round(k: int, every: float = 0.05) -> None:
    # round k starts at the same instant in every process, so each round is a race
    time.sleep(max(0.0, start + k * every - time.time()))
"""
CLI = PRELUDE + "sys.exit(main(sys.argv[2:]))\n"

Results = list[subprocess.CompletedProcess[str]]
Together = Callable[[list[list[str]]], Results]
Racing = Callable[[str, list[list[str]]], Results]


def start_together(code: str, argvs: list[list[str]], *, lead: float = 2.5) -> Results:
    """Run ``code`` in one process per ``argv`` (as ``sys.argv[2:]``), all starting at one instant."""
    start = time.time() + lead  # after every interpreter has started and imported
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(start), *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for argv in argvs
    ]
    results = []
    for proc, argv in zip(procs, argvs, strict=True):
        out, err = proc.communicate(timeout=180)
        results.append(subprocess.CompletedProcess(argv, proc.returncode, out, err))
    return results


@pytest.fixture
def together() -> Together:
    """``together([argv, ...])``: one ``mltrl ARGV`` process per argv, started at one instant."""
    return lambda argvs: start_together(CLI, argvs)


@pytest.fixture
def racing() -> Racing:
    """``racing(snippet, [argv, ...])``: the snippet (with ``Registry``, ``MltrlError``,
    ``next_round(k)`` and ``sys.argv[2:]`` = argv) in one process per argv, started at one instant."""
    return lambda snippet, argvs: start_together(PRELUDE + snippet, argvs)


@pytest.fixture(autouse=True)
def _components_enter_with_a_reason(lenient_entry: object) -> None:
    """Races need components at high levels, not entry reviews (``lenient_entry``, tests/conftest.py)."""
