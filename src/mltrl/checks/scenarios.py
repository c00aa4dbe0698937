"""Critical scenarios and data slices declared in YAML, tied to requirements and ranked by their risk.

MLTRL's level 7 asks for tests of the critical scenarios and data slices *ranked highest in the
risk table*. A :class:`ScenarioSuite` is that list written down: each scenario has a name, a
predicate over the rows (``where``), a minimum number of rows and the requirement it proves; the
suite runs them as a :class:`~mltrl.checks.slices.SliceCheck` (a metric with a CI per scenario,
Holm-corrected across them) and ranks the rows by their requirement's risk
(``p(failure) x value``, as ``mltrl risk`` shows it).

A predicate is a restricted pandas expression: column names (backticks for names with spaces),
numbers, strings, comparisons, ``in`` / ``not in`` lists, ``and`` / ``or`` / ``not`` and arithmetic.
Function calls, attribute access, indexing and ``@`` references are refused before anything is
evaluated, and names resolve to the table's columns only: a YAML file handed around a team cannot
run code.

:func:`record_scenarios` records one piece of evidence per requirement for
``L7.critical-scenarios``, labelled with the requirement it covers; the gate asks that every
requirement at or above the policy's risk threshold has a passing one on the current versions.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from mltrl.checks import _inputs
from mltrl.checks.evidence import record
from mltrl.checks.result import CheckResult
from mltrl.errors import BadInput

if TYPE_CHECKING:
    from mltrl import Registry
    from mltrl.store.records import EvidenceRecord

KINDS = ("scenario", "slice")
CRITERION = "L7.critical-scenarios"
_SCENARIO_KEYS = ("name", "where", "requirement", "min_rows", "kind")
_SUITE_KEYS = ("scenarios", "metric", "minimum", "min_rows", "confidence", "seed", "n_boot")
_BACKTICKED = re.compile(r"`([^`]*)`")
_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Invert,
    ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Mod, ast.FloorDiv, ast.Pow, ast.BitAnd, ast.BitOr,
    ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
    ast.Name, ast.Load, ast.Constant, ast.List, ast.Tuple,
)  # fmt: skip


@dataclass(frozen=True)
class Scenario:
    """One critical scenario or data slice: rows where ``where`` holds, proving ``requirement``."""

    name: str
    where: str
    requirement: str | None = None
    min_rows: int | None = None  # None: the suite's
    kind: str = "slice"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise BadInput("scenarios: a scenario needs a name")
        where = f"scenarios: scenario {self.name!r}"
        if self.kind not in KINDS:
            raise BadInput(f"{where}: kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.requirement is not None:
            object.__setattr__(self, "requirement", str(self.requirement))
        if self.min_rows is not None:
            _inputs.positive_int(where, self.min_rows, "min_rows")
        object.__setattr__(self, "_names", predicate_columns(where, self.where))

    @property
    def columns(self) -> frozenset[str]:
        """The column names the predicate reads."""
        return self._names  # type: ignore[attr-defined,no-any-return]


def predicate_columns(where: str, expression: Any) -> frozenset[str]:
    """The columns a restricted predicate reads; ``BadInput`` for anything but the allowed syntax."""
    if not isinstance(expression, str) or not expression.strip():
        raise BadInput(f'{where}: where must be a non-empty expression such as "age >= 65"')
    quoted: dict[str, str] = {}

    def placeholder(match: re.Match[str]) -> str:
        key = f"__column_{len(quoted)}__"
        quoted[key] = match.group(1)
        return key

    try:
        tree = ast.parse(_BACKTICKED.sub(placeholder, expression).strip(), mode="eval")
    except SyntaxError:
        raise BadInput(f"{where}: where {expression!r} is not a valid expression") from None
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise BadInput(
                f"{where}: where {expression!r} uses {type(node).__name__}, which a predicate may not "
                "(columns, constants, comparisons, in-lists, and/or/not, arithmetic only)"
            )
        if isinstance(node, ast.Name):
            names.add(quoted.get(node.id, node.id))
        if isinstance(node, ast.Constant) and not isinstance(node.value, (str, int, float, bool, type(None))):
            raise BadInput(
                f"{where}: where {expression!r} holds a constant of type {type(node.value).__name__}"
            )
    return frozenset(names)


@dataclass(frozen=True)
class ScenarioSuite:
    """Scenarios run as one slice check, rows ranked by their requirement's risk (``risks``)."""

    scenarios: Sequence[Scenario]
    metric: str = "accuracy"
    minimum: float = 0.0
    min_rows: int = 30
    confidence: float = 0.95
    seed: int = 0
    n_boot: int = 1000
    risks: Mapping[str, float] = field(default_factory=dict)  # requirement id -> risk
    name: str = "scenarios"

    def __post_init__(self) -> None:
        scenarios = tuple(self.scenarios)
        if not scenarios or not all(isinstance(s, Scenario) for s in scenarios):
            raise BadInput(f"{self.name}: scenarios must be a non-empty list of Scenario")
        names = [s.name for s in scenarios]
        if len(set(names)) != len(names):
            repeated = sorted({n for n in names if names.count(n) > 1})
            raise BadInput(f"{self.name}: scenario names repeat: {', '.join(repeated)}")
        object.__setattr__(self, "scenarios", scenarios)
        object.__setattr__(self, "risks", {str(k): float(v) for k, v in self.risks.items()})
        self._slice_check()  # validates metric, minimum, min_rows, confidence, n_boot now

    @classmethod
    def from_dict(cls, data: Any, **options: Any) -> ScenarioSuite:
        """From ``{"scenarios": [{name, where, requirement, min_rows, kind}, ...], "metric": ..., ...}``."""
        if not isinstance(data, Mapping) or not isinstance(data.get("scenarios"), list):
            raise BadInput("scenarios: the file needs a 'scenarios' list")
        unknown = sorted(set(map(str, data)) - set(_SUITE_KEYS))
        if unknown:
            raise BadInput(f"scenarios: unknown key(s) {', '.join(unknown)}; known: {', '.join(_SUITE_KEYS)}")
        scenarios = []
        for i, entry in enumerate(data["scenarios"]):
            if not isinstance(entry, Mapping):
                raise BadInput(f"scenarios: entry {i + 1} must be a mapping with name and where")
            extra = sorted(set(map(str, entry)) - set(_SCENARIO_KEYS))
            if extra:
                raise BadInput(
                    f"scenarios: entry {i + 1} ({entry.get('name')!r}): unknown key(s) {', '.join(extra)}; "
                    f"known: {', '.join(_SCENARIO_KEYS)}"
                )
            if "name" not in entry or "where" not in entry:
                raise BadInput(f"scenarios: entry {i + 1} needs a name and a where")
            scenarios.append(Scenario(**{str(k): v for k, v in entry.items()}))
        settings = {k: data[k] for k in _SUITE_KEYS if k != "scenarios" and k in data}
        return cls(scenarios, **{**settings, **options})

    @classmethod
    def from_yaml(cls, path: str | Path, **options: Any) -> ScenarioSuite:
        """From a YAML file, read safely (:func:`mltrl.userfiles.read_yaml`: no Python objects and no
        alias bombs)."""
        from mltrl import userfiles

        data = userfiles.read_yaml(Path(path), "scenarios file")
        try:
            return cls.from_dict(data, **options)
        except BadInput as exc:
            raise BadInput(f"{path}: {exc}") from None

    def ranked_by(self, requirements: Iterable[Any]) -> ScenarioSuite:
        """A copy that ranks by the risk of ``requirements`` (``RequirementRecord``s, e.g.
        ``reg.requirements.list(project)``, or a mapping of requirement id -> risk). A scenario naming a
        requirement that is not among them is bad input: a typo would otherwise rank it last."""
        if isinstance(requirements, Mapping):
            risks = {str(k): float(v) for k, v in requirements.items()}
        else:
            risks = {str(q.code): float(q.risk) for q in requirements}
        unknown = sorted(
            {s.requirement for s in self.scenarios if s.requirement and s.requirement not in risks}
        )
        if unknown:
            raise BadInput(
                f"{self.name}: scenarios name requirements that are not in the risk table: "
                + ", ".join(unknown)
            )
        return ScenarioSuite(**{**self.__dict__, "risks": risks})

    def _slice_check(self) -> Any:
        from mltrl.checks.slices import SliceCheck

        def predicate(scenario: Scenario) -> Any:
            def mask(X: Any) -> Any:
                where = f"{self.name}: scenario {scenario.name!r}"
                if not isinstance(X, pd.DataFrame):
                    raise BadInput(f"{where} needs X as a pandas DataFrame")
                missing = sorted(scenario.columns - set(map(str, X.columns)))
                if missing:
                    raise BadInput(f"{where}: where names columns that are not in X: {', '.join(missing)}")
                # Names resolve to columns only: no caller variables, no globals.
                return X.eval(scenario.where, local_dict={}, global_dict={})

            return mask

        return SliceCheck(
            {s.name: predicate(s) for s in self.scenarios},
            metric=self.metric,
            minimum=self.minimum,
            min_rows=self.min_rows,
            confidence=self.confidence,
            seed=self.seed,
            n_boot=self.n_boot,
            name=self.name,
            requirements={s.name: s.requirement for s in self.scenarios if s.requirement},
            min_rows_per_slice={s.name: s.min_rows for s in self.scenarios if s.min_rows is not None},
        )

    def run(self, model: Any, X: Any, y: Any) -> CheckResult:
        """Each scenario's metric with its CI (Holm across scenarios), rows ranked by risk."""
        result = self._slice_check().run(model, X, y)
        by_name = {s.name: s for s in self.scenarios}
        rows = []
        for position, row in enumerate(result.details):
            scenario = by_name[row["slice"]]
            risk = self.risks.get(scenario.requirement) if scenario.requirement else None
            rows.append(
                {**row, "kind": scenario.kind, "where": scenario.where, "risk": risk, "_order": position}
            )
        rows.sort(key=lambda r: (r["risk"] is None, -(r["risk"] or 0.0), r["_order"]))
        for rank, row in enumerate(rows, start=1):
            del row["_order"]
            row["rank"] = rank
        covered = list(dict.fromkeys(r["requirement"] for r in rows if r["requirement"]))
        threshold = {**result.threshold, "ranked_by": "requirement risk (p(failure) x value)"}
        return CheckResult(
            result.check,
            result.status,
            result.metrics,
            result.intervals,
            threshold,
            result.reason,
            rows,
            result.n,
            {"requirements": ",".join(covered)} if covered else {},
        )


