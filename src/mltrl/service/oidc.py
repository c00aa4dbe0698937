"""Logins through an organisation's OpenID Connect provider: which mltrl user an identity is.

The server (``server/web/oidc.py``) verifies the provider's ID token (signature, issuer, audience,
expiry, nonce) and hands the claims here. Who may log in is decided here, never by the provider:

1. an identity already linked — the provider's ``(issuer, subject)`` — is its user, whatever its
   e-mail or user name has become since;
2. otherwise the mapped claim (``preferred_username`` by default, or ``email`` or ``sub``) is looked
   up: a link an admin prepared (`mltrl user link-oidc NAME --claim VALUE`), else the user of that
   name; the identity is then linked to that user for good — unless the user is already linked to
   another identity of this provider, which would be a takeover by a renamed account;
3. otherwise nobody: there is no automatic user unless the server's ``auto_create_users`` says so,
   and then only a viewer with no role and no password.

A disabled user cannot log in by either path. A successful login links (when it is the first) and
opens the same session as a password login, in one transaction; a refused one writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, update

from mltrl.errors import BadInput, Forbidden, NotFound
from mltrl.service import identities, inputs, sessions
from mltrl.service._store import Unit
from mltrl.service.identities import USER_NAME, UserRecord
from mltrl.service.sessions import SessionRecord
from mltrl.store import schema
from mltrl.store.reader import Reader, as_utc
from mltrl.store.records import Record

#: The claims a user may be mapped by (the provider's ``sub`` is always what a link holds).
CLAIMS = ("preferred_username", "email", "sub")


@dataclass(frozen=True)
class OidcIdentityRecord(Record):
    user: str
    issuer: str
    subject: str | None
    expected: str | None
    created_at: datetime
    created_by: str
    linked_at: datetime | None
    last_login_at: datetime | None


@dataclass(frozen=True)
class VerifiedIdentity:
    """What a verified ID token says about the person: the server checked it before it got here."""

    issuer: str
    subject: str
    claim: str  # which claim maps to the mltrl user
    value: str | None  # that claim's value (None: the provider did not send it)
    email_verified: bool | None = None
    display_name: str = ""

    @classmethod
    def from_claims(cls, issuer: str, claims: dict[str, Any], claim: str) -> VerifiedIdentity:
        value = claims.get(claim)
        verified = claims.get("email_verified")
        return cls(
            issuer=issuer,
            subject=str(claims["sub"]),
            claim=claim,
            value=None if value is None else str(value),
            email_verified=verified if isinstance(verified, bool) else None,
            display_name=str(claims.get("name") or ""),
        )


# --- logging in ------------------------------------------------------------------------------------


def login(
    unit: Unit,
    who: VerifiedIdentity,
    *,
    auto_create: bool,
    client: str,
    user_agent: str,
    id_token: str | None = None,
) -> tuple[SessionRecord, str, str]:
    """The session of the user ``who`` is (linking them on their first login); :class:`Forbidden`
    saying why when they may not log in."""
    owner = _user_of(unit, who, auto_create)
    if owner.disabled_at is not None:
        raise Forbidden(f"user {owner.name!r} is disabled; an admin can tell you why")
    # Who logged in is known only now: the audit names them as the actor of their own login.
    unit = replace(unit, actor=owner.name)
    unit.conn.execute(
        update(schema.oidc_identities)
        .where(schema.oidc_identities.c.issuer == who.issuer, schema.oidc_identities.c.subject == who.subject)
        .values(last_login_at=inputs.now())
    )
    return sessions.create(
        unit,
        owner.name,
        client=client,
        user_agent=user_agent,
        method="oidc",
        detail={"issuer": who.issuer, "subject": who.subject},
        issuer=who.issuer,
        id_token=id_token,
    )


def _user_of(unit: Unit, who: VerifiedIdentity, auto_create: bool) -> UserRecord:
    r = unit.reader
    linked = r.one(
        f"{_SELECT} WHERE o.issuer = :i AND o.subject = :s", i=who.issuer, s=_bounded(who.subject, "sub")
    )
    if linked is not None:
        return identities.user(r, linked["user"])
    if who.value is None or not who.value.strip():
        raise Forbidden(
            f"the identity provider sent no {who.claim!r} claim, which this server maps to its users; "
            "ask an admin to check the provider's scopes or `oidc.user_claim`"
        )
    if who.claim == "email" and who.email_verified is False:
        raise Forbidden(
            f"the provider has not verified the e-mail address {who.value!r}; verify it there first"
        )
    value = _bounded(who.value, who.claim)
    prepared = r.one(
        f"{_SELECT} WHERE o.issuer = :i AND o.subject IS NULL AND o.expected = :v", i=who.issuer, v=value
    )
    if prepared is not None:
        owner = identities.user(r, prepared["user"])
        _link(replace(unit, actor=owner.name), prepared["id"], who)
        return owner
    named = r.one("SELECT name FROM users WHERE name = :n", n=value) if USER_NAME.fullmatch(value) else None
    if named is None and auto_create and USER_NAME.fullmatch(value):
        identities.add_user(unit, value, display_name=who.display_name)
        named = {"name": value}
    if named is None:
        hint = (
            f"mltrl user add {value}"
            if USER_NAME.fullmatch(value)
            else f"mltrl user link-oidc NAME --claim {value}"
        )
        raise Forbidden(f"no mltrl user for {who.claim} {value!r}; ask an admin to run `{hint} ...`")
    owner = identities.user(r, named["name"])
    other = r.one(
        "SELECT id, subject FROM oidc_identities WHERE user_id = :u AND issuer = :i", u=owner.id, i=who.issuer
    )
    if other is not None and other["subject"] is not None:
        raise Forbidden(
            f"user {owner.name!r} is linked to another identity at this provider; an admin can relink it "
            f"with `mltrl user unlink-oidc {owner.name}`"
        )
    if other is not None:  # prepared for another claim value: the admin's word wins over the name
        raise Forbidden(
            f"user {owner.name!r} waits for a login as {who.claim} {_expected(r, other['id'])!r}, "
            f"not {value!r}"
        )
    row = unit.conn.execute(
        insert(schema.oidc_identities).values(
            user_id=owner.id, issuer=who.issuer, created_at=inputs.now(), created_by=unit.actor
        )
    )
    _link(replace(unit, actor=owner.name), row.inserted_primary_key[0], who)
    return owner


def _link(unit: Unit, row_id: int, who: VerifiedIdentity) -> None:
    unit.conn.execute(
        update(schema.oidc_identities)
        .where(schema.oidc_identities.c.id == row_id)
        .values(subject=who.subject, linked_at=inputs.now())
    )
    found = unit.reader.one(f"{_SELECT} WHERE o.id = :i", i=row_id)
    assert found is not None
    unit.append_event(
        project_id=None,
        kind="user.oidc_link",
        at=inputs.now(),
        data={"user": found["user"], "issuer": who.issuer, "subject": who.subject, who.claim: who.value},
    )


def _expected(r: Reader, row_id: int) -> str:
    row = r.one("SELECT expected FROM oidc_identities WHERE id = :i", i=row_id)
    return "" if row is None else str(row["expected"])


# --- links made by an admin ------------------------------------------------------------------------


def prepare_link(
    unit: Unit, name: str, *, issuer: str, subject: str | None = None, claim: str | None = None
) -> OidcIdentityRecord:
    """Tie user ``name`` to an identity at ``issuer`` before its first login: its ``subject`` (then
    nothing else matches), or the value its mapped claim will carry (linked at the first login)."""
    owner = identities.user(unit.reader, name)
    issuer = _issuer(issuer)
    if (subject is None) == (claim is None):
        raise BadInput("give --subject (the provider's id for the person) or --claim (e.g. their e-mail)")
    if unit.reader.one(
        "SELECT id FROM oidc_identities WHERE user_id = :u AND issuer = :i", u=owner.id, i=issuer
    ):
        raise BadInput(
            f"user {name!r} already has an identity at {issuer}; `mltrl user unlink-oidc {name}` first"
        )
    if subject is not None:
        subject = inputs.text(subject, "--subject", required=True, limit=255)
        taken = unit.reader.one(f"{_SELECT} WHERE o.issuer = :i AND o.subject = :s", i=issuer, s=subject)
        if taken is not None:
            raise BadInput(f"--subject {subject!r} at {issuer} is already user {taken['user']!r}'s")
    expected = None if claim is None else inputs.text(claim, "--claim", required=True, limit=320)
    now = inputs.now()
    unit.conn.execute(
        insert(schema.oidc_identities).values(
            user_id=owner.id,
            issuer=issuer,
            subject=subject,
            expected=expected,
            created_at=now,
            created_by=unit.actor,
            linked_at=now if subject is not None else None,
        )
    )
    unit.append_event(
        project_id=None,
        kind="user.oidc_link",
        at=now,
        data={"user": owner.name, "issuer": issuer, "subject": subject, "claim": expected},
    )
    return _identities(unit.reader, name=owner.name, issuer=issuer)[0]


def unlink(unit: Unit, name: str, *, issuer: str | None = None) -> list[OidcIdentityRecord]:
    """Forget ``name``'s identities (at ``issuer``, or everywhere): their next OIDC login links anew."""
    owner = identities.user(unit.reader, name)
    gone = _identities(unit.reader, name=owner.name, issuer=None if issuer is None else _issuer(issuer))
    if not gone:
        raise NotFound(f"user {name!r} has no OIDC identity" + (f" at {issuer}" if issuer else ""))
    table = schema.oidc_identities
    where = [table.c.user_id == owner.id] + ([table.c.issuer == _issuer(issuer)] if issuer else [])
    unit.conn.execute(delete(table).where(*where))
    for found in gone:
        unit.append_event(
            project_id=None,
            kind="user.oidc_unlink",
            at=inputs.now(),
            data={"user": owner.name, "issuer": found.issuer, "subject": found.subject},
        )
    return gone


