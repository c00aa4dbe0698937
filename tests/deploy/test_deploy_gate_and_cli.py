"""`mltrl deploy compare/switch` and the level-8 deployment criteria the policy asks for."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mltrl.cli import main
from mltrl.service.registry import Registry

pytestmark = pytest.mark.usefixtures("lenient_entry")


@pytest.fixture
def url(registry: Registry, db_url: str) -> str:
    registry.projects.create("rc", "Recycling vision app")
    registry.components.add(
        "rc/1.1", "Detector", kind="model", level=8, reason="work done before the registry"
    )
    registry.versions.register("rc/1.1", "model", "2.0.0")
    return db_url


def run(url: str, *argv: str) -> int:
    return main(["--db", url, "--actor", "ci", *argv])


def logs(tmp_path: Path, *, candidate_error: float) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    n = 6000
    actual = rng.integers(0, 2, n)
    paths = []
    for name, error in (("champion", 0.05), ("candidate", candidate_error)):
        frame = pd.DataFrame(
            {
                "id": np.arange(n),
                "prediction": np.where(rng.random(n) < 0.9, actual, 1 - actual),
                "error": (rng.random(n) < error).astype(int),
                "latency_ms": rng.gamma(2.0, 10.0, n).round(3),
            }
        )
        path = tmp_path / f"{name}.csv"
        frame.to_csv(path, index=False)
        paths.append(path)
    return paths[0], paths[1]


def gate(url: str) -> dict[str, str]:
    with Registry.open(db=url) as reg:
        return {c.id: c.status for c in reg.components.gate("rc/1.1", 8).criteria}


def test_canary_from_logs_backs_the_gate_and_a_regression_exits_1(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    champion, candidate = logs(tmp_path, candidate_error=0.05)
    argv = ["deploy", "compare", "rc/1.1", "-k", "canary", "--champion", str(champion),
            "--candidate", str(candidate), "--error-column", "error",
            "--latency-column", "latency_ms"]  # fmt: skip
    assert run(url, *argv) == 0
    assert "canary comparison: pass" in capsys.readouterr().out
    statuses = gate(url)
    assert statuses["L8.canary"] == "met" and statuses["L8.shadow"] == "unmet"
    assert statuses["L8.ab-test"] == "waived" and statuses["L8.blue-green"] == "waived"
    with Registry.open(db=url) as reg:
        [piece] = reg.evidence.list("rc/1.1")
    assert piece.kind == "deployment-test" and "champion champion.csv sha256" in piece.note
    worse_champion, worse = logs(tmp_path, candidate_error=0.09)
    assert run(url, "deploy", "compare", "rc/1.1", "-k", "canary", "--champion", str(worse_champion),
               "--candidate", str(worse), "--error-column", "error", "--json") == 1  # fmt: skip
    assert json.loads(capsys.readouterr().out)["status"] == "fail"
    assert gate(url)["L8.canary"] == "unmet"  # the latest canary failed


def test_typed_in_evidence_does_not_back_a_deployment_test(url: str) -> None:
    assert run(url, "evidence", "add", "rc/1.1", "-k", "metric", "-o", "pass", "-c", "L8.shadow",
               "-m", "agreement=0.99") == 0  # fmt: skip
    assert gate(url)["L8.shadow"] == "unmet"


def test_a_policy_that_asks_for_an_ab_test(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "version: 1\nsettings:\n  entry_without_review_up_to: 9\n  deployment_tests: [ab-test]\n"
    )
    monkeypatch.setenv("MLTRL_POLICY", str(policy))
    statuses = gate(url)
    assert statuses["L8.ab-test"] == "unmet" and statuses["L8.shadow"] == "waived"
    policy.write_text("version: 1\nsettings:\n  deployment_tests: [shadows]\n")
    assert run(url, "gate", "rc/1.1", "--level", "8") == 2


def test_blue_green_switch_with_checks_before_and_after(url: str, tmp_path: Path) -> None:
    champion, candidate = logs(tmp_path, candidate_error=0.05)
    common = ["--champion", str(champion), "--candidate", str(candidate), "--error-column", "error"]
    assert run(url, "deploy", "compare", "rc/1.1", "-k", "canary", *common) == 0
    assert run(url, "deploy", "switch", "rc/1.1", "--before", "1", "--after", "1") == 2  # 1 ran before
    assert run(url, "deploy", "compare", "rc/1.1", "-k", "canary", *common) == 0
    with Registry.open(db=url) as reg:
        first, second = (e.recorded_at for e in reg.evidence.list("rc/1.1"))
    between = first + (second - first) / 2
    assert (
        run(url, "deploy", "switch", "rc/1.1", "--before", "1", "--after", "2", "--at", between.isoformat())
        == 0
    )
    with Registry.open(db=url) as reg:
        switch = reg.evidence.list("rc/1.1")[-1]
    assert switch.criterion_id == "L8.blue-green" and switch.outcome == "pass"
    assert switch.metrics["checks_before"] == "1" and switch.metrics["checks_after"] == "2"
    assert run(url, "deploy", "switch", "rc/1.1", "--before", "9", "--after", "2") == 2  # not its evidence


def test_bad_logs_are_refused_and_nothing_is_recorded(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    champion, candidate = logs(tmp_path, candidate_error=0.05)
    pd.read_csv(candidate).iloc[10:].to_csv(candidate, index=False)
    capsys.readouterr()
    assert run(url, "deploy", "compare", "rc/1.1", "-k", "shadow", "--champion", str(champion),
               "--candidate", str(candidate)) == 2  # fmt: skip
    assert "ids do not match" in capsys.readouterr().err
    assert run(url, "deploy", "compare", "rc/1.1", "-k", "smoke", "--champion", str(champion),
               "--candidate", str(candidate)) == 2  # fmt: skip
    with Registry.open(db=url) as reg:
        assert reg.evidence.list("rc/1.1") == []
