"""Files to fill in instead of commands to type: the ethics checklist and a review file skeleton.

Both are YAML whose every value is empty and whose comments carry the words (question texts,
criterion texts, options), so a person fills in answers beside the questions. What they write back
is exactly what ``mltrl review ethics --file`` and ``mltrl review open --file`` read
(:mod:`mltrl.service.review_file`); an empty value stays "not recorded yet".
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from mltrl.catalog import Catalog
from mltrl.catalog.models import EthicsChecklist

WIDTH = 100


def _comment(text: str, indent: str = "") -> list[str]:
    """``text`` as YAML comment lines; wrapping also folds any line break a policy's text holds."""
    return textwrap.wrap(
        " ".join(text.split()), WIDTH, initial_indent=f"{indent}# ", subsequent_indent=f"{indent}# "
    ) or [f"{indent}#"]


def _checklist(checklist: EthicsChecklist, indent: str) -> list[str]:
    lines: list[str] = []
    for section in checklist.sections:
        lines += ["", *_comment(section.title, indent)]
        for question in section.questions:
            lines += [*_comment(question.text, indent), f"{indent}{question.id}:"]
    return lines


def ethics_template(catalog: Catalog) -> str:
    """Every question of the organisation's checklist, its text as a comment, and an empty answer."""
    lines = [
        "# The ethics checklist, answered at every review. Write each answer after its question id",
        "# (a `|` then indented lines for several paragraphs); an empty answer stays unanswered.",
        "# Record the answers with `mltrl review ethics ID --file THIS-FILE`.",
        *_checklist(catalog.ethics, ""),
    ]
    return "\n".join(lines) + "\n"


def review_template(catalog: Catalog, ref: str, gate: int, *, entry: bool, traits: Iterable[str] = ()) -> str:
    """A review file for ``ref``'s review at ``gate``: roles, criteria with their kinds (those that apply
    to a project with ``traits``), the checklist, the key decisions with their options, and empty
    signatures and decision."""
    level = catalog.level(gate)
    kind = (
        f"the entry review into level {gate + 1} (the level-{gate} gate, {level.name})"
        if entry
        else f"the level-{gate} gate ({level.name}), from level {gate} to {gate + 1}"
    )
    lines = [
        *_comment(f"A review file for {ref}: {kind}."),
        "# Fill in what you know; an empty value is simply not recorded. Record it all at once with",
        f"#   mltrl review open {ref} --file THIS-FILE",
        "# (add --from N to start from review N's panel and ethics answers).",
        f"gate: {gate}",
        f"entry: {'true' if entry else 'false'}",
        "",
        "# The panel: role -> a person, or a list of people.",
        "panel:",
    ]
    for role in level.panel_roles:
        lines += _comment(f"{role.name} ({'required' if role.required else 'optional'})", "  ")
        lines.append(f"  {role.id}:")
    lines += [
        "",
        "# Gate criteria: met | unmet | waived | not-applicable, or {result: ..., note: ...};",
        "# waived and not-applicable need the reason in the note.",
        "results:",
    ]
    for criterion in level.criteria:
        if not criterion.applies(traits):
            continue  # e.g. a causal-inference criterion, for a project without the causal trait
        if criterion.kind == "evidence" and criterion.waivable:
            how = "evidence: mltrl computes it from the registry; record it only to waive it, with a note"
        elif criterion.kind == "evidence":
            how = "evidence: mltrl computes it from the registry (it cannot be waived)"
        else:
            how = "attestation" + ("" if criterion.waivable else " (cannot be waived)")
        lines += [*_comment(criterion.text, "  "), *_comment(how, "  "), f"  {criterion.id}:"]
    lines += ["", "# The ethics checklist: every question answered (`mltrl ethics` lists it).", "ethics:"]
    lines += _checklist(catalog.ethics, "  ")
    lines += [
        "",
        "# Key decisions of the level: the option, or {option: ..., date: YYYY-MM-DD, note: ...}.",
        "key_decisions:" if level.decision_points else "key_decisions: {}  # none at this level",
    ]
    for point in level.decision_points:
        options = " | ".join(option.id for option in point.options)
        dated = " (a 'go' needs its date)" if point.needs_date else ""
        lines += [*_comment(f"{point.question} {options}{dated}", "  "), f"  {point.id}:"]
    decisions = "graduate | tasks" if entry else "graduate | tasks | switchback | pause | stay"
    lines += [
        "",
        "# Signatures, once each panel member has judged: person -> approve, or",
        '#   {verdict: request-changes, tasks: ["what to do => a quantitative target"], note: ...}',
        "signatures:",
        "",
        f"# The decision ({decisions}), or empty to decide later with `mltrl review decide`;",
        "# a switchback names its level in `to`.",
        "decision:",
        "reason:",
        "debrief:",
    ]
    return "\n".join(lines) + "\n"
