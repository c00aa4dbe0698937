"""``reg.monitor``: profiles, drift, the monitoring report and the checks that raise alerts
(``GET .../drift``, ``GET /projects/{key}/monitoring``; ``mltrl monitor ...``). Needs ``mltrl[monitor]``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from mltrl.errors import BadInput, NotFound
from mltrl.service import inputs, lookup, monitoring, retention
from mltrl.service.resources import _monitor_checks as checks
from mltrl.service.resources._base import Resource
from mltrl.service.retention import PruneReport
from mltrl.service.tables import loaded, profile_of
from mltrl.store import profile_queries
from mltrl.views.results import CheckOutcome, MonitorReport


class Monitor(Resource):
    """Reference and window profiles of a component, drift between them, checks of a window,
    skew and performance, and pruning what a registry no longer needs."""

    def set_reference(
        self, ref: str, data: Any, *, name: str = "default", progress: Callable[[int], None] | None = None
    ) -> int:
        """Profile training or golden data (a table or a CSV/Parquet path) as the reference ``name``."""
        profile = profile_of(data, progress)
        return self._write(
            monitoring.store,
            ref,
            "reference",
            inputs.text(name, "reference name", required=True),
            profile,
            merge=False,
        )

    def log(
        self,
        ref: str,
        data: Any,
        *,
        window: str | None = None,
        at: datetime | str | None = None,
        start: datetime | str | None = None,
        end: datetime | str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[str, int]:
        """Profile serving data into its time window (merged with what the window already holds).

        The window is the ``window`` ("hour" or "day", the default) containing ``at``, or the custom
        one from ``start`` to ``end``; the two ways exclude each other.
        """
        if (start is None) != (end is None):
            raise BadInput("a custom window needs both --start and --end")
        if start is not None and (window is not None or at is not None):
            raise BadInput("a custom window (--start/--end) takes neither --window nor --at")
        if start is not None:
            begin, finish = inputs.moment(start, "--start"), inputs.moment(end, "--end")
            if finish <= begin:
                raise BadInput("the window must end after it starts (--end after --start)")
            label = f"{begin.isoformat()}/{finish.isoformat()}"
        else:
            label, begin, finish = monitoring.window_bounds(window or "day", inputs.moment(at))
        profile = profile_of(data, progress)
        checks.refuse_changed_kinds(self._reg, ref, profile)
        rows = self._write(
            monitoring.store, ref, "window", label, profile, start=begin, end=finish, merge=True
        )
        return label, rows

    def profiles(self, ref: str) -> list[dict[str, Any]]:
        """The component's stored references and windows."""
        return self._read(lambda r: profile_queries.listing(r, lookup.component(r, ref).id))

    def drift(
        self,
        ref: str,
        *,
        window: str | None = None,
        reference: str = "default",
        overrides: dict[str, dict[str, Any]] | None = None,
    ):  # type: ignore[no-untyped-def]
        """The latest (or a named) window against a reference: per-column scores and the data set
        verdict (``GET .../components/{code}/drift``)."""
        from mltrl.monitor.drift import compare

        label, base, current = self.window_profiles(ref, window=window, reference=reference)
        return label, compare(base, current, overrides=overrides)

    def report(
        self,
        ref: str,
        *,
        window: str | None = None,
        reference: str = "default",
        settings: dict[str, dict[str, Any]] | None = None,
        history: int = 30,
    ) -> MonitorReport:
        """The data of the monitoring report (``mltrl monitor report``): per-column distributions of
        the reference and the window, drift and data quality, drift over the last ``history`` windows,
        performance per window and open alerts."""
        from mltrl.monitor.report import build_report
        from mltrl.service import actuals
        from mltrl.store import alert_queries

        label, base, current = self.window_profiles(ref, window=window, reference=reference)

        def view(r):  # type: ignore[no-untyped-def]
            component = lookup.component(r, ref)
            return (
                component,
                [
                    (name, loaded(ref, f"window {name}", data))
                    for name, data in profile_queries.windows(r, component.id, history)
                ],
                actuals.performance(r, component.id),
                alert_queries.alerts(r, component_id=component.id, open_only=True),
            )

        component, recent, performance, alerts = self._read(view)
        return MonitorReport(
            build_report(
                component=component.ref,
                level=component.level,
                reference_name=reference,
                reference=base,
                window=label,
                current=current,
                history=recent,
                settings=settings,
                performance=performance,
                alerts=alerts,
            )
        )

    def window_profiles(self, ref: str, *, window: str | None = None, reference: str = "default"):  # type: ignore[no-untyped-def]
        """(window label, reference profile, window profile); the latest window unless one is named."""

        def view(r):  # type: ignore[no-untyped-def]
            cid = lookup.component(r, ref).id
            base = profile_queries.data(r, cid, "reference", reference)
            if base is None:
                raise NotFound(f"{ref} has no reference profile {reference!r} (mltrl monitor reference)")
            current = profile_queries.data(r, cid, "window", window)
            if current is None:
                raise NotFound(
                    f"{ref} has no window {window!r}" if window else f"{ref} has no window profiles yet"
                )
            return (
                current[0],
                loaded(ref, f"reference {reference!r}", base[1]),
                loaded(ref, f"window {current[0]}", current[1]),
            )

        return self._read(view)

    def status(self, target: str | None = None) -> list[dict[str, Any]]:
        """Per monitored component: references, latest window, last check, performance, open alerts
        (``GET /projects/{key}/monitoring``)."""
        from mltrl.views.monitoring import monitor_status

        return self._read(lambda r: monitor_status(r, target))

    def check(
        self,
        ref: str,
        *,
        window: str | None = None,
        reference: str = "default",
        settings: dict[str, dict[str, Any]] | None = None,
        webhook: str | None = None,
        open_review: bool = False,
        evidence: bool = True,
    ) -> CheckOutcome:
        """Drift and data-quality checks of a window (default: the latest) against a reference.

        Each failing check raises its own alert (``drift``, ``data-quality``); with ``open_review``
        the alerts go before a review of the component; the outcome is recorded as
        ``L9.monitoring-drift`` evidence so the level-9 gate sees monitoring run and what it found.
        ``settings`` maps a column to its drift method/threshold and quality limits.

        Alerts, evidence and review land together or not at all (a component whose review cannot
        open refuses the whole check); the webhook is called once they have landed.
        """
        return self.check_many(
            [ref],
            window=window,
            reference=reference,
            settings=settings,
            webhook=webhook,
            open_review=open_review,
            evidence=evidence,
        )[0]

    def checkable(self, project: str, reference: str = "default") -> list[str]:
        """The components of ``project`` a check can run on: those with the reference ``reference``
        and at least one window (``mltrl monitor check PROJECT``); refused when there is none."""
        refs = [
            row["component"]
            for row in self.status(project)
            if reference in row["references"] and row["latest_window"]
        ]
        if not refs:
            raise BadInput(f"nothing in {project} has a reference {reference!r} and a window to check")
        return refs

    def check_many(
        self,
        refs: list[str],
        *,
        window: str | None = None,
        reference: str = "default",
        settings: dict[str, dict[str, Any]] | None = None,
        webhook: str | None = None,
        open_review: bool = False,
        evidence: bool = True,
    ) -> list[CheckOutcome]:
        """:meth:`check` of several components as one write: when one of them cannot be stored,
        nothing is, and no webhook is called."""
        return checks.check_windows(
            self._reg,
            refs,
            window=window,
            reference=reference,
            settings=settings,
            webhook=webhook,
            open_review=open_review,
            evidence=evidence,
        )

    def check_skew(
        self,
        ref: str,
        training: Any,
        serving: Any,
        *,
        key: str,
        threshold: float = 0.01,
        webhook: str | None = None,
        open_review: bool = False,
    ) -> dict[str, Any]:
        """Training-serving skew: the same entities' features as computed in training and in
        serving (tables or CSV/Parquet paths), joined on ``key``; a feature whose share of
        disagreeing entities exceeds ``threshold`` is skewed and raises a ``skew`` alert."""
        return checks.check_skew(
            self._reg,
            ref,
            training,
            serving,
            key=key,
            threshold=threshold,
            webhook=webhook,
            open_review=open_review,
        )

    def check_performance(
        self,
        ref: str,
        *,
        min_accuracy: float | None = None,
        max_mae: float | None = None,
        minimum: dict[str, float] | None = None,
        maximum: dict[str, float] | None = None,
        webhook: str | None = None,
        open_review: bool = False,
    ) -> dict[str, Any]:
        """Concept drift as it shows: the latest evaluated window's metrics against thresholds
        (``minimum`` for accuracy, precision, recall, f1, roc_auc, pr_auc; ``maximum`` for mae,
        rmse, mape). A threshold fails only when the metric's whole 95% interval is past it, and
        is ``insufficient`` with fewer than 30 actuals; a failure raises a ``performance`` alert,
        once per window."""
        return checks.check_performance(
            self._reg,
            ref,
            min_accuracy=min_accuracy,
            max_mae=max_mae,
            minimum=minimum,
            maximum=maximum,
            webhook=webhook,
            open_review=open_review,
        )

    def prune(
        self,
        older_than: str,
        target: str | None = None,
        *,
        dry_run: bool = False,
        now: datetime | None = None,
    ) -> PruneReport:
        """Delete window profiles whose window ended, and acknowledged alerts no review names raised,
        more than ``older_than`` (``400d``, ``52w``) before ``now``; in the whole registry, a project
        (``KEY``) or a component (``KEY/CODE``). ``dry_run`` counts without deleting. Each project
        that lost rows gets a ``monitor.prune`` event with the counts. Never references or open alerts."""
        return self._write(retention.prune, older_than, target=target, dry_run=dry_run, now=now)
