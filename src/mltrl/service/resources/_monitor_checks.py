"""The monitoring checks that raise alerts (``reg.monitor.check/check_many/check_skew/
check_performance``) and the routing of an alert (``reg.alerts.route``).

Each check stores its alerts, its evidence and their review as one write: a review that cannot open
(a paused component) refuses the whole check with nothing stored. Webhooks are called only after
that write landed, so a receiver that is down never loses an alert (the delivery is recorded and
can be retried) and a receiver is never told of an alert that was undone.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mltrl.errors import BadInput
from mltrl.service.tables import loaded, table_of
from mltrl.views.results import CheckOutcome

if TYPE_CHECKING:
    from mltrl.service.registry import Registry


def check_windows(
    reg: Registry,
    refs: list[str],
    *,
    window: str | None,
    reference: str,
    settings: dict[str, dict[str, Any]] | None,
    webhook: str | None,
    open_review: bool,
    evidence: bool,
) -> list[CheckOutcome]:
    measured = [_measure_window(reg, ref, window, reference, settings) for ref in refs]
    with reg.transaction():
        outcomes = [
            _store_window_check(reg, ref, outcome, findings, open_review, evidence)
            for ref, (outcome, findings) in zip(refs, measured, strict=True)
        ]
    for outcome in outcomes:  # only now: a receiver never hears of an alert that was undone
        deliver(reg, outcome["alerts"], webhook)
    return [CheckOutcome(outcome) for outcome in outcomes]


def _measure_window(
    reg: Registry, ref: str, window: str | None, reference: str, settings: dict[str, dict[str, Any]] | None
) -> tuple[dict[str, Any], list[tuple[str, str, dict[str, Any]]]]:
    """The check's outcome so far and its findings (kind, message, data): reads only."""
    from mltrl.monitor.drift import compare
    from mltrl.monitor.quality import check as check_quality

    label, base, current = reg.monitor.window_profiles(ref, window=window, reference=reference)
    drift = compare(base, current, overrides=settings)
    quality = check_quality(base, current, settings=settings)
    outcome: dict[str, Any] = {
        "window": label,
        "reference": reference,
        "drift": drift.to_json(),
        "quality": quality.to_json(),
    }
    findings = []
    if drift.drifted_columns:
        findings.append(
            (
                "drift",
                f"drift in window {label}: {', '.join(drift.drifted_columns)}",
                {"window": label, "columns": drift.drifted_columns, "report": drift.to_json()},
            )
        )
    if quality.issues:
        shown = "; ".join(issue.message for issue in quality.issues[:5])
        more = f" (and {len(quality.issues) - 5} more)" if len(quality.issues) > 5 else ""
        findings.append(
            (
                "data-quality",
                f"data quality in window {label}: {shown}{more}",
                {"window": label, "columns": quality.failing_columns, "report": quality.to_json()},
            )
        )
    outcome["metrics"] = {
        "columns_checked": len(drift.columns),
        "columns_drifted": len(drift.drifted_columns),
        "quality_issues": len(quality.issues),
    }
    return outcome, findings


def _store_window_check(
    reg: Registry,
    ref: str,
    outcome: dict[str, Any],
    findings: list[tuple[str, str, dict[str, Any]]],
    open_review: bool,
    evidence: bool,
) -> dict[str, Any]:
    """Inside the caller's transaction: the alerts, the evidence, the review."""
    from mltrl.service import alerts
    from mltrl.service import evidence as evidence_service

    label, metrics = outcome["window"], outcome.pop("metrics")
    raised = [
        reg._write(alerts.raise_alert, ref, kind, message, data, label) for kind, message, data in findings
    ]
    if evidence:
        reg._write(
            evidence_service.record,
            reg.catalog,
            ref,
            kind="monitoring",
            outcome="fail" if findings else "pass",
            metrics=metrics,
            criterion="L9.monitoring-drift",
            source="api",
            note=f"drift and data-quality check of window {label}",
        )
    outcome["alerts"] = [before_review(reg, alert_id, new, open_review) for alert_id, new in raised]
    return {"component": ref, **outcome}


def refuse_changed_kinds(reg: Registry, ref: str, profile: Any) -> None:
    """Refuse serving data whose column changed type against a reference of the component
    (numbers in the reference, strings now): stored, it would make every later drift, check
    and report of its window fail."""
    from mltrl.service import lookup
    from mltrl.store import profile_queries

    def view(r):  # type: ignore[no-untyped-def]
        cid = lookup.component(r, ref).id
        names = [row["name"] for row in profile_queries.listing(r, cid) if row["role"] == "reference"]
        return [(name, profile_queries.data(r, cid, "reference", name)) for name in names]

    for name, stored in reg._read(view):
        if stored is None:
            continue
        reference = loaded(ref, f"reference {name!r}", stored[1])
        for column, now in profile.columns.items():
            before = reference.columns.get(column)
            if before is not None and before.kind != now.kind:
                raise BadInput(
                    f"{ref}: column {column!r} is {before.kind} in reference {name!r} but "
                    f"{now.kind} in this data; nothing was stored"
                )


