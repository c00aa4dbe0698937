"""benchmarks/deployment_tests.py runs end to end (--quick) and prints every figure it promises.

No rate or timing is asserted here: the benchmark reports them (docs/benchmarks.md); the A/A and power
properties themselves are tested in tests/deploy/test_comparisons.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "deployment_tests.py"


def test_the_deployment_benchmark_runs_and_prints_each_figure() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr
    for label in (
        "canary cries harm (target <= 5%)",
        "A/B fails: decides hold (target <= 5%)",
        "canary catches it (target >= 80%)",
        "sequential canary, mean requests per arm",
        "fixed-horizon z-test needs",
        "SimToRealCheck (drift + domain AUC)",
        "A/A: 10 runs on one distribution fail",
    ):
        assert label in result.stdout, label
