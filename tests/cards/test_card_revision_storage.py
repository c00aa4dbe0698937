"""Card revisions read back exactly as they were frozen, however they are stored.

The golden file pins what ``card revisions``, ``card show --revision N`` and ``card diff`` returned
for every revision of the demo registry (built on a fixed timeline) before revisions were stored by
what changed: a sha256 per output, so a failure names the revision that reads back differently.
If the card itself changes on purpose (a new section ...), regenerate it:
``python tests/cards/test_card_revision_storage.py --regenerate``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mltrl.demo.build import POLICY, build_demo
from mltrl.service.registry import Registry

GOLDEN = Path(__file__).with_name("card_revisions_golden.json")
DEMO_END = datetime(2026, 1, 1, tzinfo=UTC)


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def card_outputs(reg: Registry) -> dict[str, str]:
    """A digest of every revision list, frozen card and diff between consecutive revisions."""
    out: dict[str, str] = {}
    for project in reg.projects():
        for scope in ["", *(c.code for c in reg.components(project.key))]:
            where = f"{project.key}/{scope}"
            revisions = reg.card_revisions(project.key, scope or None)
            out[f"{where} revisions"] = _digest([r.model_dump() for r in revisions])
            for r in revisions:
                card = reg.card(project.key, scope or None, revision=r.number)
                out[f"{where} r{r.number}"] = _digest(card.model_dump(mode="json"))
            for a, b in itertools.pairwise(revisions):
                diff = reg.card_diff(project.key, a.number, b.number, component=scope or None)
                out[f"{where} diff r{a.number} r{b.number}"] = _digest(diff)
    return out


def _demo_outputs(db_url: str) -> dict[str, str]:
    with Registry.init(db=db_url, actor="tester"):
        pass
    with Registry.open(db=db_url, actor="tester", policy=str(POLICY)) as reg:
        build_demo(reg, DEMO_END)
        return card_outputs(reg)


def test_every_revision_of_the_demo_reads_back_as_it_was_frozen(db_url: str) -> None:
    golden = json.loads(GOLDEN.read_text())
    outputs = _demo_outputs(db_url)
    assert sorted(outputs) == sorted(golden), "the demo froze other revisions than it used to"
    differing = [name for name in golden if outputs[name] != golden[name]]
    assert differing == []


@pytest.mark.usefixtures("lenient_entry")
def test_a_frozen_revision_is_the_card_as_it_stood(registry: Registry) -> None:
    """Freezing right after changes: the revision equals the card assembled at that moment."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    registry.create_project("p", "Project", at=start)
    for code in ("1", "2", "3"):
        registry.add_component(f"p/{code}", f"component {code}", kind="model", level=0, at=start)
    registry.edit_card("p", {"tldr": "first words"})
    for step, code in enumerate(["1", "2", "1", "3", "1"]):
        registry.import_graduation(f"p/{code}", approver="panel", at=datetime(2025, 1, 2 + step, tzinfo=UTC))
        if step == 2:
            registry.edit_card("p", {"tldr": "second words", "caveats": "some"})
            registry.edit_card("p", {"intended-use": "only this"}, component="1")
        for scope in ("", code):
            now = registry.card("p", scope or None).model_dump()
            number = registry.freeze_card("p", scope or None, reason="by hand")
            frozen = registry.card("p", scope or None, revision=number).model_dump()
            for card in (now, frozen):
                card["summary"].pop("generated_at")
                card["summary"].pop("previous_revisions")
            assert frozen == now
    levels = [r.level for r in registry.card_revisions("p", "1")]
    assert levels == [1, 1, 2, 2, 3, 3]


if __name__ == "__main__" and sys.argv[1:] == ["--regenerate"]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        GOLDEN.write_text(json.dumps(_demo_outputs(f"sqlite:///{tmp}/golden.db"), indent=1) + "\n")
    print(f"wrote {GOLDEN}")
