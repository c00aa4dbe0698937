"""`pytest --mltrl`: marked tests become evidence on the component's current versions, in one go.

Every test runs a real inner pytest session (pytester) against a real registry (SQLite or PostgreSQL).
"""

from __future__ import annotations

import hashlib
import json
import subprocess

import pytest
from plugin_harness import blob, evidence

from mltrl.service.registry import Registry

pytest_plugins = ["pytester"]
GOLDEN = b"x,y\n1,0\n"

SUITE = """
import pytest

class Result:
    def __init__(self, status, accuracy):
        self.status, self.accuracy = status, accuracy
    def to_json(self):   # any object with to_json() will do, not only mltrl.checks.CheckResult
        return {"check": "golden", "status": self.status, "metrics": {"accuracy": self.accuracy},
                "intervals": {"accuracy": [self.accuracy - 0.25, self.accuracy + 0.25]}, "n": 2}

@pytest.mark.mltrl(component="recycling/1.1", criterion="L7.golden-dataset", rubric="M6")
def test_golden(mltrl_evidence):
    path = mltrl_evidence.read("golden.csv")
    assert path.read_text().startswith("x,y")
    mltrl_evidence.metric("rows", 2)
    mltrl_evidence.result(Result("pass", 0.75))

@pytest.mark.mltrl(component="recycling/1.1", criterion="L7.metamorphic")
def test_metamorphic_fails():
    assert 1 + 1 == 3

@pytest.mark.mltrl(component="recycling/1.1", requirement="1", step=1)
def test_recall(mltrl_evidence):
    mltrl_evidence.result(Result("insufficient", 0.5))   # passes as a test, but decides nothing

@pytest.mark.mltrl(component="recycling/1.1", criterion="L7.data-validation")
@pytest.mark.skip(reason="no data yet")
def test_skipped():
    pass

def test_unmarked():
    pass
"""


def run(pytester: pytest.Pytester, db_url: str, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:cacheprovider", "--mltrl-db", db_url, *args)


def test_records_each_marked_outcome_on_current_versions(
    pytester: pytest.Pytester, seeded: Registry, db_url: str
) -> None:
    (pytester.path / "golden.csv").write_bytes(GOLDEN)
    pytester.makepyfile(test_suite=SUITE)
    subprocess.run(["git", "init", "-q"], cwd=pytester.path, check=True)
    subprocess.run(["git", "add", "."], cwd=pytester.path, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qm", "suite"],
        cwd=pytester.path,
        check=True,
    )
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=pytester.path, capture_output=True, text=True, check=True
    ).stdout.strip()

    result = run(pytester, db_url, "--mltrl")
    result.assert_outcomes(passed=3, failed=1, skipped=1)

    rows = {e.note.split()[1].rstrip(":").split("::")[1]: e for e in evidence(seeded)}
    assert set(rows) == {"test_golden", "test_metamorphic_fails", "test_recall"}  # skipped proves nothing
    golden = rows["test_golden"]
    assert (golden.criterion_id, golden.outcome, golden.source, golden.kind) == (
        "L7.golden-dataset",
        "pass",
        "pytest",
        "test-run",
    )
    assert golden.versions == {"model": "1.0.0", "data": "1.0.0"}
    assert golden.metrics == {
        "rows": 2,
        "accuracy": 0.75,
        "accuracy_ci_low": 0.5,
        "accuracy_ci_high": 1.0,
        "n": 2,
        "status": "pass",
    }
    digest = hashlib.sha256(GOLDEN).hexdigest()
    assert f"read golden.csv sha256 {digest}" in golden.note
    assert f"git {commit[:12]}" in golden.note
    provenance = json.loads(blob(seeded, golden.files[0]["sha256"]) or b"")
    assert provenance["test"] == "test_suite.py::test_golden"
    assert provenance["git"] == {"commit": commit, "dirty": False}
    assert provenance["read"] == [{"path": "golden.csv", "sha256": digest, "size": 8}]
    assert provenance["rubric"] == ["M6"]
    assert provenance["results"][0]["status"] == "pass"

    assert rows["test_metamorphic_fails"].outcome == "fail"
    recall = rows["test_recall"]
    # An insufficient check is no pass, even though the test itself did not assert.
    assert (recall.requirement, recall.step_number, recall.outcome) == ("1", 1, "fail")
    step = next(s for s in seeded.requirements.list("recycling")[0].steps if s.number == 1)
    assert step.status == "failed"


def test_coverage_summary_names_what_the_next_gate_got_and_lacks(
    pytester: pytest.Pytester, seeded: Registry, db_url: str
) -> None:
    (pytester.path / "golden.csv").write_bytes(GOLDEN)
    pytester.makepyfile(test_suite=SUITE)
    result = run(pytester, db_url, "--mltrl")
    result.stdout.fnmatch_lines(
        [
            "*= mltrl =*",
            "recorded 3 piece(s) of evidence in *",
            "recycling/1.1 (level 7): its next gate, at the end of level 7",
            "  criteria with evidence from this run: L7.golden-dataset (1 pass), L7.metamorphic (1 fail)",
            "  criteria without: L7.critical-scenarios, L7.data-validation, L7.uncertainty, "
            "L7.ml-test-score, L7.ethics-checklist, L7.parts-ready",
            "  requirement V&V steps with evidence from this run: 1 step 1 (1 fail)",
            "  requirement V&V steps without: 1 step 2",
        ]
    )


