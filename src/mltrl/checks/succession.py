"""The golden data set over the succession of models: each model version scored, stored, and compared
with its champion.

A *golden data set* is a registered data set version linked to the component with role ``golden``.
Each model version's score on it is stored with the per-row outputs it was computed from, so a later
candidate is compared with its **champion** on the very same rows (a seeded paired bootstrap)
without re-running the champion's model.

The champion of a candidate model version is the latest model version *before it in the
component's succession* (SemVer order when every model label is a semantic version, else
registration order: :func:`mltrl.domain.versions.ordered`) whose latest score on the same golden
data set version and metric **passed**. A model that failed the golden check never becomes a
champion; the first model of a succession has none and is judged by ``minimum`` alone.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mltrl.checks import _inputs, _stats
from mltrl.checks.evidence import record
from mltrl.checks.golden import GoldenCheck
from mltrl.checks.result import CheckResult
from mltrl.domain import versions as version_rules
from mltrl.errors import BadInput, NotFound
from mltrl.service import checks_storage, lookup
from mltrl.service.hashing import sha256_path
from mltrl.store import check_queries, dataset_queries, evidence_queries, queries
from mltrl.store.reader import Reader

if TYPE_CHECKING:
    from mltrl.service.registry import Registry

CRITERION = "L7.golden-dataset"


@dataclass(frozen=True)
class GoldenScore:
    """A candidate's golden result, not stored yet: stored with the evidence it is recorded as."""

    ref: str
    dataset: str
    dataset_version: str
    model_version: str
    metric: str
    result: CheckResult
    champion_version: str | None
    labels_sha256: str
    outputs: bytes


@dataclass(frozen=True)
class _Target:
    ref: str
    component_id: int
    model_version: str
    current_versions: dict[str, str]
    dataset: str
    dataset_id: int
    dataset_version: str
    dataset_sha256: str | None


def evaluate(
    reg: Registry,
    ref: str,
    dataset: str,
    candidate: Any,
    X: Any,
    y: Any,
    *,
    check: GoldenCheck,
    version: str | None = None,
    model_version: str | None = None,
    path: str | Path | None = None,
) -> GoldenScore:
    """Run ``check`` for ``candidate`` (a model with ``predict``, or its outputs) on the golden ``X, y``
    against its champion's stored outputs; nothing is written."""
    if not isinstance(check, GoldenCheck):
        raise BadInput(f"golden {ref}: check must be a GoldenCheck, not {type(check).__name__}")
    target = reg._read(_target, ref, dataset, version, model_version)
    where = f"golden {target.dataset} {target.dataset_version}"
    _content_matches(where, target, path)
    metric = _stats.metric(check.name, check.metric)
    rows = _inputs.n_rows(check.name, X)
    truth = _inputs.labels(check.name, y, rows)
    outputs = _plain(np.asarray(_stats.outputs(check.name, metric, candidate, X, rows, "candidate")))
    labels_sha256 = _digest(truth)
    champion = reg._read(_champion, target, metric.name)
    champion_outputs = None
    if champion is not None:
        if champion.labels_sha256 != labels_sha256:
            raise BadInput(
                f"{where}: these labels are not the ones model {champion.model_version} was scored on; "
                "a golden data set version must hold the same rows in the same order"
            )
        champion_outputs = _load(reg._read(check_queries.golden_outputs, champion.id))
    elif check.max_drop_vs_champion is not None or check.non_inferiority_margin is not None:
        if check.minimum is None:
            raise BadInput(
                f"{where}: {ref} has no champion yet (no model before {target.model_version} passed "
                "this golden set); the first model of a succession is judged by minimum alone: give "
                "GoldenCheck(minimum=...)"
            )
        check = dataclasses.replace(check, max_drop_vs_champion=None, non_inferiority_margin=None)
    result = check.run(outputs, X, truth, champion=champion_outputs)
    # Which golden set, model and champion the verdict is about, beside the metrics of its evidence.
    facts = {
        "golden_set": f"{target.dataset} {target.dataset_version}",
        "model_version": target.model_version,
        "champion_version": "none" if champion is None else champion.model_version,
    }
    result = dataclasses.replace(result, labels={**result.labels, **facts})
    return GoldenScore(
        ref=target.ref,
        dataset=target.dataset,
        dataset_version=target.dataset_version,
        model_version=target.model_version,
        metric=metric.name,
        result=result,
        champion_version=None if champion is None else champion.model_version,
        labels_sha256=labels_sha256,
        outputs=_dump(outputs),
    )


def store(reg: Registry, score: GoldenScore, evidence_id: int, *, at: datetime | str | None = None) -> int:
    """Keep ``score`` beside the evidence it was recorded as (call inside that evidence's transaction)."""
    return reg._write(
        checks_storage.add_golden_score,
        score.ref,
        dataset=score.dataset,
        dataset_version=score.dataset_version,
        model_version=score.model_version,
        result=score.result.as_dict(),
        metric=score.metric,
        champion_version=score.champion_version,
        labels_sha256=score.labels_sha256,
        outputs=score.outputs,
        evidence_id=evidence_id,
        at=at,
    )


