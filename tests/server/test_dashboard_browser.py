"""The dashboard in Debian's Chromium (Playwright), over a real `mltrl serve`: a whole gate review by
three people in three browsers, keyboard use, what a viewer cannot do, revocation, and the
portfolio at a laptop's 1366x768 (screenshot kept in $MLTRL_ARTIFACTS_DIR)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dashboard_site import PASSWORDS, dashboard_site, wait_for, webhook_receiver
from server_site import DatabaseIn, Site

from mltrl.cli import main

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def site(database_in: DatabaseIn, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("dashboard-browser")
    with (
        webhook_receiver() as (url, received),
        database_in(directory) as db,
        dashboard_site(db, directory, {"MLTRL_NOTIFY_WEBHOOK": url}) as served,
    ):
        served.extra["notifications"] = received
        yield served


@pytest.fixture
def people(browser: Any, site: Site) -> Iterator[dict[str, Any]]:
    """One browser context (own cookies) per person, each logged in through the login form."""
    contexts: list[Any] = []

    def page_of(name: str) -> Any:
        context = browser.new_context(viewport=LAPTOP, base_url=site.url)
        contexts.append(context)
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.dialogs = dialogs
        page.goto("/")
        expect(page).to_have_url(re.compile(r"/login\?next=/$"))
        page.get_by_label("User name").fill(name)
        page.get_by_label("Password").fill(PASSWORDS[name])
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Portfolio")).to_be_visible()
        return page

    yield {"open": page_of}
    for context in contexts:
        context.close()


def test_a_gate_review_by_three_people_in_three_browsers(people: dict[str, Any], site: Site) -> None:
    carl = people["open"]("carl")
    carl.get_by_role("link", name="Project P").click()
    carl.get_by_role("button", name="Open the level-3 review of 3").click()
    expect(carl.get_by_role("heading", level=1)).to_contain_text("p/3 at level 3")
    review_url = carl.url
    assert _unlabelled(carl) == []
    for role, person in (("research-lead", "rita"), ("applied-ai", "alan")):
        carl.get_by_label("Role", exact=True).select_option(role)
        carl.get_by_label("User", exact=True).fill(person)
        carl.get_by_role("button", name="Put on the panel").click()
        expect(carl.locator("#panel")).to_contain_text(person)
    with site.registry() as reg:
        attestations = [c.id for c in reg.catalog.level(3).criteria if c.kind == "attestation"]
    for criterion in attestations:
        carl.get_by_label(f"Result for {criterion}").select_option("met")
        carl.get_by_label(f"Note on {criterion}").fill(f"shown in the demo of {criterion}")
        carl.get_by_role("button", name=f"Record {criterion}").click()
        expect(carl.locator("#criteria")).to_contain_text(f"shown in the demo of {criterion}")
    # A contributor fills the review in but sees no sign button.
    expect(carl.get_by_role("button", name=re.compile("^Sign"))).to_have_count(0)

    # Rita finds it under "my reviews" and answers her half of the ethics checklist.
    rita = people["open"]("rita")
    rita.get_by_role("link", name="My reviews").click()
    rita.get_by_role("link", name=re.compile(r"Review \d+: p\/3 at level 3")).click()
    expect(rita).to_have_url(review_url)
    questions = rita.locator("textarea[name^='answer:']")
    count = questions.count()
    assert count >= 20
    for i in range(count // 2):
        questions.nth(i).fill(f"rita's answer {i}")
    rita.get_by_role("button", name="Save ethics answers").click()
    expect(rita.locator("#ethics")).to_contain_text(f"{count // 2} of {count} answered")

    # Alan answers the rest and signs; rita then signs what is now complete, by keyboard alone (an
    # approval signs the answers it saw: one given before alan's would be signed on different evidence).
    alan = people["open"]("alan")
    alan.goto(review_url)
    for i in range(count // 2, count):
        alan.locator("textarea[name^='answer:']").nth(i).fill(f"alan's answer {i}")
    alan.get_by_role("button", name="Save ethics answers").click()
    expect(alan.locator("#ethics")).to_contain_text(f"{count} of {count} answered")
    alan.get_by_role("button", name="Sign as alan").click()
    expect(alan.locator("#panel")).to_contain_text("alan: approve")
    rita.reload()
    _sign_by_keyboard(rita, "rita")
    expect(rita.locator("#panel")).to_contain_text("rita: approve")
    alan.reload()
    expect(alan.locator("#h-blockers")).to_have_count(0)  # nothing stands in the way any more
    # The last signature made it ready for a decision: whoever decides on p is told so.
    ready = wait_for(site.extra["notifications"], lambda body: body["needs"] == "decide")
    assert ready["people"] == ["alan"] and ready["component"] == "p/3"
    assert "it is ready for a decision by alan" in ready["text"]
    alan.get_by_label("Decision", exact=True).select_option("graduate")
    alan.get_by_label("Reason", exact=True).fill("prototype shown, panel agrees")
    alan.get_by_role("button", name="Decide").click()
    expect(alan.locator("#review-status")).to_have_text("graduated to level 4")
    _shot(alan, site, "review")
    alan.get_by_role("link", name="Back to the project").click()
    expect(alan.locator("#h-timeline")).to_be_visible()
    _shot(alan, site, "project")
    with site.registry() as reg:
        assert reg.components.get("p/3").level == 4
        actors = {(e.kind, e.actor) for e in reg.history("p/3")}
    assert {
        ("review.open", "carl"),
        ("review.sign", "rita"),
        ("review.sign", "alan"),
        ("graduate", "alan"),
    } <= actors
    assert not (carl.dialogs or rita.dialogs or alan.dialogs)


def _unlabelled(page: Any) -> list[str]:
    """Form controls a screen reader could not name (no <label> and no aria-label)."""
    return page.evaluate(
        """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
           .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
           .map(e => e.name || e.id)"""
    )


def _shot(page: Any, site: Site, name: str) -> None:
    """Keep a screenshot of the page as a CI artefact (in the test's directory when run by hand)."""
    artefacts = Path(os.environ.get("MLTRL_ARTIFACTS_DIR") or site.log.parent)
    artefacts.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(artefacts / f"dashboard-{name}.png"), full_page=True)


