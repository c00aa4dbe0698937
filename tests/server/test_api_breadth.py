"""The API's breadth (issue 13, item 1): every read a team uses answers what the CLI prints, every
write refuses what the CLI refuses with the same line, every write route keeps a viewer out, and no
route makes a level nobody earned — through a real `mltrl serve` process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_site import Site, start_server, stop_server

from mltrl.cli import main

SHA = "ab" * 32
REQUIREMENT = {
    "code": "1",
    "statement": "shall find 95% of defects",
    "kind": "research",
    "p_failure": 0.3,
    "value": 8,
    "category": "technical",
    "components": ["p/1"],
    "scenarios": ["night shift"],
}

#: One valid request for every write route (method, path, body): the viewer, strict-policy and
#: no-5xx tests walk it, and a test checks it names every write route the schema publishes.
WRITES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/projects", {"key": "r", "name": "Project R"}),
    ("POST", "/projects/p/forks", {"key": "pf", "reason": "an open-source path"}),
    (
        "POST",
        "/projects/p/components",
        {"code": "5", "name": "Late", "kind": "model", "level": 5, "reason": "x"},
    ),
    ("POST", "/projects/p/components/1/versions", {"kind": "model", "version": "2.0.0", "sha256": SHA}),
    ("POST", "/projects/p/components/1/couplings", {"other": "p/7", "note": "reads its output"}),
    ("POST", "/projects/p/components/1/switchback", {"to_level": 2, "reason": "upward is not a switchback"}),
    ("POST", "/projects/p/components/7/pause", {"reason": "budget"}),
    ("POST", "/projects/p/components/7/resume", {"reason": "budget back"}),
    ("POST", "/projects/p/components/1/retire", {"reason": "superseded"}),
    ("POST", "/projects/p/requirements", REQUIREMENT),
    ("POST", "/projects/p/requirements/1/components", {"component": "p/7"}),
    (
        "POST",
        "/projects/p/requirements/1/steps",
        {"kind": "verification", "method": "test", "description": "d"},
    ),
    ("PATCH", "/projects/p/requirements/1/steps/1", {"status": "passed"}),
    ("POST", "/projects/p/datasets", {"key": "scans", "name": "Scans", "kind": "real"}),
    ("POST", "/projects/p/datasets/scans/versions", {"version": "2026.1", "sha256": SHA}),
    ("POST", "/projects/p/datasets/scans/links", {"component": "p/1", "role": "train"}),
    ("PATCH", "/projects/p/datasets/scans/datasheet", {"sections": {"motivation": "defects"}}),
    (
        "POST",
        "/projects/p/datasets/scans/demographics",
        {"columns": ["sex"], "rows": [{"sex": "female"}, {"sex": "male"}]},
    ),
    ("PATCH", "/projects/p/card", {"sections": {"tldr": "finds defects"}}),
    ("POST", "/projects/p/card/revisions", {"reason": "before the audit"}),
    ("POST", "/projects/p/components/7/predictions", {"rows": [{"id": "a", "prediction": 1}]}),
    ("POST", "/projects/p/components/7/actuals", {"rows": [{"id": "a", "actual": 1}]}),
    ("PUT", "/projects/p/components/7/references/default", {"rows": [{"x": 1.0}, {"x": 2.0}]}),
    ("POST", "/projects/p/components/7/windows", {"rows": [{"x": 1.5}], "at": "2026-05-04T12:00:00Z"}),
    ("POST", "/projects/p/components/7/monitoring-checks", {}),
    ("POST", "/projects/p/monitoring-checks", {"evidence": False}),
    ("POST", "/projects/p/components/7/performance-checks", {"minimum": {"accuracy": 0.9}}),
    (
        "POST",
        "/projects/p/components/7/skew-checks",
        {"training": [{"id": 1, "x": 1.0}], "serving": [{"id": 1, "x": 2.0}], "key": "id"},
    ),
    ("POST", "/monitoring/prune", {"older_than": "400d", "dry_run": True}),
    ("POST", "/projects/p/alerts/1/acknowledgement", {"note": "seen"}),
    ("POST", "/projects/p/components/7/evidence", {"kind": "metric", "outcome": "pass"}),
    ("POST", "/projects/p/components/7/reviews", {}),
    ("POST", "/projects/p/reviews/1/panel", {"role": "qa", "person": "rita"}),
    ("POST", "/projects/p/reviews/1/results", {"criterion": "L7.golden-dataset", "result": "unmet"}),
    ("POST", "/projects/p/reviews/1/ethics", {"answers": {}}),
    ("POST", "/projects/p/reviews/1/choices", {"point": "go-no-go", "option": "go"}),
    ("POST", "/projects/p/reviews/1/signatures", {"verdict": "approve"}),
    ("POST", "/projects/p/reviews/1/decision", {"decision": "graduate"}),
    # After the review of p/7 above: under the strict policy's run, both imports are refused for it.
    (
        "POST",
        "/projects/p/components/7/import-graduation",
        {"approver": "lab head", "at": "2020-01-01", "to_level": 8},
    ),
    (
        "POST",
        "/projects/p/history",
        {"events": [{"ref": "p/7", "kind": "import", "approver": "lab head", "at": "2020-01-01"}]},
    ),
    ("POST", "/projects/p/roles", {"user": "vera", "role": "viewer"}),
    ("DELETE", "/projects/p/roles/vera/viewer", None),
    ("POST", "/projects/p/components/1/targets", {"level": 5, "by": "2027-03-31", "note": "spring"}),
    ("DELETE", "/projects/p/targets/1?reason=moved", None),
    ("POST", "/projects/p/components/1/group", {"person": "P. Iyer", "role": "qa"}),
    ("DELETE", "/projects/p/components/1/group/P. Iyer?reason=moved", None),
    ("POST", "/projects/p/components/7/handoff", {"to": "L. Duarte", "note": "roadmap agreed"}),
    ("PUT", "/projects/p/components/7/cadence", {"review_every_days": 30}),
    ("PATCH", "/projects/p/traits", {"add": ["causal"]}),
    (
        "POST",
        "/projects/p/components/7/relations",
        {"name": "noise", "kind": "invariance", "perturbation": "gaussian_noise", "params": {"scale": 0.01}},
    ),
    ("DELETE", "/projects/p/components/7/relations/noise?reason=replaced", None),
    ("POST", "/projects/p/alerts/1/review", None),
    ("POST", "/projects/p/alerts/1/deliveries", {"webhook": "team"}),
    ("POST", "/users", {"name": "nina", "password": "a long passphrase"}),
    ("POST", "/users/nina/oidc", {"issuer": "https://login.example.org", "subject": "n-1"}),
    ("DELETE", "/users/nina/oidc", None),
    ("POST", "/users/nina/disable", None),
    ("DELETE", "/sessions/1", None),
    ("DELETE", "/users/nina/sessions", None),
]
#: Writes on one's own tokens, which any user makes (and a password, not a token, buys one).
OWN_TOKENS = {("POST", "/tokens"), ("DELETE", "/tokens/{prefix}")}


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def cli(capsys: pytest.CaptureFixture[str], db: str, *argv: str) -> tuple[int, Any, str]:
    """Exit code, parsed JSON (or None) and the error line of the CLI on the same registry."""
    code = main(["--db", db, *argv])
    out, err = capsys.readouterr()
    try:
        parsed = json.loads(out) if out.strip() else None
    except ValueError:
        parsed = out
    return code, parsed, err.strip().removeprefix("error: ")


def _levels(site: Site) -> dict[str, tuple[int, str]]:
    with site.registry() as reg:
        return {c.ref: (c.level, c.status) for p in reg.projects.list() for c in reg.components.list(p.key)}


def test_the_write_table_names_every_write_route(shared_site: Site) -> None:
    schema = ok(shared_site.client(None).get("/openapi.json"))
    published = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in schema["paths"].items()
        for method in operations
        if method != "get"
    }
    templates = {(m, p) for m, p, _ in WRITES}
    covered = {(m, p) for m, p in published if _matches_one(m, p, templates)}
    assert published - OWN_TOKENS == covered, sorted(published - OWN_TOKENS - covered)


def _matches_one(method: str, template: str, concrete: set[tuple[str, str]]) -> bool:
    import re

    pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
    return any(m == method and pattern.match(p) for m, p in concrete)


def test_a_viewer_is_refused_every_write_and_nothing_is_written(shared_site: Site) -> None:
    vera = shared_site.client("vera")
    with shared_site.registry() as reg:
        if not reg.reviews.list("p"):  # review 1, so its routes reach the role check
            reg.reviews.open("p/7")
        before = reg.counts()
    for method, path, body in WRITES:
        response = vera.request(method, f"/api/v1{path}", json=body)
        assert response.status_code == 403, (method, path, response.text)
        assert "vera" in response.json()["error"] or "site admin" in response.json()["error"], path
    with shared_site.registry() as reg:
        assert reg.counts() == before


def test_writes_answer_what_the_cli_prints_and_reads_match_it(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    root, carl, rita = site.client("root"), site.client("carl"), site.client("rita")
    api = "/api/v1/projects/p"
    project = ok(root.post("/api/v1/projects", json={"key": "r", "name": "Project R"}), 201)
    assert project["key"] == "r" and project["created_by"] == "root"
    added = ok(
        carl.post(
            f"{api}/components", json={"code": "2", "name": "Seg", "kind": "model", "level": 3, "reason": "r"}
        ),
        201,
    )
    assert (added["code"], added["level"]) == ("2", 3)
    version = ok(
        carl.post(f"{api}/components/2/versions", json={"kind": "model", "version": "1.0.0", "sha256": SHA}),
        201,
    )
    assert (version["component"], version["level"], version["sha256"]) == ("p/2", 3, SHA)
    requirement = ok(carl.post(f"{api}/requirements", json=REQUIREMENT), 201)
    assert requirement["risk"] == pytest.approx(2.4)
    step = ok(
        carl.post(
            f"{api}/requirements/1/steps",
            json={"kind": "verification", "method": "test", "description": "recall on the golden set"},
        ),
        201,
    )
    assert (step["number"], step["status"]) == (1, "planned")
    assert ok(carl.patch(f"{api}/requirements/1/steps/1", json={"status": "passed"}))["status"] == "passed"
    ok(
        carl.post(f"{api}/datasets", json={"key": "scans", "name": "Scans", "kind": "real", "owner": "olga"}),
        201,
    )
    ok(carl.post(f"{api}/datasets/scans/versions", json={"version": "2026.1", "sha256": SHA}), 201)
    linked = ok(carl.post(f"{api}/datasets/scans/links", json={"component": "p/2", "role": "train"}))
    assert linked["links"][0]["component"] == "p/2"
    sheet = ok(
        carl.patch(f"{api}/datasets/scans/datasheet", json={"sections": {"motivation": "find defects"}})
    )
    assert sheet["datasheet"]["motivation"] == "find defects"
    assert ok(carl.patch(f"{api}/card", json={"sections": {"tldr": "finds defects"}}))["sections"] == ["tldr"]
    frozen = ok(carl.post(f"{api}/card/revisions", json={"reason": "before the audit"}), 201)
    logged = ok(
        carl.post(
            f"{api}/components/7/predictions",
            json={"rows": [{"id": "a", "prediction": 1}, {"id": "b", "prediction": 0}]},
        ),
        201,
    )
    assert logged["rows"] == 2
    joined = ok(
        carl.post(
            f"{api}/components/7/actuals", json={"rows": [{"id": "a", "actual": 1}, {"id": "b", "actual": 1}]}
        ),
        201,
    )
    assert joined["component"] == "p/7"
    with site.registry() as reg:
        alert = reg.alerts.create("p/7", "drift", "income drifted", {"columns": ["income"]})
        evidence = reg.evidence.record(
            "p/7", "L7.golden-dataset", kind="metric", outcome="pass", metrics={"f1": 0.9}
        )
    acked = ok(rita.post(f"{api}/alerts/{alert}/acknowledgement", json={"note": "seen"}))
    assert acked["acknowledged_by"] == "rita"
    again = rita.post(f"{api}/alerts/{alert}/acknowledgement", json={})
    assert again.status_code == 400 and again.json()["error"] == f"alert {alert} was already acknowledged"

    # Every read answers exactly what the CLI prints for the same registry.
    vera = site.client("vera")
    pairs: list[tuple[str, dict[str, Any] | None, list[str]]] = [
        (f"{api}/requirements/1", None, ["req", "show", "p", "1", "--json"]),
        (f"{api}/risk", None, ["risk", "p", "--json"]),
        (f"{api}/datasets", None, ["dataset", "list", "--project", "p", "--json"]),
        (f"{api}/datasets/scans", None, ["dataset", "show", "scans", "--json"]),
        (f"{api}/card/revisions", None, ["card", "revisions", "p", "--json"]),
        (
            f"{api}/card/diff",
            {"before": frozen["number"]},
            ["card", "diff", "p", str(frozen["number"]), "--json"],
        ),
        (
            f"{api}/history",
            {"kind": "review", "limit": 5},
            ["history", "p", "--kind", "review", "--limit", "5", "--json"],
        ),
        (f"{api}/history", None, ["history", "p", "--json"]),
        (f"{api}/due-reviews", None, ["review", "due", "p", "--json"]),
        (f"{api}/components/2/versions", None, ["version", "list", "p/2", "--json"]),
        (f"{api}/components/7/score", None, ["score", "p/7", "--json"]),
        (f"{api}/components/7/golden", None, ["golden", "history", "p/7", "--json"]),
        (f"{api}/components/7/relations", None, ["relations", "list", "p/7", "--json"]),
        (f"{api}/alerts", None, ["monitor", "alerts", "p", "--json"]),
        (f"{api}/monitoring", None, ["monitor", "status", "p", "--json"]),
        (f"{api}/evidence/{evidence.id}", None, ["evidence", "show", str(evidence.id), "--json"]),
        ("/api/v1/levels", None, ["levels", "--json"]),
        ("/api/v1/levels/4", None, ["levels", "4", "--json"]),
        ("/api/v1/ethics", None, ["ethics", "--json"]),
    ]
    for path, query, argv in pairs:
        code, expected, err = cli(capsys, site.db, *argv)
        assert code in (0, 1), (argv, err)  # `review due` exits 1 when one is overdue, after printing
        assert ok(vera.get(path, params=query)) == expected, path
    markdown = vera.get(f"{api}/requirements-document")
    assert markdown.status_code == 200 and markdown.headers["content-type"].startswith("text/markdown")
    assert "shall find 95% of defects" in markdown.text
    tests = ok(vera.get(f"{api}/components/7/deployment-tests"))
    assert tests == {"component": "p/7", "evidence": []}
    # Each write was made as the token's user, not as the server.
    events = ok(vera.get(f"{api}/components/2/history"))["events"]
    assert {e["actor"] for e in events} == {"carl"}


@pytest.mark.parametrize(
    ("method", "path", "body", "argv"),
    [
        (
            "PATCH",
            "requirements/1/steps/1",
            {"status": "waived"},
            ["req", "vv", "set", "p", "1", "1", "waived"],
        ),
        (
            "POST",
            "components/1/switchback",
            {"to_level": 0, "reason": "x"},
            ["switchback", "p/1", "--to", "0", "--reason", "x"],
        ),
        (
            "POST",
            "components/1/switchback",
            {"to_level": 3, "reason": "x"},
            ["switchback", "p/1", "--to", "3", "--reason", "x"],
        ),
        (
            "POST",
            "components",
            {"code": "1", "name": "Again", "kind": "model", "level": 1, "reason": "x"},
            [
                "component",
                "add",
                "p/1",
                "--name",
                "Again",
                "--kind",
                "model",
                "--level",
                "1",
                "--reason",
                "x",
            ],
        ),
        (
            "POST",
            "components",
            {"code": "3", "name": "Odd", "kind": "spreadsheet", "level": 1, "reason": "x"},
            [
                "component",
                "add",
                "p/3",
                "--name",
                "Odd",
                "--kind",
                "spreadsheet",
                "--level",
                "1",
                "--reason",
                "x",
            ],
        ),
        (
            "POST",
            "datasets",
            {"key": "d1", "name": "D", "kind": "imaginary"},
            ["dataset", "add", "p", "d1", "--name", "D", "--kind", "imaginary"],
        ),
        (
            "POST",
            "components/1/versions",
            {"kind": "model", "version": "not a version"},
            ["version", "add", "p/1", "model", "not a version"],
        ),
        ("GET", "datasets/nope", None, ["dataset", "show", "nope"]),
        ("GET", "requirements/9", None, ["req", "show", "p", "9"]),
        ("POST", "components/1/resume", {}, ["resume", "p/1"]),
    ],
)
def test_a_refused_write_or_read_says_what_the_cli_says(
    shared_site: Site,
    capsys: pytest.CaptureFixture[str],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    argv: list[str],
) -> None:
    with shared_site.registry() as reg:
        if not reg.requirements.list("p"):
            reg.requirements.add(
                "p", "1", "shall work", kind="research", p_failure=0.1, value=2, category="technical"
            )
            reg.requirements.add_step("p", "1", "verification", "a test", method="test")
        before = reg.counts()
    response = shared_site.client("root").request(method, f"/api/v1/projects/p/{path}", json=body)
    code, _, err = cli(capsys, shared_site.db, *argv)
    assert code == 2 and err
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"] == err
    with shared_site.registry() as reg:
        assert reg.counts() == before


def test_no_route_makes_a_level_nobody_earned(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Under the default policy (components enter above level 3 only through a review), a site admin
    with every scope fires every write route: levels only ever go down, nothing graduates."""
    stop_server(site.process)
    monkeypatch.delenv("MLTRL_POLICY")
    url, process = start_server(site.db, tmp_path / "strict.log")
    try:
        root = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {site.tokens['root']}"}, timeout=30
        )
        before = _levels(site)
        # Entering at 5 needs an entry review, with the CLI's very words.
        body = {
            "code": "5",
            "name": "Late",
            "kind": "model",
            "level": 5,
            "reason": "prototype done elsewhere",
        }
        refused = root.post("/api/v1/projects/p/components", json=body)
        argv = ["component", "add", "p/5", "--name", "Late", "--kind", "model", "--level", "5"]
        code, _, err = cli(capsys, site.db, *argv, "--reason", "prototype done elsewhere")
        assert (refused.status_code, code) == (400, 2)
        assert refused.json()["error"] == err
        entering = ok(root.post("/api/v1/projects/p/components", json={**body, "entry_review": True}), 201)
        assert entering["status"] == "entering"
        for method, path, payload in WRITES:
            response = root.request(method, f"/api/v1{path}", json=payload)
            assert response.status_code < 500, (path, response.text)
        after = _levels(site)
        for ref, (level, _status) in before.items():
            assert after[ref][0] <= level, (ref, before[ref], after[ref])
        assert after["p/5"] == (5, "entering")  # still waiting for the review that admits it
        with site.registry() as reg:
            kinds = {e.kind for p in reg.projects.list() for e in reg.history(p.key)}
        assert not kinds & {"graduate", "import"}, kinds
    finally:
        stop_server(process)


