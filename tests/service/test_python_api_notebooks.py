"""The Python API in notebooks and type checkers (issue 14, item 4): HTML views with user text
escaped, typed records, structured review blockers, py.typed, and every public method documented."""

from __future__ import annotations

import re
import tomllib
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mltrl import Registry
from mltrl.domain.review import Blocker
from mltrl.errors import RuleViolation
from mltrl.views.results import CheckOutcome, MonitorReport

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "<script>alert('x')</script>"


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("rec", "Recycling <b>vision</b>")
    registry.components.add("rec/1.1", HOSTILE, kind="model", level=0)
    return registry


def test_status_gate_review_and_card_show_as_html_with_user_text_escaped(reg: Registry) -> None:
    reg.cards.edit("rec", {"tldr": f"Sorts cans. {HOSTILE}"})
    review = reg.reviews.open("rec/1.1")
    shown = {
        "status": reg.status("rec")._repr_html_(),
        "gate": reg.components.gate("rec/1.1", 0)._repr_html_(),
        "review": reg.reviews.get(review.id)._repr_html_(),
        "card": reg.cards.get("rec")._repr_html_(),
    }
    for name, html in shown.items():
        assert "<script>" not in html, name
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in shown["status"]
    assert "system TRL <strong>L0</strong>" in shown["status"]
    assert "the level-0 gate does not hold" in shown["gate"]
    assert '<span style="color:#cf222e;font-weight:600">unmet</span>' in shown["gate"]
    assert f"review {review.id}</strong> of rec/1.1 at level 0: open" in shown["review"]
    assert "required role research-lead has nobody on the panel" in shown["review"]
    # The card is its own sanitised page, in a frame that runs no script and keeps its styles in.
    assert shown["card"].startswith('<iframe sandbox="" srcdoc="') and "Sorts cans." in shown["card"]


def test_review_blockers_are_structured_items_beside_the_sentences(reg: Registry) -> None:
    review = reg.reviews.open("rec/1.1")
    view = reg.reviews.get(review.id)
    assert [b.message for b in view.blocker_items] == view.blockers and view.blockers
    assert all(isinstance(b, Blocker) for b in view.blocker_items)
    kinds = {b.kind for b in view.blocker_items}
    assert {"role", "criterion", "ethics"} <= kinds
    assert Blocker("role", "research-lead", "required role research-lead has nobody on the panel") in (
        view.blocker_items
    )
    assert view.to_json()["blocker_items"][0] == view.blocker_items[0].to_json()
    with pytest.raises(RuleViolation, match=f"review {review.id} cannot decide graduate"):
        reg.reviews.decide(review.id, "graduate")


def frame(seed: int, shift: float = 0.0, n: int = 2_000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"score": rng.normal(shift, 1, n), "channel": rng.choice(["web", "app"], n)})


def test_monitoring_results_are_typed_records_that_show_as_html(reg: Registry) -> None:
    reg.monitor.set_reference("rec/1.1", frame(1))
    reg.monitor.log("rec/1.1", frame(2, shift=1.0))
    outcome = reg.monitor.check("rec/1.1")
    assert isinstance(outcome, CheckOutcome) and isinstance(outcome, dict)
    assert outcome.drifted_columns == ["score"] and not outcome.passed
    assert outcome.alerts[0]["kind"] == "drift" and outcome["window"] == outcome.window
    assert outcome.to_json() == dict(outcome)
    html = outcome._repr_html_()
    assert "1 drifted column(s): score" in html and "<script>" not in html
    label, drift = reg.monitor.drift("rec/1.1")
    assert "Drift in 1 of 2 columns" in drift._repr_html_()
    report = reg.monitor.report("rec/1.1")
    assert isinstance(report, MonitorReport) and report.window == label and report.component == "rec/1.1"
    assert {c["name"] for c in report.columns} == {"score", "channel"}
    assert report._repr_html_().startswith('<iframe sandbox="" srcdoc="&lt;!doctype html&gt;')


def test_the_package_ships_its_type_marker() -> None:
    assert (files("mltrl") / "py.typed").is_file()
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "py.typed" in setup["mltrl"]


def test_every_public_method_of_the_registry_is_documented() -> None:
    doc = (ROOT / "docs" / "python-api.md").read_text()
    public = [name for name in dir(Registry) if not name.startswith("_")]
    undocumented = [name for name in public if not re.search(rf"\b(reg|Registry)\.{name}\b", doc)]
    assert undocumented == [], f"docs/python-api.md does not show: {', '.join(undocumented)}"
