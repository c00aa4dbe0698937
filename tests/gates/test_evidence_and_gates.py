"""Evidence on exact versions, stale evidence, the gate probes, and the automatic 9 -> 7 switchback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mltrl.demo import _reviewing
from mltrl.errors import BadInput, MltrlError, NotFound
from mltrl.service.registry import Registry

# Components start at high levels here with a reason alone; entry reviews are tested in test_paper_rules.
pytestmark = pytest.mark.usefixtures("lenient_entry")

PAST = datetime.now(UTC) - timedelta(days=60)


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("rec", "Recycling", rd_owner="M. Chen", at=PAST)
    registry.components.add(
        "rec/1.1",
        "Detector",
        kind="model",
        level=7,
        owner="M. Chen",
        at=PAST,
        reason="work done before the registry",
    )
    registry.versions.register("rec/1.1", "model", "1.0.0", at=PAST)
    registry.versions.register("rec/1.1", "data", "1.0.0", at=PAST)
    registry.requirements.add(
        "rec", "1", "Recall on every material class shall stay at or above 0.9", kind="product",
        category="technical", p_failure=0.4, value=8, components=["rec/1.1"], slices=["crumpled cans"],
    )  # fmt: skip
    return registry


def suites(reg: Registry, ref: str = "rec/1.1", *, outcome: str = "pass") -> None:
    golden_and_relations(reg, ref, passing=outcome == "pass")
    for stage in ("ingestion", "processed"):  # the stages mltrl.checks.DataValidationCheck labels
        reg.evidence.record(
            ref, "L7.data-validation", kind="data-check", outcome="pass", metrics={"stage": stage}
        )
    # The scenario test of requirement 1 (labelled as mltrl.checks.scenarios.record_scenarios does).
    metrics = {"requirements": "1", "recall[crumpled cans]": 0.93}
    reg.evidence.record(ref, "L7.critical-scenarios", kind="test-run", outcome="pass", metrics=metrics)
    reg.evidence.record(ref, "L7.uncertainty", kind="test-run", outcome="pass", metrics={"ece": 0.02})
    # CI runs two tests of each ML Test Score section: the computed score is 2, the default threshold.
    reg.evidence.record(
        ref,
        "L7.ml-test-score",
        kind="report",
        outcome="pass",
        metrics={"rubric": "D1,D2,M1,M2,I1,I2,Mon1,Mon2"},
        source="ci",
    )


def golden_and_relations(reg: Registry, ref: str, *, passing: bool) -> None:
    """The current model scored on the golden set, and the codified relations run: typed-in evidence
    no longer backs L7.golden-dataset or L7.metamorphic (testing.md)."""
    import numpy as np
    from sklearn.dummy import DummyClassifier

    from mltrl.checks import GoldenCheck

    if not any(d.key == "golden" for d in reg.datasets.list("rec")):
        reg.datasets.add("rec", "golden", "Golden set", kind="real")
    if not reg.datasets.get("golden").versions:
        reg.datasets.add_version("golden", "1.0.0")
    if not any(link.component == ref and link.role == "golden" for link in reg.datasets.get("golden").links):
        reg.datasets.link("golden", ref, "golden")
    X, y = np.zeros((60, 1)), np.array([0, 1] * 30)
    predictions = y if passing else 1 - y
    reg.golden.score(ref, "golden", predictions, X, y, check=GoldenCheck(minimum=0.8, n_boot=200))
    if not reg.relations.list(ref):
        reg.relations.add(ref, "noise", kind="invariance", perturbation="gaussian_noise")
    reg.relations.run(ref, DummyClassifier().fit(X, y), X)


def status(reg: Registry, ref: str, level: int) -> dict[str, str]:
    return {c.id: c.status for c in reg.components.gate(ref, level).criteria if c.kind == "evidence"}


def test_evidence_records_the_exact_versions_and_goes_stale(reg: Registry, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text("<p>golden run</p>")
    e = reg.evidence.record(
        "rec/1.1",
        "L7.golden-dataset",
        kind="test-run",
        outcome="pass",
        metrics={"recall": 0.93},
        files=[report, report],
        source="ci",
    )
    assert e.versions == {"model": "1.0.0", "data": "1.0.0"} and e.fresh
    assert [f["name"] for f in e.files] == ["report.html", "report.html"]
    assert reg.counts()["events"] > 0
    reg.versions.register("rec/1.1", "code", "0.1.0")
    (again,) = reg.evidence.list("rec/1.1")
    assert not again.fresh and again.metrics == {"recall": 0.93}


def test_probes_follow_the_registry(reg: Registry) -> None:
    before = status(reg, "rec/1.1", 7)
    assert before.pop("L7.parts-ready") == "met"  # a model has no parts to wait for
    assert set(before.values()) == {"unmet"}
    reg.datasets.add("rec", "golden", "Golden set", kind="real")
    reg.datasets.link("golden", "rec/1.1", "golden")
    suites(reg)
    gate = status(reg, "rec/1.1", 7)
    assert gate["L7.golden-dataset"] == gate["L7.metamorphic"] == gate["L7.ml-test-score"] == "met"
    assert gate["L7.ethics-checklist"] == "unmet"  # no review has answered it yet
    reg.versions.register("rec/1.1", "model", "1.1.0")
    gate = status(reg, "rec/1.1", 7)
    assert gate["L7.golden-dataset"] == "stale" and gate["L7.data-validation"] == "stale"
    reasons = {c.id: c.reason for c in reg.components.gate("rec/1.1", 7).criteria}
    # The reason names the version that changed, not every current one (issue 14).
    assert reasons["L7.golden-dataset"].endswith("stale: it was computed on model 1.0.0, now model 1.1.0")
    assert "data" not in reasons["L7.golden-dataset"]


def test_failed_evidence_does_not_back_a_gate(reg: Registry) -> None:
    suites(reg, outcome="fail")
    assert status(reg, "rec/1.1", 7)["L7.golden-dataset"] == "unmet"


def test_requirement_probes_and_vv_evidence(registry: Registry) -> None:
    registry.projects.create("np", "Neuro")
    registry.components.add("np/1", "Model", kind="model", level=2, reason="work done before the registry")
    assert status(registry, "np/1", 2)["L2.research-requirements"] == "unmet"
    registry.requirements.add(
        "np",
        "1",
        "The model shall separate tissue types",
        kind="research",
        p_failure=0.2,
        value=8,
        category="science",
        components=["np/1"],
    )
    assert (
        "no V&V"
        in {c.id: c.reason for c in registry.components.gate("np/1", 2).criteria}["L2.research-requirements"]
    )
    registry.requirements.add_step("np", "1", "verification", "purity", method="test")
    assert status(registry, "np/1", 2)["L2.research-requirements"] == "met"
    assert status(registry, "np/1", 5)["L5.level2-vv-complete"] == "unmet"
    e = registry.evidence.record("np/1", None, kind="test-run", outcome="pass", requirement="1", step=1)
    assert e.requirement == "1" and e.step_number == 1
    (q,) = registry.requirements.list("np")
    assert q.steps[0].status == "passed"  # the step follows its evidence
    assert status(registry, "np/1", 5)["L5.level2-vv-complete"] == "met"
    assert status(registry, "np/1", 5)["L5.product-requirements"] == "unmet"
    assert status(registry, "np/1", 8)["L8.requirements-walkthrough"] == "met"


def test_a_new_version_of_a_deployed_component_switches_it_back_to_seven(registry: Registry) -> None:
    registry.projects.create("rec", "Recycling", at=PAST)
    registry.components.add(
        "rec/1", "App", kind="model", level=7, at=PAST, reason="work done before the registry"
    )
    registry.versions.register("rec/1", "model", "1.0.0", at=PAST)
    registry.components.import_graduation("rec/1", approver="panel", at=PAST + timedelta(days=2))
    registry.components.import_graduation("rec/1", approver="panel", at=PAST + timedelta(days=3))
    registry.versions.register("rec/1", "model", "2.0.0")
    (switchback,) = [e for e in registry.history("rec/1", lifecycle_only=True) if e.kind == "switchback"]
    assert (switchback.from_level, switchback.to_level, switchback.switchback_kind) == (9, 7, "embedded")
    assert "model 1.0.0 -> 2.0.0" in switchback.reason
    assert registry.components.get("rec/1").level == 7
    assert registry.doctor().healthy


def test_a_component_that_entered_at_nine_goes_back_to_seven_on_a_change(registry: Registry) -> None:
    registry.projects.create("rec", "Recycling", at=PAST)
    registry.components.add(
        "rec/1", "Legacy app", kind="model", level=9, at=PAST, reason="work done before the registry"
    )
    registry.evidence.record("rec/1", "L8.canary", kind="deployment-test", outcome="pass")
    registry.versions.register("rec/1", "model", "2.0.0")
    component = registry.components.get("rec/1")
    # Any change to a deployed component goes back through integration, even one that entered at 9:
    # from now on it has been at 7, so the gates of 7 and 8 are assessed here.
    assert (component.level, component.entry_level) == (7, 7)
    moves = [e for e in registry.history("rec/1", lifecycle_only=True) if e.kind == "switchback"]
    assert moves[-1].switchback_kind == "embedded" and "model 2.0.0" in moves[-1].reason
    assert not registry.evidence.list("rec/1")[0].fresh
    assert not registry.components.gate("rec/1", 7).holds
    assert registry.doctor().healthy


def test_a_review_cannot_graduate_on_stale_evidence_unless_the_panel_waives_it(reg: Registry) -> None:
    reg.datasets.add("rec", "golden", "Golden set", kind="real")
    reg.datasets.link("golden", "rec/1.1", "golden")
    suites(reg)
    reg.versions.register("rec/1.1", "model", "1.1.0")
    now = datetime.now(UTC)
    review = _reviewing.staffed_review(reg, "rec/1.1", now, {})
    _reviewing.complete(reg, review, now)
    before = reg.counts()
    with pytest.raises(BadInput, match=r"evidence criterion L7\.critical-scenarios is stale"):
        reg.reviews.decide(review, "graduate")
    assert reg.counts() == before
    suites(reg)  # the suites run again on model 1.1.0
    # The approvals were given before those results (docs/trust.md): the panel looks and signs again.
    with pytest.raises(BadInput, match="approval was signed on different evidence"):
        reg.reviews.decide(review, "graduate")
    for person in {s["person"] for s in reg.reviews.get(review).details["signatures"]}:
        reg.reviews.sign(review, person, "approve")
    reg.reviews.decide(review, "graduate")
    assert reg.components.get("rec/1.1").level == 8


def test_the_panel_can_waive_an_evidence_criterion_with_a_reason(reg: Registry) -> None:
    reg.datasets.add("rec", "golden", "Golden set", kind="real")
    reg.datasets.link("golden", "rec/1.1", "golden")
    suites(reg)
    now = datetime.now(UTC)
    review = _reviewing.staffed_review(reg, "rec/1.1", now, {})
    _reviewing.complete(reg, review, now)
    reg.versions.register("rec/1.1", "data", "1.0.1")
    reg.reviews.record_result(review, "L7.data-validation", "waived", "schema unchanged; rerun scheduled")
    # The other suites are stale too; the panel waives only one, so the gate still refuses.
    with pytest.raises(BadInput, match=r"L7\.critical-scenarios is stale"):
        reg.reviews.decide(review, "graduate")
    assert status(reg, "rec/1.1", 7)["L7.data-validation"] == "waived"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda r: r.evidence.record("rec/1.1", "L7.nope", kind="test-run", outcome="pass"),
            BadInput,
            "no criterion 'L7.nope'",
        ),
        (
            lambda r: r.evidence.record("rec/1.1", "L7.metamorphic", kind="vibes", outcome="pass"),
            BadInput,
            "evidence kind",
        ),
        (
            lambda r: r.evidence.record("rec/1.1", "L7.metamorphic", kind="test-run", outcome="ok"),
            BadInput,
            "outcome",
        ),
        (
            lambda r: r.evidence.record("rec/1.1", None, kind="test-run", outcome="pass"),
            BadInput,
            "--criterion, e.g. L7",
        ),
        (
            lambda r: r.evidence.record(
                "rec/1.1", "L7.metamorphic", kind="test-run", outcome="pass", versions={"model": "9.9.9"}
            ),
            NotFound,
            "model version 9.9.9",
        ),
        (
            lambda r: r.evidence.record(
                "rec/1.1", "L7.metamorphic", kind="test-run", outcome="pass", metrics={"x": float("nan")}
            ),
            BadInput,
            "metric x is nan: give a finite number",
        ),
        (
            lambda r: r.evidence.record(
                "rec/1.1", "L7.metamorphic", kind="test-run", outcome="pass", metrics={"x": float("-inf")}
            ),
            BadInput,
            "metric x is -inf: give a finite number",
        ),
        (
            lambda r: r.evidence.record(
                "rec/1.1", "L7.metamorphic", kind="test-run", outcome="pass", files=["/no/such/file"]
            ),
            BadInput,
            "cannot read",
        ),
        (
            lambda r: r.evidence.record("rec/1.1", None, kind="test-run", outcome="pass", requirement="1"),
            BadInput,
            "both the requirement and the step",
        ),
    ],
)
def test_bad_evidence_is_refused_and_nothing_is_written(reg: Registry, call, error, message) -> None:  # type: ignore[no-untyped-def]
    before = reg.counts()
    with pytest.raises(error, match=message) as caught:
        call(reg)
    assert "\n" not in caught.value.message
    assert reg.counts() == before


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["code", "model", "data"]), st.booleans()), min_size=1, max_size=6
    )
)
def test_no_evidence_on_an_old_version_satisfies_a_gate_for_a_newer_one(registry: Registry, steps) -> None:  # type: ignore[no-untyped-def]
    """Interleave new versions and evidence at random: a gate criterion is met only by evidence
    computed on exactly the component's current versions."""
    import uuid

    key = f"p{uuid.uuid4().hex[:8]}"
    registry.projects.create(key, "property")
    ref = f"{key}/1"
    registry.components.add(ref, "model", kind="model", level=7, reason="work done before the registry")
    counter = {"code": 0, "model": 0, "data": 0}
    last_evidence_versions: dict[str, str] | None = None
    for kind, record_after in steps:
        counter[kind] += 1
        registry.versions.register(ref, kind, f"{counter[kind]}.0.0")
        if record_after:
            last_evidence_versions = registry.evidence.record(
                ref, "L8.canary", kind="deployment-test", outcome="pass"
            ).versions
    current = {k: f"{n}.0.0" for k, n in counter.items() if n}
    # A criterion backed by its latest evidence (L7.metamorphic now asks for codified relations).
    gate = status(registry, ref, 8)["L8.canary"]
    if last_evidence_versions is None:
        assert gate == "unmet"
    elif last_evidence_versions == current:
        assert gate == "met"
    else:
        assert gate == "stale"