def test_without_the_option_nothing_is_opened_or_written(
    pytester: pytest.Pytester, seeded: Registry, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    nowhere = pytester.path / "no-registry" / "mltrl.db"
    monkeypatch.setenv("MLTRL_DATABASE_URL", f"sqlite:///{nowhere}")
    (pytester.path / "golden.csv").write_bytes(GOLDEN)
    pytester.makepyfile(
        test_suite=SUITE
        + '\n@pytest.mark.mltrl(component="nope/9", criterion="L7.no-such", rubric="Z9")\n'
        + "def test_bad_marker_is_harmless_without_mltrl(mltrl_evidence):\n"
        + '    mltrl_evidence.read("golden.csv")\n'
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=4, failed=1, skipped=1)
    assert "= mltrl =" not in result.stdout.str()
    assert not nowhere.parent.exists()
    assert evidence(seeded) == []


def test_actor_from_option(pytester: pytest.Pytester, seeded: Registry, db_url: str) -> None:
    pytester.makepyfile(
        test_one="""
import pytest
@pytest.mark.mltrl(component="recycling/1.1", criterion="L7.golden-dataset")
def test_ok():
    pass
"""
    )
    run(pytester, db_url, "--mltrl", "--mltrl-actor", "ci-bot").assert_outcomes(passed=1)
    (record,) = evidence(seeded)
    assert record.recorded_by == "ci-bot"


def test_module_marker_names_the_component_and_tests_add_criteria(
    pytester: pytest.Pytester, seeded: Registry, db_url: str
) -> None:
    pytester.makepyfile(
        test_one="""
import pytest
pytestmark = pytest.mark.mltrl(component="recycling/1.1", criterion="L7.golden-dataset")

def test_golden():
    pass

@pytest.mark.mltrl(criterion="L7.metamorphic")
def test_relation():
    pass
"""
    )
    run(pytester, db_url, "--mltrl").assert_outcomes(passed=2)
    assert sorted(e.criterion_id for e in evidence(seeded)) == ["L7.golden-dataset", "L7.metamorphic"]


def test_check_results_of_mltrl_checks_become_metrics_and_a_failed_one_a_fail(
    pytester: pytest.Pytester, seeded: Registry, db_url: str
) -> None:
    pytester.makepyfile(
        test_one="""
import pytest
from mltrl.checks.result import CheckResult

@pytest.mark.mltrl(component="recycling/1.1", criterion="L7.metamorphic")
def test_relations(mltrl_evidence):
    flip = CheckResult("flip", "pass", {"failure_rate": 0.0}, {"failure_rate": (0.0, 0.02)}, n=150)
    mltrl_evidence.result(flip)
    noise = CheckResult("noise", "fail", {"failure_rate": 0.2}, reason="20% flipped", n=150)
    returned = mltrl_evidence.result(noise)
    assert returned.status == "fail"    # the test forgot to assert_pass(): the evidence still fails
"""
    )
    run(pytester, db_url, "--mltrl").assert_outcomes(passed=1)
    (record,) = evidence(seeded)
    assert record.outcome == "fail"
    assert record.metrics == {
        "flip.failure_rate": 0.0,
        "flip.failure_rate_ci_low": 0.0,
        "flip.failure_rate_ci_high": 0.02,
        "flip.n": 150,
        "flip.status": "pass",
        "noise.failure_rate": 0.2,
        "noise.n": 150,
        "noise.status": "fail",
    }
    assert "flip: pass; noise: fail: 20% flipped" in record.note


def test_the_library_is_not_assertion_rewritten_in_suites_that_import_it(pytester: pytest.Pytester) -> None:
    # pytest would rewrite every module of a plugin's distribution: all of mltrl, re-parsed on each
    # run without cached bytecode. Only the plugin module itself is. (A fresh process: here, mltrl's
    # modules are already imported.)
    pytester.makepyfile(
        test_imports="""
import mltrl.gates.evaluate as evaluate

def test_rewritten():
    assert "@py_builtins" not in vars(evaluate)   # it has asserts: rewriting would add this name
"""
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_coverage_of_a_run_that_backed_nothing_says_none(
    pytester: pytest.Pytester, seeded: Registry, db_url: str
) -> None:
    pytester.makepyfile(
        test_one="""
import pytest
@pytest.mark.mltrl(component="recycling/1.1", criterion="L7.golden-dataset")
@pytest.mark.skip(reason="the golden set is being rebuilt")
def test_golden():
    pass
"""
    )
    result = run(pytester, db_url, "--mltrl")
    result.stdout.fnmatch_lines(
        [
            "recorded 0 piece(s) of evidence in *",
            "recycling/1.1 (level 7): its next gate, at the end of level 7",
            "  criteria with evidence from this run: none",
            "  criteria without: L7.critical-scenarios, L7.golden-dataset, L7.metamorphic, "
            "L7.data-validation, L7.uncertainty, L7.ml-test-score, L7.ethics-checklist, L7.parts-ready",
            "  requirement V&V steps with evidence from this run: none",
            "  requirement V&V steps without: 1 step 1, 1 step 2",
        ],
        consecutive=True,
    )
