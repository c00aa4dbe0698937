"""Card revisions stored by what changed, not whole.

Revision ID: 0011_card_storage
Revises: 0010_identities
Create Date: 2026-11-27
"""

from __future__ import annotations

revision = "0011_card_storage"
down_revision = "0010_identities"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Reserved in the chain so that work landing in parallel keeps one linear history; filled in by
    # the change that needs it.
    pass


def downgrade() -> None:
    pass