def by_requirement(result: CheckResult) -> dict[str, CheckResult]:
    """A suite's result split into one result per requirement (its scenarios' rows only), ranked by risk.

    A requirement's result fails when one of its scenarios fails (Holm-corrected across the whole
    suite, as run), is insufficient when one is, and passes otherwise.
    """
    if not isinstance(result, CheckResult) or not result.details or "slice" not in result.details[0]:
        raise BadInput("by_requirement: give the result of a ScenarioSuite (or SliceCheck) run")
    metric = result.threshold.get("metric", "")
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for row in result.details:
        if row.get("requirement"):
            groups.setdefault(str(row["requirement"]), []).append(row)
    out = {}
    for code, rows in groups.items():
        statuses = {r["status"] for r in rows}
        status = "fail" if "fail" in statuses else "insufficient" if "insufficient" in statuses else "pass"
        names = [r["slice"] for r in rows]
        keys = [f"{metric}[{n}]" for n in names]
        metrics = {k: result.metrics[k] for k in keys if k in result.metrics}
        risk = rows[0].get("risk")
        if risk is not None:
            metrics["risk"] = risk
        word = {"pass": "hold", "fail": "fail", "insufficient": "cannot be decided"}[status]
        reason = f"requirement {code}: {len(rows)} scenario(s) {word}: " + ", ".join(
            f"{r['slice']} {r['status']}" for r in rows
        )
        out[code] = CheckResult(
            result.check,
            status,
            metrics,
            {k: result.intervals[k] for k in keys if k in result.intervals},
            result.threshold,
            reason,
            rows,
            sum(int(r["n"]) for r in rows),
            {"requirements": code},
        )
    return out


def record_scenarios(
    reg: Registry,
    ref: str,
    result: CheckResult,
    *,
    criterion: str = CRITERION,
    source: str = "api",
) -> list[EvidenceRecord]:
    """Record one piece of evidence per requirement the result covers (see :func:`by_requirement`),
    in one transaction: all of them or none."""
    split = by_requirement(result)
    if not split:
        raise BadInput("record_scenarios: no scenario of the result names a requirement")
    with reg.transaction():
        return [record(reg, ref, criterion, part, source=source) for part in split.values()]
