"""Log in through the organisation's OpenID Connect provider (docs/server.md).

Authlib's Starlette client runs the authorization-code flow: PKCE (S256), ``state`` and ``nonce``
kept in a short-lived signed cookie of this browser (so the login ends on any worker), and the ID
token's signature (the provider's JWKS), issuer, audience, expiry and nonce checked before a claim
is read. Which mltrl user the identity is, and whether they may log in, is the service's word
(:mod:`mltrl.service.oidc`); the session it opens is the password login's.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from starlette.middleware.sessions import SessionMiddleware

from mltrl.errors import MltrlError
from mltrl.server.config_oidc import ENV_STATE_KEY, OidcSettings
from mltrl.server.security import base_registry
from mltrl.server.web.login import next_page, start_session
from mltrl.server.web.session import ENV_SECURE_COOKIE, WebRoute, render
from mltrl.service.oidc import VerifiedIdentity
from mltrl.service.registry import acting_as

router = APIRouter(route_class=WebRoute, include_in_schema=False)
#: The cookie holding a login in progress (state, nonce, PKCE verifier, where to go after): signed,
#: HttpOnly, gone after ten minutes or when the login ends.
STATE_COOKIE = "mltrl_oidc"
STATE_SECONDS = 600
CALLBACK = "/login/oidc/callback"


def install(app: FastAPI, settings: OidcSettings | None) -> None:
    """The OIDC login on ``app`` when ``settings`` configure one (else its routes answer 404)."""
    app.state.oidc = settings
    app.include_router(router)
    if settings is None:
        return
    app.add_middleware(
        SessionMiddleware,
        secret_key=os.environ.get(ENV_STATE_KEY) or secrets.token_urlsafe(32),
        session_cookie=STATE_COOKIE,
        max_age=STATE_SECONDS,
        same_site="lax",  # the provider sends the browser back with a top-level GET: lax lets it through
        # Secure when the browser comes back over https: the callback registered at the provider
        # says so (a proxy ending TLS hides it from the request), or the operator does.
        https_only=(settings.redirect_url or "").startswith("https://")
        or os.environ.get(ENV_SECURE_COOKIE, "") == "1",
    )
    oauth = _oauth()
    app.state.oidc_client = oauth.register(
        "idp",
        client_id=settings.client_id,
        client_secret=settings.client_secret(),
        server_metadata_url=settings.discovery_url,
        client_kwargs={
            "scope": " ".join(settings.scopes),
            "code_challenge_method": "S256",
            "timeout": settings.timeout,
            # A public client (no secret) proves itself by PKCE alone.
            **({} if settings.client_secret() else {"token_endpoint_auth_method": "none"}),
        },
    )


@router.get("/login/oidc")
async def begin(request: Request, next: str = "/") -> Response:
    settings, client = _configured(request)
    try:
        await _metadata(settings, client)
        request.session.clear()  # a login begun earlier in this browser is abandoned
        request.session["next"] = next_page(next)
        response: Response = await client.authorize_redirect(request, _callback_url(request, settings))
        return response
    except _ProviderDown as exc:
        return _refused(request, 502, str(exc))


@router.get(CALLBACK)
async def callback(request: Request) -> Response:
    from authlib.integrations.base_client import MismatchingStateError, OAuthError
    from joserfc.errors import JoseError

    settings, client = _configured(request)
    target = next_page(str(request.session.get("next", "/")))
    if "error" in request.query_params:  # the provider refused, or the person cancelled there
        described = request.query_params.get("error_description") or request.query_params["error"]
        return _refused(request, 400, f"{settings.label} refused the login: {_line(described)}", target)
    try:
        await _metadata(settings, client)
        token = await client.authorize_access_token(request, claims_options=_claims_options(settings))
        claims = dict(token.get("userinfo") or {})
        if not claims:
            return _refused(request, 502, f"{settings.label} sent no ID token; is the openid scope allowed?")
        if settings.user_claim not in claims:
            claims = await _with_userinfo(client, token, claims)
    except MismatchingStateError:
        message = (
            "the login's state does not match this browser's (expired, replayed or forged); log in again"
        )
        return _refused(request, 400, message, target)
    except OAuthError as exc:
        return _refused(
            request, 400, f"{settings.label} refused the login: {_line(exc.description or exc.error)}"
        )
    except JoseError as exc:
        # A bad signature, another issuer or audience, an expired token, a wrong nonce: never trusted.
        return _refused(request, 400, f"the ID token from {settings.label} failed verification: {_jose(exc)}")
    except _ProviderDown as exc:
        return _refused(request, 502, str(exc), target)
    except _http_errors() as exc:
        return _refused(
            request, 502, f"{settings.label} did not answer: {_line(str(exc)) or type(exc).__name__}"
        )
    who = VerifiedIdentity.from_claims(str(claims["iss"]), claims, settings.user_claim)
    sessions = acting_as(base_registry(request), "oidc-login", "oidc").sessions
    try:
        browser, secret = sessions.login_oidc(
            who,
            auto_create=settings.auto_create_users,
            client=request.client.host if request.client else "unknown",
            user_agent=request.headers.get("user-agent", ""),
            id_token=token.get("id_token"),
        )
    except MltrlError as exc:
        from mltrl.server.app import status_of

        return _refused(request, status_of(exc), exc.message, target)
    request.session.clear()
    request.state.principal = browser.principal
    return start_session(request, secret, target)


async def provider_logout_url(request: Request, issuer: str, id_token: str | None) -> str | None:
    """Where to send a browser whose session came from ``issuer`` once mltrl's own session ended:
    the provider's ``end_session_endpoint`` (OpenID Connect RP-Initiated Logout), so the person is
    logged out there too and comes back to mltrl's login page. None (mltrl's login page at once)
    when this server does not log out at providers, the session came from another one, or the
    provider has no such endpoint or does not answer: the local logout has happened either way."""
    from urllib.parse import urlencode

    settings: OidcSettings | None = getattr(request.app.state, "oidc", None)
    if settings is None or not settings.provider_logout or issuer != settings.issuer:
        return None
    try:
        metadata = await _metadata(settings, request.app.state.oidc_client)
    except _ProviderDown as exc:
        request.state.error = f"logged out here only: {exc}"  # the access log says why
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        return None
    back = _callback_url(request, settings).removesuffix(CALLBACK) + "/login"
    hint = {"id_token_hint": id_token} if id_token else {}
    query = urlencode({"client_id": settings.client_id, "post_logout_redirect_uri": back, **hint})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def _claims_options(settings: OidcSettings) -> dict[str, Any]:
    """What the ID token must say beyond its signature, expiry and nonce: this issuer, and this
    client among its audience. Authlib checks the audience only through ``azp`` by default, so a
    token issued to another client that names us as its authorized party would pass; not here."""
    return {
        "iss": {"essential": True, "values": [settings.issuer]},
        "aud": {"essential": True, "values": [settings.client_id]},
    }


def _oauth() -> Any:
    """Authlib's Starlette client registry, imported without its deprecation notice: Authlib 1.9
    prints one (unstructured, on every worker's stderr) when it fetches with httpx, not httpx2."""
    import warnings

    with warnings.catch_warnings():
        import authlib.deprecate  # noqa: F401 - it turns its own warnings on; ours goes in front

        warnings.simplefilter("ignore", DeprecationWarning)
        from authlib.integrations.starlette_client import OAuth

    return OAuth()


class _ProviderDown(Exception):
    """The provider did not answer, or answered what no provider should: HTTP 502."""


def _configured(request: Request) -> tuple[OidcSettings, Any]:
    from mltrl.errors import NotFound

    settings: OidcSettings | None = getattr(request.app.state, "oidc", None)
    if settings is None:
        raise NotFound("this server has no OIDC login; log in with your user name and password")
    return settings, request.app.state.oidc_client


async def _metadata(settings: OidcSettings, client: Any) -> dict[str, Any]:
    """The provider's discovery document (fetched once per worker), checked to be the configured
    issuer's: one that names another issuer could mix up whose tokens are trusted."""
    try:
        metadata: dict[str, Any] = await client.load_server_metadata()
    except (*_http_errors(), ValueError) as exc:
        client.server_metadata = {}
        raise _ProviderDown(
            f"{settings.label} did not answer at {settings.discovery_url}: {_line(str(exc))}"
        ) from None
    if metadata.get("issuer") != settings.issuer:
        client.server_metadata = {}  # fetched again next time, in case the provider is being fixed
        raise _ProviderDown(
            f"the discovery document names the issuer {metadata.get('issuer')!r}, not {settings.issuer!r}"
        )
    return metadata


async def _with_userinfo(client: Any, token: dict[str, Any], claims: dict[str, Any]) -> dict[str, Any]:
    """Some providers send the mapped claim only from their userinfo endpoint; it must be the same person."""
    metadata = await client.load_server_metadata()
    if not metadata.get("userinfo_endpoint"):
        return claims
    try:
        extra = dict(await client.userinfo(token=token))
    except _http_errors() as exc:
        raise _ProviderDown(f"the provider's userinfo endpoint did not answer: {_line(str(exc))}") from None
    return {**extra, **claims} if extra.get("sub") == claims.get("sub") else claims


def _http_errors() -> tuple[type[Exception], ...]:
    """What a failed request to the provider raises: Authlib fetches with httpx2 when it is
    installed, else with httpx."""
    import httpx

    try:
        import httpx2  # type: ignore[import-not-found]
    except ImportError:
        return (httpx.HTTPError,)
    return (httpx.HTTPError, httpx2.HTTPError)


def _callback_url(request: Request, settings: OidcSettings) -> str:
    if settings.redirect_url:
        return settings.redirect_url
    # This server's address as the browser reached it (X-Forwarded-* when --proxy-headers is on).
    return str(request.base_url).rstrip("/") + CALLBACK


def _refused(request: Request, status: int, message: str, target: str = "/") -> Response:
    """The login page again, with the reason in one line; the login in progress is dropped."""
    request.session.clear()
    request.state.error = message  # the access log names it
    return render(request, "login.html.j2", status, next=target, error=message, name="")


def _jose(exc: Exception) -> str:
    """joserfc's reason, in words a person can act on (its bad signature has no description)."""
    error, description = getattr(exc, "error", ""), getattr(exc, "description", "")
    if error == "bad_signature":
        return "its signature is not one of the provider's keys (altered on the way?)"
    return _line(description or error or type(exc).__name__)


def _line(text: str) -> str:
    return " ".join(str(text).split())[:300]
