"""Users, API tokens and roles per project: who may use the team server, and as whom.

There are no default credentials: the first admin is created from the command line
(``mltrl user add NAME --admin``), by whoever can write to the registry's database anyway.
A user's ``name`` is what the registry records as the actor of their writes and the signer of their
approvals, so it is a short, stable identifier (``mchen``); the display name is for people.

Passwords are hashed with argon2id (argon2-cffi) and checked only at login. API tokens are random
(``secrets``), shown once, and kept only as a SHA-256: the secret has 256 bits of entropy, so a slow
hash adds nothing but a cost to every request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, update

from mltrl.errors import BadInput, Forbidden, NotFound, Unauthenticated
from mltrl.service import inputs, lookup
from mltrl.service._store import Unit
from mltrl.service.authorization import ALL_PROJECTS, Grant, Principal, Role, Scope
from mltrl.store import schema
from mltrl.store.reader import Reader, as_utc
from mltrl.store.records import Record

USER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9._-]{0,99}")
#: What every token starts with, so secret scanners (and people) recognise a leaked one.
TOKEN_MARK = "mltrl_"
#: A token that names no expiry lives this long; none lives forever.
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 366
#: ``last_used_at`` is written at most this often per token, so reads stay reads.
TOUCH_EVERY = timedelta(minutes=1)
_DURATION = re.compile(r"([1-9][0-9]{0,3})([dh])")


@dataclass(frozen=True)
class UserRecord(Record):
    id: int
    name: str
    display_name: str
    is_admin: bool
    created_at: datetime
    created_by: str
    disabled_at: datetime | None


@dataclass(frozen=True)
class TokenRecord(Record):
    id: int
    prefix: str
    user: str
    name: str
    projects: list[str]
    scopes: list[str]
    created_at: datetime
    created_by: str
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"


@dataclass(frozen=True)
class RoleRecord(Record):
    user: str
    project: str
    role: str
    min_level: int
    max_level: int
    granted_at: datetime
    granted_by: str


# --- users -----------------------------------------------------------------------------------------


def user_name(value: str) -> str:
    if not USER_NAME.fullmatch(value or ""):
        raise BadInput(
            f"user name {value!r} is not valid: start with a letter, then letters, digits, '.', '-' or '_' "
            "(at most 100)"
        )
    return value


def hash_password(password: str) -> str:
    from argon2 import PasswordHasher

    if len(password) < 8:
        raise BadInput("the password is shorter than 8 characters")
    if len(password) > 1024:
        raise BadInput("the password is longer than 1024 characters")
    return PasswordHasher().hash(password)


def add_user(
    unit: Unit, name: str, *, display_name: str = "", password: str | None = None, is_admin: bool = False
) -> UserRecord:
    name = user_name(name)
    if _user_row(unit.reader, name) is not None:
        raise BadInput(f"user {name!r} already exists (see `mltrl user list`)")
    display = inputs.text(display_name, "display name") or name
    hashed = None if password is None else hash_password(password)
    unit.conn.execute(
        insert(schema.users).values(
            name=name,
            display_name=display,
            password_hash=hashed,
            is_admin=bool(is_admin),
            created_at=inputs.now(),
            created_by=unit.actor,
        )
    )
    _audit(unit, "user.add", {"user": name, "admin": bool(is_admin), "password": password is not None})
    return user(unit.reader, name)


def user(r: Reader, name: str) -> UserRecord:
    row = _user_row(r, name)
    if row is None:
        raise NotFound(f"no user {name!r} (see `mltrl user list`)")
    return _user(row)


def users(r: Reader) -> list[UserRecord]:
    return [_user(row) for row in r.all(f"{_USER_SELECT} ORDER BY name")]


def disable_user(unit: Unit, name: str) -> UserRecord:
    """A disabled user can no longer log in or use any token; what they did stays theirs."""
    found = user(unit.reader, name)
    if found.disabled_at is not None:
        raise BadInput(f"user {name!r} is already disabled")
    unit.conn.execute(
        update(schema.users)
        .where(schema.users.c.id == found.id)
        .values(disabled_at=inputs.now(), disabled_by=unit.actor)
    )
    _audit(unit, "user.disable", {"user": name})
    return user(unit.reader, name)


def check_password(r: Reader, name: str, password: str) -> UserRecord:
    """The user, when ``password`` is theirs and they are enabled; else one refusal that says no more."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    row = _user_row(r, name) if USER_NAME.fullmatch(name or "") else None
    refused = Unauthenticated("wrong user name or password")
    if row is None or row["password_hash"] is None or row["disabled_at"] is not None:
        raise refused
    try:
        PasswordHasher().verify(row["password_hash"], password)
    except (VerificationError, InvalidHashError):
        raise refused from None
    return _user(row)


