"""Card revisions read back exactly as they were frozen, however they are stored.

The golden file pins what ``card revisions``, ``card show --revision N`` and ``card diff`` returned
for every revision of a small organisation (fixed dates: components climbing, switching back,
pausing and retiring, with requirements, data sets, couplings, evidence and card edits on the way)
before revisions were stored by what changed: a sha256 per output, so a failure names the revision
that reads back differently. If the card itself changes on purpose (a new section ...), regenerate:
``python tests/cards/test_card_revision_storage.py --regenerate``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from mltrl.service.registry import Registry

GOLDEN = Path(__file__).with_name("card_revisions_golden.json")
START = datetime(2025, 1, 1, tzinfo=UTC)


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def card_outputs(reg: Registry) -> dict[str, str]:
    """A digest of every revision list, frozen card and diff between consecutive revisions."""
    out: dict[str, str] = {}
    for project in reg.projects.list():
        for scope in ["", *(c.code for c in reg.components.list(project.key))]:
            where = f"{project.key}/{scope}"
            revisions = reg.cards.revisions(project.key, scope or None)
            out[f"{where} revisions"] = _digest([r.model_dump() for r in revisions])
            for r in revisions:
                card = reg.cards.get(project.key, scope or None, revision=r.number)
                out[f"{where} r{r.number}"] = _digest(card.model_dump(mode="json"))
            for a, b in itertools.pairwise(revisions):
                diff = reg.cards.diff(project.key, a.number, b.number, component=scope or None)
                out[f"{where} diff r{a.number} r{b.number}"] = _digest(diff)
    return out


def build_history(reg: Registry) -> None:
    """Two projects whose components move through levels, with what their cards show changing too."""
    at = iter(START + timedelta(days=d) for d in itertools.count())
    for key in ("alpha", "beta"):
        reg.projects.create(key, f"Project {key}", rd_owner="R. Owner", at=next(at))
        reg.components.add(f"{key}/1", "System", kind="composite", level=0, at=next(at))
        reg.components.add(f"{key}/1.1", "Features", kind="data-pipeline", level=0, parent="1", at=next(at))
        reg.components.add(f"{key}/2", "Service", kind="software-module", level=1, reason="old", at=next(at))
        reg.cards.edit(key, {"tldr": f"{key} in one line", "caveats": "few"})
    reg.components.couple("alpha/1", "beta/2", note="shares features")
    reg.requirements.add(
        "alpha",
        "1",
        "The model shall reach recall above 0.9",
        kind="research",
        p_failure=0.2,
        value=4,
        category="technical",
        components=["alpha/1"],
    )
    reg.datasets.add("alpha", "scans", "Scans", kind="real", sensitive=["health"], at=next(at))
    reg.datasets.add_version("scans", "1.0", uri="s3://scans/1.0", at=next(at))
    reg.datasets.link("scans", "alpha/1", "train", version="1.0")
    plan = ["alpha/1", "alpha/1.1", "beta/1", "alpha/1", "beta/2", "alpha/2", "alpha/1", "beta/1"]
    for step, ref in enumerate(plan):
        reg.components.import_graduation(ref, approver="panel", at=next(at))
        if step == 3:
            reg.evidence.record(
                "alpha/1", "L2.research-requirements", kind="report", outcome="pass", metrics={"recall": 0.93}
            )
            reg.cards.edit("alpha", {"intended-use": "research only"}, component="1")
    reg.components.switchback("alpha/1", 1, kind="discovery", reason="leak found", at=next(at))
    reg.components.pause("beta/1", reason="waiting for data", at=next(at))
    reg.components.resume("beta/1", at=next(at))
    reg.components.retire("alpha/2", reason="replaced", at=next(at))
    reg.components.import_graduation("alpha/1", approver="panel", at=next(at))


def _outputs(db_url: str) -> dict[str, str]:
    with Registry.init(db=db_url, actor="tester") as reg:
        build_history(reg)
        return card_outputs(reg)


def test_every_revision_reads_back_as_it_was_frozen(db_url: str) -> None:
    golden = json.loads(GOLDEN.read_text())
    outputs = _outputs(db_url)
    assert sorted(outputs) == sorted(golden), "other revisions were frozen than used to be"
    differing = [name for name in golden if outputs[name] != golden[name]]
    assert differing == []


def _stored(db_url: str) -> tuple[int, int, int]:
    """(revisions stored whole, revisions stored as a patch, cards with revisions)."""
    from sqlalchemy import create_engine

    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT project_id, scope, content FROM card_revisions").all()
    engine.dispose()
    contents = [json.loads(c) if isinstance(c, str) else c for _, _, c in rows]
    patches = sum("patch" in c for c in contents)
    return len(contents) - patches, patches, len({(p, s) for p, s, _ in rows})


def test_a_move_stores_what_changed_and_old_registries_are_re_stored(db_url: str) -> None:
    """Revisions are patches on a few whole ones; downgrading stores them whole, upgrading as patches."""
    from alembic.command import downgrade, upgrade
    from alembic.config import Config
    from sqlalchemy import create_engine

    outputs = _outputs(db_url)
    stored = _stored(db_url)
    whole, patched, cards = stored
    assert patched > whole >= cards  # each card starts whole, then mostly what changed
    config = Config()
    config.set_main_option("script_location", str(files("mltrl.store") / "migrations"))
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:  # as mltrl stored revisions before: each whole
        config.attributes["connection"] = conn
        downgrade(config, "0010_identities")
    with engine.connect() as conn:
        contents = [
            json.loads(c) if isinstance(c, str) else c
            for (c,) in conn.exec_driver_sql("SELECT content FROM card_revisions")
        ]
    assert contents and all("summary" in c for c in contents)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        upgrade(config, "head")
    engine.dispose()
    # Re-stored by the migration's own (older, shorter-chained) rule: again mostly patches.
    again_whole, again_patched, again_cards = _stored(db_url)
    assert again_cards == cards and again_patched > again_whole >= cards
    assert again_whole + again_patched == whole + patched
    with Registry.open(db=db_url, actor="tester") as reg:
        assert card_outputs(reg) == outputs


@pytest.mark.usefixtures("lenient_entry")
def test_a_frozen_revision_is_the_card_as_it_stood(registry: Registry) -> None:
    """Freezing right after changes: the revision equals the card assembled at that moment."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    registry.projects.create("p", "Project", at=start)
    for code in ("1", "2", "3"):
        registry.components.add(f"p/{code}", f"component {code}", kind="model", level=0, at=start)
    registry.cards.edit("p", {"tldr": "first words"})
    for step, code in enumerate(["1", "2", "1", "3", "1"]):
        registry.components.import_graduation(
            f"p/{code}", approver="panel", at=datetime(2025, 1, 2 + step, tzinfo=UTC)
        )
        if step == 2:
            registry.cards.edit("p", {"tldr": "second words", "caveats": "some"})
            registry.cards.edit("p", {"intended-use": "only this"}, component="1")
        for scope in ("", code):
            now = registry.cards.get("p", scope or None).model_dump()
            number = registry.cards.freeze("p", scope or None, reason="by hand")
            frozen = registry.cards.get("p", scope or None, revision=number).model_dump()
            for card in (now, frozen):
                card["summary"].pop("generated_at")
                card["summary"].pop("previous_revisions")
            assert frozen == now
    levels = [r.level for r in registry.cards.revisions("p", "1")]
    assert levels == [1, 1, 2, 2, 3, 3]