def test_gate_errors(reg: Registry) -> None:
    with pytest.raises(MltrlError, match="outside 0-9"):
        reg.components.gate("rec/1.1", 12)


def test_end_to_end_from_evidence_to_gate_to_card(registry: Registry) -> None:
    past = datetime.now(UTC) - timedelta(days=10)
    registry.projects.create("mon", "Monitored service", at=past)
    registry.components.add(
        "mon/1", "Scorer", kind="model", level=9, at=past, reason="work done before the registry"
    )
    registry.versions.register("mon/1", "model", "3.0.0", at=past)
    criteria = {c.id: c for c in registry.components.gate("mon/1", 9).criteria}
    assert criteria["L9.monitoring-drift"].status == "unmet"
    registry.evidence.record(
        "mon/1",
        "L9.monitoring-drift",
        kind="monitoring",
        outcome="pass",
        metrics={"drift_checks": 20, "alerts_open": 0},
        source="ci",
    )
    assert {c.id: c.status for c in registry.components.gate("mon/1", 9).criteria}[
        "L9.monitoring-drift"
    ] == "met"
    card = registry.cards.get("mon", "1")
    assert {m.name: m.value for m in card.metric_results}["1 drift_checks"] == 20
    registry.versions.register("mon/1", "data", "1.0.0")  # at 9 but entered at 9: stays, evidence stale
    card = registry.cards.get("mon", "1")
    assert [m.fresh for m in card.metric_results] == [False, False]
    assert registry.status("mon").roots[0].stale_evidence == ["L9.monitoring-drift"]


