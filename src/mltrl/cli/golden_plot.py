"""The golden succession drawn with matplotlib (the ``monitor`` extra): one line per golden set and metric."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mltrl.errors import BadInput


def draw(rows: list[dict[str, Any]], path: Path, *, title: str) -> None:
    """Each model version's metric with its 95% CI, oldest first; a failing score in red."""
    try:
        from matplotlib.figure import Figure  # no pyplot: no GUI backend, no global state
    except ImportError:
        raise BadInput("--plot needs matplotlib: pip install 'mltrl[monitor]'") from None
    if not rows:
        raise BadInput(f"--plot {path}: there are no golden scores to draw")
    from mltrl.cli._context import write_output

    figure = Figure(figsize=(max(5.0, 0.8 * len(rows) + 3), 3.6))
    axes = figure.add_subplot()
    series: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in rows:
        series.setdefault((row["dataset"], row["dataset_version"], row["metric"]), []).append(row)
    from mltrl.domain.versions import ordered

    order = ordered(list(dict.fromkeys(row["model_version"] for row in rows)))
    for (dataset, version, metric), points in series.items():
        xs = [order.index(p["model_version"]) for p in points]
        ys = [p["value"] if p["value"] is not None else float("nan") for p in points]
        errors = [
            [_gap(p["value"], p["ci_low"]) for p in points],
            [_gap(p["ci_high"], p["value"]) for p in points],
        ]
        axes.errorbar(xs, ys, yerr=errors, marker="o", capsize=3, label=f"{metric} on {dataset} {version}")
        failing = [(x, y) for x, y, p in zip(xs, ys, points, strict=True) if p["status"] != "pass"]
        if failing:
            axes.scatter(*zip(*failing, strict=True), color="red", zorder=3, label="fail / insufficient")
    axes.set_xticks(range(len(order)), order)
    axes.set_xlabel("model version (oldest first)")
    axes.set_ylabel("metric (95% CI)")
    axes.set_title(title, fontsize=10)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format=path.suffix.lower().lstrip("."))
    write_output(path, buffer.getvalue())


def _gap(a: float | None, b: float | None) -> float:
    return 0.0 if a is None or b is None else max(0.0, a - b)
