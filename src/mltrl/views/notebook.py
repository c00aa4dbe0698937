"""How mltrl's results show in Jupyter: the ``_repr_html_`` of status, gate, review, card, drift
report and check results.

Every piece of user text (names, notes, reasons, messages) is escaped: a component called
``<script>`` shows as that text. Whole pages mltrl already renders (the TRL Card, the monitoring
report) are embedded in a sandboxed ``<iframe srcdoc>``, so their stylesheets cannot restyle the
notebook and their content (already sanitised) runs no script.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

_STYLE = "border-collapse:collapse;margin:.3rem 0"
_CELL = "border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left;vertical-align:top"
_COLOURS = {
    "met": "#1a7f37",
    "waived": "#0969da",
    "imported": "#8250df",
    "stale": "#9a6700",
    "unmet": "#cf222e",
}


def esc(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, raw: int | None = None) -> str:
    """An HTML table of escaped cells (column ``raw``, if given, holds HTML this module built)."""
    head = "".join(f'<th style="{_CELL}">{esc(h)}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td style="{_CELL}">{c if i == raw else esc(c)}</td>' for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f'<table style="{_STYLE}"><tr>{head}</tr>{body}</table>'


def status_mark(status: str) -> str:
    colour = _COLOURS.get(status, "inherit")
    return f'<span style="color:{colour};font-weight:600">{esc(status)}</span>'


def embedded(page: str, *, height: int = 600) -> str:
    """A whole HTML page shown inside the notebook without touching its styles or running scripts."""
    return (
        f'<iframe sandbox="" srcdoc="{escape(page, quote=True)}" '
        f'style="width:100%;height:{height}px;border:1px solid #d0d7de"></iframe>'
    )


def status_html(status: Any) -> str:
    """A project's status: system TRL, what holds it back, and the component tree."""
    rows: list[tuple[Any, ...]] = []

    def walk(nodes: Iterable[Any], depth: int) -> None:
        for node in nodes:
            c = node.component
            notes = [*node.labels]
            if node.stale_evidence:
                notes.append("stale evidence: " + ", ".join(node.stale_evidence))
            if node.open_alerts:
                notes.append(f"{node.open_alerts} open alert(s)")
            rows.append(
                ("\u00a0\u00a0" * depth + c.code, c.name, c.kind, f"L{c.level}", c.status, "; ".join(notes))
            )
            walk(node.children, depth + 1)

    walk(status.roots, 0)
    level = "not set" if status.system_level is None else f"L{status.system_level}"
    held = ", ".join(status.held_back_by) or "-"
    return (
        f"<div><strong>{esc(status.project.key)}</strong> {esc(status.project.name)}: system TRL "
        f"<strong>{esc(level)}</strong>, held back by {esc(held)}"
        + table(("code", "component", "kind", "level", "status", "notes"), rows)
        + "</div>"
    )


def gate_html(gate: Any) -> str:
    verdict = "holds" if gate.holds else "does not hold"
    rows = [(c.id, c.kind, status_mark(c.status), c.reason) for c in gate.criteria]
    return (
        f"<div><strong>{esc(gate.ref)}</strong>: the level-{gate.level} gate {esc(verdict)}"
        + table(("criterion", "kind", "status", "why"), rows, raw=2)
        + "</div>"
    )


def review_html(view: Any) -> str:
    r = view.record
    kind = "entry review" if view.entry else "review"
    head = f"<div><strong>{kind} {r.id}</strong> of {esc(r.ref)} at level {r.level}: {esc(view.outcome)}"
    if view.blocker_items:
        items = [(b.kind, b.subject, b.message) for b in view.blocker_items]
        return (
            head
            + "<br>What stands between it and its gate:"
            + table(("kind", "subject", "blocker"), items)
            + "</div>"
        )
    return head + ("" if r.status != "open" else "<br>Nothing blocks it.") + "</div>"


def drift_html(report: Any) -> str:
    verdict = "the data set drifted" if report.dataset_drift else "no data-set drift"
    rows = [
        (c.column, c.kind, c.method, f"{c.score:.4f}", f"{c.threshold:g}", "drifted" if c.drifted else "ok")
        for c in report.columns
    ]
    excluded = "".join(f"<br>not compared: {esc(k)} ({esc(v)})" for k, v in report.excluded.items())
    return (
        f"<div>Drift in {len(report.drifted_columns)} of {len(report.columns)} columns: {esc(verdict)} "
        f"(share threshold {report.share_threshold:g})"
        + table(("column", "kind", "method", "score", "threshold", ""), rows)
        + excluded
        + "</div>"
    )


def check_html(outcome: dict[str, Any]) -> str:
    """A monitoring check's outcome: what drifted, data quality, and the alerts it raised."""
    drifted = outcome["drift"].get("drifted_columns", [])
    issues = outcome["quality"].get("issues", [])
    alerts = [(a["id"], a["kind"], a["message"], a.get("review") or "-") for a in outcome.get("alerts", [])]
    return (
        f"<div><strong>{esc(outcome.get('component', ''))}</strong> window {esc(outcome['window'])}: "
        f"{len(drifted)} drifted column(s){': ' + esc(', '.join(drifted)) if drifted else ''}; "
        f"{len(issues)} data-quality issue(s)"
        + (table(("alert", "kind", "message", "review"), alerts) if alerts else "<br>No alert.")
        + "</div>"
    )
