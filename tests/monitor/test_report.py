"""The monitoring report: its data (``--json``) and the offline HTML, opened in a real browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mltrl.cli import main
from mltrl.service.registry import Registry

HOSTILE = '<img src=x onerror="alert(1)">'  # a column name is data, never markup


def served(seed: int, n: int = 20_000, *, shift: float = 0.0, nulls: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    amount = rng.lognormal(3 + shift, 0.5, n)
    amount[rng.random(n) < nulls] = np.nan
    return pd.DataFrame(
        {
            "amount": amount,
            "country": rng.choice(["de", "fr", "it", "es"], n, p=[0.4, 0.3, 0.2, 0.1]),
            "returning": rng.random(n) < 0.3,
            "signed_up": pd.Timestamp("2025-06-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D"),
            HOSTILE: rng.normal(size=n),
        }
    )


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.create_project("shop", "Fraud scoring")
    registry.add_component("shop/1", "Scorer", kind="model", level=9)
    registry.set_reference("shop/1", served(1))
    # a week of serving: calm, then the amounts slide upward and a join starts losing values
    for day, (shift, nulls) in enumerate([(0, 0), (0, 0), (0, 0), (0.05, 0), (0.3, 0), (0.6, 0.2)], start=1):
        registry.log_profile(
            "shop/1", served(10 + day, shift=shift, nulls=nulls), at=f"2026-11-0{day}T12:00:00Z"
        )
    return registry


def test_report_data_has_distributions_drift_over_time_and_quality(reg: Registry) -> None:
    data = reg.monitor_report("shop/1")
    assert data["window"] == "2026-11-06" and data["window_rows"] == 20_000 and data["level"] == 9
    columns = {c["name"]: c for c in data["columns"]}
    assert set(columns) == {"amount", "country", "returning", "signed_up", HOSTILE}
    for column in columns.values():
        dist = column["distribution"]
        assert sum(dist["reference"]) == pytest.approx(1, abs=1e-4)  # shares are rounded to 6 places
        assert sum(dist["window"]) == pytest.approx(1, abs=1e-4)  # shares are rounded to 6 places
    amount = columns["amount"]["distribution"]
    centres = np.convolve(amount["edges"], [0.5, 0.5], "valid")
    # the window's amounts sit higher: their binned mean is clearly above the reference's
    assert np.dot(centres, amount["window"]) > 1.4 * np.dot(centres, amount["reference"])
    assert columns["country"]["distribution"]["labels"] == ["de", "fr", "it", "es", "(other)"]
    assert [i["check"] for i in columns["amount"]["quality"]] == ["nulls"]
    # drift over time climbs with the slide, one entry per window, oldest first
    history = data["history"]
    assert [h["window"] for h in history] == [f"2026-11-0{d}" for d in range(1, 7)]
    scores = [h["scores"]["amount"] for h in history]
    assert max(scores[:3]) < 0.1 < scores[4] < scores[5]
    assert history[5]["drifted"] == ["amount"] and history[0]["drifted"] == []
    assert len(reg.monitor_report("shop/1", history=2)["history"]) == 2
    assert reg.monitor_report("shop/1", window="2026-11-02")["drift"]["drifted_columns"] == []


def test_cli_writes_an_offline_report_that_a_browser_renders(
    reg: Registry, db_url: str, tmp_path: Path, browser, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "report.html"
    assert main(["--db", db_url, "monitor", "report", "shop/1", "-o", str(target)]) == 0
    assert str(target) in capsys.readouterr().out
    page = browser.new_page()
    requested: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(target.as_uri())
    page.wait_for_load_state("load")
    assert requested == [target.as_uri()]  # nothing fetched: no CDN, no font, no script
    assert dialogs == []  # the hostile column name stayed text
    assert page.locator("#summary tbody tr").count() == 5
    assert HOSTILE in page.locator("#summary").inner_text()
    assert "Drift in 1 of 5 columns: amount" in page.locator("#verdict").inner_text()
    assert re.search(r"amount: (19|20)\.\d% missing values", page.locator("#quality").inner_text())
    # every plot is drawn: one per column, the drift-over-time overview; each has a real size
    figures = page.locator("figure svg")
    assert figures.count() == 6
    for i in range(figures.count()):
        box = figures.nth(i).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100
    page.close()


def test_cli_report_json_and_bad_input(
    reg: Registry, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", db_url, "monitor", "report", "shop/1", "--json", "--window", "2026-11-05"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["window"] == "2026-11-05" and len(data["history"]) == 6
    assert main(["--db", db_url, "monitor", "report", "shop/1", "--window", "1999-01-01"]) == 2
    assert "no window '1999-01-01'" in capsys.readouterr().err
    assert main(["--db", db_url, "monitor", "report", "shop/1", "-o", str(tmp_path / "no" / "r.html")]) == 2
    assert "cannot write the report" in capsys.readouterr().err
    assert not (tmp_path / "no").exists()
