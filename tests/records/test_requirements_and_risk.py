"""Requirements: ids, "shall" statements, V&V steps, risk = p x value, the risk table and the document."""

from __future__ import annotations

import pytest

from mltrl.errors import BadInput, MltrlError, NotFound
from mltrl.service.registry import Registry


@pytest.fixture
def project(registry: Registry) -> Registry:
    registry.projects.create("np", "Neuropathology copilot", rd_owner="A. Lavin", product_owner="S. Wozniak")
    registry.components.add(
        "np/1.1", "Manifold model", kind="model", level=2, reason="work done before the registry"
    )
    registry.components.add(
        "np/4.3", "Classifier", kind="model", level=4, reason="work done before the registry"
    )
    return registry


def add(reg: Registry, code: str, p: float, value: int, **extra: object) -> None:
    fields: dict = {"kind": "research", "category": "technical", **extra}
    reg.requirements.add(
        "np", code, f"The system shall meet requirement {code}", p_failure=p, value=value, **fields
    )


def test_risk_is_probability_times_value_and_ranks_the_table(project: Registry) -> None:
    add(project, "1", 0.3, 8)
    add(project, "1.1", 0.9, 9, category="privacy")
    add(project, "2", 0.5, 2)
    add(project, "2.1.3", 0.0, 10, kind="product")
    report = project.requirements.risk("np")
    assert [(q.code, q.risk) for q in report.ranked] == [("1.1", 8.1), ("1", 2.4), ("2", 1.0), ("2.1.3", 0.0)]
    cells = report.matrix  # [likelihood band][impact band]
    assert cells[4][4] == ["1.1"]  # almost certain x 9-10
    assert cells[1][3] == ["1"]  # unlikely (0.2-0.4) x 7-8
    assert cells[2][0] == ["2"]  # possible x 1-2
    assert cells[0][4] == ["2.1.3"]  # rare x 9-10
    assert report.to_json()["ranked"][0]["id"] == "1.1"


def test_links_steps_and_statuses(project: Registry) -> None:
    add(project, "1", 0.2, 5, components=["np/1.1"], scenarios=["new scanner"], slices=["rare subtypes"])
    project.requirements.link("np", "1", "np/4.3")
    assert (
        project.requirements.add_step("np", "1", "verification", "accuracy on held-out slides", method="test")
        == 1
    )
    assert (
        project.requirements.add_step("np", "1", "validation", "pathologists use it", method="demonstration")
        == 2
    )
    project.requirements.set_step("np", "1", 1, "passed")
    project.requirements.set_step("np", "1", 2, "waived", reason="covered by the pilot study")
    (q,) = project.requirements.list("np")
    assert q.components == ["np/1.1", "np/4.3"]
    assert [(s.number, s.kind, s.method, s.status) for s in q.steps] == [
        (1, "verification", "test", "passed"),
        (2, "validation", "demonstration", "waived"),
    ]
    assert q.steps[1].waive_reason == "covered by the pilot study"
    assert (q.scenarios, q.slices) == (["new scanner"], ["rare subtypes"])
    kinds = [e.kind for e in project.history("np")]
    assert kinds.count("vv.set") == 2 and "requirement.add" in kinds and "requirement.link" in kinds


def test_the_requirements_document_has_the_vv_table(project: Registry) -> None:
    add(project, "1", 0.25, 8, components=["np/1.1"], rationale="Pathologists need the five types apart.")
    add(project, "5", 0.5, 6, kind="product", stakeholder="hospital IT")
    project.requirements.add_step(
        "np", "1", "verification", "cluster | purity", method="analysis", status="passed"
    )
    text = project.requirements.document("np")
    assert text.startswith("# Requirements: Neuropathology copilot")
    assert "| 1 | The system shall meet requirement 1 | - | technical | 0.25 | 8 | 2 | np/1.1 |" in text
    assert "| 5 | The system shall meet requirement 5 | hospital IT | technical | 0.5 | 6 | 3 | - |" in text
    assert "| 1 | 1 | verification | analysis | passed | cluster \\| purity |" in text
    assert "Pathologists need the five types apart." in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"p_failure": 1.5}, "outside [0, 1]"),
        ({"p_failure": -0.1}, "outside [0, 1]"),
        ({"p_failure": "often"}, "not a number"),
        ({"value": 0}, "from 1 to 10"),
        ({"value": 11}, "from 1 to 10"),
        ({"value": 2.5}, "from 1 to 10"),
        ({"code": "1.2.3.4"}, "N, N.M or N.M.K"),
        ({"code": "R1"}, "N, N.M or N.M.K"),
        ({"statement": "Be accurate"}, "shall"),
        ({"kind": "legal"}, "requirement kind"),
        ({"category": "money"}, "risk category"),
        ({"components": ["np/9.9"]}, "no component '9.9'"),
    ],
)
def test_bad_requirements_are_refused_and_nothing_is_written(
    project: Registry, change: dict, message: str
) -> None:
    fields = {
        "code": "1",
        "statement": "The model shall work",
        "kind": "research",
        "p_failure": 0.2,
        "value": 5,
        "category": "technical",
        **change,
    }
    before = project.counts()
    with pytest.raises(BadInput, match=message.replace("[", r"\[").replace("]", r"\]")) as caught:
        project.requirements.add("np", fields.pop("code"), fields.pop("statement"), **fields)
    assert "\n" not in caught.value.message
    assert project.counts() == before


def test_vv_refusals(project: Registry) -> None:
    add(project, "1", 0.2, 5)
    project.requirements.add_step("np", "1", "verification", "a test", method="test")
    before = project.counts()
    for action, error in [
        (
            lambda: project.requirements.add(
                "np", "1", "It shall be new", kind="research", p_failure=0.1, value=2, category="technical"
            ),
            "already exists",
        ),
        (lambda: project.requirements.add_step("np", "1", "checking", "x", method="test"), "V&V kind"),
        (lambda: project.requirements.add_step("np", "1", "verification", "x", method="guess"), "V&V method"),
        (
            lambda: project.requirements.add_step(
                "np", "1", "verification", "x", method="test", status="waived"
            ),
            "waive it",
        ),
        (lambda: project.requirements.set_step("np", "1", 1, "waived"), "needs a reason"),
        (lambda: project.requirements.set_step("np", "1", 7, "passed"), "no V&V step 7"),
        (lambda: project.requirements.set_step("np", "9", 1, "passed"), "no requirement '9'"),
        (
            lambda: (
                project.requirements.link("np", "1", "np/1.1")
                or project.requirements.link("np", "1", "np/1.1")
            ),
            "already linked",
        ),
    ]:
        with pytest.raises(MltrlError, match=error):
            action()
    # Only the one successful link above wrote anything.
    after = project.counts()
    assert after["events"] == before["events"] + 1


def test_unknown_project(registry: Registry) -> None:
    with pytest.raises(NotFound, match="no project 'nope'"):
        registry.requirements.risk("nope")
