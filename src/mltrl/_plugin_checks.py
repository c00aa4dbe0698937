"""The pytest plugin's checks that read the registry: a golden score against the champion, and the
component's codified relations.

A test computes the check while it runs (reading the champion's stored outputs or the codified list);
under ``--mltrl`` what it found waits in the test's outcome and is stored at the end of the session
beside the test's one piece of evidence, in the run's one transaction. So the evidence is recorded
once, by the plugin, and the score or relation outcomes point at it. Without ``--mltrl`` the check
still runs (the registry is opened to read) and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mltrl._plugin_record import Outcome
    from mltrl.checks import CheckResult, GoldenCheck
    from mltrl.service.registry import Registry

GOLDEN = "L7.golden-dataset"
METAMORPHIC = "L7.metamorphic"


def golden(
    registry: Registry | None,
    root: Path,
    outcome: Outcome | None,
    component: str | None,
    criterion: str | None,
    dataset: str,
    candidate: Any,
    X: Any,
    y: Any,
    *,
    check: GoldenCheck,
    version: str | None,
    path: str | Path | None,
) -> CheckResult:
    from mltrl.checks import succession

    ref = _component("golden", component, criterion, GOLDEN)
    with _opened(registry, root) as reg:
        pending = succession.evaluate(
            reg, ref, dataset, candidate, X, y, check=check, version=version, path=path
        )
    if outcome is not None:
        outcome.stored.append(lambda reg, evidence_id: succession.store(reg, pending, evidence_id))
    return pending.result


def relations(
    registry: Registry | None,
    root: Path,
    outcome: Outcome | None,
    component: str | None,
    criterion: str | None,
    model: Any,
    X: Any,
    *,
    min_rows: int,
    confidence: float,
) -> CheckResult:
    from mltrl.checks import codified_run

    ref = _component("relations", component, criterion, METAMORPHIC)
    with _opened(registry, root) as reg:
        pending = codified_run.evaluate(reg, ref, model, X, min_rows=min_rows, confidence=confidence)
    if outcome is not None:
        outcome.stored.append(lambda reg, evidence_id: codified_run.store(reg, pending, evidence_id))
    return pending.result


def _component(what: str, component: str | None, criterion: str | None, wanted: str) -> str:
    if not component or criterion != wanted:
        raise ValueError(
            f"mltrl_evidence.{what}: mark the test @pytest.mark.mltrl(component='PROJECT/CODE', "
            f"criterion='{wanted}') (it names component={component!r}, criterion={criterion!r})"
        )
    return component


@contextmanager
def _opened(registry: Registry | None, root: Path) -> Iterator[Registry]:
    """The run's registry under ``--mltrl``; otherwise the one ``[tool.mltrl]`` / the nearest
    ``.mltrl/`` names, opened to read and closed again."""
    if registry is not None:
        yield registry
        return
    from mltrl._plugin_record import read_settings
    from mltrl.service.registry import Registry

    settings = read_settings(root / "pyproject.toml")
    opened = Registry.open(settings.db, start=root, actor=settings.actor)
    try:
        yield opened
    finally:
        opened.close()
