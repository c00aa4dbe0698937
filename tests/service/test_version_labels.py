"""Version labels: semantic versions keep their order, other labels (v1.1, MLflow's 3, a git SHA) are
taken as given and ordered by registration (issue 14, item 6.7)."""

from __future__ import annotations

import pytest

from mltrl.errors import BadInput
from mltrl.service.registry import Registry

SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("rec", "Recycling vision app")
    registry.components.add("rec/1.1", "Object detector", kind="model", level=0)
    return registry


def current(reg: Registry) -> dict[str, str]:
    evidence = reg.evidence.record("rec/1.1", "L7.metamorphic", kind="test-run", outcome="pass")
    return evidence.versions  # recorded on the current versions


def test_semantic_versions_order_by_precedence_not_registration(reg: Registry) -> None:
    reg.versions.register("rec/1.1", "model", "2.0.0")
    reg.versions.register("rec/1.1", "model", "1.4.1")  # a patch of the older line
    reg.versions.register("rec/1.1", "model", "2.0.0-rc.1")
    assert current(reg) == {"model": "2.0.0"}
    reg.versions.register("rec/1.1", "model", "2.1.0")
    assert current(reg) == {"model": "2.1.0"}


def test_other_labels_are_current_in_the_order_they_were_registered(reg: Registry) -> None:
    reg.versions.register("rec/1.1", "model", 10)  # MLflow's registered-model versions are integers
    reg.versions.register("rec/1.1", "model", "9")
    reg.versions.register("rec/1.1", "code", SHA)
    reg.versions.register("rec/1.1", "data", "v1.1")
    reg.versions.register("rec/1.1", "data", "2026-06-01")
    assert current(reg) == {"model": "9", "code": SHA, "data": "2026-06-01"}
    # Once a kind holds a label that is not a semantic version, registration order decides.
    reg.versions.register("rec/1.1", "code", "1.0.0")
    assert current(reg)["code"] == "1.0.0"


def test_evidence_stays_fresh_when_an_older_line_is_patched(reg: Registry) -> None:
    reg.versions.register("rec/1.1", "model", "2.0.0")
    evidence = reg.evidence.record("rec/1.1", "L7.metamorphic", kind="test-run", outcome="pass")
    reg.versions.register("rec/1.1", "model", "1.4.1")
    assert [e.fresh for e in reg.evidence.list("rec/1.1") if e.id == evidence.id] == [True]
    reg.versions.register("rec/1.1", "model", "v3")
    assert [e.fresh for e in reg.evidence.list("rec/1.1") if e.id == evidence.id] == [False]


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("1.0.0+b2", "already registered as 1.0.0+b1, equal but for build metadata"),
        ("v1.1", "already registered"),
        ("", "not a version label"),
        ("1.0 beta", "one word without spaces"),
        (" 1.0.0", "one word without spaces"),
        ("1.0\t", "one word without spaces"),
        ("1.0\x1b[2J", "control characters"),
        ("1.0\u202e", "control characters"),
        ("x" * 101, "longer than 100"),
    ],
)
def test_labels_that_cannot_be_told_apart_or_printed_are_refused(
    reg: Registry, label: str, message: str
) -> None:
    reg.versions.register("rec/1.1", "model", "1.0.0+b1")
    reg.versions.register("rec/1.1", "model", "v1.1")
    before = reg.counts()
    with pytest.raises(BadInput, match=message.replace("+", r"\+")):
        reg.versions.register("rec/1.1", "model", label)
    assert reg.counts() == before


def test_data_sets_take_the_same_labels(reg: Registry) -> None:
    reg.datasets.add("rec", "photos", "User photos", kind="real")
    reg.datasets.add_version("photos", "2026-06-01")
    reg.datasets.add_version("photos", SHA[:12])
    reg.datasets.link("photos", "rec/1.1", "train", version="2026-06-01")
    assert [v.version for v in reg.datasets.get("photos").versions] == ["2026-06-01", SHA[:12]]
