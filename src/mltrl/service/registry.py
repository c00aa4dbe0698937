"""The Python API: one object to open a registry and run every use-case on it.

    from mltrl import Registry

    with Registry.open() as reg:                 # the nearest .mltrl/, like git
        reg.projects.create("neuropath", "Neuropathology copilot")
        reg.components.add("neuropath/1.1", "Segmentation model", kind="model", level=4)
        review = reg.reviews.open("neuropath/1.1")  # the gate out of level 4; then panel, results,
        ...                                          # ethics answers, signatures (see docs/reviews.md)
        reg.reviews.decide(review.id, "graduate")
        print(reg.status("neuropath").system_level)

The resources (``reg.projects``, ``reg.reviews``, ``reg.evidence`` ...) mirror the REST routes
(``reg.reviews.open`` is ``POST /projects/{key}/components/{code}/reviews``); docs/python-api.md
holds the map. Each call is one transaction; wrap several in ``with reg.transaction():`` to land
them together (all or nothing, and much faster for bulk loads).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from mltrl.analytics.report import Report, report_with_targets
from mltrl.catalog import Catalog
from mltrl.errors import StoreError
from mltrl.service import cards, inputs, lookup, setup
from mltrl.service._store import Store, Unit
from mltrl.service.api_sessions import SessionAPI
from mltrl.service.resources.actuals import Actuals, Predictions
from mltrl.service.resources.alerts import Alerts
from mltrl.service.resources.audit import Audit
from mltrl.service.resources.cards import Cards
from mltrl.service.resources.components import Components
from mltrl.service.resources.datasets import Datasets
from mltrl.service.resources.evidence import Evidence
from mltrl.service.resources.golden import Golden, Relations
from mltrl.service.resources.groups import Groups
from mltrl.service.resources.identities import Roles, Tokens, Users
from mltrl.service.resources.monitor import Monitor
from mltrl.service.resources.projects import Projects
from mltrl.service.resources.requirements import Requirements
from mltrl.service.resources.reviews import Reviews
from mltrl.service.resources.targets import Targets
from mltrl.service.resources.versions import Versions
from mltrl.store import queries
from mltrl.store.engine import make_engine
from mltrl.store.location import Location, locate
from mltrl.store.reader import Reader, check_revision
from mltrl.store.records import ComponentRecord, EventRecord
from mltrl.views import history
from mltrl.views.doctor import DoctorReport, examine
from mltrl.views.status import ProjectStatus, project_status

T = TypeVar("T")


class Registry:
    """A registry of projects, components, versions, reviews, requirements, data sets and the event log.

    Its resources, each named after its REST route (docs/python-api.md has the map):
    """

    projects: Projects  #: ``/projects``
    components: Components  #: ``/projects/{key}/components``, the moves of a component, its gate
    versions: Versions  #: ``.../components/{code}/versions``
    groups: Groups  #: the working group of a component
    targets: Targets  #: readiness targets by date
    reviews: Reviews  #: ``/projects/{key}/reviews``
    requirements: Requirements  #: ``/projects/{key}/requirements``, ``/risk``
    datasets: Datasets  #: ``/projects/{key}/datasets``
    evidence: Evidence  #: ``.../components/{code}/evidence``
    cards: Cards  #: ``/projects/{key}/card``
    golden: Golden  #: ``.../components/{code}/golden``
    relations: Relations  #: ``.../components/{code}/relations``
    monitor: Monitor  #: ``.../drift``, ``/projects/{key}/monitoring``
    predictions: Predictions  #: ``.../components/{code}/predictions``
    actuals: Actuals  #: ``.../components/{code}/actuals``, ``.../performance``
    alerts: Alerts  #: ``/projects/{key}/alerts``
    audit: Audit  #: ``/audit``
    users: Users  #: users of the team server
    roles: Roles  #: ``/projects/{key}/roles``
    tokens: Tokens  #: ``/tokens``, ``/me``
    sessions: SessionAPI  #: the dashboard's browser sessions

    def __init__(self, store: Store, *, actor: str | None = None, policy: str | Path | None = None) -> None:
        self._store = store
        self.actor = inputs.actor(actor)
        self._policy = policy
        self._catalog: Catalog | None = None
        self._freeze_cards = True
        #: Where writes come from, recorded with each event for the audit (docs/trust.md): ``python``
        #: for the Python API, ``cli`` for the command line, ``token:PREFIX`` on the team server.
        self.via = "python"
        self.projects = Projects(self)
        self.components = Components(self)
        self.versions = Versions(self)
        self.groups = Groups(self)
        self.targets = Targets(self)
        self.reviews = Reviews(self)
        self.requirements = Requirements(self)
        self.datasets = Datasets(self)
        self.evidence = Evidence(self)
        self.cards = Cards(self)
        self.golden = Golden(self)
        self.relations = Relations(self)
        self.monitor = Monitor(self)
        self.predictions = Predictions(self)
        self.actuals = Actuals(self)
        self.alerts = Alerts(self)
        self.audit = Audit(self)
        self.users = Users(self)
        self.roles = Roles(self)
        self.tokens = Tokens(self)
        self.sessions = SessionAPI(self)

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
        cards.freeze_level_change(unit, self.catalog, component, reason, at)

    # --- reads -------------------------------------------------------------------------------------

    def _read(self, view: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            with self._store.read() as reader:
                return view(reader, *args, **kwargs)
        except StoreError as exc:
            if not exc.disconnected or self._store.in_transaction:
                raise
        # The server dropped the connection (a restart): a read changes nothing, so it is made
        # again, once, on a new one.
        with self._store.read() as reader:
            return view(reader, *args, **kwargs)

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

    def doctor(self) -> DoctorReport:
        return self._read(examine)

    def counts(self) -> dict[str, int]:
        return self._read(queries.counts)


def _history(r: Reader, target: str, lifecycle_only: bool) -> list[EventRecord]:
    if "/" in target:
        return history.component_history(r, lookup.component(r, target), lifecycle_only=lifecycle_only)
    return history.project_history(r, lookup.project(r, target), lifecycle_only=lifecycle_only)


def acting_as(registry: Registry, actor: str, via: str | None = None) -> Registry:
    """``registry`` (same engine, policy and catalogue) acting as ``actor``, with its own transaction
    state: the team server makes one per request, so concurrent requests never share an open
    transaction (a :class:`Store` joins the write it has open)."""
    clone = type(registry)(
        Store(registry._store.engine, registry.location), actor=actor, policy=registry._policy
    )
    clone._catalog = registry.catalog
    clone.via = via or registry.via
    return clone
