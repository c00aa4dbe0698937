"""The Python API: one object to open a registry and run every use-case on it.

    from mltrl import Registry

    with Registry.open() as reg:                 # the nearest .mltrl/, like git
        reg.create_project("neuropath", "Neuropathology copilot")
        reg.add_component("neuropath/1.1", "Segmentation model", kind="model", level=4)
        review = reg.open_review("neuropath/1.1")   # the gate out of level 4; then panel, results,
        ...                                          # ethics answers, signatures (see docs/reviews.md)
        reg.decide_review(review.id, "graduate")
        print(reg.status("neuropath").system_level)

Each call is one transaction; wrap several in ``with reg.transaction():`` to
land them together (all or nothing, and much faster for bulk loads).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from mltrl.analytics.report import Report, report_with_targets
from mltrl.analytics.targets import TargetStatus, target_statuses
from mltrl.catalog import Catalog
from mltrl.domain.model import ComponentKind, EventKind, SwitchbackKind
from mltrl.errors import StoreError
from mltrl.service import (
    cards,
    components,
    history_import,
    inputs,
    lifecycle,
    lookup,
    people,
    projects,
    setup,
    targets,
)
from mltrl.service._store import Store, Unit
from mltrl.service.api_cards import CardAPI
from mltrl.service.api_checks import CheckAPI
from mltrl.service.api_evidence import EvidenceAPI
from mltrl.service.api_golden import GoldenAPI, RelationAPI
from mltrl.service.api_monitor import ActualsAPI, AlertAPI, MonitorAPI
from mltrl.service.api_records import DatasetAPI, RequirementAPI
from mltrl.service.api_retention import RetentionAPI
from mltrl.service.api_reviews import ReviewAPI
from mltrl.store import people_queries, queries
from mltrl.store.engine import make_engine
from mltrl.store.location import Location, locate
from mltrl.store.reader import Reader, check_revision
from mltrl.store.records import ComponentRecord, CouplingRecord, EventRecord, ProjectRecord, VersionRecord
from mltrl.views import history
from mltrl.views.cadence import ReviewDue, schedule
from mltrl.views.doctor import DoctorReport, examine
from mltrl.views.status import ProjectStatus, project_status

T = TypeVar("T")


class Registry(
    ReviewAPI,
    RequirementAPI,
    DatasetAPI,
    EvidenceAPI,
    CardAPI,
    MonitorAPI,
    CheckAPI,
    AlertAPI,
    ActualsAPI,
    RetentionAPI,
):
    """A registry of projects, components, versions, reviews, requirements, data sets and the event log."""

    def __init__(self, store: Store, *, actor: str | None = None, policy: str | Path | None = None) -> None:
        self._store = store
        self.actor = inputs.actor(actor)
        self._policy = policy
        self._catalog: Catalog | None = None
        self._freeze_cards = True
        #: Where writes come from, recorded with each event for the audit (docs/trust.md): ``python``
        #: for the Python API, ``cli`` for the command line, ``token:PREFIX`` on the team server.
        self.via = "python"

    @property
    def catalog(self) -> Catalog:
        """The level catalogue with the organisation's policy (``policy=``, ``$MLTRL_POLICY``, .mltrl/)."""
        if self._catalog is None:
            from mltrl.catalog import find_policy, load_catalog

            self._catalog = load_catalog(find_policy(self._store.location.home, self._policy))
        return self._catalog

    # --- opening -----------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        db: str | None = None,
        *,
        start: str | Path | None = None,
        actor: str | None = None,
        policy: str | Path | None = None,
    ) -> Registry:
        """The registry at ``db`` / ``MLTRL_DATABASE_URL`` / the nearest ``.mltrl/``; checks its schema."""
        location = locate(db, None if start is None else Path(start))
        if location.is_sqlite and not location.sqlite_path.is_file():
            # Connecting would create an empty file; say what to do instead.
            raise StoreError(f"no registry database at {location.sqlite_path}; run `mltrl init`")
        registry = cls(Store(make_engine(location), location), actor=actor, policy=policy)
        with registry._store.read() as reader:
            check_revision(reader, location)
        return registry

    @classmethod
    def init(
        cls,
        directory: str | Path | None = None,
        *,
        db: str | None = None,
        actor: str | None = None,
        allow_other_tables: bool = False,
    ) -> Registry:
        """Create ``directory/.mltrl/`` (or the schema at ``db``, else ``$MLTRL_DATABASE_URL``) and open it.

        Safe to run twice. A database holding tables that are not mltrl's is refused unless
        ``allow_other_tables`` (sharing it is intended).
        """
        location = setup.init_location(None if directory is None else Path(directory), db)
        engine, created = setup.initialise(location, allow_other_tables=allow_other_tables)
        registry = cls(Store(engine, location), actor=actor)
        registry.created = created
        return registry

    def migrate(self, *, allow_other_tables: bool = False) -> str:
        """Upgrade the schema to this mltrl's head; return the revision it was at."""
        return setup.upgrade(self._store.engine, self._store.location, allow_other_tables=allow_other_tables)

    @property
    def golden(self) -> GoldenAPI:
        """The golden data set over the succession of models: ``reg.golden.score(...)``, ``.history(...)``."""
        return GoldenAPI(self)

    @property
    def relations(self) -> RelationAPI:
        """The component's codified metamorphic relations: ``reg.relations.add/list/remove/run(...)``."""
        return RelationAPI(self)

    @property
    def location(self) -> Location:
        return self._store.location

    def close(self) -> None:
        self._store.engine.dispose()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self, *, cards: bool = True) -> Iterator[None]:
        """Run several writes as one: all land, or (on any error) none does.

        ``cards=False`` skips freezing TRL Card revisions at level changes, for bulk loads of
        history (a card assembled today is not what the card looked like back then anyway).
        """
        previous = self._freeze_cards
        self._freeze_cards = cards
        try:
            with self._store.write(behind=True):
                yield
        finally:
            self._freeze_cards = previous

    # --- writes ------------------------------------------------------------------------------------

    def _write(self, use_case: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self._store.write() as conn:
            hook = self._freeze_level_change if self._freeze_cards else None
            unit = self._store.unit(conn, self.actor, use_case, hook, self.via)
            return use_case(unit, *args, **kwargs)

    def _freeze_level_change(self, unit: Unit, component: ComponentRecord, reason: str, at: datetime) -> None:
        """Every level change freezes the component's card and its project's card, dated with the change."""
        cards.freeze(unit, self.catalog, component.project_key, component.code, reason, at=at)
        cards.freeze(unit, self.catalog, component.project_key, "", f"{component.code}: {reason}", at=at)

    def create_project(
        self,
        key: str,
        name: str,
        *,
        description: str = "",
        rd_owner: str | None = None,
        product_owner: str | None = None,
        at: datetime | str | None = None,
        traits: list[str] | None = None,
    ) -> ProjectRecord:
        """Create a project; ``traits`` (e.g. ``["causal"]``) turn on the catalogue's criteria for them."""
        return self._write(
            projects.create,
            key,
            name,
            description=description,
            rd_owner=rd_owner,
            product_owner=product_owner,
            at=at,
            traits=traits,
            # Only a project with traits needs the catalogue (which a policy set later may still change).
            known_traits=self.catalog.traits if traits else frozenset(),
        )

    def set_project_traits(
        self,
        key: str,
        *,
        add: list[str] | None = None,
        remove: list[str] | None = None,
        at: datetime | str | None = None,
    ) -> ProjectRecord:
        """Add or remove project traits; criteria that apply only to a trait follow (``L1.overlap`` ...)."""
        return self._write(
            projects.set_traits,
            key,
            add=add,
            remove=remove,
            known_traits=self.catalog.traits if add else frozenset(),
            at=at,
        )

    def fork_project(
        self, parent: str, key: str, *, reason: str, name: str | None = None, at: datetime | str | None = None
    ) -> ProjectRecord:
        return self._write(projects.fork, parent, key, name=name, reason=reason, at=at)

    def add_component(
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
        """Start a component at a level; ``owner`` builds it (and may not approve it alone).

        Above level 0 it needs a ``reason``; above the policy's ``entry_without_review_up_to``
        (default 3) it needs ``entry_review=True``: it then waits, ``entering``, until the review
        of the gate into its level (``open_review(ref, entry=True)``) admits it.
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

    def set_review_cadence(self, ref: str, days: int) -> ComponentRecord:
        """Review this component every ``days`` days while it is deployed (the policy sets the default)."""
        return self._write(components.set_cadence, ref, days)

    def reviews_due(self, project: str | None = None, *, now: datetime | None = None) -> list[ReviewDue]:
        """Deployed components with the date their recurring review is due, soonest first."""

        def view(r: Reader) -> list[ReviewDue]:
            key = lookup.project(r, project).key if project else None
            return schedule(r, self.catalog.settings.review_every_days, now or inputs.now(), key)

        return self._read(view)

    def add_target(self, ref: str, level: int | str, by: str, *, note: str = "") -> int:
        """A readiness target: ``ref`` reaches ``level`` by the date ``by`` (YYYY-MM-DD); returns its id."""
        return self._write(targets.add, ref, level, by, note=note)

    def remove_target(self, target_id: int, *, reason: str) -> None:
        self._write(targets.remove, target_id, reason=reason)

    def targets(self, target: str | None = None, *, now: datetime | None = None) -> list[TargetStatus]:
        """Targets of a project (``KEY``), a component (``KEY/CODE``) or all: met, late, on track, at risk."""

        def view(r: Reader) -> list[TargetStatus]:
            moment = now or inputs.now()
            if target is None:
                return target_statuses(r, moment)
            if "/" in target:
                return target_statuses(r, moment, component_id=lookup.component(r, target).id)
            return target_statuses(r, moment, project_key=lookup.project(r, target).key)

        return self._read(view)

    def join_group(self, ref: str, person: str, role: str, *, at: datetime | str | None = None) -> None:
        """Add a person to the component's working group in a role, from its current level on."""
        self._write(people.join, ref, person, role, at=at)

    def leave_group(
        self, ref: str, person: str, *, reason: str = "", at: datetime | str | None = None
    ) -> None:
        self._write(people.leave, ref, person, reason=reason, at=at)

    def working_group(self, ref: str) -> list[dict[str, Any]]:
        """Every member the component has had (role, level joined, level left)."""
        return self._read(lambda r: people_queries.working_group(r, lookup.component(r, ref).id))

    def hand_off(
        self, ref: str, to: str, *, note: str = "", at: datetime | str | None = None
    ) -> ComponentRecord:
        """The level-5 hand-off from R&D to product: ``to`` owns the component from now on."""
        return self._write(people.hand_off, ref, to, note=note, at=at)

    def couple(self, ref: str, other: str, *, note: str = "") -> None:
        self._write(components.couple, ref, other, note=note)

    def register_version(
        self,
        ref: str,
        kind: str,
        version: str,
        *,
        uri: str | None = None,
        path: str | Path | None = None,
        sha256: str | None = None,
        note: str = "",
        at: datetime | str | None = None,
    ) -> VersionRecord:
        return self._write(
            components.register_version,
            ref,
            kind,
            version,
            uri=uri,
            path=path,
            sha256=sha256,
            note=note,
            at=at,
        )

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

        Graduations from now on go through gated reviews (:meth:`decide_review`). An imported one
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

    def switchback(
        self,
        ref: str,
        to_level: int | str,
        *,
        reason: str,
        kind: SwitchbackKind | str | None = None,
        at: datetime | str | None = None,
    ) -> ComponentRecord:
        return self._write(lifecycle.switchback, ref, to_level, kind=kind, reason=reason, at=at)

    def pause(self, ref: str, *, reason: str = "", at: datetime | str | None = None) -> ComponentRecord:
        return self._write(lifecycle.change_status, ref, EventKind.PAUSE, reason=reason, at=at)

    def resume(self, ref: str, *, reason: str = "", at: datetime | str | None = None) -> ComponentRecord:
        return self._write(lifecycle.change_status, ref, EventKind.RESUME, reason=reason, at=at)

    def retire(self, ref: str, *, reason: str = "", at: datetime | str | None = None) -> ComponentRecord:
        return self._write(lifecycle.change_status, ref, EventKind.RETIRE, reason=reason, at=at)

    # --- reads -------------------------------------------------------------------------------------

    def _read(self, view: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self._store.read() as reader:
            return view(reader, *args, **kwargs)

    def project(self, key: str) -> ProjectRecord:
        return self._read(lookup.project, key)

    def projects(self) -> list[ProjectRecord]:
        return self._read(queries.projects)

    def component(self, ref: str) -> ComponentRecord:
        return self._read(lookup.component, ref)

    def components(self, project: str) -> list[ComponentRecord]:
        return self._read(lambda r: queries.components(r, lookup.project(r, project).key))

    def couplings(self, ref: str) -> list[CouplingRecord]:
        return self._read(lambda r: queries.couplings(r, lookup.component(r, ref).id))

    def versions(self, ref: str) -> list[VersionRecord]:
        return self._read(lambda r: queries.versions(r, lookup.component(r, ref).id))

    def status(self, project: str) -> ProjectStatus:
        every = self.catalog.settings.review_every_days
        return self._read(lambda r: project_status(r, lookup.project(r, project), review_every_days=every))

    def history(self, target: str, *, lifecycle_only: bool = False) -> list[EventRecord]:
        """Events of a project (``KEY``) or a component (``KEY/CODE``), oldest first."""
        return self._read(_history, target, lifecycle_only)

    def report(self, project: str | None = None, *, now: datetime | None = None) -> Report:
        def view(r: Reader) -> Report:
            key = lookup.project(r, project).key if project else None
            return report_with_targets(r, now or inputs.now(), key)

        return self._read(view)

    def audit(
        self,
        *,
        project: str | None = None,
        user: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after: int = 0,
        limit: int = 10_000,
    ) -> list[dict[str, Any]]:
        """Who did what, when, from where: the event log as audit entries (``mltrl audit --json``)."""
        from mltrl.views.audit import entries

        return self._read(
            entries, project=project, user=user, since=since, until=until, after=after, limit=limit
        )

    def verify_log(self) -> Any:
        """The event chain, signatures and decisions checked (``mltrl audit verify``)."""
        from mltrl.views.integrity import check

        return self._read(check)

    def doctor(self) -> DoctorReport:
        return self._read(examine)

    def counts(self) -> dict[str, int]:
        return self._read(queries.counts)


def _history(r: Reader, target: str, lifecycle_only: bool) -> list[EventRecord]:
    if "/" in target:
        return history.component_history(r, lookup.component(r, target), lifecycle_only=lifecycle_only)
    return history.project_history(r, lookup.project(r, target), lifecycle_only=lifecycle_only)
