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
        init.projects.create("p", "Project")
        init.components.add("p/1", "Model", kind="model", level=0, owner="O. Wner")
    with Registry.open(db_url, actor="tester", policy=policy) as opened:
        yield opened


def test_a_graduation_waits_for_two_approvals_in_the_role(reg: Registry) -> None:
    review = reg.reviews.open("p/1").id
    view = reg.reviews.get(review)
    for criterion in view.template.criteria:
        if criterion.kind == "attestation":
            reg.reviews.record_result(review, criterion.id, "met", "shown")
    reg.reviews.answer_ethics(review, dict.fromkeys(view.template.ethics, "discussed"))
    reg.reviews.add_member(review, "research-lead", "R. Lead")
    reg.reviews.sign(review, "R. Lead", "approve")
    with pytest.raises(RuleViolation, match="research-lead needs 2 approvals and has 1 person on the panel"):
        reg.reviews.decide(review, "graduate", reason="ready")
    reg.reviews.add_member(review, "research-lead", "S. Econd")
    assert "required role research-lead has 1 of 2 approvals" in reg.reviews.get(review).blockers
    reg.reviews.sign(review, "S. Econd", "approve")
    reg.reviews.decide(review, "graduate", reason="two leads agree")
    assert reg.components.get("p/1").level == 1


def test_the_number_is_part_of_the_review_as_opened(reg: Registry) -> None:
    [role] = reg.reviews.get(reg.reviews.open("p/1").id).template.roles
    assert (role.id, role.required, role.approvals) == ("research-lead", True, 2)
