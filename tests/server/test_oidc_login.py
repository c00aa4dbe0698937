"""Logging in through an OpenID Connect provider the tests start (oidc-provider-mock, see
oidc_provider.py), against a real `mltrl serve`: the whole flow in Chromium, PKCE, state and nonce,
a tampered ID token, who may log in (linked by subject, never taken over by a renamed account,
unknown and disabled identities refused), the audit, and a provider that does not answer."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from dashboard_site import csrf_of, dashboard_site
from oidc_provider import Provider, oidc_provider, s256
from server_site import DatabaseIn, Site, free_port

from mltrl.cli import main
from mltrl.server.web.oidc_login import STATE_COOKIE
from mltrl.server.web.session import COOKIE
from mltrl.service.sessions import SESSION_HOURS

CLIENT_SECRET = "the client secret"


def oidc_env(issuer: str, **more: str) -> dict[str, str]:
    return {
        "MLTRL_SERVER_OIDC_ISSUER": issuer,
        "MLTRL_SERVER_OIDC_CLIENT_ID": "mltrl-dashboard",
        "MLTRL_SERVER_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "MLTRL_SERVER_OIDC_PROVIDER_NAME": "Acme SSO",
        **more,
    }


@pytest.fixture(scope="module")
def idp() -> Iterator[Provider]:
    with oidc_provider() as provider:
        provider.set_user("s-carl", preferred_username="carl", name="Carl C.", email="carl@acme.test")
        provider.set_user("s-rita", preferred_username="rita", name="Rita R.")
        provider.set_user("s-nobody", preferred_username="nobody")
        provider.set_user("s-dora", preferred_username="dora")
        provider.set_user("s-impostor", preferred_username="rita")  # another account, rita's name
        provider.set_user("s-vera", preferred_username="v.smith")  # not a user name: linked by an admin
        provider.set_user("s-root", preferred_username="root")
        yield provider


@pytest.fixture(scope="module")
def site(database_in: DatabaseIn, tmp_path_factory: pytest.TempPathFactory, idp: Provider) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("oidc")
    with database_in(directory) as db, dashboard_site(db, directory, oidc_env(idp.issuer)) as served:
        yield served


@pytest.fixture(autouse=True)
def well_behaved(idp: Provider) -> Iterator[None]:
    idp.misbehave = None
    yield
    idp.misbehave = None


def written(site: Site) -> dict[str, int]:
    """How many rows a login could have written: events, sessions, identities, users."""
    tables = ("events", "web_sessions", "oidc_identities", "users")
    with site.registry() as reg:
        return {t: reg._read(lambda r, t=t: r.one(f"SELECT count(*) AS n FROM {t}")["n"]) for t in tables}


def login(site: Site, sub: str, client: httpx.Client | None = None, next: str = "/") -> httpx.Response:
    """Through the provider as ``sub`` (its form, posted as a browser would): the callback's answer."""
    client = client or httpx.Client(base_url=site.url, timeout=30)
    start = client.get("/login/oidc", params={"next": next})
    assert start.status_code == 302, start.text
    at_provider = httpx.post(start.headers["location"], data={"sub": sub}, timeout=30)
    assert at_provider.status_code == 302, at_provider.text
    return client.get(at_provider.headers["location"])


def refusal(answer: httpx.Response) -> str:
    found = re.search(r'class="error"[^>]*>([^<]*)<', answer.text)
    assert found is not None, answer.text[:500]
    return found.group(1).replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")


