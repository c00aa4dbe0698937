"""The server's own administration, for site admins only: the audit's check of the hash chain
(``mltrl audit verify``), the users (``mltrl user add/list/disable``), their identities at the OIDC
provider (``mltrl user link-oidc/unlink-oidc/identities``) and the dashboard's browser sessions
(``mltrl user sessions``, ``mltrl user logout``).

Each route refuses (403) anyone but a site admin with an admin-scoped token: these are no project's,
so no project role can cover them. A password sent to ``POST /users`` is hashed by the service and
never answered, logged (the access log holds no bodies) or echoed in a refusal.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query

from mltrl.server.models_records import OidcLinkIn, UserIn
from mltrl.server.routes import ERRORS
from mltrl.server.security import Caller, caller
from mltrl.service.sessions import SessionRecord

router = APIRouter(prefix="/api/v1", responses=ERRORS)
SessionId = Path(ge=1, le=2**31 - 1, description="Session number (see GET /sessions)")


@router.get("/audit/verify", tags=["audit"])
def verify_audit(c: Caller = Depends(caller)) -> dict[str, Any]:
    """The event log's hash chain, and the signatures and decisions against it (``mltrl audit verify
    --json``). A broken chain is an answer (``intact: false``, the CLI exits 1), not an error."""
    c.require_site_admin("verify the whole registry's log")
    result = c.registry.audit.verify()
    return {
        "intact": not result.problems,
        "events_checked": result.events_checked,
        "signatures_checked": result.signatures_checked,
        "problems": result.problems,
    }


# --- users ------------------------------------------------------------------------------------------


@router.get("/users", tags=["users"])
def list_users(c: Caller = Depends(caller)) -> dict[str, Any]:
    """Every user, admin or not, enabled or not (``mltrl user list --json``); never a password hash."""
    c.require_site_admin("list the server's users")
    return {"users": [u.to_json() for u in c.registry.users.list()]}


@router.post("/users", status_code=201, tags=["users"])
def add_user(body: UserIn, c: Caller = Depends(caller)) -> dict[str, Any]:
    """A user who can be given tokens and roles; with a password, one who can log in (``mltrl user
    add --json``)."""
    c.require_site_admin("add a user")
    user = c.registry.users.add(
        body.name, display_name=body.display_name, password=body.password, is_admin=body.is_admin
    )
    return user.to_json()  # type: ignore[no-any-return]


@router.post("/users/{name}/disable", tags=["users"])
def disable_user(name: str, c: Caller = Depends(caller)) -> dict[str, Any]:
    """No more logins; every token and session of theirs stops working; their records stay
    (``mltrl user disable --json``)."""
    c.require_site_admin("disable a user")
    return c.registry.users.disable(name).to_json()  # type: ignore[no-any-return]


# --- users' identities at the organisation's OIDC provider ---------------------------------------------


@router.get("/users/{name}/oidc", tags=["users"])
def oidc_identities(name: str, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Which identity at which provider logs in as the user, and when it last did (``mltrl user
    identities --user NAME --json``)."""
    c.require_site_admin("list users' OIDC identities")
    return {"identities": [i.to_json() for i in c.registry.users.oidc_identities(name)]}


@router.post("/users/{name}/oidc", status_code=201, tags=["users"])
def link_oidc(name: str, body: OidcLinkIn, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Tie the user to their identity at the provider ``issuer`` before they log in: its ``subject``,
    or the mapped ``claim``'s value at the first login (``mltrl user link-oidc --json``)."""
    c.require_site_admin("link a user's OIDC identity")
    found = c.registry.users.link_oidc(name, issuer=body.issuer, subject=body.subject, claim=body.claim)
    return found.to_json()  # type: ignore[no-any-return]


@router.delete("/users/{name}/oidc", tags=["users"])
def unlink_oidc(
    name: str,
    issuer: str | None = Query(None, max_length=1000, description="Only the identity at this provider"),
    c: Caller = Depends(caller),
) -> dict[str, Any]:
    """Forget the user's OIDC identities (at ``issuer``, or all): their next login through the
    provider links anew (``mltrl user unlink-oidc --json``)."""
    c.require_site_admin("unlink a user's OIDC identity")
    return {"unlinked": [g.to_json() for g in c.registry.users.unlink_oidc(name, issuer=issuer)]}


# --- the dashboard's browser sessions -------------------------------------------------------------------


@router.get("/sessions", tags=["users"])
def list_sessions(
    user: str | None = Query(None, max_length=200, description="Only this user's sessions"),
    c: Caller = Depends(caller),
) -> dict[str, Any]:
    """Browser sessions (never their secrets): who, from where, state (``mltrl user sessions --json``)."""
    from mltrl.service import inputs

    c.require_site_admin("list the dashboard's sessions")
    now = inputs.now()
    return {"sessions": [_session(s, now) for s in c.registry.sessions.list(user)]}


@router.delete("/sessions/{session_id}", tags=["users"])
def revoke_session(session_id: int = SessionId, c: Caller = Depends(caller)) -> dict[str, Any]:
    """End one session at once (``mltrl user logout --session ID --json``)."""
    c.require_site_admin("end a session")
    return _revoked([c.registry.sessions.revoke(session_id)])


@router.delete("/users/{name}/sessions", tags=["users"])
def revoke_sessions(name: str, c: Caller = Depends(caller)) -> dict[str, Any]:
    """End every live session of the user (``mltrl user logout NAME --json``)."""
    c.require_site_admin("end a user's sessions")
    return _revoked(c.registry.sessions.revoke_all(name))


def _session(s: SessionRecord, now: Any) -> dict[str, Any]:
    return {"id": s.id, **s.to_json(), "state": s.state(now)}


def _revoked(ended: list[SessionRecord]) -> dict[str, Any]:
    return {"revoked": [{"id": s.id, **s.to_json()} for s in ended]}
