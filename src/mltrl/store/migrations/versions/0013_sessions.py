"""Server-side browser sessions (filled in by the change that builds them).

Revision ID: 0013_sessions
Revises: 0012_event_chain
Create Date: 2026-11-27
"""

from __future__ import annotations

revision = "0013_sessions"
down_revision = "0012_event_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
