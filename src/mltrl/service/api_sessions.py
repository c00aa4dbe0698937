"""The browser-session part of the Python API: log in, find who a cookie stands for, log out."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from mltrl.errors import Unauthenticated
from mltrl.service import identities, inputs, sessions
from mltrl.service.identities import UserRecord
from mltrl.service.oidc import VerifiedIdentity
from mltrl.service.sessions import Browser, SessionRecord

if TYPE_CHECKING:
    from mltrl.service.registry import Registry


class SessionAPI:
    """``reg.sessions``: sessions of the dashboard (docs/dashboard.md); writes act as the registry's actor."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    def login(self, name: str, password: str, *, client: str, user_agent: str = "") -> tuple[Browser, str]:
        """A new session when the password is right and no back-off is running; returns it and the
        cookie's secret. A wrong password is counted against the user name and the client address."""
        reg = self._registry
        user = self.check_password(name, password, client=client)
        record, secret, csrf = reg._write(
            lambda unit: sessions.create(unit, user.name, client=client, user_agent=user_agent)
        )
        return Browser(
            reg._read(lambda r: identities.principal(r, identities.user(r, user.name))), record, csrf
        ), secret

    def login_oidc(
        self,
        who: VerifiedIdentity,
        *,
        auto_create: bool = False,
        client: str,
        user_agent: str = "",
        id_token: str | None = None,
    ) -> tuple[Browser, str]:
        """The same session as :meth:`login`, for an identity the server verified at its OIDC
        provider (docs/server.md, "Logging in with your identity provider"): the user it is linked
        to, or is linked to now; refused (nothing written) when there is none or they are disabled.
        ``id_token``: the ID token it came with, handed back to the provider at logout."""
        from mltrl.service import oidc

        reg = self._registry
        record, secret, csrf = reg._write(
            oidc.login,
            who,
            auto_create=auto_create,
            client=client,
            user_agent=user_agent,
            id_token=id_token,
        )
        return Browser(
            reg._read(lambda r: identities.principal(r, identities.user(r, record.user))), record, csrf
        ), secret

    def check_password(self, name: str, password: str, *, client: str) -> UserRecord:
        """The user, when the password is right and no back-off is running: the dashboard's login and
        the API's token route both ask here, so guessing is as slow through either. A wrong password
        is counted against the user name and the client address; a right one clears the count."""
        reg = self._registry
        keys = sessions.subjects(name, client)
        now = inputs.now()
        wait = reg._read(sessions.wait_before_login, keys, now)
        if wait:
            raise Unauthenticated(f"too many failed logins; try again in {wait} s")
        try:
            user: UserRecord = reg._read(identities.check_password, name, password)
        except Unauthenticated:
            reg._write(sessions.note_failure, keys, now)
            raise
        reg._write(sessions.clear_failures, keys)
        return user

    def browser(self, secret: str, *, now: datetime | None = None) -> Browser:
        """Who the cookie ``secret`` stands for; notes when the session was last seen."""
        moment = now or inputs.now()
        found: Browser = self._registry._read(sessions.browser, secret, moment)
        if moment - found.session.last_seen_at >= sessions.TOUCH_EVERY:
            self._registry._write(sessions.touch, found.session.id, moment)
        return found

    def list(self, name: str | None = None) -> list[SessionRecord]:
        """Every session (of ``name``), open or ended (``mltrl user sessions``)."""
        return self._registry._read(lambda r: sessions.sessions(r, name=name))

    def revoke(self, session_id: int) -> SessionRecord:
        return self._registry._write(sessions.revoke, session_id)

    def log_out(self, session_id: int) -> tuple[SessionRecord, str | None]:
        """End one's own session (the dashboard's "Log out"): the session, and the ID token of
        its OIDC login (None for a password login) to end the provider's session with."""
        return self._registry._write(sessions.log_out, session_id)  # type: ignore[no-any-return]

    def revoke_all(self, name: str) -> list[SessionRecord]:
        return self._registry._write(sessions.revoke_all, name)
