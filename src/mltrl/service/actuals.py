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
from mltrl.store import schema

TASKS = ("classification", "regression")
CHUNK = 500


def _columns(frame: pd.DataFrame, *names: str) -> None:
    for name in names:
        if name not in frame.columns:
            raise BadInput(f"the table has no column {name!r} (it has: {', '.join(map(str, frame.columns))})")


def log_predictions(
    unit: Unit, ref: str, frame: pd.DataFrame, id_column: str, prediction_column: str, window: str
) -> int:
    component = lookup.component(unit.reader, ref)
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
    matched: list[str] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = ", ".join(f":p{i}" for i in range(len(chunk)))
        found = unit.reader.all(
            f"SELECT prediction_id, window_label, predicted FROM pending_predictions "
            f"WHERE component_id = :cid AND prediction_id IN ({marks})",
            cid=component.id,
            **{f"p{i}": pid for i, pid in enumerate(chunk)},
        )
        for row in found:
            s = sums.setdefault(row["window_label"], {"n": 0, "correct": 0, "abs": 0.0, "sq": 0.0})
            truth, guess = actual[row["prediction_id"]], row["predicted"]
            s["n"] += 1
            # the tally keeps the counts precision, recall, AUC, MAPE and R² need (in the event)
            outcome = tally.add(row["window_label"], row["prediction_id"], truth, guess)
            if task == "classification":
                s["correct"] += int(outcome)
            else:
                s["abs"] += abs(outcome)
                s["sq"] += outcome * outcome
            matched.append(row["prediction_id"])
    table = schema.pending_predictions
    for start in range(0, len(matched), CHUNK):
        unit.conn.execute(
            delete(table).where(
                table.c.component_id == component.id,
                table.c.prediction_id.in_(matched[start : start + CHUNK]),
            )
        )
    when = inputs.now()
    evaluations = schema.evaluations
    for window, s in sums.items():
        existing = unit.reader.one(
            "SELECT id, task, n, correct, abs_error, squared_error FROM evaluations "
            "WHERE component_id = :cid AND window_label = :w",
            cid=component.id,
            w=window,
        )
        if existing is None:
            unit.conn.execute(
                insert(evaluations).values(
                    component_id=component.id,
                    window_label=window,
                    task=task,
                    n=s["n"],
                    correct=s["correct"],
                    abs_error=s["abs"],
                    squared_error=s["sq"],
                    updated_at=when,
                )
            )
        else:
            if existing["task"] != task:
                raise BadInput(f"window {window} is evaluated as {existing['task']}, not {task}")
            unit.conn.execute(
                update(evaluations)
                .where(evaluations.c.id == existing["id"])
                .values(
                    n=existing["n"] + s["n"],
                    correct=existing["correct"] + s["correct"],
                    abs_error=existing["abs_error"] + s["abs"],
                    squared_error=existing["squared_error"] + s["sq"],
                    updated_at=when,
                )
            )
    result = {"matched": len(matched), "unmatched": len(ids) - len(matched)}
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

    cut = limit(decision_threshold, "the decision threshold", high=1.0)
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
