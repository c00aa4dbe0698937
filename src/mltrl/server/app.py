"""The ASGI application: :func:`create_app` builds it over one registry.

Errors keep the CLI's contract: every refusal is ``{"error": "<the CLI's one-line message>"}`` with a
status that says what kind it is (400 bad input or a rule, 401/403 who is asking, 404 unknown, 409
conflict, with the state as it now stands, 422 a malformed request, 503 the database).
"""

from __future__ import annotations

import gc
import json
import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi import HTTPException as FastAPIHTTPException
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from mltrl.errors import Conflict, Forbidden, MltrlError, NotFound, StoreError, Unauthenticated
from mltrl.jsonout import finite
from mltrl.server.config_oidc import OidcSettings

log = logging.getLogger("mltrl.server")
access_log = logging.getLogger("mltrl.server.access")

#: Environment the worker processes of `mltrl serve --workers N` read their registry and policy from.
ENV_SERVER_DB = "MLTRL_SERVER_DATABASE_URL"
ENV_SERVER_POLICY = "MLTRL_SERVER_POLICY"
#: The configuration's named webhooks (JSON), checked by `mltrl serve` and handed to its workers.
ENV_SERVER_WEBHOOKS = "MLTRL_SERVER_WEBHOOKS_JSON"
#: Request bodies larger than this are refused before they are read (evidence is metrics, not files).
MAX_BODY_BYTES = 1 << 20

_STATUS: list[tuple[type[MltrlError], int]] = [
    (NotFound, 404),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (Conflict, 409),
    (StoreError, 503),
]


def status_of(error: MltrlError) -> int:
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 400


def create_app(
    db: str | None = None,
    *,
    policy: str | Path | None = None,
    oidc: OidcSettings | None = None,
    webhooks: dict[str, str] | None = None,
    freeze_heap: bool = False,
) -> FastAPI:
    """The server over the registry at ``db`` (a URL; default: ``$MLTRL_DATABASE_URL`` or the
    nearest ``.mltrl/``). The registry is opened, and its schema checked, when the app starts.
    With ``oidc``, the dashboard also logs people in through that identity provider; ``webhooks``
    (name -> URL) are the only addresses the API sends alerts to. ``freeze_heap``: a worker
    process of its own (``mltrl serve``) keeps what it loaded at start out of the garbage
    collector's passes (:func:`gc.freeze`)."""
    from mltrl import __version__

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from mltrl.service.registry import Registry

        registry = Registry.open(db, policy=policy)
        registry.catalog  # noqa: B018 - a broken policy stops the start, not the first request
        app.state.registry = registry
        # FastAPI builds each router's request and response models when a request first goes
        # through it; building the schema builds them all now, before the worker takes requests
        # (otherwise every worker's first requests waited for it, ~0.1 s each on two cores).
        app.openapi()
        if freeze_heap:
            # What is loaded by now (modules, models, routes: ~150,000 objects) lives as long as
            # the worker: kept out of the collector's full passes, which otherwise stalled every
            # request of a worker for ~0.1 s each time one ran under load.
            gc.collect()
            gc.freeze()
        log.info("serving the registry at %s", registry.location.display)
        try:
            yield
        finally:
            registry.close()

    app = FastAPI(
        title="mltrl",
        version=__version__,
        description="Machine Learning Technology Readiness Levels: the team server (docs/server.md).",
        lifespan=lifespan,
    )
    app.state.webhooks = dict(webhooks or {})
    _install_errors(app)
    # Inside the access log's middleware (added later, so outer): its own receive wrapper would turn
    # the refusal into a vague error.
    app.add_middleware(_BodyLimit, limit=MAX_BODY_BYTES)
    _install_access_log(app)
    _install_health(app)
    from mltrl.server import (
        routes,
        routes_admin,
        routes_catalog,
        routes_checks,
        routes_history,
        routes_lifecycle,
        routes_monitor,
        routes_monitor_data,
        routes_records,
        routes_teams,
    )

    for module in (
        routes,
        routes_lifecycle,
        routes_history,
        routes_records,
        routes_teams,
        routes_checks,
        routes_monitor,
        routes_monitor_data,
        routes_catalog,
        routes_admin,
    ):
        app.include_router(module.router)
    from mltrl.server.web import mount as mount_dashboard

    mount_dashboard(app, oidc)
    return app


