"""Identities for the team server: users, API tokens, roles per project.

Revision ID: 0010_identities
Revises: 0009_checks_storage
Create Date: 2026-11-27
"""

from __future__ import annotations

revision = "0010_identities"
down_revision = "0009_checks_storage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Reserved in the chain so that work landing in parallel keeps one linear history; filled in by
    # the change that needs it.
    pass


def downgrade() -> None:
    pass
