"""The dashboard over HTTP, through a real `mltrl serve`: sessions, CSRF, the login back-off, roles
on the review page, escaping of every free text, and the webhook when a review needs someone."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dashboard_site import PASSWORDS, XSS, csrf_of, dashboard_site, logged_in, wait_for, webhook_receiver
from server_site import DatabaseIn, Site
from starlette.requests import Request

from mltrl.cli import main
from mltrl.errors import Unauthenticated
from mltrl.server.web.session import COOKIE, ENV_SECURE_COOKIE, secure_cookie
from mltrl.service.sessions import SESSION_HOURS


@pytest.fixture(scope="module")
def hook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    with webhook_receiver() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def site(
    database_in: DatabaseIn, tmp_path_factory: pytest.TempPathFactory, hook: tuple[str, list[Any]]
) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("dashboard")
    with (
        database_in(directory) as db,
        dashboard_site(db, directory, {"MLTRL_NOTIFY_WEBHOOK": hook[0]}) as served,
    ):
        yield served


def counts(site: Site) -> dict[str, int]:
    with site.registry() as reg:
        return reg.counts()


def open_review(site: Site, ref: str) -> int:
    with site.registry() as reg:
        found = [r for r in reg.reviews.list(ref) if r.status == "open"]
        return found[0].id if found else reg.reviews.open(ref).id


def refusal(answer: httpx.Response) -> str:
    found = re.search(r'class="error"[^>]*>([^<]*)<', answer.text)
    assert found is not None, answer.text[:500]
    return found.group(1).replace("&#39;", "'")


def test_a_login_gives_an_httponly_samesite_cookie_and_logging_out_ends_the_session(site: Site) -> None:
    anonymous = httpx.Client(base_url=site.url)
    assert anonymous.get("/").headers["location"] == "/login?next=/"
    wrong = anonymous.post("/login", data={"username": "carl", "password": "not it"})
    assert wrong.status_code == 401 and "wrong user name or password" in wrong.text
    assert "set-cookie" not in wrong.headers
    client = httpx.Client(base_url=site.url)
    answer = client.post(
        "/login", data={"username": "carl", "password": PASSWORDS["carl"], "next": "/projects/p"}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/projects/p"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here: a Secure cookie would never come back
    assert f"Max-Age={SESSION_HOURS * 3600}" in cookie
    page = client.get("/")
    assert page.status_code == 200 and "Logged in as <strong>Carl</strong>" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    # Logging out is a state change too: without the session's CSRF token it is refused.
    assert client.post("/logout").status_code == 403
    assert client.get("/").status_code == 200
    assert client.post("/logout", data={"csrf": csrf_of(page.text)}).headers["location"] == "/login"
    client.cookies.set("mltrl_session", cookie.split(";")[0].split("=", 1)[1])  # a copy kept by an attacker
    assert (
        client.get("/").headers["location"].startswith("/login?next=/&reason=the%20session%20was%20revoked")
    )
    # The login and its end are in the audit, naming the session (and never its secret).
    with site.registry() as reg:
        trail = [e for e in reg.audit.list(user="carl") if e["kind"].startswith("session.")]
    logins = [e for e in trail if e["kind"] == "session.login"]
    ended = [e for e in trail if e["kind"] == "session.end"]
    assert logins and ended and ended[-1]["data"]["sessions"] == [logins[-1]["data"]["session"]]
    assert ended[-1]["via"] == f"session:{logins[-1]['data']['session']}"  # carl logged himself out


def test_the_cookie_is_secure_over_https_or_when_the_proxy_config_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def request(scheme: str) -> Request:
        return Request({"type": "http", "scheme": scheme, "path": "/", "headers": [], "server": ("h", 1)})

    monkeypatch.delenv(ENV_SECURE_COOKIE, raising=False)
    assert secure_cookie(request("https")) and not secure_cookie(request("http"))
    monkeypatch.setenv(ENV_SECURE_COOKIE, "1")  # TLS ends at a proxy that does not say so
    assert secure_cookie(request("http"))


def test_a_session_revoked_from_the_command_line_or_expired_no_longer_works(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    rita = logged_in(site, "rita")
    assert rita.get("/reviews").status_code == 200
    capsys.readouterr()
    assert main(["--db", site.db, "user", "sessions", "--user", "rita", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["sessions"]
    assert [(s["user"], s["client"], s["state"]) for s in listed][-1] == ("rita", "127.0.0.1", "active")
    assert not any("secret" in key or "csrf" in key for key in listed[-1])
    assert main(["--db", site.db, "user", "logout", "rita"]) == 0
    assert re.search(r"ended [1-9]\d* session\(s\) of rita", capsys.readouterr().out)
    answer = rita.get("/reviews")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=/reviews")
    assert main(["--db", site.db, "user", "logout", "--session", "999999"]) == 2
    # A session past its lifetime is refused with the reason, whatever the cookie says.
    with site.registry() as reg:
        browser, secret = reg.sessions.login("alan", PASSWORDS["alan"], client="10.0.0.9")
        later = browser.session.expires_at
        with pytest.raises(Unauthenticated, match="the session was expired"):
            reg.sessions.browser(secret, now=later)
    # A disabled user's sessions stop at once.
    dora = logged_in(site, "dora")
    assert dora.get("/").status_code == 200
    assert main(["--db", site.db, "user", "disable", "dora"]) == 0
    assert dora.get("/").headers["location"].endswith("reason=user%20%27dora%27%20is%20disabled")


def test_failed_logins_make_the_next_attempt_wait(site: Site) -> None:
    client = httpx.Client(base_url=site.url)
    for _ in range(3):
        assert client.post("/login", data={"username": "vera", "password": "guess"}).status_code == 401
    # Even the right password waits now: guessing is slowed, the real user only for seconds.
    held = client.post("/login", data={"username": "vera", "password": PASSWORDS["vera"]})
    assert held.status_code == 401 and "too many failed logins; try again in 1 s" in held.text
    time.sleep(1.2)
    assert client.post("/login", data={"username": "vera", "password": PASSWORDS["vera"]}).status_code == 303
    # Success clears the count: one more mistake does not lock at once.
    assert httpx.post(f"{site.url}/login", data={"username": "vera", "password": "guess"}).status_code == 401
    assert logged_in(site, "vera").get("/").status_code == 200


def test_the_token_route_takes_the_same_back_off(site: Site) -> None:
    """Guessing a password through the API's HTTP Basic token route is as slow as through the login."""

    def token(password: str) -> httpx.Response:
        return httpx.post(f"{site.url}/api/v1/tokens", auth=("alan", password), json={"scopes": ["read"]})

    for _ in range(3):
        assert token("guess").status_code == 401
    held = token(PASSWORDS["alan"])
    assert held.status_code == 401 and "too many failed logins; try again in 1 s" in held.text
    time.sleep(1.2)
    assert token(PASSWORDS["alan"]).status_code == 201


