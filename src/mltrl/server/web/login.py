"""Log in with a user name and password (argon2, once), log out; the session lives in a cookie."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from mltrl.errors import Unauthenticated
from mltrl.server.security import base_registry
from mltrl.server.web.session import (
    COOKIE,
    WebCaller,
    WebRoute,
    checked_form,
    redirect,
    render,
    secure_cookie,
    web_user,
)
from mltrl.service.registry import acting_as
from mltrl.service.sessions import SESSION_HOURS

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def next_page(value: str) -> str:
    # Only a path of this site: an open redirect would hand the fresh session's user to anyone.
    return value if value.startswith("/") and not value.startswith(("//", "/\\")) else "/"


def _same_origin(request: Request) -> bool:
    """No Origin header (an older client, a script) or this server's own host, as the browser
    addressed it (the scheme is not compared: behind a TLS proxy the server may see plain http)."""
    from urllib.parse import urlsplit

    origin = request.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")


@router.get("/login")
def login_page(request: Request, next: str = "/", reason: str = "") -> Response:
    return render(request, "login.html.j2", next=next_page(next), error=reason, name="")


@router.post("/login")
async def login(request: Request) -> Response:
    if not _same_origin(request):
        # A login posted from another site (login CSRF: the victim would work in the attacker's account).
        page = render(
            request,
            "login.html.j2",
            403,
            next="/",
            error="a login must come from this site's own form",
            name="",
        )
        return page
    form = await request.form()
    name, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
    target = next_page(str(form.get("next", "/")))
    client = request.client.host if request.client else "unknown"
    registry = acting_as(base_registry(request), name or "anonymous")
    try:
        browser, secret = registry.sessions.login(
            name, password, client=client, user_agent=request.headers.get("user-agent", "")
        )
    except Unauthenticated as exc:
        page = render(request, "login.html.j2", 401, next=target, error=exc.message, name=name)
        return page
    request.state.principal = browser.principal
    return start_session(request, secret, target)


def start_session(request: Request, secret: str, target: str) -> Response:
    """To ``target`` with the new session's cookie: the same for a password and an OIDC login."""
    response = redirect(target)
    response.set_cookie(
        COOKIE,
        secret,
        max_age=SESSION_HOURS * 3600,
        httponly=True,  # no script reads it, so an injected one could not steal it
        samesite="lax",  # not sent on another site's POST
        secure=secure_cookie(request),
        path="/",
    )
    return response


@router.post("/logout")
async def logout(request: Request, user: WebCaller = Depends(web_user)) -> Response:
    await checked_form(request, user)
    target = None
    if user.browser is not None:
        ended, id_token = user.registry.sessions.log_out(user.browser.session.id)
        if ended.issuer is not None:
            from mltrl.server.web.oidc_login import provider_logout_url  # (it imports this module)

            target = await provider_logout_url(request, ended.issuer, id_token)
    response = redirect(target or "/login")
    response.delete_cookie(COOKIE, path="/")
    return response
