"""benchmarks/server_load.py runs end to end (--quick), so it cannot rot: concurrent clients on a
real `mltrl serve` get no 5xx, and every write the server acknowledged left exactly its event in the
log (none lost, none duplicated). No timing is asserted: speed is the benchmark's to report
(docs/benchmarks.md). On PostgreSQL (``MLTRL_TEST_DATABASE_URL``) it runs there with 4 workers too.
MLflow's side needs its virtualenv (``--setup``), so it is left to the benchmark itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "server_load.py"


@pytest.mark.slow
@pytest.mark.backend  # reads MLTRL_TEST_DATABASE_URL itself
def test_the_load_benchmark_runs_loses_no_event_and_prints_its_figures() -> None:
    argv = [sys.executable, str(SCRIPT), "--quick", "--no-mlflow", "--json"]
    pg = os.environ.get("MLTRL_TEST_DATABASE_URL")
    if pg:
        argv += ["--pg", pg]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False, cwd=SCRIPT.parent)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    figures = json.loads(lines[-1])
    expected = ["mltrl sqlite, 1 worker"] + (["mltrl postgresql, 4 workers"] if pg else [])
    assert list(figures) == expected
    for label, run in figures.items():
        assert run["server_errors"] == 0 and run["no_answer"] == 0, run
        assert run["read"]["n"] > 0 and run["write"]["n"] > 0, run
        events = run["events"]
        assert events["acknowledged"] > 0 and (events["lost"], events["duplicated"]) == (0, 0), events
        assert any(line.startswith(label) and "lost 0, duplicated 0" in line for line in lines), label
    auth = figures["mltrl sqlite, 1 worker"]["auth"]
    assert auth["anonymous_ms"] > 0 and auth["token_ms"] > 0
    assert any(line.startswith("token authentication:") for line in lines)
