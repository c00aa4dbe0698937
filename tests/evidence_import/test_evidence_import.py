"""`mltrl evidence import`: other tools' result files recorded as evidence, keeping their own verdict.

JUnit files come from a real pytest run in the test; the Deepchecks and Great Expectations files in
tests/data/peer_results were written by those tools (the make_*.py scripts beside them say how).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mltrl.cli import main
from mltrl.service.registry import Registry

pytestmark = pytest.mark.usefixtures("lenient_entry")
PEERS = Path(__file__).resolve().parent.parent / "data" / "peer_results"


@pytest.fixture
def url(registry: Registry, db_url: str) -> str:
    registry.projects.create("rc", "Recycling vision app")
    registry.components.add(
        "rc/1.1", "Detector", kind="model", level=7, reason="work done before the registry"
    )
    registry.versions.register("rc/1.1", "model", "2.0.0")
    return db_url


def run(url: str, *argv: str) -> int:
    return main(["--db", url, "--actor", "ci-import", *argv])


def evidence(url: str) -> list[dict[str, object]]:
    with Registry.open(db=url) as reg:
        return [e.to_json() for e in reg.evidence.list("rc/1.1")]


def junit_run(tmp_path: Path, body: str) -> Path:
    """A real pytest run of ``body`` writing JUnit XML."""
    (tmp_path / "suite").mkdir()
    (tmp_path / "suite" / "test_model.py").write_text(body)
    report = tmp_path / "junit.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}",
         str(tmp_path / "suite")],
        capture_output=True, check=False,
    )  # fmt: skip
    return report


def test_a_failing_pytest_run_becomes_failing_evidence_naming_the_test(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = junit_run(
        tmp_path,
        "import pytest\n"
        "def test_recall():\n    assert 0.93 >= 0.9\n"
        "def test_latency():\n    assert 120 <= 100, 'p95 latency 120 ms'\n"
        "@pytest.mark.skip(reason='no GPU')\ndef test_gpu():\n    pass\n",
    )
    assert run(url, "evidence", "import", "rc/1.1", str(report), "-c", "L8.stress-tests") == 0
    out = capsys.readouterr().out
    assert "junit says" in out and "did not pass" in out and "1 fail" in out
    [piece] = evidence(url)
    assert piece["outcome"] == "fail" and piece["kind"] == "test-run" and piece["source"] == "cli"
    assert piece["metrics"]["peer_pass"] == 1 and piece["metrics"]["peer_fail"] == 1
    assert piece["metrics"]["peer_skipped"] == 1 and piece["metrics"]["peer_tool"] == "junit"
    assert "test_model::test_latency (fail)" in piece["note"]
    assert piece["versions"] == {"model": "2.0.0"}
    # The original file is attached, byte for byte.
    [attached] = piece["files"]
    assert attached["name"] == "junit.xml"
    assert run(url, "evidence", "file", attached["sha256"], "-o", str(tmp_path / "back.xml")) == 0
    assert (tmp_path / "back.xml").read_bytes() == report.read_bytes()


def test_a_passing_pytest_run_passes_and_a_run_of_skips_alone_does_not(url: str, tmp_path: Path) -> None:
    passing = junit_run(tmp_path, "def test_a():\n    pass\ndef test_b():\n    pass\n")
    assert (
        run(url, "evidence", "import", "rc/1.1", str(passing), "-c", "L8.stress-tests", "--source", "ci") == 0
    )
    skipped_dir = tmp_path / "skips"
    skipped_dir.mkdir()
    skips = junit_run(
        skipped_dir, "import pytest\n@pytest.mark.skip(reason='later')\ndef test_a():\n    pass\n"
    )
    assert run(url, "evidence", "import", "rc/1.1", str(skips), "-c", "L8.stress-tests") == 0
    first, second = evidence(url)
    assert (first["outcome"], first["source"]) == ("pass", "ci")
    assert second["outcome"] == "fail"  # nothing ran: it proves nothing


def test_deepchecks_suite_keeps_deepchecks_verdict_warnings_included(url: str) -> None:
    path = PEERS / "deepchecks_data_integrity.json"
    assert run(url, "evidence", "import", "rc/1.1", str(path), "-c", "L7.data-validation") == 0
    [piece] = evidence(url)
    metrics = piece["metrics"]
    # Deepchecks' SuiteResult.passed() fails on a warning by default; two checks warned.
    assert piece["outcome"] == "fail" and piece["kind"] == "data-check"
    assert metrics["peer_warn"] == 2 and metrics["peer_pass"] == 8 and metrics["peer_not_run"] == 1
    assert metrics["peer_info"] == 1  # Outlier Sample Detection has no condition: no verdict
    assert "Mixed Data Types (warn)" in piece["note"] and "Data Duplicates (warn)" in piece["note"]


def test_great_expectations_validation_with_its_statistics(url: str) -> None:
    path = PEERS / "great_expectations_validation.json"
    assert run(url, "evidence", "import", "rc/1.1", str(path), "-c", "L7.data-validation", "--json") == 0
    [piece] = evidence(url)
    metrics = piece["metrics"]
    assert piece["outcome"] == "fail"
    assert metrics["success_percent"] == 75.0 and metrics["unsuccessful_expectations"] == 1
    assert metrics["peer_version"].startswith("1.")
    assert "expect_column_values_to_be_between(alcohol) (fail)" in piece["note"]


def _refused(url: str, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    assert run(url, "evidence", "import", "rc/1.1", *argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert evidence(url) == []  # nothing recorded
    return err


def test_bad_files_are_refused_in_one_line_and_record_nothing(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gx = PEERS / "great_expectations_validation.json"
    assert "not a deepchecks result" in _refused(
        url, capsys, str(gx), "-c", "L7.data-validation", "-t", "deepchecks"
    )
    assert "no such file" in _refused(url, capsys, str(tmp_path / "missing.json"), "-c", "L7.data-validation")
    broken = tmp_path / "broken.json"
    broken.write_text('{"results": [')
    assert "broken.json: not JSON" in _refused(url, capsys, str(broken), "-c", "L7.data-validation")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": "world"}))
    assert "not a result file of" in _refused(url, capsys, str(other), "-c", "L7.data-validation")
    old = tmp_path / "old_gx.json"
    data = json.loads(gx.read_text())
    data["meta"]["great_expectations_version"] = "0.18.12"
    old.write_text(json.dumps(data))
    assert "Great Expectations 0.18.12" in _refused(url, capsys, str(old), "-c", "L7.data-validation")
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{"&lol{};".format(i - 1 if i > 1 else "") * 10}">' for i in range(1, 9))
        + ']><testsuite name="&lol8;"></testsuite>'
    )
    assert "bomb.xml: not a JUnit XML file" in _refused(url, capsys, str(bomb), "-c", "L8.stress-tests")
    assert "--tool 'nunit'" in _refused(url, capsys, str(gx), "-c", "L7.data-validation", "-t", "nunit")
    assert "level 7 has no criterion" in _refused(url, capsys, str(gx), "-c", "L7.golden-datasets")


@pytest.mark.parametrize(
    ("name", "fmt", "failing"),
    [
        ("evidently_report.json", "evidently-report", ["Value Drift for column alcohol (fail)"]),
        (
            "evidently_legacy_test_suite.json",
            "evidently-test-suite",
            ["Share of Drifted Columns (fail)", "Drift per Column (fail)"],
        ),
    ],
)
def test_evidently_report_and_legacy_test_suite(url: str, name: str, fmt: str, failing: list[str]) -> None:
    assert run(url, "evidence", "import", "rc/1.1", str(PEERS / name), "-c", "L8.stress-tests") == 0
    [piece] = evidence(url)
    assert piece["outcome"] == "fail" and piece["metrics"]["peer_format"] == fmt
    assert piece["metrics"]["peer_fail"] >= 1 and piece["metrics"]["peer_pass"] >= 1
    for item in failing:
        assert item in piece["note"]
