"""Metamorphic relations codified on the component: listed, run, each outcome stored, and the
L7.metamorphic gate met only when every listed relation passed on the current versions."""

from __future__ import annotations

from typing import Any

import pytest

from mltrl.errors import BadInput, NotFound, RuleViolation
from mltrl.service.registry import Registry

pytestmark = pytest.mark.usefixtures("lenient_entry")
REF = "rec/1.1"


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("rec", "Recycling", rd_owner="M. Chen")
    registry.components.add(REF, "Detector", kind="model", level=7, owner="M. Chen", reason="migrated")
    registry.versions.register(REF, "model", "1.0.0")
    return registry


def codify(reg: Registry) -> None:
    reg.relations.add(
        REF,
        "noise",
        kind="invariance",
        perturbation="gaussian_noise",
        params={"scale": 0.01},
        tolerance=0.05,
        description="1% measurement noise does not change the diagnosis",
    )
    # A logistic regression is monotone in every feature: a larger radius means malignant (class 0),
    # so the probability of benign (the last class, scored by default) goes down for every row.
    reg.relations.add(
        REF,
        "radius-down",
        kind="directional",
        perturbation="shift",
        params={"column": "mean radius", "by": 2.0},
        direction="down",
    )


def gate(reg: Registry) -> tuple[str, str]:
    (found,) = [c for c in reg.components.gate(REF, 7).criteria if c.id == "L7.metamorphic"]
    return found.status, found.reason


def test_the_codified_list_is_stored_listed_and_removed(reg: Registry) -> None:
    codify(reg)
    listed = reg.relations.list(REF)
    assert [(r.name, r.kind, r.perturbation, r.params, r.direction, r.tolerance) for r in listed] == [
        ("noise", "invariance", "gaussian_noise", {"scale": 0.01}, None, 0.05),
        ("radius-down", "directional", "shift", {"column": "mean radius", "by": 2.0}, "down", 0.0),
    ]
    assert listed[0].description == "1% measurement noise does not change the diagnosis"
    reg.relations.remove(REF, "noise", reason="superseded")
    assert [r.name for r in reg.relations.list(REF)] == ["radius-down"]
    kinds = [e.kind for e in reg.history(REF)]
    assert kinds.count("relation.add") == 2 and kinds.count("relation.remove") == 1


def test_every_listed_relation_must_pass_on_the_current_versions(
    reg: Registry, cancer: dict[str, Any]
) -> None:
    assert gate(reg) == (
        "unmet",
        "no metamorphic relations are codified on the component (`mltrl relations add rec/1.1 ...`)",
    )
    codify(reg)
    assert gate(reg) == ("unmet", "no result for its current definition: noise, radius-down")
    result = reg.relations.run(REF, cancer["good"], cancer["X"])
    assert result.status == "pass" and result.n == len(cancer["X"])
    results = reg.relations.results(REF)
    assert results["radius-down"].failures == 0 and results["radius-down"].status == "pass"
    evidence = reg.evidence.list(REF)[-1]
    assert evidence.criterion_id == "L7.metamorphic" and evidence.id == results["noise"].evidence_id
    status, reason = gate(reg)
    assert status == "met" and reason == "all 2 codified relations pass: noise, radius-down"
    # A relation added later has no result: the gate names it.
    reg.relations.add(REF, "radius-up", kind="directional", perturbation="shift",
                      params={"column": "mean radius", "by": 2.0}, direction="up")  # fmt: skip
    assert gate(reg) == ("unmet", "no result for its current definition: radius-up")
    failed = reg.relations.run(REF, cancer["good"], cancer["X"])
    assert failed.status == "fail" and "radius-up" in failed.reason
    status, reason = gate(reg)
    assert status == "unmet" and reason.startswith("radius-up fail (failure rate 1 on 228 rows)")
    reg.relations.remove(REF, "radius-up")
    assert gate(reg)[0] == "met"  # the earlier run's other relations still stand
    reg.versions.register(REF, "model", "1.1.0")
    status, reason = gate(reg)
    assert status == "stale" and "noise: evidence" in reason and "is stale" in reason


