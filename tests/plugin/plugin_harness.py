"""Helpers the plugin's tests share (the fixture that seeds the registry is in conftest.py)."""

from __future__ import annotations

from mltrl.service.registry import Registry
from mltrl.store import evidence_queries
from mltrl.store.records import EvidenceRecord

REF = "recycling/1.1"


def evidence(reg: Registry, ref: str = REF) -> list[EvidenceRecord]:
    return reg.evidence.list(ref)


def blob(reg: Registry, sha256: str) -> bytes | None:
    """An evidence attachment's content."""
    return reg._read(lambda r: evidence_queries.blob(r, sha256))
