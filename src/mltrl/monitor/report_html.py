"""Render a monitoring report (see :mod:`mltrl.monitor.report`) as one self-contained HTML file.

Plots are drawn by matplotlib as inline SVG, so the file opens offline, from an e-mail attachment
or an air-gapped machine: no script, stylesheet or font is fetched from anywhere. matplotlib is
used through its object API (no pyplot), which leaves the caller's backend and global state alone.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from functools import cache
from typing import Any

REFERENCE_COLOUR = "#4c72b0"
WINDOW_COLOUR = "#dd8452"
THRESHOLD_COLOUR = "#c44e52"
_SVG_START = re.compile(r"^.*?(?=<svg)", re.S)
_STYLE = {
    "svg.fonttype": "none",  # text stays text: small files, selectable labels
    "svg.hashsalt": "mltrl",  # stable element ids, so the same data gives the same file
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def render_html(report: dict[str, Any]) -> str:
    import matplotlib

    with matplotlib.rc_context(_STYLE):
        plots = {
            column["name"]: _svg(_column_figure(column, report["history"])) for column in report["columns"]
        }
        overview = _svg(_overview_figure(report["history"])) if report["history"] else ""
        performance = _svg(_performance_figure(report["performance"])) if report["performance"] else ""
    return _template().render(report=report, plots=plots, overview=overview, performance=performance)


def _figure(width: float, height: float, bottom: float = 0.3):  # type: ignore[no-untyped-def]
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height))
    # Fixed margins instead of constrained layout, which measures every label and took half the
    # rendering time; room at the bottom for the rotated window and category labels.
    figure.subplots_adjust(left=0.07, right=0.99, top=0.95, bottom=bottom, wspace=0.22)
    return figure


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(
        buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None}
    )
    return _SVG_START.sub("", buffer.getvalue(), count=1)


def _column_figure(column: dict[str, Any], history: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
    figure = _figure(9.0, 2.6)
    left, right = figure.subplots(1, 2, width_ratios=[3, 2])
    dist = column["distribution"]
    if dist["type"] == "bins":
        edges = dist["edges"]
        if dist["kind"] == "datetime":
            edges = [_date_number(x) for x in edges]
            left.xaxis_date()
        # one filled outline per side (not a patch per bin): the same picture, drawn far faster
        left.stairs(dist["reference"], edges, fill=True, alpha=0.5, color=REFERENCE_COLOUR, label="reference")
        left.stairs(dist["window"], edges, fill=True, alpha=0.5, color=WINDOW_COLOUR, label="window")
    else:
        positions = range(len(dist["labels"]))
        left.bar(
            [p - 0.2 for p in positions], dist["reference"], 0.4, color=REFERENCE_COLOUR, label="reference"
        )
        left.bar([p + 0.2 for p in positions], dist["window"], 0.4, color=WINDOW_COLOUR, label="window")
        left.set_xticks(list(positions), [_short(label) for label in dist["labels"]], rotation=45, ha="right")
    left.set_ylabel("share of values")
    left.legend(frameon=False)
    _drift_over_time(right, column, history)
    return figure


def _drift_over_time(axes: Any, column: dict[str, Any], history: list[dict[str, Any]]) -> None:
    name = column["name"]
    points = [(h["window"], h["scores"][name]) for h in history if name in h.get("scores", {})]
    axes.axhline(
        column["drift"]["threshold"], color=THRESHOLD_COLOUR, linestyle="--", linewidth=1, label="threshold"
    )
    if points:
        labels, scores = zip(*points, strict=True)
        axes.plot(
            range(len(scores)),
            scores,
            marker="o",
            markersize=3,
            color=WINDOW_COLOUR,
            label=column["drift"]["method"],
        )
        _window_ticks(axes, labels)
    axes.set_ylim(bottom=0)
    axes.set_ylabel("drift score")
    axes.legend(frameon=False)


def _overview_figure(history: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
    figure = _figure(9.0, 2.2, bottom=0.35)
    axes = figure.subplots()
    labels = [h["window"] for h in history]
    axes.bar(range(len(history)), [len(h.get("drifted", [])) for h in history], color=THRESHOLD_COLOUR)
    axes.set_ylabel("columns drifted")
    _window_ticks(axes, labels)
    return figure


def _performance_figure(windows: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
    figure = _figure(9.0, 2.2, bottom=0.35)
    axes = figure.subplots()
    metric = "accuracy" if "accuracy" in windows[0] else "mae"
    axes.plot(range(len(windows)), [w.get(metric) for w in windows], marker="o", color=REFERENCE_COLOUR)
    axes.set_ylabel(metric if metric == "accuracy" else "mean absolute error")
    _window_ticks(axes, [w["window"] for w in windows])
    return figure


def _window_ticks(axes: Any, labels: list[str] | tuple[str, ...]) -> None:
    # At most ~12 labels stay legible; with more windows, label every n-th.
    step = max(1, len(labels) // 12)
    ticks = list(range(0, len(labels), step))
    axes.set_xticks(ticks, [_short(labels[i], 16) for i in ticks], rotation=45, ha="right")


def _short(text: str, limit: int = 18) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _date_number(seconds: float) -> float:
    from matplotlib.dates import date2num

    return float(date2num(datetime.fromtimestamp(seconds, UTC)))


@cache
def _template():  # type: ignore[no-untyped-def]
    from jinja2 import Environment, PackageLoader, select_autoescape
    from markupsafe import Markup

    environment = Environment(
        loader=PackageLoader("mltrl.monitor", "templates"), autoescape=select_autoescape(["j2", "html"])
    )
    environment.filters["svg"] = Markup  # our own matplotlib output; every piece of data in it is escaped
    return environment.get_template("report.html.j2")
