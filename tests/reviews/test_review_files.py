"""A whole review from one file, and a review started from an earlier one (Python API)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mltrl.catalog import load_catalog
from mltrl.errors import BadInput, NotFound, RuleViolation
from mltrl.service.registry import Registry

# Components start at levels 4 and 7 here with a reason alone; entry reviews have their own test below.
pytestmark = pytest.mark.usefixtures("lenient_entry")

PAST = datetime.now(UTC) - timedelta(days=30)
QUESTIONS = [q.id for q in load_catalog().ethics.questions]
#: Everything a review writes, so "nothing was written" is checked table by table.
TABLES = (
    "reviews",
    "review_panel",
    "review_results",
    "review_ethics",
    "review_choices",
    "review_signatures",
    "events",
    "card_revisions",
)


def rows(reg: Registry) -> dict[str, int]:
    return reg._read(lambda r: {t: int(r.scalar(f"SELECT COUNT(*) AS n FROM {t}")) for t in TABLES})


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("np", "Neuro", rd_owner="A. Lavin", at=PAST)
    registry.components.add(
        "np/1", "Model", kind="model", level=4, owner="A. Lavin", at=PAST, reason="before"
    )
    registry.datasets.add("np", "pilot", "Pilot", kind="real")
    registry.datasets.link("pilot", "np/1", "train")
    return registry


@pytest.fixture
def registry_policy(db_url: str, tmp_path: Path) -> Callable[[str], AbstractContextManager[Registry]]:
    """The same registry opened under another organisation policy (as after a policy change)."""

    @contextmanager
    def opened(text: str) -> Iterator[Registry]:
        path = tmp_path / "later-policy.yaml"
        path.write_text(text)
        with Registry.open(db_url, actor="tester", policy=path) as later:
            yield later

    return opened


def level4_review(**changes: Any) -> dict[str, Any]:
    """A level-4 review that graduates, as a panel would write it down."""
    data: dict[str, Any] = {
        "gate": 4,
        "panel": {
            "research-lead": "G. Renard",
            "applied-ai": ["A. Lavin"],
            "software-engineering": "J. Novak",
            "product-manager": "L. Duarte",
            "domain-expert": "Dr. Ruiz",
        },
        "results": {
            "L4.applications-demonstrated": {"result": "met", "note": "two hospitals"},
            "L4.applied-metrics": "met",
            "L4.assumptions-limits": "met",
            "L4.data-readiness": "met",
            "L4.inference-pipeline": {"result": "waived", "note": "batch export is enough"},
            "L4.security-privacy": "met",
        },
        "ethics": dict.fromkeys(QUESTIONS, "discussed by the panel"),
        "key_decisions": {"continue-or-pause": "continue"},
        "signatures": {
            "G. Renard": "approve",
            "A. Lavin": "approve",
            "J. Novak": {"verdict": "approve", "note": "pipeline reviewed"},
            "L. Duarte": "approve",
        },
        "decision": "graduate",
        "reason": "PoC accepted",
        "debrief": "smooth",
    }
    data.update(changes)
    return data


def test_a_review_file_is_recorded_whole_and_graduates(reg: Registry) -> None:
    applied = reg.reviews.apply("np/1", level4_review())
    assert (applied.review.status, applied.review.decision) == ("decided", "graduate")
    assert (applied.panel, applied.results, applied.ethics, applied.signatures) == (5, 6, len(QUESTIONS), 4)
    assert reg.components.get("np/1").level == 5
    view = reg.reviews.get(applied.review.id)
    assert {r["person"]: r["role"] for r in view.details["panel"]}["Dr. Ruiz"] == "domain-expert"
    waived = next(r for r in view.details["results"] if r["criterion_id"] == "L4.inference-pipeline")
    assert (waived["result"], waived["note"]) == ("waived", "batch export is enough")
    assert (
        next(s for s in view.details["signatures"] if s["person"] == "J. Novak")["note"]
        == "pipeline reviewed"
    )
    assert view.record.debrief == "smooth"
    # Each entry is its ordinary event: history reads as if typed command by command.
    kinds = [e.kind for e in reg.history("np/1") if e.kind.startswith("review.")]
    assert kinds == ["review.open"] + ["review.member"] * 5 + ["review.result"] * 6 + [
        "review.ethics",
        "review.choice",
    ] + ["review.sign"] * 4 + ["review.decide"]


def test_a_file_whose_last_signature_is_refused_writes_nothing(reg: Registry, tmp_path: Path) -> None:
    import yaml

    data = level4_review()
    data["signatures"]["Q. Stranger"] = "approve"  # last, and not on the panel
    path = tmp_path / "review.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    before = rows(reg)
    with pytest.raises(BadInput) as refused:
        reg.reviews.apply("np/1", path)
    assert str(refused.value) == (
        f"{path}: signatures.Q. Stranger: Q. Stranger is not on the panel and cannot sign; "
        "nothing was written"
    )
    assert rows(reg) == before
    assert reg.reviews.list("np/1") == [] and reg.components.get("np/1").level == 4


def test_a_decision_the_gate_refuses_writes_nothing(reg: Registry) -> None:
    data = level4_review()
    del data["signatures"]["L. Duarte"]  # the product manager has not signed: no quorum
    before = rows(reg)
    with pytest.raises(
        RuleViolation, match=r"^review data: decision: the review cannot decide graduate: no quorum"
    ):
        reg.reviews.apply("np/1", data)
    assert rows(reg) == before
    # Without the decision the same file opens the review, and `review show` lists what is missing.
    del data["decision"], data["reason"], data["debrief"]
    applied = reg.reviews.apply("np/1", data)
    assert applied.review.status == "open"
    assert "required role product-manager has not approved" in reg.reviews.get(applied.review.id).blockers


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"signature": {}}, "review data: unknown key 'signature'"),
        (
            {"results": {"L4.applied-metrics": "done"}},
            "review data: results.L4.applied-metrics.result: Input should be 'met', 'unmet', 'waived' or "
            "'not-applicable', got 'done'",
        ),
        (
            {"signatures": {"L. Duarte": {"verdict": "request-changes"}}},
            "review data: signatures.L. Duarte: requesting changes needs at least one specific task",
        ),
        ({"decision": None}, "review data: reason: goes with a decision, and the file has none"),
        (
            {"gate": 5},
            "review data: gate: the file is for the level-5 gate, but np/1's review is the level-4",
        ),
        ({"results": {"L4.nope": "met"}}, "review data: results.L4.nope: level 4 has no criterion 'L4.nope'"),
        (
            {"panel": {"astrologer": "X"}},
            "review data: panel.astrologer: level 4 has no panel role 'astrologer'",
        ),
        (
            {"ethics": {"pre.nope": "x"}},
            "review data: ethics.pre.nope: not a question of the ethics checklist",
        ),
        (
            {"results": {"L4.real-data": {"result": "waived", "note": "later"}}},
            "review data: results.L4.real-data: L4.real-data is mandatory and cannot be waived",
        ),
        (
            {"key_decisions": {"continue-or-pause": "maybe"}},
            "review data: key_decisions.continue-or-pause: continue-or-pause must be one of continue, pause",
        ),
        (
            {"key_decisions": {"continue-or-pause": {"option": "continue", "date": "2025-13-01"}}},
            "review data: key_decisions.continue-or-pause.date: Input should be a valid date",
        ),
    ],
)
def test_a_bad_file_is_one_line_naming_the_place_and_writes_nothing(
    reg: Registry, change: dict[str, Any], message: str
) -> None:
    before = rows(reg)
    with pytest.raises(BadInput) as refused:
        reg.reviews.apply("np/1", level4_review(**change))
    assert str(refused.value).startswith(message), str(refused.value)
    assert "\n" not in str(refused.value)
    assert rows(reg) == before


def test_yaml_files_are_read_safely_and_keep_text(reg: Registry, tmp_path: Path) -> None:
    twice = tmp_path / "twice.yaml"
    twice.write_text("signatures:\n  G. Renard: approve\n  G. Renard: request-changes\n")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(
        'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
            f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
            for i in range(8)
        )
    )
    tagged = tmp_path / "tagged.yaml"
    tagged.write_text("panel: !!python/object/apply:os.system ['true']\n")
    for path, message in (
        (twice, "key 'G. Renard' appears twice"),
        (bomb, "alias"),
        (tagged, "not valid YAML"),
        (tmp_path / "missing.yaml", "cannot read"),
    ):
        with pytest.raises(BadInput, match=message):
            reg.reviews.apply("np/1", path)
    assert reg.reviews.list("np/1") == []
    # Plain YAML stays text: "yes" is an answer, not True; "1.10" is not the number 1.1.
    answers = tmp_path / "answers.yaml"
    answers.write_text("ethics:\n  pre.harm: yes\n  pre.misuse: 1.10\n  pre.affected:\n")
    review = reg.reviews.apply("np/1", answers).review
    recorded = {row["question_id"]: row["answer"] for row in reg.reviews.get(review.id).details["ethics"]}
    assert recorded == {"pre.harm": "yes", "pre.misuse": "1.10"}  # the empty one is not answered yet


def test_a_dated_key_decision(reg: Registry) -> None:
    for code in ("8", "8.1"):
        reg.components.add(f"np/{code}", "Deployed soon", kind="model", level=8, at=PAST, reason="vendor")
    data = {"key_decisions": {"go-no-go": {"option": "go", "date": "2025-07-01", "note": "after the audit"}}}
    review = reg.reviews.apply("np/8", data).review
    choice = reg.reviews.get(review.id).details["choices"][0]
    assert (choice["option_id"], choice["on_date"], choice["note"]) == ("go", "2025-07-01", "after the audit")
    with pytest.raises(BadInput, match=r"^review data: key_decisions.go-no-go: a 'go' needs the date"):
        reg.reviews.apply("np/8.1", {"key_decisions": {"go-no-go": "go"}})
    assert reg.reviews.list("np/8.1") == []


def test_from_copies_the_panel_and_answers_but_never_results_or_signatures(reg: Registry) -> None:
    first = reg.reviews.apply("np/1", level4_review()).review
    before = rows(reg)
    applied = reg.reviews.apply("np/1", {}, from_review=first.id)
    second = reg.reviews.get(applied.review.id)
    assert second.record.level == 5 and applied.copied_from == first.id
    assert [(r["role"], r["person"]) for r in second.details["panel"]] == [
        ("research-lead", "G. Renard"),
        ("applied-ai", "A. Lavin"),
        ("software-engineering", "J. Novak"),
        ("product-manager", "L. Duarte"),
        ("domain-expert", "Dr. Ruiz"),
    ]
    assert {r["question_id"] for r in second.details["ethics"]} == set(QUESTIONS)
    assert second.details["results"] == [] and second.details["signatures"] == []
    assert second.details["choices"] == []
    assert applied.left_out == ()
    # Recorded as ordinary panel and ethics entries: one open, five members, one set of answers.
    after = rows(reg)
    assert after["events"] - before["events"] == 1 + 5 + 1
    assert after["review_panel"] - before["review_panel"] == 5


def test_from_keeps_only_what_the_new_gate_still_asks(reg: Registry, registry_policy: Any) -> None:
    # Review 1 of a level-7 component (its panel has qa and infrastructure) under the shipped checklist.
    reg.components.add("np/7", "Service", kind="software-module", level=7, at=PAST, reason="vendor")
    source = reg.reviews.apply(
        "np/7",
        {
            "panel": {"qa": "Q. Ahmed", "infrastructure": "I. Berg", "applied-ai": "A. Lavin"},
            "ethics": {"pre.harm": "none found", "org.footprint": "small"},
        },
    ).review
    # The organisation drops a question; the level-4 gate of np/1 has no qa or infrastructure role.
    with registry_policy("version: 1\nethics:\n  remove_questions: [org.footprint]\n") as later:
        applied = later.reviews.apply("np/1", {}, from_review=source.id)
        view = later.reviews.get(applied.review.id)
    assert [(r["role"], r["person"]) for r in view.details["panel"]] == [("applied-ai", "A. Lavin")]
    assert {r["question_id"]: r["answer"] for r in view.details["ethics"]} == {"pre.harm": "none found"}
    assert applied.left_out == (
        "Q. Ahmed (qa): the level-4 gate has no role qa",
        "I. Berg (infrastructure): the level-4 gate has no role infrastructure",
        "1 ethics answer(s) to questions the checklist no longer has: org.footprint",
    )


def test_from_and_file_together_and_their_refusals(reg: Registry) -> None:
    data = level4_review(decision="tasks", reason="more slides first")
    data["signatures"]["G. Renard"] = {"verdict": "request-changes", "tasks": ["more slides => >= 200"]}
    source = reg.reviews.apply("np/1", data).review
    assert source.decision == "tasks"
    before = rows(reg)
    with pytest.raises(
        BadInput, match=r"^review data: panel.research-lead: G. Renard is already on the panel"
    ):
        reg.reviews.apply("np/1", {"panel": {"research-lead": "G. Renard"}}, from_review=source.id)
    with pytest.raises(NotFound, match="no review 99 to start from"):
        reg.reviews.open("np/1", from_review=99)
    assert rows(reg) == before
    # The copy comes first, then the file: its answer replaces the copied one.
    applied = reg.reviews.apply("np/1", {"ethics": {"pre.harm": "re-read: unchanged"}}, from_review=source.id)
    answers = {r["question_id"]: r["answer"] for r in reg.reviews.get(applied.review.id).details["ethics"]}
    assert answers["pre.harm"] == "re-read: unchanged" and answers["pre.misuse"] == "discussed by the panel"
    assert applied.ethics == len(QUESTIONS) and applied.review.level == 4


def test_an_entry_review_from_a_file(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLTRL_POLICY")  # the shipped rule: above level 3 a component enters by review
    registry.projects.create("fr", "Fraud", rd_owner="A. Lavin", at=PAST)
    registry.components.add(
        "fr/2", "Scorer", kind="model", level=5, reason="vendor", entry_review=True, at=PAST
    )
    with pytest.raises(BadInput, match=r"^review data: entry: the file is for a gate review"):
        registry.reviews.apply("fr/2", {"entry": False}, entry=True)
    with pytest.raises(BadInput, match="waits to enter at level 5"):
        registry.reviews.apply("fr/2", {"entry": False})
    applied = registry.reviews.apply(
        "fr/2", {"entry": True, "gate": 4, "panel": {"research-lead": "R. Okafor"}}
    )
    assert applied.review.template["entry"] and applied.review.level == 4 and applied.panel == 1


# Each process records the same whole review file at one instant, through the real CLI.
RACE = """
import sys, time
start = float(sys.argv[1])
from mltrl.cli import main
time.sleep(max(0.0, start - time.time()))
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.slow
def test_review_files_recorded_at_once_land_once_and_whole(
    reg: Registry, db_url: str, tmp_path: Path
) -> None:
    import subprocess
    import sys
    import time

    import yaml

    path = tmp_path / "review.yaml"
    path.write_text(yaml.safe_dump(level4_review(), sort_keys=False))
    start = time.time() + 2.5  # after every interpreter has started and imported
    argv = ["--db", db_url, "review", "open", "np/1", "--file", str(path)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACE, str(start), "--actor", f"p{i}", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    results = [(proc.wait(timeout=180), proc.stderr.read()) for proc in procs]  # type: ignore[union-attr]
    assert sorted(code for code, _ in results) == [0, 2, 2, 2], results
    for code, err in results:
        # Refused whole: either the review is open (being recorded), or it graduated and the level-5
        # review the file would now open is not the gate it was written for.
        assert code == 0 or (
            err.count("\n") == 1
            and ("already has open review 1" in err or "the file is for the level-4 gate" in err)
        ), err
    (review,) = reg.reviews.list("np/1")
    assert (review.decision, reg.components.get("np/1").level) == ("graduate", 5)
    counted = rows(reg)
    assert (counted["review_panel"], counted["review_results"], counted["review_signatures"]) == (5, 6, 4)
    assert len([e for e in reg.history("np/1") if e.kind.startswith("review.")]) == 1 + 5 + 6 + 1 + 1 + 4 + 1
