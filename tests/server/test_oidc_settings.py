"""The ``oidc`` settings of `mltrl serve`: from the file and the environment, the secret kept out of
the file and read where it is kept, and every bad value one line before anything listens."""

from __future__ import annotations

from pathlib import Path

import pytest

from mltrl.cli import main
from mltrl.server.config import load
from mltrl.server.config_oidc import ENV_SECRET

ISSUER = "https://login.example.org/realms/acme"


def test_the_file_gives_the_settings_and_a_variable_overrides_one_of_them(tmp_path: Path) -> None:
    secret = tmp_path / "oidc-secret"
    secret.write_text("from the file\n")
    file = tmp_path / "server.yaml"
    file.write_text(
        f"port: 9100\noidc:\n  issuer: {ISSUER}\n  client_id: mltrl\n  client_secret_file: {secret}\n"
        "  user_claim: email\n"
    )
    env = {"MLTRL_SERVER_OIDC_CLIENT_ID": "mltrl-prod", "MLTRL_SERVER_OIDC_SCOPES": "openid email"}
    config = load(file, {}, env)
    assert config.oidc is not None
    oidc = config.oidc
    assert (oidc.issuer, oidc.client_id, oidc.user_claim, oidc.scopes) == (
        ISSUER,
        "mltrl-prod",
        "email",
        ["openid", "email"],
    )
    assert not oidc.auto_create_users  # no automatic users unless asked for
    assert oidc.label == "login.example.org" and oidc.discovery_url == (
        f"{ISSUER}/.well-known/openid-configuration"
    )
    assert oidc.client_secret({}) == "from the file"
    assert oidc.client_secret({ENV_SECRET: "from the environment"}) == "from the environment"
    # What the workers are handed names the file, never the secret.
    assert "from the file" not in oidc.model_dump_json() and "from the file" not in repr(config)

    toml = tmp_path / "server.toml"
    toml.write_text(f'[server.oidc]\nissuer = "{ISSUER}"\nclient_id = "mltrl"\nauto_create_users = true\n')
    from_toml = load(toml, {}, {})
    assert from_toml.oidc is not None and from_toml.oidc.auto_create_users
    assert from_toml.oidc.client_secret({}) is None  # a public client: PKCE alone
    assert load(None, {}, {}).oidc is None  # not configured: password logins only


@pytest.mark.parametrize(
    ("content", "env", "message"),
    [
        (
            f"oidc:\n  issuer: {ISSUER}\n  client_id: mltrl\n  client_secret: hunter2\n",
            {},
            "server.yaml: oidc: Value error, client_secret: keep the secret out of the settings; set "
            f"${ENV_SECRET}",
        ),
        (f"oidc:\n  issuer: {ISSUER}\n", {}, "server.yaml: oidc.client_id: Field required"),
        ("oidc:\n  issuer: login.example.org\n  client_id: m\n", {}, "'login.example.org' is not a URL"),
        (
            f"oidc:\n  issuer: {ISSUER}\n  client_id: m\n  scopes: [profile]\n",
            {},
            "oidc.scopes: Value error, the scopes must include openid",
        ),
        (
            f"oidc:\n  issuer: {ISSUER}\n  client_id: m\n  client_secret_file: /nonexistent/secret\n",
            {},
            "cannot read /nonexistent/secret",
        ),
        (
            f"oidc:\n  issuer: {ISSUER}\n  client_id: m\n",
            {"MLTRL_SERVER_OIDC_USER_CLAIM": "mail"},
            "$MLTRL_SERVER_OIDC_USER_CLAIM: Input should be 'preferred_username', 'email' or 'sub'",
        ),
        (
            "",
            {"MLTRL_SERVER_OIDC_AUTO_CREATE_USERS": "perhaps"},
            "$MLTRL_SERVER_OIDC_AUTO_CREATE_USERS: 'perhaps' is not true or false",
        ),
    ],
)
def test_a_bad_oidc_setting_is_one_line_before_anything_listens(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: str,
    env: dict[str, str],
    message: str,
) -> None:
    from mltrl.service.registry import Registry

    Registry.init(tmp_path).close()
    file = tmp_path / "server.yaml"
    file.write_text(content)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = main(["--db", f"sqlite:///{tmp_path / '.mltrl' / 'registry.db'}", "serve", "--config", str(file)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("error: ") and message in err and "\n" not in err, err
    assert "hunter2" not in err
