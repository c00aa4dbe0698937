"""``mltrl monitor alerts|ack|review|status``: alerts and the monitoring state of components."""

from __future__ import annotations

import typer

from mltrl.cli._context import console, emit_json, say, writing
from mltrl.cli._monitor_app import WEBHOOK, app
from mltrl.cli._output import FORMAT, JSON, JSON_WRITE, Format, choose, emit
from mltrl.cli._render import esc


@app.command("alerts")
def list_alerts(
    target: str | None = typer.Argument(
        None, metavar="[PROJECT[/CODE]]", help="A project or a component (default: every project)"
    ),
    open_only: bool = typer.Option(False, "--open", help="Only unacknowledged alerts"),
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Monitoring alerts, the review they went to, and who acknowledged them.

    Example: `mltrl monitor alerts recycling --open --json`
    """
    fmt = choose(fmt, as_json)
    with writing() as reg:
        rows = reg.alerts.list(target, open_only=open_only)
    if fmt != Format.TABLE:
        emit(fmt, {"alerts": rows}, rows)
        return
    from rich.table import Table

    table = Table("id", "component", "level", "kind", "message", "raised", "review", "acknowledged")
    for row in rows:
        table.add_row(
            str(row["id"]),
            esc(row["component"]),
            str(row["level"]),
            esc(row["kind"]),
            esc(row["message"]),
            row["created_at"][:16].replace("T", " "),
            str(row["review_id"] or ""),
            esc(row["acknowledged_by"]) if row["acknowledged_by"] else "[red]open[/]",
        )
    console().print(table)


@app.command("ack")
def ack(
    alert_id: int = typer.Argument(..., metavar="ID", help="Alert number (see `monitor alerts`)"),
    note: str = typer.Option("", "--note"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Acknowledge an alert (who and when are recorded).

    Example: `mltrl monitor ack 7 --note "camera firmware rolled back"`
    """
    with writing() as reg:
        reg.alerts.acknowledge(alert_id, note)
        alert = reg.alerts.get(alert_id)
    if as_json:
        emit_json(alert)
        return
    say(f"alert {alert_id} acknowledged")


@app.command("review")
def review(
    alert_id: int = typer.Argument(..., metavar="ID", help="Alert number (see `monitor alerts`)"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Bring an alert before a review of its component: joins the open review or opens one.

    On a level-9 component that is the deployment review, which keeps the component or switches it back.

    Example: `mltrl monitor review 7`
    """
    with writing() as reg:
        linked = reg.alerts.review(alert_id)
    if as_json:
        emit_json({"alert": alert_id, **linked})
        return
    verb = "opened" if linked["opened"] else "joined"
    say(
        f"alert {alert_id} {verb} review {linked['review']} (level {linked['level']}): "
        f"mltrl review show {linked['review']}"
    )


@app.command("send")
def send(
    alert_id: int = typer.Argument(..., metavar="ID", help="Alert number (see `monitor alerts`)"),
    webhook: str = WEBHOOK,
) -> None:
    """(Re)send a stored alert to a webhook, e.g. after the receiver was down.

    Example: `mltrl monitor send 7 --webhook https://hooks.example.org/mltrl`
    """
    with writing() as reg:
        reg.alerts.get(alert_id)
        if not webhook:
            from mltrl.errors import BadInput

            raise BadInput("give the URL to send to with --webhook")
        say(esc(reg.alerts.send(alert_id, webhook)))


@app.command("status")
def status(
    target: str | None = typer.Argument(
        None, metavar="[PROJECT[/CODE]]", help="A project or a component (default: every project)"
    ),
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """What is monitored: references, latest window, last check, open alerts, latest performance.

    Example: `mltrl monitor status recycling --format csv`
    """
    fmt = choose(fmt, as_json)
    with writing() as reg:
        rows = reg.monitor.status(target)
    if fmt != Format.TABLE:
        emit(fmt, {"components": rows}, rows)
        return
    if not rows:
        say("nothing is monitored yet (mltrl monitor reference / log)")
        return
    from rich.table import Table

    table = Table(
        "component",
        "level",
        "references",
        "latest window",
        "rows",
        "last check",
        "performance",
        "open alerts",
    )
    for row in rows:
        check = row["last_check"]
        table.add_row(
            esc(row["component"]),
            str(row["level"]),
            esc(", ".join(row["references"]) or "-"),
            esc(row["latest_window"] or "-"),
            f"{row['latest_window_rows']:,}" if row["latest_window"] else "-",
            "-"
            if check is None
            else ("[green]pass[/]" if check["outcome"] == "pass" else "[red]fail[/]")
            + f" {check['at'][:16].replace('T', ' ')}",
            esc(row["performance"] or "-"),
            f"[red]{len(row['open_alerts'])}[/]" if row["open_alerts"] else "0",
        )
    console().print(table)
    for row in rows:
        for alert in row["open_alerts"]:
            where = f" (review {alert['review_id']})" if alert["review_id"] else ""
            about = esc(f"{row['component']} {alert['kind']}: {alert['message']}{where}")
            say(f"[red]alert {alert['id']}[/] {about}")
