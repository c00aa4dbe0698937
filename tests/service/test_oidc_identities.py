"""Who an identity verified at an OIDC provider may log in as (mltrl.service.oidc), on the backend
under test: links by subject, links an admin prepared, refusals that write nothing, and the
optional automatic viewer."""

from __future__ import annotations

import pytest

from mltrl.errors import BadInput, Forbidden, Unauthenticated
from mltrl.service.oidc import VerifiedIdentity
from mltrl.service.registry import Registry

ISSUER = "https://login.example.org/realms/acme"


def who(sub: str, value: str | None, claim: str = "preferred_username", **more: object) -> VerifiedIdentity:
    claims = {"sub": sub, **({claim: value} if value is not None else {}), **more}
    return VerifiedIdentity.from_claims(ISSUER, claims, claim)


def rows(reg: Registry) -> dict[str, int]:
    tables = ("events", "web_sessions", "oidc_identities", "users")
    return {t: reg._read(lambda r, t=t: r.one(f"SELECT count(*) AS n FROM {t}")["n"]) for t in tables}


@pytest.fixture
def people(registry: Registry) -> Registry:
    registry.projects.create("p", "Project P")
    ids = registry
    for name in ("mchen", "rita", "ops"):
        ids.users.add(name, password=f"{name} password")
    ids.roles.grant("mchen", "p", "approver")
    return registry


def test_the_first_login_links_the_subject_and_later_ones_follow_it(people: Registry) -> None:
    sessions = people.sessions
    browser, secret = sessions.login_oidc(who("s-1", "mchen"), client="10.0.0.7")
    assert browser.principal.name == "mchen" and browser.principal.grants[0].role == "approver"
    assert sessions.browser(secret).principal.name == "mchen"  # the password login's kind of session
    [linked] = people.users.oidc_identities("mchen")
    assert (linked.issuer, linked.subject, linked.last_login_at is not None) == (ISSUER, "s-1", True)
    # Renamed at the provider to someone else's name: still mchen.
    again, _ = sessions.login_oidc(who("s-1", "rita"), client="10.0.0.7")
    assert again.principal.name == "mchen"


def test_an_admin_can_tie_a_user_to_a_claim_or_a_subject_before_the_first_login(people: Registry) -> None:
    ids, sessions = people.users, people.sessions
    ids.link_oidc("rita", issuer=ISSUER, claim="rita@example.org")
    ids.link_oidc("ops", issuer=ISSUER, subject="s-ops")
    by_mail = who("s-rita", "rita@example.org", claim="email", email_verified=True)
    assert sessions.login_oidc(by_mail, client="c")[0].principal.name == "rita"
    assert sessions.login_oidc(who("s-ops", "anything"), client="c")[0].principal.name == "ops"
    # ops is tied to its subject: another account calling itself ops is not ops.
    before = rows(people)
    with pytest.raises(Forbidden, match="user 'ops' is linked to another identity at this provider"):
        sessions.login_oidc(who("s-other", "ops"), client="c")
    assert rows(people) == before
    with pytest.raises(BadInput, match=r"--subject 's-ops' at .* is already user 'ops'"):
        ids.link_oidc("mchen", issuer=ISSUER, subject="s-ops")
    gone = ids.unlink_oidc("ops")
    assert [g.subject for g in gone] == ["s-ops"] and ids.oidc_identities("ops") == []
    kinds = [e["kind"] for e in people.audit.list(user="root") + people.audit.list()]
    assert "user.oidc_link" in kinds and "user.oidc_unlink" in kinds


def test_a_login_that_may_not_happen_writes_nothing(people: Registry) -> None:
    ids, sessions = people.users, people.sessions
    ids.link_oidc("mchen", issuer=ISSUER, claim="m.chen")
    ids.disable("rita")
    before = rows(people)
    refusals = [
        (
            who("s-9", "nobody"),
            "no mltrl user for preferred_username 'nobody'; ask an admin to run `mltrl user add",
        ),
        (who("s-9", None), "the identity provider sent no 'preferred_username' claim"),
        (who("s-9", "rita"), "user 'rita' is disabled"),
        (who("s-9", "mchen"), "user 'mchen' waits for a login as preferred_username 'm.chen', not 'mchen'"),
        (
            who("s-9", "x@example.org", claim="email", email_verified=False),
            "the provider has not verified the e-mail address 'x@example.org'",
        ),
        (
            who("s-9", "x@example.org", claim="email"),
            "no mltrl user for email 'x@example.org'; ask an admin to run `mltrl user link-oidc NAME --claim",
        ),
        (who("s" * 300, "nobody"), "the provider's sub claim is longer than 255 characters"),
    ]
    for identity, message in refusals:
        with pytest.raises(Forbidden) as refused:
            sessions.login_oidc(identity, client="c")
        assert refused.value.message.startswith(message), refused.value.message
    assert rows(people) == before


def test_auto_created_users_are_viewers_of_nothing_without_a_password(people: Registry) -> None:
    sessions = people.sessions
    browser, _ = sessions.login_oidc(who("s-new", "newbie", name="New B."), auto_create=True, client="c")
    assert (browser.principal.name, browser.principal.display_name) == ("newbie", "New B.")
    assert browser.principal.grants == () and not browser.principal.is_admin
    with pytest.raises(Unauthenticated):
        sessions.check_password("newbie", "", client="c")
    # A claim that cannot be a user name creates nobody.
    with pytest.raises(Forbidden, match="no mltrl user for email"):
        sessions.login_oidc(who("s-x", "x@example.org", claim="email"), auto_create=True, client="c")