def identities_of(r: Reader, name: str | None = None) -> list[OidcIdentityRecord]:
    return _identities(r, name=None if name is None else identities.user(r, name).name)


# --- rows ------------------------------------------------------------------------------------------

_SELECT = (
    "SELECT o.id, u.name AS user, o.issuer, o.subject, o.expected, o.created_at, o.created_by, "
    "o.linked_at, o.last_login_at FROM oidc_identities o JOIN users u ON u.id = o.user_id"
)


def _identities(r: Reader, *, name: str | None = None, issuer: str | None = None) -> list[OidcIdentityRecord]:
    where, params = [], {}
    if name is not None:
        where.append("u.name = :n")
        params["n"] = name
    if issuer is not None:
        where.append("o.issuer = :i")
        params["i"] = issuer
    sql = _SELECT + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY u.name, o.issuer"
    return [
        OidcIdentityRecord(
            user=row["user"],
            issuer=row["issuer"],
            subject=row["subject"],
            expected=row["expected"],
            created_at=as_utc(row["created_at"]),  # type: ignore[arg-type]
            created_by=row["created_by"],
            linked_at=as_utc(row["linked_at"]),
            last_login_at=as_utc(row["last_login_at"]),
        )
        for row in r.all(sql, **params)
    ]


def _issuer(value: str) -> str:
    """An issuer as the provider names it (its ``iss``), without a trailing slash we would not match."""
    cleaned = inputs.text(value, "--issuer", required=True, limit=500)
    if not cleaned.startswith(("https://", "http://")):
        raise BadInput(f"--issuer {cleaned!r} is not a URL like https://login.example.org/realms/acme")
    return cleaned


def _bounded(value: str, field: str) -> str:
    # A claim longer than the column would fail the query on PostgreSQL: refuse it in one line instead.
    limit = 255 if field == "sub" else 320
    if len(value) > limit or any(ord(c) < 32 for c in value):
        raise Forbidden(
            f"the provider's {field} claim is longer than {limit} characters or holds control characters"
        )
    return value
