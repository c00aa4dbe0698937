"""A policy can ask for N approvals in a role (two QA engineers, say): a graduation waits for N
different people in that role, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mltrl.errors import RuleViolation
from mltrl.service.registry import Registry

POLICY = """version: 1
levels:
  0:
    change_roles:
      research-lead: {approvals: 2}
"""


@pytest.fixture
def reg(db_url: str, tmp_path: Path) -> Iterator[Registry]:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    with Registry.init(db=db_url, actor="tester") as init:
        init.create_project("p", "Project")
        init.add_component("p/1", "Model", kind="model", level=0, owner="O. Wner")
    with Registry.open(db_url, actor="tester", policy=policy) as opened:
        yield opened


def test_a_graduation_waits_for_two_approvals_in_the_role(reg: Registry) -> None:
    review = reg.open_review("p/1").id
    view = reg.review(review)
    for criterion in view.template.criteria:
        if criterion.kind == "attestation":
            reg.record_result(review, criterion.id, "met", "shown")
    reg.answer_ethics(review, dict.fromkeys(view.template.ethics, "discussed"))
    reg.add_panel_member(review, "research-lead", "R. Lead")
    reg.sign_review(review, "R. Lead", "approve")
    with pytest.raises(RuleViolation, match="research-lead needs 2 approvals and has 1 person on the panel"):
        reg.decide_review(review, "graduate", reason="ready")
    reg.add_panel_member(review, "research-lead", "S. Econd")
    assert "required role research-lead has 1 of 2 approvals" in reg.review(review).blockers
    reg.sign_review(review, "S. Econd", "approve")
    reg.decide_review(review, "graduate", reason="two leads agree")
    assert reg.component("p/1").level == 1


def test_the_number_is_part_of_the_review_as_opened(reg: Registry) -> None:
    [role] = reg.review(reg.open_review("p/1").id).template.roles
    assert (role.id, role.required, role.approvals) == ("research-lead", True, 2)
