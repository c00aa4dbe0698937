"""The users, tokens and roles part of the :class:`~mltrl.service.registry.Registry` API."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from mltrl.service import identities, inputs
from mltrl.service._store import Store
from mltrl.service.authorization import Principal
from mltrl.service.identities import RoleRecord, TokenRecord, UserRecord

if TYPE_CHECKING:
    from mltrl.service.registry import Registry


def acting_as(registry: Registry, actor: str, via: str | None = None) -> Registry:
    """``registry`` (same engine, policy and catalogue) acting as ``actor``, with its own transaction
    state: the team server makes one per request, so concurrent requests never share an open
    transaction (a :class:`Store` joins the write it has open)."""
    clone = type(registry)(
        Store(registry._store.engine, registry.location), actor=actor, policy=registry._policy
    )
    clone._catalog = registry.catalog
    clone.via = via or registry.via
    return clone


class IdentityAPI:
    """Users of the team server, their API tokens and their roles per project (docs/server.md).

    ``IdentityAPI(reg)``: a resource over a registry, as the Python API is growing (DESIGN.md §7);
    every write runs in the registry's transaction, acting as its actor.
    """

    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    def _write(self, use_case: Any, *args: Any, **kwargs: Any) -> Any:
        return self._registry._write(use_case, *args, **kwargs)

    def _read(self, view: Any, *args: Any, **kwargs: Any) -> Any:
        return self._registry._read(view, *args, **kwargs)

    def add_user(
        self, name: str, *, display_name: str = "", password: str | None = None, is_admin: bool = False
    ) -> UserRecord:
        """A user who can be given tokens and roles; with ``password``, one who can log in."""
        return self._write(
            identities.add_user, name, display_name=display_name, password=password, is_admin=is_admin
        )

    def users(self) -> list[UserRecord]:
        return self._read(identities.users)

    def user(self, name: str) -> UserRecord:
        return self._read(identities.user, name)

    def disable_user(self, name: str) -> UserRecord:
        return self._write(identities.disable_user, name)

    def check_password(self, name: str, password: str) -> UserRecord:
        return self._read(identities.check_password, name, password)

    def grant_role(
        self, name: str, project: str, role: str, *, min_level: int = 0, max_level: int = 9
    ) -> RoleRecord:
        """``role`` (viewer, contributor, reviewer, approver, admin) on ``project``, for components at
        levels ``min_level``..``max_level``."""
        return self._write(
            identities.grant_role, name, project, role, min_level=min_level, max_level=max_level
        )

    def revoke_role(self, name: str, project: str, role: str) -> None:
        self._write(identities.revoke_role, name, project, role)

    def roles(self, *, project: str | None = None, name: str | None = None) -> list[RoleRecord]:
        return self._read(lambda r: identities.roles(r, project=project, name=name))

    def create_token(
        self,
        name: str,
        *,
        projects: list[str] | None = None,
        scopes: list[str],
        expires: str | None = None,
        label: str = "",
    ) -> tuple[TokenRecord, str]:
        """A token for ``name`` and its secret (shown once; only a hash is kept)."""
        return self._write(
            identities.create_token,
            name,
            projects=projects or [],
            scopes=scopes,
            expires=expires,
            label=label,
        )

    def tokens(self, name: str | None = None) -> list[TokenRecord]:
        return self._read(lambda r: identities.tokens(r, name=name))

    def revoke_token(self, prefix: str) -> TokenRecord:
        return self._write(identities.revoke_token, prefix)

    def link_oidc(
        self, name: str, *, issuer: str, subject: str | None = None, claim: str | None = None
    ) -> Any:
        """Tie ``name`` to an identity at the OIDC provider ``issuer``: its ``subject``, or the value
        of the mapped claim its first login will carry (docs/server.md)."""
        from mltrl.service import oidc

        return self._write(oidc.prepare_link, name, issuer=issuer, subject=subject, claim=claim)

    def unlink_oidc(self, name: str, *, issuer: str | None = None) -> Any:
        """Forget ``name``'s OIDC identities (at ``issuer``, or all): the next login links anew."""
        from mltrl.service import oidc

        return self._write(oidc.unlink, name, issuer=issuer)

    def oidc_identities(self, name: str | None = None) -> Any:
        from mltrl.service import oidc

        return self._read(oidc.identities_of, name)

    def member(self, name: str, what: str = "person") -> Principal:
        """An enabled user with their roles (every scope): whom a panel may hold on the server."""

        def view(r):  # type: ignore[no-untyped-def]
            return identities.principal(r, identities.must_be_user(r, name, what))

        return self._read(view)

    def authenticate(self, secret: str, *, now: datetime | None = None) -> Principal:
        """The principal a bearer token stands for; notes when the token was last used."""
        moment = now or inputs.now()
        principal, token = self._read(identities.authenticate, secret, moment)
        if token.last_used_at is None or moment - token.last_used_at >= identities.TOUCH_EVERY:
            self._write(identities.touch_token, token.id, moment)
        return principal
