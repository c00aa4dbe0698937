"""``reg.requirements``: ``/projects/{key}/requirements``, their V&V steps, the risk table."""

from __future__ import annotations

from datetime import datetime

from mltrl.errors import NotFound
from mltrl.service import lookup, requirements
from mltrl.service.inputs import now
from mltrl.service.resources._base import Resource
from mltrl.store import evidence_queries, requirement_queries
from mltrl.store.records import RequirementRecord
from mltrl.views.requirements_doc import requirements_markdown
from mltrl.views.risk import RiskReport, risk_report


class Requirements(Resource):
    """Requirements with V&V steps and risk; ``risk`` ranks them, ``document`` exports them."""

    def add(
        self,
        project: str,
        code: str,
        statement: str,
        *,
        kind: str,
        p_failure: float,
        value: int,
        category: str,
        rationale: str = "",
        stakeholder: str = "",
        components: list[str] | None = None,
        scenarios: list[str] | None = None,
        slices: list[str] | None = None,
        at: datetime | str | None = None,
    ) -> RequirementRecord:
        """A research or product requirement, ``risk = p_failure x value`` (``POST .../requirements``)."""
        return self._write(
            requirements.add,
            project,
            code,
            statement,
            kind=kind,
            p_failure=p_failure,
            value=value,
            category=category,
            rationale=rationale,
            stakeholder=stakeholder,
            components=components,
            scenarios=scenarios,
            slices=slices,
            at=at,
        )

    def link(self, project: str, code: str, ref: str) -> None:
        """The requirement covers component ``ref`` (``POST .../requirements/{code}/components``)."""
        self._write(requirements.link, project, code, ref)

    def add_step(
        self, project: str, code: str, kind: str, description: str, *, method: str, status: str = "planned"
    ) -> int:
        """A ``verification`` or ``validation`` step (``POST .../requirements/{code}/steps``); returns
        its number within the requirement."""
        return self._write(
            requirements.add_step, project, code, kind, description, method=method, status=status
        )

    def set_step(self, project: str, code: str, step: int, status: str, *, reason: str = "") -> None:
        """planned | passed | failed | waived (waived needs a reason); ``PATCH .../steps/{step}``."""
        self._write(requirements.set_step, project, code, step, status, reason=reason)

    def get(self, project: str, code: str) -> RequirementRecord:
        """One requirement with its V&V steps (``GET /projects/{key}/requirements/{code}``)."""
        found = [q for q in self.list(project) if q.code == code]
        if not found:
            raise NotFound(f"no requirement {code!r} in project {project!r}")
        return found[0]

    def risk(self, project: str) -> RiskReport:
        """The risk table: requirements ranked, critical scenarios and slices (``GET .../risk``)."""

        def view(r):  # type: ignore[no-untyped-def]
            key = lookup.project(r, project).key
            evidence = evidence_queries.evidence(r, project_key=key)
            return risk_report(key, requirement_queries.requirements(r, key), evidence)

        return self._read(view)

    def document(self, project: str) -> str:
        """The requirements as Markdown (``GET /projects/{key}/requirements-document``)."""

        def view(r):  # type: ignore[no-untyped-def]
            record = lookup.project(r, project)
            return requirements_markdown(record, requirement_queries.requirements(r, record.key), now())

        return self._read(view)

    def list(self, project: str) -> list[RequirementRecord]:
        """The project's requirements with their steps and risk (``GET /projects/{key}/requirements``)."""
        return self._read(lambda r: requirement_queries.requirements(r, lookup.project(r, project).key))