def test_ethics_checklist_probe_reads_the_review(reg: Registry) -> None:
    now = datetime.now(UTC)
    review = _reviewing.staffed_review(reg, "rec/1.1", now, {})
    assert (
        "26 of 26 ethics questions unanswered"
        in {c.id: c.reason for c in reg.components.gate("rec/1.1", 7).criteria}["L7.ethics-checklist"]
    )
    _reviewing.complete(reg, review, now)
    assert status(reg, "rec/1.1", 7)["L7.ethics-checklist"] == "met"


def test_status_names_the_criteria_whose_latest_evidence_is_stale(reg: Registry) -> None:
    """Only each criterion's latest evidence counts: older evidence on a replaced version does not
    make a criterion stale once newer evidence on the current versions backs it, whatever its count."""
    reg.components.add("rec/1.2", "Sorter", kind="model", level=7, at=PAST, reason="before the registry")
    reg.versions.register("rec/1.2", "model", "1.0.0", at=PAST)
    for ref in ("rec/1.1", "rec/1.2"):
        for n in range(3):
            reg.evidence.record(ref, "L7.uncertainty", kind="test-run", outcome="pass", metrics={"ece": n})
        reg.evidence.record(ref, "L7.golden-dataset", kind="test-run", outcome="pass", metrics={"acc": 0.9})
    reg.versions.register("rec/1.1", "model", "1.1.0")  # everything recorded on 1.1 goes stale
    reg.evidence.record("rec/1.1", "L7.uncertainty", kind="test-run", outcome="pass", metrics={"ece": 3})

    def stale() -> dict[str, list[str]]:
        nodes = reg.status("rec").roots
        return {n.component.code: n.stale_evidence for n in nodes if n.stale_evidence}

    assert stale() == {"1.1": ["L7.golden-dataset"]}
    reg.versions.register("rec/1.2", "data", "0.1.0")  # a new kind of version on 1.2
    assert stale() == {"1.1": ["L7.golden-dataset"], "1.2": ["L7.golden-dataset", "L7.uncertainty"]}
