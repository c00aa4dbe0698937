"""``mltrl req export``: the requirements document in Markdown, with its V&V table and risks."""

from __future__ import annotations

from datetime import datetime

from mltrl.store.records import ProjectRecord, RequirementRecord


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def requirements_markdown(
    project: ProjectRecord, requirements: list[RequirementRecord], now: datetime
) -> str:
    lines = [
        f"# Requirements: {project.name}",
        "",
        f"Project `{project.key}` · R&D owner: {project.rd_owner or '-'} · product owner: "
        f"{project.product_owner or '-'} · exported {now.strftime('%Y-%m-%d %H:%M UTC')} by mltrl",
        "",
        "Risk = p(failure) x value (1-10). Ids read requirement.subset.component.",
        "",
    ]
    for kind in ("research", "product"):
        chosen = [q for q in requirements if q.kind == kind]
        lines += [f"## {kind.capitalize()} requirements", ""]
        if not chosen:
            lines += ["None recorded yet.", ""]
            continue
        lines += [
            "| id | requirement | stakeholder | category | p(failure) | value | risk | components |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for q in chosen:
            lines.append(
                f"| {q.code} | {_cell(q.statement)} | {_cell(q.stakeholder) or '-'} | {q.category} | "
                f"{q.p_failure:g} | {q.value} | {q.risk:g} | {', '.join(q.components) or '-'} |"
            )
        lines.append("")
    lines += ["## Verification and validation", ""]
    steps = [(q, s) for q in requirements for s in q.steps]
    if not steps:
        lines += ["No V&V steps recorded yet.", ""]
    else:
        lines += [
            "| requirement | step | kind | method | status | description |",
            "|---|---|---|---|---|---|",
        ]
        for q, s in steps:
            status = f"{s.status}: {_cell(s.waive_reason)}" if s.status == "waived" else s.status
            lines.append(
                f"| {q.code} | {s.number} | {s.kind} | {s.method} | {status} | {_cell(s.description)} |"
            )
        lines.append("")
    details = [q for q in requirements if q.rationale or q.scenarios or q.slices]
    if details:
        lines += ["## Rationale, critical scenarios and data slices", ""]
        for q in details:
            lines.append(f"### {q.code}")
            lines.append("")
            if q.rationale:
                lines += [q.rationale, ""]
            for label, items in (("Critical scenarios", q.scenarios), ("Data slices", q.slices)):
                if items:
                    lines.append(f"{label}:")
                    lines += [f"- {item}" for item in items]
                    lines.append("")
    return "\n".join(lines).rstrip() + "\n"
