"""How `mltrl serve` is configured: command-line options, then environment variables, then a file
(`--config FILE`, YAML or TOML), then defaults — the first that names a setting wins.

A deployment usually keeps a file under version control and overrides one or two values by the
environment (a container's port, a secret database URL). Every value is checked here, before
anything listens: a typo in a key or a port out of range is one line naming the file or variable.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mltrl.errors import BadInput
from mltrl.server import config_oidc
from mltrl.server.config_oidc import OidcSettings

#: Prefix of the environment variables: MLTRL_SERVER_PORT=9000, MLTRL_SERVER_ROOT_PATH=/mltrl ...
ENV_PREFIX = "MLTRL_SERVER_"
#: What names a webhook (the API takes names, never URLs: a server never POSTs where a caller says).
WEBHOOK_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


class ServerConfig(BaseModel):
    """Every setting of the server; the docs' table (docs/server.md) lists the same."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field("127.0.0.1", min_length=1, description="Address to listen on")
    port: int = Field(8765, ge=0, le=65535)
    workers: int = Field(1, ge=1, le=64, description="Worker processes (PostgreSQL: several)")
    database_url: str | None = Field(None, description="Registry URL (below --db and $MLTRL_DATABASE_URL)")
    policy: Path | None = Field(None, description="Policy file (below --policy and $MLTRL_POLICY)")
    proxy_headers: bool = Field(False, description="Trust X-Forwarded-For/Proto from forwarded_allow_ips")
    forwarded_allow_ips: str = Field("127.0.0.1", description="Comma-separated proxy addresses, or *")
    root_path: str = Field("", description="The path prefix a proxy serves the API under, e.g. /mltrl")
    graceful_timeout: float = Field(
        30, ge=0, le=3600, description="Seconds SIGTERM waits for requests in flight before closing them"
    )
    log_level: str = Field("info", pattern="^(debug|info|warning|error)$")
    oidc: OidcSettings | None = Field(None, description="Log in through an OpenID Connect provider")
    webhooks: dict[str, str] = Field(
        default_factory=dict, description="Named alert receivers (name -> URL): all the API sends alerts to"
    )

    @field_validator("root_path")
    @classmethod
    def _a_path_prefix(cls, value: str) -> str:
        if value and (not value.startswith("/") or value.endswith("/")):
            raise ValueError("give a path that starts with / and does not end with one, e.g. /mltrl")
        return value

    @field_validator("webhooks")
    @classmethod
    def _named_http_urls(cls, value: dict[str, str]) -> dict[str, str]:
        from urllib.parse import urlsplit

        for name, url in value.items():
            if not WEBHOOK_NAME.fullmatch(name):
                raise ValueError(f"{name!r}: a webhook's name is a letter, then letters, digits, - or _")
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"{name}: give an http(s) URL, e.g. https://hooks.example.org/mltrl")
        return value


def load(
    file: Path | None, overrides: Mapping[str, Any], env: Mapping[str, str] | None = None
) -> ServerConfig:
    """The configuration: ``overrides`` (command-line options given) over the environment over the file."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    if file is not None:
        values.update(_from_file(file))
    values.update(_from_env(env))
    oidc_env = config_oidc.from_env(env)
    if oidc_env:  # a variable overrides one key of the file's oidc mapping, not the whole of it
        file_oidc = values.get("oidc")
        values["oidc"] = {**(file_oidc if isinstance(file_oidc, dict) else {}), **oidc_env}
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return ServerConfig(**values)
    except ValidationError as exc:
        raise BadInput(f"server configuration: {_first_problem(exc, file, env, overrides)}") from None


def _from_file(file: Path) -> dict[str, Any]:
    from mltrl.userfiles import read_text, read_yaml

    if file.suffix.lower() == ".toml":
        try:
            data: Any = tomllib.loads(read_text(file, "server configuration"))
        except tomllib.TOMLDecodeError as exc:
            raise BadInput(f"{file}: not valid TOML: {exc}") from None
        data = data.get("server", data)  # a [server] table, or the keys at the top
    else:
        data = read_yaml(file, "server configuration")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BadInput(f"{file}: the server configuration must be a mapping of setting to value")
    unknown = sorted(str(k) for k in data if str(k) not in ServerConfig.model_fields)
    if unknown:
        known = ", ".join(ServerConfig.model_fields)
        raise BadInput(f"{file}: unknown setting {unknown[0]!r}; settings: {known}")
    return {str(k): v for k, v in data.items()}


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ServerConfig.model_fields:
        if name == "oidc":
            continue  # its settings have variables of their own (config_oidc.from_env)
        variable = ENV_PREFIX + name.upper()
        if variable in env and env[variable] != "":
            raw = env[variable]
            if name == "proxy_headers":
                if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
                    raise BadInput(f"${variable}: {raw!r} is not true or false")
                values[name] = raw.lower() in ("1", "true", "yes")
            elif name == "webhooks":  # its URLs hold secrets: the environment keeps them out of files
                try:
                    values[name] = json.loads(raw)
                except ValueError:
                    raise BadInput(f"${variable}: give a JSON object of name to URL") from None
            else:
                values[name] = raw  # pydantic converts "9000" to a port and refuses "nine"
    return values


def _first_problem(
    exc: ValidationError, file: Path | None, env: Mapping[str, str], overrides: Mapping[str, Any]
) -> str:
    """The first problem, named where it came from: the option, the variable or the file's key."""
    first = exc.errors()[0]
    name = ".".join(str(part) for part in first.get("loc", ())) or "value"
    variable = ENV_PREFIX + name.upper().replace(".", "_")
    if overrides.get(name) is not None:
        where = "--" + name.replace("_", "-")
    elif env.get(variable):
        where = f"${variable}"
    else:
        where = f"{file}: {name}" if file else name
    message = " ".join(str(first.get("msg", "invalid")).split())
    return f"{where}: {message}"


#: Environment variables the settings are read from, for the docs and `mltrl serve -h`.
ENVIRONMENT = (
    {name: ENV_PREFIX + name.upper() for name in ServerConfig.model_fields if name != "oidc"}
    | {f"oidc.{name}": config_oidc.ENV_PREFIX + name.upper() for name in OidcSettings.model_fields}
    | {"oidc.client_secret": config_oidc.ENV_SECRET}
)
