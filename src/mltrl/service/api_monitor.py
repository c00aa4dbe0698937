"""The monitoring part of the :class:`~mltrl.service.registry.Registry` API (needs ``mltrl[monitor]``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from mltrl.errors import BadInput, NotFound
from mltrl.service import inputs, lookup, monitoring
from mltrl.store import profile_queries
from mltrl.views.results import MonitorReport


def _profile(data: Any, progress: Callable[[int], None] | None = None):  # type: ignore[no-untyped-def]
    try:
        from mltrl.monitor import profile_table
        from mltrl.monitor.files import read_profile
    except ImportError as exc:
        raise BadInput("monitoring needs the extra: pip install 'mltrl[monitor]'") from exc
    if isinstance(data, (str, Path)):
        return read_profile(Path(data), progress)
    return profile_table(data)


class MonitorAPI:
    """Reference and window profiles of a component, and drift between them."""

    _write: Any
    _read: Any

    def set_reference(
        self, ref: str, data: Any, *, name: str = "default", progress: Callable[[int], None] | None = None
    ) -> int:
        """Profile training or golden data (a table or a CSV/Parquet path) as the reference ``name``."""
        profile = _profile(data, progress)
        return self._write(
            monitoring.store,
            ref,
            "reference",
            inputs.text(name, "reference name", required=True),
            profile,
            merge=False,
        )

    def log_profile(
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
        profile = _profile(data, progress)
        self._refuse_changed_kinds(ref, profile)  # type: ignore[attr-defined]  # (CheckAPI)
        rows = self._write(
            monitoring.store, ref, "window", label, profile, start=begin, end=finish, merge=True
        )
        return label, rows

    def profiles(self, ref: str) -> list[dict[str, Any]]:
        return self._read(lambda r: profile_queries.listing(r, lookup.component(r, ref).id))

    def drift(
        self,
        ref: str,
        *,
        window: str | None = None,
        reference: str = "default",
        overrides: dict[str, dict[str, Any]] | None = None,
    ):  # type: ignore[no-untyped-def]
        """The latest (or a named) window against a reference: per-column scores and the data set verdict."""
        from mltrl.monitor.drift import compare

        label, base, current = self.window_profiles(ref, window=window, reference=reference)
        return label, compare(base, current, overrides=overrides)

    def monitor_report(
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
                    (name, _loaded(ref, f"window {name}", data))
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
                _loaded(ref, f"reference {reference!r}", base[1]),
                _loaded(ref, f"window {current[0]}", current[1]),
            )

        return self._read(view)


def _loaded(ref: str, which: str, data: bytes):  # type: ignore[no-untyped-def]
    """A stored profile, or a one-line error that says whose and which one is damaged."""
    from mltrl.monitor.serialize import loads

    try:
        return loads(data)
    except BadInput as exc:
        raise BadInput(f"{ref}: {which}: {exc.message}") from None


def table_of(data: Any):  # type: ignore[no-untyped-def]
    """A pandas DataFrame from a CSV/Parquet path, a DataFrame, or anything DataFrame() takes."""
    if isinstance(data, (str, Path)):
        from mltrl.monitor.files import read_table

        return read_table(Path(data))
    import pandas as pd

    return data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)


class ActualsAPI:
    """Predictions logged with ids, actuals joined when they arrive, evaluation per window."""

    _write: Any
    _read: Any

    def log_predictions(
        self,
        ref: str,
        data: Any,
        *,
        id_column: str = "id",
        prediction_column: str = "prediction",
        window: str = "day",
        at: datetime | str | None = None,
    ) -> tuple[str, int]:
        from mltrl.service import actuals

        label, _start, _end = monitoring.window_bounds(window, inputs.moment(at))
        rows = self._write(actuals.log_predictions, ref, table_of(data), id_column, prediction_column, label)
        return label, rows

    def log_actuals(
        self,
        ref: str,
        data: Any,
        *,
        id_column: str = "id",
        actual_column: str = "actual",
        task: str = "classification",
        positive: str | None = None,
        decision_threshold: float = 0.5,
    ) -> dict[str, int]:
        """Join actuals to their waiting predictions. With ``positive``, the predictions are that
        class's probabilities (positive at ``>= decision_threshold``), so ROC and PR AUC are kept."""
        from mltrl.service import actuals

        return self._write(
            actuals.log_actuals,
            ref,
            table_of(data),
            id_column,
            actual_column,
            task,
            positive,
            decision_threshold,
        )

    def performance(self, ref: str) -> list[dict[str, Any]]:
        from mltrl.service import actuals

        return self._read(lambda r: actuals.performance(r, lookup.component(r, ref).id))


class AlertAPI:
    """Alerts: stored with the component, visible in ``status``, sent to webhooks, brought before
    reviews, acknowledged by name."""

    catalog: Any
    _write: Any
    _read: Any

    def alerts(self, target: str | None = None, *, open_only: bool = False) -> list[dict[str, Any]]:
        from mltrl.store import alert_queries

        def view(r):  # type: ignore[no-untyped-def]
            if target is None:
                return alert_queries.alerts(r, open_only=open_only)
            if "/" in target:
                return alert_queries.alerts(
                    r, component_id=lookup.component(r, target).id, open_only=open_only
                )
            return alert_queries.alerts(r, project_key=lookup.project(r, target).key, open_only=open_only)

        return self._read(view)

    def monitor_status(self, target: str | None = None) -> list[dict[str, Any]]:
        """Per monitored component: references, latest window, last check, performance, open alerts."""
        from mltrl.views.monitoring import monitor_status

        return self._read(lambda r: monitor_status(r, target))

    def alert(self, alert_id: int) -> dict[str, Any]:
        from mltrl.store import alert_queries

        row = self._read(lambda r: alert_queries.alert(r, int(alert_id)))
        if row is None:
            raise NotFound(f"no alert {alert_id}")
        return row

    def raise_alert(
        self,
        ref: str,
        kind: str,
        message: str,
        data: dict[str, Any] | None = None,
        *,
        window: str | None = None,
    ) -> int:
        """Store an alert (drift, skew, data-quality, performance) on a component and return its id.

        With a ``window``, the same finding (kind and ``data["columns"]``) about the same window is
        stored once: a repeat returns the earlier alert's id."""
        from mltrl.service import alerts

        return self._write(alerts.raise_alert, ref, kind, message, data or {}, window)[0]

    def review_alert(self, alert_id: int) -> dict[str, Any]:
        """Bring an alert before a review of its component: joins the open review or opens one
        (on a level-9 component, the deployment review that keeps it or switches it back)."""
        from mltrl.service import alerts

        return self._write(alerts.review, self.catalog, int(alert_id))

    def send_alert(self, alert_id: int, webhook: str) -> str:
        """POST the stored alert as JSON to ``webhook`` (retried, signed with ``$MLTRL_WEBHOOK_SECRET``,
        with a ``text`` line for Slack and Teams); the delivery outcome is recorded on it."""
        from mltrl.service import alerts

        row = self.alert(alert_id)
        delivery = alerts.send(webhook, row)
        self._write(alerts.record_delivery, row["id"], delivery)
        return delivery

    def acknowledge_alert(self, alert_id: int, note: str = "") -> None:
        from mltrl.service import alerts

        self._write(alerts.acknowledge, int(alert_id), note)
