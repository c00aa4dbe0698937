"""Users, tokens and roles from the command line and the service: no default credentials, secrets
shown once and kept only as hashes, expiry, revocation, disabled users."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest

from mltrl.cli import main
from mltrl.errors import BadInput, Unauthenticated
from mltrl.service import inputs
from mltrl.service.registry import Registry


def cli(capsys: pytest.CaptureFixture[str], db: str, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", db, "--actor", "setup", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_new_registry_has_no_user_and_no_token(registry: Registry) -> None:
    ids = registry
    assert ids.users.list() == []
    assert ids.tokens.list() == []


def test_user_token_and_role_commands(
    registry: Registry, db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    registry.projects.create("neuro", "Neuro")
    monkeypatch.setattr("sys.stdin", io.StringIO("a long passphrase\n"))
    code, out, err = cli(
        capsys, db_url, "user", "add", "mchen", "--display-name", "M. Chen", "--admin", "--password-stdin"
    )
    assert code == 0, err
    assert "added user mchen (admin)" in out
    assert registry.users.check_password("mchen", "a long passphrase").name == "mchen"
    with pytest.raises(Unauthenticated, match="wrong user name or password"):
        registry.users.check_password("mchen", "a wrong passphrase")

    assert cli(capsys, db_url, "user", "add", "ci", "--no-password")[0] == 0
    code, out, err = cli(capsys, db_url, "role", "grant", "ci", "neuro", "contributor", "--json")
    assert code == 0, err
    assert json.loads(out)["role"] == "contributor"
    code, out, err = cli(capsys, db_url, "role", "grant", "ci", "neuro", "approver", "--from-level", "7")
    assert "ci is approver on neuro at levels 7-9" in out
    code, out, _ = cli(capsys, db_url, "role", "list", "--project", "neuro", "--json")
    assert [(g["role"], g["min_level"]) for g in json.loads(out)["roles"]] == [
        ("approver", 7),
        ("contributor", 0),
    ]

    code, out, err = cli(
        capsys,
        db_url,
        "token",
        "create",
        "--user",
        "ci",
        "--project",
        "neuro",
        "--scope",
        "read,write",
        "--expires",
        "30d",
        "--json",
    )
    assert code == 0, err
    created = json.loads(out)
    secret = created["secret"]
    assert secret.startswith(f"mltrl_{created['prefix']}_")
    assert created["scopes"] == ["read", "write"] and created["projects"] == ["neuro"]
    # The secret is never stored: not in the database, not in any listing.
    code, out, _ = cli(capsys, db_url, "token", "list", "--json")
    assert secret not in out
    assert json.loads(out)["tokens"][0]["state"] == "active"
    principal = registry.tokens.authenticate(secret)
    assert principal.name == "ci"
    assert registry.tokens.list()[0].last_used_at is not None

    assert cli(capsys, db_url, "token", "revoke", created["prefix"])[0] == 0
    with pytest.raises(Unauthenticated, match="was revoked"):
        registry.tokens.authenticate(secret)
    code, out, _ = cli(capsys, db_url, "token", "list", "--json")
    assert json.loads(out)["tokens"][0]["state"] == "revoked"

    assert cli(capsys, db_url, "role", "revoke", "ci", "neuro", "approver")[0] == 0
    code, _, err = cli(capsys, db_url, "role", "revoke", "ci", "neuro", "approver")
    assert code == 2 and "ci holds no approver role on neuro" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["user", "add", "1bad", "--no-password"], "user name '1bad' is not valid"),
        (["user", "add", "x", "--no-password", "--password-stdin"], "not both"),
        (["user", "add", "x"], "no terminal to ask for a password"),
        (["token", "create", "--user", "ghost", "--scope", "read"], "no user 'ghost'"),
        (["role", "grant", "ghost", "neuro", "viewer"], "no user 'ghost'"),
    ],
)
def test_bad_identity_input_is_one_line_and_writes_nothing(
    registry: Registry,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    registry.projects.create("neuro", "Neuro")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal, nothing to read
    code, _, err = cli(capsys, db_url, *argv)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
    assert registry.users.list() == []


def test_token_input_is_checked(registry: Registry) -> None:
    registry.projects.create("neuro", "Neuro")
    ids = registry
    ids.users.add("ci")
    for kwargs, message in [
        ({"scopes": ["read", "delete"]}, "scope: 'delete' is not one of read, write, approve, admin"),
        ({"scopes": []}, "name at least one of"),
        ({"scopes": ["read"], "expires": "forever"}, "not a duration like 30d"),
        ({"scopes": ["read"], "expires": "400d"}, "at most 366 days"),
        ({"scopes": ["read"], "projects": ["nope"]}, "no project 'nope'"),
        ({"scopes": ["read"], "projects": ["*", "neuro"]}, "give one"),
    ]:
        with pytest.raises(BadInput, match=message):
            ids.tokens.create("ci", **kwargs)
    assert ids.tokens.list() == []
    with pytest.raises(BadInput, match="shorter than 8"):
        ids.users.add("short", password="1234")
    with pytest.raises(BadInput, match="already exists"):
        ids.users.add("ci")
    with pytest.raises(BadInput, match="--from-level 8 is above --to-level 7"):
        ids.roles.grant("ci", "neuro", "approver", min_level=8, max_level=7)
    # Found by Schemathesis on PostgreSQL: a NUL in a user name made the lookup itself fail (500).
    for name in ("c\x00i", "ci\x1b[31m"):
        with pytest.raises(BadInput, match="holds a control character"):
            ids.roles.grant(name, "neuro", "viewer")
        with pytest.raises(BadInput, match="holds a control character"):
            ids.tokens.create(name, scopes=["read"])


def test_a_token_expires_and_a_disabled_user_loses_every_token(registry: Registry) -> None:
    registry.projects.create("neuro", "Neuro")
    ids = registry
    ids.users.add("ci")
    token, secret = ids.tokens.create("ci", scopes=["read"], expires="12h")
    now = inputs.now()
    assert ids.tokens.authenticate(secret, now=now + timedelta(hours=11)).name == "ci"
    with pytest.raises(Unauthenticated, match=f"token {token.prefix} expired at"):
        ids.tokens.authenticate(secret, now=now + timedelta(hours=13))
    _, other = ids.tokens.create("ci", scopes=["read"])
    ids.users.disable("ci")
    with pytest.raises(Unauthenticated, match="user 'ci' is disabled"):
        ids.tokens.authenticate(other)
    with pytest.raises(BadInput, match="a disabled user gets no token"):
        ids.tokens.create("ci", scopes=["read"])


@pytest.mark.parametrize(
    "guess",
    ["", "Bearer", "mltrl_", "mltrl_nothere_x", "not-a-token", "mltrl_" + "a" * 12 + "_" + "b" * 43],
)
def test_a_guessed_or_mangled_token_is_refused_without_saying_more(registry: Registry, guess: str) -> None:
    ids = registry
    ids.users.add("ci")
    _, secret = ids.tokens.create("ci", scopes=["read"])
    with pytest.raises(Unauthenticated, match=r"^the token is not valid$"):
        ids.tokens.authenticate(guess)
    with pytest.raises(Unauthenticated, match=r"^the token is not valid$"):
        ids.tokens.authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B"))


def test_serve_refuses_a_missing_registry_before_listening(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--db", f"sqlite:///{tmp_path / 'none' / 'registry.db'}", "serve", "--port", "0"])
    err = capsys.readouterr().err
    assert code == 2
    assert "no registry database at" in err and len(err.strip().splitlines()) == 1
