"""Random sequences of lifecycle operations on a real registry keep MLTRL's invariants.

An independent, deliberately naive model of the rules predicts what each
operation must do; the registry (SQLite or PostgreSQL) must agree, and after
every step: levels stay within 0-9, no graduation ever skipped a level, the
system TRL is the lowest live level, and replaying the log rebuilds the state.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from mltrl.demo import _reviewing
from mltrl.errors import MltrlError
from mltrl.service.registry import Registry

EMBEDDED = {(4, 2), (9, 4), (9, 5), (9, 6), (9, 7)}


@dataclass
class Expected:
    level: int
    entry: int
    status: str = "active"
    live: bool = False  # reviewed here (an entry review): imported history is refused from then on


class LifecycleMachine(RuleBasedStateMachine):
    def __init__(self, registry: Registry) -> None:
        super().__init__()
        self.reg = registry
        self.key = f"p{uuid.uuid4().hex[:10]}"
        self.model: dict[str, Expected] = {}
        # Every operation happens a minute after the last one, all safely in the past
        # (imported graduations must be dated before now).
        self.clock = datetime.now(UTC) - timedelta(days=30)

    def tick(self) -> datetime:
        self.clock += timedelta(minutes=1)
        return self.clock

    @initialize()
    def create_project(self) -> None:
        self.reg.projects.create(self.key, "state machine", at=self.tick())

    def ref(self, index: int) -> str:
        return f"{self.key}/{sorted(self.model)[index % len(self.model)]}"

    def expect(self, ok: bool, action, ref: str) -> None:  # type: ignore[no-untyped-def]
        before = self.reg.counts()["events"]
        try:
            action()
        except MltrlError as exc:
            assert not ok, f"refused a legal operation on {ref}: {exc}"
            assert self.reg.counts()["events"] == before, "a refused operation wrote an event"
            return
        assert ok, f"accepted an illegal operation on {ref}"

    @precondition(lambda self: len(self.model) < 6)
    @rule(level=st.integers(0, 9))
    def add(self, level: int) -> None:
        """Above 0 with a reason; above 3 (the shipped policy) waiting for an entry review."""
        code = str(len(self.model) + 1)
        high = level > 3
        self.reg.components.add(
            f"{self.key}/{code}",
            f"part {code}",
            kind="model",
            level=level,
            reason="prior work" if level else "",
            entry_review=high,
            at=self.tick(),
        )
        self.model[code] = Expected(
            level=level, entry=level, status="entering" if high else "active", live=high
        )

    @precondition(lambda self: any(m.status == "entering" for m in self.model.values()))
    @rule(index=st.integers(0, 5))
    def admit(self, index: int) -> None:
        """The entry review passes (the panel waives the evidence criteria it may waive)."""
        waiting = sorted(code for code, m in self.model.items() if m.status == "entering")
        code = waiting[index % len(waiting)]
        ref = f"{self.key}/{code}"
        when = self.tick()
        review = _reviewing.staffed_review(self.reg, ref, when, {})
        gate = self.reg.reviews.get(review).template
        waivers = {
            c.id: ("waived", "not under test") for c in gate.criteria if c.kind == "evidence" and c.waivable
        }
        if gate.criterion("L4.real-data") is not None:
            self.reg.datasets.add(self.key, f"{self.key}-{code}", "real data", kind="real", at=when)
            self.reg.datasets.link(f"{self.key}-{code}", ref, "train")
        _reviewing.complete(self.reg, review, when, results=waivers)
        self.reg.reviews.decide(review, "graduate", at=when)
        self.model[code].status = "active"

    @precondition(lambda self: self.model)
    @rule(index=st.integers(0, 5), step=st.integers(-1, 3))
    def graduate(self, index: int, step: int) -> None:
        ref = self.ref(index)
        m = self.model[ref.split("/")[1]]
        target = m.level + step
        ok = m.status == "active" and step == 1 and m.level < 9 and not m.live
        # Out-of-range targets (-1, 10 ...) must be refused as bad levels, never clamped.
        when = self.tick()
        self.expect(
            ok,
            lambda: self.reg.components.import_graduation(ref, approver="panel", to_level=target, at=when),
            ref,
        )
        if ok:
            m.level = target

    @precondition(lambda self: self.model)
    @rule(
        index=st.integers(0, 5),
        to=st.integers(0, 9),
        kind=st.sampled_from([None, "discovery", "review", "embedded"]),
    )
    def switchback(self, index: int, to: int, kind: str | None) -> None:
        ref = self.ref(index)
        m = self.model[ref.split("/")[1]]
        on_path = (m.level, to) in EMBEDDED
        embedded = on_path and kind in (None, "embedded")
        # An embedded switchback (a change to a deployed component) happens even when paused, and
        # may go below the level the component entered at; other switchbacks may not.
        ok = (
            (m.status == "active" or (m.status == "paused" and embedded))
            and to < m.level
            and (m.entry <= to or embedded)
            and (kind is not None or on_path)
            and (kind != "embedded" or on_path)
        )
        when = self.tick()
        self.expect(
            ok, lambda: self.reg.components.switchback(ref, to, kind=kind, reason="found a gap", at=when), ref
        )
        if ok:
            m.level, m.entry = to, min(m.entry, to)

    @precondition(lambda self: self.model)
    @rule(index=st.integers(0, 5), verb=st.sampled_from(["pause", "resume", "retire"]))
    def change_status(self, index: int, verb: str) -> None:
        ref = self.ref(index)
        m = self.model[ref.split("/")[1]]
        ok = {"pause": m.status == "active", "resume": m.status == "paused", "retire": m.status != "retired"}[
            verb
        ]
        when = self.tick()
        self.expect(ok, lambda: getattr(self.reg.components, verb)(ref, reason="planning", at=when), ref)
        if ok:
            m.status = {"pause": "paused", "resume": "active", "retire": "retired"}[verb]

    @invariant()
    def registry_agrees_with_the_model(self) -> None:
        if not self.model:
            return
        stored = {c.code: (c.level, c.entry_level, c.status) for c in self.reg.components.list(self.key)}
        assert stored == {code: (m.level, m.entry, m.status) for code, m in self.model.items()}
        assert all(0 <= level <= 9 for level, _, _ in stored.values())

    @invariant()
    def system_trl_is_the_lowest_live_level(self) -> None:
        live = [m.level for m in self.model.values() if m.status not in ("retired", "entering")]
        assert self.reg.status(self.key).system_level == (min(live) if live else None)

    def teardown(self) -> None:
        for event in self.reg.history(self.key, lifecycle_only=True):
            if event.kind in ("graduate", "import"):
                assert event.to_level == event.from_level + 1, "a graduation skipped a level"
        report = self.reg.doctor()
        assert report.healthy, report.problems


@pytest.mark.slow
def test_random_operation_sequences_keep_the_invariants(registry: Registry) -> None:
    run_state_machine_as_test(
        lambda: LifecycleMachine(registry),
        settings=settings(
            max_examples=25, stateful_step_count=25, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
