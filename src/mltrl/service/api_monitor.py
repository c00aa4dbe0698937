"""The monitoring part of the :class:`~mltrl.service.registry.Registry` API (needs ``mltrl[monitor]``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from mltrl.errors import BadInput, NotFound
from mltrl.service import inputs, lookup, monitoring
from mltrl.store import profile_queries


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
        window: str = "day",
        at: datetime | str | None = None,
        start: datetime | str | None = None,
        end: datetime | str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[str, int]:
        """Profile serving data into its time window (merged with what the window already holds)."""
        if (start is None) != (end is None):
            raise BadInput("a custom window needs both a start and an end")
        if start is not None:
            begin, finish = inputs.moment(start, "window start"), inputs.moment(end, "window end")
            if finish <= begin:
                raise BadInput("the window must end after it starts")
            label = f"{begin.isoformat()}/{finish.isoformat()}"
        else:
            label, begin, finish = monitoring.window_bounds(window, inputs.moment(at))
        profile = _profile(data, progress)
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
        from mltrl.monitor.serialize import loads

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
            return current[0], compare(loads(base[1]), loads(current[1]), overrides=overrides)

        return self._read(view)


def _table(data: Any):  # type: ignore[no-untyped-def]
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
        rows = self._write(actuals.log_predictions, ref, _table(data), id_column, prediction_column, label)
        return label, rows

    def log_actuals(
        self,
        ref: str,
        data: Any,
        *,
        id_column: str = "id",
        actual_column: str = "actual",
        task: str = "classification",
    ) -> dict[str, int]:
        from mltrl.service import actuals

        return self._write(actuals.log_actuals, ref, _table(data), id_column, actual_column, task)

    def performance(self, ref: str) -> list[dict[str, Any]]:
        from mltrl.service import actuals

        return self._read(lambda r: actuals.performance(r, lookup.component(r, ref).id))


class AlertAPI:
    """Drift checks that raise alerts (stored, visible in ``status``, optionally sent to a webhook)
    and record monitoring evidence for the level-9 gate."""

    catalog: Any
    _write: Any
    _read: Any
    drift: Any

    def check_drift(
        self,
        ref: str,
        *,
        window: str | None = None,
        reference: str = "default",
        overrides: dict[str, dict[str, Any]] | None = None,
        webhook: str | None = None,
        evidence: bool = True,
    ) -> dict[str, Any]:
        """Run drift; on drift raise an alert (and POST it to ``webhook``); record the result as
        ``L9.monitoring-drift`` evidence so the level-9 gate sees monitoring working."""
        from mltrl.service import alerts
        from mltrl.service import evidence as evidence_service

        label, report = self.drift(ref, window=window, reference=reference, overrides=overrides)
        outcome: dict[str, Any] = {"window": label, **report.to_json(), "alert": None}
        with self.transaction():  # type: ignore[attr-defined]
            if report.drifted_columns:
                message = f"drift in window {label}: {', '.join(report.drifted_columns)}"
                outcome["alert"] = self._write(
                    alerts.raise_alert, ref, "drift", message, {"window": label, "report": report.to_json()}
                )
            if evidence:
                self._write(
                    evidence_service.record,
                    self.catalog,
                    ref,
                    kind="monitoring",
                    outcome="fail" if report.drifted_columns else "pass",
                    metrics={
                        "columns_checked": len(report.columns),
                        "columns_drifted": len(report.drifted_columns),
                    },
                    criterion="L9.monitoring-drift",
                    source="api",
                    note=f"drift check of window {label}",
                )
        if outcome["alert"] is not None and webhook:
            delivery = alerts.send(
                webhook,
                {
                    "alert": outcome["alert"],
                    "component": ref,
                    "kind": "drift",
                    "window": label,
                    "drifted_columns": report.drifted_columns,
                },
            )
            self._write(alerts.record_delivery, outcome["alert"], delivery)
            outcome["webhook"] = delivery
        return outcome

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

    def raise_alert(self, ref: str, kind: str, message: str, data: dict[str, Any] | None = None) -> int:
        """Store an alert (drift, skew, data-quality, performance) on a component."""
        from mltrl.service import alerts

        return self._write(alerts.raise_alert, ref, kind, message, data or {})

    def acknowledge_alert(self, alert_id: int, note: str = "") -> None:
        from mltrl.service import alerts

        self._write(alerts.acknowledge, int(alert_id), note)