def _sign_by_keyboard(page: Any, name: str) -> None:
    """Reach the sign button with Tab alone, from the top of the page, and press Enter."""
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")  # the skip link lands on the main content
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(300):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent || ''")
        if focused.strip() == f"Sign as {name}":
            break
    else:
        raise AssertionError("Tab never reached the sign button")
    page.keyboard.press("Enter")


def test_a_viewer_sees_no_sign_button_and_a_forged_post_is_refused(
    people: dict[str, Any], site: Site
) -> None:
    with site.registry() as reg:
        rid = reg.reviews.open("p/4").id
    # The level-4 review has a key decision: carl records it.
    carl = people["open"]("carl")
    carl.goto(f"/projects/p/reviews/{rid}")
    carl.get_by_label("Option").select_option("continue")
    carl.get_by_label("Note", exact=True).fill("budget approved")
    carl.get_by_role("button", name="Record continue-or-pause").click()
    expect(carl.locator("#decisions")).to_contain_text("recorded: continue (“budget approved”)")
    vera = people["open"]("vera")
    vera.goto(f"/projects/p/reviews/{rid}")
    expect(vera.locator("#decisions")).to_contain_text("recorded: continue")
    expect(vera.get_by_role("button", name=re.compile("^Record"))).to_have_count(0)
    expect(vera.get_by_role("heading", name="Sign")).to_be_visible()
    expect(vera.get_by_role("button", name=re.compile("^Sign"))).to_have_count(0)
    expect(vera.get_by_role("button", name="Decide")).to_have_count(0)
    csrf = vera.locator("input[name=csrf]").first.input_value()  # her own, from the logout form
    forged = vera.request.post(
        f"/projects/p/reviews/{rid}/signatures", form={"csrf": csrf, "verdict": "approve"}, max_redirects=0
    )
    assert forged.status == 403 and "vera may not sign" in forged.text()


def test_revoking_the_session_logs_the_browser_out(people: dict[str, Any], site: Site) -> None:
    rita = people["open"]("rita")
    assert main(["--db", site.db, "user", "logout", "rita"]) == 0
    rita.get_by_role("link", name="My reviews").click()
    expect(rita).to_have_url(re.compile(r"/login\?next=/reviews&reason=the%20session%20was%20revoked"))
    expect(rita.get_by_role("alert")).to_have_text("the session was revoked; log in again")


def test_the_portfolio_fits_a_laptop_screen_and_filters(people: dict[str, Any], site: Site) -> None:
    page = people["open"]("root")  # a site admin sees every project
    expect(page.get_by_role("row")).to_have_count(3)  # header, p, x
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    _shot(page, site, "portfolio")
    assert _unlabelled(page) == []
    # Filtering (htmx swaps the table, the address keeps the filter).
    page.get_by_label("System TRL").select_option("1")
    expect(page).to_have_url(re.compile(r"level=1"))
    expect(page.get_by_role("row")).to_have_count(2)  # header, x (at level 1)
    page.get_by_label("Name or key").fill("project p")
    expect(page.get_by_text("No project matches.")).to_be_visible()
    # The markup in the project's name shows as text and never runs.
    page.goto("/projects/x")
    expect(page.get_by_role("heading", level=1)).to_contain_text("<script>alert('xss')</script>")
    page.get_by_role("link", name="Monitoring").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monitoring of x")
    _shot(page, site, "monitoring")
    page.get_by_role("link", name="My reviews").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My reviews")
    _shot(page, site, "my-reviews")
    assert page.dialogs == []