def test_a_post_without_this_sessions_csrf_token_is_refused_and_writes_nothing(site: Site) -> None:
    carl, rita = logged_in(site, "carl"), logged_in(site, "rita")
    before = counts(site)
    target = "/projects/p/components/3/reviews"
    for data in ({}, {"csrf": "forged"}, {"csrf": csrf_of(rita.get("/").text)}):
        answer = carl.post(target, data=data)
        assert answer.status_code == 403, data
        assert refusal(answer) == "the form's CSRF token is missing or wrong; reload the page and try again"
    assert counts(site) == before
    # htmx sends the token as a header: accepted.
    token = csrf_of(carl.get("/projects/p").text)
    opened = carl.post(target, headers={"X-CSRF-Token": token})
    assert opened.status_code == 303 and re.fullmatch(r"/projects/p/reviews/\d+", opened.headers["location"])


def test_only_panel_members_see_a_sign_button_and_a_forged_signature_is_refused(
    site: Site, hook: tuple[str, list[dict[str, Any]]]
) -> None:
    rid = open_review(site, "p/3")
    page = f"/projects/p/reviews/{rid}"
    carl, rita, vera = logged_in(site, "carl"), logged_in(site, "rita"), logged_in(site, "vera")
    seat = carl.post(
        f"{page}/panel",
        data={"csrf": csrf_of(carl.get(page).text), "role": "research-lead", "person": "rita"},
    )
    assert seat.status_code == 303
    # The webhook tells rita, in a payload Slack displays (text) with the review's link.
    sent = wait_for(hook[1], lambda body: body["needs"] == "sign")
    assert sent["people"] == ["rita"] and sent["needs"] == "sign" and sent["review"] == rid
    assert sent["text"].startswith(f"mltrl: review {rid} of p/3 (level 3) needs you: rita is asked to sign")
    assert sent["url"] == f"{site.url}{page}"
    assert f"Review {rid}" in rita.get("/reviews").text  # and "my reviews" lists it
    # Neither the viewer nor the contributor (not signers) sees a sign button ...
    for client in (vera, carl):
        assert "Sign as" not in client.get(page).text
    assert "Sign as rita" in rita.get(page).text
    alan = logged_in(site, "alan")  # a login is a write of its own (the audit has it): before counting
    before = counts(site)
    # ... and their forged POST, with a valid CSRF token of their own, is refused by the role check.
    forged = vera.post(
        f"{page}/signatures", data={"csrf": csrf_of(vera.get(page).text), "verdict": "approve"}
    )
    assert forged.status_code == 403 and "vera may not sign on project 'p' at level 3" in refusal(forged)
    forged = carl.post(
        f"{page}/signatures", data={"csrf": csrf_of(carl.get(page).text), "verdict": "approve"}
    )
    assert forged.status_code == 403
    # An approver not on the panel passes the role check and is refused by the review's own rule.
    refused = alan.post(
        f"{page}/signatures", data={"csrf": csrf_of(alan.get(page).text), "verdict": "approve"}
    )
    assert refused.status_code == 400 and "alan is not on the panel" in refusal(refused)
    assert counts(site) == before
    # No field names a signer: rita signs as rita, whatever the form says.
    signed = rita.post(
        f"{page}/signatures",
        data={"csrf": csrf_of(rita.get(page).text), "verdict": "approve", "person": "alan"},
    )
    assert signed.status_code == 303
    with site.registry() as reg:
        assert [s["person"] for s in reg.reviews.get(rid).details["signatures"]] == ["rita"]
        # The audit names the browser session the signature came from.
        [signing] = [e for e in reg.audit.list(project="p", user="rita") if e["kind"] == "review.sign"]
        session = reg.sessions.browser(rita.cookies[COOKIE]).session
        assert signing["via"] == f"session:{session.id}"


