"""The audit: every write with who, when and from where (cli, token), identity changes included;
queryable by project, person and time window, exported as JSON lines, from the CLI and the API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from server_site import Site

from mltrl.cli import main


def _lines(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict]:
    assert main(list(argv)) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    return [json.loads(line) for line in out.splitlines()]


def test_the_audit_names_who_did_what_from_where(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    db = site.db
    # A write through the API, as carl (token), and one on the command line as OS user "olga".
    alan, carl = site.client("alan"), site.client("carl")
    review = carl.post("/api/v1/projects/p/components/1/reviews", json={})
    assert review.status_code == 201, review.text
    assert main(["--db", db, "--actor", "olga", "pause", "p/7", "--reason", "waiting for data"]) == 0
    assert main(["--db", db, "--actor", "root", "role", "revoke", "qa", "p", "approver"]) == 0
    capsys.readouterr()

    every = _lines(capsys, "--db", db, "audit", "--json")
    kinds = [e["kind"] for e in every]
    # Identity changes are in it: users added, roles granted, tokens created (never their secrets).
    for kind in ("user.add", "role.grant", "token.create", "role.revoke"):
        assert kind in kinds
    assert not any("mltrl_" in json.dumps(e) for e in every)
    opened = next(e for e in every if e["kind"] == "review.open")
    prefix = site.tokens["carl"].split("_")[1]
    assert (opened["actor"], opened["via"], opened["project"], opened["component"]) == (
        "carl",
        f"token:{prefix}",
        "p",
        "1",
    )
    paused = next(e for e in every if e["kind"] == "pause")
    assert (paused["actor"], paused["via"], paused["reason"]) == ("olga", "cli", "waiting for data")
    revoked = next(e for e in every if e["kind"] == "role.revoke")
    assert (revoked["actor"], revoked["project"], revoked["data"]) == (
        "root",
        "p",
        {"user": "qa", "role": "approver"},
    )

    # Filters: by project, by person, by time window.
    assert {e["project"] for e in _lines(capsys, "--db", db, "audit", "--project", "q", "--json")} == {"q"}
    assert [e["kind"] for e in _lines(capsys, "--db", db, "audit", "--user", "olga", "--json")] == ["pause"]
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert _lines(capsys, "--db", db, "audit", "--since", later, "--json") == []
    assert len(_lines(capsys, "--db", db, "audit", "--until", later, "--json")) == len(every)
    page = _lines(capsys, "--db", db, "audit", "--after", str(every[2]["id"]), "--limit", "2", "--json")
    assert [e["id"] for e in page] == [every[3]["id"], every[4]["id"]]

    # The same from the API: a site admin sees everything, as JSON or JSON lines.
    root = site.client("root")
    answer = root.get("/api/v1/audit", params={"user": "carl"})
    assert answer.status_code == 200, answer.text
    assert [e["kind"] for e in answer.json()["events"]] == ["review.open"]
    lines = root.get("/api/v1/audit", params={"format": "jsonl", "project": "p"})
    assert lines.headers["content-type"].startswith("application/x-ndjson")
    assert {json.loads(line)["project"] for line in lines.text.splitlines()} == {"p"}
    # A project admin sees their project's audit, not the whole registry's nor another project's.
    adele = site.client("adele")
    assert adele.get("/api/v1/audit", params={"project": "p"}).status_code == 200
    assert adele.get("/api/v1/audit").status_code == 403
    assert adele.get("/api/v1/audit", params={"project": "q"}).status_code == 403
    refused = alan.get("/api/v1/audit", params={"project": "p"})
    assert refused.status_code == 403 and "may not administer" in refused.json()["error"]
    bad = root.get("/api/v1/audit", params={"since": "last tuesday"})
    assert bad.status_code == 400 and "since: 'last tuesday' is not a date" in bad.json()["error"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["audit", "--since", "yesterday"], "--since: 'yesterday' is not a date"),
        (["audit", "--project", "nope"], "no project 'nope'"),
        (["audit", "--since", "2026-02-01", "--until", "2026-01-01"], "is after --until"),
        (["audit", "--limit", "0"], "--limit 0 is not between"),
    ],
)
def test_bad_audit_queries_are_one_line_refusals(
    registry, db_url: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:  # type: ignore[no-untyped-def]
    assert main(["--db", db_url, *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
