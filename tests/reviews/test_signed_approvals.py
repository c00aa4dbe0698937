"""Signed approvals: each signature keeps a digest of what its signer saw, and a graduation refuses
an approval given on evidence that has changed since; SSH signatures as git makes them."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from mltrl.cli import main
from mltrl.demo import _reviewing
from mltrl.errors import BadInput, RuleViolation
from mltrl.service.registry import Registry

pytestmark = pytest.mark.usefixtures("lenient_entry")

PAST = datetime.now(UTC) - timedelta(days=30)
APPROVER = "G. Renard"


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("np", "Neuro", rd_owner="A. Lavin", at=PAST)
    registry.components.add("np/1", "Model", kind="model", level=4, owner="A. Lavin", at=PAST, reason="prior")
    registry.versions.register("np/1", "model", "1.0.0")
    registry.datasets.add("np", "pilot", "Pilot", kind="real")
    registry.datasets.link("pilot", "np/1", "train")
    return registry


def _signed(reg: Registry) -> int:
    """A level-4 review with every criterion, answer and approval in: ready to graduate."""
    now = datetime.now(UTC)
    review = _reviewing.staffed_review(reg, "np/1", now, {"research-lead": APPROVER})
    _reviewing.complete(reg, review, now)
    return review


def _signature(reg: Registry, review: int, person: str = APPROVER) -> dict:
    return next(s for s in reg.reviews.get(review).to_json()["signatures"] if s["person"] == person)


def test_an_approval_matches_until_what_it_was_given_on_changes(reg: Registry) -> None:
    review = _signed(reg)
    signature = _signature(reg, review)
    assert (signature["status"], signature["matches"], signature["changes"]) == ("matches", True, [])
    assert len(signature["digest"]) == 64
    assert reg.reviews.get(review).blockers == []

    reg.versions.register("np/1", "model", "2.0.0")
    signature = _signature(reg, review)
    assert signature["status"] == "signed on different evidence"
    assert "model version 1.0.0 -> 2.0.0" in signature["changes"]

    evidence = reg.evidence.record("np/1", "L4.applications-demonstrated", kind="metric", outcome="pass")
    assert f"new evidence #{evidence.id}" in _signature(reg, review)["changes"]
    reg.reviews.record_result(review, "L4.real-data", "met", "shown again with the new model")
    assert any("criterion L4.real-data" in c for c in _signature(reg, review)["changes"])
    assert any(
        f"{APPROVER}'s approval was signed on different evidence" in b
        for b in reg.reviews.get(review).blockers
    )


def test_a_graduation_refuses_a_stale_approval_until_its_signer_signs_again(reg: Registry) -> None:
    review = _signed(reg)
    reg.versions.register("np/1", "model", "2.0.0")
    before = reg.counts()
    with pytest.raises(RuleViolation) as refused:
        reg.reviews.decide(review, "graduate")
    message = refused.value.message
    assert "\n" not in message
    assert "'s approval was signed on different evidence (model version 1.0.0 -> 2.0.0)" in message
    assert reg.counts() == before and reg.components.get("np/1").level == 4
    # Every stale approver signs again, on what the review shows now; then it graduates.
    for person in {s["person"] for s in reg.reviews.get(review).to_json()["signatures"]}:
        reg.reviews.sign(review, person, "approve")
    assert all(s["matches"] for s in reg.reviews.get(review).to_json()["signatures"])
    with pytest.raises(BadInput, match="already signed"):  # a matching signature is made once
        reg.reviews.sign(review, APPROVER, "approve")
    reg.reviews.decide(review, "graduate")
    assert reg.components.get("np/1").level == 5
    signs = [e for e in reg.history("np/1") if e.kind == "review.sign" and e.data["person"] == APPROVER]
    assert [bool(e.data.get("again")) for e in signs] == [False, True]  # the first stays in the log
    assert signs[0].data["digest"] != signs[1].data["digest"]
    assert reg.doctor().healthy


def test_review_show_says_which_signature_is_stale(reg: Registry, db_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    review = _signed(reg)
    reg.versions.register("np/1", "model", "2.0.0")
    assert main(["--db", db_url, "review", "show", str(review)]) == 0
    out = capsys.readouterr().out
    assert (
        f"signature of {APPROVER} (approve): signed on different evidence - model version 1.0.0 -> 2.0.0"
        in out
    )
    assert main(["--db", db_url, "review", "show", str(review), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert {s["status"] for s in shown["signatures"]} == {"signed on different evidence"}
    assert main(["--db", db_url, "review", "decide", str(review), "graduate"]) == 2
    assert "signed on different evidence" in capsys.readouterr().err


def _sql(db_url: str, statement: str) -> None:
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql(statement)
    engine.dispose()


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            "UPDATE review_signatures SET verdict = 'approve', tasks = '[]' WHERE person = 'dissenter'",
            "the signature of dissenter differs from event",
        ),
        (
            "DELETE FROM review_signatures WHERE person = 'dissenter'",
            "the signature of dissenter recorded by",
        ),
        ("UPDATE reviews SET decision = 'graduate', to_level = NULL", "differs from event"),
    ],
)
def test_a_direct_sql_edit_of_a_signature_or_decision_is_named_by_doctor(
    reg: Registry, db_url: str, edit: str, expected: str
) -> None:
    review = _reviewing.staffed_review(reg, "np/1", datetime.now(UTC), {"research-lead": "dissenter"})
    for person in {row["person"] for row in reg.reviews.get(review).details["panel"]}:
        reg.reviews.sign(review, person, "request-changes", tasks=["more data"])
    reg.reviews.decide(review, "tasks", reason="more data first")
    assert reg.doctor().healthy
    _sql(db_url, edit)
    problems = [p["problem"] for p in reg.doctor().problems]
    assert any(expected in p for p in problems), problems


# --- SSH signatures -------------------------------------------------------------------------------


def _key(directory: Path, name: str) -> tuple[Path, str]:
    key = directory / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True, timeout=30
    )
    return key, (directory / f"{name}.pub").read_text().split(" ", 2)[:2]  # type: ignore[return-value]


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Keys of alice and bob, and an allowed-signers file listing alice's key for alice only."""
    alice, alice_pub = _key(tmp_path, "alice")
    bob, _ = _key(tmp_path, "bob")
    signers = tmp_path / "allowed_signers"
    signers.write_text(f"alice {' '.join(alice_pub)}\n")
    monkeypatch.setenv("MLTRL_ALLOWED_SIGNERS", str(signers))
    return {"alice": alice, "bob": bob, "signers": signers}


