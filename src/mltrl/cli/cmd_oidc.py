"""``mltrl user link-oidc|unlink-oidc|identities``: which identity at the OIDC provider a user is."""

from __future__ import annotations

import typer

from mltrl.cli import _render
from mltrl.cli._context import console, emit_json, say, writing
from mltrl.cli._output import FORMAT, JSON, JSON_WRITE, Format, choose, emit
from mltrl.cli.cmd_server import USER, user_app

ISSUER = typer.Option(
    ..., "--issuer", help="The provider's issuer URL, exactly as `oidc.issuer` of `mltrl serve` names it"
)


@user_app.command("link-oidc")
def user_link_oidc(
    name: str = USER,
    issuer: str = ISSUER,
    subject: str | None = typer.Option(
        None, "--subject", help="The provider's id for the person (its `sub`): only it logs in as NAME"
    ),
    claim: str | None = typer.Option(
        None, "--claim", help="The mapped claim's value at the first login (e.g. the e-mail address)"
    ),
    as_json: bool = JSON_WRITE,
) -> None:
    """Tie a user to their identity at the organisation's OIDC provider before they log in.

    Needed when the mapped claim is not the user name (e.g. `oidc.user_claim: email`); the first
    login then links the provider's subject for good.

    Example: `mltrl user link-oidc mchen --issuer https://login.example.org --claim mc@example.org`
    """
    with writing() as reg:
        found = reg.users.link_oidc(name, issuer=issuer, subject=subject, claim=claim)
    if as_json:
        emit_json(found.to_json())
        return
    what = f"subject {found.subject}" if found.subject else f"the first login as {found.expected}"
    say(f"{_render.esc(found.user)} logs in at {_render.esc(found.issuer)} as {_render.esc(what)}")


@user_app.command("unlink-oidc")
def user_unlink_oidc(
    name: str = USER,
    issuer: str | None = typer.Option(None, "--issuer", help="Only the identity at this provider"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Forget a user's OIDC identity: their next login through the provider links anew.

    Example: `mltrl user unlink-oidc mchen`
    """
    with writing() as reg:
        gone = reg.users.unlink_oidc(name, issuer=issuer)
    if as_json:
        emit_json({"unlinked": [g.to_json() for g in gone]})
        return
    say(f"unlinked {len(gone)} OIDC identit{'y' if len(gone) == 1 else 'ies'} of {_render.esc(name)}")


@user_app.command("identities")
def user_identities(
    user: str | None = typer.Option(None, "--user", "-u", help="Only this user's identities"),
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """OIDC identities: which user logs in as whom at which provider, and when they last did.

    Example: `mltrl user identities --format csv`
    """
    fmt = choose(fmt, as_json)
    with writing() as reg:
        rows = reg.users.oidc_identities(user)
    if fmt != Format.TABLE:
        items = [i.to_json() for i in rows]
        emit(fmt, {"identities": items}, items)
        return
    from rich.table import Table

    table = Table("user", "issuer", "subject", "waits for", "linked", "last login")
    for i in rows:
        table.add_row(
            *map(_render.esc, (i.user, i.issuer, i.subject or "", i.expected if not i.subject else "")),
            _render.when(i.linked_at) if i.linked_at else "",
            _render.when(i.last_login_at) if i.last_login_at else "",
        )
    console().print(table)