def create_app_from_env() -> FastAPI:
    """The factory each worker of `mltrl serve` calls (uvicorn's ``factory=True``)."""
    from mltrl.server.config_oidc import ENV_HANDOVER

    handed = os.environ.get(ENV_HANDOVER)
    return create_app(
        os.environ.get(ENV_SERVER_DB) or None,
        policy=os.environ.get(ENV_SERVER_POLICY) or None,
        oidc=OidcSettings.model_validate_json(handed) if handed else None,
        webhooks=json.loads(os.environ.get(ENV_SERVER_WEBHOOKS) or "{}"),
        freeze_heap=True,
    )


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse(finite({"error": message, **extra}), status_code=status)


def _refuse(request: Request, status: int, message: str, **extra: Any) -> JSONResponse:
    """The refusal, and its line kept for the access log (which answers 4xx/5xx with their reason)."""
    request.state.error = message
    return _error(status, message, **extra)


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(MltrlError)
    async def refused(request: Request, exc: MltrlError) -> JSONResponse:
        status = status_of(exc)
        extra: dict[str, Any] = {}
        current = getattr(request.state, "current", None)
        if status == 409 and current is not None:
            try:
                extra = current()  # the state as it now stands, so the client can decide again
            except MltrlError:
                extra = {}
        response = _refuse(request, status, exc.message, **extra)
        if status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, exc: RequestValidationError) -> Response:
        if _wants_page(request):  # e.g. /projects/p/reviews/abc typed in the address bar
            return _page(request, 404, "Not found", f"no page {request.url.path}")
        return _refuse(request, 422, _validation_message(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404 and _wants_page(request):
            return _page(request, 404, "Not found", f"no page {request.url.path}")
        if exc.status_code == 404:
            message = f"no route {request.method} {request.url.path} (see /openapi.json)"
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        else:
            message = " ".join(str(exc.detail).split())
        return _refuse(request, exc.status_code, message)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return _refuse(request, 500, "internal error; the server log has the details, nothing was written")


def _wants_page(request: Request) -> bool:
    """A browser asking for a dashboard address (not the REST API): it gets an HTML page, not JSON."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def _page(request: Request, status: int, title: str, message: str) -> Response:
    from mltrl.server.web.session import render

    request.state.error = message
    return render(request, "error.html.j2", status, title=title, message=message)


def _validation_message(exc: RequestValidationError) -> str:
    """The first problem of a malformed request in one line: where it is and what is wrong."""
    errors = exc.errors()
    if not errors:
        return "the request is malformed"
    first = errors[0]
    if tuple(first.get("loc", ())) == ("body",) and first.get("type") in (
        "model_attributes_type",
        "dict_type",
    ):
        return "the request body must be a JSON object (send Content-Type: application/json)"
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body") or "body"
    if first.get("type") == "json_invalid":
        return f"the request body is not valid JSON ({first.get('ctx', {}).get('error', 'parse error')})"
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return f"{where}: {' '.join(str(first.get('msg', 'invalid')).split())}{more}"


def _install_access_log(app: FastAPI) -> None:
    @app.middleware("http")
    async def access(request: Request, call_next):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            response = _refuse(request, 413, f"the request body is larger than {MAX_BODY_BYTES} bytes")
        else:
            response = await call_next(request)
        principal = getattr(request.state, "principal", None)
        access_log.info(
            json.dumps(
                {
                    "method": request.method,
                    "path": request.url.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 2),
                    "user": getattr(principal, "name", None),
                    "token": getattr(principal, "token_prefix", None),
                    "client": request.client.host if request.client else None,
                    **(
                        {"error": getattr(request.state, "error", None)}
                        if response.status_code >= 400
                        else {}
                    ),
                }
            )
        )
        return response


class _BodyLimit:
    """Refuses (413) a body that grows past ``limit`` while it is read: a chunked upload names no
    Content-Length for the access middleware to check up front."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    # FastAPI's own HTTPException: FastAPI passes it through where it reads the body
                    # (any other exception there becomes a vague 400).
                    raise FastAPIHTTPException(413, f"the request body is larger than {self.limit} bytes")
            return message

        await self.app(scope, limited, send)


def _install_health(app: FastAPI) -> None:
    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """The process is up (liveness)."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], responses={503: {"description": "database or schema not ready"}})
    def readyz(request: Request) -> JSONResponse:
        """The database answers and its schema is the one this mltrl expects (readiness)."""
        from mltrl.store._revision import HEAD_REVISION
        from mltrl.store.reader import open_reader

        try:
            with open_reader(request.app.state.registry.location):
                pass  # opening checks that the database answers and holds this mltrl's schema
        except MltrlError as exc:
            return _error(503, exc.message)
        return JSONResponse({"status": "ready", "revision": HEAD_REVISION})
