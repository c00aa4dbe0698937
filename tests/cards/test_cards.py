"""TRL Cards: the paper's example card from the demo, revisions, diff, renderers, editing, export."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mltrl.cards import render
from mltrl.cards.model import HANDWRITTEN, Card
from mltrl.cli import main
from mltrl.demo.build import POLICY, build_demo
from mltrl.errors import BadInput
from mltrl.service.registry import Registry

# Components start at high levels here with a reason alone; entry reviews are tested in test_paper_rules.
pytestmark = pytest.mark.usefixtures("lenient_entry")

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "card.schema.json"


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory, database_in: Callable[[Path], AbstractContextManager[str]]
) -> Iterator[Registry]:
    """The demo's registry, built once for the module's tests: they only read it."""
    with database_in(tmp_path_factory.mktemp("demo")) as url:
        Registry.init(db=url, actor="tester").close()
        with Registry.open(db=url, actor="tester", policy=str(POLICY)) as reg:
            build_demo(reg, datetime.now(UTC))
            yield reg


def test_the_papers_example_card_comes_out_of_the_demo_registry(demo: Registry) -> None:
    card = demo.cards.get("neuropath")
    s = card.summary
    assert s.technology_name == "Neuropathology Copilot v1.0"
    assert s.level == 4
    assert (s.rd_owner, s.rd_reviewer) == ("A. Lavin", "G. Renard")
    assert (s.product_owner, s.product_reviewer) == ("S. Wozniak", "S. Jobs")
    assert s.component_codes == ["1.1", "4.2", "4.3"]
    assert s.previous_revisions, "the card links to its previous revisions"
    assert "three steps" in card.tldr and "U-Net" in card.tldr
    assert {(d.key, tuple(d.versions)) for d in card.datasets} >= {
        ("biolab-pilot", ("1.0.0",)),
        ("wsi-simulated", ("2.2.0", "2.3.0")),
    }
    assert "Naud & Lavin" in card.data_considerations and "v2.3" in card.data_considerations
    assert "anonymised" in card.ethics and "checklist" in card.ethics
    assert any("checklist completed in review" in line for line in card.ethics_reviews)
    assert "SP-VAE" in card.model_details
    assert "0.97" in card.metrics and "1.0 s" in card.metrics and "2 GPUs" in card.metrics
    assert "retraining" in card.caveats and "anomalous" in card.caveats
    assert "same sensor" in card.assumptions
    assert "human expert in the loop" in card.intended_use
    markdown = render.to_markdown(card)
    for row in (
        "| R&D owner / reviewer | A. Lavin / G. Renard |",
        "| Product owner / reviewer | S. Wozniak / S. Jobs |",
        "| Component codes | 1.1, 4.2, 4.3 |",
    ):
        assert row in markdown


def test_every_level_change_freezes_a_revision_dated_with_the_change(demo: Registry) -> None:
    revisions = demo.cards.revisions("recycling", "1.1")
    assert [r.level for r in revisions] == [5, 6, 7, 8, 7, 8, 9, 7, 8]
    switchbacks = [e.at for e in demo.history("recycling/1.1", lifecycle_only=True) if e.kind == "switchback"]
    assert revisions[4].created_at == switchbacks[0].isoformat()
    assert revisions[7].reason == "switchback 9 -> 7"
    frozen = demo.cards.get("recycling", "1.1", revision=7)
    assert frozen.summary.level == 9 and len(frozen.summary.previous_revisions) == 6


def test_diff_between_revisions(demo: Registry) -> None:
    diff = demo.cards.diff("recycling", 8, 9, component="1.1")
    fields = {c["field"]: c for c in diff["changes"]}
    assert fields["summary.level"]["before"] == 7 and fields["summary.level"]["after"] == 8
    assert "-| TRL | 7 (productization)" in diff["markdown"] and "+| TRL | 8 (deployment)" in diff["markdown"]
    assert demo.cards.diff("recycling", 9, 9, component="1.1")["changes"] == []


def test_the_card_shows_stale_testing_status(demo: Registry) -> None:
    card = demo.cards.get("recycling", "1.1")
    stale = {t.criterion for t in card.testing_status if t.status == "stale"}
    assert "1.1: L7.metamorphic" in stale
    assert card.summary.level == 8
    project = demo.cards.get("recycling")
    assert project.summary.level == 8 and project.summary.held_back_by == ["1.1"]


def test_html_is_standalone_and_sanitised(registry: Registry) -> None:
    registry.projects.create("x", "X")
    hostile = (
        "Hello <script>alert(1)</script> **bold** [bad](javascript:alert(2)) <img src=x onerror=alert(3)>"
    )
    registry.cards.edit("x", {"tldr": hostile, "project-page": "javascript:alert(4)"})
    html = render.to_html(registry.cards.get("x"))
    assert html.startswith("<!doctype html>") and "<strong>bold</strong>" in html
    lowered = html.lower()
    # Hostile input survives only as visible, escaped text: no tag, handler or link runs.
    assert "<script" not in lowered and "<img" not in lowered and 'href="javascript' not in lowered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in lowered
    assert "http" not in lowered.split("<body>")[0]  # no external stylesheet or script


def test_json_matches_the_published_schema(demo: Registry) -> None:
    assert json.loads(SCHEMA.read_text()) == Card.model_json_schema()
    card = demo.cards.get("neuropath")
    assert Card.model_validate_json(render.to_json(card)) == card


def test_markdown_is_deterministic(demo: Registry) -> None:
    assert render.to_markdown(demo.cards.get("etalumis")) == render.to_markdown(demo.cards.get("etalumis"))


def test_edit_from_markdown_and_yaml(registry: Registry, tmp_path: Path) -> None:
    from mltrl.cards.sections import read_sections

    registry.projects.create("x", "X")
    md = tmp_path / "card.md"
    md.write_text(
        "# X card\n\n## TL;DR\nIt works.\n\n## Key assumptions\nSame sensors.\n\n## Caveats\nNone.\n"
    )
    assert registry.cards.edit("x", read_sections(md)) == ["assumptions", "caveats", "tldr"]
    yml = tmp_path / "card.yaml"
    yml.write_text("intended-use: decision support\nrd-reviewer: G. Renard\n")
    registry.cards.edit("x", read_sections(yml))
    card = registry.cards.get("x")
    assert (card.tldr, card.assumptions, card.intended_use) == (
        "It works.",
        "Same sensors.",
        "decision support",
    )
    assert card.summary.rd_reviewer == "G. Renard"
    bad = tmp_path / "bad.md"
    bad.write_text("## TL;DR\nok\n## Favourite colour\nblue\n")
    with pytest.raises(BadInput, match=r"bad\.md:3: card section 'Favourite colour'"):
        read_sections(bad)


def test_card_complete_probe_follows_the_sections(registry: Registry) -> None:
    past = datetime.now(UTC) - timedelta(days=5)
    registry.projects.create("x", "X", at=past)
    registry.components.add(
        "x/1", "App", kind="model", level=9, at=past, reason="work done before the registry"
    )
    reasons = {c.id: (c.status, c.reason) for c in registry.components.gate("x/1", 9).criteria}
    assert reasons["L9.card-complete"][0] == "unmet" and "tldr" in reasons["L9.card-complete"][1]
    registry.cards.edit("x", {"tldr": "a", "intended-use": "b", "caveats": "c", "assumptions": "d"})
    # Every section of the paper's card, not four of them: an empty "unacceptable uses" is not complete.
    status, reason = {c.id: (c.status, c.reason) for c in registry.components.gate("x/1", 9).criteria}[
        "L9.card-complete"
    ]
    assert status == "unmet" and "unacceptable-uses" in reason
    registry.cards.edit("x", dict.fromkeys(HANDWRITTEN, "written"))
    assert {c.id: c.status for c in registry.components.gate("x/1", 9).criteria}["L9.card-complete"] == "met"
    # ... and the card must be complete before deployment, at the level-8 gate.
    registry.components.add("x/2", "Scorer", kind="model", level=8, reason="legacy", at=past)
    assert {c.id: c.status for c in registry.components.gate("x/2", 8).criteria}["L8.card-complete"] == "met"


def test_cli_card_commands(demo: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_url = demo.location.url
    assert main(["--db", db_url, "card", "show", "neuropath"]) == 0
    assert capsys.readouterr().out.startswith("# TRL Card: Neuropathology Copilot v1.0")
    out = tmp_path / "card.html"
    assert main(["--db", db_url, "card", "show", "neuropath", "-f", "html", "-o", str(out)]) == 0
    assert "<h1>TRL Card: Neuropathology Copilot v1.0</h1>" in out.read_text()
    assert main(["--db", db_url, "card", "show", "neuropath", "-f", "pdf"]) == 2
    assert main(["--db", db_url, "card", "diff", "recycling", "8", "9", "-c", "1.1", "--json"]) == 0
    capsys.readouterr()
    assert main(["--db", db_url, "card", "export", str(tmp_path / "cards")]) == 0
    assert (tmp_path / "cards" / "neuropath.md").is_file()
    assert (tmp_path / "cards" / "recycling" / "1.1.md").is_file()
    assert main(["--db", db_url, "card", "show", "neuropath", "--revision", "99"]) == 2
    assert "no card revision 99" in capsys.readouterr().err
    assert main(["--db", db_url, "gate", "recycling/1.1"]) == 1
    assert "the level-7 gate does not hold" in capsys.readouterr().err
    assert main(["--db", db_url, "gate", "recycling/1.2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["holds"] is True


def test_a_policy_adds_card_sections_that_a_complete_card_needs(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "version: 1\nsettings: {entry_without_review_up_to: 9}\n"
        "cards:\n  add_sections:\n    - {id: clinical-validation, title: Clinical validation}\n"
    )
    monkeypatch.setenv("MLTRL_POLICY", str(policy))
    with Registry.init(db=db_url, actor="tester") as reg:
        reg.projects.create("x", "X")
        reg.components.add("x/1", "App", kind="model", level=9, reason="legacy")
        reg.cards.edit("x", dict.fromkeys(HANDWRITTEN, "written"))
        outcome = {c.id: c for c in reg.components.gate("x/1", 9).criteria}["L9.card-complete"]
        assert (outcome.status, outcome.reason) == (
            "unmet",
            "TRL Card sections not filled: clinical-validation",
        )
    sections = tmp_path / "card.md"
    sections.write_text("## Clinical validation\n\nProspective study at two hospitals, 2026.\n")
    assert main(["--db", db_url, "card", "edit", "x", "--file", str(sections)]) == 0
    assert main(["--db", db_url, "card", "show", "x"]) == 0
    assert "## Clinical validation\n\nProspective study at two hospitals, 2026." in capsys.readouterr().out
    with Registry.open(db_url) as reg:
        assert {c.id: c.status for c in reg.components.gate("x/1", 9).criteria}["L9.card-complete"] == "met"
    policy.write_text("version: 1\ncards:\n  add_sections:\n    - {id: tldr, title: Again}\n")
    assert main(["--db", db_url, "card", "show", "x"]) == 2
    assert "cards.add_sections[0].id: card section 'tldr' already exists" in capsys.readouterr().err


def test_the_card_names_the_latest_review_whose_ethics_checklist_was_answered_in_full(
    registry: Registry,
) -> None:
    past = datetime.now(UTC) - timedelta(days=30)
    registry.projects.create("np", "Neuro", rd_owner="A. Lavin", at=past)
    registry.components.add("np/1", "Model", kind="model", level=0, owner="A. Lavin", at=past)
    first = registry.reviews.open("np/1")
    questions = registry.reviews.get(first.id).template.ethics
    registry.reviews.answer_ethics(first.id, dict.fromkeys(questions, "considered"))
    registry.reviews.add_member(first.id, "research-lead", "G. Renard")
    registry.reviews.sign(first.id, "G. Renard", "request-changes", tasks=["more data"])
    registry.reviews.decide(first.id, "tasks", reason="more data")
    second = registry.reviews.open("np/1")
    registry.reviews.answer_ethics(second.id, {questions[0]: "considered again"})  # one of several

    def named() -> list[str]:
        return registry.cards.get("np", "1").ethics_reviews

    assert len(named()) == 1 and f"checklist completed in review {first.id}" in named()[0]
    registry.reviews.answer_ethics(second.id, dict.fromkeys(questions[1:], "considered again"))
    assert len(named()) == 1 and f"checklist completed in review {second.id}" in named()[0]


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement read through the registry's Reader from now on, in order."""
    from mltrl.store.reader import Reader

    statements: list[str] = []
    real = Reader.all

    def counted(self: Reader, sql: str, **params: object) -> list[dict[str, object]]:
        statements.append(sql)
        return real(self, sql, **params)

    monkeypatch.setattr(Reader, "all", counted)
    return statements


