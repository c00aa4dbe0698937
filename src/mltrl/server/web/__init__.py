"""The dashboard: server-rendered pages (Jinja2, htmx served from this package) over the registry.

:func:`mount` adds it to the team server's app. Pages read through the same views as the CLI;
forms write through the same Registry methods, after the same role check as the API (docs/dashboard.md).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from mltrl.server.config_oidc import OidcSettings

STATIC = Path(__file__).parent / "static"


def mount(app: FastAPI, oidc: OidcSettings | None = None) -> None:
    from mltrl.server.web import login, oidc_login, pages, review

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (login, pages, review):
        app.include_router(module.router)
    oidc_login.install(app, oidc)
