"""The API counterparts of CLI commands that had none: imported history (``import-graduation`` and
``reg.components.import_history``), a data set's demographics, the card as Markdown or HTML and its
export, and users' OIDC identities — through a real `mltrl serve` process: each answer is what the
CLI prints, each refusal the CLI's line with nothing written, and only the right role gets in."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_site import Site, start_server, stop_server
from test_api_breadth import cli, ok

API = "/api/v1/projects/p"
HERITAGE = "/api/v1/projects/h"
BACK_THEN = {"approver": "lab head", "at": "2020-01-01", "reason": "approved in the 2020 review board"}


def _counts(site: Site) -> dict[str, int]:
    with site.registry() as reg:
        return reg.counts()


def _legacy(site: Site) -> None:
    """Project h, kept since 2017, with components h/3 and h/4 since 2018 (history after that can be
    imported) and the roles of project p (viewer vera ... admin adele)."""
    with site.registry() as reg:
        reg.projects.create("h", "Heritage", at="2017-01-01")
        for code in ("3", "4"):
            reg.components.add(
                f"h/{code}", "Legacy", kind="model", level=1, reason="old tracker", at="2018-01-01"
            )
        for name, role in [
            ("vera", "viewer"),
            ("carl", "contributor"),
            ("alan", "approver"),
            ("adele", "admin"),
        ]:
            reg.roles.grant(name, "h", role)


# --- imported history ---------------------------------------------------------------------------------


def test_only_a_project_admin_imports_a_graduation_and_it_reads_as_the_cli_writes_it(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    _legacy(site)
    before = _counts(site)
    for name in ("vera", "carl", "alan"):  # viewer, contributor, and an approver: decide is not enough
        refused = site.client(name).post(f"{HERITAGE}/components/3/import-graduation", json=BACK_THEN)
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"].startswith(f"{name} may not administer on project 'h'")
    assert _counts(site) == before

    adele = site.client("adele")
    moved = ok(adele.post(f"{HERITAGE}/components/3/import-graduation", json={**BACK_THEN, "to_level": 2}))
    shown = ok(adele.get(f"{HERITAGE}/components/3"))
    assert moved == {k: shown[k] for k in moved} and (moved["level"], moved["status"]) == (2, "active")
    code, printed, _ = cli(
        capsys,
        site.db,
        "import-graduation",
        "h/4",
        "-a",
        "lab head",
        "--at",
        "2020-01-01",
        "--to",
        "2",
        "--json",
    )
    assert code == 0 and sorted(printed) == sorted(moved) and printed["level"] == 2
    events = ok(adele.get(f"{HERITAGE}/components/3/history"))["events"]
    assert events == cli(capsys, site.db, "history", "h/3", "--json")[1]["events"]
    imported = events[-1]
    assert (imported["kind"], imported["approver"], imported["actor"]) == ("import", "lab head", "adele")
    assert imported["at"].startswith("2020-01-01")

    # A double import (the level already reached) and a date not in the past: the CLI's lines.
    for body, argv in [
        ({**BACK_THEN, "to_level": 2}, ["--at", "2020-01-01", "--to", "2"]),
        ({**BACK_THEN, "at": "2999-01-01"}, ["--at", "2999-01-01"]),
    ]:
        before = _counts(site)
        refused = adele.post(f"{HERITAGE}/components/3/import-graduation", json=body)
        code, _, err = cli(capsys, site.db, "import-graduation", "h/3", "-a", "lab head", *argv)
        assert code == 2 and refused.status_code in (400, 409) and refused.json()["error"] == err
        assert _counts(site) == before


def test_an_import_is_refused_once_the_component_has_a_review(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    _legacy(site)
    adele = site.client("adele")
    ok(adele.post(f"{HERITAGE}/components/3/reviews", json={}), 201)
    before = _counts(site)
    refused = adele.post(f"{HERITAGE}/components/3/import-graduation", json=BACK_THEN)
    code, _, err = cli(capsys, site.db, "import-graduation", "h/3", "-a", "lab head", "--at", "2020-01-01")
    assert (refused.status_code, code) == (400, 2)
    assert refused.json()["error"] == err and "already has review 1 recorded here" in err
    assert _counts(site) == before
    assert ok(adele.get(f"{HERITAGE}/components/3"))["level"] == 1


def test_no_import_gets_past_a_policy_that_forbids_them(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The server reads the organisation's policy as the CLI does: with ``allow_imports: false``
    even a site admin's import is the CLI's refusal, and nothing is written."""
    _legacy(site)
    stop_server(site.process)
    policy = tmp_path / "no-imports.yaml"
    policy.write_text("version: 1\nsettings:\n  entry_without_review_up_to: 9\n  allow_imports: false\n")
    monkeypatch.setenv("MLTRL_POLICY", str(policy))
    url, process = start_server(site.db, tmp_path / "no-imports.log")
    try:
        root = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {site.tokens['root']}"}, timeout=30
        )
        before = _counts(site)
        refused = root.post(f"{HERITAGE}/components/3/import-graduation", json=BACK_THEN)
        code, _, err = cli(
            capsys, site.db, "import-graduation", "h/3", "-a", "lab head", "--at", "2020-01-01"
        )
        assert (refused.status_code, code) == (400, 2)
        assert refused.json()["error"] == err and "forbids imported history" in err
        event = {"ref": "h/3", "kind": "import", "approver": "lab head", "at": "2020-01-01"}
        refused = root.post(f"{HERITAGE}/history", json={"events": [event]})
        assert refused.status_code == 400 and "forbids imported history" in refused.json()["error"]
        assert _counts(site) == before
    finally:
        stop_server(process)


