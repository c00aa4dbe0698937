"""Applying an organisation's policy file to the shipped catalogue."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mltrl.catalog import Catalog, load_catalog
from mltrl.catalog.policy import Policy, apply_policy

WritePolicy = Callable[[str], Path]


def criterion_ids(catalog: Catalog, level: int) -> list[str]:
    return [c.id for c in catalog.level(level).criteria]


def test_an_empty_policy_changes_nothing(write_policy: WritePolicy) -> None:
    assert load_catalog(write_policy("version: 1\n")) == load_catalog()


def test_add_criteria_appends_to_the_level(write_policy: WritePolicy) -> None:
    path = write_policy(
        """
        version: 1
        levels:
          2:
            add_criteria:
              - {id: L2.sensitivity-analysis, text: Sensitivity analysis passed., kind: evidence}
        """
    )
    catalog = load_catalog(path)
    assert criterion_ids(catalog, 2) == [*criterion_ids(load_catalog(), 2), "L2.sensitivity-analysis"]
    assert catalog.criterion("L2.sensitivity-analysis").kind == "evidence"


def test_level_keys_may_be_strings_of_digits(write_policy: WritePolicy) -> None:
    path = write_policy(
        """
        version: 1
        levels:
          "3":
            add_criteria: [{id: L3.threat-model, text: A threat model exists., kind: attestation}]
        """
    )
    assert "L3.threat-model" in criterion_ids(load_catalog(path), 3)


def test_remove_criteria(write_policy: WritePolicy) -> None:
    path = write_policy("version: 1\nlevels: {2: {remove_criteria: [L2.sim-to-real-risk]}}\n")
    catalog = load_catalog(path)
    assert "L2.sim-to-real-risk" not in criterion_ids(catalog, 2)
    assert len(catalog.level(2).criteria) == len(load_catalog().level(2).criteria) - 1


def test_change_criteria_keeps_what_is_not_mentioned(write_policy: WritePolicy) -> None:
    path = write_policy(
        """
        version: 1
        levels:
          3:
            change_criteria:
              L3.data-compliance: {kind: evidence}
              L3.test-data: {text: Test subsets are registered as data sets.}
        """
    )
    shipped, changed = load_catalog(), load_catalog(path)
    compliance = changed.criterion("L3.data-compliance")
    assert compliance.kind == "evidence"
    assert compliance.text == shipped.criterion("L3.data-compliance").text
    assert changed.criterion("L3.test-data").text == "Test subsets are registered as data sets."
    assert changed.criterion("L3.test-data").kind == "attestation"
    assert criterion_ids(changed, 3) == criterion_ids(shipped, 3)  # order kept


def test_remove_then_add_replaces_a_criterion(write_policy: WritePolicy) -> None:
    path = write_policy(
        """
        version: 1
        levels:
          1:
            remove_criteria: [L1.sample-data]
            add_criteria: [{id: L1.sample-data, text: Sample data is registered., kind: evidence}]
        """
    )
    assert load_catalog(path).criterion("L1.sample-data").kind == "evidence"


def test_role_operations(write_policy: WritePolicy) -> None:
    path = write_policy(
        """
        version: 1
        levels:
          4:
            add_roles: [{id: legal, name: Legal counsel, required: true}]
            remove_roles: [product-engineering]
            change_roles: {stakeholder: {required: true}, applied-ai: {name: ML engineer}}
        """
    )
    level4 = load_catalog(path).level(4)
    roles = {role.id: role for role in level4.panel_roles}
    assert "product-engineering" not in roles
    assert roles["legal"].name == "Legal counsel"
    assert roles["applied-ai"].name == "ML engineer"
    assert {"legal", "stakeholder", "applied-ai"} <= {role.id for role in level4.required_roles}


def test_added_role_is_required_unless_said_otherwise(write_policy: WritePolicy) -> None:
    path = write_policy("version: 1\nlevels: {0: {add_roles: [{id: mentor, name: Mentor}]}}\n")
    assert "mentor" in {role.id for role in load_catalog(path).level(0).required_roles}


def test_settings_override_only_what_they_name(write_policy: WritePolicy) -> None:
    threshold = load_catalog(write_policy("version: 1\nsettings: {ml_test_score_threshold: 6}\n")).settings
    assert threshold.ml_test_score_threshold == 6.0
    assert threshold.separation_of_duties is True
    duties = load_catalog(write_policy("version: 1\nsettings: {separation_of_duties: false}\n")).settings
    assert duties.separation_of_duties is False
    assert duties.ml_test_score_threshold == 2.0


def test_ethics_add_section_and_questions(write_policy: WritePolicy) -> None:
    path = write_policy(
        """
        version: 1
        ethics:
          add_sections:
            - id: clinical
              title: Clinical safety
              questions: [{id: clinical.oversight, text: "Is a clinician in the loop for every decision?"}]
          add_questions:
            pre-development: [{id: pre.children, text: "Could the system affect children?"}]
        """
    )
    ethics = load_catalog(path).ethics
    assert [s.id for s in ethics.sections] == [
        "pre-development",
        "post-development",
        "organisation",
        "clinical",
    ]
    assert ethics.sections[0].questions[-1].id == "pre.children"
    assert "clinical.oversight" in {q.id for q in ethics.questions}


def test_ethics_remove_questions(write_policy: WritePolicy) -> None:
    path = write_policy("version: 1\nethics: {remove_questions: [pre.environment, org.footprint]}\n")
    ids = {q.id for q in load_catalog(path).ethics.questions}
    assert "pre.environment" not in ids and "org.footprint" not in ids
    assert len(ids) == len(load_catalog().ethics.questions) - 2


def test_ethics_replace_uses_only_the_organisations_sections(write_policy: WritePolicy) -> None:
    path = write_policy(
        """
        version: 1
        ethics:
          replace: true
          add_sections:
            - id: acme
              title: ACME responsible AI review
              questions:
                - {id: acme.purpose, text: "Is the purpose approved by the responsible-AI board?"}
                - {id: acme.data, text: "Is every data source in the data catalogue?"}
        """
    )
    ethics = load_catalog(path).ethics
    assert [s.id for s in ethics.sections] == ["acme"]
    assert [q.id for q in ethics.questions] == ["acme.purpose", "acme.data"]


def test_replace_allows_reusing_default_ids(write_policy: WritePolicy) -> None:
    path = write_policy(
        """
        version: 1
        ethics:
          replace: true
          add_sections: [{id: pre-development, title: Ours, questions: [{id: pre.harm, text: "Harm?"}]}]
        """
    )
    assert [q.text for q in load_catalog(path).ethics.questions] == ["Harm?"]


def test_a_policy_leaves_the_shipped_catalogue_alone(write_policy: WritePolicy) -> None:
    before = load_catalog().to_json()
    load_catalog(write_policy("version: 1\nlevels: {2: {remove_criteria: [L2.reproducible]}}\n"))
    assert load_catalog().to_json() == before
    assert "L2.reproducible" in criterion_ids(load_catalog(), 2)


def test_untouched_levels_stay_as_shipped(write_policy: WritePolicy) -> None:
    catalog = load_catalog(write_policy("version: 1\nlevels: {2: {remove_criteria: [L2.reproducible]}}\n"))
    shipped = load_catalog()
    assert [catalog.level(n) == shipped.level(n) for n in range(10)] == [n != 2 for n in range(10)]


def test_loading_the_same_policy_twice_gives_equal_catalogues(write_policy: WritePolicy) -> None:
    path = write_policy("version: 1\nsettings: {ml_test_score_threshold: 6.5}\n")
    assert load_catalog(path) == load_catalog(str(path))


def test_apply_policy_accepts_a_policy_built_in_code() -> None:
    policy = Policy.model_validate({"version": 1, "levels": {9: {"remove_criteria": ["L9.review-cadence"]}}})
    catalog = apply_policy(load_catalog(), policy, source="<inline>")
    assert "L9.review-cadence" not in criterion_ids(catalog, 9)


@pytest.mark.parametrize("level", range(10))
def test_policy_results_round_trip_through_json(write_policy: WritePolicy, level: int) -> None:
    path = write_policy(
        f"""
        version: 1
        levels:
          {level}:
            add_criteria: [{{id: L{level}.org-signoff, text: Signed off by the org., kind: attestation}}]
        """
    )
    catalog = load_catalog(path)
    assert Catalog.model_validate(catalog.to_json()) == catalog