def test_a_project_card_asks_what_its_components_share_once_and_says_the_same(
    demo: Registry, asked: list[str]
) -> None:
    from mltrl.cards.assemble import assemble

    at = datetime.now(UTC)
    plain = demo._read(lambda r: assemble(r, demo.catalog, "neuropath", at=at))
    each_time, asked[:] = list(asked), []
    memo = demo._read(lambda r: assemble(r.memoized(), demo.catalog, "neuropath", at=at))
    # The same card, from fewer statements: what two components share (a data set, the project's
    # reviews) read once; nothing asked that the plain assembly does not ask.
    assert render.to_json(memo) == render.to_json(plain)
    memo_counts, plain_counts = Counter(asked), Counter(each_time)
    assert all(memo_counts[q] <= plain_counts[q] for q in memo_counts)
    assert len(asked) < len(each_time)


def test_a_project_card_reads_each_components_people_and_couplings_together(
    registry: Registry, asked: list[str]
) -> None:
    def statements_of_the_card() -> int:
        asked.clear()
        card = registry.cards.get("big")
        statements = len(asked)
        assert len(card.summary.component_codes) == len(registry.components.list("big"))
        return statements

    registry.projects.create("big", "Big")

    def add(code: str) -> None:
        registry.components.add(f"big/{code}", f"Part {code}", kind="model", level=2, reason="as found")
        registry.groups.join(f"big/{code}", f"dev-{code}", "engineer")
        if code != "1":
            registry.components.couple(f"big/{code}", "big/1", note="reads its output")

    add("1")
    add("2")
    few = statements_of_the_card()
    for code in range(3, 13):
        add(str(code))
    many = statements_of_the_card()
    # Ten more components, each with a member and a coupling: only the gate's own reads (evidence,
    # reviews, history, dependencies) are asked per component.
    assert (many - few) / 10 <= 4, (few, many)
    card = registry.cards.get("big")
    assert "big/1 <-> big/12" in card.summary.coupled_components
    assert "12: dev-12 (engineer, L2-now)" in card.summary.working_group
