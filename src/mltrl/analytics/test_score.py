"""The ML Test Score of a component, computed from its registry record, not typed in.

Each of the rubric's 28 items (``mltrl.catalog.rubric``) looks at what can feed it and takes the best:

- **automated, 1 point**: passing evidence on the component's current versions that a machine
  recorded (the pytest plugin, CI, or a ``mltrl.checks`` result recorded through the API), or a
  live monitoring fact (serving windows profiled against a reference; delayed actuals joined);
- **by hand, 0.5**: passing, current evidence a person typed in (``mltrl evidence add``, an API call
  that is no check result) or a review's ``met`` on an attestation criterion;
- **0**: nothing, the latest evidence failed, or it is stale (computed on versions that are no longer
  current; shown as stale, with what it would have scored).

A section is the sum of its items (0-7), the score the lowest section, read through the rubric's bands.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from mltrl.store import evidence_queries
from mltrl.store.reader import Reader, as_utc
from mltrl.store.records import ComponentRecord, EvidenceRecord

if TYPE_CHECKING:
    from mltrl.catalog.rubric import Rubric, RubricItem

AUTOMATED, BY_HAND = 1.0, 0.5
#: A monitor is live when it was fed within this many days.
LIVE_DAYS = 30
#: Evidence sources a machine writes; ``pytest`` only with the plugin's provenance file, ``api`` only
#: for a check's result.
MACHINE_SOURCES = ("pytest", "ci")
CHECK_STATUSES = ("pass", "fail", "insufficient")
PROVENANCE_FILE = "pytest-provenance.json"
#: ``mltrl.checks.record`` writes the note as ``<check>: <status>: <reason>``.
_CHECK_NOTE = re.compile(r"^([\w.-]+): (pass|fail|insufficient)(?::|$)")


@dataclass(frozen=True)
class Feed:
    """One thing that can feed an item, and what it gave: ``kind`` criterion | check | monitor | rubric."""

    kind: str
    name: str
    status: str  # automated | by-hand | stale | failing | none
    points: float
    detail: str
    if_fresh: float = 0.0  # what stale evidence would score on the current versions

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ItemScore:
    id: str
    section: str
    title: str
    points: float
    status: str  # automated | by-hand | stale | failing | none
    via: str  # the feed that decided, in words
    feeds: tuple[Feed, ...]

    @property
    def if_fresh(self) -> float:
        return max([self.points, *(f.if_fresh for f in self.feeds)])

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "section": self.section,
            "title": self.title,
            "points": self.points,
            "status": self.status,
            "via": self.via,
            "feeds": [f.to_json() for f in self.feeds],
        }


@dataclass(frozen=True)
class SectionScore:
    id: str
    title: str
    points: float
    automated: int
    by_hand: int

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class TestScore:
    """A component's ML Test Score: items, section sums, the minimum and its band."""

    __test__ = False  # not a pytest test class, whatever its name

    ref: str
    items: list[ItemScore] = field(default_factory=list)
    sections: list[SectionScore] = field(default_factory=list)
    band: str = ""

    @property
    def score(self) -> float:
        return min(s.points for s in self.sections)

    @property
    def weakest(self) -> SectionScore:
        """The lowest section (the first of equals, in the rubric's order)."""
        return min(self.sections, key=lambda s: s.points)

    @property
    def score_if_fresh(self) -> float:
        """The score if the stale evidence were recomputed on the current versions and passed again."""
        sums = {s.id: 0.0 for s in self.sections}
        for item in self.items:
            sums[item.section] += item.if_fresh
        return min(sums.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "component": self.ref,
            "score": self.score,
            "band": self.band,
            "weakest": self.weakest.id,
            "sections": [s.to_json() for s in self.sections],
            "items": [i.to_json() for i in self.items],
        }


def compute(r: Reader, component: ComponentRecord, now: datetime, book: Rubric | None = None) -> TestScore:
    """``component``'s ML Test Score as of ``now`` (which decides whether a monitor is live)."""
    from mltrl.catalog.rubric import rubric  # pydantic and yaml load on first use, not at CLI start

    book = book or rubric()
    facts = _Facts(r, component, now)
    result = TestScore(ref=component.ref)
    for section in book.sections:
        items = [_item(facts, section.id, item) for item in section.items]
        result.items.extend(items)
        result.sections.append(
            SectionScore(
                id=section.id,
                title=section.title,
                points=sum(i.points for i in items),
                automated=sum(i.status == "automated" for i in items),
                by_hand=sum(i.status == "by-hand" for i in items),
            )
        )
    result.band = book.band(result.score)
    return result


