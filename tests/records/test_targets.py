"""Readiness targets: "component reaches level N by date", judged by the log and forecast honestly."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from mltrl.cli import main
from mltrl.errors import BadInput, NotFound
from mltrl.service.registry import Registry

NOW = datetime.now(UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.fixture
def reg(registry: Registry) -> Registry:
    """Five components that climbed 3 -> 4 -> 5 in 10 and 20 days: the organisation's own pace."""
    registry.projects.create("p", "Project", at=ago(400))
    for n in range(5):
        ref = f"p/{n + 1}"
        registry.components.add(ref, "Done", kind="model", level=3, reason="prior work", at=ago(300))
        registry.components.import_graduation(ref, approver="panel", at=ago(290))  # 10 days at 3
        registry.components.import_graduation(ref, approver="panel", at=ago(270))  # 20 days at 4
    return registry


def states(reg: Registry) -> dict[str, str]:
    return {t.target.ref: t.state for t in reg.targets.list("p")}


def test_targets_are_met_late_on_track_or_at_risk_by_the_organisations_pace(reg: Registry) -> None:
    reg.components.add("p/10", "New", kind="model", level=3, reason="prior work", at=ago(2))
    reg.components.add("p/11", "Slow", kind="model", level=3, reason="prior work", at=ago(2))
    soon = (NOW + timedelta(days=5)).date().isoformat()
    later = (NOW + timedelta(days=60)).date().isoformat()
    reg.targets.add("p/10", 5, later, note="spring launch")
    reg.targets.add("p/11", 5, soon)
    (slow,) = [t for t in reg.targets.list("p") if t.target.ref == "p/11"]
    (new,) = [t for t in reg.targets.list("p/10")]
    # Forecast: 8 days still to go at level 3 (10-day median, 2 spent) and 20 days at level 4.
    assert (new.state, new.forecast) == ("on track", (NOW + timedelta(days=28)).date())
    assert new.forecast_range is not None and new.forecast_range[0] <= new.forecast <= new.forecast_range[1]
    assert (slow.state, slow.forecast) == ("at risk", (NOW + timedelta(days=28)).date())
    assert reg.status("p").to_json()["components"][-1]["targets"][0]["state"] == "at risk"
    assert any(
        line.startswith("10: L5 by") and "on track" in line for line in reg.cards.get("p").summary.targets
    )


def test_a_reached_target_is_met_and_a_missed_one_late(reg: Registry) -> None:
    reg.components.add("p/12", "A", kind="model", level=3, reason="prior work", at=ago(30))
    reg.components.add("p/13", "B", kind="model", level=3, reason="prior work", at=ago(30))
    reg.targets.add("p/12", 4, (NOW - timedelta(days=5)).date().isoformat())
    reg.targets.add("p/13", 4, (NOW - timedelta(days=5)).date().isoformat())
    # The graduation lands after the target was set, dated before the due day: met.
    reg.components.import_graduation("p/12", approver="panel", at=ago(10))
    assert states(reg) == {"p/12": "met", "p/13": "late"}
    report = reg.report("p").to_json()["targets"]
    assert [(t["component"], t["state"]) for t in report] == [("p/12", "met"), ("p/13", "late")]


def test_too_little_history_gives_no_verdict(registry: Registry) -> None:
    registry.projects.create("q", "Fresh", at=ago(10))
    registry.components.add("q/1", "Model", kind="model", level=3, reason="prior work", at=ago(5))
    registry.targets.add("q/1", 5, (NOW + timedelta(days=30)).date().isoformat())
    (target,) = registry.targets.list("q")
    assert target.state == "insufficient data" and target.forecast is None
    assert "L3 has 0" in target.reason and "L4 has 0" in target.reason


def test_bad_targets_are_refused_and_nothing_is_written(reg: Registry) -> None:
    before = reg.counts()
    for call, error, message in (
        (lambda: reg.targets.add("p/1", 5, "2027-02-30"), BadInput, "--by: '2027-02-30' is not a date"),
        (lambda: reg.targets.add("p/1", 12, "2027-01-01"), BadInput, "level 12 is outside 0-9"),
        (lambda: reg.targets.add("p/1", 4, "2027-01-01"), BadInput, "already at level 5"),
        (lambda: reg.targets.remove(99, reason="x"), NotFound, "no target 99"),
    ):
        with pytest.raises(error, match=message):
            call()
    assert reg.counts() == before


def test_targets_from_the_command_line(
    reg: Registry, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    by = (date.today() + timedelta(days=90)).isoformat()
    assert (
        main(["--db", db_url, "component", "add", "p/9", "--name", "X", "--kind", "model", "--level", "0"])
        == 0
    )
    assert main(["--db", db_url, "target", "add", "p/9", "--level", "2", "--by", by, "--note", "OKR"]) == 0
    capsys.readouterr()
    assert main(["--db", db_url, "target", "list", "p", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)["targets"]
    assert (row["component"], row["level"], row["due"], row["state"]) == ("p/9", 2, by, "insufficient data")
    assert main(["--db", db_url, "target", "remove", str(row["id"]), "--reason", "descoped"]) == 0
    assert main(["--db", db_url, "target", "list", "p", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["targets"] == []
