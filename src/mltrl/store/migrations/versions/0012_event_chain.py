"""The events form a hash chain; approvals store the digest of what was signed.

Revision ID: 0012_event_chain
Revises: 0011_card_storage
Create Date: 2026-11-27
"""

from __future__ import annotations

revision = "0012_event_chain"
down_revision = "0011_card_storage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
