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
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

from server_site import free_port


@dataclass
class Provider:
    """The provider's issuer URL, what it was sent, and how it should misbehave (None: it does not)."""

    issuer: str
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    misbehave: str | None = None  # "tamper-id-token" or "other-nonce"

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
        if path == "/oauth2/token":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            self.provider.token_requests.append({k: v[0] for k, v in parse_qs(body.decode()).items()})
            import io

            environ["wsgi.input"] = io.BytesIO(body)
            if self.provider.misbehave == "tamper-id-token":
                return self._tampered(environ, start_response)
        return self.app(environ, start_response)

    def _tampered(self, environ: dict[str, Any], start_response: Any) -> Any:
        captured: dict[str, Any] = {}

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured.update(status=status, headers=headers)
            return lambda data: None

        body = json.loads(b"".join(self.app(environ, keep)))
        if "id_token" in body:
            head, payload, signature = body["id_token"].split(".")
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            claims["preferred_username"] = "root"  # an attacker's wish: be the site admin
            forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
            body["id_token"] = f"{head}.{forged}.{signature}"
        data = json.dumps(body).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(data)))])
        return [data]


@contextmanager
def oidc_provider() -> Iterator[Provider]:
    """The provider, serving on 127.0.0.1 from a thread of the test process until the block ends."""
    import oidc_provider_mock
    import werkzeug.serving

    # The provider refuses plain http unless told this is a test; the loopback has no TLS.
    previous = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    port = free_port()
    provider = Provider(issuer=f"http://127.0.0.1:{port}")
    app = oidc_provider_mock.app(require_nonce=True)
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
