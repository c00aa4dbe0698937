"""``mltrl user|token|role ...`` (identities of the team server) and ``mltrl serve``."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from mltrl.cli import _render
from mltrl.cli._context import console, emit_json, say, writing
from mltrl.cli._output import FORMAT, JSON, JSON_WRITE, Format, choose, emit
from mltrl.errors import BadInput

user_app = typer.Typer(no_args_is_help=True)
token_app = typer.Typer(no_args_is_help=True)
role_app = typer.Typer(no_args_is_help=True)
USER = typer.Argument(..., metavar="NAME", help="User name, e.g. mchen (recorded as the actor of writes)")


@user_app.command("add")
def user_add(
    name: str = USER,
    display_name: str = typer.Option("", "--display-name", help="Full name shown to people"),
    admin: bool = typer.Option(False, "--admin", help="A site admin: every role on every project"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input (first line)"
    ),
    no_password: bool = typer.Option(
        False, "--no-password", help="No password login; the user works with tokens only (CI)"
    ),
    as_json: bool = JSON_WRITE,
) -> None:
    """Add a user of the team server. There are no default accounts: create the first admin so.

    Example: `mltrl user add mchen --display-name "M. Chen" --admin` (asks for the password)
    """
    if password_stdin and no_password:
        raise BadInput("give --password-stdin or --no-password, not both")
    password = None if no_password else _password(password_stdin)
    with writing() as reg:
        user = reg.users.add(name, display_name=display_name, password=password, is_admin=admin)
    if as_json:
        emit_json(user.to_json())
        return
    say(f"added user [bold]{_render.esc(user.name)}[/]" + (" (admin)" if user.is_admin else ""))


@user_app.command("list")
def user_list(fmt: Format = FORMAT, as_json: bool = JSON) -> None:
    """Users with whether they are admins or disabled.

    Example: `mltrl user list --format csv`
    """
    fmt = choose(fmt, as_json)
    with writing() as reg:
        rows = reg.users.list()
    if fmt != Format.TABLE:
        items = [u.to_json() for u in rows]
        emit(fmt, {"users": items}, items)
        return
    from rich.table import Table

    table = Table("name", "display name", "admin", "disabled", "created")
    for u in rows:
        table.add_row(
            *map(_render.esc, (u.name, u.display_name)),
            "yes" if u.is_admin else "",
            _render.when(u.disabled_at) if u.disabled_at else "",
            _render.when(u.created_at),
        )
    console().print(table)


@user_app.command("disable")
def user_disable(name: str = USER, as_json: bool = JSON_WRITE) -> None:
    """Disable a user: no more logins, every token of theirs stops working; their records stay.

    Example: `mltrl user disable mchen`
    """
    with writing() as reg:
        user = reg.users.disable(name)
    if as_json:
        emit_json(user.to_json())
        return
    say(f"disabled user {_render.esc(user.name)}; their tokens no longer work")


@token_app.command("create")
def token_create(
    user: str = typer.Option(..., "--user", "-u", help="Whose token"),
    project: list[str] = typer.Option(
        [], "--project", "-p", help="A project it is valid for (repeatable; default: all the user's)"
    ),
    scope: str = typer.Option(
        ...,
        "--scope",
        "-s",
        help="Comma-separated: read, write (evidence, reviews), approve (sign, decide), admin",
    ),
    expires: str | None = typer.Option(None, "--expires", help="Lifetime like 30d or 12h (default 90d)"),
    name: str = typer.Option("", "--name", "-n", help="What it is for, e.g. 'CI of neuropath'"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Create an API token; its secret is printed once and never kept (only a hash is).

    Example: `mltrl token create --user ci --project neuropath --scope read,write --expires 30d`
    """
    with writing() as reg:
        record, secret = reg.tokens.create(
            user, projects=project, scopes=scope.split(","), expires=expires, label=name
        )
    if as_json:
        emit_json({**record.to_json(), "secret": secret})
        return
    say(
        f"token [bold]{record.prefix}[/] for {_render.esc(record.user)}, expires {record.expires_at:%Y-%m-%d}"
    )
    say("the secret (shown only now; send it as `Authorization: Bearer ...`):")
    print(secret)


