"""A move derives its project card's next revision from the latest one (mltrl.cards.incremental).

Each test checks the derived revision against the card assembled whole at the same moment, and
that the derivation really ran (a freeze that always fell back to the whole assembly would pass
the comparison and keep every move costing the size of its project).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mltrl.cards.assemble import assemble
from mltrl.service.project_cards import FREEZES
from mltrl.service.registry import Registry

START = datetime(2025, 1, 1, tzinfo=UTC)


def _clock() -> Any:
    moment = [START]

    def tick() -> datetime:
        moment[0] += timedelta(hours=1)
        return moment[0]

    return tick


def _latest_matches_whole(reg: Registry, project: str) -> None:
    """The newest revision equals the card assembled now (but for when each was generated)."""
    number = reg.cards.revisions(project)[-1].number
    frozen = reg.cards.get(project, revision=number).model_dump(mode="json")
    with reg._store.read() as r:
        whole = assemble(r, reg.catalog, project).model_dump(mode="json")
    for card in (frozen, whole):
        card["summary"].pop("generated_at")
        # The card assembled now lists the newest revision among the previous ones.
        card["summary"]["previous_revisions"] = [
            x for x in card["summary"]["previous_revisions"] if x["number"] < number
        ]
    assert json.dumps(frozen) == json.dumps(whole)


def _graduate(reg: Registry, ref: str, at: datetime) -> Any:
    return reg.components.import_graduation(ref, approver="panel", at=at)


def _derived(action: Any) -> int:
    before = FREEZES["derived"]
    action()
    return FREEZES["derived"] - before


@pytest.fixture
def org(registry: Registry) -> Registry:
    """Project p: a composite 1 with parts 1.1 and 1.2, and 2..12; 3 is coupled to q/1."""
    tick = _clock()
    registry.projects.create("p", "Project P", at=tick())
    registry.projects.create("q", "Project Q", at=tick())
    registry.components.add("q/1", "Outside", kind="model", level=0, at=tick())
    registry.components.add("p/1", "System", kind="composite", level=0, at=tick())
    for code in ("1.1", "1.2"):
        registry.components.add(f"p/{code}", f"part {code}", kind="model", level=0, parent="1", at=tick())
    for n in range(2, 13):
        registry.components.add(f"p/{n}", f"model {n}", kind="model", level=0, at=tick())
    registry.components.couple("p/3", "q/1", note="shares features")
    registry.components.import_graduation(
        "p/2", approver="panel", at=tick()
    )  # the card's first revision: whole
    registry._tick = tick  # type: ignore[attr-defined]
    return registry


def test_moves_derive_the_card_and_it_is_the_whole_card(org: Registry) -> None:
    tick = org._tick  # type: ignore[attr-defined]
    moves = [
        lambda: org.components.import_graduation(
            "p/1.1", approver="panel", at=tick()
        ),  # a part: its composite too
        lambda: org.components.import_graduation(
            "p/1.2", approver="panel", at=tick()
        ),  # 1's parts now all at 1
        lambda: _graduate(org, "p/1", tick()),
        lambda: _graduate(org, "p/5", tick()),
        lambda: org.components.switchback("p/5", 0, kind="discovery", reason="a gap", at=tick()),
        # A pause is no level move (no revision), but the next move's revision shows it.
        lambda: (
            org.components.pause("p/7", reason="waiting", at=tick()),
            _graduate(org, "p/8", tick()),
        ),
        lambda: (
            org.components.resume("p/7", at=tick()),
            _graduate(org, "p/9", tick()),
        ),
    ]
    for move in moves:
        assert _derived(move) == 1
        _latest_matches_whole(org, "p")


def test_the_system_level_and_who_holds_it_back_follow_each_move(org: Registry) -> None:
    tick = org._tick  # type: ignore[attr-defined]
    refs = ["p/1.1", "p/1.2", "p/1", *(f"p/{n}" for n in range(3, 13))]
    for ref in refs:  # everyone but q/1, the coupled outsider, reaches level 1
        assert _derived(lambda ref=ref: _graduate(org, ref, tick())) == 1
        _latest_matches_whole(org, "p")
    card = org.cards.get("p", revision=org.cards.revisions("p")[-1].number)
    assert card.summary.level == 0
    assert card.summary.held_back_by == ["q/1"]  # the coupled component of another project
    _graduate(org, "q/1", tick())
    _graduate(org, "p/4", tick())
    _latest_matches_whole(org, "p")
    card = org.cards.get("p", revision=org.cards.revisions("p")[-1].number)
    assert card.summary.level == 1
    assert "4" not in card.summary.held_back_by and "3" in card.summary.held_back_by


def test_evidence_metrics_and_fairness_of_unmoved_components_stay_right(org: Registry) -> None:
    tick = org._tick  # type: ignore[attr-defined]
    fairness = {"demographic_parity_difference": 0.04, "equalized_odds_difference": 0.07}
    # Codes "1" and "1.1" sort differently as codes than as the lines that start with them.
    for ref in ("p/1.1", "p/1"):
        org.evidence.record(
            ref, "L2.research-requirements", kind="metric", outcome="pass", metrics=fairness, at=tick()
        )
    for n in range(2, 9):  # more metrics than a card shows (20): the window must be the last ones
        metrics = {f"m{k}": n + k / 10 for k in range(4)}
        org.evidence.record(
            f"p/{n}", "L2.research-requirements", kind="metric", outcome="pass", metrics=metrics, at=tick()
        )
    for ref in ("p/8", "p/2", "p/1.1", "p/8"):
        assert _derived(lambda ref=ref: _graduate(org, ref, tick())) == 1
        _latest_matches_whole(org, "p")
    org.evidence.record(
        "p/3", "L2.research-requirements", kind="metric", outcome="fail", metrics={"m0": 0.5}, at=tick()
    )
    assert _derived(lambda: _graduate(org, "p/9", tick())) == 1
    _latest_matches_whole(org, "p")
    card = org.cards.get("p", revision=org.cards.revisions("p")[-1].number)
    assert len(card.metric_results) == 20
    assert [line.split(":")[0] for line in card.ethics_facts] == ["1", "1.1"]


def test_project_wide_changes_assemble_the_card_whole(org: Registry) -> None:
    """A requirement, a card section, a data set changed in another project: whole, and right."""
    tick = org._tick  # type: ignore[attr-defined]
    org.datasets.add("q", "scans", "Scans", kind="real", at=tick())
    org.datasets.link("scans", "p/4", "train")
    changes = [
        lambda: org.requirements.add(
            "p",
            "1",
            "The model shall reach recall above 0.9",
            kind="research",
            p_failure=0.2,
            value=4,
            category="technical",
        ),
        lambda: org.cards.edit("p", {"tldr": "in one line"}),
        lambda: org.datasets.add_version("scans", "2.0", uri="s3://scans/2.0", at=tick()),
    ]
    for change in changes:
        change()
        before = FREEZES["whole"]
        _graduate(org, "p/6", tick())
        assert FREEZES["whole"] == before + 1
        _latest_matches_whole(org, "p")
        assert _derived(lambda: _graduate(org, "p/11", tick())) == 1
        _latest_matches_whole(org, "p")


def test_a_rolled_back_move_leaves_nothing_behind_to_derive_from(org: Registry) -> None:
    tick = org._tick  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError), org.transaction():
        _graduate(org, "p/3", tick())
        raise RuntimeError("changed my mind")
    _graduate(org, "p/4", tick())
    _latest_matches_whole(org, "p")
    card = org.cards.get("p", revision=org.cards.revisions("p")[-1].number)
    assert "3 model 3" in card.summary.held_back_by_names  # 3 never moved


def test_two_writers_take_turns_on_one_project(org: Registry, db_url: str) -> None:
    """Another registry object (another process, in effect) moves in between: neither goes stale."""
    tick = org._tick  # type: ignore[attr-defined]
    with Registry.open(db=db_url, actor="other") as other:
        for n in range(3, 9):
            writer = org if n % 2 else other
            _graduate(writer, f"p/{n}", tick())
            _latest_matches_whole(org, "p")