NUL = "\x00"


@pytest.mark.parametrize(
    ("method", "path", "params", "body"),
    [
        ("GET", "datasets/a%00b", None, None),
        ("POST", "datasets/a%00b/versions", None, {"version": "1"}),
        ("GET", "card", {"component": f"1{NUL}"}, None),
        ("GET", "card/revisions", {"component": f"1{NUL}"}, None),
        ("GET", "card/diff", {"before": 1, "component": f"1{NUL}"}, None),
        ("POST", "card/revisions", None, {"component": f"1{NUL}"}),
        ("GET", "components/7/drift", {"reference": f"a{NUL}"}, None),
        ("GET", "components/7/drift", {"window": f"a{NUL}"}, None),
        ("GET", "history", {"since": NUL}, None),
        ("POST", "components/7/predictions", None, {"rows": [{"id": f"a{NUL}", "prediction": 1}]}),
        ("POST", "components/7/actuals", None, {"rows": [{f"id{NUL}": "a", "actual": 1}]}),
        ("POST", "history", None, {"events": [{"ref": f"p/7{NUL}", "kind": "pause", "at": "2020-01-01"}]}),
        ("POST", "components/7/import-graduation", None, {"approver": f"a{NUL}", "at": "2020-01-01"}),
        ("POST", "datasets/a%00b/demographics", None, {"columns": ["x"], "rows": [{"x": 1}]}),
        ("GET", "card", {"format": "md", "component": f"1{NUL}"}, None),
    ],
)
def test_a_nul_in_any_text_is_refused_at_the_door_on_every_backend(
    shared_site: Site, method: str, path: str, params: dict[str, Any] | None, body: dict[str, Any] | None
) -> None:
    """PostgreSQL cannot store or compare a NUL: it must be a one-line 4xx, never a 5xx."""
    with shared_site.registry() as reg:
        before = reg.counts()
    response = shared_site.client("root").request(
        method, f"/api/v1/projects/p/{path}", params=params, json=body
    )
    assert 400 <= response.status_code < 500, response.text
    assert "\n" not in response.json()["error"]
    with shared_site.registry() as reg:
        assert reg.counts() == before
