"""The monitoring report: its data (``--json``) and the offline HTML, opened in a real browser."""

from __future__ import annotations

import json
import os
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
    registry.projects.create("shop", "Fraud scoring")
    registry.components.add("shop/1", "Scorer", kind="model", level=9, reason="deployed before mltrl")
    registry.monitor.set_reference("shop/1", served(1))
    # a week of serving: calm, then the amounts slide upward and a join starts losing values
    for day, (shift, nulls) in enumerate([(0, 0), (0, 0), (0, 0), (0.05, 0), (0.3, 0), (0.6, 0.2)], start=1):
        registry.monitor.log(
            "shop/1", served(10 + day, shift=shift, nulls=nulls), at=f"2026-11-0{day}T12:00:00Z"
        )
    return registry


def test_report_data_has_distributions_drift_over_time_and_quality(reg: Registry) -> None:
    data = reg.monitor.report("shop/1")
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
    # every category is shown, so there is no empty "(other)" bar
    assert columns["country"]["distribution"]["labels"] == ["de", "fr", "it", "es"]
    # a date column is left out of drift, saying why, and still drawn
    assert columns["signed_up"]["drift"] is None and columns["signed_up"]["excluded"].startswith("timestamp")
    assert data["drift"]["excluded_columns"] == [{"column": "signed_up", "reason": "timestamp"}]
    assert [i["check"] for i in columns["amount"]["quality"]] == ["nulls"]
    # drift over time climbs with the slide, one entry per window, oldest first
    history = data["history"]
    assert [h["window"] for h in history] == [f"2026-11-0{d}" for d in range(1, 7)]
    scores = [h["scores"]["amount"] for h in history]
    assert max(scores[:3]) < 0.1 < scores[4] < scores[5]
    assert history[5]["drifted"] == ["amount"] and history[0]["drifted"] == []
    assert len(reg.monitor.report("shop/1", history=2)["history"]) == 2
    assert reg.monitor.report("shop/1", window="2026-11-02")["drift"]["drifted_columns"] == []


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
    assert "Drift in 1 of 4 columns: amount" in page.locator("#verdict").inner_text()
    assert "Not compared for drift: signed_up (timestamp)" in page.locator("#excluded").inner_text()
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


def _overlapping(boxes: list[dict[str, float]]) -> list[tuple[int, int]]:
    return [
        (i, j)
        for i, a in enumerate(boxes)
        for j, b in enumerate(boxes)
        if i < j
        and a["x"] < b["x"] + b["width"] - 0.5
        and b["x"] < a["x"] + a["width"] - 0.5
        and a["y"] < b["y"] + b["height"] - 0.5
        and b["y"] < a["y"] + a["height"] - 0.5
    ]


#: Per plot (axes) of every figure: the boxes of its x tick labels, and the text of its y ticks.
_AXES = """() => [...document.querySelectorAll('figure')].map(f => ({
  id: f.id, width: f.getBoundingClientRect().width, svg: f.querySelector('svg').getBoundingClientRect().width,
  text: f.textContent,
  axes: [...f.querySelectorAll('g[id^="axes_"]')].map(a => ({
    x: [...a.querySelectorAll('g[id^="xtick_"] text')].filter(t => t.textContent.trim()).map(t => {
      const r = t.getBoundingClientRect();
      return {x: r.x, y: r.y, width: r.width, height: r.height, text: t.textContent}; }),
    y: [...a.querySelectorAll('g[id^="ytick_"] text')].map(t => t.textContent.trim()),
  })),
}))"""


def test_report_layout_in_a_browser(
    reg: Registry, db_url: str, tmp_path: Path, browser, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(5)
    for day in range(1, 7):  # a week of predictions whose actuals arrived; accuracy slides
        ids = [f"{day}-{i}" for i in range(200)]
        truth = rng.integers(0, 2, 200)
        right = rng.random(200) < 0.95 - 0.05 * day
        reg.predictions.log(
            "shop/1",
            pd.DataFrame({"id": ids, "prediction": np.where(right, truth, 1 - truth)}),
            at=f"2026-11-0{day}T12:00:00Z",
        )
        reg.actuals.log("shop/1", pd.DataFrame({"id": ids, "actual": truth}))
    reg.alerts.create("shop/1", "drift", "drift in amount", {"columns": ["amount"]}, window="2026-11-06")
    target = tmp_path / "report.html"
    command = ["--db", db_url, "monitor", "report", "shop/1", "-o", str(target), "--min", "accuracy=0.8"]
    assert main(command) == 0
    capsys.readouterr()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(target.as_uri())
    page.wait_for_load_state("load")
    # times for people, not ISO strings with microseconds
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", page.locator("#generated").inner_text())
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", page.locator("#alerts tbody td").nth(2).inner_text()
    )
    figures = page.evaluate(_AXES)
    assert [f["id"] for f in figures[:2]] == ["overview", "performance"] and len(figures) == 2 + 5
    for figure in figures:
        assert figure["svg"] >= 0.98 * figure["width"] > 1000  # every plot uses the page's width
        for axes in figure["axes"]:
            assert _overlapping(axes["x"]) == [], [t["text"] for t in axes["x"]]  # readable axes
    overview, performance, *columns = figures
    assert all(re.fullmatch(r"\d+", tick) for tick in overview["axes"][0]["y"])  # counts: whole numbers
    assert "data-set drift" in overview["text"]  # the threshold line of every metric plot
    assert "accuracy threshold" in performance["text"]
    compared = [f for f in columns if "not compared" not in f["text"]]
    assert len(compared) == 4 and all("threshold" in f["text"] for f in compared)
    # the windows are dates on a concise axis ("Nov", "02", ...), not 16-character labels
    assert max(len(t["text"]) for t in performance["axes"][0]["x"]) <= 8
    assert all("(other)" not in f["text"] for f in columns)  # every country shown: no empty bar
    artefacts = Path(os.environ.get("MLTRL_ARTIFACTS_DIR") or tmp_path)
    artefacts.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(artefacts / "monitor-report.png"), full_page=True)
    assert (artefacts / "monitor-report.png").stat().st_size > 50_000
    page.close()
