"""Who is at the browser: the session cookie, the CSRF check, and pages rendered for them.

Every page and form is served through :class:`WebRoute`: a refusal of the service layer (the same
one-line message as the CLI) becomes an HTML page with the same status the API would answer, and
a request without a live session is sent to the login page.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape

from mltrl.errors import Forbidden, MltrlError, Unauthenticated
from mltrl.server.security import Caller, base_registry
from mltrl.service.authorization import Principal
from mltrl.service.registry import acting_as
from mltrl.service.sessions import Browser, same

COOKIE = "mltrl_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
#: "1" marks the session cookie Secure even when the server itself sees plain http (TLS ends at a
#: proxy that does not pass X-Forwarded-Proto); an https request always gets a Secure cookie.
ENV_SECURE_COOKIE = "MLTRL_SECURE_COOKIE"

#: Scripts only from this server (htmx, vendored): an injected <script> would not run even if
#: something escaped the templates' autoescape; no other site may frame a page (clickjacking).
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'self'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html", "j2"], default=True),  # every value escaped, always
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class WebCaller(Caller):
    """A logged-in browser: the principal, a registry acting as them, and the session's CSRF token."""

    browser: Browser | None = None

    @property
    def csrf(self) -> str:
        return self.browser.csrf if self.browser else ""


class LoginNeeded(Exception):
    """No live session: the browser goes to the login page (and comes back after)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def web_user(request: Request) -> WebCaller:
    secret = request.cookies.get(COOKIE, "")
    registry = base_registry(request)
    try:
        found = acting_as(registry, "mltrl-server").sessions.browser(secret)
    except Unauthenticated as exc:
        raise LoginNeeded("" if not secret else exc.message) from None
    request.state.principal = found.principal  # for the access log
    # The audit names the browser session every write of this request came from (docs/trust.md).
    acting = acting_as(registry, found.principal.name, f"session:{found.session.id}")
    user = WebCaller(found.principal, acting, found)
    request.state.web_user = user  # for the error page's header
    return user


async def checked_form(request: Request, user: WebCaller) -> dict[str, str]:
    """The form of a state-changing request, once its CSRF token is this session's; else 403 and
    nothing is read further, let alone written."""
    form = await request.form()
    sent = request.headers.get(CSRF_HEADER) or str(form.get(CSRF_FIELD, ""))
    if not sent or not same(sent, user.csrf):
        raise Forbidden("the form's CSRF token is missing or wrong; reload the page and try again")
    return {key: str(value) for key, value in form.multi_items() if key != CSRF_FIELD}


def render(request: Request, template: str, code: int = 200, **context: Any) -> HTMLResponse:
    user: WebCaller | None = context.pop("user", None)
    html = _templates.get_template(template).render(
        request=request,
        user=user,
        principal=user.principal if user else None,
        csrf=user.csrf if user else "",
        **context,
    )
    return HTMLResponse(html, status_code=code, headers=security_headers(request))


def security_headers(request: Request) -> dict[str, str]:
    """:data:`SECURITY_HEADERS`; on a server that logs out at its OIDC provider, the page's forms
    may also lead there: the browser enforces ``form-action`` on the redirect the logout form
    gets, so without the provider's origin it would stay on the page (logged out here only)."""
    settings = getattr(request.app.state, "oidc", None)
    if settings is None or not settings.provider_logout:
        return SECURITY_HEADERS
    origins = {_origin(settings.issuer)}
    client = getattr(request.app.state, "oidc_client", None)
    endpoint = (getattr(client, "server_metadata", None) or {}).get("end_session_endpoint")
    if isinstance(endpoint, str) and endpoint.startswith(("https://", "http://")):
        origins.add(_origin(endpoint))  # known once this worker read the discovery document
    policy = SECURITY_HEADERS["Content-Security-Policy"].replace(
        "form-action 'self'", "form-action 'self' " + " ".join(sorted(origins))
    )
    return {**SECURITY_HEADERS, "Content-Security-Policy": policy}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def redirect(url: str) -> Response:
    """After a successful form: back to a page (303, so the browser GETs it)."""
    return RedirectResponse(url, status_code=303)


def secure_cookie(request: Request) -> bool:
    return request.url.scheme == "https" or os.environ.get(ENV_SECURE_COOKIE, "") == "1"


def display(principal: Principal) -> str:
    return principal.display_name or principal.name


class WebRoute(APIRoute):
    """Pages: a refusal is an HTML page with the API's status, no session is a trip to the login."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            from mltrl.server.app import status_of

            try:
                return await handler(request)
            except LoginNeeded as exc:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                where = f"/login?next={quote(target if request.method == 'GET' else '/')}"
                if exc.reason:
                    where += f"&reason={quote(exc.reason)}"
                response = RedirectResponse(where, status_code=303)
                if request.headers.get("HX-Request"):
                    response.headers["HX-Redirect"] = where  # htmx would swap the login page in place
                return response
            except MltrlError as exc:
                user = getattr(request.state, "web_user", None)
                return render(request, "error.html.j2", status_of(exc), message=exc.message, user=user)

        return page
