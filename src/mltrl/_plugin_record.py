"""The pytest plugin's work with the registry: settings, marker checks, recording, coverage, gates.

Imported only when a run asks for mltrl (``--mltrl`` / ``--mltrl-gate``): it pulls in SQLAlchemy
and the catalogue, which a plain ``pytest`` run must not pay for (the plugin loads in every run).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mltrl.errors import BadInput, MltrlError, NotFound, RuleViolation
from mltrl.service.registry import Registry
from mltrl.store.records import ComponentRecord, RequirementRecord

#: The ML Test Score rubric's 28 tests (Breck et al. 2017): data, model, infrastructure, monitoring.
RUBRIC_IDS = frozenset(
    [f"D{i}" for i in range(1, 8)]
    + [f"M{i}" for i in range(1, 8)]
    + [f"I{i}" for i in range(1, 8)]
    + [f"Mon{i}" for i in range(1, 8)]
)
MARK_KEYS = ("component", "criterion", "requirement", "step", "rubric")
ML_TEST_SCORE = "L7.ml-test-score"
SETTING_KEYS = ("db", "actor", "gate")
PROVENANCE_FILE = "pytest-provenance.json"


@dataclass(frozen=True)
class Settings:
    db: str | None = None
    actor: str | None = None
    gates: tuple[str, ...] = ()


def read_settings(pyproject: Path) -> Settings:
    """``[tool.mltrl]`` of ``pyproject``; a wrong key or type is a one-line error naming the file."""
    if not pyproject.is_file():
        return Settings()
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"{pyproject}: not valid TOML: {exc}") from None
    table = data.get("tool", {}).get("mltrl", {})
    if not isinstance(table, dict):
        raise BadInput(f"{pyproject}: [tool.mltrl] must be a table")
    for key in table:
        if key not in SETTING_KEYS:
            raise BadInput(
                f"{pyproject}: [tool.mltrl] has no setting {key!r} (known: {', '.join(SETTING_KEYS)})"
            )
    for key in ("db", "actor"):
        if key in table and not isinstance(table[key], str):
            raise BadInput(f"{pyproject}: [tool.mltrl] {key} must be a string")
    gate = table.get("gate", ())
    gates = (gate,) if isinstance(gate, str) else gate
    if not isinstance(gates, (list, tuple)) or not all(isinstance(g, str) for g in gates):
        raise BadInput(f"{pyproject}: [tool.mltrl] gate must be a component (or a list of them)")
    return Settings(table.get("db"), table.get("actor"), tuple(gates))


@dataclass(frozen=True)
class Target:
    """What one marked test proves: resolved from its ``mltrl`` markers and checked against the registry."""

    ref: str
    criterion: str | None
    requirement: str | None
    step: int | None
    rubric: tuple[str, ...]


@dataclass
class Outcome:
    """What a test did during the run, kept until the session ends (then recorded, all at once)."""

    target: Target
    nodeid: str
    failed: bool = False
    skipped: bool = False
    ran: bool = False
    duration: float = 0.0
    reads: list[dict[str, Any]] = field(default_factory=list)
    declared: dict[str, Any] = field(default_factory=dict)  # mltrl_evidence.metric(...)
    results: list[dict[str, Any]] = field(default_factory=list)  # check results, as plain data
    result_metrics: list[dict[str, Any]] = field(default_factory=list)  # each result's flat metrics
    #: Stored beside the test's evidence once it is recorded: golden scores, relation outcomes
    #: (called with the registry and the evidence id, in the run's one transaction).
    stored: list[Callable[[Registry, int], Any]] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        # A check that failed or could not decide (insufficient data) is no pass, even when the
        # test forgot to assert on it.
        verdicts = {str(r.get("status", "")).lower() for r in self.results}
        return "fail" if self.failed or verdicts & {"fail", "insufficient"} else "pass"

    @property
    def metrics(self) -> dict[str, Any]:
        """One result's metrics under their own names (as ``mltrl.checks.record`` stores them);
        several results' as ``<check>.<name>`` so they cannot overwrite each other. Metrics the
        test declared itself come last and win."""
        merged: dict[str, Any] = {}
        for data, flat in zip(self.results, self.result_metrics, strict=True):
            prefix = f"{data.get('check') or 'check'}." if len(self.results) > 1 else ""
            merged.update({f"{prefix}{k}": v for k, v in flat.items()})
        merged.update(self.declared)
        return merged


class Session:
    """The registry and the lookups of one pytest run (cached: a suite names few components)."""

    def __init__(self, settings: Settings, start: Path) -> None:
        self.settings = settings
        self.registry = Registry.open(settings.db, start=start, actor=settings.actor)
        self.catalog = self.registry.catalog
        self._components: dict[str, ComponentRecord] = {}
        self._requirements: dict[str, list[RequirementRecord]] = {}

    def close(self) -> None:
        self.registry.close()

    def component(self, ref: str) -> ComponentRecord:
        if ref not in self._components:
            self._components[ref] = self.registry.components.get(ref)
        return self._components[ref]

    def requirements(self, project_key: str) -> list[RequirementRecord]:
        if project_key not in self._requirements:
            self._requirements[project_key] = self.registry.requirements.list(project_key)
        return self._requirements[project_key]

    # --- checking markers ----------------------------------------------------------------------

    def target(self, marks: list[tuple[tuple[Any, ...], dict[str, Any]]]) -> Target:
        """One test's markers (farthest first: module, class, function) merged and checked.

        Raises :class:`MltrlError` with a message that names the offending argument.
        """
        merged: dict[str, Any] = {}
        for args, kwargs in marks:
            if args:
                raise BadInput("give keyword arguments only (component=, criterion=, requirement=, ...)")
            unknown = sorted(set(kwargs) - set(MARK_KEYS))
            if unknown:
                raise BadInput(f"no argument {unknown[0]!r} (known: {', '.join(MARK_KEYS)})")
            merged.update(kwargs)
        ref = merged.get("component")
        if not isinstance(ref, str) or not ref:
            raise BadInput("no component named (component='PROJECT/CODE')")
        component = self.component(ref)
        if component.status == "retired":  # refused now, not after the whole suite ran
            raise RuleViolation(f"{component.ref} is retired; it takes no more evidence")
        criterion = merged.get("criterion")
        if criterion is not None:
            if not isinstance(criterion, str):
                raise BadInput(f"criterion {criterion!r} must be a string such as 'L7.golden-dataset'")
            self.catalog.criterion(criterion)  # BadInput: "no criterion ..."
        requirement, step = self._requirement(component, merged.get("requirement"), merged.get("step"))
        rubric = merged.get("rubric", ())
        rubric = (rubric,) if isinstance(rubric, str) else tuple(rubric)
        for item in rubric:
            if item not in RUBRIC_IDS:
                raise BadInput(
                    f"rubric {item!r} is not an ML Test Score test (D1-D7, M1-M7, I1-I7, Mon1-Mon7)"
                )
        if criterion is None and requirement is None:
            if not rubric:
                raise BadInput(
                    "it backs nothing: give criterion= (a gate criterion), requirement= (a V&V step) "
                    "or rubric= (ML Test Score tests)"
                )
            # A test that only feeds ML Test Score items backs the score's own criterion: the score is
            # computed from such marks, never from a number typed into the evidence.
            criterion = ML_TEST_SCORE
        return Target(component.ref, criterion, requirement, step, rubric)

    def _requirement(
        self, component: ComponentRecord, code: object, step: object
    ) -> tuple[str | None, int | None]:
        if code is None:
            if step is not None:
                raise BadInput("step= needs requirement= (the requirement whose V&V step it is)")
            return None, None
        code = str(code)
        found = [q for q in self.requirements(component.project_key) if q.code == code]
        if not found:
            raise NotFound(f"no requirement {code!r} in project {component.project_key!r}")
        numbers = [s.number for s in found[0].steps]
        if step is None:
            if len(numbers) != 1:
                raise BadInput(f"requirement {code} has V&V steps {numbers or 'none'}: say which with step=")
            return code, numbers[0]
        if isinstance(step, bool) or not isinstance(step, int):
            raise BadInput(f"step {step!r} must be a whole number")
        if step not in numbers:
            raise NotFound(f"requirement {code} has no V&V step {step} (it has {numbers or 'none'})")
        return code, step

    # --- recording -----------------------------------------------------------------------------

    def record(self, outcomes: list[Outcome], commit: dict[str, Any] | None) -> list[Any]:
        """Every finished test's evidence in one transaction: all of it lands, or none."""
        done = [o for o in outcomes if o.ran and not o.skipped]
        recorded = []
        with tempfile.TemporaryDirectory(prefix="mltrl-pytest-") as tmp, self.registry.transaction():
            for n, o in enumerate(done):
                provenance = Path(tmp) / str(n) / PROVENANCE_FILE
                provenance.parent.mkdir()
                provenance.write_text(json.dumps(_provenance(o, commit), indent=2, sort_keys=True))
                evidence = self.registry.evidence.record(
                    o.target.ref,
                    o.target.criterion,
                    kind="test-run",
                    outcome=o.outcome,
                    metrics=o.metrics,
                    requirement=o.target.requirement,
                    step=o.target.step,
                    files=[provenance],
                    source="pytest",
                    note=_note(o, commit),
                )
                for store in o.stored:
                    store(self.registry, evidence.id)
                recorded.append(evidence)
        return recorded

    def coverage(self, outcomes: list[Outcome]) -> list[str]:
        """Per component touched: what of its next gate this run backed, and what it left without."""
        lines = []
        for ref in sorted({o.target.ref for o in outcomes}):
            component = self.component(ref)
            mine = [o for o in outcomes if o.target.ref == ref and o.ran and not o.skipped]
            by_criterion = _group(mine, lambda o: o.target.criterion)
            wanted = [c.id for c in self.catalog.level(component.level).evidence_criteria]
            lines.append(
                f"{ref} (level {component.level}): its next gate, at the end of level {component.level}"
            )
            lines.append(_listing("criteria with evidence from this run", wanted, by_criterion))
            lines.append(_listing("criteria without", [c for c in wanted if c not in by_criterion]))
            other = sorted(c for c in by_criterion if c not in wanted)
            if other:
                lines.append(_listing("also recorded (other gates)", other, by_criterion))
            steps = [
                f"{q.code} step {s.number}"
                for q in self.requirements(component.project_key)
                if ref in q.components
                for s in q.steps
            ]
            by_step = _group(
                mine, lambda o: o.target.requirement and f"{o.target.requirement} step {o.target.step}"
            )
            if steps or by_step:
                lines.append(_listing("requirement V&V steps with evidence from this run", steps, by_step))
                lines.append(
                    _listing("requirement V&V steps without", [s for s in steps if s not in by_step])
                )
        return lines

    def gate_level(self, spec: str) -> tuple[str, int | None]:
        """``REF``, ``REF@LEVEL`` or ``REF@next`` as the component and the gate's level (None: the
        one its level claims it passed, as ``mltrl gate`` picks); checked before the suite runs."""
        ref, _, which = spec.partition("@")
        component = self.component(ref)
        if which == "next":
            return ref, component.level
        if which:
            from mltrl.domain.rules import parse_level

            return ref, parse_level(which, f"--mltrl-gate {spec}")
        if component.level == 0:
            raise BadInput(f"--mltrl-gate {spec}: {ref} is at level 0 and has passed no gate; use {ref}@next")
        return ref, None

    def gate(self, spec: str) -> tuple[bool, list[str]]:
        """The verdict ``mltrl gate`` gives on ``spec`` (see :meth:`gate_level`), as lines to print."""
        ref, level = self.gate_level(spec)
        result = self.registry.components.gate(ref, level)
        lines = [
            f"gate of {ref} at the end of level {result.level}"
            + (f" (review {result.review_id})" if result.review_id else "")
            + (": holds" if result.holds else ": does NOT hold")
        ]
        lines += [f"  {c.status:<8} {c.id} ({c.kind}): {c.reason}" for c in result.criteria]
        return result.holds, lines


