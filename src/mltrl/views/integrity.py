"""Is the record untouched? The event chain, and the signatures and decisions against their events.

Run by ``mltrl doctor`` and ``mltrl audit verify``. The chain is walked in id order: the first
event whose ``prev_hash`` is not the hash of the event before it (one was deleted or its hash
rewritten), or whose content no longer hashes to its ``hash`` (it was edited), is the first broken
link, and only that one is reported (everything after it hangs on it). The head in ``event_chain``
catches deleted last events. Signature and decision rows live outside the log; each must agree with
the event that recorded it, and each recorded signature must still be there.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from mltrl.store.chain import GENESIS, HASHED, event_hash
from mltrl.store.reader import Reader, as_utc
from mltrl.views.attestation import digest

REGISTRY = "(registry)"


@dataclass
class Integrity:
    events_checked: int = 0
    signatures_checked: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)

    def add(self, where: str, text: str) -> None:
        self.problems.append({"component": where, "problem": text})


def check(r: Reader) -> Integrity:
    report = Integrity()
    check_chain(r, report)
    check_signatures(r, report)
    check_decisions(r, report)
    return report


def check_chain(r: Reader, report: Integrity) -> None:
    columns = ", ".join(f"e.{name}" for name in HASHED)
    sql = (
        f"SELECT e.id, p.key AS project_key, {columns}, e.prev_hash, e.hash FROM events e "
        "LEFT JOIN projects p ON p.id = e.project_id ORDER BY e.id"
    )
    names = ["id", "project_key", *HASHED, "prev_hash", "hash"]
    prev, prev_id, count = GENESIS, None, 0
    for values in r.tuples(sql):
        row = dict(zip(names, values, strict=True))
        count += 1
        report.events_checked = count
        where = row["project_key"] or REGISTRY
        what = f"event {row['id']} ({row['kind']}, by {row['actor']})"
        if row["hash"] is None:
            report.add(where, f"{what} has no hash: it was added outside mltrl; the chain breaks there")
            return
        if row["prev_hash"] != prev:
            before = "the start of the log" if prev_id is None else f"event {prev_id}"
            gap = (
                ""
                if prev_id is None or row["id"] == prev_id + 1
                else f" (ids {prev_id + 1}..{row['id'] - 1} are missing)"
            )
            report.add(
                where,
                f"{what} does not follow {before}: its prev_hash is not that event's hash; an event "
                f"between them was deleted or a hash rewritten{gap}",
            )
            return
        if event_hash(row, prev) != row["hash"]:
            report.add(
                where,
                f"{what} was changed after it was written: its content (kind, levels, reason, actor, "
                "time, data, project or component) no longer hashes to its hash",
            )
            return
        prev, prev_id = row["hash"], row["id"]
    report.events_checked = count
    head = r.one("SELECT last_hash, length FROM event_chain WHERE id = 1")
    if head is None:
        report.add(REGISTRY, "the event chain's head (table event_chain) is missing")
    elif head["length"] != count or head["last_hash"] != prev:
        report.add(
            REGISTRY,
            f"the chain's head records {head['length']} events, the log holds {count}"
            + (f" ending at event {prev_id}" if prev_id is not None else "")
            + ": the last event(s) were deleted, or the head edited",
        )


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def check_signatures(r: Reader, report: Integrity) -> None:
    """Each signature row agrees with the latest ``review.sign`` event for it; none was deleted."""
    logged: dict[tuple[int, str], dict[str, Any]] = {}
    for row in r.all(
        "SELECT e.id, e.reason, e.at, e.data, p.key AS project_key FROM events e "
        "LEFT JOIN projects p ON p.id = e.project_id WHERE e.kind = 'review.sign' ORDER BY e.id"
    ):
        data = _json(row["data"]) or {}
        logged[(data.get("review"), data.get("person"))] = {**row, "data": data}
    rows = r.all(
        "SELECT s.review_id, s.person, s.verdict, s.tasks, s.note, s.signed_at, s.seen, s.digest, "
        "s.ssh_signature, p.key AS project_key FROM review_signatures s JOIN reviews v ON v.id = s.review_id "
        "JOIN projects p ON p.id = v.project_id ORDER BY s.id"
    )
    present = set()
    for row in rows:
        report.signatures_checked += 1
        key = (row["review_id"], row["person"])
        present.add(key)
        where = row["project_key"]
        what = f"review {row['review_id']}: the signature of {row['person']}"
        event = logged.get(key)
        if event is None:
            report.add(where, f"{what} has no review.sign event: it was added outside mltrl")
            continue
        data = event["data"]
        differs = [
            name
            for name, stored, signed in (
                ("verdict", row["verdict"], data.get("verdict")),
                ("tasks", _json(row["tasks"]) or [], data.get("tasks") or []),
                ("note", row["note"], event["reason"]),
                ("time", as_utc(row["signed_at"]), as_utc(event["at"])),
                ("digest", row["digest"], data.get("digest", row["digest"])),
                (
                    "SSH signature",
                    None
                    if row["ssh_signature"] is None
                    else hashlib.sha256(row["ssh_signature"].encode()).hexdigest(),
                    data.get("ssh_signature"),
                ),
            )
            if stored != signed
        ]
        seen = _json(row["seen"])
        if row["digest"] is not None and (seen is None or digest(seen) != row["digest"]):
            differs.append("what was signed (seen)")
        if differs:
            report.add(
                where, f"{what} differs from event {event['id']} that recorded it: {', '.join(differs)}"
            )
    for key, event in logged.items():
        if key not in present:
            report.add(
                event["project_key"] or REGISTRY,
                f"review {key[0]}: the signature of {key[1]} recorded by event {event['id']} was deleted",
            )


def check_decisions(r: Reader, report: Integrity) -> None:
    """Each decided review agrees with its ``review.decide`` event; each such event's review is decided."""
    logged: dict[int, dict[str, Any]] = {}
    for row in r.all("SELECT id, actor, reason, data FROM events WHERE kind = 'review.decide' ORDER BY id"):
        data = _json(row["data"]) or {}
        logged[data.get("review")] = {**row, "data": data}
    for row in r.all(
        "SELECT v.id, v.status, v.decision, v.to_level, v.decision_reason, v.decided_by, "
        "p.key AS project_key FROM reviews v JOIN projects p ON p.id = v.project_id ORDER BY v.id"
    ):
        event = logged.get(row["id"])
        what = f"review {row['id']}"
        if row["status"] != "decided":
            if event is not None:
                report.add(
                    row["project_key"], f"{what} is {row['status']} but event {event['id']} decided it"
                )
            continue
        if event is None:
            report.add(row["project_key"], f"{what} is decided but no review.decide event records it")
            continue
        data = event["data"]
        differs = [
            name
            for name, stored, logged_value in (
                ("decision", row["decision"], data.get("decision")),
                ("to_level", row["to_level"], data.get("to_level")),
                ("reason", row["decision_reason"], event["reason"]),
                ("decided_by", row["decided_by"], event["actor"]),
            )
            if stored != logged_value
        ]
        if differs:
            report.add(
                row["project_key"],
                f"{what} differs from event {event['id']} that decided it: {', '.join(differs)}",
            )
