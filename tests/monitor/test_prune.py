"""`mltrl monitor prune`: old window profiles and settled alerts go; references, open alerts and
alerts a review names stay; the event log says what went (issue 14, item 5)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mltrl.errors import BadInput
from mltrl.service.inputs import now
from mltrl.service.registry import Registry

MLTRL = str(Path(sys.executable).with_name("mltrl"))


def frame(seed: int, n: int = 500) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"score": rng.normal(0, 1, n), "channel": rng.choice(["web", "app"], n)})


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("svc", "Scoring service", at="2024-01-01T00:00:00Z")
    registry.components.add("svc/1", "Scorer", kind="model", level=0, at="2024-01-01T00:00:00Z")
    registry.monitor.set_reference("svc/1", frame(1))
    for day in ("2024-03-01", "2024-03-02"):  # long ago
        registry.monitor.log("svc/1", frame(2), at=f"{day}T12:00:00Z")
    registry.monitor.log("svc/1", frame(3))  # today
    return registry


def windows(reg: Registry) -> list[str]:
    return [p["name"] for p in reg.monitor.profiles("svc/1") if p["role"] == "window"]


def test_old_windows_go_and_the_reference_and_recent_windows_stay(reg: Registry) -> None:
    before = reg.counts()
    preview = reg.monitor.prune("400d", dry_run=True)
    assert (preview.profiles, preview.alerts, preview.dry_run) == (2, 0, True)
    assert preview.components == {"svc/1": {"profiles": 2, "alerts": 0}}
    assert reg.counts() == before  # a dry run writes nothing, not even an event
    report = reg.monitor.prune("400d")
    assert (report.profiles, report.alerts) == (2, 0)
    assert windows(reg) == [now().date().isoformat()]
    assert [p["name"] for p in reg.monitor.profiles("svc/1") if p["role"] == "reference"] == ["default"]
    (event,) = [e for e in reg.history("svc") if e.kind == "monitor.prune"]
    assert event.data["profiles"] == 2 and event.data["components"] == {"svc/1": {"profiles": 2, "alerts": 0}}
    assert reg.monitor.drift("svc/1")[0] == now().date().isoformat()  # monitoring goes on as before
    assert reg.monitor.prune("400d").profiles == 0  # nothing left to prune: no second event
    assert len([e for e in reg.history("svc") if e.kind == "monitor.prune"]) == 1


def test_only_acknowledged_alerts_no_review_names_go(reg: Registry) -> None:
    settled = reg.alerts.create("svc/1", "drift", "drift in score")
    still_open = reg.alerts.create("svc/1", "data-quality", "nulls in channel")
    reviewed = reg.alerts.create("svc/1", "skew", "training and serving disagree")
    reg.alerts.review(reviewed)
    for alert in (settled, reviewed):
        reg.alerts.acknowledge(alert, "handled")
    later = now() + timedelta(days=30)  # the alerts are a month old by then
    report = reg.monitor.prune("7d", "svc/1", now=later)
    assert report.alerts == 1 and report.profiles == 3  # every window ended more than a week before
    assert sorted(a["id"] for a in reg.alerts.list("svc")) == [still_open, reviewed]
    review = reg.reviews.get(reg.alerts.get(reviewed)["review_id"])
    assert [a["id"] for a in review.context["alerts"]] == [reviewed]  # the review's record keeps it
    assert [p["role"] for p in reg.monitor.profiles("svc/1")] == ["reference"]


@pytest.mark.parametrize("age", ["0d", "400", "12h", "-5d", "soon"])
def test_an_age_that_is_not_days_or_weeks_is_refused(reg: Registry, age: str) -> None:
    before = reg.counts()
    with pytest.raises(BadInput, match="--older-than"):
        reg.monitor.prune(age)
    assert reg.counts() == before


def test_prune_from_the_command_line(reg: Registry, db_url: str) -> None:
    env = {**os.environ, "MLTRL_DATABASE_URL": db_url, "MLTRL_ACTOR": "ops", "COLUMNS": "200"}

    def mltrl(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([MLTRL, "monitor", "prune", *argv], capture_output=True, text=True, env=env)

    dry = mltrl("--older-than", "400d", "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["profiles"] == 2 and len(windows(reg)) == 3
    done = mltrl("svc", "--older-than", "400d")
    assert done.returncode == 0, done.stderr
    assert "deleted 2 window profile(s) and 0 acknowledged alert(s)" in done.stdout
    assert "svc/1: 2 profile(s), 0 alert(s)" in done.stdout
    assert len(windows(reg)) == 1
    refused = mltrl("--older-than", "13 months")
    assert refused.returncode == 2 and "--older-than '13 months'" in refused.stderr