# --- roles -----------------------------------------------------------------------------------------


def grant_role(
    unit: Unit, name: str, project: str, role: str, *, min_level: int = 0, max_level: int = 9
) -> RoleRecord:
    found = user(unit.reader, name)
    key = lookup.project(unit.reader, project)
    value = inputs.choice(Role, role, "role")
    for bound, field in ((min_level, "--from-level"), (max_level, "--to-level")):
        if not isinstance(bound, int) or isinstance(bound, bool) or not 0 <= bound <= 9:
            raise BadInput(f"{field}: {bound!r} is not a level from 0 to 9")
    if min_level > max_level:
        raise BadInput(f"--from-level {min_level} is above --to-level {max_level}")
    existing = unit.reader.one(
        "SELECT id FROM project_roles WHERE user_id = :u AND project_id = :p AND role = :role",
        u=found.id,
        p=key.id,
        role=str(value),
    )
    if existing is not None:
        raise BadInput(f"{name} already holds {value} on {key.key}; revoke it first to change its levels")
    unit.conn.execute(
        insert(schema.project_roles).values(
            user_id=found.id,
            project_id=key.id,
            role=str(value),
            min_level=min_level,
            max_level=max_level,
            granted_at=inputs.now(),
            granted_by=unit.actor,
        )
    )
    grant = {"user": name, "role": str(value), "min_level": min_level, "max_level": max_level}
    _audit(unit, "role.grant", grant, project_id=key.id)
    return next(g for g in roles(unit.reader, project=key.key, name=name) if g.role == str(value))


def revoke_role(unit: Unit, name: str, project: str, role: str) -> None:
    found = user(unit.reader, name)
    key = lookup.project(unit.reader, project)
    value = inputs.choice(Role, role, "role")
    table = schema.project_roles
    gone = unit.conn.execute(
        delete(table).where(
            table.c.user_id == found.id, table.c.project_id == key.id, table.c.role == str(value)
        )
    ).rowcount
    if not gone:
        raise NotFound(f"{name} holds no {value} role on {key.key}")
    _audit(unit, "role.revoke", {"user": name, "role": str(value)}, project_id=key.id)


def roles(r: Reader, *, project: str | None = None, name: str | None = None) -> list[RoleRecord]:
    where, params = [], {}
    if project is not None:
        where.append("p.key = :project")
        params["project"] = lookup.project(r, project).key
    if name is not None:
        where.append("u.name = :name")
        params["name"] = user(r, name).name
    return _roles_where(r, where, params)


def _roles_where(r: Reader, where: list[str], params: dict[str, Any]) -> list[RoleRecord]:
    sql = (
        "SELECT u.name AS user, p.key AS project, g.role, g.min_level, g.max_level, g.granted_at, "
        "g.granted_by FROM project_roles g JOIN users u ON u.id = g.user_id "
        "JOIN projects p ON p.id = g.project_id"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + " ORDER BY p.key, u.name, g.role"
    )
    return [RoleRecord(**{**row, "granted_at": as_utc(row["granted_at"])}) for row in r.all(sql, **params)]


# --- tokens ----------------------------------------------------------------------------------------


def expiry(value: str | None, now: datetime) -> datetime:
    """``30d`` or ``12h`` from now (default 90 days, at most a year): no token lives forever."""
    if value is None:
        return now + timedelta(days=DEFAULT_TOKEN_DAYS)
    match = _DURATION.fullmatch(value.strip())
    if match is None:
        raise BadInput(f"--expires {value!r} is not a duration like 30d or 12h")
    amount, unit = int(match[1]), match[2]
    span = timedelta(days=amount) if unit == "d" else timedelta(hours=amount)
    if span > timedelta(days=MAX_TOKEN_DAYS):
        raise BadInput(f"--expires {value}: a token lives at most {MAX_TOKEN_DAYS} days")
    return now + span