def test_an_approver_signs_with_an_ssh_key_and_review_show_verifies_it(
    reg: Registry, db_url: str, keys: dict[str, Path], capsys
) -> None:  # type: ignore[no-untyped-def]
    review = reg.reviews.open("np/1").id
    reg.reviews.add_member(review, "research-lead", "alice")
    cli = ["--db", db_url, "review", "sign", str(review), "--person", "alice", "--approve"]
    before = reg.counts()
    # Bob's key is not alice's: refused, nothing written.
    assert main([*cli, "--ssh-key", str(keys["bob"])]) == 2
    assert "the SSH signature is not alice's" in capsys.readouterr().err
    assert reg.counts() == before
    assert main([*cli, "--ssh-key", str(keys["alice"])]) == 0
    capsys.readouterr()
    assert main(["--db", db_url, "review", "show", str(review), "--json"]) == 0
    ssh = json.loads(capsys.readouterr().out)["signatures"][0]["ssh"]
    assert ssh["verified"] is True and ssh["key"].startswith("SHA256:")
    # Alice's key taken off the list: the signature no longer verifies, and show says so.
    keys["signers"].write_text("")
    assert main(["--db", db_url, "review", "show", str(review)]) == 0
    assert "SSH signature not verified" in capsys.readouterr().out
    assert reg.doctor().healthy


def test_a_policy_can_require_ssh_signatures_for_local_signing(
    reg: Registry, db_url: str, keys: dict[str, Path], tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    policy = tmp_path / "strict.yaml"
    policy.write_text(
        "version: 1\nsettings:\n  entry_without_review_up_to: 9\n  require_ssh_signatures: true\n"
    )
    review = reg.reviews.open("np/1").id
    reg.reviews.add_member(review, "research-lead", "alice")
    cli = ["--db", db_url, "--policy", str(policy), "review", "sign", str(review), "--person", "alice"]
    assert main([*cli, "--approve"]) == 2
    assert "requires an SSH signature (settings.require_ssh_signatures)" in capsys.readouterr().err
    with Registry.open(db=db_url, policy=policy) as strict, pytest.raises(BadInput, match="requires an SSH"):
        strict.reviews.sign(review, "alice", "approve")
    assert main([*cli, "--approve", "--ssh-key", str(keys["alice"])]) == 0
    assert reg.reviews.get(review).to_json()["signatures"][0]["ssh"]["verified"] is True
