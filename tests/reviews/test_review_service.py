"""Gated reviews through the registry: the rules a panel meets, and what each decision does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mltrl.demo import _reviewing
from mltrl.errors import BadInput, Forbidden, MltrlError, NotFound
from mltrl.service.registry import Registry

# Components start at high levels here with a reason alone; entry reviews are tested in test_paper_rules.
pytestmark = pytest.mark.usefixtures("lenient_entry")

PAST = datetime.now(UTC) - timedelta(days=30)


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("np", "Neuro", rd_owner="A. Lavin", at=PAST)
    registry.components.add(
        "np/1",
        "Model",
        kind="model",
        level=4,
        owner="A. Lavin",
        at=PAST,
        reason="work done before the registry",
    )
    registry.datasets.add("np", "pilot", "Pilot", kind="real")
    registry.datasets.link("pilot", "np/1", "train")
    return registry


def ready(reg: Registry, ref: str = "np/1") -> int:
    now = datetime.now(UTC)
    review = _reviewing.staffed_review(reg, ref, now, {})
    _reviewing.complete(reg, review, now)
    return review


def test_a_decided_review_never_changes(reg: Registry) -> None:
    review = ready(reg)
    record = reg.reviews.decide(review, "graduate", reason="PoC accepted", debrief="smooth")
    assert (record.status, record.decision, reg.components.get("np/1").level) == ("decided", "graduate", 5)
    graduate = [e for e in reg.history("np/1", lifecycle_only=True) if e.kind == "graduate"][-1]
    assert graduate.data == {"approval": f"review:{review}"}
    before = reg.counts()
    for change in (
        lambda: reg.reviews.record_result(review, "L4.applied-metrics", "unmet"),
        lambda: reg.reviews.add_member(review, "stakeholder", "someone new"),
        lambda: reg.reviews.answer_ethics(review, {"pre.harm": "changed"}),
        lambda: reg.reviews.sign(review, "someone", "approve"),
        lambda: reg.reviews.decide(review, "pause"),
    ):
        with pytest.raises(BadInput, match="was decided"):
            change()
    assert reg.counts() == before
    assert reg.reviews.open("np/1").level == 5  # a new review, at the new level


def test_signatures_belong_to_panel_members_once(reg: Registry) -> None:
    review = reg.reviews.open("np/1").id
    reg.reviews.add_member(review, "research-lead", "G. Renard")
    before = reg.counts()
    for action, message in (
        (lambda: reg.reviews.sign(review, "Stranger", "approve"), "not on the panel"),
        (lambda: reg.reviews.add_member(review, "applied-ai", "G. Renard"), "already on the panel"),
        (lambda: reg.reviews.add_member(review, "astrologer", "X"), "no panel role 'astrologer'"),
        (lambda: reg.reviews.sign(review, "G. Renard", "request-changes"), "at least one specific task"),
        (lambda: reg.reviews.sign(review, "G. Renard", "approve", tasks=["x"]), "carries no tasks"),
        (lambda: reg.reviews.open("np/1"), "already has open review"),
    ):
        with pytest.raises(BadInput, match=message):
            action()
    assert reg.counts() == before
    reg.reviews.sign(review, "G. Renard", "approve")
    with pytest.raises(BadInput, match="already signed"):
        reg.reviews.sign(review, "G. Renard", "approve")


def test_a_signer_who_names_a_seat_signs_only_from_it(reg: Registry) -> None:
    """The team server passes the role a person says they sign as: the write itself checks it."""
    review = reg.reviews.open("np/1").id
    reg.reviews.add_member(review, "research-lead", "G. Renard")
    before = reg.counts()
    for person, role, message in (
        (
            "G. Renard",
            "applied-ai",
            "G. Renard cannot sign as applied-ai: G. Renard sits on it as research-lead",
        ),
        ("Stranger", "research-lead", "Stranger cannot sign as research-lead: Stranger is not on its panel"),
    ):
        with pytest.raises(Forbidden, match=message):
            reg.reviews.sign(review, person, "approve", role=role)
    assert reg.counts() == before
    reg.reviews.sign(review, "G. Renard", "approve", role="research-lead")
    signed = reg.reviews.get(review).details["signatures"]
    assert [(s["person"], s["verdict"]) for s in signed] == [("G. Renard", "approve")]


def test_a_review_record_is_its_row_alone(reg: Registry) -> None:
    review = reg.reviews.open("np/1").id
    record = reg.reviews.record(review)
    assert (record.id, record.ref, record.level, record.status) == (review, "np/1", 4, "open")
    with pytest.raises(NotFound, match="no review 999"):
        reg.reviews.record(999)


def test_the_owner_cannot_be_the_only_approver(reg: Registry, db_url: str, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    people = {
        "research-lead": "A. Lavin",
        "applied-ai": "B",
        "software-engineering": "C",
        "product-manager": "D",
    }
    review = _reviewing.staffed_review(reg, "np/1", now, people)
    _reviewing.complete(reg, review, now)
    assert reg.reviews.get(review).blockers == []  # four approvers, one of them the owner: fine
    # A level-0 gate has one required role; if the owner fills it alone, the review cannot graduate.
    reg.components.add("np/2", "Idea", kind="algorithm", level=0, owner="A. Lavin")
    solo = _reviewing.staffed_review(reg, "np/2", now, {"research-lead": "A. Lavin"})
    _reviewing.complete(reg, solo, now)
    assert reg.reviews.get(solo).blockers == ["A. Lavin owns the work and cannot be its only approver"]
    with pytest.raises(BadInput, match="cannot be its only approver"):
        reg.reviews.decide(solo, "graduate")
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nsettings: {separation_of_duties: false}\n")
    with Registry.open(db=db_url, policy=policy) as relaxed:
        # The open review keeps the rule it was opened with; a new one follows the new policy.
        assert relaxed.reviews.get(solo).blockers
        relaxed.reviews.decide(solo, "pause", reason="re-run under the new policy")
        relaxed.components.resume("np/2")
        again = _reviewing.staffed_review(relaxed, "np/2", now, {"research-lead": "A. Lavin"})
        _reviewing.complete(relaxed, again, now)
        assert relaxed.reviews.get(again).blockers == []
        relaxed.reviews.decide(again, "graduate")
    assert reg.components.get("np/2").level == 1


def test_a_policy_change_does_not_move_the_bar_of_an_open_review(
    reg: Registry, db_url: str, tmp_path: Path
) -> None:
    review = reg.reviews.open("np/1").id
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "version: 1\nlevels:\n  4:\n    add_criteria:\n"
        "      - {id: L4.legal-signoff, text: Legal signed off., kind: attestation}\n"
    )
    with Registry.open(db=db_url, policy=policy) as strict:
        assert all(c.id != "L4.legal-signoff" for c in strict.reviews.get(review).template.criteria)
        reg.components.add("np/3", "Other", kind="model", level=4, reason="work done before the registry")
        fresh = strict.reviews.open("np/3").id
        assert any(c.id == "L4.legal-signoff" for c in strict.reviews.get(fresh).template.criteria)


def test_decisions_switchback_pause_and_tasks(reg: Registry) -> None:
    reg.components.add(
        "np/5", "Later", kind="model", level=6, at=PAST, reason="work done before the registry"
    )
    review = ready(reg, "np/5")
    with pytest.raises(BadInput, match="needs a level below 6"):
        reg.reviews.decide(review, "switchback", to_level=6)
    with pytest.raises(MltrlError, match="entered at level 6"):
        reg.reviews.decide(review, "switchback", to_level=4)
    reg.reviews.decide(
        review, "switchback", to_level=6 - 1, reason="robustness data missing"
    ) if False else None
    # np/1 (entered at 4): pause, then tasks on a fresh review.
    review = ready(reg)
    reg.reviews.decide(review, "pause", reason="waiting for the BioLab data agreement")
    assert reg.components.get("np/1").status == "paused"
    reg.components.resume("np/1")
    now = datetime.now(UTC)
    review = _reviewing.staffed_review(reg, "np/1", now, {})
    for person in {row["person"] for row in reg.reviews.get(review).details["panel"]}:
        reg.reviews.sign(review, person, "approve")
    with pytest.raises(BadInput, match="needs the tasks"):
        reg.reviews.decide(review, "tasks")


def test_a_review_switchback_is_recorded_as_such(registry: Registry) -> None:
    registry.projects.create("r", "R", at=PAST)
    registry.components.add(
        "r/1", "Detector", kind="model", level=6, at=PAST, reason="work done before the registry"
    )
    registry.components.import_graduation("r/1", approver="x", at=PAST + timedelta(days=1))
    registry.components.import_graduation("r/1", approver="x", at=PAST + timedelta(days=2))
    now = datetime.now(UTC)
    review = _reviewing.staffed_review(registry, "r/1", now, {})
    for person in {row["person"] for row in registry.reviews.get(review).details["panel"]}:
        registry.reviews.sign(
            review, person, "request-changes", tasks=[{"task": "stress tests", "target": "p99 < 80 ms"}]
        )
    registry.reviews.decide(review, "switchback", to_level=7, reason="stress tests missing")
    last = registry.history("r/1", lifecycle_only=True)[-1]
    assert (last.kind, last.from_level, last.to_level, last.switchback_kind) == ("switchback", 8, 7, "review")
    decided = [e for e in registry.history("r/1") if e.kind == "review.decide"][-1]
    assert decided.data["tasks"][0]["target"] == "p99 < 80 ms"


def test_level_two_both_paths_forks_the_project(registry: Registry) -> None:
    registry.projects.create("eta", "Etalumis", rd_owner="lab", at=PAST)
    registry.components.add(
        "eta/1", "Inference", kind="algorithm", level=2, at=PAST, reason="work done before the registry"
    )
    registry.requirements.add(
        "eta",
        "1",
        "Inference shall scale to the simulator",
        kind="research",
        p_failure=0.5,
        value=9,
        category="science",
        components=["eta/1"],
    )
    registry.requirements.add_step("eta", "1", "verification", "scaling run", method="test")
    now = datetime.now(UTC)
    review = _reviewing.staffed_review(registry, "eta/1", now, {})
    _reviewing.complete(registry, review, now)
    registry.reviews.record_choice(
        review, "research-path", "both", note="open-source protocol on its own path"
    )
    with pytest.raises(BadInput, match="--fork-key"):
        registry.reviews.decide(review, "graduate")
    registry.reviews.decide(review, "graduate", fork_key="ppx", reason="both paths")
    assert registry.components.get("eta/1").level == 3
    fork = registry.projects.get("ppx")
    assert fork.parent_key == "eta" and f"review {review}" in (fork.fork_reason or "")
    assert registry.components.get("ppx/1").forked_from == "eta/1"


def test_more_research_rules_graduation_out(registry: Registry) -> None:
    registry.projects.create("eta", "Etalumis", at=PAST)
    registry.components.add(
        "eta/1", "Inference", kind="algorithm", level=2, at=PAST, reason="work done before the registry"
    )
    now = datetime.now(UTC)
    review = _reviewing.staffed_review(registry, "eta/1", now, {})
    _reviewing.complete(registry, review, now)
    registry.reviews.record_choice(review, "research-path", "more-research")
    assert "key decision research-path is more-research" in registry.reviews.get(review).blockers


def test_a_review_goes_out_of_date_when_the_component_moves(reg: Registry) -> None:
    reg.components.import_graduation("np/1", approver="x", at=PAST + timedelta(days=1))
    review = reg.reviews.open("np/1").id
    reg.components.switchback("np/1", 4, kind="discovery", reason="gap")
    with pytest.raises(BadInput, match="open a new review"):
        reg.reviews.add_member(review, "research-lead", "X")


def test_go_needs_a_date(registry: Registry) -> None:
    registry.projects.create("r", "R")
    registry.components.add("r/1", "App", kind="model", level=8, reason="work done before the registry")
    review = registry.reviews.open("r/1").id
    with pytest.raises(BadInput, match="needs the date"):
        registry.reviews.record_choice(review, "go-no-go", "go")
    with pytest.raises(BadInput, match="not YYYY-MM-DD"):
        registry.reviews.record_choice(review, "go-no-go", "go", on_date="next week")
    registry.reviews.record_choice(review, "go-no-go", "go", on_date="2026-12-01")
    assert registry.reviews.get(review).details["choices"][0]["on_date"] == "2026-12-01"
