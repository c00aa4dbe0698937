"""Delayed actuals: log predictions with ids now, join their actuals when they arrive, evaluate per window.

A prediction row lives only until its actual arrives: the join adds it to its window's running sums
(count, correct answers, absolute and squared errors) and deletes it. Windows therefore keep sums,
never rows, and metrics per window (accuracy, MAE, RMSE) show performance over time: concept drift.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from sqlalchemy import delete, insert, update

from mltrl.errors import BadInput
from mltrl.service import inputs, lookup
from mltrl.service._store import Unit
from mltrl.store import locks, schema

TASKS = ("classification", "regression")
CHUNK = 500


def _columns(frame: pd.DataFrame, *names: str) -> None:
    for name in names:
        if name not in frame.columns:
            raise BadInput(f"the table has no column {name!r} (it has: {', '.join(map(str, frame.columns))})")


def log_predictions(
    unit: Unit, ref: str, frame: pd.DataFrame, id_column: str, prediction_column: str, window: str
) -> int:
    component = lookup.changeable(unit.reader, ref, "predictions")
    _columns(frame, id_column, prediction_column)
    ids = frame[id_column].astype(str)
    if ids.duplicated().any():
        raise BadInput(f"prediction ids repeat in column {id_column!r}")
    when = inputs.now()
    rows = [
        {
            "component_id": component.id,
            "prediction_id": pid,
            "window_label": window,
            "predicted": str(p),
            "logged_at": when,
        }
        for pid, p in zip(ids, frame[prediction_column], strict=True)
    ]
    if rows:
        unit.conn.execute(insert(schema.pending_predictions), rows)
    unit.append_event(
        project_id=component.project_id,
        component_id=component.id,
        kind="monitor.predictions",
        at=when,
        data={"window": window, "rows": len(rows)},
    )
    return len(rows)


def log_actuals(
    unit: Unit,
    ref: str,
    frame: pd.DataFrame,
    id_column: str,
    actual_column: str,
    task: str,
    positive: str | None = None,
    decision_threshold: float = 0.5,
) -> dict[str, int]:
    if task not in TASKS:
        raise BadInput(f"task {task!r} is not one of {', '.join(TASKS)}")
    tally = _tally(task, positive, decision_threshold)
    component = lookup.component(unit.reader, ref)
    _columns(frame, id_column, actual_column)
    actual = dict(zip(frame[id_column].astype(str), frame[actual_column], strict=True))
    ids = list(actual)
    sums: dict[str, dict[str, float]] = {}
    matched = 0
    table = schema.pending_predictions
    for start in range(0, len(ids), CHUNK):
        # DELETE ... RETURNING claims the predictions: of two writers joining the same actuals at
        # once, only the one whose delete removed a row evaluates it (the other's finds it gone).
        claimed = unit.conn.execute(
            delete(table)
            .where(
                table.c.component_id == component.id, table.c.prediction_id.in_(ids[start : start + CHUNK])
            )
            .returning(table.c.prediction_id, table.c.window_label, table.c.predicted)
        ).all()
        for prediction_id, window, guess in claimed:
            # tally: the window's full counts (for every metric); sums: its running totals
            value = tally.add(window, prediction_id, actual[prediction_id], guess)
            s = sums.setdefault(window, {"n": 0, "correct": 0, "abs": 0.0, "sq": 0.0})
            s["n"] += 1
            if task == "classification":
                s["correct"] += int(value)
            else:
                s["abs"] += abs(value)
                s["sq"] += value * value
        matched += len(claimed)
    when = inputs.now()
    for window, s in sums.items():
        _accumulate(unit, component.id, window, task, s, when)
    result = {"matched": matched, "unmatched": len(ids) - matched}
    unit.append_event(
        project_id=component.project_id,
        component_id=component.id,
        kind="monitor.actuals",
        at=when,
        data={**result, "evaluation": tally.windows},
    )
    return result


def _tally(task: str, positive: str | None, decision_threshold: float):  # type: ignore[no-untyped-def]
    from mltrl.monitor.limits import limit
    from mltrl.monitor.metrics import Tally

    cut = limit(decision_threshold, "--decision-threshold", high=1.0)
    return Tally(task, positive=None if positive is None else str(positive), decision_threshold=cut)


def _evaluation_states(reader: Any, component_id: int) -> dict[str, list[dict[str, Any]]]:
    """Each window's counts from the actuals events that added to it (see mltrl.monitor.metrics)."""
    import json

    states: dict[str, list[dict[str, Any]]] = {}
    for row in reader.all(
        "SELECT data FROM events WHERE component_id = :cid AND kind = 'monitor.actuals' ORDER BY id",
        cid=component_id,
    ):
        data = json.loads(row["data"]) if isinstance(row["data"], str) else row["data"] or {}
        for window, state in data.get("evaluation", {}).items():
            states.setdefault(window, []).append(state)
    return states


def _accumulate(
    unit: Unit, component_id: int, window: str, task: str, s: dict[str, float], when: Any
) -> None:
    """Add sums to a window's evaluation in one atomic UPDATE (``n = n + :n``), after creating the
    row at zero if it is the window's first: concurrent writers add up instead of overwriting."""
    table = schema.evaluations
    zero = {"n": 0, "correct": 0, "abs_error": 0.0, "squared_error": 0.0, "updated_at": when}
    row = {"component_id": component_id, "window_label": window, "task": task, **zero}
    locks.insert_new(unit.conn, table, row, ["component_id", "window_label"])
    added = unit.conn.execute(
        update(table)
        .where(table.c.component_id == component_id, table.c.window_label == window, table.c.task == task)
        .values(
            n=table.c.n + int(s["n"]),
            correct=table.c.correct + int(s["correct"]),
            abs_error=table.c.abs_error + s["abs"],
            squared_error=table.c.squared_error + s["sq"],
            updated_at=when,
        )
    ).rowcount
    if added != 1:
        other = unit.reader.scalar(
            "SELECT task FROM evaluations WHERE component_id = :cid AND window_label = :w",
            cid=component_id,
            w=window,
        )
        raise BadInput(f"window {window} is evaluated as {other}, not {task}")


def performance(reader: Any, component_id: int) -> list[dict[str, Any]]:
    """Metrics per window, oldest first, with how many predictions still wait for their actual."""
    pending = {
        row["window_label"]: int(row["n"])
        for row in reader.all(
            "SELECT window_label, COUNT(*) AS n FROM pending_predictions WHERE component_id = :cid "
            "GROUP BY window_label",
            cid=component_id,
        )
    }
    from mltrl.monitor.metrics import evaluate, merge

    states = _evaluation_states(reader, component_id)
    out = []
    for row in reader.all(
        "SELECT * FROM evaluations WHERE component_id = :cid ORDER BY window_label", cid=component_id
    ):
        n = row["n"]
        metrics = (
            {"accuracy": row["correct"] / n}
            if row["task"] == "classification"
            else {"mae": row["abs_error"] / n, "rmse": math.sqrt(row["squared_error"] / n)}
        )
        metrics.update(evaluate(row["task"], merge(states.get(row["window_label"], [])), n, metrics))
        out.append(
            {
                "window": row["window_label"],
                "task": row["task"],
                "evaluated": n,
                "awaiting_actuals": pending.pop(row["window_label"], 0),
                **metrics,
            }
        )
    out += [
        {"window": w, "task": None, "evaluated": 0, "awaiting_actuals": n} for w, n in sorted(pending.items())
    ]
    return out