def before_review(reg: Registry, alert_id: int, new: bool | None, open_review: bool) -> dict[str, Any]:
    """The alert as a check reports it, brought before its component's review if asked."""
    row = reg.alerts.get(alert_id)
    review = row["review_id"]
    if open_review and review is None:
        review = reg.alerts.review(alert_id)["review"]
    return {
        "id": alert_id,
        "kind": row["kind"],
        "message": row["message"],
        "review": review,
        "webhook": row["webhook"],
        "new": new,
    }


def deliver(reg: Registry, routed: list[dict[str, Any]], webhook: str | None) -> list[dict[str, Any]]:
    """Send each alert to ``webhook`` unless it was delivered there already (never raises)."""
    from mltrl.service import alerts

    for alert in routed:
        if webhook and not alerts.was_sent_to(alert["webhook"], webhook):
            alert["webhook"] = reg.alerts.send(alert["id"], webhook)
    return routed


def check_skew(
    reg: Registry,
    ref: str,
    training: Any,
    serving: Any,
    *,
    key: str,
    threshold: float,
    webhook: str | None,
    open_review: bool,
) -> dict[str, Any]:
    from mltrl.monitor.skew import compare

    reg.components.get(ref)  # an unknown component fails before any file is read
    train, serve = table_of(training), table_of(serving)
    report = compare(train, serve, key, threshold)
    outcome: dict[str, Any] = {**report.to_json(), "alert": None}
    if report.skewed:
        data = {**report.to_json(), "columns": report.skewed}
        source = f" ({Path(serving).name})" if isinstance(serving, (str, Path)) else ""
        message = f"training-serving skew in {', '.join(report.skewed)}{source}"
        # The same tables give the same finding: a rerun finds the earlier alert, as drift does.
        label = f"tables {_fingerprint(train, serve)}"
        outcome["alert"] = _raise_and_route(reg, ref, "skew", message, data, label, webhook, open_review)
    return outcome


def check_performance(
    reg: Registry,
    ref: str,
    *,
    min_accuracy: float | None,
    max_mae: float | None,
    minimum: dict[str, float] | None,
    maximum: dict[str, float] | None,
    webhook: str | None,
    open_review: bool,
) -> dict[str, Any]:
    from mltrl.monitor.metrics import judge, thresholds

    low = {**(minimum or {}), **({"accuracy": min_accuracy} if min_accuracy is not None else {})}
    high = {**(maximum or {}), **({"mae": max_mae} if max_mae is not None else {})}
    low, high = thresholds(low, high)  # a NaN or negative threshold never reaches a comparison
    windows = reg.actuals.performance(ref)
    evaluated = [w for w in windows if w["evaluated"]]
    latest = evaluated[-1] if evaluated else None
    verdicts = judge(latest, low, high) if latest is not None else []
    failed = [v["message"] for v in verdicts if v["verdict"] == "fail"]
    breach = "; ".join(failed) or None
    outcome: dict[str, Any] = {
        "windows": windows,
        "thresholds": {"min": low, "max": high},
        "verdicts": verdicts,
        "breach": breach,
        "alert": None,
    }
    if breach and latest is not None:
        data = {"window": latest["window"], "evaluation": latest, "verdicts": verdicts}
        outcome["alert"] = _raise_and_route(
            reg, ref, "performance", breach, data, latest["window"], webhook, open_review
        )
    return outcome


def _raise_and_route(
    reg: Registry,
    ref: str,
    kind: str,
    message: str,
    data: dict[str, Any],
    window: str | None,
    webhook: str | None,
    open_review: bool,
) -> dict[str, Any]:
    """Store the alert and bring it before a review as one write, then call the webhook."""
    from mltrl.service import alerts

    with reg.transaction():
        alert_id, new = reg._write(alerts.raise_alert, ref, kind, message, data, window)
        routed = before_review(reg, alert_id, new, open_review)
    return deliver(reg, [routed], webhook)[0]


def _fingerprint(*tables: Any) -> str:
    """A short content hash of tables (column names and values): which data a skew finding is about."""
    import hashlib

    import pandas as pd

    digest = hashlib.sha256()
    for table in tables:
        digest.update("\x1f".join(map(str, table.columns)).encode())
        digest.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]
