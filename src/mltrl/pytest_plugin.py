"""mltrl's pytest plugin: tests of levels 7-8 become evidence on the exact versions they ran on.

Loaded in every pytest run once mltrl is installed (entry point ``pytest11``), and inert unless
asked: without ``--mltrl`` / ``--mltrl-gate`` it only registers the ``mltrl`` marker and the
``mltrl_evidence`` fixture; it opens no database and writes nothing. So this module imports only
the standard library and pytest; the registry work lives in :mod:`mltrl._plugin_record`.

    @pytest.mark.mltrl(component="recycling/1.1", criterion="L7.golden-dataset", rubric="M6")
    def test_golden(mltrl_evidence):
        data = mltrl_evidence.read("data/golden.csv")     # its sha256 goes with the evidence
        mltrl_evidence.metric("accuracy", 0.93)

    $ pytest --mltrl --mltrl-gate recycling/1.1@next

See docs/testing.md ("pytest plugin").
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mltrl._plugin_record import Outcome, Session
    from mltrl.checks import CheckResult, GoldenCheck
    from mltrl.service.registry import Registry

MARKER = (
    "mltrl(component, criterion, requirement, step, rubric): the gate criterion, requirement V&V step "
    "and ML Test Score item this test gives evidence for (recorded with --mltrl)"
)
_OUTCOME = pytest.StashKey["Outcome"]()


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    _rewrite_no_library_code(pluginmanager)
    group = parser.getgroup("mltrl", "mltrl: record marked tests as evidence on component versions")
    group.addoption(
        "--mltrl", action="store_true", default=False, help="Record marked tests as mltrl evidence."
    )
    group.addoption(
        "--mltrl-db",
        metavar="URL",
        default=None,
        help="Registry database (default: [tool.mltrl] db, $MLTRL_DATABASE_URL, the nearest .mltrl/).",
    )
    group.addoption("--mltrl-actor", metavar="NAME", default=None, help="Who records (default: OS user).")
    group.addoption(
        "--mltrl-gate",
        metavar="REF[@LEVEL|@next]",
        action="append",
        default=[],
        help="After recording, fail the run when this gate does not hold (implies --mltrl; repeatable).",
    )


def _rewrite_no_library_code(pluginmanager: pytest.PytestPluginManager) -> None:
    """Keep pytest from rewriting the asserts of all of mltrl.

    pytest marks the whole top-level package of a plugin's distribution for assertion rewriting
    (meant for packages that are only a plugin). For mltrl that would be every library module a
    test suite imports: re-parsed on each run where bytecode is not cached (~0.6 s measured with
    PYTHONDONTWRITEBYTECODE), and asserts inside the library changed. This module is already
    imported when this runs; nothing else of mltrl needs rewriting. A pytest without this (private)
    attribute keeps its default.
    """
    must_rewrite = getattr(getattr(pluginmanager, "rewrite_hook", None), "_must_rewrite", None)
    if isinstance(must_rewrite, set):
        must_rewrite.discard("mltrl")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)
    opts = config.option
    if not (opts.mltrl or opts.mltrl_gate):
        return
    from mltrl._plugin_record import MltrlError, Session, Settings, read_settings

    try:
        found = read_settings(config.rootpath / "pyproject.toml")
        settings = Settings(
            db=opts.mltrl_db or found.db,
            actor=opts.mltrl_actor or found.actor,
            gates=tuple(opts.mltrl_gate) or found.gates,
        )
        session = Session(settings, config.rootpath)
    except MltrlError as exc:
        raise pytest.UsageError(f"mltrl: {exc}") from None
    try:
        for spec in settings.gates:  # a gate that cannot be evaluated is refused before the suite runs
            session.gate_level(spec)
    except MltrlError as exc:
        session.close()
        raise pytest.UsageError(f"mltrl: {exc}") from None
    config.pluginmanager.register(_Recorder(session, settings.gates, config.rootpath), "mltrl-recorder")


class _Recorder:
    """The active plugin (registered only under --mltrl): checks markers, keeps outcomes, records."""

    def __init__(self, session: Session, gates: tuple[str, ...], rootpath: Path) -> None:
        self.session = session
        self.gates = gates
        self.rootpath = rootpath
        self.outcomes: list[Outcome] = []
        self.interrupted = False
        self.lines: list[tuple[str, dict[str, bool]]] = []

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector) -> Any:
        """Check each collected test's markers; a wrong one fails collection, naming the test."""
        report = yield
        if not report.passed:
            return report
        from mltrl._plugin_record import MltrlError, Outcome

        problems = []
        for item in report.result:
            if not isinstance(item, pytest.Item):
                continue
            marks = [(m.args, m.kwargs) for m in item.iter_markers("mltrl")]
            if not marks:
                continue
            try:
                target = self.session.target(marks[::-1])  # closest marker last: it overrides
            except MltrlError as exc:
                problems.append(f"{item.nodeid}: @pytest.mark.mltrl: {exc}")
                continue
            outcome = Outcome(target, item.nodeid)
            item.stash[_OUTCOME] = outcome
            self.outcomes.append(outcome)
        if problems:
            report.outcome = "failed"
            report.longrepr = "\n".join(problems)
        return report

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        report = yield
        outcome = item.stash.get(_OUTCOME, None)
        if outcome is not None:
            outcome.ran = True
            outcome.duration += report.duration
            if report.failed:
                outcome.failed = True
            elif report.skipped or hasattr(report, "wasxfail"):
                # A skipped test proves nothing; an expected failure (xfail) is no evidence of a pass.
                outcome.skipped = True
        return report

    def pytest_keyboard_interrupt(self) -> None:
        # Called for Ctrl-C and for pytest.exit(): the run did not finish, so nothing is recorded.
        self.interrupted = True

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        from mltrl._plugin_record import MltrlError, git_commit

        finished = not self.interrupted and exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)
        if not finished:
            self.lines.append(("the run did not finish: no evidence was recorded", {"red": True}))
            return
        try:
            recorded = self.session.record(self.outcomes, git_commit(self.rootpath))
        except MltrlError as exc:
            self.lines.append((f"nothing was recorded: {exc}", {"red": True}))
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
            return
        where = self.session.registry.location.display
        self.lines.append((f"recorded {len(recorded)} piece(s) of evidence in {where}", {}))
        try:
            self.lines += [(line, {}) for line in self.session.coverage(self.outcomes)]
            for spec in self.gates:
                holds, lines = self.session.gate(spec)
                self.lines.append((lines[0], {"green" if holds else "red": True}))
                self.lines += [(line, {}) for line in lines[1:]]
                if not holds:
                    session.exitstatus = pytest.ExitCode.TESTS_FAILED
        except MltrlError as exc:
            self.lines.append((str(exc), {"red": True}))
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.lines:
            terminalreporter.section("mltrl")
            for line, markup in self.lines:
                terminalreporter.line(line, **markup)

    def pytest_unconfigure(self) -> None:
        self.session.close()


