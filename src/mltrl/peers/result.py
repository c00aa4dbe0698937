"""What another tool's test output said, read into one shape before it becomes evidence.

mltrl keeps the peer's own verdict: a Deepchecks suite passes when Deepchecks says it passes, a
JUnit file when no test failed or erred. Nothing here re-judges the peer's numbers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

#: How each item (a test, a check, an expectation) ended, in the peer's own terms mapped onto these.
#: ``info``: it ran and states no verdict (a Deepchecks check without conditions).
ITEM_STATUSES = ("pass", "fail", "warn", "error", "skipped", "not-run", "info")


@dataclass(frozen=True)
class PeerItem:
    name: str
    status: str
    message: str = ""

    def __post_init__(self) -> None:
        if self.status not in ITEM_STATUSES:
            raise ValueError(f"peer item status {self.status!r} is not one of {', '.join(ITEM_STATUSES)}")
        object.__setattr__(self, "message", " ".join(self.message.split())[:300])


@dataclass(frozen=True)
class PeerResult:
    """One file of a peer tool's results.

    - ``tool`` and ``format``: e.g. ``deepchecks`` / ``deepchecks-suite``; ``version`` when the file says.
    - ``title``: the suite's, report's or test run's name.
    - ``passed``: the peer's own verdict.
    - ``kind``: the evidence kind it is recorded as (``test-run``, ``data-check``, ``report``).
    - ``items``: each test/check/expectation with its status.
    - ``metrics``: numbers the peer reported for the whole file (e.g. success percent).
    """

    tool: str
    format: str
    title: str
    passed: bool
    kind: str
    items: tuple[PeerItem, ...]
    version: str = ""
    metrics: dict[str, float | int | str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        counted = Counter(item.status for item in self.items)
        return {status: counted[status] for status in ITEM_STATUSES if counted[status]}

    def evidence_metrics(self) -> dict[str, float | int | str]:
        """The peer's verdict and counts as evidence metrics (``peer_items``, ``peer_fail`` ...)."""
        out: dict[str, float | int | str] = {
            "peer_tool": self.tool,
            "peer_format": self.format,
            "peer_passed": self.passed,
            "peer_items": len(self.items),
        }
        if self.version:
            out["peer_version"] = self.version
        out.update({f"peer_{status.replace('-', '_')}": n for status, n in self.counts().items()})
        out.update(self.metrics)
        return out

    def note(self, path: str) -> str:
        """One line: what the file is, the peer's verdict, and the items that did not pass."""
        verdict = "passed" if self.passed else "did not pass"
        counts = ", ".join(f"{n} {status}" for status, n in self.counts().items()) or "no items"
        bad = [f"{i.name} ({i.status})" for i in self.items if i.status in ("fail", "error", "warn")]
        shown = "; not passing: " + ", ".join(bad[:8]) + (f" and {len(bad) - 8} more" if len(bad) > 8 else "")
        return f"imported {self.tool} {self.format} {path!s}: {self.title!r} {verdict} ({counts})" + (
            shown if bad else ""
        )