def create_token(
    unit: Unit,
    name: str,
    *,
    projects: list[str],
    scopes: list[str],
    expires: str | None = None,
    label: str = "",
) -> tuple[TokenRecord, str]:
    """A new token for user ``name``; returns it with its secret, which is never stored nor shown again."""
    owner = user(unit.reader, name)
    if owner.disabled_at is not None:
        raise BadInput(f"user {name!r} is disabled; a disabled user gets no token")
    chosen_scopes = sorted({str(inputs.choice(Scope, s.strip(), "scope")) for s in scopes if s.strip()})
    if not chosen_scopes:
        raise BadInput("--scope: name at least one of read, write, approve, admin")
    chosen_projects = sorted({p.strip() for p in projects if p.strip()}) or [ALL_PROJECTS]
    if ALL_PROJECTS in chosen_projects and len(chosen_projects) > 1:
        raise BadInput("--project: '*' (every project) and named projects together say two things; give one")
    for key in chosen_projects:
        if key != ALL_PROJECTS:
            lookup.project(unit.reader, key)
    now = inputs.now()
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_MARK}{prefix}_{secrets.token_urlsafe(32)}"
    unit.conn.execute(
        insert(schema.api_tokens).values(
            user_id=owner.id,
            prefix=prefix,
            secret_hash=_digest(secret),
            name=inputs.text(label, "token name"),
            projects=chosen_projects,
            scopes=chosen_scopes,
            created_at=now,
            created_by=unit.actor,
            expires_at=expiry(expires, now),
        )
    )
    # The prefix names the token; the secret is never logged.
    _audit(
        unit,
        "token.create",
        {"user": name, "token": prefix, "scopes": chosen_scopes, "projects": chosen_projects},
    )
    return token(unit.reader, prefix), secret


def token(r: Reader, prefix: str) -> TokenRecord:
    row = r.one(f"{_TOKEN_SELECT} WHERE t.prefix = :prefix", prefix=_prefix_of(prefix))
    if row is None:
        raise NotFound(f"no token {prefix!r} (see `mltrl token list`)")
    return _token(row)


def tokens(r: Reader, *, name: str | None = None) -> list[TokenRecord]:
    if name is None:
        return [_token(row) for row in r.all(f"{_TOKEN_SELECT} ORDER BY t.id")]
    owner = user(r, name)
    return [_token(row) for row in r.all(f"{_TOKEN_SELECT} WHERE t.user_id = :u ORDER BY t.id", u=owner.id)]


def revoke_token(unit: Unit, prefix: str) -> TokenRecord:
    found = token(unit.reader, prefix)
    if found.revoked_at is not None:
        raise BadInput(f"token {found.prefix} is already revoked")
    unit.conn.execute(
        update(schema.api_tokens)
        .where(schema.api_tokens.c.id == found.id)
        .values(revoked_at=inputs.now(), revoked_by=unit.actor)
    )
    _audit(unit, "token.revoke", {"user": found.user, "token": found.prefix})
    return token(unit.reader, found.prefix)


def authenticate(r: Reader, secret: str, now: datetime) -> tuple[Principal, TokenRecord]:
    """The principal a bearer token stands for, or :class:`Unauthenticated` saying why not."""
    prefix = _prefix_of(secret) if secret.startswith(TOKEN_MARK) else None
    # The token and its user in one read: it runs before every request the server answers.
    row = None if prefix is None else r.one(f"{_TOKEN_WITH_USER} WHERE t.prefix = :p", p=prefix)
    # Compared in constant time, so response times do not leak how much of a guess was right.
    if row is None or not hmac.compare_digest(row["secret_hash"], _digest(secret)):
        raise Unauthenticated("the token is not valid")
    found = _token(row)
    if found.revoked_at is not None:
        raise Unauthenticated(f"token {found.prefix} was revoked")
    if found.expires_at <= now:
        raise Unauthenticated(f"token {found.prefix} expired at {found.expires_at.isoformat()}")
    owner = _user({key.removeprefix("user_"): value for key, value in row.items() if key.startswith("user_")})
    if owner.disabled_at is not None:
        raise Unauthenticated(f"user {owner.name!r} is disabled")
    scopes = frozenset(Scope(s) for s in found.scopes)
    return principal(r, owner, scopes=scopes, projects=frozenset(found.projects), prefix=found.prefix), found


