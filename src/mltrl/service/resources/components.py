"""``reg.components``: ``/projects/{key}/components`` and the moves of one component."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mltrl.domain.model import ComponentKind, EventKind, SwitchbackKind
from mltrl.errors import BadInput
from mltrl.gates import GateResult, default_gate, evaluate_gate
from mltrl.service import components, history_import, inputs, lifecycle, lookup, people
from mltrl.service.resources._base import Resource
from mltrl.store import queries
from mltrl.store.records import ComponentRecord, CouplingRecord

if TYPE_CHECKING:
    from mltrl.analytics.test_score import TestScore


class Components(Resource):
    """Add, list and show components; couple them; move them (switchback, pause, resume, retire);
    evaluate their gate and ML Test Score."""

    def add(
        self,
        ref: str,
        name: str,
        *,
        kind: ComponentKind | str,
        level: int | str,
        parent: str | None = None,
        description: str = "",
        owner: str | None = None,
        reason: str = "",
        entry_review: bool = False,
        at: datetime | str | None = None,
    ) -> ComponentRecord:
        """Start a component at a level (``POST /projects/{key}/components``); ``owner`` builds it
        (and may not approve it alone).

        Above level 0 it needs a ``reason``; above the policy's ``entry_without_review_up_to``
        (default 3) it needs ``entry_review=True``: it then waits, ``entering``, until the review
        of the gate into its level (``reg.reviews.open(ref, entry=True)``) admits it.
        """
        project_key, code = inputs.parse_ref(ref)
        return self._write(
            components.add,
            project_key,
            code,
            name,
            kind=kind,
            level=level,
            parent=parent,
            description=description,
            owner=owner,
            reason=reason,
            entry_review=entry_review,
            review_free_up_to=self.catalog.settings.entry_without_review_up_to,
            at=at,
        )

    def get(self, ref: str) -> ComponentRecord:
        """One component (``GET .../components/{code}``)."""
        return self._read(lookup.component, ref)

    def couple(self, ref: str, other: str, *, note: str = "") -> None:
        """Record that ``ref`` depends on ``other``, also across projects (``POST .../couplings``)."""
        self._write(components.couple, ref, other, note=note)

    def couplings(self, ref: str) -> list[CouplingRecord]:
        """The components ``ref`` is coupled to, both ways (``mltrl component show``)."""
        return self._read(lambda r: queries.couplings(r, lookup.component(r, ref).id))

    def switchback(
        self,
        ref: str,
        to_level: int | str,
        *,
        reason: str,
        kind: SwitchbackKind | str | None = None,
        at: datetime | str | None = None,
    ) -> ComponentRecord:
        """Back to a lower level the component went through (``POST .../switchback``)."""
        return self._write(lifecycle.switchback, ref, to_level, kind=kind, reason=reason, at=at)

    def pause(self, ref: str, *, reason: str = "", at: datetime | str | None = None) -> ComponentRecord:
        """``POST .../pause``"""
        return self._write(lifecycle.change_status, ref, EventKind.PAUSE, reason=reason, at=at)

    def resume(self, ref: str, *, reason: str = "", at: datetime | str | None = None) -> ComponentRecord:
        """``POST .../resume``"""
        return self._write(lifecycle.change_status, ref, EventKind.RESUME, reason=reason, at=at)

    def retire(self, ref: str, *, reason: str = "", at: datetime | str | None = None) -> ComponentRecord:
        """``POST .../retire``"""
        return self._write(lifecycle.change_status, ref, EventKind.RETIRE, reason=reason, at=at)

    def hand_off(
        self, ref: str, to: str, *, note: str = "", at: datetime | str | None = None
    ) -> ComponentRecord:
        """The level-5 hand-off from R&D to product: ``to`` owns the component from now on."""
        return self._write(people.hand_off, ref, to, note=note, at=at)

    def set_cadence(self, ref: str, days: int) -> ComponentRecord:
        """Review this component every ``days`` days while it is deployed (the policy sets the default)."""
        return self._write(components.set_cadence, ref, days)

    def import_graduation(
        self,
        ref: str,
        *,
        approver: str,
        at: datetime | str,
        to_level: int | None = None,
        reason: str = "",
    ) -> ComponentRecord:
        """Record a graduation that happened before this registry kept the project (history import).

        Graduations from now on go through gated reviews (``reg.reviews.decide``). An imported one
        names who approved it back then, must be dated in the past, and is marked as imported in
        the log, so nobody mistakes it for a review mltrl checked.
        """
        return self._write(
            lifecycle.import_graduation,
            ref,
            approver,
            allowed=self.catalog.settings.allow_imports,
            to_level=to_level,
            reason=reason,
            at=at,
        )

    def import_history(self, events: Iterable[Mapping[str, Any]]) -> int:
        """Load lifecycle history from before the registry in one transaction; return the events written.

        ``events`` in order, each a mapping: ``ref``, ``kind`` (``import``, ``switchback``,
        ``pause``, ``resume`` or ``retire``), ``at``, and as the matching one-at-a-time call takes
        them ``approver`` and ``to_level`` (import), ``to_level`` and ``switchback`` (its kind),
        ``reason``. Every event is checked by the same rules as those calls; only the database work
        is done in bulk (about SQLite's own insert speed, docs/benchmarks.md). All land or none.
        """
        return self._write(history_import.load, events, allowed=self.catalog.settings.allow_imports)

    def gate(self, ref: str, level: int | None = None) -> GateResult:
        """The gate at the end of ``level`` (``GET .../gate``); by default the one the component's
        level claims it passed."""

        def view(r):  # type: ignore[no-untyped-def]
            component = lookup.component(r, ref)
            chosen = default_gate(component) if level is None else level
            if chosen is None:
                raise BadInput(f"{ref} is at level 0: it has passed no gate yet (ask for --level 0)")
            return evaluate_gate(r, self.catalog, component, chosen)

        return self._read(view)

    def score(self, ref: str) -> TestScore:
        """The ML Test Score of ``ref`` (``GET .../score``), computed from its evidence, reviews and
        monitors (``mltrl.analytics.test_score``): items, section sums, the score (the lowest
        section), band."""
        from mltrl.analytics.test_score import compute

        now = datetime.now(UTC)
        return self._read(lambda r: compute(r, lookup.component(r, ref), now))

    def list(self, project: str) -> list[ComponentRecord]:
        """The project's components (``GET /projects/{key}/components``)."""
        return self._read(lambda r: queries.components(r, lookup.project(r, project).key))
