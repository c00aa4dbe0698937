"""Storage for the checks library: golden-set scores over the succession of models, codified relations.

Revision ID: 0009_checks_storage
Revises: 0008_rules_targets
Create Date: 2026-11-27
"""

from __future__ import annotations

revision = "0009_checks_storage"
down_revision = "0008_rules_targets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Reserved in the chain so that work landing in parallel keeps one linear history; filled in by
    # the change that needs it.
    pass


def downgrade() -> None:
    pass
