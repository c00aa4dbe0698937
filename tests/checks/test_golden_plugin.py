"""The pytest plugin scores the golden succession: mltrl_evidence.golden stores the score beside the
test's one piece of evidence (recorded once, at the end of the run), and writes nothing without --mltrl."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mltrl.service.registry import Registry

pytest_plugins = ["pytester"]
REF = "rec/1.1"

SUITE = """
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from mltrl.checks import GoldenCheck

CHECK = GoldenCheck(metric="accuracy", minimum=0.85, max_drop_vs_champion=0.02, n_boot=200)


@pytest.fixture(scope="module")
def data():
    X, y = load_breast_cancer(return_X_y=True)
    return train_test_split(X, y, test_size=0.4, random_state=0)


@pytest.mark.mltrl(component="rec/1.1", criterion="L7.golden-dataset")
def test_golden(data, mltrl_evidence):
    X_train, X_gold, y_train, y_gold = data
    model = LogisticRegression(max_iter={iterations}).fit(X_train, y_train)
    mltrl_evidence.golden("golden-bins", model, X_gold, y_gold, check=CHECK).assert_pass()
"""

WRONG_CRITERION = """
import numpy as np
import pytest
from mltrl.checks import GoldenCheck


@pytest.mark.mltrl(component="rec/1.1", criterion="L7.metamorphic")
def test_golden_under_the_wrong_criterion(mltrl_evidence):
    y = np.arange(40) % 2
    mltrl_evidence.golden("golden-bins", y, np.zeros((40, 1)), y, check=GoldenCheck(minimum=0.5))
"""


@pytest.fixture
def seeded(db_url: str, lenient_entry: Path) -> Iterator[Registry]:
    with Registry.init(db=db_url, actor="tester") as reg:
        reg.projects.create("rec", "Recycling")
        reg.components.add(REF, "Detector", kind="model", level=7, reason="built before the registry")
        reg.versions.register(REF, "model", "1.0.0")
        reg.datasets.add("rec", "golden-bins", "Golden bins", kind="real")
        reg.datasets.add_version("golden-bins", "1.0.0")
        reg.datasets.link("golden-bins", REF, "golden")
        yield reg


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:cacheprovider", *args)


def test_each_run_scores_the_current_model_against_its_champion(
    pytester: pytest.Pytester, seeded: Registry, db_url: str
) -> None:
    pytester.makepyfile(test_succession_suite=SUITE.format(iterations=5000))
    run(pytester, "--mltrl", "--mltrl-db", db_url).assert_outcomes(passed=1)
    seeded.versions.register(REF, "model", "2.0.0")
    run(pytester, "--mltrl", "--mltrl-db", db_url).assert_outcomes(passed=1)
    first, second = seeded.golden.history(REF)
    assert (first.model_version, first.champion_version) == ("1.0.0", None)
    assert (second.model_version, second.champion_version) == ("2.0.0", "1.0.0")
    assert second.result["metrics"]["accuracy_diff"] == 0.0  # the same model, paired on the same rows
    evidence = seeded.evidence.list(REF)
    assert [e.id for e in evidence] == [first.evidence_id, second.evidence_id]  # once per run, not twice
    assert all(e.source == "pytest" and e.outcome == "pass" for e in evidence)
    assert evidence[-1].metrics["accuracy_diff"] == 0.0
    (criterion,) = [c for c in seeded.components.gate(REF, 7).criteria if c.id == "L7.golden-dataset"]
    assert criterion.status == "met"


def test_a_worse_candidate_fails_its_test_and_its_failed_score_is_stored(
    pytester: pytest.Pytester, seeded: Registry, db_url: str
) -> None:
    pytester.makepyfile(test_succession_suite=SUITE.format(iterations=5000))
    run(pytester, "--mltrl", "--mltrl-db", db_url).assert_outcomes(passed=1)
    seeded.versions.register(REF, "model", "2.0.0")
    pytester.makepyfile(test_succession_suite=SUITE.format(iterations=1))  # barely trained
    result = run(pytester, "--mltrl", "--mltrl-db", db_url)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*AssertionError: golden: fail: *"])
    assert [s.status for s in seeded.golden.history(REF)] == ["pass", "fail"]
    assert seeded.evidence.list(REF)[-1].outcome == "fail"
    (criterion,) = [c for c in seeded.components.gate(REF, 7).criteria if c.id == "L7.golden-dataset"]
    assert criterion.status == "unmet" and "model 2.0.0 fail" in criterion.reason


def test_without_mltrl_the_check_runs_and_nothing_is_written(
    pytester: pytest.Pytester, seeded: Registry, db_url: str
) -> None:
    pytester.makepyfile(test_succession_suite=SUITE.format(iterations=5000))
    pytester.makepyprojecttoml(f'[tool.mltrl]\ndb = "{db_url}"\n')
    before = seeded.counts()
    run(pytester).assert_outcomes(passed=1)
    assert seeded.counts() == before and seeded.golden.history(REF) == []


def test_golden_needs_the_golden_criterion_on_the_marker(
    pytester: pytest.Pytester, seeded: Registry, db_url: str
) -> None:
    pytester.makepyfile(test_wrong_criterion_suite=WRONG_CRITERION)
    result = run(pytester, "--mltrl", "--mltrl-db", db_url)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*mltrl_evidence.golden: mark the test *criterion='L7.golden-dataset'*"])
    assert seeded.golden.history(REF) == []
