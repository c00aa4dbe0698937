"""The REST API through a real `mltrl serve` process: the same answers and refusals as the CLI, and
no way around a rule: nobody skips a gate, signs as someone else, or writes without the role."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_site import ROLE_USERS, Site, start_server, stop_server

from mltrl.cli import main
from mltrl.demo._reviewing import ethics_answer
from mltrl.service.authorization import MATRIX, Action, Role


def cli_json(capsys: pytest.CaptureFixture[str], db: str, *argv: str) -> Any:
    code = main(["--db", db, *argv, "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def counts(site: Site) -> dict[str, int]:
    with site.registry() as reg:
        return reg.counts()


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: httpx.Response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"error"}
    assert message in body["error"], body
    assert "\n" not in body["error"]


def test_health_readiness_and_the_published_schema(shared_site: Site) -> None:
    anonymous = shared_site.client(None)
    assert ok(anonymous.get("/healthz")) == {"status": "ok"}
    assert ok(anonymous.get("/readyz"))["status"] == "ready"
    schema = ok(anonymous.get("/openapi.json"))
    assert "/api/v1/projects/{key}/reviews/{review_id}/signatures" in schema["paths"]
    assert "HTTPBearer" in schema["components"]["securitySchemes"]


def test_reads_answer_what_the_cli_prints(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    vera = site.client("vera")  # a viewer
    for path, argv in [
        ("/api/v1/projects/p", ["project", "show", "p"]),
        ("/api/v1/projects/p/status", ["status", "p"]),
        ("/api/v1/projects/p/components", ["component", "list", "p"]),
        ("/api/v1/projects/p/components/1", ["component", "show", "p/1"]),
        ("/api/v1/projects/p/components/1/history", ["history", "p/1"]),
        ("/api/v1/projects/p/components/7/gate", ["gate", "p/7", "--level", "6"]),
        ("/api/v1/projects/p/components/1/evidence", ["evidence", "list", "p/1"]),
        ("/api/v1/projects/p/reviews", ["review", "list", "p"]),
        ("/api/v1/projects/p/requirements", ["req", "list", "p"]),
        ("/api/v1/projects/p/card", ["card", "show", "p"]),
    ]:
        query = {"level": 6} if path.endswith("/gate") else None
        response = vera.get(path, params=query)
        if argv[0] == "gate":  # the CLI exits 1 on a gate that does not hold, after printing it
            main(["--db", site.db, *argv, "--json"])
            expected = json.loads(capsys.readouterr().out)
        else:
            expected = cli_json(capsys, site.db, *argv)
        got = ok(response)
        if "summary" in got:  # a card says when it was assembled: now, for each of the two
            got["summary"].pop("generated_at")
            expected["summary"].pop("generated_at")
        assert got == expected, path
    # Only the projects a user may read are listed.
    assert [p["key"] for p in ok(vera.get("/api/v1/projects"))["projects"]] == ["p"]
    assert [p["key"] for p in ok(site.client("root").get("/api/v1/projects"))["projects"]] == ["p", "q"]


def test_without_a_valid_token_nothing_is_answered(shared_site: Site) -> None:
    anonymous = shared_site.client(None)
    response = anonymous.get("/api/v1/projects")
    refused(response, 401, "needs an `Authorization: Bearer <token>` header")
    assert response.headers["www-authenticate"] == "Bearer"
    for header in ("Bearer nonsense", "Basic dXNlcjpwYXNz", f"Bearer {shared_site.tokens['vera']}x"):
        refused(anonymous.get("/api/v1/projects", headers={"Authorization": header}), 401, "")


def test_revoked_expired_and_disabled_tokens_stop_working_at_once(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:

    vera, carl, rita = site.client("vera"), site.client("carl"), site.client("rita")
    for client in (vera, carl, rita):
        ok(client.get("/api/v1/projects/p"))
    with site.registry() as reg:
        ids = reg
        prefix = {t.user: t.prefix for t in ids.tokens.list()}
    assert main(["--db", site.db, "token", "revoke", prefix["vera"]]) == 0
    refused(vera.get("/api/v1/projects/p"), 401, f"token {prefix['vera']} was revoked")
    assert main(["--db", site.db, "user", "disable", "carl"]) == 0
    refused(carl.get("/api/v1/projects/p"), 401, "user 'carl' is disabled")
    # A token past its expiry: moved into the past in the database (as time would).
    from sqlalchemy import create_engine, text

    engine = create_engine(site.db.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE api_tokens SET expires_at = :t WHERE prefix = :p"),
            {"t": "2020-01-01 00:00:00", "p": prefix["rita"]},
        )
    engine.dispose()
    refused(rita.get("/api/v1/projects/p"), 401, f"token {prefix['rita']} expired at 2020-01-01")
    capsys.readouterr()


def test_a_token_is_limited_to_its_scopes_and_projects(site: Site) -> None:

    with site.registry() as reg:
        _, ci = reg.tokens.create("adele", projects=["p"], scopes=["read", "write"])
    client = httpx.Client(base_url=site.url, headers={"Authorization": f"Bearer {ci}"})
    ok(client.get("/api/v1/projects/p"))
    evidence = {"kind": "metric", "outcome": "pass", "criterion": "L1.sample-data", "metrics": {"n": 3}}
    ok(client.post("/api/v1/projects/p/components/1/evidence", json=evidence), 201)
    review = ok(client.post("/api/v1/projects/p/components/1/reviews", json={}), 201)
    refused(
        client.post(f"/api/v1/projects/p/reviews/{review['id']}/signatures", json={"verdict": "approve"}),
        403,
        "this token's scopes (read, write) do not include approve",
    )
    refused(client.get("/api/v1/projects/q"), 403, "this token is not valid for project 'q'")


def _request(site: Site, user: str, action: Action, review_id: int) -> httpx.Response:
    """One request that needs exactly ``action`` on project p."""
    client = site.client(user)
    base = "/api/v1/projects/p"
    if action is Action.READ:
        return client.get(f"{base}/status")
    if action is Action.RECORD_EVIDENCE:
        evidence = {"kind": "metric", "outcome": "pass", "criterion": "L1.sample-data"}
        return client.post(f"{base}/components/1/evidence", json=evidence)
    if action is Action.OPEN_REVIEW:
        return client.post(f"{base}/components/1/reviews", json={})
    if action is Action.EDIT_REVIEW:
        body = {"criterion": "L7.golden-dataset", "result": "unmet", "note": "not yet"}
        return client.post(f"{base}/reviews/{review_id}/results", json=body)
    if action is Action.SIGN:
        return client.post(f"{base}/reviews/{review_id}/signatures", json={"verdict": "approve"})
    if action is Action.DECIDE:
        return client.post(f"{base}/reviews/{review_id}/decision", json={"decision": "graduate"})
    if action is Action.EDIT_RECORDS:
        requirement = {
            "code": "1",
            "statement": "shall find defects",
            "kind": "research",
            "p_failure": 0.2,
            "value": 5,
            "category": "technical",
        }
        return client.post(f"{base}/requirements", json=requirement)
    if action is Action.ACKNOWLEDGE:  # no such alert: a 404 once past the door
        return client.post(f"{base}/alerts/999/acknowledgement", json={})
    assert action is Action.ADMINISTER
    return client.get(f"{base}/roles")


def test_the_api_enforces_every_cell_of_the_role_matrix(site: Site) -> None:
    review = ok(site.client("root").post("/api/v1/projects/p/components/7/reviews", json={}), 201)
    for role, user in ROLE_USERS.items():
        for action in Action:
            before = counts(site)
            response = _request(site, user, action, review["id"])
            if action in MATRIX[Role(role)]:
                # Allowed past the door; the service may still refuse (a signer not on the panel, a
                # gate that does not hold), but never with 401/403.
                assert response.status_code not in (401, 403), (role, action, response.text)
            else:
                refused(response, 403, f"{user} may not {action} on project 'p'")
                assert counts(site) == before, (role, action)
    # Someone with no role on p at all, and a level-limited approver below their range.
    refused(_request(site, "quentin", Action.READ, review["id"]), 403, "quentin has no role on project 'p'")
    refused(
        site.client("qa").post("/api/v1/projects/p/components/1/reviews", json={}),
        403,
        "qa may not open-review on project 'p' at level 1 (roles: approver at levels 7-9)",
    )
    assert (
        _request(site, "qa", Action.DECIDE, review["id"]).status_code == 400
    )  # level 7: allowed, gate unmet


def test_a_viewer_cannot_write_and_nothing_is_written(shared_site: Site) -> None:
    vera = shared_site.client("vera")
    before = counts(shared_site)
    evidence = {"kind": "metric", "outcome": "pass", "criterion": "L1.sample-data"}
    refused(
        vera.post("/api/v1/projects/p/components/1/evidence", json=evidence),
        403,
        "vera may not record-evidence",
    )
    refused(vera.post("/api/v1/projects/p/components/1/reviews", json={}), 403, "vera may not open-review")
    assert counts(shared_site) == before


def _staffed_level_1_review(site: Site) -> int:
    carl, adele = site.client("carl"), site.client("adele")
    review = ok(carl.post("/api/v1/projects/p/components/1/reviews", json={}), 201)
    rid = review["id"]
    assert review["level"] == 1 and review["opened_by"] == "carl"
    ok(
        adele.post(
            f"/api/v1/projects/p/reviews/{rid}/panel", json={"role": "research-lead", "person": "rita"}
        )
    )
    ok(adele.post(f"/api/v1/projects/p/reviews/{rid}/panel", json={"role": "researcher", "person": "alan"}))
    return rid


def test_a_whole_review_by_three_people_each_signing_as_themselves(site: Site) -> None:
    rid = _staffed_level_1_review(site)
    carl, rita, alan = site.client("carl"), site.client("rita"), site.client("alan")
    view = ok(carl.get(f"/api/v1/projects/p/reviews/{rid}"))
    for criterion in view["template"]["criteria"]:
        ok(
            carl.post(
                f"/api/v1/projects/p/reviews/{rid}/results",
                json={"criterion": criterion["id"], "result": "met", "note": "shown"},
            )
        )
    answers = {q: ethics_answer(q) for q in view["template"]["ethics"]}
    ok(carl.post(f"/api/v1/projects/p/reviews/{rid}/ethics", json={"answers": answers}))
    # Deciding before the panel signed is refused by the same rule as on the command line.
    refused(
        alan.post(f"/api/v1/projects/p/reviews/{rid}/decision", json={"decision": "graduate"}),
        400,
        "research-lead has not signed",
    )
    signed = ok(
        rita.post(
            f"/api/v1/projects/p/reviews/{rid}/signatures",
            json={"verdict": "approve", "role": "research-lead"},
        ),
        201,
    )
    assert [(s["person"], s["verdict"]) for s in signed["signatures"]] == [("rita", "approve")]
    refused(
        rita.post(f"/api/v1/projects/p/reviews/{rid}/signatures", json={"verdict": "approve"}),
        400,
        "rita has already signed",
    )
    ok(alan.post(f"/api/v1/projects/p/reviews/{rid}/signatures", json={"verdict": "approve"}), 201)
    decided = ok(
        alan.post(
            f"/api/v1/projects/p/reviews/{rid}/decision", json={"decision": "graduate", "reason": "all met"}
        )
    )
    assert decided["component"]["level"] == 2
    assert decided["decided_by"] == "alan"
    # The log names each person as the actor of what they did.
    history = ok(carl.get("/api/v1/projects/p/components/1/history"))["events"]
    actors = {(e["kind"], e["actor"]) for e in history}
    assert {
        ("review.open", "carl"),
        ("review.member", "adele"),
        ("review.sign", "rita"),
        ("review.sign", "alan"),
        ("graduate", "alan"),
    } <= actors


def test_no_level_nobody_earned_and_no_signature_for_someone_else(site: Site) -> None:
    rid = _staffed_level_1_review(site)
    rita, alan, adele = site.client("rita"), site.client("alan"), site.client("adele")
    before = counts(site)
    # Graduating with no result, no ethics answer and no signature: refused, level unchanged.
    refused(alan.post(f"/api/v1/projects/p/reviews/{rid}/decision", json={"decision": "graduate"}), 400, "")
    # No field names another signer: the body is refused whole.
    refused(
        rita.post(
            f"/api/v1/projects/p/reviews/{rid}/signatures", json={"verdict": "approve", "person": "alan"}
        ),
        422,
        "person: Extra inputs are not permitted",
    )
    # Claiming a panel role one does not hold.
    refused(
        rita.post(
            f"/api/v1/projects/p/reviews/{rid}/signatures", json={"verdict": "approve", "role": "researcher"}
        ),
        403,
        "rita cannot sign as researcher: rita sits on it as research-lead",
    )
    # An admin who is not on the panel cannot sign either (the service's rule).
    refused(
        adele.post(f"/api/v1/projects/p/reviews/{rid}/signatures", json={"verdict": "approve"}),
        400,
        "adele is not on the panel",
    )
    # The panel takes users of this server who could sign at this level, not typed names.
    refused(
        adele.post(
            f"/api/v1/projects/p/reviews/{rid}/panel", json={"role": "domain-expert", "person": "Dr. Nobody"}
        ),
        400,
        "'Dr. Nobody' is not a user of this server",
    )
    refused(
        adele.post(
            f"/api/v1/projects/p/reviews/{rid}/panel", json={"role": "domain-expert", "person": "vera"}
        ),
        403,
        "vera may not sign on project 'p' at level 1",
    )
    refused(
        adele.post(f"/api/v1/projects/p/reviews/{rid}/panel", json={"role": "domain-expert", "person": "qa"}),
        403,
        "qa may not sign on project 'p' at level 1",
    )
    # A review of project p is not reachable under project q's URL.
    refused(
        site.client("root").get(f"/api/v1/projects/q/reviews/{rid}"), 404, f"no review {rid} in project 'q'"
    )
    assert counts(site) == before
    assert ok(rita.get("/api/v1/projects/p/components/1"))["level"] == 1


@pytest.mark.parametrize(
    ("content", "headers", "status", "message"),
    [
        (b"{not json", {"Content-Type": "application/json"}, 422, "the request body is not valid JSON"),
        (b"[1, 2]", {"Content-Type": "application/json"}, 422, "the request body must be a JSON object"),
        (
            b'{"kind": 5, "outcome": "pass"}',
            {"Content-Type": "application/json"},
            422,
            "kind: Input should be a valid string",
        ),
        (b'{"outcome": "pass"}', {"Content-Type": "application/json"}, 422, "kind: Field required"),
        (
            b'{"kind": "metric", "outcome": "maybe", "criterion": "L1.sample-data"}',
            {"Content-Type": "application/json"},
            400,
            "outcome: 'maybe' is not one of",
        ),
        (
            b'{"kind": "metric", "outcome": "pass"}',
            {"Content-Type": "application/json"},
            400,
            "evidence backs a gate criterion",
        ),
        (
            b'{"kind": "metric", "outcome": "pass", "step": "2", "requirement": "R1"}',
            {"Content-Type": "application/json"},
            422,
            "step: Input should be a valid integer",
        ),
        (b"x" * (1 << 21), {"Content-Type": "application/json"}, 413, "larger than"),
    ],
)
def test_malformed_requests_get_a_clear_error_and_write_nothing(
    shared_site: Site, content: bytes, headers: dict[str, str], status: int, message: str
) -> None:
    before = counts(shared_site)
    response = shared_site.client("carl").post(
        "/api/v1/projects/p/components/1/evidence", content=content, headers=headers
    )
    refused(response, status, message)
    assert counts(shared_site) == before


def test_unknown_things_are_404_with_the_clis_message(shared_site: Site) -> None:
    root = shared_site.client("root")
    refused(root.get("/api/v1/nothing"), 404, "no route GET /api/v1/nothing")
    refused(root.get("/api/v1/projects/nope"), 404, "no project 'nope' in the registry")
    refused(root.get("/api/v1/projects/p/components/9.9"), 404, "no component '9.9' in project 'p'")
    refused(root.get("/api/v1/projects/p/reviews/999"), 404, "no review 999")
    refused(root.delete("/api/v1/projects/p"), 405, "DELETE is not allowed on /api/v1/projects/p")
    refused(
        root.get("/api/v1/projects/p/components/1/gate", params={"level": 12}),
        422,
        "level: Input should be less than or equal to 9",
    )


def test_project_admins_grant_roles_over_the_api(site: Site) -> None:
    adele = site.client("adele")
    granted = ok(adele.post("/api/v1/projects/p/roles", json={"user": "quentin", "role": "viewer"}), 201)
    assert granted["granted_by"] == "adele"
    ok(site.client("quentin").get("/api/v1/projects/p"))
    refused(
        site.client("alan").post("/api/v1/projects/p/roles", json={"user": "alan", "role": "admin"}),
        403,
        "alan may not administer",
    )
    ok(adele.delete("/api/v1/projects/p/roles/quentin/viewer"))
    refused(site.client("quentin").get("/api/v1/projects/p"), 403, "quentin has no role on project 'p'")


def test_the_access_log_is_one_json_object_per_request_naming_the_user(site: Site) -> None:
    ok(site.client("vera").get("/api/v1/projects/p"))
    stop_server(site.process)  # SIGTERM: uvicorn finishes, shuts the app down, then exits by the signal
    assert "Application shutdown complete" in site.log.read_text()
    lines = [
        json.loads(line) for line in site.log.read_text().splitlines() if '"mltrl.server.access"' in line
    ]
    entry = next(e["message"] for e in lines if e["message"]["path"] == "/api/v1/projects/p")
    assert entry["user"] == "vera" and entry["status"] == 200 and entry["method"] == "GET"


def test_readiness_fails_while_the_schema_is_not_this_mltrls(site: Site) -> None:
    from sqlalchemy import create_engine, text

    from mltrl.store._revision import HEAD_REVISION

    engine = create_engine(site.db.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0008_rules_targets'"))
    anonymous = site.client(None)
    refused(anonymous.get("/readyz"), 503, "run `mltrl migrate`")
    assert ok(anonymous.get("/healthz")) == {"status": "ok"}  # alive, just not ready
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": HEAD_REVISION})
    engine.dispose()
    assert ok(anonymous.get("/readyz"))["status"] == "ready"


def test_several_workers_serve_one_registry(site: Site, tmp_path: Path) -> None:
    url, process = start_server(site.db, tmp_path / "workers.log", "--workers", "2")
    try:
        headers = {"Authorization": f"Bearer {site.tokens['carl']}"}
        with httpx.Client(base_url=url, headers=headers, timeout=30) as carl:
            evidence = {"kind": "metric", "outcome": "pass", "criterion": "L1.sample-data"}
            ids = [
                ok(carl.post("/api/v1/projects/p/components/1/evidence", json=evidence), 201)["id"]
                for _ in range(6)
            ]
            listed = ok(carl.get("/api/v1/projects/p/components/1/evidence"))["evidence"]
    finally:
        stop_server(process)
    assert len(set(ids)) == 6
    assert {e["id"] for e in listed} >= set(ids)
    assert (tmp_path / "workers.log").read_text().count("Started server process") == 2


def test_concurrent_clients_lose_nothing(site: Site) -> None:
    """Readers and writers at once, each authenticating (which may note a token's use): no 5xx,
    every write lands exactly once, and the registry stays consistent."""
    from concurrent.futures import ThreadPoolExecutor

    evidence = {"kind": "metric", "outcome": "pass", "criterion": "L1.sample-data"}

    def writer(user: str) -> list[int]:
        with site.client(user) as client:
            return [
                ok(client.post("/api/v1/projects/p/components/1/evidence", json=evidence), 201)["id"]
                for _ in range(8)
            ]

    def reader(user: str) -> int:
        with site.client(user) as client:
            for path in (
                "/api/v1/projects/p/status",
                "/api/v1/projects/p/components/1/evidence",
                "/api/v1/me",
            ):
                ok(client.get(path))
            return 0

    with ThreadPoolExecutor(max_workers=6) as pool:
        written = [pool.submit(writer, user) for user in ("carl", "adele", "root")]
        read = [pool.submit(reader, user) for user in ("vera", "rita", "alan") * 3]
        ids = [i for future in written for i in future.result()]
        assert [future.result() for future in read] == [0] * 9
    assert len(ids) == len(set(ids)) == 24
    listed = ok(site.client("vera").get("/api/v1/projects/p/components/1/evidence"))["evidence"]
    assert sorted(e["id"] for e in listed) == sorted(ids)
    with site.registry() as reg:
        assert reg.doctor().healthy


def test_a_password_buys_a_token_of_ones_own_and_nothing_else(site: Site) -> None:
    anonymous = site.client(None)
    body = {"scopes": ["read"], "projects": ["p"], "expires": "12h", "name": "laptop"}
    for auth in (("root", "wrong password"), ("carl", "no password at all"), ("ghost", "x")):
        refused(anonymous.post("/api/v1/tokens", json=body, auth=auth), 401, "wrong user name or password")
    refused(anonymous.post("/api/v1/tokens", json=body), 401, "needs the user name and password")
    created = ok(anonymous.post("/api/v1/tokens", json=body, auth=("root", "root password")), 201)
    assert created["user"] == "root" and created["created_by"] == "root" and created["scopes"] == ["read"]
    laptop = httpx.Client(base_url=site.url, headers={"Authorization": f"Bearer {created['secret']}"})
    assert ok(laptop.get("/api/v1/me"))["token"]["projects"] == ["p"]
    refused(laptop.get("/api/v1/projects/q"), 403, "this token is not valid for project 'q'")
    # Everyone sees and revokes only their own tokens (a site admin: everyone's).
    vera = site.client("vera")
    assert {t["user"] for t in ok(vera.get("/api/v1/tokens"))["tokens"]} == {"vera"}
    refused(
        vera.delete(f"/api/v1/tokens/{created['prefix']}"), 404, f"no token '{created['prefix']}' of vera"
    )
    assert ok(laptop.delete(f"/api/v1/tokens/{created['prefix']}"))["state"] == "revoked"
    refused(laptop.get("/api/v1/me"), 401, "was revoked")


def test_an_oversized_chunked_body_is_refused_while_it_streams(shared_site: Site) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        for _ in range(40):
            yield b" " * 65536

    before = counts(shared_site)
    response = shared_site.client("carl").post(
        "/api/v1/projects/p/components/1/evidence",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    refused(response, 413, "the request body is larger than 1048576 bytes")
    assert counts(shared_site) == before
