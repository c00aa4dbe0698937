"""What a gate looks at, read once: the component, its reviews, evidence, requirements and data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from mltrl.catalog import Catalog
from mltrl.store import dataset_queries, evidence_queries, queries, requirement_queries, review_queries
from mltrl.store.reader import Reader, as_utc
from mltrl.store.records import ComponentRecord, EvidenceRecord, RequirementRecord, ReviewRecord


@dataclass
class GateContext:
    reader: Reader
    catalog: Catalog
    component: ComponentRecord
    level: int

    @cached_property
    def review(self) -> ReviewRecord | None:
        """The review of this gate that speaks for it: the latest one at this level."""
        at_level = [
            r
            for r in review_queries.reviews(self.reader, component_id=self.component.id)
            if r.level == self.level
        ]
        return at_level[-1] if at_level else None

    @cached_property
    def review_rows(self) -> dict[str, list[dict]]:  # type: ignore[type-arg]
        if self.review is None:
            return {"results": [], "ethics": [], "panel": [], "signatures": [], "choices": []}
        return review_queries.details(self.reader, self.review.id)

    @cached_property
    def results(self) -> dict[str, tuple[str, str]]:
        return {row["criterion_id"]: (row["result"], row["note"]) for row in self.review_rows["results"]}

    @cached_property
    def imported_approval(self) -> str | None:
        """Who approved this gate, when it was passed as imported history: the latest passing of
        the gate decides (passed again later, reviewed here, the review speaks for it). One row
        read, not the component's whole log: a gate is judged at every move."""
        last = self.reader.one(
            """SELECT kind, approver FROM events WHERE component_id = :c AND from_level = :level
               AND kind IN ('import', 'graduate') ORDER BY seq DESC LIMIT 1""",
            c=self.component.id,
            level=self.level,
        )
        return last["approver"] if last is not None and last["kind"] == "import" else None

    @cached_property
    def project_traits(self) -> frozenset[str]:
        project = queries.project(self.reader, self.component.project_key)
        return frozenset(project.traits if project else ())

    @cached_property
    def evidence(self) -> list[EvidenceRecord]:
        return evidence_queries.evidence(self.reader, component_id=self.component.id)

    @cached_property
    def current_versions(self) -> dict[str, str]:
        return evidence_queries.current_versions(self.reader, self.component.id)

    def latest_evidence(self, criterion_id: str) -> EvidenceRecord | None:
        matching = [e for e in self.evidence if e.criterion_id == criterion_id]
        return matching[-1] if matching else None

    @cached_property
    def project_requirements(self) -> list[RequirementRecord]:
        return requirement_queries.requirements(self.reader, self.component.project_key)

    @cached_property
    def component_requirements(self) -> list[RequirementRecord]:
        return requirement_queries.for_component(self.reader, self.component.id)

    @cached_property
    def data_links(self):  # type: ignore[no-untyped-def]
        return dataset_queries.links_of_component(self.reader, self.component.id)

    @cached_property
    def parts(self) -> list[tuple[str, int, str]]:
        """(ref, level, status) of the component's parts (the components it is the composite of)."""
        rows = self.reader.all(
            """SELECT p.key || '/' || c.code AS ref, c.level, c.status FROM components c
               JOIN projects p ON p.id = c.project_id WHERE c.parent_id = :cid ORDER BY c.code""",
            cid=self.component.id,
        )
        return [(row["ref"], row["level"], row["status"]) for row in rows]

    @cached_property
    def card_section_rows(self) -> dict[str, dict]:  # type: ignore[type-arg]
        """Hand-written sections of the component's own card, over those of its project's card."""
        rows = self.reader.all(
            """SELECT s.scope, s.section, s.text, s.updated_at FROM card_sections s
               JOIN projects p ON p.id = s.project_id
               WHERE p.key = :key AND s.scope IN ('', :code) ORDER BY s.scope""",
            key=self.component.project_key,
            code=self.component.code,
        )
        return {row["section"]: row for row in rows}  # the component's scope sorts after ''

    @cached_property
    def reached_level_at(self) -> datetime:
        """When the component came to the level it stands at (its last move, or its start)."""
        at = self.reader.scalar(
            """SELECT MAX(at) FROM events WHERE component_id = :cid AND seq IS NOT NULL
               AND kind IN ('initiate', 'fork', 'enter', 'graduate', 'import', 'switchback')""",
            cid=self.component.id,
        )
        return as_utc(at) if at is not None else self.component.created_at

    @cached_property
    def card_sections(self) -> dict[str, str]:
        rows = self.reader.all(
            """SELECT s.section, s.text FROM card_sections s JOIN projects p ON p.id = s.project_id
               WHERE p.key = :key AND s.scope = ''""",
            key=self.component.project_key,
        )
        return {row["section"]: row["text"] for row in rows}
