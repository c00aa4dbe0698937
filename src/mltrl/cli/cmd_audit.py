"""``audit``: who did what, when, from where (the event log); ``audit verify``: is it untouched."""

from __future__ import annotations

import sys

import typer

from mltrl.cli._context import reading, say
from mltrl.cli._render import esc
from mltrl.views.audit import parse_time

app = typer.Typer(invoke_without_command=True)


@app.callback()
def audit(
    ctx: typer.Context,
    project: str | None = typer.Option(None, "--project", "-p", help="Only this project's writes"),
    user: str | None = typer.Option(None, "--user", "-u", help="Only what this person did (the actor)"),
    since: str | None = typer.Option(None, "--since", help="From this date or time (UTC unless given)"),
    until: str | None = typer.Option(None, "--until", help="Up to this date or time"),
    after: int = typer.Option(0, "--after", help="Only events after this id (to page through an export)"),
    limit: int = typer.Option(10_000, "--limit", help="At most this many events"),
    as_json: bool = typer.Option(False, "--json", help="JSON lines: one event per line, for export"),
) -> None:
    """Who did what, when, from where (cli, python, token:PREFIX): every write, identity changes included.

    Example: `mltrl audit --project recycling --since 2026-11-01 --json > audit.jsonl`
    """
    if ctx.invoked_subcommand is not None:
        return
    from mltrl.jsonout import dumps
    from mltrl.views.audit import entries

    with reading() as r:
        rows = entries(
            r,
            project=project,
            user=user,
            since=parse_time(since, "--since"),
            until=parse_time(until, "--until"),
            after=after,
            limit=limit,
        )
    if as_json:
        out = sys.stdout
        for row in rows:
            out.write(dumps(row))
            out.write("\n")
        return
    for row in rows:
        where = "/".join(x for x in (row["project"], row["component"]) if x) or "-"
        detail = row["reason"] or ""
        say(
            f"{row['id']:>6}  {row['at'][:19]}  {esc(row['actor'])} ({esc(row['via'] or '-')})  "
            f"{esc(where)}  {esc(row['kind'])}" + (f"  {esc(detail)}" if detail else "")
        )
    say(f"{len(rows)} event(s)")


@app.command("verify")
def verify(as_json: bool = typer.Option(False, "--json", help="The findings as JSON")) -> None:
    """Check the event log's hash chain and the signatures and decisions against it (exit 1 if broken).

    Example: `mltrl audit verify`
    """
    from mltrl.cli._context import emit_json
    from mltrl.errors import CheckFailed
    from mltrl.views.integrity import check

    with reading() as r:
        result = check(r)
    if as_json:
        emit_json(
            {
                "intact": not result.problems,
                "events_checked": result.events_checked,
                "signatures_checked": result.signatures_checked,
                "problems": result.problems,
            }
        )
    else:
        for p in result.problems:
            say(f"[red]{esc(p['component'])}[/]: {esc(p['problem'])}")
        if not result.problems:
            say(
                f"[green]intact[/]: {result.events_checked} events in the hash chain, "
                f"{result.signatures_checked} signatures agree with the log"
            )
    if result.problems:
        raise CheckFailed(f"the record was changed outside mltrl ({len(result.problems)} problem(s))")


def register(root: typer.Typer, panel: str) -> None:
    root.add_typer(
        app, name="audit", help="Who did what, when, from where; verify the log.", rich_help_panel=panel
    )