def test_a_changed_definition_needs_a_new_run(reg: Registry, cancer: dict[str, Any]) -> None:
    codify(reg)
    reg.relations.run(REF, cancer["good"], cancer["X"])
    reg.relations.remove(REF, "noise")
    reg.relations.add(REF, "noise", kind="invariance", perturbation="gaussian_noise", params={"scale": 0.5})
    assert gate(reg) == ("unmet", "no result for its current definition: noise")


def test_too_few_rows_is_insufficient_for_every_relation(reg: Registry, cancer: dict[str, Any]) -> None:
    codify(reg)
    result = reg.relations.run(REF, cancer["good"], cancer["X"].iloc[:10])
    assert result.status == "insufficient"
    assert {r.status for r in reg.relations.results(REF).values()} == {"insufficient"}
    assert reg.evidence.list(REF)[-1].outcome == "fail"
    assert gate(reg)[0] == "unmet"


def test_typed_in_evidence_does_not_meet_the_metamorphic_criterion(reg: Registry) -> None:
    codify(reg)
    reg.evidence.record(REF, "L7.metamorphic", kind="test-run", outcome="pass")
    assert gate(reg)[0] == "unmet"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"kind": "invariance", "perturbation": None}, BadInput, r"'r' has no perturbation: name one"),
        ({"kind": "invariance", "perturbation": ""}, BadInput, r"relation 'r' has no perturbation"),
        ({"kind": "invariance", "perturbation": "blur"}, BadInput, r"perturbation 'blur' is unknown"),
        ({"kind": "invariance", "perturbation": "shift", "params": {"col": 1}}, BadInput,
         r"perturbation 'shift': unknown parameter\(s\) col"),
        ({"kind": "sideways", "perturbation": "scaling", "params": {"factor": 2}}, BadInput,
         r"kind 'sideways' is not one of invariance, directional, monotonic"),
        ({"kind": "directional", "perturbation": "shift", "params": {"column": "a", "by": 1}}, BadInput,
         r"a directional relation needs direction 'up' or 'down'"),
        ({"kind": "invariance", "perturbation": "scaling", "params": {"factor": 1.01}, "tolerance": 2},
         BadInput, r"tolerance must lie in \[0, 1\]"),
    ],
)  # fmt: skip
def test_a_bad_relation_is_a_one_line_error_and_nothing_is_stored(
    reg: Registry, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    before = reg.counts()
    with pytest.raises(error, match=message) as caught:
        reg.relations.add(REF, "r", **kwargs)
    assert "\n" not in str(caught.value)
    assert reg.relations.list(REF) == [] and reg.counts() == before


def test_names_repeat_and_unknown_ones_are_refused(reg: Registry, cancer: dict[str, Any]) -> None:
    codify(reg)
    with pytest.raises(BadInput, match=r"rec/1\.1 already has a relation 'noise'"):
        reg.relations.add(REF, "noise", kind="invariance", perturbation="scaling", params={"factor": 1.0})
    with pytest.raises(NotFound, match=r"no relation 'nope' on this component"):
        reg.relations.remove(REF, "nope")
    reg.components.retire(REF, reason="replaced")
    with pytest.raises(RuleViolation, match=r"rec/1\.1 is retired; it takes no more relations"):
        reg.relations.add(REF, "late", kind="invariance", perturbation="scaling", params={"factor": 1.0})


def test_running_an_empty_list_or_with_a_bad_model_records_nothing(
    reg: Registry, cancer: dict[str, Any]
) -> None:
    with pytest.raises(BadInput, match=r"metamorphic rec/1\.1: no relations are codified on it"):
        reg.relations.run(REF, cancer["good"], cancer["X"])
    codify(reg)
    with pytest.raises(BadInput, match=r"metamorphic: model \(object\) has no predict method"):
        reg.relations.run(REF, object(), cancer["X"])
    assert reg.evidence.list(REF) == [] and reg.relations.results(REF) == {}
