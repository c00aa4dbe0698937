"""benchmarks/registry_vs_mlflow.py runs end to end (--quick) and prints every figure it promises.

No timing is asserted here: speed is the benchmark's to report (docs/benchmarks.md).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "registry_vs_mlflow.py"


def test_the_registry_benchmark_runs_and_prints_each_figure() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for label in (
        "register models + versions",
        "moves, one call each, cards on",
        "read every model's state",
        "read one model's history",
        "cold read, new process",
        "registry growth per move",
        "move, cards on, project of 10 components",
        "move, synchronous FULL (default) / NORMAL",
        "bulk import / raw executemany, same rows",
    ):
        line = next((x for x in out.splitlines() if label in x), None)
        assert line is not None, f"no line for {label!r} in:\n{out}"
        assert any(ch.isdigit() for ch in line.split(label)[1]), f"no figure for mltrl in {line!r}"
    mltrl_errors = [x for x in out.splitlines() if x.startswith("error:") and "--setup" not in x]
    assert mltrl_errors == []
