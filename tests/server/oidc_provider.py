"""A real OpenID Connect provider on the loopback for the OIDC login tests: oidc-provider-mock
(Authlib's authorization server on Flask: discovery, JWKS, RS256-signed ID tokens, a login form
where one types the subject), behind a small WSGI layer that

- records what the relying party sent (the authorization request, the token request), so a test can
  check PKCE: the verifier sent to the token endpoint hashes to the challenge sent before;
- can misbehave on request, as a compromised network or provider would: change the ID token after
  it was signed, or sign one for another nonce than the browser's.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

from server_site import free_port

#: Another client of the provider, whose tokens must not open a session here.
OTHER_CLIENT = "another-app"


@dataclass
class Provider:
    """The provider's issuer URL, what it was sent, and how it should misbehave (None: it does not)."""

    issuer: str
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    #: "tamper-id-token", "other-nonce", "other-audience" (the token is for another client),
    #: "other-issuer" (the discovery document names another issuer) or "no-end-session" (it names
    #: no end_session_endpoint: a provider without RP-Initiated Logout).
    misbehave: str | None = None

    def set_user(self, sub: str, **claims: Any) -> None:
        """The claims the provider vouches for when someone logs in as ``sub``."""
        import httpx

        answer = httpx.put(f"{self.issuer}/users/{sub}", json=claims, timeout=10)
        assert answer.status_code == 204, answer.text


class _Layer:
    """WSGI middleware in front of the provider (see the module's docstring)."""

    def __init__(self, app: Any, provider: Provider) -> None:
        self.app, self.provider = app, provider

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == "/oauth2/authorize":  # GET shows the form, which posts back to the same query
            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            if environ["REQUEST_METHOD"] == "GET":
                self.provider.authorize_requests.append(query)
            if self.provider.misbehave == "other-nonce":
                # The ID token will be signed, properly, for a nonce this browser never sent.
                environ["QUERY_STRING"] = urlencode({**query, "nonce": "a-nonce-of-another-login"})
            if self.provider.misbehave == "other-audience":
                # ... or for another client of the provider (a token meant for some other app).
                environ["QUERY_STRING"] = urlencode({**query, "client_id": OTHER_CLIENT})
        if path == "/oauth2/token":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            self.provider.token_requests.append({k: v[0] for k, v in parse_qs(body.decode()).items()})
            environ["wsgi.input"] = io.BytesIO(body)
            if self.provider.misbehave == "other-audience":
                secret = base64.b64decode(environ["HTTP_AUTHORIZATION"].split()[1]).decode().split(":", 1)[1]
                basic = base64.b64encode(f"{OTHER_CLIENT}:{secret}".encode()).decode()
                environ["HTTP_AUTHORIZATION"] = f"Basic {basic}"
            if self.provider.misbehave == "tamper-id-token":
                return self._tampered(environ, start_response)
        if path == "/.well-known/openid-configuration" and self.provider.misbehave == "other-issuer":
            return self._rewritten(
                environ, start_response, lambda doc: {**doc, "issuer": "https://evil.test"}
            )
        if path == "/.well-known/openid-configuration" and self.provider.misbehave == "no-end-session":
            return self._rewritten(
                environ,
                start_response,
                lambda doc: {k: v for k, v in doc.items() if k != "end_session_endpoint"},
            )
        return self.app(environ, start_response)

    def _rewritten(self, environ: dict[str, Any], start_response: Any, change: Any) -> Any:
        """The provider's JSON answer, changed after the provider made it."""
        captured: dict[str, Any] = {}

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured.update(status=status, headers=headers)
            return lambda data: None

        data = json.dumps(change(json.loads(b"".join(self.app(environ, keep))))).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(data)))])
        return [data]

    def _tampered(self, environ: dict[str, Any], start_response: Any) -> Any:
        def forge(body: dict[str, Any]) -> dict[str, Any]:
            if "id_token" in body:
                head, payload, signature = body["id_token"].split(".")
                claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
                claims["preferred_username"] = "root"  # an attacker's wish: be the site admin
                forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
                body["id_token"] = f"{head}.{forged}.{signature}"
            return body

        return self._rewritten(environ, start_response, forge)


@contextmanager
def oidc_provider(**settings: Any) -> Iterator[Provider]:
    """The provider, serving on 127.0.0.1 from a thread of the test process until the block ends;
    ``settings`` go to oidc-provider-mock (e.g. ``access_token_max_age``, the ID token's life)."""
    import oidc_provider_mock
    import werkzeug.serving

    # The provider refuses plain http unless told this is a test; the loopback has no TLS.
    previous = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    port = free_port()
    provider = Provider(issuer=f"http://127.0.0.1:{port}")
    app = oidc_provider_mock.app(require_nonce=True, **settings)
    server = werkzeug.serving.make_server("127.0.0.1", port, _Layer(app, provider), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()
        if previous is None:
            os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
        else:
            os.environ["AUTHLIB_INSECURE_TRANSPORT"] = previous


def s256(verifier: str) -> str:
    """The PKCE challenge of ``verifier`` (RFC 7636, S256)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