def _group(outcomes: list[Outcome], key: Callable[[Outcome], str | None]) -> dict[str, list[Outcome]]:
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        if name := key(o):
            groups.setdefault(name, []).append(o)
    return groups


def _listing(title: str, names: list[str], outcomes: dict[str, list[Outcome]] | None = None) -> str:
    """``title: a, b`` — or, given ``outcomes``, only the names it has: ``a (2 pass), b (1 fail)``."""
    shown = []
    for name in names:
        if outcomes is None:
            shown.append(name)
        elif name in outcomes:
            fails = sum(o.outcome == "fail" for o in outcomes[name])
            passes = len(outcomes[name]) - fails
            counts = [f"{passes} pass"] * bool(passes) + [f"{fails} fail"] * bool(fails)
            shown.append(f"{name} ({', '.join(counts)})")
    return f"  {title}: {', '.join(shown) or 'none'}"


def _provenance(o: Outcome, commit: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "test": o.nodeid,
        "outcome": o.outcome,
        "duration_s": round(o.duration, 6),
        "git": commit,
        "read": o.reads,
        "rubric": list(o.target.rubric),
        "metrics": o.metrics,
        "results": o.results,
    }


def _note(o: Outcome, commit: dict[str, Any] | None) -> str:
    parts = [f"pytest {o.nodeid}: {'passed' if o.outcome == 'pass' else 'failed'}"]
    if commit:
        parts.append(
            f"git {commit['commit'][:12]}" + (" with uncommitted changes" if commit["dirty"] else "")
        )
    if o.target.rubric:
        parts.append("rubric " + ", ".join(o.target.rubric))
    parts += [
        f"{r.get('check') or 'check'}: {r.get('status')}: {r.get('reason') or ''}".rstrip(": ")
        for r in o.results
    ]
    parts += [f"read {r['path']} sha256 {r['sha256']}" for r in o.reads]
    return "; ".join(parts)[:4000]


def git_commit(directory: Path) -> dict[str, Any] | None:
    """The commit checked out at ``directory`` and whether the tree has changes; None outside git."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=directory, capture_output=True, text=True, timeout=30
        )
        if head.returncode != 0:
            return None
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": head.stdout.strip(), "dirty": bool(status.stdout.strip())}


__all__ = ["MltrlError", "Outcome", "Session", "Settings", "Target", "git_commit", "read_settings"]