def test_a_project_history_loads_in_one_piece_and_only_the_projects_own(site: Site) -> None:
    _legacy(site)
    adele = site.client("adele")
    events = [
        {"ref": "h/3", "kind": "import", "approver": "lab head", "at": "2019-01-10", "to_level": 2},
        {"ref": "h/3", "kind": "import", "approver": "lab head", "at": "2019-06-01"},
        {"ref": "h/3", "kind": "pause", "at": "2019-07-01", "reason": "funding"},
        {"ref": "h/3", "kind": "resume", "at": "2019-09-01"},
        {"ref": "h/4", "kind": "import", "approver": "lab head", "at": "2019-09-15"},
        {
            "ref": "h/3",
            "kind": "switchback",
            "at": "2019-10-01",
            "to_level": 2,
            "switchback": "discovery",
            "reason": "a gap",
        },
    ]
    for name in ("vera", "carl", "alan"):
        refused = site.client(name).post(f"{HERITAGE}/history", json={"events": events})
        assert refused.status_code == 403 and f"{name} may not administer" in refused.json()["error"]

    # An event of another project: one line naming it, and none of the events lands.
    before = _counts(site)
    stray = {"ref": "q/1", "kind": "import", "approver": "lab head", "at": "2019-02-01"}
    refused = adele.post(f"{HERITAGE}/history", json={"events": [events[0], stray]})
    assert refused.status_code == 400
    assert refused.json()["error"] == (
        "history event 2: 'q/1' is not a component of project 'h' (this route loads h's history only)"
    )
    assert _counts(site) == before

    loaded = ok(adele.post(f"{HERITAGE}/history", json={"events": events}))
    assert (loaded["project"], loaded["events"]) == ("h", 6)
    assert [(x["project_key"] + "/" + x["code"], x["level"], x["status"]) for x in loaded["components"]] == [
        ("h/3", 2, "active"),
        ("h/4", 2, "active"),
    ]
    kinds = [e["kind"] for e in ok(adele.get(f"{HERITAGE}/components/3/history"))["events"]]
    assert kinds[-5:] == ["import", "import", "pause", "resume", "switchback"]

    # A rule broken in the middle (a skipped level): the Python method's very line, nothing written.
    before = _counts(site)
    bad = [
        {"ref": "h/4", "kind": "import", "approver": "lab head", "at": "2019-11-01"},
        {"ref": "h/4", "kind": "import", "approver": "lab head", "at": "2019-12-01", "to_level": 9},
    ]
    refused = adele.post(f"{HERITAGE}/history", json={"events": bad})
    with site.registry() as reg, pytest.raises(Exception) as raised:
        reg.components.import_history(bad)
    assert 400 <= refused.status_code < 500 and refused.json()["error"] == raised.value.message  # type: ignore[attr-defined]
    assert _counts(site) == before


