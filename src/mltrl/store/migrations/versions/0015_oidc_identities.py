"""Reserved for OIDC logins (issue 13): the identity provider's subject each user logs in as.

Revision ID: 0015_oidc_identities
Revises: 0014_traits_demographics
Create Date: 2026-11-27
"""

from __future__ import annotations

revision = "0015_oidc_identities"
down_revision = "0014_traits_demographics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
