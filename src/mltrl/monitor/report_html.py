"""Render a monitoring report (see :mod:`mltrl.monitor.report`) as one self-contained HTML file.

Plots are drawn by matplotlib as inline SVG, so the file opens offline, from an e-mail attachment
or an air-gapped machine: no script, stylesheet or font is fetched from anywhere. matplotlib is
used through its object API (no pyplot), which leaves the caller's backend and global state alone.
"""

from __future__ import annotations

import io
import itertools
import math
import re
from datetime import UTC, datetime
from functools import cache
from typing import Any

REFERENCE_COLOUR = "#4c72b0"
WINDOW_COLOUR = "#dd8452"
THRESHOLD_COLOUR = "#c44e52"
_COLOURS = (REFERENCE_COLOUR, "#55a868", "#8172b3", "#937860", "#da8bc3", "#8c8c8c")
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
        overview = _svg(_overview_figure(report)) if report["history"] else ""
        limits = {
            **report.get("thresholds", {}).get("min", {}),
            **report.get("thresholds", {}).get("max", {}),
        }
        performance = (
            _svg(_performance_figure(report["performance"], limits)) if report["performance"] else ""
        )
    return _template().render(report=report, plots=plots, overview=overview, performance=performance)


def when(iso: str | None) -> str:
    """An ISO timestamp as people read it: ``2026-11-06 14:05 UTC``."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M") + (" UTC" if moment.tzinfo is not None else "")


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
            _date_axis(left)
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
    if column["drift"] is None:  # left out of drift (an identifier, a timestamp): say so, no score
        axes.set_axis_off()
        axes.text(0.5, 0.5, f"not compared:\n{column['excluded']}", ha="center", va="center", wrap=True)
        return
    name = column["name"]
    points = [(h["window"], h["scores"][name]) for h in history if name in h.get("scores", {})]
    _threshold(axes, column["drift"]["threshold"])
    if points:
        labels, scores = zip(*points, strict=True)
        axes.plot(
            _window_positions(axes, labels),
            scores,
            marker="o",
            markersize=3,
            color=WINDOW_COLOUR,
            label=column["drift"]["method"],
        )
    axes.set_ylim(bottom=0)
    axes.set_ylabel("drift score")
    axes.legend(frameon=False)


def _overview_figure(report: dict[str, Any]):  # type: ignore[no-untyped-def]
    from matplotlib.ticker import MaxNLocator

    history = report["history"]
    figure = _figure(9.0, 2.2, bottom=0.3)
    axes = figure.subplots()
    positions = _window_positions(axes, [h["window"] for h in history])
    width = _bar_width(positions)
    axes.bar(positions, [len(h.get("drifted", [])) for h in history], width, color=WINDOW_COLOUR)
    compared = len(report["drift"]["columns"])
    if compared:  # the data set drifts when this many columns do
        _threshold(axes, math.ceil(report["drift"]["share_threshold"] * compared), "data-set drift")
        axes.set_ylim(0, compared + 0.5)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts of columns: whole numbers
    axes.set_ylabel("columns drifted")
    axes.legend(frameon=False, loc="upper left")
    return figure


def _performance_figure(windows: list[dict[str, Any]], limits: dict[str, float]):  # type: ignore[no-untyped-def]
    """Each metric with a threshold (else the headline one) per window, its 95% band and its line."""
    figure = _figure(9.0, 2.2, bottom=0.3)
    axes = figure.subplots()
    headline = "accuracy" if windows[-1].get("task") == "classification" else "mae"
    chosen = [m for m in limits if any(w.get(m) is not None for w in windows)] or [headline]
    for metric, colour in zip(chosen, _COLOURS, strict=False):
        shown = [w for w in windows if w.get(metric) is not None]
        positions = _window_positions(axes, [w["window"] for w in shown])
        axes.plot(positions, [w[metric] for w in shown], marker="o", markersize=3, color=colour, label=metric)
        bands = [
            (p, w["intervals"][metric])
            for p, w in zip(positions, shown, strict=True)
            if metric in w.get("intervals", {})
        ]
        if bands:
            xs, spans = zip(*bands, strict=True)
            axes.fill_between(
                xs, [lo for lo, _hi in spans], [hi for _lo, hi in spans], color=colour, alpha=0.15
            )
        if metric in limits:
            axes.axhline(
                limits[metric], color=colour, linestyle="--", linewidth=1, label=f"{metric} threshold"
            )
    if not limits:
        axes.set_title("no threshold given (monitor report --min/--max)", fontsize=8, loc="right")
    axes.set_ylabel("metric (95% band)")
    axes.legend(frameon=False, fontsize=7)
    return figure


def _threshold(axes: Any, value: float, label: str = "threshold") -> None:
    axes.axhline(value, color=THRESHOLD_COLOUR, linestyle="--", linewidth=1, label=label)


def _window_positions(axes: Any, labels: list[str] | tuple[str, ...]) -> list[float]:
    """x positions of windows: on a date axis when every label is a time, else one slot per window."""
    starts = [_window_start(label) for label in labels]
    if labels and all(start is not None for start in starts):
        _date_axis(axes)
        return [_date_number(start.timestamp()) for start in starts]  # type: ignore[union-attr]
    # At most ~12 labels stay legible; with more windows, label every n-th.
    step = max(1, len(labels) // 12)
    ticks = list(range(0, len(labels), step))
    axes.set_xticks(ticks, [_short(labels[i], 16) for i in ticks], rotation=30, ha="right")
    return list(range(len(labels)))


def _window_start(label: str) -> datetime | None:
    """The start of a window from its label: ``2026-11-06``, ``2026-11-06T14`` or ``start/end``."""
    text = label.split("/", 1)[0]
    if len(text) == 13 and text[10] == "T":  # an hour window: 2026-11-06T14
        text += ":00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _bar_width(positions: list[float]) -> float:
    gaps = [b - a for a, b in itertools.pairwise(positions) if b > a]
    return 0.8 * min(gaps) if gaps else 0.8


def _date_axis(axes: Any) -> None:
    # Concise labels ("Nov", "02", "03" ... with the year once) that never overlap, instead of a
    # full date per tick; times in UTC, as windows are.
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator(minticks=3, maxticks=8, tz=UTC)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=UTC))


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
    environment.filters["when"] = when
    return environment.get_template("report.html.j2")