def test_a_history_larger_than_the_body_limit_is_refused_whole(site: Site) -> None:
    event = {"ref": "p/7", "kind": "pause", "at": "2019-07-01", "reason": "x" * 100}
    before = _counts(site)
    refused = site.client("adele").post(f"{API}/history", json={"events": [event] * 12_000})
    assert refused.status_code == 413 and "larger than 1048576 bytes" in refused.json()["error"]
    assert _counts(site) == before


# --- a data set's demographics ------------------------------------------------------------------------


def test_demographics_from_rows_count_what_the_cli_counts_from_the_file(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with site.registry() as reg:
        reg.datasets.add("p", "scans", "Scans", kind="real")
        reg.datasets.add_version("scans", "1.0.0")
        reg.datasets.add("q", "other", "Other", kind="real")
    rows: list[dict[str, Any]] = [
        {"sex": "female", "site": "north", "age": 41},
        {"sex": "male", "site": "north", "age": 37},
        {"sex": "female", "site": "south", "age": 58},
        {"sex": "unknown", "site": "south", "age": 23},
        {"sex": None, "site": "south", "age": 30},  # in the CSV below: an empty field
    ]
    body = {"columns": ["sex", "site"], "rows": rows, "version": "1.0.0"}
    before = _counts(site)
    refused = site.client("vera").post(f"{API}/datasets/scans/demographics", json=body)
    assert refused.status_code == 403 and "vera may not edit-records" in refused.json()["error"]
    elsewhere = site.client("carl").post(f"{API}/datasets/other/demographics", json=body)
    assert elsewhere.status_code == 404 and elsewhere.json()["error"] == "no data set 'other' in project 'p'"
    unknown = site.client("carl").post(f"{API}/datasets/scans/demographics", json={**body, "version": "9"})
    file = tmp_path / "scans.csv"
    with file.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=["sex", "site", "age"])
        writer.writeheader()
        writer.writerows(rows)

    def from_the_file(*more: str) -> tuple[int, Any, str]:
        return cli(capsys, site.db, "dataset", "demographics", "scans", "--file", str(file), *more)

    code, _, err = from_the_file("-c", "sex", "--version", "9")
    assert (unknown.status_code, code) == (400, 2) and unknown.json()["error"] == err
    assert _counts(site) == before

    counted = ok(site.client("carl").post(f"{API}/datasets/scans/demographics", json=body))
    assert counted == ok(site.client("vera").get(f"{API}/datasets/scans"))
    by_api = {d["column"]: d for d in counted["demographics"]}
    assert by_api["sex"]["groups"] == {"female": 2, "male": 1, "unknown": 1, "(missing)": 1}
    assert by_api["sex"]["counted_from"] == "version 1.0.0, 5 rows sent to the server by carl"
    code, printed, _ = from_the_file("-c", "sex", "-c", "site", "--json")
    assert code == 0
    by_cli = {d["column"]: d for d in printed["demographics"]}
    assert {c: (d["groups"], d["rows"]) for c, d in by_cli.items()} == {
        c: (d["groups"], d["rows"]) for c, d in by_api.items()
    }


# --- the card as Markdown or HTML, and its export --------------------------------------------------------


