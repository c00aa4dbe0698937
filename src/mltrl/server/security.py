"""Who is asking: the bearer token becomes a principal, and the principal the actor of every write."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBasic, HTTPBasicCredentials, HTTPBearer

from mltrl.errors import Forbidden, Unauthenticated
from mltrl.service.authorization import Action, Principal, Scope
from mltrl.service.registry import Registry, acting_as

#: Declares the scheme in the OpenAPI schema; the refusal itself is ours (one line, 401).
_bearer = HTTPBearer(auto_error=False, description="An API token from `mltrl token create`")
#: Only to mint a token with one's password (POST /api/v1/tokens); every other route takes a token.
_basic = HTTPBasic(auto_error=False, description="User name and password, to create a token")


@dataclass(frozen=True)
class Caller:
    """The authenticated principal and a registry acting as them (own transaction state)."""

    principal: Principal
    registry: Registry

    def require(self, action: Action, project: str, level: int | None = None) -> None:
        """Refuse (403) unless the principal's roles and token allow ``action`` on ``project``."""
        reason = self.principal.denial(action, project, level)
        if reason is not None:
            raise Forbidden(reason)

    def require_site_admin(self, what: str) -> None:
        """Refuse (403) unless a site admin asks with an admin-scoped token: ``what`` (creating a
        project, managing the server's users ...) is no project's, so no project role can cover it."""
        if Scope.ADMIN not in self.principal.scopes:
            raise Forbidden(f"{what} needs a token with the admin scope")
        if not self.principal.is_admin:
            raise Forbidden(f"{self.principal.name} is not a site admin; only a site admin may {what}")


def base_registry(request: Request) -> Registry:
    return request.app.state.registry  # type: ignore[no-any-return]


def caller(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> Caller:
    if credentials is None:
        raise Unauthenticated(
            "this request needs an `Authorization: Bearer <token>` header (`mltrl token create`)"
        )
    registry = base_registry(request)
    # Its own Store, like every per-request registry: the base registry is shared by all threads,
    # and a Store hands its open write transaction to any read made while it is open.
    principal = acting_as(registry, "mltrl-server").tokens.authenticate(credentials.credentials)
    request.state.principal = principal  # for the access log
    return Caller(principal, acting_as(registry, principal.name, f"token:{principal.token_prefix}"))


def password_user(request: Request, credentials: HTTPBasicCredentials | None = Depends(_basic)) -> Caller:
    """The user whose name and password came with the request (checked with argon2, here only)."""
    if credentials is None:
        raise Unauthenticated("creating a token needs the user name and password (HTTP Basic)")
    registry = base_registry(request)
    # Throttled like the dashboard's login: a password guessed here waits the same back-off.
    client = request.client.host if request.client else "unknown"
    user = acting_as(registry, "mltrl-server").sessions.check_password(
        credentials.username, credentials.password, client=client
    )
    on_behalf = acting_as(registry, user.name, "password")
    principal = on_behalf.users.member(user.name, "user")
    request.state.principal = principal
    return Caller(principal, on_behalf)
