"""How each component came to its level: where it entered, and which levels are imported history.

A level means something different when a panel passed its gate here, when a component entered at it
with an entry review or a reason, and when it is history imported from before the registry; status,
the card and the report say which, in words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mltrl.store.reader import Reader

_KINDS = ("initiate", "fork", "propose", "enter", "import")


@dataclass(frozen=True)
class Provenance:
    start_kind: str  # initiate | fork | propose
    start_level: int
    start_reason: str
    entry_review: int | None = None  # the review that admitted a component proposed high
    imported_up_to: int | None = None  # the highest level reached by imported history

    @property
    def describe(self) -> str:
        if self.start_kind == "fork":
            text = f"forked at level {self.start_level}"
        elif self.start_kind == "propose" and self.entry_review is None:
            text = f"asks to enter at level {self.start_level}; its entry review has not passed"
        elif self.start_kind == "propose":
            text = f"entered at level {self.start_level} through entry review {self.entry_review}"
        elif self.start_level == 0:
            text = "started at level 0"
        else:
            why = f" ({self.start_reason})" if self.start_reason else ""
            text = f"entered at level {self.start_level} with a reason, no entry review{why}"
        if self.imported_up_to is not None:
            text += f"; levels up to {self.imported_up_to} are imported history, not reviewed here"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start_kind,
            "start_level": self.start_level,
            "entry_review": self.entry_review,
            "imported_up_to": self.imported_up_to,
            "describe": self.describe,
        }


def provenance(r: Reader, project_key: str, component_ids: list[int] | None = None) -> dict[int, Provenance]:
    """component id -> how it came to its level, for every component of the project (or those)."""
    marks = ", ".join(f"'{kind}'" for kind in _KINDS)
    only, ids = "", {}
    if component_ids is not None:  # a component's card: its own log, not the project's
        among, ids = r.in_ids("e.component_id", component_ids)
        only = f" AND {among}"
    rows = r.all(
        f"""SELECT e.component_id, e.kind, e.to_level, e.reason, e.data FROM events e
            JOIN projects p ON p.id = e.project_id
            WHERE p.key = :key AND e.seq IS NOT NULL AND e.kind IN ({marks}){only}
            ORDER BY e.component_id, e.seq""",
        key=project_key,
        **ids,
    )
    found: dict[int, Provenance] = {}
    for row in rows:
        cid, kind = row["component_id"], row["kind"]
        if kind in ("initiate", "fork", "propose"):
            found[cid] = Provenance(kind, row["to_level"], row["reason"] or "")
            continue
        known = found.get(cid)
        if known is None:
            continue
        if kind == "enter":
            found[cid] = _with(known, entry_review=_review_of(row["data"]))
        else:
            found[cid] = _with(known, imported_up_to=max(row["to_level"], known.imported_up_to or 0))
    return found


def _with(p: Provenance, **changes: Any) -> Provenance:
    return Provenance(**{**p.__dict__, **changes})


def _review_of(data: Any) -> int | None:
    if isinstance(data, str):
        data = json.loads(data)
    source = str((data or {}).get("approval", ""))
    return int(source.split(":", 1)[1]) if source.startswith("review:") else None
