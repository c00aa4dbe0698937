"""The routes a team needed beyond the core (issue 13, item 1): targets, the working group, the
hand-off, the review cadence, couplings, traits, metamorphic relations, one alert and bringing it
before a review, the audit's check, and the server's users and sessions — through a real `mltrl
serve` process: each read answers what the CLI prints, each refusal is the CLI's line with nothing
written, and each route keeps out whom its action keeps out."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from server_site import Site
from test_api_breadth import cli, ok

API = "/api/v1/projects/p"


def _counts(site: Site) -> dict[str, int]:
    with site.registry() as reg:
        return reg.counts()


def test_targets_group_and_couplings_answer_what_the_cli_prints(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    carl, vera = site.client("carl"), site.client("vera")
    target = ok(
        carl.post(f"{API}/components/1/targets", json={"level": 4, "by": "2027-03-31", "note": "spring"}),
        201,
    )
    assert (target["component"], target["level"], target["due"]) == ("p/1", 4, "2027-03-31")
    code, listed, _ = cli(capsys, site.db, "target", "list", "p", "--json")
    assert code == 0 and ok(vera.get(f"{API}/targets")) == listed
    assert [t["id"] for t in listed["targets"]] == [target["id"]]
    mine = ok(vera.get(f"{API}/targets", params={"component": "1"}))
    assert mine == cli(capsys, site.db, "target", "list", "p/1", "--json")[1]

    group = ok(carl.post(f"{API}/components/1/group", json={"person": "P. Iyer", "role": "qa"}), 201)
    assert [(m["person"], m["role"], m["joined_level"]) for m in group["members"]] == [("P. Iyer", "qa", 1)]
    assert (
        ok(vera.get(f"{API}/components/1/group")) == cli(capsys, site.db, "group", "show", "p/1", "--json")[1]
    )
    left = ok(carl.delete(f"{API}/components/1/group/P. Iyer", params={"reason": "moved to the app team"}))
    assert left["members"][0]["left_reason"] == "moved to the app team"
    assert left == cli(capsys, site.db, "group", "show", "p/1", "--json")[1]

    withdrawn = ok(carl.delete(f"{API}/targets/{target['id']}", params={"reason": "launch moved"}))
    assert withdrawn == {"id": target["id"], "removed": True, "reason": "launch moved"}
    assert ok(vera.get(f"{API}/targets")) == {"targets": []}

    ok(carl.post(f"{API}/components/1/couplings", json={"other": "p/7", "note": "reads its output"}), 201)
    shown = cli(capsys, site.db, "component", "show", "p/1", "--json")[1]
    assert ok(vera.get(f"{API}/components/1/couplings")) == {
        "component": "p/1",
        "couplings": shown["couplings"],
    }
    # Each write was the token's user's, as the log tells.
    kinds = {(e["kind"], e["actor"]) for e in ok(vera.get(f"{API}/components/1/history"))["events"]}
    assert {("target.add", "carl"), ("group.join", "carl"), ("group.leave", "carl")} <= kinds


def test_the_owner_the_cadence_and_traits_are_the_project_admins(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    carl, adele = site.client("carl"), site.client("adele")
    before = _counts(site)
    for method, path, body in [
        ("POST", "components/7/handoff", {"to": "L. Duarte"}),
        ("PUT", "components/7/cadence", {"review_every_days": 30}),
        ("PATCH", "traits", {"add": ["causal"]}),
    ]:
        refused = carl.request(method, f"{API}/{path}", json=body)
        assert refused.status_code == 403 and "carl may not administer" in refused.json()["error"], path
    assert _counts(site) == before

    handed = ok(adele.post(f"{API}/components/7/handoff", json={"to": "L. Duarte", "note": "roadmap agreed"}))
    assert (handed["code"], handed["owner"]) == ("7", "L. Duarte")
    group = cli(capsys, site.db, "group", "show", "p/7", "--json")[1]
    assert ok(adele.get(f"{API}/components/7/group")) == group
    assert [(h["from"], h["to"]) for h in group["handoffs"]] == [("olga", "L. Duarte")]

    with site.registry() as reg:
        reg.components.add("p/9", "Deployed", kind="model", level=9, reason="imported at 9")
    cadence = ok(adele.put(f"{API}/components/9/cadence", json={"review_every_days": 30}))
    assert (cadence["code"], cadence["review_every_days"]) == ("9", 30)
    due = ok(adele.get(f"{API}/due-reviews"))
    assert [(d["component"], d["every_days"]) for d in due["components"]] == [("p/9", 30)]

    traits = ok(adele.patch(f"{API}/traits", json={"add": ["causal"]}))
    assert traits == {"project": "p", "traits": ["causal"]}
    assert cli(capsys, site.db, "project", "traits", "p", "--json")[1] == traits


def test_a_trait_cannot_be_removed_once_a_component_climbed_as_on_the_command_line(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    adele = site.client("adele")
    ok(adele.patch(f"{API}/traits", json={"add": ["causal"]}))
    before = _counts(site)
    refused = adele.patch(f"{API}/traits", json={"remove": ["causal"]})
    code, _, err = cli(capsys, site.db, "project", "traits", "p", "--remove", "causal")
    assert (refused.status_code, code) == (400, 2)
    assert refused.json()["error"] == err and "cannot be removed" in err
    assert _counts(site) == before
    assert ok(adele.get(API))["traits"] == ["causal"]


def test_relations_are_codified_and_removed_as_the_cli_does(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    carl, vera = site.client("carl"), site.client("vera")
    body = {
        "name": "noise",
        "kind": "invariance",
        "perturbation": "gaussian_noise",
        "params": {"scale": 0.01},
        "tolerance": 0.02,
        "description": "a little noise changes nothing",
    }
    created = ok(carl.post(f"{API}/components/7/relations", json=body), 201)
    assert (created["name"], created["params"], created["tolerance"]) == ("noise", {"scale": 0.01}, 0.02)
    listed = ok(vera.get(f"{API}/components/7/relations"))
    assert listed == cli(capsys, site.db, "relations", "list", "p/7", "--json")[1]
    assert [r["name"] for r in listed["relations"]] == ["noise"]
    again = carl.post(f"{API}/components/7/relations", json=body)
    assert again.status_code == 400 and "already has a relation 'noise'" in again.json()["error"]
    removed = ok(carl.delete(f"{API}/components/7/relations/noise", params={"reason": "replaced"}))
    assert removed == {"component": "p/7", "relation": "noise", "removed": True}
    assert ok(vera.get(f"{API}/components/7/relations"))["relations"] == []
    assert vera.delete(f"{API}/components/7/relations/noise").status_code == 403


def test_an_alert_is_shown_and_brought_before_a_review(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    rita, carl, vera = site.client("rita"), site.client("carl"), site.client("vera")
    with site.registry() as reg:
        alert = reg.alerts.create("p/7", "drift", "income drifted", {"columns": ["income"]})
        other = reg.alerts.create("q/1", "drift", "elsewhere", {"columns": ["x"]})
    shown = ok(vera.get(f"{API}/alerts/{alert}"))
    assert [shown] == cli(capsys, site.db, "monitor", "alerts", "p", "--json")[1]["alerts"]
    assert vera.get(f"{API}/alerts/{other}").json() == {"error": f"no alert {other} in project 'p'"}

    # A reviewer handles alerts but opens no review: bringing one before a review may open one.
    before = _counts(site)
    refused = rita.post(f"{API}/alerts/{alert}/review")
    assert refused.status_code == 403 and "rita may not open-review" in refused.json()["error"]
    assert _counts(site) == before

    linked = ok(carl.post(f"{API}/alerts/{alert}/review"))
    assert linked["alert"] == alert and linked["opened"] is True and linked["level"] == 7
    reviews = ok(vera.get(f"{API}/reviews"))["reviews"]
    assert [r["id"] for r in reviews] == [linked["review"]]
    assert ok(vera.get(f"{API}/alerts/{alert}"))["review_id"] == linked["review"]
    before = _counts(site)
    twice = carl.post(f"{API}/alerts/{alert}/review")
    code, _, err = cli(capsys, site.db, "monitor", "review", str(alert))
    assert (twice.status_code, code) == (400, 2) and twice.json()["error"] == err
    assert _counts(site) == before


def test_the_audit_check_is_for_site_admins(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    code, expected, _ = cli(capsys, site.db, "audit", "verify", "--json")
    assert code == 0 and expected["intact"] is True
    assert ok(site.client("root").get("/api/v1/audit/verify")) == expected
    refused = site.client("adele").get("/api/v1/audit/verify")  # a project's admin, not the site's
    assert refused.status_code == 403
    assert (
        refused.json()["error"]
        == "adele is not a site admin; only a site admin may verify the whole registry's log"
    )


PASSWORD = "correct horse battery staple"


def test_site_admins_manage_users_and_sessions_and_a_password_never_comes_back(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    root, adele = site.client("root"), site.client("adele")
    # Nobody but a site admin: a project's admin is refused every one of these, and nothing is written.
    before = _counts(site)
    for method, path, body in [
        ("GET", "/users", None),
        ("POST", "/users", {"name": "nina", "password": PASSWORD}),
        ("POST", "/users/vera/disable", None),
        ("GET", "/sessions", None),
        ("DELETE", "/sessions/1", None),
        ("DELETE", "/users/vera/sessions", None),
    ]:
        refused = adele.request(method, f"/api/v1{path}", json=body)
        assert refused.status_code == 403 and "adele is not a site admin" in refused.json()["error"], path
    assert _counts(site) == before

    short = root.post("/api/v1/users", json={"name": "nina", "password": "short12"})
    assert short.status_code == 400
    assert short.json() == {"error": "the password is shorter than 8 characters"}
    assert _counts(site) == before

    created = root.post(
        "/api/v1/users", json={"name": "nina", "display_name": "N. Ina", "password": PASSWORD}
    )
    assert created.status_code == 201 and PASSWORD not in created.text
    assert set(created.json()) == {
        "name",
        "display_name",
        "is_admin",
        "created_at",
        "created_by",
        "disabled_at",
    }
    assert created.json()["created_by"] == "root"
    listed = ok(root.get("/api/v1/users"))
    assert listed == cli(capsys, site.db, "user", "list", "--json")[1]
    assert "password" not in str(listed) and "argon2" not in str(listed)

    # The password works (nina gets a token with it), and a browser session of hers can be ended.
    token = httpx.post(
        f"{site.url}/api/v1/tokens", auth=("nina", PASSWORD), json={"scopes": ["read"]}, timeout=30
    )
    assert token.status_code == 201
    with site.registry() as reg:
        reg.sessions.login("nina", PASSWORD, client="127.0.0.1")
    sessions = ok(root.get("/api/v1/sessions", params={"user": "nina"}))
    assert sessions == cli(capsys, site.db, "user", "sessions", "--user", "nina", "--json")[1]
    assert [s["state"] for s in sessions["sessions"]] == ["active"]
    ended = ok(root.delete("/api/v1/users/nina/sessions"))
    assert [s["id"] for s in ended["revoked"]] == [sessions["sessions"][0]["id"]]
    again = root.delete(f"/api/v1/sessions/{sessions['sessions'][0]['id']}")
    code, _, err = cli(capsys, site.db, "user", "logout", "--session", str(sessions["sessions"][0]["id"]))
    assert (again.status_code, code) == (400, 2) and again.json()["error"] == err

    disabled = ok(root.post("/api/v1/users/nina/disable"))
    assert disabled["disabled_at"] is not None
    refused = httpx.post(
        f"{site.url}/api/v1/tokens", auth=("nina", PASSWORD), json={"scopes": ["read"]}, timeout=30
    )
    assert refused.status_code == 401
    # Neither the answers nor the server's log ever held the password.
    assert PASSWORD not in site.log.read_text()


@pytest.mark.parametrize(
    ("method", "path", "body", "argv"),
    [
        (
            "POST",
            "components/7/targets",
            {"level": 7, "by": "2027-01-01"},
            ["target", "add", "p/7", "--level", "7", "--by", "2027-01-01"],
        ),
        (
            "POST",
            "components/7/targets",
            {"level": 8, "by": "soon"},
            ["target", "add", "p/7", "--level", "8", "--by", "soon"],
        ),
        ("DELETE", "targets/999?reason=x", None, ["target", "remove", "999", "--reason", "x"]),
        (
            "POST",
            "components/1/group",
            {"person": "", "role": "qa"},
            ["group", "add", "p/1", "--person", "", "--role", "qa"],
        ),
        ("DELETE", "components/1/group/nobody", None, ["group", "remove", "p/1", "--person", "nobody"]),
        ("POST", "components/1/handoff", {"to": "L. Duarte"}, ["handoff", "p/1", "--to", "L. Duarte"]),
        (
            "PUT",
            "components/7/cadence",
            {"review_every_days": 0},
            ["component", "cadence", "p/7", "--every", "0"],
        ),
        ("PATCH", "traits", {"remove": ["causal"]}, ["project", "traits", "p", "--remove", "causal"]),
        ("PATCH", "traits", {"add": ["psychic"]}, ["project", "traits", "p", "--add", "psychic"]),
        (
            "POST",
            "components/7/relations",
            {"name": "n", "kind": "sideways", "perturbation": "gaussian_noise"},
            ["relations", "add", "p/7", "n", "--kind", "sideways", "--perturbation", "gaussian_noise"],
        ),
        (
            "POST",
            "components/7/relations",
            {"name": "n", "kind": "invariance", "perturbation": "teleport"},
            ["relations", "add", "p/7", "n", "--kind", "invariance", "--perturbation", "teleport"],
        ),
        ("DELETE", "components/7/relations/nope", None, ["relations", "remove", "p/7", "nope"]),
        ("GET", "targets?component=9", None, ["target", "list", "p/9"]),
        ("GET", "components/9/group", None, ["group", "show", "p/9"]),
    ],
)
def test_a_refusal_is_the_cli_line_and_writes_nothing(
    shared_site: Site,
    capsys: pytest.CaptureFixture[str],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    argv: list[str],
) -> None:
    before = _counts(shared_site)
    response = shared_site.client("root").request(method, f"{API}/{path}", json=body)
    code, _, err = cli(capsys, shared_site.db, *argv)
    assert code == 2 and err
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"] == err
    assert _counts(shared_site) == before