_FEED_WORDS = {"criterion": "criterion", "check": "check", "monitor": "monitor", "rubric": "marked"}
_RANK = {"automated": 4, "by-hand": 3, "stale": 2, "failing": 1, "none": 0}


def _item(facts: _Facts, section: str, item: RubricItem) -> ItemScore:
    feeds = (
        *(facts.criterion(c) for c in item.criteria),
        *(facts.check(c) for c in item.checks),
        *(facts.monitor(m) for m in item.monitors),
        facts.rubric(item.id),
    )
    best = max(feeds, key=lambda f: (f.points, _RANK[f.status]))
    via = (
        f"{_FEED_WORDS[best.kind]} {best.name}: {best.detail}"
        if best.status != "none"
        else "nothing feeds it yet"
    )
    return ItemScore(item.id, section, item.title, best.points, best.status, via, feeds)


def _named(check: str, stage: object) -> set[str]:
    # A data validation run at ingestion shows the schema holds (D1); one after processing tests the
    # feature code's output (D7): the rubric can ask for a check at a stage as ``name@stage``.
    return {check, f"{check}@{stage}"} if isinstance(stage, str) and stage else {check}


class _Facts:
    """What the registry holds about one component, read once and looked up per feed."""

    def __init__(self, r: Reader, component: ComponentRecord, now: datetime) -> None:
        self.r, self.component, self.now = r, component, now
        self.evidence = evidence_queries.evidence(r, component_id=component.id)
        self._provenance: dict[int, dict[str, Any]] = {}

    # --- evidence ----------------------------------------------------------------------------

    def provenance(self, e: EvidenceRecord) -> dict[str, Any]:
        """The pytest plugin's provenance file of ``e`` (rubric ids, check results), if it has one."""
        if e.id not in self._provenance:
            found: dict[str, Any] = {}
            if e.source == "pytest":
                for f in e.files:
                    if f["name"] == PROVENANCE_FILE:
                        blob = evidence_queries.blob(self.r, f["sha256"])
                        try:
                            loaded = json.loads(blob or b"{}")
                        except ValueError:
                            loaded = {}
                        found = loaded if isinstance(loaded, dict) else {}
            self._provenance[e.id] = found
        return self._provenance[e.id]

    def checks_of(self, e: EvidenceRecord) -> set[str]:
        """The checks whose results ``e`` holds, by name and, with a stage label, ``name@stage``."""
        found: set[str] = set()
        results = self.provenance(e).get("results")
        if isinstance(results, list):
            for x in results:
                if isinstance(x, dict) and x.get("check"):
                    labels = x.get("labels") if isinstance(x.get("labels"), dict) else {}
                    found |= _named(str(x["check"]), labels.get("stage"))
            return found
        match = _CHECK_NOTE.match(e.note)
        if match and e.metrics.get("status") == match.group(2):
            found = _named(match.group(1), e.metrics.get("stage"))
        return found

    def rubric_of(self, e: EvidenceRecord) -> set[str]:
        marked = self.provenance(e).get("rubric")
        ids = set(marked) if isinstance(marked, list) else set()
        typed = e.metrics.get("rubric")
        if isinstance(typed, str):  # checked when recorded: D1,M6 (commas and/or spaces)
            ids |= {part for part in typed.replace(",", " ").split()}
        return {str(i) for i in ids}

    def is_automated(self, e: EvidenceRecord) -> bool:
        if e.source == "pytest":  # the plugin always attaches its provenance; a hand-typed claim has none
            return bool(self.provenance(e))
        if e.source in MACHINE_SOURCES:
            return True
        return e.source == "api" and e.metrics.get("status") in CHECK_STATUSES and bool(self.checks_of(e))

    def judge(self, kind: str, name: str, e: EvidenceRecord | None) -> Feed:
        if e is None:
            return Feed(kind, name, "none", 0.0, "no evidence")
        how = "automated" if self.is_automated(e) else "by-hand"
        worth = AUTOMATED if how == "automated" else BY_HAND
        said = f"evidence {e.id} ({e.source}, {e.recorded_at.date().isoformat()})"
        if e.outcome != "pass":
            return Feed(kind, name, "failing", 0.0, f"{said} failed")
        if not e.fresh:
            return Feed(kind, name, "stale", 0.0, f"{said} is stale", if_fresh=worth)
        return Feed(kind, name, how, worth, said)

    @staticmethod
    def latest(matching: list[EvidenceRecord]) -> EvidenceRecord | None:
        return matching[-1] if matching else None

    def criterion(self, criterion_id: str) -> Feed:
        e = self.latest([x for x in self.evidence if x.criterion_id == criterion_id])
        if e is None:
            attested = self.attested(criterion_id)
            if attested is not None:
                return Feed("criterion", criterion_id, "by-hand", BY_HAND, attested)
        return self.judge("criterion", criterion_id, e)

    def attested(self, criterion_id: str) -> str | None:
        """A review's ``met`` on ``criterion_id`` where the review asked for an attestation (a person's
        word, 0.5); a ``met`` on an evidence criterion backs nothing, as in the gate."""
        row = self.r.one(
            """SELECT rv.id, rv.template FROM review_results rr JOIN reviews rv ON rv.id = rr.review_id
               WHERE rv.component_id = :cid AND rr.criterion_id = :crit AND rr.result = 'met'
               ORDER BY rv.id DESC LIMIT 1""",
            cid=self.component.id,
            crit=criterion_id,
        )
        if row is None:
            return None
        template = row["template"]
        template = json.loads(template) if isinstance(template, (str, bytes)) else template
        kinds = {c.get("id"): c.get("kind") for c in template.get("criteria", []) if isinstance(c, dict)}
        return f"review {row['id']} attests it" if kinds.get(criterion_id) == "attestation" else None

    def check(self, name: str) -> Feed:
        return self.judge("check", name, self.latest([x for x in self.evidence if name in self.checks_of(x)]))

    def rubric(self, item_id: str) -> Feed:
        return self.judge(
            "rubric", item_id, self.latest([x for x in self.evidence if item_id in self.rubric_of(x)])
        )

    # --- monitoring --------------------------------------------------------------------------

    def monitor(self, fact: str) -> Feed:
        since = self.now - timedelta(days=LIVE_DAYS)
        if fact == "drift-monitor":
            return self._drift_monitor(since)
        return self._actuals(since)

    def _drift_monitor(self, since: datetime) -> Feed:
        rows = self.r.all(
            "SELECT role, updated_at FROM profiles WHERE component_id = :cid", cid=self.component.id
        )
        if not any(row["role"] == "reference" for row in rows):
            return Feed("monitor", "drift-monitor", "none", 0.0, "no reference profile")
        windows = [as_utc(row["updated_at"]) for row in rows if row["role"] == "window"]
        recent = [w for w in windows if w >= since]
        if not recent:
            return Feed(
                "monitor",
                "drift-monitor",
                "none",
                0.0,
                f"no serving window profiled in the last {LIVE_DAYS} days",
            )
        last = max(recent).date().isoformat()
        return Feed(
            "monitor",
            "drift-monitor",
            "automated",
            AUTOMATED,
            f"{len(recent)} window(s) profiled against the reference, last {last}",
        )

    def _actuals(self, since: datetime) -> Feed:
        rows = self.r.all(
            "SELECT n, updated_at FROM evaluations WHERE component_id = :cid AND n > 0",
            cid=self.component.id,
        )
        recent = [row for row in rows if as_utc(row["updated_at"]) >= since]
        if not recent:
            return Feed(
                "monitor",
                "actuals",
                "none",
                0.0,
                f"no actuals joined to predictions in the last {LIVE_DAYS} days",
            )
        joined = sum(int(row["n"]) for row in recent)
        return Feed(
            "monitor",
            "actuals",
            "automated",
            AUTOMATED,
            f"{joined} actual(s) joined in {len(recent)} window(s)",
        )