def test_every_free_text_is_shown_escaped(site: Site) -> None:
    mallory = logged_in(site, "mallory")  # admin of project x, whose display name is markup too
    opened = mallory.post(
        "/projects/x/components/1/reviews", data={"csrf": csrf_of(mallory.get("/projects/x").text)}
    )
    page = opened.headers["location"]
    csrf = csrf_of(mallory.get(page).text)
    forms = [
        ("panel", {"role": "research-lead", "person": "carl"}),
        ("panel", {"role": "researcher", "person": "alan"}),
        ("results", {"criterion": mallory_criterion(site, page), "result": "met", "note": XSS}),
        ("ethics", {"answer:pre.harm": XSS}),
    ]
    for action, data in forms:
        assert mallory.post(f"{page}/{action}", data={"csrf": csrf, **data}).status_code == 303, action
    carl = logged_in(site, "carl")
    answer = carl.post(
        f"{page}/signatures",
        data={"csrf": csrf_of(carl.get(page).text), "verdict": "request-changes", "tasks": XSS, "note": XSS},
    )
    assert answer.status_code == 303
    alan = logged_in(site, "alan")
    answer = alan.post(
        f"{page}/signatures", data={"csrf": csrf_of(alan.get(page).text), "verdict": "approve", "note": XSS}
    )
    assert answer.status_code == 303
    decided = mallory.post(
        f"{page}/decision", data={"csrf": csrf, "decision": "tasks", "reason": XSS, "debrief": XSS}
    )
    assert decided.status_code == 303, refusal(decided)
    pages = ["/", "/projects/x", page, "/reviews", "/projects/x/monitoring", "/projects/x/card"]
    for path in pages:
        html = mallory.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html, path
    review = mallory.get(page).text
    # Each free text is there, as text: tasks, notes, the reason, the answer, the user's name.
    assert review.count("&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;") >= 6
    project = mallory.get("/projects/x").text
    assert (
        project.count("&lt;img src=x onerror=alert(2)&gt;") >= 5
    )  # name, component, reasons, requirement, data set
    # What the login page echoes back is escaped too.
    echoed = httpx.post(f"{site.url}/login", data={"username": XSS, "password": "x", "next": XSS})
    assert "<script>alert" not in echoed.text and 'value="/"' in echoed.text