def evidence_versions(reg: Registry, score: GoldenScore) -> dict[str, str]:
    """The versions the score's evidence names: the component's current ones, with the model scored
    (a model other than the current one gives evidence that is stale from the start, as it should)."""
    current = reg._read(lambda r: evidence_queries.current_versions(r, lookup.component(r, score.ref).id))
    return {**current, "model": score.model_version}


def score(
    reg: Registry,
    ref: str,
    dataset: str,
    candidate: Any,
    X: Any,
    y: Any,
    *,
    check: GoldenCheck,
    version: str | None = None,
    model_version: str | None = None,
    path: str | Path | None = None,
    source: str = "api",
    at: datetime | str | None = None,
) -> CheckResult:
    """Score, record as ``L7.golden-dataset`` evidence and store: all in one transaction."""
    pending = evaluate(
        reg,
        ref,
        dataset,
        candidate,
        X,
        y,
        check=check,
        version=version,
        model_version=model_version,
        path=path,
    )
    with reg.transaction():
        evidence = record(
            reg,
            ref,
            CRITERION,
            pending.result,
            source=source,
            versions=evidence_versions(reg, pending),
            at=at,
        )
        store(reg, pending, evidence.id, at=at)
    return pending.result


# --- reading the registry -------------------------------------------------------------------------


def _target(r: Reader, ref: str, dataset: str, version: str | None, model_version: str | None) -> _Target:
    component = lookup.component(r, ref)
    current = evidence_queries.current_versions(r, component.id)
    models = [v.version for v in queries.versions(r, component.id) if v.kind == "model"]
    if not models:
        raise BadInput(
            f"golden {component.ref}: no model version is registered "
            f"(`mltrl version add {component.ref} model VERSION`); a golden score belongs to one"
        )
    if model_version is None:
        model_version = current["model"]
    elif str(model_version) not in models:
        raise NotFound(
            f"golden {component.ref}: model version {model_version} is not registered "
            f"(it has {', '.join(models)})"
        )
    links = [
        link
        for link in dataset_queries.links_of_component(r, component.id)
        if link.role == "golden" and link.dataset_key == dataset
    ]
    if not links:
        raise BadInput(
            f"golden {component.ref}: data set {dataset!r} is not registered as golden for it "
            f"(`mltrl dataset link {dataset} {component.ref} --role golden`)"
        )
    (record_,) = dataset_queries.datasets(r, key=dataset)
    labels = [v.version for v in record_.versions]
    chosen = version or links[0].version or version_rules.current(labels)
    if chosen is None:
        raise BadInput(f"golden data set {dataset} has no version (`mltrl dataset version {dataset} ...`)")
    found = [v for v in record_.versions if v.version == str(chosen)]
    if not found:
        raise NotFound(f"golden data set {dataset} has no version {chosen} (it has {', '.join(labels)})")
    return _Target(
        component.ref,
        component.id,
        str(model_version),
        current,
        dataset,
        record_.id,
        found[0].version,
        found[0].sha256,
    )


def _champion(r: Reader, target: _Target, metric: str) -> check_queries.GoldenScoreRecord | None:
    scores = check_queries.golden_scores(
        r,
        target.component_id,
        dataset_id=target.dataset_id,
        dataset_version=target.dataset_version,
        metric=metric,
    )
    latest = {s.model_version: s for s in scores}  # oldest first: the last one of each model wins
    succession = version_rules.ordered(
        [v.version for v in queries.versions(r, target.component_id) if v.kind == "model"]
    )
    before = succession[: succession.index(target.model_version)]
    for label in reversed(before):
        if label in latest and latest[label].status == "pass":
            return latest[label]
    return None


def _content_matches(where: str, target: _Target, path: str | Path | None) -> None:
    """When the registry knows the version's content hash, the data passed must be that content."""
    if target.dataset_sha256 is None:
        return
    if path is None:
        raise BadInput(
            f"{where} is registered with sha256 {target.dataset_sha256[:12]}...: give path= (--data) to "
            "the file or directory the golden rows come from, so its content can be checked"
        )
    digest = sha256_path(Path(path))
    if digest != target.dataset_sha256:
        raise BadInput(
            f"{where}: {path} has sha256 {digest[:12]}..., "
            f"not the registered {target.dataset_sha256[:12]}...; "
            "this is not that data set version"
        )


# --- per-row outputs ------------------------------------------------------------------------------


def _plain(values: np.ndarray) -> np.ndarray:
    """Outputs and labels as arrays numpy saves without pickling, in one dtype per kind."""
    if values.dtype.kind in "biu":
        return values.astype(np.int64)
    if values.dtype.kind == "f":
        return values.astype(np.float64)
    return values.astype(str)


def _digest(labels: np.ndarray) -> str:
    plain = np.ascontiguousarray(_plain(labels))
    digest = hashlib.sha256(f"{plain.dtype.str}{plain.shape}".encode())
    digest.update(plain.tobytes())
    return digest.hexdigest()


def _dump(outputs: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, outputs=outputs)
    return buffer.getvalue()


def _load(blob: bytes) -> np.ndarray:
    with np.load(io.BytesIO(blob), allow_pickle=False) as archive:
        return archive["outputs"]
