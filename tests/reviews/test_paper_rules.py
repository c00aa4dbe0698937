"""The rules of the paper that keep a level honest: no way around a gate, and every review outcome.

Each test drives the Python API on the backend under test; the CLI's refusals are in tests/cli.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mltrl.cards.model import HANDWRITTEN
from mltrl.demo import _reviewing
from mltrl.errors import BadInput, MltrlError, RuleViolation
from mltrl.service.registry import Registry

PAST = datetime.now(UTC) - timedelta(days=60)
#: How the entry review of a component that starts high waives what a test is not about.
NOT_UNDER_TEST = "the entry evidence is not what this test is about"


def day(n: float) -> datetime:
    return PAST + timedelta(days=n)


def passed_review(reg: Registry, ref: str, at: datetime, **choices: str) -> int:
    """A review of ``ref`` with every criterion met, the checklist answered and everyone approving."""
    review = _reviewing.staffed_review(reg, ref, at, {})
    _reviewing.complete(reg, review, at)
    for point, option in choices.items():
        reg.reviews.record_choice(review, point, option, at=at)
    return review


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("p", "Project", rd_owner="R. Lead", at=PAST)
    return registry


# --- imports are history only ----------------------------------------------------------------------


def test_import_is_refused_once_a_component_has_a_review(reg: Registry) -> None:
    reg.components.add("p/1", "Model", kind="model", level=2, reason="prior work", at=day(0))
    reg.components.import_graduation("p/1", approver="lab head", at=day(1))  # history: fine
    reg.reviews.open("p/1", at=day(2))
    before = reg.counts()
    with pytest.raises(RuleViolation, match=r"already has review 1 recorded here.*mltrl review open p/1"):
        reg.components.import_graduation("p/1", approver="me", at=day(3))
    assert reg.counts() == before and reg.components.get("p/1").level == 3


def test_import_is_refused_after_a_reviewed_graduation(reg: Registry) -> None:
    reg.components.add("p/1", "Model", kind="model", level=0, at=day(0))
    review = passed_review(reg, "p/1", day(1))
    reg.reviews.decide(review, "graduate", at=day(1))
    # A review closed by the graduation still counts: the component's history is live.
    with pytest.raises(RuleViolation, match="already has review"):
        reg.components.import_graduation("p/1", approver="me", at=day(2))


def test_a_policy_can_forbid_imports(db_url: str, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nsettings:\n  allow_imports: false\n")
    with Registry.init(db=db_url, actor="tester") as init:
        init.projects.create("p", "Project", at=PAST)
        init.components.add("p/1", "Model", kind="model", level=0, at=day(0))
    with Registry.open(db_url, actor="tester", policy=policy) as reg:
        with pytest.raises(RuleViolation, match="policy forbids imported history"):
            reg.components.import_graduation("p/1", approver="lab head", at=day(1))
        assert reg.components.get("p/1").level == 0


def test_imported_levels_are_labelled_and_never_count_as_met(reg: Registry) -> None:
    reg.components.add("p/1", "Model", kind="model", level=0, at=day(0))
    for n in range(1, 4):
        reg.components.import_graduation("p/1", approver="lab head", at=day(n))
    events = reg.history("p/1", lifecycle_only=True)
    assert [e.kind for e in events] == ["initiate", "import", "import", "import"]
    from mltrl.views.history import describe

    assert describe(events[-1]).startswith("IMPORTED history: graduated 2 -> 3 before the registry")
    node = reg.status("p").roots[0]
    assert node.labels == ["imported history to L3"]
    assert node.to_json()["provenance"]["imported_up_to"] == 3
    gate = reg.components.gate("p/1", 2)
    attestations = [c for c in gate.criteria if c.kind == "attestation"]
    assert attestations and {c.status for c in attestations} == {"imported"}
    assert "imported" not in {c.status for c in gate.criteria if c.kind == "evidence"}
    card = reg.cards.get("p", "1")
    assert card.summary.how_reached == [
        "1: started at level 0; levels up to 3 are imported history, not reviewed here"
    ]
    report = reg.report("p")
    kinds = {t["kind"] for t in report.to_json()["top_transitions"]}
    assert kinds == {"imported graduation"}


# --- entering high needs an entry review -----------------------------------------------------------


def test_a_component_entering_high_waits_for_its_entry_review(reg: Registry) -> None:
    c = reg.components.add(
        "p/9",
        "Fraud scorer",
        kind="model",
        level=7,
        reason="built by the vendor",
        entry_review=True,
        at=day(0),
    )
    assert (c.level, c.status) == (7, "entering")
    for refused in (
        lambda: reg.components.switchback("p/9", 6, kind="discovery", reason="x", at=day(1)),
        lambda: reg.components.pause("p/9", at=day(1)),
        lambda: reg.components.import_graduation("p/9", approver="x", at=day(1)),
    ):
        with pytest.raises(MltrlError):
            refused()
    assert reg.status("p").roots[0].labels == ["waits for its entry review into L7"]
    review = reg.reviews.open("p/9", at=day(2))
    assert review.level == 6 and review.template["entry"] is True
    with pytest.raises(BadInput, match="its review is the entry review"):
        reg.reviews.open("p/9", entry=False)
    # The gate into 7 is level 6's: its criteria, panel and evidence.
    view = reg.reviews.get(review.id)
    assert {c.id for c in view.template.criteria} >= {"L6.regulatory-compliance", "L6.ethics-checklist"}
    for role in view.template.roles:
        if role.required:
            reg.reviews.add_member(review.id, role.id, f"{role.id} person", at=day(2))
    _reviewing.complete(reg, review.id, day(2))
    with pytest.raises(RuleViolation, match="an entry review admits the component"):
        reg.reviews.decide(review.id, "pause", at=day(3))
    decided = reg.reviews.decide(review.id, "graduate", reason="vendor's tests rerun here", at=day(3))
    assert reg.reviews.get(decided.id).outcome == "entered at level 7"
    c = reg.components.get("p/9")
    assert (c.level, c.status, c.entry_level) == (7, "active", 7)
    assert [e.kind for e in reg.history("p/9", lifecycle_only=True)] == ["propose", "enter"]
    assert reg.status("p").roots[0].labels == [f"entered at L7 by entry review {review.id}"]
    assert reg.cards.get("p", "9").summary.how_reached == [
        f"9: entered at level 7 through entry review {review.id}"
    ]
    assert reg.components.gate("p/9", 6).holds and reg.doctor().healthy


def test_an_entry_review_that_finds_gaps_leaves_the_component_waiting(reg: Registry) -> None:
    reg.components.add("p/9", "Scorer", kind="model", level=5, reason="vendor", entry_review=True, at=day(0))
    review = _reviewing.staffed_review(reg, "p/9", day(1), {})
    first, *others = sorted(row["person"] for row in reg.reviews.get(review).details["panel"])
    reg.reviews.sign(review, first, "request-changes", tasks=["link the real data"], at=day(1))
    for person in others:
        reg.reviews.sign(review, person, "approve", at=day(1))
    reg.reviews.decide(review, "tasks", at=day(2))
    assert reg.components.get("p/9").status == "entering"
    assert reg.reviews.open("p/9", at=day(3)).level == 4  # a second entry review


def test_level_zero_needs_no_entry_review(reg: Registry) -> None:
    with pytest.raises(BadInput, match="level 0 has no gate before it"):
        reg.components.add("p/1", "Idea", kind="model", level=0, entry_review=True)


# --- what the paper makes mandatory cannot be waived ------------------------------------------------


def test_mandatory_criteria_cannot_be_waived_by_a_panel(reg: Registry) -> None:
    _reviewing.enter(
        reg, "p/1", "Model", kind="model", level=4, reason="prior PoC", waive=NOT_UNDER_TEST, at=day(0)
    )
    review = _reviewing.staffed_review(reg, "p/1", day(1), {})
    before = reg.counts()
    for criterion in ("L4.real-data", "L4.ethics-checklist"):
        for result in ("waived", "not-applicable"):
            with pytest.raises(BadInput, match=f"{criterion} is mandatory and cannot be {result}"):
                reg.reviews.record_result(review, criterion, result, "no time", at=day(1))
    assert reg.counts() == before
    _reviewing.complete(reg, review, day(1))  # no real data linked: the evidence criterion is unmet
    with pytest.raises(RuleViolation, match=r"L4\.real-data is unmet: no real data set is linked"):
        reg.reviews.decide(review, "graduate", at=day(2))


def test_waived_level2_steps_do_not_complete_level5(reg: Registry) -> None:
    reg.components.add("p/1", "Model", kind="model", level=2, reason="prior work", at=day(0))
    reg.requirements.add(
        "p",
        "1",
        "The model shall reach 0.9 AUC",
        kind="research",
        p_failure=0.1,
        value=5,
        category="technical",
        components=["p/1"],
    )
    reg.requirements.add_step("p", "1", "verification", "held-out AUC", method="test")
    reg.requirements.set_step("p", "1", 1, "waived", reason="no time")
    reg.components.import_graduation("p/1", approver="x", at=day(1))
    reg.components.import_graduation("p/1", approver="x", at=day(2))
    reg.components.import_graduation("p/1", approver="x", at=day(3))
    outcome = next(c for c in reg.components.gate("p/1", 5).criteria if c.id == "L5.level2-vv-complete")
    assert (outcome.status, outcome.reason) == ("unmet", "V&V not passed: 1/1 waived")


def test_a_policy_can_make_a_mandatory_criterion_waivable_and_the_card_says_so(
    db_url: str, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "version: 1\nlevels:\n  4:\n    change_criteria:\n      L4.real-data: {waivable: true}\n"
    )
    with Registry.init(db=db_url, actor="tester") as init:
        init.projects.create("p", "Project", at=PAST)
        init.components.add("p/1", "Model", kind="model", level=3, reason="prior PoC", at=day(0))
        init.components.import_graduation("p/1", approver="lab head", at=day(1))
    with Registry.open(db_url, actor="tester", policy=policy) as reg:
        review = reg.reviews.open("p/1", at=day(2))
        reg.reviews.record_result(
            review.id, "L4.real-data", "waived", "simulator only, agreed with QA", at=day(2)
        )
        assert reg.cards.get("p").policy_notes == [
            "this organisation's policy lets panels waive L4.real-data"
        ]


# --- decided, stays at this level -------------------------------------------------------------------


def test_level_8_no_go_stays_at_8(reg: Registry) -> None:
    _reviewing.enter(
        reg, "p/1", "App", kind="model", level=8, reason="legacy", waive=NOT_UNDER_TEST, at=day(0)
    )
    review = passed_review(reg, "p/1", day(1), **{"go-no-go": "no-go"})
    with pytest.raises(RuleViolation, match="key decision go-no-go is no-go"):
        reg.reviews.decide(review, "graduate", at=day(2))
    reg.reviews.decide(review, "stay", reason="market not ready", at=day(2))
    assert reg.reviews.get(review).outcome == "decided, stays at level 8"
    c = reg.components.get("p/1")
    assert (c.level, c.status) == (8, "active")


def test_stay_needs_a_staying_key_decision(reg: Registry) -> None:
    reg.components.add("p/1", "Model", kind="model", level=3, reason="prior work", at=day(0))
    review = passed_review(reg, "p/1", day(1))
    with pytest.raises(RuleViolation, match="level 3 has no 'stay' outcome"):
        reg.reviews.decide(review, "stay", at=day(2))


def test_level_9_is_reviewed_again_and_kept_never_graduated(reg: Registry) -> None:
    _reviewing.enter(
        reg, "p/1", "App", kind="model", level=9, reason="legacy", waive=NOT_UNDER_TEST, at=day(0)
    )
    review = passed_review(reg, "p/1", day(1))  # the demo panel records keep
    view = reg.reviews.get(review)
    assert not any("level 9 is the top" in b for b in view.blockers)
    with pytest.raises(RuleViolation, match="a deployed component is reviewed again, it does not graduate"):
        reg.reviews.decide(review, "graduate", at=day(2))
    with pytest.raises(RuleViolation, match="chose keep-or-switch-back=keep: decide `stay`"):
        reg.reviews.decide(review, "switchback", to_level=7, at=day(2))


def test_level_9_decision_must_follow_the_panels_choice(reg: Registry) -> None:
    _reviewing.enter(
        reg, "p/1", "App", kind="model", level=9, reason="legacy", waive=NOT_UNDER_TEST, at=day(0)
    )
    review = passed_review(reg, "p/1", day(1), **{"keep-or-switch-back": "back-to-4"})
    with pytest.raises(RuleViolation, match="so the switchback goes to 4, not 7"):
        reg.reviews.decide(review, "switchback", to_level=7, at=day(2))
    with pytest.raises(RuleViolation, match="decide `switchback --to 4`"):
        reg.reviews.decide(review, "stay", at=day(2))
    reg.reviews.decide(review, "switchback", to_level=4, reason="new capability", at=day(2))
    move = reg.history("p/1", lifecycle_only=True)[-1]
    assert (move.kind, move.switchback_kind, move.to_level) == ("switchback", "embedded", 4)
    # It entered at 9; now it has been at 4, and the gates above are assessed here.
    assert reg.components.get("p/1").entry_level == 4 and reg.doctor().healthy


def test_a_level_4_review_can_pass_and_pause(reg: Registry) -> None:
    _reviewing.enter(
        reg, "p/1", "Model", kind="model", level=4, reason="prior work", waive=NOT_UNDER_TEST, at=day(0)
    )
    reg.datasets.add("p", "real", "Real data", kind="real")
    reg.datasets.link("real", "p/1", "train")
    review = passed_review(reg, "p/1", day(1), **{"continue-or-pause": "pause"})
    reg.reviews.decide(review, "pause", reason="no budget this year", at=day(2))
    assert reg.reviews.get(review).outcome == "passed, paused"
    c = reg.components.get("p/1")
    assert (c.level, c.status) == (4, "paused")


def test_a_pause_that_did_not_pass_is_just_paused(reg: Registry) -> None:
    _reviewing.enter(
        reg, "p/1", "Model", kind="model", level=4, reason="prior work", waive=NOT_UNDER_TEST, at=day(0)
    )
    review = passed_review(reg, "p/1", day(1), **{"continue-or-pause": "pause"})  # no real data
    reg.reviews.decide(review, "pause", at=day(2))
    assert reg.reviews.get(review).outcome == "paused"


# --- embedded switchbacks ----------------------------------------------------------------------------


def test_a_paused_deployed_component_goes_back_to_7_on_a_new_version(reg: Registry) -> None:
    _reviewing.enter(
        reg, "p/1", "App", kind="model", level=9, reason="legacy", waive=NOT_UNDER_TEST, at=day(0)
    )
    reg.components.pause("p/1", reason="seasonal", at=day(1))
    reg.versions.register("p/1", "model", "2.0.0", at=day(2))
    c = reg.components.get("p/1")
    assert (c.level, c.status) == (7, "paused")
    assert reg.doctor().healthy


def test_embedded_switchbacks_reach_level_7_or_earlier(reg: Registry) -> None:
    for code, to in (("1", 6), ("2", 5)):
        _reviewing.enter(
            reg, f"p/{code}", "App", kind="model", level=9, reason="legacy", waive=NOT_UNDER_TEST, at=day(0)
        )
        reg.components.switchback(f"p/{code}", to, reason="rework the pipeline", at=day(1))
        assert reg.history(f"p/{code}", lifecycle_only=True)[-1].switchback_kind == "embedded"
    with pytest.raises(RuleViolation, match="not one of the embedded switchbacks"):
        _reviewing.enter(
            reg, "p/3", "App", kind="model", level=9, reason="legacy", waive=NOT_UNDER_TEST, at=day(0)
        )
        reg.components.switchback("p/3", 3, kind="embedded", reason="x", at=day(1))


# --- a level change closes the reviews of the old level ---------------------------------------------


def test_a_review_left_open_across_a_level_change_is_superseded(reg: Registry) -> None:
    _reviewing.enter(
        reg, "p/1", "App", kind="model", level=9, reason="legacy", waive=NOT_UNDER_TEST, at=day(0)
    )
    stale = reg.reviews.open("p/1", at=day(1)).id  # e.g. opened by a monitoring alert
    reg.versions.register("p/1", "model", "2.0.0", at=day(2))  # embedded 9 -> 7
    assert reg.reviews.get(stale).outcome == "superseded"
    with pytest.raises(BadInput, match="closed unfinished when p/1 changed level"):
        reg.reviews.decide(stale, "tasks", at=day(3))
    fresh = reg.reviews.open("p/1", at=day(3))
    assert fresh.level == 7
    superseded = [e for e in reg.history("p/1") if e.kind == "review.supersede"]
    assert [e.data["review"] for e in superseded] == [stale]


# --- the log only moves forward ---------------------------------------------------------------------


def test_a_version_cannot_predate_the_components_last_event(reg: Registry) -> None:
    reg.components.add("p/1", "Model", kind="model", level=0, at=day(10))
    before = reg.counts()
    with pytest.raises(BadInput, match="would predate the component's last event"):
        reg.versions.register("p/1", "model", "1.0.0", at=day(1))
    assert reg.counts() == before


# --- the level-2 fork, the whole system, the level-8 walkthrough --------------------------------------


def test_both_paths_leaves_the_research_fork_at_2_and_the_prototype_at_3(reg: Registry) -> None:
    reg.components.add("p/1", "Method", kind="algorithm", level=2, reason="prior work", at=day(0))
    reg.requirements.add(
        "p",
        "1",
        "It shall work",
        kind="research",
        p_failure=0.1,
        value=2,
        category="science",
        components=["p/1"],
    )
    reg.requirements.add_step("p", "1", "verification", "benchmark", method="test")
    review = passed_review(reg, "p/1", day(1), **{"research-path": "both"})
    reg.reviews.decide(review, "graduate", fork_key="p-research", at=day(2))
    assert reg.components.get("p/1").level == 3
    assert reg.components.get("p-research/1").level == 2
    assert reg.projects.get("p-research").parent_key == "p"


def test_a_coupling_to_another_project_holds_the_system_back(reg: Registry) -> None:
    reg.components.add("p/1", "App", kind="model", level=3, reason="prototype exists", at=day(0))
    reg.projects.create("lib", "Shared library", at=day(0))
    reg.components.add("lib/1", "Tokenizer", kind="software-module", level=1, reason="early", at=day(0))
    reg.components.couple("p/1", "lib/1", note="the app tokenizes with it")
    status = reg.status("p")
    assert (status.system_level, status.held_back_by) == (1, ["lib/1"])
    assert status.held_back_by_names == ["lib/1 Tokenizer"]
    assert status.roots[0].effective_level == 1
    assert reg.cards.get("p").summary.held_back_by_names == ["lib/1 Tokenizer"]


def test_a_composite_cannot_graduate_above_its_least_ready_part(reg: Registry) -> None:
    reg.components.add("p/1", "System", kind="composite", level=3, reason="prototype", at=day(0))
    reg.components.add("p/1.1", "Part", kind="model", level=3, parent="1", reason="prototype", at=day(0))
    reg.cards.edit("p", {"ethics": "reviewed"})
    review = passed_review(reg, "p/1", day(1))
    with pytest.raises(
        RuleViolation,
        match=r"L3.parts-ready is unmet: graduating to 4 would put it above its "
        r"parts: p/1.1 at 3",
    ):
        reg.reviews.decide(review, "graduate", at=day(2))
    part = passed_review(reg, "p/1.1", day(3))
    reg.reviews.decide(part, "graduate", at=day(3))
    reg.reviews.decide(review, "graduate", at=day(4))
    assert reg.components.get("p/1").level == 4


def test_the_level_8_walkthrough_covers_every_requirement_of_the_project(reg: Registry) -> None:
    _reviewing.enter(
        reg, "p/1", "App", kind="model", level=8, reason="legacy", waive=NOT_UNDER_TEST, at=day(0)
    )
    reg.requirements.add(
        "p",
        "1",
        "Latency shall stay under 50 ms",
        kind="product",
        p_failure=0.9,
        value=10,
        category="product",
    )  # linked to nothing
    reg.requirements.add_step("p", "1", "validation", "load test", method="test")
    reg.requirements.set_step("p", "1", 1, "failed")
    outcome = next(c for c in reg.components.gate("p/1", 8).criteria if c.id == "L8.requirements-walkthrough")
    assert (outcome.status, outcome.reason) == ("unmet", "not validated: 1/1 failed")


def test_monitoring_must_be_ready_before_deployment(reg: Registry) -> None:
    import pandas as pd  # the test extra installs the monitor extra

    _reviewing.enter(
        reg, "p/1", "Scorer", kind="model", level=8, reason="legacy", waive=NOT_UNDER_TEST, at=day(0)
    )
    outcome = next(c for c in reg.components.gate("p/1", 8).criteria if c.id == "L8.monitoring-ready")
    assert outcome.status == "unmet" and "mltrl monitor reference p/1" in outcome.reason
    reg.monitor.set_reference("p/1", pd.DataFrame({"x": [1.0, 2.0, 3.0] * 20}))
    outcome = next(c for c in reg.components.gate("p/1", 8).criteria if c.id == "L8.monitoring-ready")
    assert outcome.status == "met"


# --- level 9 is reviewed again, on a cadence ----------------------------------------------------------


def test_deployed_components_are_reviewed_on_a_cadence(reg: Registry) -> None:
    _reviewing.enter(
        reg, "p/1", "App", kind="model", level=9, reason="legacy", waive=NOT_UNDER_TEST, at=day(0)
    )
    (due,) = reg.reviews.due("p")
    assert (due.every_days, due.due_at, due.overdue) == (90, day(90), False)  # the policy's default
    reg.components.set_cadence("p/1", 30)
    (due,) = reg.reviews.due()
    assert (due.due_at, due.overdue) == (day(30), True)
    assert reg.status("p").roots[0].labels[-1] == f"review OVERDUE since {day(30).date().isoformat()}"
    assert reg.cards.get("p").summary.recurring_reviews == [
        f"1: reviewed every 30 days, OVERDUE since {day(30).date().isoformat()}"
    ]
    reg.evidence.record("p/1", "L9.monitoring-drift", kind="monitoring", outcome="pass", at=day(40))
    reg.cards.edit("p", dict.fromkeys(HANDWRITTEN, "written"))
    review = passed_review(reg, "p/1", day(40))
    reg.reviews.decide(review, "stay", reason="monitoring is calm", at=day(41))
    (due,) = reg.reviews.due()
    assert (due.since, due.last_review, due.due_at, due.overdue) == (day(41), review, day(71), False)


def test_the_review_cadence_is_whole_days(reg: Registry) -> None:
    _reviewing.enter(
        reg, "p/1", "App", kind="model", level=9, reason="legacy", waive=NOT_UNDER_TEST, at=day(0)
    )
    for bad in ("0", "-3", "2.5", "many"):
        with pytest.raises(BadInput, match="--every"):
            reg.components.set_cadence("p/1", bad)  # type: ignore[arg-type]


def test_a_gate_passed_twice_in_imported_history_names_its_latest_approver(reg: Registry) -> None:
    reg.components.add("p/1", "Model", kind="model", level=0, at=day(0))
    reg.components.import_graduation("p/1", approver="first lab", at=day(1))
    reg.components.switchback("p/1", 0, kind="discovery", reason="labels were leaking", at=day(2))
    reg.components.import_graduation("p/1", approver="second lab", at=day(3))
    reg.components.import_graduation("p/1", approver="third lab", at=day(4))  # the level-1 gate
    reasons = {
        level: {c.reason for c in reg.components.gate("p/1", level).criteria if c.status == "imported"}
        for level in (0, 1)
    }
    assert reasons == {
        0: {"imported history: passed before the registry, approved by second lab"},
        1: {"imported history: passed before the registry, approved by third lab"},
    }


def test_doctor_reports_an_import_recorded_into_live_work(reg: Registry) -> None:
    from mltrl.domain.model import Approval
    from mltrl.service import lifecycle

    reg.components.add("p/1", "Model", kind="model", level=2, reason="prior work", at=day(0))
    reg.reviews.open("p/1", at=day(1))
    # What an older mltrl let through: an import after a review was opened (the service refuses it now).
    approval = Approval(level=None, approvers=("me",), source="import")
    reg._write(lifecycle.graduate, "p/1", approval, at=day(2))
    report = reg.doctor()
    assert not report.healthy
    (problem,) = report.problems
    assert problem["component"] == "p/1"
    assert problem["problem"].startswith("imported graduation 2 -> 3 was recorded after a review was opened")
    assert reg.components.get("p/1").level == 3  # reported, never rewritten


# --- the card keeps up with the work -------------------------------------------------------------------


def test_ethics_on_the_card_must_be_revised_at_the_level(reg: Registry) -> None:
    reg.components.add("p/1", "Model", kind="model", level=3, reason="prototype", at=day(0))
    outcome = next(c for c in reg.components.gate("p/1", 3).criteria if c.id == "L3.ethics-on-card")
    assert (outcome.status, outcome.reason) == (
        "unmet",
        "the TRL Card has no ethics section: `mltrl card edit`",
    )
    reg.cards.edit("p", {"ethics": "No personal data; harms reviewed with the panel."})
    assert (
        next(c for c in reg.components.gate("p/1", 3).criteria if c.id == "L3.ethics-on-card").status == "met"
    )
    reg.components.import_graduation("p/1", approver="x", at=datetime.now(UTC) - timedelta(seconds=1))
    reg.components.import_graduation("p/1", approver="x", at=datetime.now(UTC))
    # It reached level 5 after the ethics section was written: the section is out of date there.
    outcome = next(c for c in reg.components.gate("p/1", 5).criteria if c.id == "L5.ethics-on-card")
    assert outcome.status == "unmet" and "before the component reached level 5" in outcome.reason


def test_a_complete_card_names_only_current_versions(reg: Registry, lenient_entry: Path) -> None:
    # History imported from before the registry climbs back after each change (not what is tested).
    reg.components.add("p/1", "App", kind="model", level=9, reason="legacy", at=day(0))
    reg.versions.register("p/1", "model", "1.0.0", at=day(1))  # 9 -> 7
    reg.components.import_graduation("p/1", approver="x", at=day(2))
    reg.components.import_graduation("p/1", approver="x", at=day(3))
    reg.cards.edit(
        "p", {**dict.fromkeys(HANDWRITTEN, "written"), "model-details": "Gradient boosting, v1.0.0."}
    )
    assert (
        next(c for c in reg.components.gate("p/1", 9).criteria if c.id == "L9.card-complete").status == "met"
    )
    reg.versions.register("p/1", "model", "1.1.0", at=day(4))  # deployed anew: back to 7, then up again
    reg.components.import_graduation("p/1", approver="x", at=day(5))
    reg.components.import_graduation("p/1", approver="x", at=day(6))
    outcome = next(c for c in reg.components.gate("p/1", 9).criteria if c.id == "L9.card-complete")
    assert outcome.status == "unmet"
    assert "model-details names model 1.0.0, but model 1.1.0 is current" in outcome.reason


def test_a_retired_component_takes_no_more_changes(reg: Registry) -> None:
    import pandas as pd  # the test extra installs the monitor extra

    reg.components.add("p/1", "Model", kind="model", level=3, reason="prototype", at=day(0))
    reg.datasets.add("p", "d", "Data", kind="real")
    reg.components.retire("p/1", reason="superseded", at=day(1))
    before = reg.counts()
    for change, what in (
        (lambda: reg.versions.register("p/1", "model", "2.0.0"), "versions"),
        (lambda: reg.evidence.record("p/1", "L3.test-data", kind="test-run", outcome="pass"), "evidence"),
        (lambda: reg.monitor.set_reference("p/1", pd.DataFrame({"x": [1.0, 2.0]})), "monitoring profiles"),
        (lambda: reg.datasets.link("d", "p/1", "train"), "data links"),
    ):
        with pytest.raises(RuleViolation, match=f"p/1 is retired; it takes no more {what}"):
            change()
    assert reg.counts() == before


def test_a_card_says_when_the_policy_relaxes_entry_or_separation_of_duties(
    db_url: str, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nsettings: {entry_without_review_up_to: 9, separation_of_duties: false}\n")
    with Registry.init(db=db_url, actor="tester") as init:
        init.projects.create("p", "Project", at=PAST)
    with Registry.open(db_url, actor="tester", policy=policy) as reg:
        reg.components.add("p/1", "Model", kind="model", level=9, reason="legacy", at=day(0))
        assert reg.cards.get("p").policy_notes == [
            "this organisation's policy lets a component enter up to level 9 with a reason alone, "
            "without an entry review (shipped: 3)",
            "this organisation's policy lets the owner of the work be its only approver",
        ]
