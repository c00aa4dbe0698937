"""The people around a component: a working group that evolves over the levels, and the hand-off."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from mltrl.cli import main
from mltrl.errors import BadInput, RuleViolation
from mltrl.service.registry import Registry

PAST = datetime.now(UTC) - timedelta(days=20)


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("p", "Project", rd_owner="R. Lead", product_owner="P. Owner", at=PAST)
    registry.components.add("p/1", "Model", kind="model", level=4, reason="prior PoC", at=PAST)
    return registry


def test_the_working_group_remembers_the_levels_its_members_worked_at(reg: Registry) -> None:
    reg.groups.join("p/1", "A. Engineer", "applied-ai")
    reg.groups.join("p/1", "S. Dev", "software-engineering")
    with pytest.raises(BadInput, match=r"S\. Dev is already in the working group as software-engineering"):
        reg.groups.join("p/1", "s. dev", "qa")  # the same person, whatever the spelling
    reg.components.import_graduation("p/1", approver="panel", at=PAST + timedelta(days=1))
    reg.components.import_graduation("p/1", approver="panel", at=PAST + timedelta(days=2))
    reg.components.import_graduation("p/1", approver="panel", at=PAST + timedelta(days=3))
    reg.groups.leave("p/1", "S. Dev", reason="moved teams")
    reg.groups.join("p/1", "Q. Tester", "qa")
    spans = [(m["person"], m["joined_level"], m["left_level"]) for m in reg.groups.list("p/1")]
    assert spans == [("A. Engineer", 4, None), ("S. Dev", 4, 7), ("Q. Tester", 7, None)]
    assert reg.cards.get("p", "1").summary.working_group == [
        "1: A. Engineer (applied-ai, L4-now)",
        "1: S. Dev (software-engineering, L4-L7)",
        "1: Q. Tester (qa, L7-now)",
    ]
    with pytest.raises(BadInput, match="'nobody' is not in the working group"):
        reg.groups.leave("p/1", "nobody")


def test_the_hand_off_to_product_happens_from_level_5_and_changes_the_owner(reg: Registry) -> None:
    before = reg.counts()
    with pytest.raises(RuleViolation, match="hand-off from R&D to product happens at level 5"):
        reg.components.hand_off("p/1", "P. Owner")
    assert reg.counts() == before
    reg.components.import_graduation("p/1", approver="panel", at=PAST + timedelta(days=1))
    c = reg.components.hand_off("p/1", "P. Owner", note="budget committed")
    assert c.owner == "P. Owner"
    (line,) = reg.cards.get("p", "1").summary.handoffs
    assert line.startswith("1: R. Lead -> P. Owner at level 5")
    # From now on the product owner may not approve the component's gate alone.
    review = reg.reviews.open("p/1")
    assert reg.reviews.get(review.id).owner == "P. Owner"


def test_group_and_handoff_from_the_command_line(
    reg: Registry, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    reg.components.import_graduation("p/1", approver="panel", at=PAST + timedelta(days=1))
    base = ["--db", db_url]
    assert main([*base, "group", "add", "p/1", "--person", "D. Expert", "--role", "domain-expert"]) == 0
    assert main([*base, "handoff", "p/1", "--to", "P. Owner"]) == 0
    capsys.readouterr()
    assert main([*base, "group", "show", "p/1", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["owner"] == "P. Owner"
    assert [(m["person"], m["role"]) for m in shown["members"]] == [("D. Expert", "domain-expert")]
    assert [(h["from"], h["to"], h["level"]) for h in shown["handoffs"]] == [("R. Lead", "P. Owner", 5)]
