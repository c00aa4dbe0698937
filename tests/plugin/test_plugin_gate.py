"""`pytest --mltrl-gate REF`: after recording, the run fails when the gate does not hold (as `mltrl gate`)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from plugin_harness import REF, evidence

from mltrl.service.registry import Registry

pytest_plugins = ["pytester"]

GOOD = """
import pytest

@pytest.mark.mltrl(component="recycling/1.1", criterion="L7.golden-dataset")
def test_good():
    pass
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:cacheprovider", *args)


def test_a_gate_that_does_not_hold_fails_the_run_with_the_verdict_of_mltrl_gate(
    pytester: pytest.Pytester, seeded: Registry, db_url: str
) -> None:
    pytester.makepyfile(test_suite=GOOD)
    result = run(pytester, "--mltrl-db", db_url, "--mltrl-gate", f"{REF}@next")  # implies --mltrl
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    verdict = seeded.components.gate(REF, 7)
    assert not verdict.holds
    lines = [f"gate of {REF} at the end of level 7: does NOT hold"] + [
        f"  {c.status:<8} {c.id} ({c.kind}): {c.reason}" for c in verdict.criteria
    ]
    result.stdout.fnmatch_lines(lines, consecutive=True)
    # A test that merely passes records evidence, but backs no golden criterion: that takes a
    # stored golden score of the current model (mltrl_evidence.golden, below).
    assert len(evidence(seeded)) == 1 and evidence(seeded)[0].outcome == "pass"
    golden = next(c for c in verdict.criteria if c.id == "L7.golden-dataset")
    assert golden.status == "unmet" and "no score of model 1.0.0" in golden.reason


def test_a_gate_that_holds_leaves_the_exit_status_alone(
    pytester: pytest.Pytester, seeded: Registry, db_url: str
) -> None:
    pytester.makepyfile(test_suite=GOOD)
    # recycling/2.1 entered at level 1: the gate its level claims (the end of level 0) holds.
    result = run(pytester, "--mltrl-db", db_url, "--mltrl-gate", "recycling/2.1")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["gate of recycling/2.1 at the end of level 0: holds"])
    assert seeded.components.gate("recycling/2.1").holds


def test_the_gate_setting_of_pyproject_applies_under_mltrl(
    pytester: pytest.Pytester, seeded: Registry, db_url: str
) -> None:
    pytester.makepyfile(test_suite=GOOD)
    pytester.makepyprojecttoml(f'[tool.mltrl]\ndb = "{db_url}"\ngate = ["recycling/2.1", "{REF}@7"]\n')
    result = run(pytester, "--mltrl")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "gate of recycling/2.1 at the end of level 0: holds",
            f"gate of {REF} at the end of level 7: does NOT hold",
        ]
    )
    # The option overrides the setting.
    assert run(pytester, "--mltrl", "--mltrl-gate", "recycling/2.1").ret == pytest.ExitCode.OK


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("recycling/7.7", "no component '7.7' in project 'recycling'"),
        ("recycling/1.1@eleven", "--mltrl-gate recycling/1.1@eleven"),
    ],
)
def test_a_gate_that_cannot_be_evaluated_is_refused_before_the_suite_runs(
    pytester: pytest.Pytester, seeded: Registry, db_url: str, spec: str, message: str
) -> None:
    pytester.makepyfile(test_suite=GOOD)
    result = run(pytester, "--mltrl-db", db_url, "--mltrl-gate", spec)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert f"mltrl: {message}" in result.stderr.str()
    assert evidence(seeded) == []


SKLEARN_SUITE = """
import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mltrl.checks import GoldenCheck

GOLDEN = "golden.npz"  # registered as golden-cans 1.1.0, with its sha256


@pytest.fixture(scope="module")
def model():
    data = load_breast_cancer()
    X_train, _, y_train, _ = train_test_split(data.data, data.target, test_size=0.3, random_state=0)
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X_train, y_train)


@pytest.mark.mltrl(component="recycling/1.1", criterion="L7.golden-dataset", rubric="M6")
def test_golden_accuracy(model, mltrl_evidence):
    golden = np.load(mltrl_evidence.read(GOLDEN))
    check = GoldenCheck(metric="accuracy", minimum=0.9, n_boot=200)
    result = mltrl_evidence.golden("golden-cans", model, golden["X"], golden["y"], check=check, path=GOLDEN)
    result.assert_pass()


@pytest.mark.mltrl(component="recycling/1.1", criterion="L7.metamorphic", rubric="M5")
def test_codified_relations_hold(model, mltrl_evidence):
    mltrl_evidence.relations(model, np.load(GOLDEN)["X"]).assert_pass()
"""


def test_a_real_pytest_process_on_a_scikit_learn_model(tmp_path: Path, seeded: Registry, db_url: str) -> None:
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    data = load_breast_cancer()
    _, X_test, _, y_test = train_test_split(data.data, data.target, test_size=0.3, random_state=0)
    np.savez(tmp_path / "golden.npz", X=X_test, y=y_test)
    seeded.datasets.add_version("golden-cans", "1.1.0", path=tmp_path / "golden.npz")
    seeded.relations.add(
        REF, "noise", kind="invariance", perturbation="gaussian_noise", params={"scale": 0.01}, tolerance=0.05
    )
    (tmp_path / "test_model.py").write_text(textwrap.dedent(SKLEARN_SUITE))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "MLTRL_DATABASE"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--mltrl", "--mltrl-db", db_url],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "recorded 2 piece(s) of evidence" in done.stdout
    assert (
        "criteria with evidence from this run: L7.golden-dataset (1 pass), L7.metamorphic (1 pass)"
        in done.stdout
    )
    rows = {e.criterion_id: e for e in evidence(seeded)}
    golden = rows["L7.golden-dataset"]
    assert golden.outcome == "pass" and golden.source == "pytest"
    assert (
        golden.metrics["accuracy"] >= 0.9 and golden.metrics["accuracy_ci_low"] < golden.metrics["accuracy"]
    )
    assert "read " in golden.note and "golden.npz sha256 " in golden.note
    (score,) = seeded.golden.history(REF)  # stored beside the one piece of evidence the run recorded
    assert (score.evidence_id, score.model_version, score.dataset_version) == (golden.id, "1.0.0", "1.1.0")
    assert rows["L7.metamorphic"].outcome == "pass"
    assert seeded.relations.results(REF)["noise"].evidence_id == rows["L7.metamorphic"].id
    gate = {c.id: c.status for c in seeded.components.gate(REF, 7).criteria}
    assert gate["L7.golden-dataset"] == gate["L7.metamorphic"] == "met"
