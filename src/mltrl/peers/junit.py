"""JUnit XML, as pytest (``--junitxml``), Maven Surefire, Jest and most test runners write it.

Read with junitparser; expat (2.4.1 and later, which Python bundles) refuses entity-expansion bombs.
A test passes when it neither failed nor erred; skipped tests are counted and do not fail the run,
as in every JUnit consumer. A run with no test at all does not pass: it proves nothing.
"""

from __future__ import annotations

from pathlib import Path

from mltrl.errors import BadInput
from mltrl.peers.result import PeerItem, PeerResult


def read(path: Path) -> PeerResult:
    from junitparser import JUnitXml, TestSuite
    from junitparser.junitparser import JUnitXmlError

    try:
        xml = JUnitXml.fromfile(str(path))
    except (JUnitXmlError, SyntaxError, ValueError) as exc:  # ParseError is a SyntaxError
        raise BadInput(f"{path}: not a JUnit XML file: {' '.join(str(exc).split())}") from None
    suites = [xml] if isinstance(xml, TestSuite) else list(xml)
    items: list[PeerItem] = []
    for suite in suites:
        for case in suite:
            name = f"{case.classname}::{case.name}" if case.classname else str(case.name)
            if case.is_skipped:
                items.append(PeerItem(name, "skipped", _message(case)))
            elif case.is_error:
                items.append(PeerItem(name, "error", _message(case)))
            elif case.is_failure:
                items.append(PeerItem(name, "fail", _message(case)))
            else:
                items.append(PeerItem(name, "pass"))
    ran = [i for i in items if i.status != "skipped"]
    passed = bool(ran) and all(i.status == "pass" for i in ran)
    title = suites[0].name if len(suites) == 1 and suites[0].name else f"{len(suites)} test suite(s)"
    seconds = sum(float(s.time or 0) for s in suites)
    return PeerResult(
        "junit", "junit-xml", str(title), passed, "test-run", tuple(items), metrics={"seconds": seconds}
    )


def _message(case: object) -> str:
    for result in getattr(case, "result", []) or []:
        text = result.message or result.text or ""
        if text:
            return str(text).splitlines()[0]
    return ""
