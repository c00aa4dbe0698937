"""Typed records for results that are JSON at heart: a monitoring check's outcome and the data of a
monitoring report.

Each is a ``dict`` (exactly the JSON the CLI prints, so code that indexes it keeps working) with
typed attributes for its fields, ``to_json()`` like every other record, and an HTML view in Jupyter.
"""

from __future__ import annotations

from typing import Any


class CheckOutcome(dict[str, Any]):
    """:meth:`reg.monitor.check`'s outcome: the window's drift and data quality, and its alerts."""

    @property
    def component(self) -> str:
        return str(self["component"])

    @property
    def window(self) -> str:
        return str(self["window"])

    @property
    def reference(self) -> str:
        return str(self["reference"])

    @property
    def drift(self) -> dict[str, Any]:
        """:meth:`DriftReport.to_json` of the window against the reference."""
        return dict(self["drift"])

    @property
    def quality(self) -> dict[str, Any]:
        """:meth:`QualityReport.to_json`: columns checked, failing columns, issues."""
        return dict(self["quality"])

    @property
    def alerts(self) -> list[dict[str, Any]]:
        """Each alert: id, kind, message, new (False: raised before), review, webhook (delivery)."""
        return list(self["alerts"])

    @property
    def drifted_columns(self) -> list[str]:
        return list(self["drift"].get("drifted_columns", []))

    @property
    def passed(self) -> bool:
        """Nothing drifted and no data-quality issue."""
        return not self.drifted_columns and not self["quality"].get("issues")

    def to_json(self) -> dict[str, Any]:
        return dict(self)

    def _repr_html_(self) -> str:
        from mltrl.views.notebook import check_html

        return check_html(self)


class MonitorReport(dict[str, Any]):
    """:meth:`reg.monitor.report`'s data: distributions, drift, quality, history, performance, alerts."""

    @property
    def component(self) -> str:
        return str(self["component"])

    @property
    def level(self) -> int:
        return int(self["level"])

    @property
    def window(self) -> str:
        return str(self["window"])

    @property
    def window_rows(self) -> int:
        return int(self["window_rows"])

    @property
    def drift(self) -> dict[str, Any]:
        return dict(self["drift"])

    @property
    def quality(self) -> dict[str, Any]:
        return dict(self["quality"])

    @property
    def columns(self) -> list[dict[str, Any]]:
        """Per column: kind, drift, quality issues, reference and window summaries, distributions."""
        return list(self["columns"])

    @property
    def history(self) -> list[dict[str, Any]]:
        """Each earlier window's drift scores, oldest first."""
        return list(self["history"])

    @property
    def performance(self) -> list[dict[str, Any]]:
        return list(self["performance"])

    @property
    def open_alerts(self) -> list[dict[str, Any]]:
        return list(self["open_alerts"])

    def to_json(self) -> dict[str, Any]:
        return dict(self)

    def to_html(self) -> str:
        """The standalone report page ``mltrl monitor report`` writes (plots as inline SVG)."""
        from mltrl.monitor.report_html import render_html

        return render_html(self)

    def _repr_html_(self) -> str:
        from mltrl.views.notebook import embedded

        return embedded(self.to_html(), height=900)