def test_a_browser_logs_in_through_the_provider_and_gets_the_password_logins_session(
    browser: Any, site: Site, idp: Provider
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(base_url=site.url)
    page = context.new_page()
    page.goto("/projects/p")
    expect(page.get_by_role("link", name="Log in with Acme SSO")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()  # the password login stays
    page.get_by_role("link", name="Log in with Acme SSO").click()
    # At the provider (another origin): its own login form, where the person says who they are.
    expect(page).to_have_url(re.compile(rf"^{re.escape(idp.issuer)}/oauth2/authorize\?"))
    page.get_by_placeholder("sub").fill("s-carl")
    page.get_by_role("button", name="Authorize").click()
    # Back on the dashboard, where the login began, as carl.
    expect(page).to_have_url(f"{site.url}/projects/p")
    expect(page.get_by_text("Logged in as Carl")).to_be_visible()

    # The authorization-code flow with PKCE: the verifier the server sent to the token endpoint is
    # the one whose S256 challenge went to the provider with the browser, with a state and a nonce.
    asked, exchanged = idp.authorize_requests[-1], idp.token_requests[-1]
    assert asked["response_type"] == "code" and asked["code_challenge_method"] == "S256"
    assert s256(exchanged["code_verifier"]) == asked["code_challenge"]
    assert len(asked["state"]) >= 20 and len(asked["nonce"]) >= 20
    assert asked["redirect_uri"] == f"{site.url}/login/oidc/callback"

    # The same session cookie as a password login; the login's own cookie is gone.
    cookies = {c["name"]: c for c in context.cookies()}
    session = cookies[COOKIE]
    assert session["httpOnly"] and session["sameSite"] == "Lax" and session["path"] == "/"
    assert STATE_COOKIE not in cookies
    # ... and the audit names the method, the provider and the subject (never a secret).
    with site.registry() as reg:
        trail = reg.audit.list(user="carl")
    logins = [e for e in trail if e["kind"] == "session.login"]
    assert logins[-1]["data"]["method"] == "oidc"
    assert (logins[-1]["data"]["issuer"], logins[-1]["data"]["subject"]) == (idp.issuer, "s-carl")
    assert logins[-1]["via"] == "oidc"
    linked = [e for e in trail if e["kind"] == "user.oidc_link"]
    assert linked and linked[0]["data"]["subject"] == "s-carl"
    assert CLIENT_SECRET not in str(trail) and CLIENT_SECRET not in site.log.read_text()
    for line in site.log.read_text().splitlines():  # structured logs, no stray library notice
        json.loads(line)

    # Logging out ends the local session, then the provider's (RP-Initiated Logout), which sends
    # the browser back to the login page; the next page asks for a login again.
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(idp.issuer)}/oauth2/end_session\?"))
    page.get_by_role("button", name="End session").click()
    expect(page).to_have_url(f"{site.url}/login")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    context.close()


def test_a_linked_identity_stays_its_user_and_a_renamed_account_takes_over_no_one(
    site: Site, idp: Provider
) -> None:
    first = login(site, "s-rita")
    assert first.status_code == 303 and COOKIE in first.cookies
    # Another account at the provider now calls itself rita: it is not rita's identity.
    before = written(site)
    impostor = login(site, "s-impostor")
    assert impostor.status_code == 403 and COOKIE not in impostor.cookies
    assert refusal(impostor) == (
        "user 'rita' is linked to another identity at this provider; an admin can relink it with "
        "`mltrl user unlink-oidc rita`"
    )
    assert written(site) == before
    # rita renamed at the provider still logs in as rita: the subject decides, not the name.
    idp.set_user("s-rita", preferred_username="alan", name="Rita R.")
    again = httpx.Client(base_url=site.url, timeout=30)
    assert login(site, "s-rita", again).status_code == 303
    assert "Logged in as <strong>Rita</strong> (rita)" in again.get("/").text


def test_an_identity_with_no_mltrl_user_is_refused_and_nothing_is_written(site: Site) -> None:
    before = written(site)
    answer = login(site, "s-nobody")
    assert answer.status_code == 403 and COOKIE not in answer.cookies
    assert refusal(answer) == (
        "no mltrl user for preferred_username 'nobody'; ask an admin to run `mltrl user add nobody ...`"
    )
    assert "Log in with Acme SSO" in answer.text  # the login page again, to try another way
    assert written(site) == before


def test_a_disabled_user_cannot_log_in_through_the_provider(site: Site) -> None:
    assert main(["--db", site.db, "--actor", "root", "user", "disable", "dora"]) == 0
    before = written(site)
    answer = login(site, "s-dora")
    assert answer.status_code == 403
    assert refusal(answer) == "user 'dora' is disabled; an admin can tell you why"
    assert COOKIE not in answer.cookies and written(site) == before


def test_a_tampered_or_foreign_state_is_refused(site: Site, idp: Provider) -> None:
    client = httpx.Client(base_url=site.url, timeout=30)
    start = client.get("/login/oidc")
    back = httpx.post(start.headers["location"], data={"sub": "s-root"}).headers["location"]
    parts = urlsplit(back)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    before = written(site)
    forged = client.get("/login/oidc/callback", params={**query, "state": query["state"][:-1] + "x"})
    assert forged.status_code == 400 and COOKIE not in forged.cookies
    assert refusal(forged).startswith("the login's state does not match this browser's")
    # The genuine callback in another browser (an attacker handing the victim their code) fails too.
    elsewhere = httpx.Client(base_url=site.url, timeout=30).get(f"{parts.path}?{parts.query}")
    assert elsewhere.status_code == 400 and COOKIE not in elsewhere.cookies
    # ... and once refused, the login is over in this browser: the real state no longer works here.
    replayed = client.get(f"{parts.path}?{parts.query}")
    assert replayed.status_code == 400
    assert written(site) == before


def test_a_tampered_id_token_or_a_wrong_nonce_is_refused(site: Site, idp: Provider) -> None:
    before = written(site)
    idp.misbehave = "tamper-id-token"  # the token now says preferred_username root, unsigned
    tampered = login(site, "s-nobody")
    assert tampered.status_code == 400 and COOKIE not in tampered.cookies
    assert refusal(tampered) == (
        "the ID token from Acme SSO failed verification: its signature is not one of the provider's keys "
        "(altered on the way?)"
    )
    idp.misbehave = "other-nonce"  # properly signed, for a login this browser never began
    replayed = login(site, "s-root")
    assert replayed.status_code == 400 and COOKIE not in replayed.cookies
    assert refusal(replayed).startswith("the ID token from Acme SSO failed verification:")
    assert "nonce" in refusal(replayed)
    idp.misbehave = "other-audience"  # properly signed, for another client of the provider
    elsewhere = login(site, "s-root")
    assert elsewhere.status_code == 400 and COOKIE not in elsewhere.cookies
    assert refusal(elsewhere).startswith("the ID token from Acme SSO failed verification:")
    # ... even when it names this server as its authorized party (azp), which alone satisfies Authlib.
    idp.set_user("s-azp", preferred_username="root", azp="mltrl-dashboard")
    forwarded = login(site, "s-azp")
    assert forwarded.status_code == 400 and COOKIE not in forwarded.cookies
    assert refusal(forwarded) == "the ID token from Acme SSO failed verification: Invalid claim: 'aud'"
    assert written(site) == before


def test_an_expired_id_token_is_refused(db_url: str, tmp_path: Path) -> None:
    # A provider whose ID tokens expired ten minutes before they were issued (beyond any clock skew).
    with (
        oidc_provider(access_token_max_age=timedelta(minutes=-10)) as stale,
        dashboard_site(db_url, tmp_path, oidc_env(stale.issuer)) as site,
    ):
        stale.set_user("s-root", preferred_username="root")
        before = written(site)
        answer = login(site, "s-root")
        assert answer.status_code == 400 and COOKIE not in answer.cookies
        assert refusal(answer).startswith("the ID token from Acme SSO failed verification:")
        assert "expired" in refusal(answer)
        assert written(site) == before


def test_a_discovery_document_for_another_issuer_is_refused_until_it_is_fixed(
    db_url: str, tmp_path: Path, idp: Provider
) -> None:
    with dashboard_site(db_url, tmp_path, oidc_env(idp.issuer)) as site:
        idp.misbehave = "other-issuer"
        answer = httpx.get(f"{site.url}/login/oidc", timeout=30)
        assert answer.status_code == 502
        assert refusal(answer) == (
            f"the discovery document names the issuer 'https://evil.test', not '{idp.issuer}'"
        )
        idp.misbehave = None  # fixed at the provider: the next login fetches the document again
        assert login(site, "s-root").status_code == 303


def test_an_admin_links_a_user_whose_claim_is_not_their_name(
    site: Site, idp: Provider, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", site.db, "--actor", "root"]
    assert login(site, "s-vera").status_code == 403  # "v.smith" is no user
    assert main([*db, "user", "link-oidc", "vera", "--issuer", idp.issuer, "--claim", "v.smith"]) == 0
    assert login(site, "s-vera").status_code == 303
    assert main([*db, "user", "identities", "--user", "vera", "--json"]) == 0
    out = capsys.readouterr().out
    assert '"subject": "s-vera"' in out and '"last_login_at": "' in out
    # Bad input: one line, exit 2, nothing written.
    before = written(site)
    assert main([*db, "user", "link-oidc", "vera", "--issuer", idp.issuer, "--subject", "s-other"]) == 2
    assert f"user 'vera' already has an identity at {idp.issuer}" in capsys.readouterr().err
    assert main([*db, "user", "link-oidc", "alan", "--issuer", "login.acme.test", "--claim", "a"]) == 2
    assert "is not a URL" in capsys.readouterr().err
    assert main([*db, "user", "link-oidc", "alan", "--issuer", idp.issuer]) == 2
    assert "give --subject" in capsys.readouterr().err
    assert written(site) == before
    # Unlinked, the next login links anew by the claim; here that finds no user any more.
    assert main([*db, "user", "unlink-oidc", "vera"]) == 0
    assert login(site, "s-vera").status_code == 403


def test_a_provider_that_does_not_answer_is_a_502_on_the_login_page(db_url: str, tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with dashboard_site(db_url, tmp_path, oidc_env(closed, MLTRL_SERVER_OIDC_PROVIDER_NAME="")) as site:
        before = written(site)
        answer = httpx.get(f"{site.url}/login/oidc", timeout=30)
        assert answer.status_code == 502
        message = refusal(answer)
        assert message.startswith(f"{closed[7:]} did not answer at {closed}/.well-known/openid-configuration")
        assert "\n" not in message and written(site) == before
        # The password login still works while the provider is down.
        page = httpx.get(f"{site.url}/login", timeout=30)
        assert page.status_code == 200 and f"Log in with {closed[7:]}" in page.text


def test_the_session_lasts_as_long_as_a_password_logins(site: Site) -> None:
    answer = login(site, "s-root", next="/projects/p")
    assert answer.status_code == 303 and answer.headers["location"] == "/projects/p"
    cookie = answer.headers["set-cookie"]
    assert f"Max-Age={SESSION_HOURS * 3600}" in cookie and "HttpOnly" in cookie


def test_the_login_cookie_is_secure_when_the_provider_sends_the_browser_back_over_https(
    site: Site, db_url: str, tmp_path: Path, idp: Provider
) -> None:
    plain = httpx.get(f"{site.url}/login/oidc", timeout=30)  # plain http all the way: not Secure
    assert plain.status_code == 302 and "secure" not in plain.headers["set-cookie"].lower()
    callback = "https://mltrl.example.test/login/oidc/callback"  # behind a proxy that ends TLS
    env = oidc_env(idp.issuer, MLTRL_SERVER_OIDC_REDIRECT_URL=callback)
    with dashboard_site(db_url, tmp_path, env) as tls:
        start = httpx.get(f"{tls.url}/login/oidc", timeout=30)
        assert start.status_code == 302
        cookie = start.headers["set-cookie"]
        assert cookie.startswith(f"{STATE_COOKIE}=") and "; secure" in cookie.lower()
        assert parse_qs(urlsplit(start.headers["location"]).query)["redirect_uri"] == [callback]


def test_a_login_begun_on_one_worker_ends_on_any_other(db_url: str, tmp_path: Path, idp: Provider) -> None:
    # Each request on a connection of its own, so the two workers share the logins between them:
    # the login cookie's key and the settings reach every worker (never the secret on the way).
    with dashboard_site(db_url, tmp_path, oidc_env(idp.issuer), "--workers", "2") as site:
        for _ in range(6):
            start = httpx.get(f"{site.url}/login/oidc", timeout=30)
            at_provider = httpx.post(start.headers["location"], data={"sub": "s-root"}, timeout=30)
            back = httpx.get(at_provider.headers["location"], cookies=start.cookies, timeout=30)
            assert back.status_code == 303 and COOKIE in back.cookies, refusal(back)


def test_without_oidc_settings_there_is_only_the_password_login(db_url: str) -> None:
    from fastapi.testclient import TestClient

    from mltrl.server.app import create_app
    from mltrl.service.registry import Registry

    Registry.init(db=db_url, actor="test-setup").close()
    with TestClient(create_app(db_url), follow_redirects=False) as client:
        page = client.get("/login")
        assert page.status_code == 200 and "Log in with" not in page.text
        asked = client.get("/login/oidc", headers={"accept": "text/html"})
        assert asked.status_code == 404
        assert "this server has no OIDC login; log in with your user name and password" in asked.text
        assert STATE_COOKIE not in asked.cookies


def _jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _log_out(site: Site, client: httpx.Client) -> httpx.Response:
    page = client.get("/")
    assert page.status_code == 200, page.text[:300]
    return client.post("/logout", data={"csrf": csrf_of(page.text)})


def test_logging_out_ends_the_providers_session_too_and_the_id_token_is_not_kept(
    site: Site, idp: Provider
) -> None:
    client = httpx.Client(base_url=site.url, timeout=30)
    assert login(site, "s-rita", client).status_code == 303
    with site.registry() as reg:
        (mine,) = [s for s in reg.sessions.list(name="rita") if s.state(s.last_seen_at) == "active"][-1:]
    assert mine.issuer == idp.issuer  # how the session was opened, shown with it

    answer = _log_out(site, client)
    assert answer.status_code == 303
    where = urlsplit(answer.headers["location"])
    assert f"{where.scheme}://{where.netloc}{where.path}" == f"{idp.issuer}/oauth2/end_session"
    asked = {k: v[0] for k, v in parse_qs(where.query).items()}
    assert asked["client_id"] == "mltrl-dashboard"
    assert asked["post_logout_redirect_uri"] == f"{site.url}/login"
    hint = _jwt_claims(asked["id_token_hint"])  # the ID token rita's login came with
    assert (hint["iss"], hint["sub"]) == (idp.issuer, "s-rita")
    assert "mltrl-dashboard" in (hint["aud"] if isinstance(hint["aud"], list) else [hint["aud"]])

    # Ended here before the browser went to the provider, and the ID token no longer stored.
    assert client.get("/").headers["location"].startswith("/login")
    with site.registry() as reg:
        kept = reg._read(lambda r: r.scalar("SELECT id_token FROM web_sessions WHERE id = :i", i=mine.id))
        assert kept is None
        assert reg.sessions.list(name="rita")[-1].revoked_at is not None


def test_the_id_token_of_a_session_that_ran_out_is_dropped_at_the_next_login(site: Site) -> None:
    assert login(site, "s-rita", httpx.Client(base_url=site.url, timeout=30)).status_code == 303

    def tokens(reg: Any) -> dict[int, bool]:
        rows = reg._read(lambda r: r.all("SELECT id, id_token FROM web_sessions"))
        return {row["id"]: row["id_token"] is not None for row in rows}

    with site.registry() as reg:
        ran_out = max(i for i, kept in tokens(reg).items() if kept)
        reg._write(  # twelve hours later, never logged out
            lambda unit: unit.reader.execute(
                "UPDATE web_sessions SET expires_at = :t WHERE id = :i",
                {"t": datetime.now(UTC) - timedelta(minutes=1), "i": ran_out},
            )
        )
    assert login(site, "s-carl", httpx.Client(base_url=site.url, timeout=30)).status_code == 303
    with site.registry() as reg:
        now = tokens(reg)
    assert now[ran_out] is False and now[max(now)] is True  # carl's own is kept


def test_a_server_told_not_to_log_out_at_the_provider_ends_only_its_own_session(
    db_url: str, tmp_path: Path, idp: Provider
) -> None:
    env = oidc_env(idp.issuer, MLTRL_SERVER_OIDC_PROVIDER_LOGOUT="false")
    with dashboard_site(db_url, tmp_path, env) as site:
        client = httpx.Client(base_url=site.url, timeout=30)
        assert login(site, "s-carl", client).status_code == 303
        assert _log_out(site, client).headers["location"] == "/login"
        assert client.get("/").headers["location"].startswith("/login")


def test_with_a_provider_that_has_no_end_session_endpoint_logging_out_ends_the_session_here(
    db_url: str, tmp_path: Path, idp: Provider
) -> None:
    idp.misbehave = "no-end-session"  # from the server's first look at the discovery document
    with dashboard_site(db_url, tmp_path, oidc_env(idp.issuer)) as site:
        client = httpx.Client(base_url=site.url, timeout=30)
        assert login(site, "s-carl", client).status_code == 303
        assert _log_out(site, client).headers["location"] == "/login"
        assert client.get("/").headers["location"].startswith("/login")
