"""Couplings that cross a project's boundary: the components of other projects its system depends on."""

from __future__ import annotations

from dataclasses import dataclass

from mltrl.store.reader import Reader


@dataclass(frozen=True)
class ExternalCoupling:
    local_code: str  # the project's own component
    other_ref: str  # KEY/CODE of the coupled component in another project
    other_name: str
    other_level: int
    other_status: str


def external_couplings(r: Reader, project_key: str) -> list[ExternalCoupling]:
    """Every coupling of the project's components to a component of another project (either side)."""
    rows = r.all(
        """
        SELECT mine.code AS local_code, op.key || '/' || other.code AS other_ref, other.name AS other_name,
               other.level AS other_level, other.status AS other_status
        FROM couplings k
        JOIN components mine ON mine.id IN (k.component_id, k.other_id)
        JOIN projects mp ON mp.id = mine.project_id
        JOIN components other ON other.id = CASE WHEN k.component_id = mine.id THEN k.other_id
                                                 ELSE k.component_id END
        JOIN projects op ON op.id = other.project_id
        WHERE mp.key = :key AND op.id <> mp.id
        ORDER BY mine.code, other_ref
        """,
        key=project_key,
    )
    return [ExternalCoupling(**row) for row in rows]