def mallory_criterion(site: Site, page: str) -> str:
    with site.registry() as reg:
        view = reg.reviews.get(int(page.rsplit("/", 1)[1]))
        return next(c.id for c in view.template.criteria if c.kind == "attestation")


def test_monitoring_shows_each_components_windows_alerts_and_drift_report(site: Site) -> None:
    mallory = logged_in(site, "mallory")
    page = mallory.get("/projects/x/monitoring").text
    row = re.search(r'<th scope="row">x/1</th>(.*?)</tr>', page, re.S)
    assert row is not None
    assert "1 (latest 2026-11-20, 500 rows)" in row.group(1)
    link = re.search(r'href="(/projects/x/components/1/drift\?reference=default)"', row.group(1))
    assert link is not None
    assert "<td>drift</td><td>&lt;script&gt;" in page  # the alert, its message escaped
    report = mallory.get(link.group(1))
    assert report.status_code == 200 and "score" in report.text and "2026-11-20" in report.text
    unknown = mallory.get("/projects/x/components/1/drift?reference=nope")
    assert unknown.status_code in (400, 404) and "nope" in refusal(unknown)


def test_a_login_posted_from_another_site_is_refused(site: Site) -> None:
    data = {"username": "alan", "password": PASSWORDS["alan"]}
    foreign = httpx.post(f"{site.url}/login", data=data, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403 and "set-cookie" not in foreign.headers
    assert "a login must come from this site&#39;s own form" in foreign.text
    own = httpx.post(f"{site.url}/login", data=data, headers={"Origin": site.url})
    assert own.status_code == 303


def test_the_login_never_redirects_to_another_site(site: Site, tmp_path: Path) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        answer = httpx.post(
            f"{site.url}/login", data={"username": "alan", "password": PASSWORDS["alan"], "next": target}
        )
        assert answer.headers["location"] == "/", target


def test_a_seat_and_the_last_signature_given_over_the_rest_api_notify_too(
    site: Site, hook: tuple[str, list[dict[str, Any]]]
) -> None:
    with site.registry() as reg:
        reg.components.add("p/9", "Scorer", kind="model", level=0, owner="olga")
        rid = reg.reviews.open("p/9").id
        view = reg.reviews.get(rid)
        for criterion in view.template.criteria:
            if criterion.kind == "attestation":
                reg.reviews.record_result(rid, criterion.id, "met", "shown")
        reg.reviews.answer_ethics(rid, dict.fromkeys(view.template.ethics, "discussed"))
        ids = reg
        tokens = {
            name: ids.tokens.create(name, scopes=["read", "write", "approve"])[1] for name in ("carl", "rita")
        }
    api = f"/api/v1/projects/p/reviews/{rid}"
    with httpx.Client(base_url=site.url, headers={"Authorization": f"Bearer {tokens['carl']}"}) as carl:
        seated = carl.post(f"{api}/panel", json={"role": "research-lead", "person": "rita"})
    assert seated.status_code == 200, seated.text
    told = wait_for(hook[1], lambda body: body["review"] == rid and body["needs"] == "sign")
    assert told["people"] == ["rita"]
    with httpx.Client(base_url=site.url, headers={"Authorization": f"Bearer {tokens['rita']}"}) as rita:
        signed = rita.post(f"{api}/signatures", json={"verdict": "approve"})
    assert signed.status_code == 201, signed.text
    ready = wait_for(hook[1], lambda body: body["review"] == rid and body["needs"] == "decide")
    assert ready["people"] == ["alan"]


def test_a_browser_asking_for_no_page_gets_an_html_page_and_the_api_its_json(site: Site) -> None:
    carl = logged_in(site, "carl")
    page = {"accept": "text/html,application/xhtml+xml"}
    for address in ("/no/such/page", "/projects/p/reviews/not-a-number"):
        answer = carl.get(address, headers=page)
        assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
        assert "<h1>Not found</h1>" in answer.text and f"no page {address}" in answer.text
    api = carl.get("/api/v1/nothing", headers=page)
    assert api.status_code == 404 and api.json()["error"].startswith("no route GET /api/v1/nothing")
    assert carl.get("/no/such/page").json()["error"].startswith("no route GET /no/such/page")
