"""`mltrl serve`: uvicorn over :func:`mltrl.server.app.create_app`, one or several worker processes.

The registry and policy are resolved once here (so a mistake is one line before anything listens)
and handed to the workers through the environment. Uvicorn shuts down gracefully on SIGTERM/SIGINT:
it stops accepting, lets requests in flight finish, then runs the app's shutdown.
"""

from __future__ import annotations

import copy
import json
import logging
import logging.config
import os
import sys
from pathlib import Path
from typing import Any

from mltrl.errors import StoreError
from mltrl.server.app import ENV_SERVER_DB, ENV_SERVER_POLICY, ENV_SERVER_WEBHOOKS
from mltrl.server.config import ServerConfig

#: One JSON object per line on stderr, for every logger the server writes to (mltrl.server.logs).
LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "mltrl.server.logs.JsonFormatter"}},
    "handlers": {
        "access": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        "default": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
    },
    "loggers": {
        "mltrl.server.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        "mltrl.server": {"handlers": ["default"], "level": "INFO", "propagate": False},
        "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
    },
}


def run(config: ServerConfig, *, db: str | None = None, policy: Path | None = None) -> None:
    """Serve with ``config``; ``db`` and ``policy`` (the CLI's --db and --policy) win over its own."""
    try:
        import uvicorn
    except ImportError as exc:
        raise StoreError("`mltrl serve` needs the server extra: pip install 'mltrl[server]'") from exc
    from mltrl.catalog import find_policy
    from mltrl.service.registry import Registry

    db = db or config.database_url
    policy = policy or config.policy
    with Registry.open(db, policy=policy) as registry:  # refuses a missing or outdated registry now
        registry.catalog  # noqa: B018 - and an invalid policy
        os.environ[ENV_SERVER_DB] = registry.location.url
        chosen = find_policy(registry.location.home, policy)
        if chosen is not None:
            os.environ[ENV_SERVER_POLICY] = str(chosen.resolve())
    _hand_over_oidc(config)
    os.environ[ENV_SERVER_WEBHOOKS] = json.dumps(config.webhooks)
    if config.webhooks:
        logging.getLogger("mltrl.server").info("alerts may go to the webhooks %s", ", ".join(config.webhooks))
    level = config.log_level.upper()
    log_config = _log_config(level)
    logging.config.dictConfig(log_config)
    logging.getLogger("mltrl.server").info(
        "listening on http://%s:%s%s (%d worker(s))",
        config.host,
        config.port,
        config.root_path,
        config.workers,
    )
    uvicorn.run(
        "mltrl.server.app:create_app_from_env",
        factory=True,
        host=config.host,
        port=config.port,
        workers=config.workers,
        access_log=False,  # ours is structured and names the user (mltrl.server.access)
        log_config=log_config,
        log_level=config.log_level,
        proxy_headers=config.proxy_headers,
        forwarded_allow_ips=config.forwarded_allow_ips,
        root_path=config.root_path,
        # SIGTERM: stop accepting, let requests in flight finish for up to this long, then close.
        timeout_graceful_shutdown=config.graceful_timeout,
        server_header=False,
    )
    sys.stdout.flush()


def _hand_over_oidc(config: ServerConfig) -> None:
    """The workers read the checked OIDC settings (never the secret, which they read where it is
    kept) and one key for the login cookie, so a login begun on one worker ends on any other."""
    import secrets

    from mltrl.server import config_oidc

    if config.oidc is None:
        os.environ.pop(config_oidc.ENV_HANDOVER, None)
        return
    os.environ[config_oidc.ENV_HANDOVER] = config.oidc.model_dump_json()
    os.environ.setdefault(config_oidc.ENV_STATE_KEY, secrets.token_urlsafe(32))
    logging.getLogger("mltrl.server").info("logins through the OIDC provider %s", config.oidc.issuer)


def _log_config(level: str) -> dict[str, Any]:
    config = copy.deepcopy(LOG_CONFIG)
    for logger in config["loggers"].values():
        logger["level"] = level
    return config
