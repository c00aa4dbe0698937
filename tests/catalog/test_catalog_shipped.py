"""The catalogue mltrl ships: faithful to the paper's levels, phases, panels and gates."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources

import pytest
import yaml
from pydantic import ValidationError

from mltrl.catalog import Catalog, Level, load_catalog
from mltrl.domain.model import PHASES
from mltrl.errors import BadInput

REQUIRED_EVIDENCE = [
    "L2.research-requirements",
    "L4.real-data",
    "L4.ethics-checklist",
    "L5.level2-vv-complete",
    "L5.product-requirements",
    "L6.ethics-checklist",
    "L7.ethics-checklist",
    "L7.golden-dataset",
    "L7.metamorphic",
    "L7.data-validation",
    "L7.critical-scenarios",
    "L7.uncertainty",
    "L7.ml-test-score",
    "L8.shadow",
    "L8.canary",
    "L8.ab-test",
    "L8.blue-green",
    "L8.requirements-walkthrough",
    "L9.monitoring-drift",
    "L9.card-complete",
]

NAMES = [
    "First principles",
    "Goal-oriented research",
    "Proof of principle",
    "System development",
    "Proof of concept",
    "Machine learning capability",
    "Application development",
    "Integrations",
    "Mission-ready",
    "Deployment",
]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def role_ids(level: Level, *, required_only: bool = False) -> set[str]:
    roles = level.required_roles if required_only else level.panel_roles
    return {role.id for role in roles}


def test_ten_levels_in_order_with_the_papers_names(catalog: Catalog) -> None:
    assert [level.level for level in catalog.levels] == list(range(10))
    assert [level.name for level in catalog.levels] == NAMES


def test_phases_cover_the_levels_as_in_the_paper(catalog: Catalog) -> None:
    assert [(p.id, p.levels) for p in catalog.phases] == [
        ("research", (0, 1, 2)),
        ("prototyping", (3, 4, 5)),
        ("productization", (6, 7)),
        ("deployment", (8, 9)),
    ]
    assert catalog.phase_of(4).id == "prototyping"
    assert all(level.phase == catalog.phase_of(level.level).id for level in catalog.levels)


def test_phases_agree_with_the_domains_fast_copy(catalog: Catalog) -> None:
    assert {p.id: tuple(p.levels) for p in catalog.phases} == {k: tuple(v) for k, v in PHASES.items()}


def test_code_caliber_rises_from_none_to_product(catalog: Catalog) -> None:
    calibers = [level.code_caliber for level in catalog.levels]
    assert calibers == ["none"] + ["research"] * 2 + ["prototype"] * 3 + ["product"] * 4


@pytest.mark.parametrize("criterion_id", REQUIRED_EVIDENCE)
def test_probed_criteria_exist_as_evidence(catalog: Catalog, criterion_id: str) -> None:
    criterion = catalog.criterion(criterion_id)
    assert criterion.kind == "evidence"
    assert criterion.level == int(criterion_id[1])


def test_every_level_has_a_gate_of_several_criteria_with_level_prefixed_ids(catalog: Catalog) -> None:
    for level in catalog.levels:
        # Level 8 lists all four deployment tests; the policy says which of them its gate asks for.
        assert 3 <= len(level.criteria) <= 12, level.level
        assert all(c.id.startswith(f"L{level.level}.") for c in level.criteria)
    all_ids = [c.id for level in catalog.levels for c in level.criteria]
    assert len(all_ids) == len(set(all_ids))


def test_level_4_requires_real_data(catalog: Catalog) -> None:
    level4 = catalog.level(4)
    assert level4.criterion("L4.real-data").kind == "evidence"
    assert "real" in level4.data.lower()
    assert "L4.real-data" in {c.id for c in level4.evidence_criteria}


def test_the_panel_grows_with_the_level(catalog: Catalog) -> None:
    assert role_ids(catalog.level(0)) == {"research-lead"}
    research = {"research-lead", "researcher", "domain-expert"}  # the paper: CERN scientists at 1-2
    assert role_ids(catalog.level(1)) == role_ids(catalog.level(2)) == research
    assert {"applied-ai", "software-engineering"} <= role_ids(catalog.level(3), required_only=True)
    assert "product-manager" in role_ids(catalog.level(4), required_only=True)
    assert "stakeholder" in role_ids(catalog.level(5), required_only=True)
    assert {"infrastructure", "applied-ai", "qa"} <= role_ids(catalog.level(7), required_only=True)
    required = [len(level.required_roles) for level in catalog.levels]
    assert required[0] < required[3] < required[5]
    assert required[8] == max(required)  # the full slate of stakeholders
    assert role_ids(catalog.level(9), required_only=True) == {"owner", "stakeholder"}
    # Domain experts sit on every panel from the proof of concept on (CAMS: domain scientists at 4),
    # designers where end users meet the model.
    assert all("domain-expert" in role_ids(catalog.level(n)) for n in range(4, 10))
    assert [n for n in range(10) if "designer" in role_ids(catalog.level(n))] == [5, 6, 8]


def test_key_decision_points(catalog: Catalog) -> None:
    def options(level: int, decision: str) -> list[str]:
        point = next(d for d in catalog.level(level).decision_points if d.id == decision)
        return [option.id for option in point.options]

    assert options(2, "research-path") == ["prototype", "more-research", "both"]
    assert options(4, "continue-or-pause") == ["continue", "pause"]
    assert options(8, "go-no-go") == ["go", "no-go"]
    assert next(d for d in catalog.level(8).decision_points if d.id == "go-no-go").needs_date
    level6 = {o for d in catalog.level(6).decision_points for o in options(6, d.id)}
    assert {"internal", "external", "cloud", "on-premise", "hybrid", "batch", "streaming"} <= level6


def test_every_level_describes_data_focus_and_deliverables(catalog: Catalog) -> None:
    for level in catalog.levels:
        assert level.summary and level.data and level.review_focus
        assert level.deliverables


def test_default_ethics_checklist_has_three_sections_of_six_to_ten(catalog: Catalog) -> None:
    sections = catalog.ethics.sections
    assert [s.id for s in sections] == ["pre-development", "post-development", "organisation"]
    assert all(6 <= len(s.questions) <= 10 for s in sections)
    ids = [q.id for q in catalog.ethics.questions]
    assert len(ids) == len(set(ids))
    assert "pre.harm" in ids


def test_default_settings(catalog: Catalog) -> None:
    assert catalog.settings.separation_of_duties is True
    assert catalog.settings.ml_test_score_threshold == 2.0


def test_loading_twice_gives_the_same_catalogue() -> None:
    assert load_catalog() == load_catalog()
    assert load_catalog() is load_catalog()  # cached: the YAML is parsed once per process


def test_to_json_round_trips(catalog: Catalog) -> None:
    as_json = json.loads(json.dumps(catalog.to_json()))
    assert Catalog.model_validate(as_json) == catalog
    assert as_json["settings"] == {
        "separation_of_duties": True,
        "ml_test_score_threshold": 2.0,
        "critical_scenario_risk": 0.0,
        "deployment_tests": ["shadow", "canary"],
        "allow_imports": True,
        "entry_without_review_up_to": 3,
        "review_every_days": 90,
        "require_ssh_signatures": False,
        "ssh_allowed_signers": None,
    }
    level4 = catalog.level(4).to_json()
    assert level4["name"] == "Proof of concept"
    assert {"id": "L4.real-data", "kind": "evidence"}.items() <= level4["criteria"][0].items()


def test_the_paper_s_mandatory_criteria_cannot_be_waived(catalog: Catalog) -> None:
    mandatory = {c.id for level in catalog.levels for c in level.criteria if not c.waivable}
    assert mandatory == {
        "L4.real-data",
        "L4.ethics-checklist",
        "L5.level2-vv-complete",
        "L6.regulatory-compliance",
        "L6.ethics-checklist",
        "L7.ethics-checklist",
        *(f"L{n}.parts-ready" for n in range(9)),
    }


def test_shipped_yaml_matches_to_json(catalog: Catalog) -> None:
    data = resources.files("mltrl.catalog").joinpath("data")
    raw = yaml.safe_load(data.joinpath("levels.yaml").read_text(encoding="utf-8"))
    out = catalog.to_json()
    assert out["phases"] == raw["phases"]
    for raw_level, level in zip(raw["levels"], out["levels"], strict=True):
        assert level["criteria"] == [{"waivable": True, "applies_to": [], **c} for c in raw_level["criteria"]]
        assert level["panel_roles"] == [{"approvals": 1, **r} for r in raw_level["panel_roles"]]
        assert level["deliverables"] == raw_level["deliverables"]
    ethics = yaml.safe_load(data.joinpath("ethics.yaml").read_text(encoding="utf-8"))
    assert out["ethics"] == ethics


@pytest.mark.parametrize("bad", [-1, 10, 42])
def test_level_out_of_range_is_bad_input(catalog: Catalog, bad: int) -> None:
    with pytest.raises(BadInput, match=f"level {bad} is outside 0-9"):
        catalog.level(bad)


def test_unknown_criterion_is_bad_input(catalog: Catalog) -> None:
    with pytest.raises(BadInput, match=r"level 4 has no criterion 'L4\.nope'"):
        catalog.criterion("L4.nope")
    with pytest.raises(BadInput, match="not a criterion id"):
        catalog.criterion("real-data")


def test_catalogue_values_are_frozen(catalog: Catalog) -> None:
    with pytest.raises(ValidationError):
        catalog.level(4).name = "Something else"  # type: ignore[misc]


def test_catalog_rejects_a_missing_level(catalog: Catalog) -> None:
    data = catalog.to_json()
    del data["levels"][3]
    with pytest.raises(ValidationError, match=r"levels must be 0\.\.9 once each"):
        Catalog.model_validate(data)


def test_catalog_rejects_a_criterion_under_the_wrong_level(catalog: Catalog) -> None:
    data = catalog.to_json()
    data["levels"][2]["criteria"].append({"id": "L3.misplaced", "text": "x", "kind": "attestation"})
    with pytest.raises(ValidationError, match=r"criterion 'L3\.misplaced' must start with 'L2\.'"):
        Catalog.model_validate(data)


def test_catalog_rejects_phases_that_leave_a_level_out(catalog: Catalog) -> None:
    data = catalog.to_json()
    data["phases"][3]["levels"] = [8]
    with pytest.raises(ValidationError, match="phases must cover levels"):
        Catalog.model_validate(data)


def test_catalog_rejects_unknown_keys(catalog: Catalog) -> None:
    data = catalog.to_json()
    data["levels"][0]["colour"] = "red"
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Catalog.model_validate(data)


def test_importing_the_package_stays_cheap() -> None:
    code = "import sys, mltrl.catalog; print('pydantic' in sys.modules, 'yaml' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
