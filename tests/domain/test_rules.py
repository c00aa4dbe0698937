"""The lifecycle rules on their own: pure functions, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mltrl.domain import rules
from mltrl.domain.model import Approval, ComponentState, EventKind, Status, SwitchbackKind, Transition
from mltrl.errors import BadInput, RuleViolation

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def state(level: int, entry: int | None = None, status: Status = Status.ACTIVE) -> ComponentState:
    return ComponentState(
        level=level, entry_level=level if entry is None else entry, status=status, seq=3, last_at=T0
    )


def later(days: int = 1) -> datetime:
    return T0 + timedelta(days=days)


@pytest.mark.parametrize("text", ["-1", "10", "four", "4.5", "", " "])
def test_parse_level_refuses_what_is_not_a_level(text: str) -> None:
    with pytest.raises(BadInput, match="level"):
        rules.parse_level(text, "--to")


@pytest.mark.parametrize("level", range(10))
def test_a_component_can_start_at_any_level(level: int) -> None:
    started = rules.start(Transition(EventKind.INITIATE, to_level=level, at=T0, actor="a"))
    assert (started.level, started.entry_level, started.status, started.seq) == (
        level,
        level,
        Status.ACTIVE,
        1,
    )


def test_a_log_must_start_with_initiate_or_fork() -> None:
    with pytest.raises(RuleViolation, match="must start"):
        rules.start(Transition(EventKind.GRADUATE, to_level=3, at=T0, actor="a"))


def test_graduation_is_exactly_one_level_and_needs_an_approver() -> None:
    s = state(4)
    after = rules.apply(s, rules.plan_graduation(s, Approval(4, ("rev",)), actor="a", at=later()))
    assert (after.level, after.seq) == (5, 4)
    with pytest.raises(RuleViolation, match="skip level 5, 6"):
        rules.apply(s, rules.plan_graduation(s, Approval(4, ("rev",)), actor="a", at=later(), to_level=7))
    with pytest.raises(RuleViolation, match="approval"):
        rules.apply(s, rules.plan_graduation(s, Approval(4, ("",)), actor="a", at=later()))


def test_an_approval_for_another_gate_does_not_graduate() -> None:
    with pytest.raises(RuleViolation, match="level-3 gate"):
        rules.plan_graduation(state(4), Approval(3, ("rev",)), actor="a", at=later())


def test_level_nine_does_not_graduate() -> None:
    s = state(9, entry=4)
    with pytest.raises(RuleViolation, match="top"):
        rules.apply(s, rules.plan_graduation(s, Approval(9, ("rev",)), actor="a", at=later()))


def test_switchbacks_go_down_with_a_kind_and_a_reason() -> None:
    s = state(7, entry=3)
    after = rules.apply(
        s, rules.plan_switchback(s, 4, SwitchbackKind.REVIEW, actor="a", at=later(), reason="x")
    )
    assert after.level == 4
    with pytest.raises(RuleViolation, match="goes down"):
        rules.apply(s, rules.plan_switchback(s, 8, SwitchbackKind.REVIEW, actor="a", at=later(), reason="x"))
    with pytest.raises(RuleViolation, match="needs a kind"):
        rules.apply(s, rules.plan_switchback(s, 5, None, actor="a", at=later(), reason="x"))
    with pytest.raises(RuleViolation, match="reason"):
        rules.apply(
            s, rules.plan_switchback(s, 5, SwitchbackKind.DISCOVERY, actor="a", at=later(), reason=" ")
        )


def test_no_switchback_below_the_entry_level() -> None:
    s = state(6, entry=4)
    with pytest.raises(RuleViolation, match="entered at level 4, so level 3 was never done"):
        rules.apply(s, rules.plan_switchback(s, 3, SwitchbackKind.REVIEW, actor="a", at=later(), reason="x"))


@pytest.mark.parametrize(("frm", "to"), [(4, 2), (9, 4), (9, 7)])
def test_predefined_embedded_switchbacks_are_recognised(frm: int, to: int) -> None:
    s = state(frm, entry=0)
    event = rules.plan_switchback(s, to, None, actor="a", at=later(), reason="planned")
    assert event.switchback_kind is SwitchbackKind.EMBEDDED
    assert rules.apply(s, event).level == to


def test_embedded_is_refused_off_the_predefined_paths() -> None:
    s = state(8, entry=0)
    with pytest.raises(RuleViolation, match="not one of the embedded"):
        rules.apply(
            s, rules.plan_switchback(s, 7, SwitchbackKind.EMBEDDED, actor="a", at=later(), reason="x")
        )


def test_pause_blocks_moves_until_resumed_and_retire_is_final() -> None:
    s = state(5)
    paused = rules.apply(s, rules.plan_status_change(s, EventKind.PAUSE, actor="a", at=later()))
    assert paused.status is Status.PAUSED
    with pytest.raises(RuleViolation, match="paused"):
        rules.apply(paused, rules.plan_graduation(paused, Approval(5, ("r",)), actor="a", at=later(2)))
    resumed = rules.apply(paused, rules.plan_status_change(paused, EventKind.RESUME, actor="a", at=later(3)))
    assert resumed.status is Status.ACTIVE
    retired = rules.apply(
        resumed, rules.plan_status_change(resumed, EventKind.RETIRE, actor="a", at=later(4))
    )
    with pytest.raises(RuleViolation, match="retired"):
        rules.apply(retired, rules.plan_status_change(retired, EventKind.RESUME, actor="a", at=later(5)))


def test_the_log_only_moves_forward_in_time() -> None:
    s = state(4)
    with pytest.raises(RuleViolation, match="earlier than"):
        rules.apply(s, rules.plan_graduation(s, Approval(4, ("r",)), actor="a", at=T0 - timedelta(seconds=1)))


def test_replay_rebuilds_the_state_and_checks_every_step() -> None:
    log = [
        Transition(EventKind.INITIATE, to_level=4, entry_level=4, at=T0, actor="a"),
        Transition(EventKind.GRADUATE, from_level=4, to_level=5, at=later(1), actor="a", approver="r"),
        Transition(
            EventKind.SWITCHBACK,
            from_level=5,
            to_level=4,
            at=later(2),
            actor="a",
            reason="gap",
            switchback_kind=SwitchbackKind.DISCOVERY,
        ),
    ]
    assert rules.replay(log) == ComponentState(
        level=4, entry_level=4, status=Status.ACTIVE, seq=3, last_at=later(2)
    )
    broken = [
        *log,
        Transition(EventKind.GRADUATE, from_level=4, to_level=6, at=later(3), actor="a", approver="r"),
    ]
    with pytest.raises(RuleViolation, match="skip"):
        rules.replay(broken)


def test_a_fork_keeps_the_entry_level_of_its_origin() -> None:
    forked = rules.start(Transition(EventKind.FORK, to_level=6, entry_level=3, at=T0, actor="a"))
    assert (forked.level, forked.entry_level) == (6, 3)
    with pytest.raises(RuleViolation, match="never done"):
        rules.apply(
            forked, rules.plan_switchback(forked, 2, SwitchbackKind.REVIEW, actor="a", at=later(), reason="x")
        )
