"""Bulk history import and bulk loads in one transaction: fast, and every rule still checked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mltrl.errors import BadInput, RuleViolation
from mltrl.service.registry import Registry

START = datetime(2024, 1, 1, tzinfo=UTC)


def _day(n: int) -> datetime:
    return START + timedelta(days=n)


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("p", "Project", at=START)
    for code in ("1", "2"):
        registry.components.add(f"p/{code}", "Model", kind="model", level=0, at=START)
    return registry


def test_import_history_records_each_event_as_the_single_calls_do(reg: Registry, db_url: str) -> None:
    events = [
        {"ref": "p/1", "kind": "import", "approver": "lab head", "at": _day(1)},
        {"ref": "p/2", "kind": "import", "approver": "lab head", "at": _day(2), "reason": "paper out"},
        {"ref": "p/1", "kind": "import", "approver": "panel", "at": _day(3), "to_level": 2},
        {
            "ref": "p/1",
            "kind": "switchback",
            "to_level": 1,
            "switchback": "discovery",
            "reason": "leak",
            "at": _day(4),
        },
        {"ref": "p/2", "kind": "pause", "reason": "no data", "at": _day(5)},
        {"ref": "p/2", "kind": "resume", "at": _day(6)},
    ]
    assert reg.components.import_history(events) == 6
    with Registry.init(db=db_url.replace("registry.db", "peer.db"), actor="tester") as peer:
        if not db_url.startswith("sqlite"):
            peer = reg  # one database per test on PostgreSQL: compare against the event list only
        else:
            peer.projects.create("p", "Project", at=START)
            for code in ("1", "2"):
                peer.components.add(f"p/{code}", "Model", kind="model", level=0, at=START)
            peer.components.import_graduation("p/1", approver="lab head", at=_day(1))
            peer.components.import_graduation("p/2", approver="lab head", at=_day(2), reason="paper out")
            peer.components.import_graduation("p/1", approver="panel", at=_day(3), to_level=2)
            peer.components.switchback("p/1", 1, kind="discovery", reason="leak", at=_day(4))
            peer.components.pause("p/2", reason="no data", at=_day(5))
            peer.components.resume("p/2", at=_day(6))
        for ref in ("p/1", "p/2"):
            mine = [e.to_json() for e in reg.history(ref, lifecycle_only=True)]
            theirs = [e.to_json() for e in peer.history(ref, lifecycle_only=True)]
            for e in mine + theirs:
                e.pop("id", None)
            assert mine == theirs
    assert (reg.components.get("p/1").level, reg.components.get("p/2").status) == (1, "active")
    assert reg.doctor().healthy


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"ref": "p/1", "kind": "import", "approver": "x", "at": _day(2), "to_level": 3}, r"event 3 \(p/1\)"),
        ({"ref": "p/1", "kind": "switchback", "to_level": 5, "reason": "r", "at": _day(2)}, "event 3 .*"),
        ({"ref": "p/1", "kind": "import", "approver": "x", "at": START}, "event 3 .*earlier"),
        (
            {"ref": "p/1", "kind": "import", "approver": "x", "at": datetime.now(UTC) + timedelta(days=1)},
            "in the future",
        ),
        ({"ref": "p/9", "kind": "pause", "at": _day(2)}, "no component"),
        ({"ref": "p/1", "kind": "promote", "at": _day(2)}, "not one of"),
        ({"ref": "p/1", "at": _day(2)}, "event 3: 'kind' is missing"),
    ],
)
def test_a_rule_broken_anywhere_in_the_history_writes_none_of_it(
    reg: Registry, bad: dict[str, object], message: str
) -> None:
    good = [
        {"ref": "p/1", "kind": "import", "approver": "x", "at": _day(1)},
        {"ref": "p/2", "kind": "import", "approver": "x", "at": _day(1)},
    ]
    with pytest.raises((BadInput, RuleViolation), match=message):
        reg.components.import_history([*good, bad])
    assert [reg.components.get(r).level for r in ("p/1", "p/2")] == [0, 0]
    assert len(reg.history("p/1", lifecycle_only=True)) == 1


def test_history_is_refused_for_a_component_reviewed_here(reg: Registry) -> None:
    reg.reviews.open("p/1")
    with pytest.raises(BadInput, match=r"event 1 .*review"):
        reg.components.import_history([{"ref": "p/1", "kind": "import", "approver": "x", "at": _day(1)}])


def test_a_bulk_load_in_one_transaction_checks_each_move_against_the_ones_before(reg: Registry) -> None:
    """Moves written behind: later calls see earlier ones, reads see them, a broken rule undoes all."""
    with reg.transaction(cards=False):
        for day in range(1, 4):
            reg.components.import_graduation("p/1", approver="x", at=_day(day))
        assert reg.components.get("p/1").level == 3  # a read inside the transaction sees the moves
        reg.components.pause("p/1", reason="wait", at=_day(5))
        reg.components.resume("p/1", at=_day(6))
        reg.components.switchback("p/1", 1, kind="discovery", reason="gap", at=_day(7))
    assert [e.kind for e in reg.history("p/1", lifecycle_only=True)] == [
        "initiate",
        "import",
        "import",
        "import",
        "pause",
        "resume",
        "switchback",
    ]
    with pytest.raises(RuleViolation, match=r"p/1: .*earlier"), reg.transaction(cards=False):
        reg.components.import_graduation("p/1", approver="x", at=_day(8))
        reg.components.import_graduation("p/1", approver="x", at=_day(2))  # before the last event
    assert reg.components.get("p/1").level == 1
    with pytest.raises(RuleViolation, match="already has review"), reg.transaction(cards=False):
        reg.components.import_graduation("p/2", approver="x", at=_day(8))
        reg.reviews.open("p/2")  # makes the batch forget what it knew about p/2's history
        reg.components.import_graduation("p/2", approver="x", at=_day(9))
    assert reg.components.get("p/2").level == 0
