"""System TRL: a system is only as ready as its least ready part.

A composite's effective level is the lowest of its own level and the
effective levels of its children; the system TRL of a project is the lowest
effective level of its parts. Retired parts are no longer part of the system
and do not count, nor do parts still waiting for their entry review; paused
parts still do (the system still needs them).
"""

from __future__ import annotations

from dataclasses import dataclass

from mltrl.domain.model import Part, Status


@dataclass(frozen=True)
class Rollup:
    effective: dict[str, int]  # code -> effective level (retired parts left out)
    system_level: int | None  # None when the project has no live part
    holders: list[str]  # the parts whose own level sets the system level


def roll_up(parts: list[Part]) -> Rollup:
    # A component waiting for its entry review is not part of the system yet.
    live = {p.code: p for p in parts if p.status not in (Status.RETIRED, Status.ENTERING)}
    children: dict[str, list[str]] = {}
    for part in live.values():
        if part.parent is not None and part.parent in live:
            children.setdefault(part.parent, []).append(part.code)

    effective: dict[str, int] = {}

    def effective_level(code: str, path: tuple[str, ...] = ()) -> int:
        if code in effective:
            return effective[code]
        if code in path:  # a cycle would be a data error; do not recurse forever
            return live[code].level
        level = min([live[code].level, *(effective_level(c, (*path, code)) for c in children.get(code, []))])
        effective[code] = level
        return level

    for code in live:
        effective_level(code)
    if not live:
        return Rollup(effective={}, system_level=None, holders=[])
    system = min(effective.values())
    holders = sorted((code for code, part in live.items() if part.level == system), key=code_sort_key)
    return Rollup(effective=effective, system_level=system, holders=holders)


def code_sort_key(code: str) -> tuple[tuple[int, str], ...]:
    """Sort ``1.10`` after ``1.9``: numeric parts numerically."""
    return tuple((int(p), "") if p.isdigit() else (1 << 30, p) for p in code.split("."))