def test_what_is_stored_rebuilds_the_json_exactly() -> None:
    """Values Python calls equal but JSON does not (1 and 1.0, True and 1, key order) survive."""
    from mltrl.cards.delta import apply
    from mltrl.cards.storage import Stored, to_store

    pairs = [
        ({"a": 1, "b": [1, 2, 3]}, {"a": 1.0, "b": [1, 2, 3]}),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),
        ({"l": [1, 2, 3, 4]}, {"l": [1, 2, 9, 3, 4]}),
        ({"l": [{"x": True}]}, {"l": [{"x": 1}]}),
        ({"l": [1, 2]}, {"l": []}),
    ]
    for before, after in pairs:
        stored = to_store(Stored(before, 1, 1, 0), after)
        rebuilt = apply(before, stored["patch"]) if "patch" in stored else stored
        assert json.dumps(rebuilt) == json.dumps(after)
    long_before = {"revisions": list(range(1000))}
    stored = to_store(Stored(long_before, 7, 3, 0), {"revisions": [*range(1000), 1000]})
    assert stored == {"patch": {"k": {"revisions": {"s": [1000, 1000, [1000]]}}}, "base": 3}  # the new item


if __name__ == "__main__" and sys.argv[1:] == ["--regenerate"]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        GOLDEN.write_text(json.dumps(_outputs(f"sqlite:///{tmp}/golden.db"), indent=1) + "\n")
    print(f"wrote {GOLDEN}")
