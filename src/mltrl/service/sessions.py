"""Browser sessions of the dashboard, and the back-off between failed logins.

A session is made by a login with a password (argon2, :func:`identities.check_password`) or through
the organisation's OpenID Connect provider (:mod:`mltrl.service.oidc`); both make the same session. The
browser holds a random secret in a cookie; the registry keeps only its SHA-256 (as for API tokens:
256 random bits need no slow hash). Each session has its own CSRF synchronizer token, which every
state-changing request of that browser must send back. A session expires (``SESSION_HOURS`` after
login, or sooner when idle for ``IDLE_HOURS``) and can be revoked at once from the command line
(``mltrl user logout``) or by logging out; a disabled user's sessions stop working at once.

Failed logins are counted per user name and per client address. From the ``FREE_FAILURES``-th
failure on, each further attempt must wait twice as long as the previous one (1 s, 2 s, 4 s ...
capped at ``MAX_LOCK``): enough to make guessing slow, never a permanent lock-out an attacker could
inflict on a user.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, update

from mltrl.errors import BadInput, NotFound, Unauthenticated
from mltrl.service import identities, inputs
from mltrl.service._store import Unit
from mltrl.service.authorization import Principal
from mltrl.store import schema
from mltrl.store.reader import Reader, as_utc
from mltrl.store.records import Record

SESSION_HOURS = 12
IDLE_HOURS = 2
#: ``last_seen_at`` is written at most this often, so page views stay reads.
TOUCH_EVERY = timedelta(minutes=1)
FREE_FAILURES = 3
#: Many people may share one address (an office's NAT): an address gets more free failures.
FREE_FAILURES_PER_CLIENT = 10
MAX_LOCK = timedelta(minutes=15)


@dataclass(frozen=True)
class SessionRecord(Record):
    id: int
    user: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    client: str
    user_agent: str
    revoked_at: datetime | None
    revoked_by: str | None
    #: The OIDC provider it was opened through; None for a password login.
    issuer: str | None = None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now or self.last_seen_at + timedelta(hours=IDLE_HOURS) <= now:
            return "expired"
        return "active"


@dataclass(frozen=True)
class Browser:
    """Who a session cookie stands for: the principal, the session and its CSRF token."""

    principal: Principal
    session: SessionRecord
    csrf: str


# --- sessions --------------------------------------------------------------------------------------


def create(
    unit: Unit,
    name: str,
    *,
    client: str,
    user_agent: str,
    method: str = "password",
    detail: dict[str, str] | None = None,
    issuer: str | None = None,
    id_token: str | None = None,
) -> tuple[SessionRecord, str, str]:
    """A new session of ``name`` (already authenticated): returns it, its cookie secret and CSRF token.

    ``method`` (password, oidc) and ``detail`` (the provider and subject of an OIDC login) go in
    the audit, so an admin sees how each session was opened. ``issuer`` and ``id_token``: the
    provider of an OIDC login and the ID token it sent, kept to end its session at logout too."""
    owner = identities.user(unit.reader, name)
    now = inputs.now()
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    result = unit.conn.execute(
        insert(schema.web_sessions).values(
            user_id=owner.id,
            secret_hash=_digest(secret),
            csrf=csrf,
            created_at=now,
            expires_at=now + timedelta(hours=SESSION_HOURS),
            last_seen_at=now,
            client=client[:200],
            user_agent=user_agent[:300],
            issuer=issuer,
            id_token=id_token,
        )
    )
    created = session(unit.reader, result.inserted_primary_key[0])
    # An ID token has no use once its session is over, and an expired session is never logged out:
    # each login drops those of sessions that ran out (a logout or a revocation drops its own).
    table = schema.web_sessions
    unit.conn.execute(
        update(table)
        .where(
            table.c.id_token.is_not(None),
            (table.c.expires_at <= now) | (table.c.last_seen_at <= now - timedelta(hours=IDLE_HOURS)),
        )
        .values(id_token=None)
    )
    # Logins and their ends are in the audit like every other access change (never the secret).
    unit.append_event(
        project_id=None,
        kind="session.login",
        at=now,
        data={
            "user": owner.name,
            "session": created.id,
            "client": client[:200],
            "method": method,
            **(detail or {}),
        },
    )
    return created, secret, csrf


def browser(r: Reader, secret: str, now: datetime) -> Browser:
    """The principal a session cookie stands for, or :class:`Unauthenticated` saying why not."""
    row = r.one(f"{_SELECT} WHERE s.secret_hash = :h", h=_digest(secret)) if secret else None
    if row is None:
        raise Unauthenticated("not logged in")
    found = _session(row)
    state = found.state(now)
    if state != "active":
        raise Unauthenticated(f"the session was {state}; log in again")
    owner = identities.user(r, found.user)
    if owner.disabled_at is not None:
        raise Unauthenticated(f"user {owner.name!r} is disabled")
    return Browser(identities.principal(r, owner), found, row["csrf"])


def touch(unit: Unit, session_id: int, now: datetime) -> None:
    table = schema.web_sessions
    unit.conn.execute(
        update(table)
        .where(table.c.id == session_id, table.c.last_seen_at < now - TOUCH_EVERY)
        .values(last_seen_at=now)
    )


def session(r: Reader, session_id: int) -> SessionRecord:
    row = r.one(f"{_SELECT} WHERE s.id = :i", i=session_id)
    if row is None:
        raise NotFound(f"no session {session_id} (see `mltrl user sessions`)")
    return _session(row)


def sessions(r: Reader, *, name: str | None = None) -> list[SessionRecord]:
    if name is None:
        return [_session(row) for row in r.all(f"{_SELECT} ORDER BY s.id")]
    owner = identities.user(r, name)
    return [_session(row) for row in r.all(f"{_SELECT} WHERE s.user_id = :u ORDER BY s.id", u=owner.id)]


def revoke(unit: Unit, session_id: int) -> SessionRecord:
    found = session(unit.reader, session_id)
    if found.revoked_at is not None:
        raise BadInput(f"session {session_id} is already revoked")
    _revoke(unit, schema.web_sessions.c.id == found.id)
    _ended(unit, found.user, [found.id])
    return session(unit.reader, found.id)


def log_out(unit: Unit, session_id: int) -> tuple[SessionRecord, str | None]:
    """End the session as its own user does, returning it and the ID token its OIDC login came
    with (None for a password login), to hand back to the provider; the token is not kept."""
    token = unit.reader.scalar("SELECT id_token FROM web_sessions WHERE id = :i", i=session_id)
    return revoke(unit, session_id), token


def revoke_all(unit: Unit, name: str) -> list[SessionRecord]:
    """End every live session of ``name``; returns those it ended."""
    owner = identities.user(unit.reader, name)
    now = inputs.now()
    live = [s for s in sessions(unit.reader, name=owner.name) if s.state(now) == "active"]
    if live:
        _revoke(unit, schema.web_sessions.c.id.in_([s.id for s in live]))
        _ended(unit, owner.name, [s.id for s in live])
    return live


def _ended(unit: Unit, user: str, ids: list[int]) -> None:
    unit.append_event(
        project_id=None, kind="session.end", at=inputs.now(), data={"user": user, "sessions": ids}
    )


def _revoke(unit: Unit, where: Any) -> None:
    table = schema.web_sessions
    unit.conn.execute(
        update(table)
        .where(where, table.c.revoked_at.is_(None))
        # An ended session's ID token has no further use: it is not kept.
        .values(revoked_at=inputs.now(), revoked_by=unit.actor, id_token=None)
    )


# --- failed logins ---------------------------------------------------------------------------------


def subjects(name: str, client: str) -> list[str]:
    return [f"user:{name[:150]}", f"client:{client[:150]}"]


def wait_before_login(r: Reader, keys: list[str], now: datetime) -> int:
    """Seconds before another login may be tried for any of ``keys`` (0: now)."""
    rows = r.all(
        "SELECT locked_until FROM login_failures WHERE subject IN ("
        + ", ".join(f":k{i}" for i in range(len(keys)))
        + ")",
        **{f"k{i}": key for i, key in enumerate(keys)},
    )
    until = max((as_utc(row["locked_until"]) for row in rows), default=None)
    if until is None or until <= now:
        return 0
    return max(1, int((until - now).total_seconds() + 0.999))


def note_failure(unit: Unit, keys: list[str], now: datetime) -> None:
    table = schema.login_failures
    for key in keys:
        row = unit.reader.one("SELECT id, failures FROM login_failures WHERE subject = :k", k=key)
        failures = 1 if row is None else row["failures"] + 1
        lock = _lock(failures, FREE_FAILURES if key.startswith("user:") else FREE_FAILURES_PER_CLIENT)
        if row is None:
            unit.conn.execute(
                insert(table).values(subject=key, failures=1, last_failed_at=now, locked_until=now + lock)
            )
        else:
            unit.conn.execute(
                update(table)
                .where(table.c.id == row["id"])
                .values(failures=failures, last_failed_at=now, locked_until=now + lock)
            )


def clear_failures(unit: Unit, keys: list[str]) -> None:
    unit.conn.execute(delete(schema.login_failures).where(schema.login_failures.c.subject.in_(keys)))


def _lock(failures: int, free: int) -> timedelta:
    if failures < free:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(failures - free, 20)), MAX_LOCK)


# --- rows ------------------------------------------------------------------------------------------

_SELECT = (
    "SELECT s.id, u.name AS user, s.csrf, s.created_at, s.expires_at, s.last_seen_at, s.client, "
    "s.user_agent, s.revoked_at, s.revoked_by, s.issuer FROM web_sessions s JOIN users u ON u.id = s.user_id"
)


def _session(row: dict[str, Any]) -> SessionRecord:
    return SessionRecord(
        id=row["id"],
        user=row["user"],
        created_at=as_utc(row["created_at"]),  # type: ignore[arg-type]
        expires_at=as_utc(row["expires_at"]),  # type: ignore[arg-type]
        last_seen_at=as_utc(row["last_seen_at"]),  # type: ignore[arg-type]
        client=row["client"],
        user_agent=row["user_agent"],
        revoked_at=as_utc(row["revoked_at"]),
        revoked_by=row["revoked_by"],
        issuer=row["issuer"],
    )


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two CSRF tokens."""
    return hmac.compare_digest(a.encode(), b.encode())
