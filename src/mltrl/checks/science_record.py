"""Sim-to-real, fairness and causal checks recorded as evidence, as ``mltrl check ...`` runs them.

Each function reads its tables (CSV/Parquet paths or DataFrames), refuses bad input before anything
is written, runs the check, and with ``save`` records the result through :func:`mltrl.checks.record`
(the one evidence path) on the component's current versions, with the files' SHA-256 in the note:

- :func:`sim_to_real` on ``L4.sim-to-real``; a file that is a registered data set version is named;
- :func:`fairness` across a group column that a datasheet of the component's data names
  (``mltrl dataset demographics``), on the criterion and/or requirement given;
- :func:`causal` — ``balance`` on ``L1.covariate-balance``, ``overlap`` on ``L1.overlap``,
  ``e-value`` on ``L2.causal-sensitivity``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mltrl.checks.evidence import record
from mltrl.checks.result import CheckResult
from mltrl.errors import BadInput

if TYPE_CHECKING:
    from mltrl.service.registry import Registry
    from mltrl.store.records import EvidenceRecord

Recorded = tuple[CheckResult, "EvidenceRecord | None"]
CAUSAL = {"balance": "L1.covariate-balance", "overlap": "L1.overlap", "e-value": "L2.causal-sensitivity"}
SIM_TO_REAL = "L4.sim-to-real"


def sim_to_real(
    reg: Registry,
    ref: str,
    synthetic: Any,
    real: Any,
    *,
    label: str | None = None,
    prediction: str | None = None,
    features: list[str] | None = None,
    max_domain_auc: float = 0.75,
    max_gap: float = 0.05,
    requirement: str | None = None,
    step: int | None = None,
    save: bool = True,
    source: str = "cli",
    at: datetime | str | None = None,
) -> Recorded:
    """Compare the synthetic/simulated table with the real one; record it on ``L4.sim-to-real`` (and on
    the V&V step of ``requirement`` when given, e.g. the risk table's sim-to-real requirement)."""
    from mltrl.checks.sim_to_real import SimToRealCheck

    check = SimToRealCheck(max_domain_auc=max_domain_auc, max_gap=max_gap, label=label, prediction=prediction,
                           features=features)  # fmt: skip
    tables = {"synthetic": _table(synthetic, "--synthetic"), "real": _table(real, "--real")}
    result = check.run(tables["synthetic"], tables["real"])
    if not save:
        return result, None
    read = _read(reg, {"synthetic": synthetic, "real": real})
    return result, record(reg, ref, SIM_TO_REAL, result, requirement=requirement, step=step, source=source,
                          read=read, at=at)  # fmt: skip


def fairness(
    reg: Registry,
    ref: str,
    data: Any,
    *,
    group: str,
    label: str,
    prediction: str,
    measures: list[str] | None = None,
    max_difference: float = 0.1,
    criterion: str | None = None,
    requirement: str | None = None,
    step: int | None = None,
    save: bool = True,
    source: str = "cli",
    at: datetime | str | None = None,
) -> Recorded:
    """Disparities of the logged decisions across ``group``; the group must be one a datasheet of the
    component's data sets names, so what is compared is what the card says the data holds."""
    from mltrl.checks.fairness import MEASURES, FairnessCheck

    named = _demographic_columns(reg, ref)
    if group not in named:
        have = f"they name {', '.join(sorted(named))}" if named else "none names any"
        raise BadInput(
            f"--group {group!r} is not a group the datasheets of {ref}'s data sets name ({have}): count it "
            "with `mltrl dataset demographics KEY --file ... --column ...`"
        )
    if save and criterion is None and requirement is None:
        raise BadInput("say what the result backs: --criterion and/or --requirement (or --no-record)")
    table = _table(data, "--data")
    for flag, column in (("--group", group), ("--label", label), ("--prediction", prediction)):
        if column not in table.columns:
            raise BadInput(f"--data has no {flag} column {column!r}")
    check = FairnessCheck(group, measures=measures or MEASURES, max_difference=max_difference)
    result = check.run(table[prediction].to_numpy(), table[[group]], table[label].to_numpy())
    if not save:
        return result, None
    return result, record(reg, ref, criterion, result, requirement=requirement, step=step, source=source,
                          read=_read(reg, {"data": data}), at=at)  # fmt: skip


def causal(
    reg: Registry,
    ref: str,
    kind: str,
    *,
    data: Any = None,
    treatment: str | None = None,
    covariates: list[str] | None = None,
    risk_ratio: tuple[float, float, float] | None = None,
    threshold: float | None = None,
    save: bool = True,
    source: str = "cli",
    at: datetime | str | None = None,
) -> Recorded:
    """``balance`` or ``overlap`` of ``data`` by ``treatment``, or the ``e-value`` of ``risk_ratio``
    (estimate, low, high); recorded on the causal criterion of its level."""
    from mltrl.checks.causal import BalanceCheck, EValueCheck, OverlapCheck

    if kind not in CAUSAL:
        raise BadInput(f"{kind!r} is not one of {', '.join(CAUSAL)}")
    if save:
        reg.catalog.criterion(CAUSAL[kind])  # a policy may have removed it: say so first
    if kind == "e-value":
        if risk_ratio is None:
            raise BadInput("e-value needs --risk-ratio ESTIMATE LOW HIGH")
        result = EValueCheck(**_given(min_e_value=threshold)).run(*risk_ratio)
        read: list[str] | None = None
    else:
        if data is None or treatment is None:
            raise BadInput(f"{kind} needs --data and --treatment")
        table = _table(data, "--data")
        if kind == "balance":
            check: Any = BalanceCheck(treatment, covariates=covariates, **_given(max_smd=threshold))
        else:
            check = OverlapCheck(treatment, covariates=covariates, **_given(bound=threshold))
        result = check.run(table)
        read = _read(reg, {"data": data})
    if not save:
        return result, None
    return result, record(reg, ref, CAUSAL[kind], result, source=source, read=read, at=at)


def _given(**options: float | None) -> dict[str, float]:
    return {name: value for name, value in options.items() if value is not None}


def _table(data: Any, flag: str) -> Any:
    from mltrl.service.tables import table_of

    if isinstance(data, (str, Path)) and not Path(data).is_file():
        raise BadInput(f"{flag} {data}: no such file")
    return table_of(data)


def _read(reg: Registry, given: dict[str, Any]) -> list[str]:
    """What each file is: its name, SHA-256, and the data set version it is, when registered."""
    from mltrl.service.hashing import sha256_path

    versions = {v.sha256: f"{d.key} {v.version}" for d in reg.datasets.list() for v in d.versions if v.sha256}
    out = []
    for role, data in given.items():
        if isinstance(data, (str, Path)):
            digest = sha256_path(Path(data))
            known = f" (data set {versions[digest]})" if digest in versions else ""
            out.append(f"{role} {Path(data).name} sha256 {digest}{known}")
    return out


def _demographic_columns(reg: Registry, ref: str) -> set[str]:
    """The group columns the datasheets of the data sets linked to the component name."""
    component = reg.components.get(ref).ref
    return {
        entry["column"]
        for d in reg.datasets.list()
        if any(link.component == component for link in d.links)
        for entry in d.demographics
    }