class Evidence:
    """What a test declares for its evidence: the data files it read, metrics, check results."""

    def __init__(
        self,
        outcome: Outcome | None,
        rootpath: Path,
        registry: Registry | None = None,
        marked: dict[str, Any] | None = None,
    ) -> None:
        self._outcome = outcome  # None when the run records nothing (or the test is not marked)
        self._root = rootpath
        self._registry = registry  # the run's registry under --mltrl
        self._marked = marked or {}  # the test's mltrl marker arguments (component, criterion ...)

    def read(self, path: str | Path) -> Path:
        """Declare a data file the test reads; its sha256 goes with the evidence. Returns the path."""
        file = Path(path)
        if not file.is_file():
            raise FileNotFoundError(f"mltrl_evidence.read: {file} is not a file")
        if self._outcome is not None:
            digest = hashlib.sha256()
            with file.open("rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
            shown = file.resolve()
            shown = shown.relative_to(self._root) if shown.is_relative_to(self._root) else shown
            self._outcome.reads.append(
                {"path": str(shown), "sha256": digest.hexdigest(), "size": file.stat().st_size}
            )
        return file

    def metric(self, name: str, value: float | int | str | bool) -> None:
        """Attach a metric (a finite number, text or true/false) to the test's evidence."""
        if not isinstance(name, str) or not name:
            raise ValueError(f"mltrl_evidence.metric: name {name!r} must be a non-empty string")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"mltrl_evidence.metric: {name} is {value}; give a finite number")
        if not isinstance(value, (int, float, str, bool)):
            value = _number(value, name)
        if self._outcome is not None:
            self._outcome.declared[name] = value

    def result(self, check_result: Any) -> Any:
        """Attach a check's structured result (``mltrl.checks.CheckResult``, or anything with
        ``to_json()`` giving a JSON object with ``check``, ``status``, ``metrics``, ``intervals``).

        Its metrics, their confidence intervals (``<name>_ci_low``/``_ci_high``), ``n`` and
        ``status`` become the evidence's metrics; a ``fail`` or ``insufficient`` result makes the
        evidence a fail. Returns the result, so ``mltrl_evidence.result(check.run(...))`` chains.
        """
        data = _plain(check_result)
        if data.get("status") not in ("pass", "fail", "insufficient"):
            raise ValueError(
                f"mltrl_evidence.result: status {data.get('status')!r} is not pass, fail or insufficient"
            )
        if self._outcome is not None:
            flat = getattr(check_result, "evidence_metrics", None)
            self._outcome.results.append(data)
            self._outcome.result_metrics.append(flat() if callable(flat) else _flat_metrics(data))
        return check_result

    def golden(
        self,
        dataset: str,
        candidate: Any,
        X: Any,
        y: Any,
        *,
        check: GoldenCheck,
        version: str | None = None,
        path: str | Path | None = None,
    ) -> CheckResult:
        """Score the marked component's current model on its golden ``dataset`` against its champion
        (``reg.golden.score`` from a test: the test needs ``criterion="L7.golden-dataset"``).

        Under ``--mltrl`` the score is stored with the test's evidence at the end of the run (one
        piece of evidence, recorded once); without it the check runs on the registry and nothing is
        written. The result joins the test's evidence like :meth:`result`; returns it.
        """
        from mltrl import _plugin_checks

        found = _plugin_checks.golden(
            self._registry, self._root, self._outcome, self._marked.get("component"),
            self._marked.get("criterion"), dataset, candidate, X, y, check=check, version=version, path=path,
        )  # fmt: skip
        return self.result(found)

    def relations(self, model: Any, X: Any, *, min_rows: int = 30, confidence: float = 0.95) -> CheckResult:
        """Run the marked component's codified metamorphic relations for ``model`` on ``X`` (the test
        needs ``criterion="L7.metamorphic"``); each relation's outcome is stored with the test's
        evidence under ``--mltrl``. Returns the result."""
        from mltrl import _plugin_checks

        found = _plugin_checks.relations(
            self._registry, self._root, self._outcome, self._marked.get("component"),
            self._marked.get("criterion"), model, X, min_rows=min_rows, confidence=confidence,
        )  # fmt: skip
        return self.result(found)