def test_the_card_in_each_format_and_its_export_are_what_the_cli_writes(
    shared_site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vera = shared_site.client("vera")
    for fmt, cli_fmt, media in [
        ("md", "md", "text/markdown"),
        ("markdown", "md", "text/markdown"),
        ("html", "html", "text/html"),
    ]:
        answer = vera.get(f"{API}/card", params={"format": fmt, "component": "7"})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media)
        out = tmp_path / f"card.{cli_fmt}"
        assert (
            cli(capsys, shared_site.db, "card", "show", "p", "-c", "7", "-f", cli_fmt, "-o", str(out))[0] == 0
        )
        assert answer.text == out.read_text(encoding="utf-8")
    assert "sandbox" in vera.get(f"{API}/card", params={"format": "html"}).headers["content-security-policy"]
    as_json = vera.get(f"{API}/card")
    assert as_json.headers["content-type"] == "application/json"
    cards = [as_json.json(), cli(capsys, shared_site.db, "card", "show", "p", "--json")[1]]
    for card in cards:
        assert card["summary"].pop("generated_at")  # when each was assembled: the only difference
    assert cards[0] == cards[1]
    refused = vera.get(f"{API}/card", params={"format": "pdf"})
    assert refused.status_code == 422 and refused.json()["error"].startswith("query.format:")

    exported = ok(vera.get(f"{API}/card/export"))
    directory = tmp_path / "cards"
    assert cli(capsys, shared_site.db, "card", "export", str(directory))[0] == 0
    written = {
        path.relative_to(directory).as_posix(): path.read_text(encoding="utf-8")
        for path in [directory / "p.md", *sorted((directory / "p").glob("*.md"))]
    }
    assert exported == {"project": "p", "files": written}
    assert sorted(written) == ["p.md", "p/1.md", "p/7.md"]
    refused = shared_site.client("quentin").get(f"{API}/card/export")
    assert refused.status_code == 403 and refused.json()["error"] == "quentin has no role on project 'p'"


# --- users' OIDC identities ---------------------------------------------------------------------------


def test_oidc_identities_are_linked_listed_and_unlinked_by_a_site_admin_as_on_the_command_line(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    root, adele = site.client("root"), site.client("adele")
    issuer = "https://login.example.org"
    before = _counts(site)
    for method, params, body in [
        ("GET", None, None),
        ("POST", None, {"issuer": issuer, "subject": "v-1"}),
        ("DELETE", {"issuer": issuer}, None),
    ]:
        refused = adele.request(method, "/api/v1/users/vera/oidc", params=params, json=body)
        assert refused.status_code == 403 and "adele is not a site admin" in refused.json()["error"]
    assert _counts(site) == before

    linked = ok(root.post("/api/v1/users/vera/oidc", json={"issuer": issuer, "subject": "v-1"}), 201)
    listed = cli(capsys, site.db, "user", "identities", "--user", "vera", "--json")[1]
    assert ok(root.get("/api/v1/users/vera/oidc")) == listed == {"identities": [linked]}
    assert (linked["user"], linked["issuer"], linked["subject"], linked["created_by"]) == (
        "vera",
        issuer,
        "v-1",
        "root",
    )

    # The CLI's refusals, word for word, and nothing written.
    before = _counts(site)
    for body, argv in [
        ({"issuer": issuer, "subject": "v-2"}, ["--issuer", issuer, "--subject", "v-2"]),
        ({"issuer": "https://other.example.org"}, ["--issuer", "https://other.example.org"]),
        (
            {"issuer": "login.example.org", "claim": "v@x"},
            ["--issuer", "login.example.org", "--claim", "v@x"],
        ),
    ]:
        refused = root.post("/api/v1/users/vera/oidc", json=body)
        code, _, err = cli(capsys, site.db, "user", "link-oidc", "vera", *argv)
        assert (refused.status_code, code) == (400, 2) and refused.json()["error"] == err
    missing = root.get("/api/v1/users/nobody/oidc")
    code, _, err = cli(capsys, site.db, "user", "identities", "--user", "nobody")
    assert (missing.status_code, code) == (404, 2) and missing.json()["error"] == err
    assert _counts(site) == before

    unlinked = ok(root.delete("/api/v1/users/vera/oidc", params={"issuer": issuer}))
    assert unlinked == {"unlinked": [linked]}
    assert ok(root.get("/api/v1/users/vera/oidc")) == {"identities": []}
    again = root.delete("/api/v1/users/vera/oidc")
    code, _, err = cli(capsys, site.db, "user", "unlink-oidc", "vera")
    assert (again.status_code, code) == (404, 2) and again.json()["error"] == err
