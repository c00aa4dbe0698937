"""`mltrl serve`: uvicorn over :func:`mltrl.server.app.create_app`, one or several worker processes.

The registry and policy are resolved once here (so a mistake is one line before anything listens)
and handed to the workers through the environment. Uvicorn shuts down gracefully on SIGTERM/SIGINT:
it stops accepting, lets requests in flight finish, then runs the app's shutdown.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from mltrl.errors import StoreError
from mltrl.server.app import ENV_SERVER_DB, ENV_SERVER_POLICY

#: Plain lines on stderr: the access log's lines are JSON objects already.
LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "format": '{"time": "%(asctime)s", "level": "%(levelname)s", "logger": "%(name)s", '
            '"message": %(message)s}'
        },
        "plain": {
            "format": '{"time": "%(asctime)s", "level": "%(levelname)s", "logger": "%(name)s", '
            '"message": "%(message)s"}'
        },
    },
    "handlers": {
        "access": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        "default": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"},
    },
    "loggers": {
        "mltrl.server.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        "mltrl.server": {"handlers": ["default"], "level": "INFO", "propagate": False},
        "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
    },
}


def run(
    *,
    db: str | None,
    policy: Path | None,
    host: str,
    port: int,
    workers: int = 1,
    proxy_headers: bool = False,
    forwarded_allow_ips: str = "127.0.0.1",
) -> None:
    try:
        import uvicorn
    except ImportError as exc:
        raise StoreError("`mltrl serve` needs the server extra: pip install 'mltrl[server]'") from exc
    from mltrl.catalog import find_policy
    from mltrl.service.registry import Registry

    with Registry.open(db, policy=policy) as registry:  # refuses a missing or outdated registry now
        registry.catalog  # noqa: B018 - and an invalid policy
        os.environ[ENV_SERVER_DB] = registry.location.url
        chosen = find_policy(registry.location.home, policy)
        if chosen is not None:
            os.environ[ENV_SERVER_POLICY] = str(chosen.resolve())
    logging.getLogger("mltrl.server").info("listening on http://%s:%s", host, port)
    uvicorn.run(
        "mltrl.server.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # ours is structured and names the user (mltrl.server.access)
        log_config=LOG_CONFIG,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
    )
    sys.stdout.flush()
