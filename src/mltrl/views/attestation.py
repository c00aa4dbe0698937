"""What an approver saw when they signed, as one canonical JSON and its SHA-256 (docs/trust.md).

A signature stores the snapshot and its digest. ``review show`` takes the snapshot again: when the
digest differs, the signature was "signed on different evidence", and :func:`changes` names what
moved (a new version, a new or withdrawn evidence id, a criterion's result, an ethics answer). A
graduation refuses on an approval that no longer matches: the approver signs again.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from mltrl.store import evidence_queries
from mltrl.store.reader import Reader
from mltrl.store.records import ReviewRecord

#: The namespace of SSH signatures over a review statement (``ssh-keygen -Y sign -n``).
NAMESPACE = "mltrl-review"


def snapshot(
    r: Reader, record: ReviewRecord, rows: dict[str, list[dict[str, Any]]] | None = None
) -> dict[str, Any]:
    """The component, its current versions, the criteria outcomes, the fresh evidence ids and the
    ethics answers of review ``record``, as they stand now; ``rows``: the review's
    :func:`~mltrl.store.review_queries.details`, when the caller has read them already."""
    rid = record.id
    results = (
        rows["results"]
        if rows is not None
        else r.all("SELECT criterion_id, result, note FROM review_results WHERE review_id = :id", id=rid)
    )
    answers = (
        rows["ethics"]
        if rows is not None
        else r.all("SELECT question_id, answer FROM review_ethics WHERE review_id = :id", id=rid)
    )
    # (One row per criterion and per question: the tables keep them unique.)
    criteria = {row["criterion_id"]: {"result": row["result"], "note": row["note"]} for row in results}
    ethics = {row["question_id"]: row["answer"] for row in answers}
    evidence = [e.id for e in evidence_queries.evidence(r, component_id=record.component_id) if e.fresh]
    return {
        "review": rid,
        "component": record.ref,
        "level": record.level,
        "versions": evidence_queries.current_versions(r, record.component_id),
        "criteria": criteria,
        "evidence": sorted(evidence),
        "ethics": ethics,
    }


def canonical(seen: dict[str, Any]) -> str:
    return json.dumps(seen, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(seen: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(seen).encode()).hexdigest()


def statement(review_id: int, person: str, verdict: str, seen_digest: str) -> str:
    """The text an SSH key signs: who signs which review, how, over which digest."""
    return (
        f"mltrl review signature v1\nreview: {review_id}\nperson: {person}\n"
        f"verdict: {verdict}\ndigest: {seen_digest}\n"
    )


def changes(before: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What differs between the snapshot signed and the one now, in words (empty: nothing)."""
    found: list[str] = []
    if before.get("component") != now.get("component") or before.get("level") != now.get("level"):
        found.append(
            f"component {before.get('component')} L{before.get('level')} is now "
            f"{now.get('component')} L{now.get('level')}"
        )
    old_v, new_v = before.get("versions", {}), now.get("versions", {})
    for kind in sorted(set(old_v) | set(new_v)):
        if old_v.get(kind) != new_v.get(kind):
            found.append(f"{kind} version {old_v.get(kind) or 'none'} -> {new_v.get(kind) or 'none'}")
    old_e, new_e = set(before.get("evidence", [])), set(now.get("evidence", []))
    if new_e - old_e:
        found.append("new evidence " + ", ".join(f"#{i}" for i in sorted(new_e - old_e)))
    if old_e - new_e:
        found.append("evidence no longer current " + ", ".join(f"#{i}" for i in sorted(old_e - new_e)))
    old_c, new_c = before.get("criteria", {}), now.get("criteria", {})
    for criterion in sorted(set(old_c) | set(new_c)):
        a, b = old_c.get(criterion), new_c.get(criterion)
        if a != b:
            was = a["result"] if a else "no result"
            found.append(
                f"criterion {criterion} {was} -> {b['result'] if b else 'no result'}"
                + (" (note changed)" if a and b and a["result"] == b["result"] else "")
            )
    old_q, new_q = before.get("ethics", {}), now.get("ethics", {})
    changed = sorted(q for q in set(old_q) | set(new_q) if old_q.get(q) != new_q.get(q))
    if changed:
        found.append("ethics answer(s) " + ", ".join(changed))
    return found


def signature_checks(
    r: Reader, record: ReviewRecord, details: dict[str, list[dict[str, Any]]] | None = None
) -> dict[str, dict[str, Any]]:
    """Per signer: whether their signature still matches what the review shows now.

    ``matches``: True, False (signed on different evidence; ``changes`` says what moved), or None
    for a signature made before digests were kept (nothing to compare). ``details``: the review's
    rows, when the caller has read them already."""
    rows = r.all(
        "SELECT person, verdict, seen, digest FROM review_signatures WHERE review_id = :id ORDER BY id",
        id=record.id,
    )
    if not rows:
        return {}
    now = snapshot(r, record, details)
    now_digest = digest(now)
    checks: dict[str, dict[str, Any]] = {}
    for row in rows:
        seen = json.loads(row["seen"]) if isinstance(row["seen"], str) else row["seen"]
        if row["digest"] is None or seen is None:
            checks[row["person"]] = {"matches": None, "changes": [], "verdict": row["verdict"]}
            continue
        same = row["digest"] == now_digest
        moved = [] if same else changes(seen, now) or ["the review's record changed"]
        checks[row["person"]] = {
            "matches": same,
            "changes": moved,
            "verdict": row["verdict"],
            "digest": row["digest"],
            # what was signed still hashes to the digest kept (a hand-edited snapshot does not)
            "intact": digest(seen) == row["digest"],
        }
    return checks


def stale_approvals(checks: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """(person, one-line reason) for each approval that no longer matches what the review shows."""
    return [
        (
            person,
            f"{person}'s approval was signed on different evidence ({'; '.join(c['changes'])}); "
            f"{person} signs again",
        )
        for person, c in checks.items()
        if c["verdict"] == "approve" and c["matches"] is False
    ]
