"""The ``oidc`` settings of `mltrl serve`: logging in through the organisation's identity provider.

In the settings file they are a mapping under ``oidc:`` (TOML: ``[server.oidc]`` or ``[oidc]``); in
the environment ``MLTRL_SERVER_OIDC_<SETTING>``. The client secret is never in the file, the
command line or a log: it is read from ``$MLTRL_SERVER_OIDC_CLIENT_SECRET`` or from the file
``client_secret_file`` names (a container's mounted secret), when a login needs it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mltrl.errors import BadInput

ENV_PREFIX = "MLTRL_SERVER_OIDC_"
ENV_SECRET = ENV_PREFIX + "CLIENT_SECRET"
#: How `mltrl serve` hands the checked settings (never the secret) to its worker processes.
ENV_HANDOVER = "MLTRL_SERVER_OIDC_SETTINGS_JSON"
#: The key that signs the short-lived cookie holding a login's state, nonce and PKCE verifier;
#: `mltrl serve` draws one at start so every worker of the server accepts the others' cookies.
ENV_STATE_KEY = "MLTRL_SERVER_OIDC_STATE_KEY"


class OidcSettings(BaseModel):
    """The settings of the OIDC login; the docs' table (docs/server.md) lists the same."""

    model_config = ConfigDict(extra="forbid")

    issuer: str = Field(..., description="The provider's issuer URL (its discovery document is under it)")
    client_id: str = Field(..., min_length=1, max_length=500)
    client_secret_file: Path | None = Field(None, description="File holding the client secret")
    provider_name: str = Field("", max_length=80, description="Shown on the login button")
    scopes: list[str] = Field(default_factory=lambda: ["openid", "profile", "email"])
    user_claim: Literal["preferred_username", "email", "sub"] = "preferred_username"
    auto_create_users: bool = Field(False, description="Create a viewer (no role) for an unknown identity")
    redirect_url: str | None = Field(None, description="The callback URL registered at the provider")
    timeout: float = Field(10, gt=0, le=120, description="Seconds to wait for the provider")
    provider_logout: bool = Field(
        True, description="Logging out of mltrl ends the provider's session too (its end_session_endpoint)"
    )

    @model_validator(mode="before")
    @classmethod
    def _no_secret_here(cls, data: Any) -> Any:
        if isinstance(data, dict) and "client_secret" in data:
            raise ValueError(
                f"client_secret: keep the secret out of the settings; set ${ENV_SECRET} or client_secret_file"
            )
        return data

    @field_validator("issuer", "redirect_url")
    @classmethod
    def _a_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"{value!r} is not a URL like https://login.example.org/realms/acme")
        return value

    @field_validator("scopes", mode="before")
    @classmethod
    def _scope_list(cls, value: Any) -> Any:
        if isinstance(value, str):  # "openid profile" or "openid,profile" from the environment
            value = value.replace(",", " ").split()
        if isinstance(value, list) and "openid" not in value:
            raise ValueError("the scopes must include openid (else the provider sends no ID token)")
        return value

    @field_validator("client_secret_file")
    @classmethod
    def _readable(cls, value: Path | None) -> Path | None:
        if value is not None and not _read_secret(value):
            raise ValueError(f"{value} holds no secret")
        return value

    @property
    def label(self) -> str:
        """What the login button names: the configured name, else the provider's host."""
        return self.provider_name or urlsplit(self.issuer).netloc

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def client_secret(self, env: Mapping[str, str] | None = None) -> str | None:
        """The secret, read now (None: a public client, which PKCE alone protects)."""
        env = os.environ if env is None else env
        if env.get(ENV_SECRET):
            return env[ENV_SECRET]
        return _read_secret(self.client_secret_file) if self.client_secret_file else None


def from_env(env: Mapping[str, str]) -> dict[str, Any]:
    """The settings named by ``$MLTRL_SERVER_OIDC_*`` (the secret stays in the environment)."""
    values: dict[str, Any] = {}
    for name in OidcSettings.model_fields:
        raw = env.get(ENV_PREFIX + name.upper(), "")
        if raw == "":
            continue
        if name in ("auto_create_users", "provider_logout"):
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise BadInput(f"${ENV_PREFIX}{name.upper()}: {raw!r} is not true or false")
            values[name] = raw.lower() in ("1", "true", "yes")
        else:
            values[name] = raw
    return values


def _read_secret(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}") from None
