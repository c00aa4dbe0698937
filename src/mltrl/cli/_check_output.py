"""How a check's result prints: one verdict line, each metric with its interval, the details, and
the evidence it was recorded as; exit 1 unless it passed (``mltrl deploy compare``, ``mltrl check``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mltrl.cli._context import say
from mltrl.cli._output import Format, emit
from mltrl.cli._render import esc
from mltrl.errors import CheckFailed

if TYPE_CHECKING:
    from mltrl.checks.result import CheckResult
    from mltrl.store.records import EvidenceRecord

STYLE = {"pass": "green", "fail": "red", "insufficient": "yellow"}


def metric_rows(result: CheckResult) -> list[dict[str, object]]:
    rows = []
    for name, value in result.metrics.items():
        low, high = result.intervals.get(name, (None, None))
        rows.append({"metric": name, "value": value, "low": low, "high": high})
    return rows


def show_and_exit(
    ref: str, what: str, result: CheckResult, evidence: EvidenceRecord | None, fmt: Format
) -> None:
    """Print the result in ``fmt``; raise :class:`CheckFailed` (exit 1) unless its status is pass."""
    if fmt != Format.TABLE:
        emit(fmt, result.as_dict() | {"evidence": evidence.id if evidence else None}, metric_rows(result))
    else:
        say(
            f"[bold]{esc(ref)}[/] {esc(what)}: [{STYLE[result.status]}]{result.status}[/] "
            f"— {esc(result.reason)}"
        )
        for row in metric_rows(result):
            interval = f" [{row['low']:.4g}, {row['high']:.4g}]" if row["low"] is not None else ""
            say(f"  {esc(str(row['metric']))}: {row['value']:.4g}{interval}")
        for detail in result.details[:20]:
            say("  " + esc(", ".join(f"{k} {_short(v)}" for k, v in detail.items())))
        if evidence is not None:
            backs = evidence.criterion_id or f"requirement {evidence.requirement} step {evidence.step_number}"
            say(f"recorded as evidence {evidence.id} on {esc(backs)}")
    if result.status != "pass":
        raise CheckFailed(f"{ref}: the {what} is {result.status}: {result.reason}")


def _short(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
