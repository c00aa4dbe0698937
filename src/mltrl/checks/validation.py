"""Data intervention tests: expectations on a table, declared or inferred from a reference.

An expectation says what one column must look like: its dtype, whether it may hold nulls, a range,
uniqueness, the allowed values. Expectations are declared (Python, a mapping or a YAML file) or
inferred from a reference table, as TFDV infers a schema. pandera does the validating; this module
turns its failure cases into findings that each name the column, the rule and how many rows break
it, so a person sees what is wrong without reading a traceback.

The check runs at a **stage**: ``ingestion`` (raw data as it arrives) or ``processed`` (after the
pipeline, what the model reads). ``L7.data-validation`` asks for a passing result at both stages
on the component's current versions; the stage is recorded as a label beside the metrics.

A validation judges the batch in hand, not a sample of some population: a rule fails when more
than ``tolerance`` of the rows break it (0 by default: one row is a finding). The failing-row
fraction still gets a Wilson interval, for a reader comparing batches.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mltrl.checks import _inputs, _stats
from mltrl.checks.result import CheckResult
from mltrl.errors import BadInput

STAGES = ("ingestion", "processed")
_FIELDS = ("dtype", "nullable", "min", "max", "unique", "allowed", "required")


@dataclass(frozen=True)
class Expectation:
    """What one column must look like; ``None`` leaves a rule out."""

    column: str
    dtype: str | None = None  # a pandas dtype name: int64, float64, str, object, bool, category ...
    nullable: bool = True
    min: float | None = None
    max: float | None = None
    unique: bool = False
    allowed: Sequence[Any] | None = None
    required: bool = True  # the column must be present

    def __post_init__(self) -> None:
        where = f"data-validation: column {self.column!r}"
        if not isinstance(self.column, str) or not self.column:
            raise BadInput("data-validation: an expectation needs a column name")
        if self.dtype is not None:
            try:
                pd.api.types.pandas_dtype(self.dtype)
            except TypeError:
                raise BadInput(f"{where}: dtype {self.dtype!r} is not a pandas dtype") from None
        for flag in ("nullable", "unique", "required"):
            if not isinstance(getattr(self, flag), bool):
                raise BadInput(f"{where}: {flag} must be true or false, not {getattr(self, flag)!r}")
        for bound in ("min", "max"):
            value = getattr(self, bound)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
            ):
                raise BadInput(f"{where}: {bound} must be a finite number, not {value!r}")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise BadInput(f"{where}: min {self.min:g} is above max {self.max:g}")
        if self.allowed is not None:
            if (
                isinstance(self.allowed, (str, bytes))
                or not isinstance(self.allowed, Sequence)
                or not self.allowed
            ):
                raise BadInput(f"{where}: allowed must be a non-empty list of values")
            object.__setattr__(self, "allowed", tuple(self.allowed))

    def rules(self) -> list[str]:
        """The value rules, in the order pandera numbers its checks (for naming findings)."""
        out = []
        if self.min is not None:
            out.append(f"min >= {self.min:g}")
        if self.max is not None:
            out.append(f"max <= {self.max:g}")
        if self.allowed is not None:
            out.append("allowed values")
        return out

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if k != "column"}
        if self.allowed is not None:
            data["allowed"] = list(self.allowed)
        defaults = {"dtype": None, "nullable": True, "min": None, "max": None, "unique": False,
                    "allowed": None, "required": True}  # fmt: skip
        return {k: v for k, v in data.items() if v != defaults[k]}


@dataclass(frozen=True)
class DataValidationCheck:
    """Validate a table against ``expectations`` (one per column) at a stage."""

    expectations: Sequence[Expectation]
    strict: bool = False  # a column no expectation names is a finding
    tolerance: float = 0.0  # the fraction of rows that may break a rule
    min_rows: int = 1
    confidence: float = 0.95
    name: str = "data-validation"
    columns: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        expectations = tuple(self.expectations)
        if not expectations or not all(isinstance(e, Expectation) for e in expectations):
            raise BadInput(f"{self.name}: expectations must be a non-empty list of Expectation")
        names = [e.column for e in expectations]
        if len(set(names)) != len(names):
            raise BadInput(f"{self.name}: more than one expectation for a column: {', '.join(sorted(names))}")
        object.__setattr__(self, "expectations", expectations)
        object.__setattr__(self, "columns", tuple(names))
        _inputs.fraction(self.name, self.tolerance, "tolerance")
        _inputs.positive_int(self.name, self.min_rows, "min_rows")
        _inputs.confidence(self.name, self.confidence)

    # -- declaring and inferring ---------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Any, **options: Any) -> DataValidationCheck:
        """From ``{"columns": {name: {dtype, nullable, min, max, unique, allowed, required}}}``
        (plus optional ``strict``, ``tolerance``, ``min_rows``)."""
        if not isinstance(data, Mapping) or not isinstance(data.get("columns"), Mapping):
            raise BadInput("data-validation: expectations need a 'columns' mapping of column -> rules")
        unknown_top = sorted(set(data) - {"columns", "strict", "tolerance", "min_rows"})
        if unknown_top:
            raise BadInput(f"data-validation: unknown key(s) {', '.join(unknown_top)}")
        expectations = []
        for column, rules in data["columns"].items():
            rules = {} if rules is None else rules
            if not isinstance(rules, Mapping):
                raise BadInput(f"data-validation: column {column!r}: rules must be a mapping")
            unknown = sorted(set(rules) - set(_FIELDS))
            if unknown:
                raise BadInput(
                    f"data-validation: column {column!r}: unknown rule(s) {', '.join(map(str, unknown))}; "
                    f"known: {', '.join(_FIELDS)}"
                )
            expectations.append(Expectation(str(column), **rules))
        settings = {k: data[k] for k in ("strict", "tolerance", "min_rows") if k in data}
        return cls(expectations, **{**settings, **options})

    @classmethod
    def from_yaml(cls, path: str | Path, **options: Any) -> DataValidationCheck:
        """From a YAML file (read safely: :func:`mltrl.userfiles.read_yaml`)."""
        from mltrl import userfiles

        data = userfiles.read_yaml(Path(path), "data expectations")
        try:
            return cls.from_dict(data, **options)
        except BadInput as exc:
            raise BadInput(f"{path}: {exc}") from None

    @classmethod
    def infer(
        cls,
        reference: Any,
        *,
        max_categories: int = 20,
        range_margin: float = 0.0,
        unique_min_rows: int = 50,
        **options: Any,
    ) -> DataValidationCheck:
        """Expectations inferred from a reference table (as TFDV infers a schema).

        Per column: its dtype; nulls allowed only if the reference has some; numeric columns
        within the reference's range (widened by ``range_margin`` x the range on each side); text
        and categorical columns with at most ``max_categories`` distinct values limited to those;
        a non-float column whose ``unique_min_rows`` or more values are all distinct is unique
        (an identifier). Edit the result (``to_dict``) where the reference is not the rule.
        """
        if not isinstance(reference, pd.DataFrame):
            raise BadInput(
                f"data-validation: reference is a {type(reference).__name__}, not a pandas DataFrame"
            )
        if len(reference) == 0:
            raise BadInput("data-validation: reference has no rows to infer expectations from")
        _inputs.positive_int("data-validation", max_categories, "max_categories")
        if not (isinstance(range_margin, (int, float)) and range_margin >= 0):
            raise BadInput(f"data-validation: range_margin must be 0 or more, not {range_margin!r}")
        expectations = []
        for column in reference.columns:
            values = reference[column]
            present = values.dropna()
            rules: dict[str, Any] = {"dtype": str(values.dtype), "nullable": bool(values.isna().any())}
            kind = values.dtype.kind
            if kind in "iuf" and len(present):
                low, high = float(present.min()), float(present.max())
                pad = range_margin * (high - low)
                rules.update(min=low - pad, max=high + pad)
            elif kind in "OUSb" or isinstance(values.dtype, (pd.StringDtype, pd.CategoricalDtype)):
                distinct = present.unique()
                if 0 < len(distinct) <= max_categories and len(distinct) < len(present):
                    rules["allowed"] = sorted(distinct.tolist(), key=str)
            if kind != "f" and kind != "b" and len(present) >= unique_min_rows and present.is_unique:
                rules["unique"] = True
            expectations.append(Expectation(str(column), **rules))
        return cls(expectations, **options)

    def to_dict(self) -> dict[str, Any]:
        """The expectations as plain data (what :meth:`from_dict` reads; write it out as YAML)."""
        return {
            "columns": {e.column: e.as_dict() for e in self.expectations},
            "strict": self.strict,
            "tolerance": self.tolerance,
        }

    # -- running -------------------------------------------------------------------------------

    def run(self, data: Any, stage: str = "ingestion") -> CheckResult:
        """Validate ``data`` (a pandas DataFrame) at ``stage`` (``ingestion`` or ``processed``)."""
        check = self.name
        if stage not in STAGES:
            raise BadInput(f"{check}: stage {stage!r} is not one of {', '.join(STAGES)}")
        if not isinstance(data, pd.DataFrame):
            raise BadInput(f"{check}: data is a {type(data).__name__}, not a pandas DataFrame")
        rows = len(data)
        threshold = {
            "text": f"no rule broken by more than {self.tolerance:g} of the rows"
            + (" and no column without an expectation" if self.strict else "")
            + f" (at least {self.min_rows} rows)",
            "tolerance": self.tolerance,
            "strict": self.strict,
            "expectations": self.to_dict()["columns"],
        }
        labels = {"stage": stage}
        if rows < self.min_rows:
            return CheckResult(
                check,
                "insufficient",
                threshold=threshold,
                reason=f"{stage}: {rows} rows, fewer than min_rows={self.min_rows}: nothing to validate",
                n=rows,
                labels=labels,
            )
        findings, failing_rows = self._findings(data)
        for finding in findings:
            finding["status"] = "fail" if finding["offending_rows"] > self.tolerance * rows else "pass"
        failed = [f for f in findings if f["status"] == "fail"]
        bad = len(failing_rows)
        low, high = _stats.wilson(bad, rows, self.confidence)
        metrics = {"rules_failed": len(failed), "rows_failing": bad / rows}
        if failed:
            status = "fail"
            reason = (
                f"{stage}: {len(failed)} rule(s) broken: "
                + "; ".join(f"{f['column']} {f['rule']} ({f['offending_rows']} rows)" for f in failed[:5])
                + ("; ..." if len(failed) > 5 else "")
            )
        else:
            status = "pass"
            reason = f"{stage}: {rows} rows meet the {len(self.expectations)} columns' expectations"
        return CheckResult(
            check, status, metrics, {"rows_failing": (low, high)}, threshold, reason, findings, rows, labels
        )

    def _schema(self) -> Any:
        import pandera.pandas as pa  # imported on use: pandera takes over a second to load

        columns = {}
        for e in self.expectations:
            checks = []
            if e.min is not None:
                checks.append(pa.Check.ge(e.min))
            if e.max is not None:
                checks.append(pa.Check.le(e.max))
            if e.allowed is not None:
                checks.append(pa.Check.isin(list(e.allowed)))
            columns[e.column] = pa.Column(
                e.dtype, checks, nullable=e.nullable, unique=e.unique, required=e.required
            )
        return pa.DataFrameSchema(columns, strict=self.strict)

    def _findings(self, data: pd.DataFrame) -> tuple[list[dict[str, Any]], set[Any]]:
        import pandera.errors

        try:
            self._schema().validate(data, lazy=True)
            return [], set()
        except pandera.errors.SchemaErrors as exc:
            cases = exc.failure_cases
        except pandera.errors.SchemaError as exc:  # pragma: no cover - lazy=True collects them all
            raise BadInput(f"{self.name}: {exc}") from None
        by_column = {e.column: e for e in self.expectations}
        findings: dict[tuple[str, str], dict[str, Any]] = {}
        failing_rows: set[Any] = set()
        for case in cases.itertuples(index=False):
            column, rule, whole = _rule(case, by_column)
            key = (column, rule)
            finding = findings.setdefault(
                key, {"column": column, "rule": rule, "offending_rows": 0, "examples": [], "_rows": set()}
            )
            if whole:  # a column-wide failure (wrong dtype, missing or unexpected column): every row
                finding["_rows"].update(range(len(data)))
                failing_rows.update(data.index)
            else:
                finding["_rows"].add(case.index)
                failing_rows.add(case.index)
            if len(finding["examples"]) < 5 and _present(case.failure_case):
                example = str(case.failure_case)
                if example not in finding["examples"]:
                    finding["examples"].append(example)
        # A value rule on a column of the wrong dtype cannot be evaluated (pandera reports the
        # TypeError as the failure case): the dtype finding already says what is wrong.
        wrong_type = {column for column, rule in findings if rule.startswith("dtype ")}
        out = []
        for (column, rule), finding in findings.items():
            if column in wrong_type and not rule.startswith("dtype ") and _errored(finding["examples"]):
                continue
            finding["offending_rows"] = len(finding.pop("_rows"))
            out.append(finding)
        out.sort(key=lambda f: (str(f["column"]), f["rule"]))
        return out, failing_rows


def _rule(case: Any, by_column: Mapping[str, Expectation]) -> tuple[str, str, bool]:
    """(column, rule in words, whether it concerns the whole column) for one pandera failure case."""
    check = str(case.check)
    if check == "column_in_dataframe":
        return str(case.failure_case), "missing column", True
    if check == "column_in_schema":
        return str(case.failure_case), "unexpected column", True
    column = str(case.column)
    expectation = by_column.get(column)
    whole = not _present(case.index)
    if check == "not_nullable":
        return column, "no nulls", False
    if check == "field_uniqueness":
        return column, "unique", False
    if check.startswith("dtype("):
        return column, f"dtype {expectation.dtype if expectation else check}", whole
    number = case.check_number
    if expectation is not None and _present(number) and int(number) < len(expectation.rules()):
        rule = expectation.rules()[int(number)]
        if rule == "allowed values":
            shown = ", ".join(map(str, list(expectation.allowed or ())[:10]))
            rule = f"allowed values ({shown}{', ...' if len(expectation.allowed or ()) > 10 else ''})"
        return column, rule, whole
    return column, check, whole


def _errored(examples: list[str]) -> bool:
    return bool(examples) and all(re.match(r"\w+Error\(", example) for example in examples)


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and np.isnan(value))