def _number(value: Any, name: str) -> float:
    # numpy scalars and the like: anything that converts to a finite float.
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"mltrl_evidence.metric: {name} must be a number, text or true/false") from None
    if not math.isfinite(number):
        raise ValueError(f"mltrl_evidence.metric: {name} is {number}; give a finite number")
    return number


def _plain(check_result: Any) -> dict[str, Any]:
    """A check result as plain data: ``as_dict()`` (CheckResult) or ``to_json()`` (object or text)."""
    as_dict = getattr(check_result, "as_dict", None)
    to_json = getattr(check_result, "to_json", None)
    if callable(as_dict):
        data = as_dict()
    elif callable(to_json):
        data = to_json()
        if isinstance(data, (str, bytes)):
            data = json.loads(data)
    else:
        raise TypeError(
            f"mltrl_evidence.result: {type(check_result).__name__} has no to_json(); "
            "give a mltrl.checks result"
        )
    if not isinstance(data, dict):
        raise TypeError("mltrl_evidence.result: to_json() must give a JSON object")
    return data


def _flat_metrics(data: dict[str, Any]) -> dict[str, Any]:
    """The flat metrics ``CheckResult.evidence_metrics`` gives, from plain data (finite numbers only)."""
    flat: dict[str, Any] = {}
    for name, value in (data.get("metrics") or {}).items():
        if _finite(value):
            flat[str(name)] = value
    for name, bounds in (data.get("intervals") or {}).items():
        for side, value in zip(("low", "high"), bounds or (), strict=False):
            if _finite(value):
                flat[f"{name}_ci_{side}"] = value
    if isinstance(data.get("n"), int):
        flat["n"] = data["n"]
    flat["status"] = data["status"]
    return flat


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@pytest.fixture
def mltrl_evidence(request: pytest.FixtureRequest) -> Evidence:
    """Declare the data a test read and attach metrics / check results to its mltrl evidence."""
    outcome = request.node.stash.get(_OUTCOME, None)  # set only when the run records
    recorder = request.config.pluginmanager.get_plugin("mltrl-recorder")
    marked: dict[str, Any] = {}
    for mark in reversed(list(request.node.iter_markers("mltrl"))):  # farthest first, nearest wins
        marked.update(mark.kwargs)
    registry = None if recorder is None else recorder.session.registry
    return Evidence(outcome, request.config.rootpath, registry, marked)