def principal(
    r: Reader,
    owner: UserRecord,
    *,
    scopes: frozenset[Scope] = frozenset(Scope),
    projects: frozenset[str] = frozenset({ALL_PROJECTS}),
    prefix: str | None = None,
) -> Principal:
    """``owner`` with their roles; by default with every scope (what their roles alone allow)."""
    grants = tuple(
        Grant(g.project, Role(g.role), g.min_level, g.max_level)
        for g in _roles_where(r, ["u.id = :uid"], {"uid": owner.id})  # (owner was just read)
    )
    return Principal(
        name=owner.name,
        display_name=owner.display_name,
        is_admin=owner.is_admin,
        grants=grants,
        scopes=scopes,
        projects=projects,
        token_prefix=prefix,
    )


def touch_token(unit: Unit, token_id: int, now: datetime) -> None:
    """Note that a token was used (at most once a minute, so requests rarely write)."""
    table = schema.api_tokens
    unit.conn.execute(
        update(table)
        .where(table.c.id == token_id)
        .where((table.c.last_used_at.is_(None)) | (table.c.last_used_at < now - TOUCH_EVERY))
        .values(last_used_at=now)
    )


def must_be_user(r: Reader, name: str, what: str) -> UserRecord:
    """An enabled user named ``name``: on the server, panels are filled by users, not typed names."""
    row = _user_row(r, name) if USER_NAME.fullmatch(name or "") else None
    if row is None:
        raise BadInput(f"{what}: {name!r} is not a user of this server (see `mltrl user list`)")
    if row["disabled_at"] is not None:
        raise Forbidden(f"{what}: user {name!r} is disabled")
    return _user(row)


# --- rows ------------------------------------------------------------------------------------------

_USER_SELECT = (
    "SELECT id, name, display_name, password_hash, is_admin, created_at, created_by, disabled_at FROM users"
)
_TOKEN_SELECT = (
    "SELECT t.id, t.prefix, u.name AS user, t.name, t.projects, t.scopes, t.created_at, t.created_by, "
    "t.expires_at, t.revoked_at, t.last_used_at, t.secret_hash "
    "FROM api_tokens t JOIN users u ON u.id = t.user_id"
)

#: A token with its user's row, the user's columns prefixed ``user_``.
_TOKEN_WITH_USER = _TOKEN_SELECT.replace(
    " FROM api_tokens",
    ", u.id AS user_id, u.name AS user_name, u.display_name AS user_display_name, "
    "u.is_admin AS user_is_admin, u.created_at AS user_created_at, u.created_by AS user_created_by, "
    "u.disabled_at AS user_disabled_at "
    "FROM api_tokens",
)


def _user_row(r: Reader, name: str) -> dict[str, Any] | None:
    # A name with a NUL or another control character is refused here: PostgreSQL cannot even compare
    # one (it would fail the query, a 500 on the server), and no user can have been named so.
    inputs.text(name, "user", limit=500)
    return r.one(f"{_USER_SELECT} WHERE name = :name", name=name)


def _user(row: dict[str, Any]) -> UserRecord:
    return UserRecord(
        id=row["id"],
        name=row["name"],
        display_name=row["display_name"],
        is_admin=bool(row["is_admin"]),
        created_at=as_utc(row["created_at"]),  # type: ignore[arg-type]
        created_by=row["created_by"],
        disabled_at=as_utc(row["disabled_at"]),
    )


def _token(row: dict[str, Any]) -> TokenRecord:
    return TokenRecord(
        id=row["id"],
        prefix=row["prefix"],
        user=row["user"],
        name=row["name"],
        projects=_json_list(row["projects"]),
        scopes=_json_list(row["scopes"]),
        created_at=as_utc(row["created_at"]),  # type: ignore[arg-type]
        created_by=row["created_by"],
        expires_at=as_utc(row["expires_at"]),  # type: ignore[arg-type]
        revoked_at=as_utc(row["revoked_at"]),
        last_used_at=as_utc(row["last_used_at"]),
    )


def _json_list(value: Any) -> list[str]:
    return list(json.loads(value) if isinstance(value, str) else value)


def _prefix_of(value: str) -> str:
    """The prefix of a full secret (``mltrl_<prefix>_<secret>``) or the prefix itself."""
    if value.startswith(TOKEN_MARK):
        return value[len(TOKEN_MARK) :].split("_", 1)[0]
    return value


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _audit(unit: Unit, kind: str, data: dict[str, Any], project_id: int | None = None) -> None:
    """An identity change goes in the event log (and its chain) like every other write, so the
    audit shows who gave whom which access; users and tokens belong to no project."""
    unit.append_event(project_id=project_id, kind=kind, at=inputs.now(), data=data)
