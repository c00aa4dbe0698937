"""``mltrl user sessions`` and ``mltrl user logout``: the dashboard's browser sessions."""

from __future__ import annotations

import typer

from mltrl.cli import _render
from mltrl.cli._context import console, emit_json, say, writing
from mltrl.cli._output import FORMAT, JSON, JSON_WRITE, Format, choose, emit
from mltrl.cli.cmd_server import user_app
from mltrl.errors import BadInput


@user_app.command("sessions")
def user_sessions(
    user: str | None = typer.Option(None, "--user", "-u", help="Only this user's sessions"),
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Browser sessions of the dashboard (never their secrets): who, from where, state, last seen.

    Example: `mltrl user sessions --user mchen`
    """
    from mltrl.service import inputs

    fmt = choose(fmt, as_json)
    with writing() as reg:
        rows = reg.sessions.list(user)
    now = inputs.now()
    items = [{"id": s.id, **s.to_json(), "state": s.state(now)} for s in rows]
    if fmt != Format.TABLE:
        emit(fmt, {"sessions": items}, items)
        return
    from rich.table import Table

    table = Table("id", "user", "client", "state", "logged in", "last seen", "expires")
    for s in rows:
        table.add_row(
            str(s.id),
            *map(_render.esc, (s.user, s.client)),
            s.state(now),
            _render.when(s.created_at),
            _render.when(s.last_seen_at),
            _render.when(s.expires_at),
        )
    console().print(table)


@user_app.command("logout")
def user_logout(
    name: str | None = typer.Argument(None, metavar="[NAME]", help="End every live session of this user"),
    session: int | None = typer.Option(None, "--session", help="End only this session (see `user sessions`)"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Revoke browser sessions at once: the browser's next request lands on the login page.

    Example: `mltrl user logout mchen` or `mltrl user logout --session 12`
    """
    if (name is None) == (session is None):
        raise BadInput("give a user NAME or --session ID (one of them)")
    with writing() as reg:
        ended = [reg.sessions.revoke(session)] if session is not None else reg.sessions.revoke_all(name or "")
    if as_json:
        emit_json({"revoked": [{"id": s.id, **s.to_json()} for s in ended]})
        return
    who = (
        f"session {session}"
        if session is not None
        else f"{len(ended)} session(s) of {_render.esc(name or '')}"
    )
    say(f"ended {who}")
