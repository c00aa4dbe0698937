"""Data-quality checks: missing values, out-of-range numbers, unseen categories, missing columns."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mltrl.cli import main
from mltrl.errors import BadInput
from mltrl.monitor import profile_table
from mltrl.monitor.quality import check
from mltrl.service.registry import Registry


def serving(seed: int, n: int = 50_000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.normal(40, 10, n).clip(18, 90)
    age[rng.random(n) < 0.02] = np.nan
    return pd.DataFrame(
        {
            "age": age,
            "plan": rng.choice(["free", "pro", "team"], n, p=[0.6, 0.3, 0.1]),
            "user": "u" + pd.Series(rng.integers(0, 30_000, n)).astype(str),  # a long tail
            "when": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 86_400, n), unit="s"),
        }
    )


def broken(seed: int) -> pd.DataFrame:
    frame = serving(seed)
    n = len(frame)
    rng = np.random.default_rng(seed)
    frame.loc[rng.random(n) < 0.15, "age"] = np.nan  # an upstream join started losing values
    frame.loc[rng.random(n) < 0.05, "age"] = -1.0  # a sentinel leaking through
    frame.loc[rng.random(n) < 0.04, "plan"] = "enterprise"  # a plan launched after training
    return frame


def test_a_healthy_window_has_no_issue_even_with_new_long_tail_values_and_later_dates() -> None:
    reference = profile_table(serving(1))
    window = serving(2)
    window["when"] += pd.Timedelta(days=300)  # serving happens after training: not a range problem
    report = check(reference, profile_table(window))
    assert report.issues == [] and report.columns_checked == 4


def test_each_kind_of_broken_data_is_named_with_its_column() -> None:
    window = broken(2)
    report = check(profile_table(serving(1)), profile_table(window))
    found = {(issue.column, issue.check): issue for issue in report.issues}
    assert set(found) == {("age", "nulls"), ("age", "out-of-range"), ("plan", "new-categories")}
    age = window["age"]
    assert found[("age", "nulls")].observed == pytest.approx(age.isna().mean())  # counts are exact
    # the share below the reference's minimum comes off the KLL sketch: within its rank error
    assert found[("age", "out-of-range")].observed == pytest.approx(
        (age == -1).sum() / age.count(), abs=0.005
    )
    assert "'enterprise'" in found[("plan", "new-categories")].message
    assert report.failing_columns == ["age", "plan"]


def test_missing_and_unexpected_columns() -> None:
    reference = profile_table(serving(1))
    window = serving(2).drop(columns=["plan"]).assign(channel="web")
    report = check(reference, profile_table(window))
    assert {(i.column, i.check) for i in report.issues} == {
        ("plan", "missing-column"),
        ("channel", "new-column"),
    }


def test_per_column_limits_relax_a_check() -> None:
    reference, window = profile_table(serving(1)), profile_table(broken(2))
    report = check(
        reference,
        window,
        settings={
            "age": {"max_null_increase": 0.5, "max_out_of_range": 0.2},
            "plan": {"max_new_categories": 0.1},
        },
    )
    assert report.issues == []
    with pytest.raises(BadInput, match="max_out_of_range must be a number"):
        check(reference, window, settings={"age": {"max_out_of_range": "lots"}})


def test_a_changed_type_is_bad_input() -> None:
    reference = profile_table(pd.DataFrame({"v": [1.0, 2.0]}))
    with pytest.raises(BadInput, match="'v' is numeric in the reference but categorical in the window"):
        check(reference, profile_table(pd.DataFrame({"v": ["a", "b"]})))


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("crm", "Churn model")
    registry.components.add(
        "crm/1", "Churn scorer", kind="model", level=9, reason="work done before the registry"
    )
    registry.monitor.set_reference("crm/1", serving(1))
    return registry


def test_cli_check_raises_a_data_quality_alert_and_fails_the_evidence(
    reg: Registry, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reg.monitor.log("crm/1", broken(3))
    assert main(["--db", db_url, "monitor", "check", "crm/1", "--json"]) == 1
    outcome = json.loads(capsys.readouterr().out)
    # the sentinel and the new plan also move the distributions: drift and data quality both alert
    assert outcome["drift"]["drifted_columns"] == ["age", "plan"]
    assert {i["check"] for i in outcome["quality"]["issues"]} == {"nulls", "out-of-range", "new-categories"}
    kinds = {a["kind"]: a for a in reg.alerts.list("crm/1")}
    assert "data-quality" in kinds and "age: " in kinds["data-quality"]["message"]
    assert {c.id: c.status for c in reg.components.gate("crm/1", 9).criteria}[
        "L9.monitoring-drift"
    ] == "unmet"
    # the team accepts the new plan and the sentinel for now: data quality passes, drift still alerts
    settings = tmp_path / "columns.yaml"
    settings.write_text(
        "age: {max_null_increase: 0.5, max_out_of_range: 0.2}\nplan: {max_new_categories: 0.1}\n"
    )
    assert main(["--db", db_url, "monitor", "check", "crm/1", "--config", str(settings)]) == 1
    out = capsys.readouterr().out
    assert "(drift): drift in window" in out and "data-quality" not in out
    assert "raised before" in out  # the same drift about the same window: no second alert
    assert [a["kind"] for a in reg.alerts.list("crm/1")] == ["drift", "data-quality"]


def test_cli_rejects_bad_column_settings_without_writing(
    reg: Registry, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reg.monitor.log("crm/1", serving(2))
    before = len(reg.history("crm/1"))
    settings = tmp_path / "columns.yaml"
    for text, message in (
        ("age: {maximum: 3}\n", "column 'age': unknown setting 'maximum'"),
        ("nope: {threshold: 0.2}\n", "settings for column 'nope'"),
        ("- just a list\n", "expected a mapping of column to settings"),
        ("age: {threshold: [\n", "not valid YAML"),
    ):
        settings.write_text(text)
        assert main(["--db", db_url, "monitor", "check", "crm/1", "--config", str(settings)]) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1
    assert len(reg.history("crm/1")) == before and reg.alerts.list("crm/1") == []
