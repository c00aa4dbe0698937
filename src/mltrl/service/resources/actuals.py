"""``reg.predictions`` and ``reg.actuals``: ``POST .../predictions``, ``POST .../actuals`` and
``GET .../performance``: predictions logged with ids, actuals joined when they arrive, evaluated
per window (needs ``mltrl[monitor]``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mltrl.service import inputs, lookup, monitoring
from mltrl.service.resources._base import Resource
from mltrl.service.tables import table_of


class Predictions(Resource):
    """Served predictions, each with an id an actual can later be joined on."""

    def log(
        self,
        ref: str,
        data: Any,
        *,
        id_column: str = "id",
        prediction_column: str = "prediction",
        window: str = "day",
        at: datetime | str | None = None,
    ) -> tuple[str, int]:
        """Log predictions (a table or a CSV/Parquet path) into the window holding ``at``;
        returns the window's label and the rows logged."""
        from mltrl.service import actuals

        label, _start, _end = monitoring.window_bounds(window, inputs.moment(at))
        rows = self._write(actuals.log_predictions, ref, table_of(data), id_column, prediction_column, label)
        return label, rows


class Actuals(Resource):
    """Actuals joined to their waiting predictions, and the performance they show per window."""

    def log(
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
        """Metrics per evaluated window (``GET .../components/{code}/performance``)."""
        from mltrl.service import actuals

        return self._read(lambda r: actuals.performance(r, lookup.component(r, ref).id))
