"""`mltrl history`: filters done in SQL (--since, --until, --limit, --kind), and review events that
say who did what."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mltrl.cli import main
from mltrl.service.registry import Registry
from mltrl.views.history import FAMILIES, KINDS

pytestmark = pytest.mark.usefixtures("lenient_entry")


@pytest.fixture
def url(db_url: str) -> Iterator[str]:
    with Registry.init(db=db_url, actor="tester") as reg:
        reg.projects.create("np", "Neuropathology copilot", at="2024-01-01T09:00:00Z")
        reg.components.add(
            "np/1.1", "Model", kind="model", level=4, reason="prior work", at="2024-02-01T09:00:00Z"
        )
        reg.components.pause("np/1.1", reason="funding", at="2024-03-01T18:00:00Z")
        reg.components.resume("np/1.1", at="2024-04-01T09:00:00Z")
        review = reg.reviews.open("np/1.1")
        roles = [role.id for role in reg.reviews.get(review.id).template.roles if role.required]
        people = {"research-lead": "R. Okafor", "applied-ai": "L. Duarte"}
        for n, role in enumerate(roles):
            reg.reviews.add_member(review.id, role, people.get(role, f"Member {n}"))
        reg.reviews.sign(
            review.id,
            "L. Duarte",
            "request-changes",
            tasks=[{"task": "link real data"}, {"task": "raise recall", "target": ">= 0.9"}],
        )
        reg.reviews.sign(review.id, "R. Okafor", "approve")
        for n, role in enumerate(roles):
            if role not in people:
                reg.reviews.sign(review.id, f"Member {n}", "approve")
        reg.reviews.decide(review.id, "tasks", reason="real data first")
    yield db_url


def lines(capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> list[str]:
    assert main(["--db", url, "history", *argv]) == 0, capsys.readouterr().err
    # after the header; spaces squeezed, as columns take the width of what they hold
    return [" ".join(line.split()) for line in capsys.readouterr().out.splitlines()[1:]]


def test_review_events_say_who_and_what(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    shown = "\n".join(lines(capsys, url, "np", "--kind", "review"))
    assert "review 1 opened at the level-4 gate" in shown
    assert "review 1: R. Okafor joins as research-lead" in shown
    assert "review 1: L. Duarte joins as applied-ai" in shown
    assert "review 1: L. Duarte requested changes (2 tasks)" in shown
    assert "review 1: R. Okafor approved" in shown
    assert "review 1 decided: tasks (2 tasks): real data first" in shown
    assert "review.member" not in shown and "review.sign" not in shown


def test_kind_keeps_one_kind_or_a_family_and_can_repeat(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    members = lines(capsys, url, "np", "--kind", "review.member")
    assert members and all("joins as" in line for line in members)
    both = lines(capsys, url, "np/1.1", "--kind", "pause", "--kind", "resume")
    assert [line.split()[3] for line in both] == ["paused", "resumed"]
    assert main(["--db", url, "history", "np", "--kind", "review.sign", "--json"]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    assert [e["kind"] for e in events] == ["review.sign"] * len(events) and len(events) >= 2
    assert events[0]["description"] == "review 1: L. Duarte requested changes (2 tasks)"


def test_since_until_and_limit(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    # --until a date includes the whole day: the pause at 18:00 on March 1st is in
    march = lines(capsys, url, "np", "--since", "2024-02-15", "--until", "2024-03-01")
    assert len(march) == 1 and "paused at level 4: funding" in march[0]
    early = lines(capsys, url, "np", "--until", "2024-02-01T09:00:00Z")
    assert ["project created" in early[0], "initiated at level 4" in early[1]] == [True, True]
    assert len(early) == 2
    # the most recent events, still oldest first
    everything = lines(capsys, url, "np")
    assert lines(capsys, url, "np", "--limit", "3") == everything[-3:]
    assert (
        lines(capsys, url, "np", "--kind", "review.member", "--limit", "1")
        == [line for line in everything if "joins as" in line][-1:]
    )
    assert len(lines(capsys, url, "np", "--since", "30d")) == len(everything) - 4  # review: today


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--kind", "graudate"], "--kind 'graudate' is not a kind of event; kinds: initiate"),
        (["--kind", "review%"], "--kind 'review%' is not a kind of event"),
        (["--since", "yesterday"], "--since 'yesterday': give a date (2026-03-01)"),
        (["--until", "2024-13-01"], "--until '2024-13-01'"),
        (["--since", "2024-03-02", "--until", "2024-03-01"], "--since 2024-03-02 is after --until"),
        (["--limit", "0"], "--limit 0: give a number of events"),
    ],
)
def test_bad_filters_are_one_line_errors(
    url: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["--db", url, "history", "np", *argv]) == 2
    captured = capsys.readouterr()
    assert (
        captured.out == "" and captured.err.startswith(f"error: {message}") and captured.err.count("\n") == 1
    )


def test_every_kind_the_demo_writes_is_a_kind_history_knows_and_describes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mltrl.demo.run import build

    monkeypatch.delenv("MLTRL_POLICY")  # the demo brings its own
    home = build(tmp_path / "demo")
    url = f"sqlite:///{home / 'mltrl.db'}"
    assert main(["--db", url, "history", "recycling", "--json"]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    written = {e["kind"] for e in events}
    assert written <= set(KINDS) and {k.split(".")[0] for k in written if "." in k} <= set(FAMILIES)
    # each is told in words, never by its bare kind name
    assert all(e["description"].split(":")[0] != e["kind"] for e in events)
