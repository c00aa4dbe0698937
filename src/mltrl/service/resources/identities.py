"""``reg.users``, ``reg.roles`` and ``reg.tokens``: the people of the team server (docs/server.md);
``/tokens``, ``/projects/{key}/roles`` and ``/me``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mltrl.service import identities, inputs
from mltrl.service.authorization import Principal
from mltrl.service.identities import RoleRecord, TokenRecord, UserRecord
from mltrl.service.resources._base import Resource


class Users(Resource):
    """Users who can be given tokens and roles (``mltrl user``)."""

    def add(
        self, name: str, *, display_name: str = "", password: str | None = None, is_admin: bool = False
    ) -> UserRecord:
        """A user who can be given tokens and roles; with ``password``, one who can log in."""
        return self._write(
            identities.add_user, name, display_name=display_name, password=password, is_admin=is_admin
        )

    def get(self, name: str) -> UserRecord:
        """One user (``NotFound`` when there is none)."""
        return self._read(identities.user, name)

    def disable(self, name: str) -> UserRecord:
        """The user can no longer log in; their tokens stop working at once."""
        return self._write(identities.disable_user, name)

    def check_password(self, name: str, password: str) -> UserRecord:
        """The user when ``password`` is theirs (no back-off: the server asks ``reg.sessions``)."""
        return self._read(identities.check_password, name, password)

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
        """The OIDC identities linked to ``name`` (or to everyone)."""
        from mltrl.service import oidc

        return self._read(oidc.identities_of, name)

    def member(self, name: str, what: str = "person") -> Principal:
        """An enabled user with their roles (every scope): whom a panel may hold on the server."""

        def view(r):  # type: ignore[no-untyped-def]
            return identities.principal(r, identities.must_be_user(r, name, what))

        return self._read(view)

    def list(self) -> list[UserRecord]:
        """Every user, enabled or not."""
        return self._read(identities.users)


class Roles(Resource):
    """Roles per project (``/projects/{key}/roles``, ``mltrl role``)."""

    def grant(
        self, name: str, project: str, role: str, *, min_level: int = 0, max_level: int = 9
    ) -> RoleRecord:
        """``role`` (viewer, contributor, reviewer, approver, admin) on ``project``, for components at
        levels ``min_level``..``max_level`` (``POST /projects/{key}/roles``)."""
        return self._write(
            identities.grant_role, name, project, role, min_level=min_level, max_level=max_level
        )

    def revoke(self, name: str, project: str, role: str) -> None:
        """``DELETE /projects/{key}/roles/{user}/{role}``"""
        self._write(identities.revoke_role, name, project, role)

    def list(self, *, project: str | None = None, name: str | None = None) -> list[RoleRecord]:
        """``GET /projects/{key}/roles``"""
        return self._read(lambda r: identities.roles(r, project=project, name=name))


class Tokens(Resource):
    """API tokens (``/tokens``, ``mltrl token``): a secret shown once, only a hash kept."""

    def create(
        self,
        name: str,
        *,
        projects: list[str] | None = None,
        scopes: list[str],
        expires: str | None = None,
        label: str = "",
    ) -> tuple[TokenRecord, str]:
        """A token for ``name`` and its secret (``POST /tokens``; shown once, only a hash is kept)."""
        return self._write(
            identities.create_token,
            name,
            projects=projects or [],
            scopes=scopes,
            expires=expires,
            label=label,
        )

    def revoke(self, prefix: str) -> TokenRecord:
        """``DELETE /tokens/{prefix}``"""
        return self._write(identities.revoke_token, prefix)

    def authenticate(self, secret: str, *, now: datetime | None = None) -> Principal:
        """The principal a bearer token stands for (what ``GET /me`` shows); notes when the token
        was last used."""
        moment = now or inputs.now()
        principal, token = self._read(identities.authenticate, secret, moment)
        if token.last_used_at is None or moment - token.last_used_at >= identities.TOUCH_EVERY:
            self._write(identities.touch_token, token.id, moment)
        return principal

    def list(self, name: str | None = None) -> list[TokenRecord]:
        """``GET /tokens``: one's own (``name``), or everyone's."""
        return self._read(lambda r: identities.tokens(r, name=name))
