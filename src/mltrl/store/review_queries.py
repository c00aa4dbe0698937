"""Reads of gated reviews: the review rows and everything recorded on them."""

from __future__ import annotations

import json
from typing import Any

from mltrl.domain.review import Result as CriterionResult
from mltrl.domain.review import ReviewState, Signature, Template, Verdict
from mltrl.store.reader import Reader, as_utc
from mltrl.store.records import ReviewRecord

_REVIEW = """
SELECT r.id, r.project_id, r.component_id, p.key AS project_key, c.code, r.level, r.status, r.template,
       r.opened_at, r.opened_by, r.decision, r.to_level, r.decision_reason, r.debrief, r.decided_at,
       r.decided_by
FROM reviews r JOIN components c ON c.id = r.component_id JOIN projects p ON p.id = r.project_id
"""


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _review(row: dict[str, Any]) -> ReviewRecord:
    row["template"] = _json(row["template"])
    row["opened_at"] = as_utc(row["opened_at"])
    row["decided_at"] = as_utc(row["decided_at"])
    return ReviewRecord.from_row(row)


def review(r: Reader, review_id: int) -> ReviewRecord | None:
    row = r.one(_REVIEW + " WHERE r.id = :id", id=review_id)
    return None if row is None else _review(row)


def reviews(
    r: Reader, *, project_key: str | None = None, component_id: int | None = None
) -> list[ReviewRecord]:
    where, params = [], {}
    if project_key is not None:
        where.append("p.key = :key")
        params["key"] = project_key
    if component_id is not None:
        where.append("r.component_id = :cid")
        params["cid"] = component_id
    sql = _REVIEW + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY r.id"
    return [_review(row) for row in r.all(sql, **params)]


def open_review(r: Reader, component_id: int) -> ReviewRecord | None:
    row = r.one(_REVIEW + " WHERE r.component_id = :cid AND r.status = 'open'", cid=component_id)
    return None if row is None else _review(row)


def state(
    r: Reader, record: ReviewRecord, owner: str | None, rows: dict[str, list[dict[str, Any]]] | None = None
) -> ReviewState:
    """Fold the review's rows into the value the review rules judge; ``rows``: its :func:`details`,
    when the caller has read them already."""
    rows = details(r, record.id) if rows is None else rows
    result = ReviewState(template=Template.from_json(record.template), owner=owner)
    # Each in recording order: where a row was recorded again, the later one stands.
    for row in rows["panel"]:
        result.panel[row["person"]] = row["role"]
    for row in rows["results"]:
        result.results[row["criterion_id"]] = (CriterionResult(row["result"]), row["note"])
    for row in rows["ethics"]:
        result.ethics[row["question_id"]] = row["answer"]
    for row in rows["signatures"]:
        result.signatures[row["person"]] = Signature(Verdict(row["verdict"]), tuple(row["tasks"] or ()))
    for row in rows["choices"]:
        result.choices[row["point_id"]] = (row["option_id"], row["on_date"])
    return result


def ethics_answered(r: Reader, component_id: int) -> dict[int, int]:
    """Review id -> how many ethics questions were answered on it, for every review of a component."""
    return ethics_answered_of(r, [component_id]).get(component_id, {})


def ethics_answered_of(r: Reader, component_ids: list[int]) -> dict[int, dict[int, int]]:
    """:func:`ethics_answered` of several components in one read (component id -> review id -> n)."""
    among, ids = r.in_ids("v.component_id", component_ids)
    out: dict[int, dict[int, int]] = {}
    for component_id, review_id, n in r.tuples(
        f"""SELECT v.component_id, e.review_id, COUNT(*) FROM review_ethics e
            JOIN reviews v ON v.id = e.review_id
            WHERE {among} GROUP BY v.component_id, e.review_id""",
        **ids,
    ):
        out.setdefault(component_id, {})[review_id] = n
    return out


def details(r: Reader, review_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row recorded on a review, with who and when, for ``review show`` and ``--json``."""
    tables = {
        "panel": "SELECT role, person, added_at AS at FROM review_panel",
        "results": "SELECT criterion_id, result, note, recorded_by AS actor, recorded_at AS at "
        "FROM review_results",
        "ethics": "SELECT question_id, answer, answered_by AS actor, answered_at AS at FROM review_ethics",
        "signatures": "SELECT person, verdict, tasks, note, signed_at AS at, digest, ssh_key, ssh_signature "
        "FROM review_signatures",
        "choices": "SELECT point_id, option_id, on_date, note, recorded_by AS actor, recorded_at AS at "
        "FROM review_choices",
    }
    out: dict[str, list[dict[str, Any]]] = {}
    for name, sql in tables.items():
        rows = r.all(sql + " WHERE review_id = :id ORDER BY id", id=review_id)
        for row in rows:
            row["at"] = as_utc(row["at"]).isoformat()
            if "tasks" in row:
                row["tasks"] = _json(row["tasks"])
        out[name] = rows
    return out