@token_app.command("list")
def token_list(
    user: str | None = typer.Option(None, "--user", "-u", help="Only this user's tokens"),
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Tokens (never their secrets) with their scopes, projects, expiry and last use.

    Example: `mltrl token list --user ci`
    """
    from mltrl.service import inputs

    fmt = choose(fmt, as_json)
    with writing() as reg:
        rows = reg.tokens.list(user)
    now = inputs.now()
    items = [{**t.to_json(), "state": t.state(now)} for t in rows]
    if fmt != Format.TABLE:
        emit(fmt, {"tokens": items}, items)
        return
    from rich.table import Table

    table = Table("prefix", "user", "name", "projects", "scopes", "state", "expires", "last used")
    for t in rows:
        table.add_row(
            *map(_render.esc, (t.prefix, t.user, t.name, ",".join(t.projects), ",".join(t.scopes))),
            t.state(now),
            _render.when(t.expires_at),
            _render.when(t.last_used_at) if t.last_used_at else "",
        )
    console().print(table)


@token_app.command("revoke")
def token_revoke(
    prefix: str = typer.Argument(..., metavar="PREFIX", help="The token's prefix (see `token list`)"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Revoke a token at once: the next request carrying it is refused.

    Example: `mltrl token revoke 3f9a0c1b2d4e`
    """
    with writing() as reg:
        record = reg.tokens.revoke(prefix)
    if as_json:
        emit_json(record.to_json())
        return
    say(f"revoked token {_render.esc(record.prefix)} of {_render.esc(record.user)}")


ROLE = typer.Argument(..., metavar="ROLE", help="viewer, contributor, reviewer, approver or admin")


@role_app.command("grant")
def role_grant(
    user: str = typer.Argument(..., metavar="USER"),
    project: str = typer.Argument(..., metavar="PROJECT"),
    role: str = ROLE,
    from_level: int = typer.Option(0, "--from-level", help="Only for components at this level or above"),
    to_level: int = typer.Option(9, "--to-level", help="Only for components at this level or below"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Give a user a role on a project, optionally limited to levels (QA approves from level 7).

    Example: `mltrl role grant qa-lead neuropath approver --from-level 7`
    """
    with writing() as reg:
        grant = reg.roles.grant(user, project, role, min_level=from_level, max_level=to_level)
    if as_json:
        emit_json(grant.to_json())
        return
    levels = "" if (from_level, to_level) == (0, 9) else f" at levels {from_level}-{to_level}"
    say(f"{_render.esc(user)} is {_render.esc(grant.role)} on {_render.esc(grant.project)}{levels}")


@role_app.command("revoke")
def role_revoke(
    user: str = typer.Argument(..., metavar="USER"),
    project: str = typer.Argument(..., metavar="PROJECT"),
    role: str = ROLE,
    as_json: bool = JSON_WRITE,
) -> None:
    """Take a role away; the user's tokens lose what it allowed on their next request.

    Example: `mltrl role revoke mchen neuropath approver`
    """
    with writing() as reg:
        reg.roles.revoke(user, project, role)
    if as_json:
        emit_json({"user": user, "project": project, "role": role, "revoked": True})
        return
    say(f"{_render.esc(user)} is no longer {_render.esc(role)} on {_render.esc(project)}")


@role_app.command("list")
def role_list(
    project: str | None = typer.Option(None, "--project", "-p", help="Only this project"),
    user: str | None = typer.Option(None, "--user", "-u", help="Only this user"),
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Who holds which role on which project, and at which levels.

    Example: `mltrl role list --project neuropath`
    """
    fmt = choose(fmt, as_json)
    with writing() as reg:
        rows = reg.roles.list(project=project, name=user)
    if fmt != Format.TABLE:
        items = [g.to_json() for g in rows]
        emit(fmt, {"roles": items}, items)
        return
    from rich.table import Table

    table = Table("project", "user", "role", "levels", "granted", "by")
    for g in rows:
        table.add_row(
            *map(_render.esc, (g.project, g.user, g.role)),
            f"{g.min_level}-{g.max_level}",
            _render.when(g.granted_at),
            _render.esc(g.granted_by),
        )
    console().print(table)


def register_serve(root: typer.Typer, panel: str) -> None:
    @root.command("serve", rich_help_panel=panel)
    def serve(
        config: Path | None = typer.Option(
            None, "--config", help="Settings file (YAML or TOML); options and $MLTRL_SERVER_* win over it"
        ),
        host: str | None = typer.Option(None, "--host", help="Address to listen on [127.0.0.1]"),
        port: int | None = typer.Option(None, "--port", min=0, max=65535, help="[8765]"),
        workers: int | None = typer.Option(None, "--workers", min=1, max=64, help="Worker processes [1]"),
        proxy_headers: bool | None = typer.Option(
            None, "--proxy-headers", help="Trust X-Forwarded-* from --forwarded-allow-ips (behind a proxy)"
        ),
        forwarded_allow_ips: str | None = typer.Option(None, "--forwarded-allow-ips", help="[127.0.0.1]"),
        root_path: str | None = typer.Option(
            None, "--root-path", help="Path prefix the proxy serves it under, e.g. /mltrl"
        ),
        graceful_timeout: float | None = typer.Option(
            None, "--graceful-timeout", help="Seconds SIGTERM waits for requests in flight [30]"
        ),
    ) -> None:
        """Serve the registry over HTTP (REST API, OpenAPI at /openapi.json) for a team.

        Every request carries `Authorization: Bearer <token>` (`mltrl token create`); see docs/server.md.
        Settings come from the options, then $MLTRL_SERVER_* variables, then --config FILE; the
        dashboard's login through an OpenID Connect provider is set up there (`oidc:`).

        Example: `mltrl serve --port 8765 --workers 4`
        """
        from mltrl.cli._context import settings
        from mltrl.server import config as server_config
        from mltrl.server.run import run

        given = {
            "host": host,
            "port": port,
            "workers": workers,
            "proxy_headers": proxy_headers,
            "forwarded_allow_ips": forwarded_allow_ips,
            "root_path": root_path,
            "graceful_timeout": graceful_timeout,
        }
        run(server_config.load(config, given), db=settings.db, policy=settings.policy)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise BadInput("--password-stdin: standard input held no password")
        return line
    if not sys.stdin.isatty():
        raise BadInput("no terminal to ask for a password: use --password-stdin or --no-password")
    import getpass

    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise BadInput("the two passwords differ; nothing was written")
    return first


# Registers `user sessions`, `user logout` and the OIDC links on user_app (kept in modules of their own).
from mltrl.cli import cmd_oidc, cmd_sessions  # noqa: E402, F401
