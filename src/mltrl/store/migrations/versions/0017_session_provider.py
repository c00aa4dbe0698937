"""Which identity provider opened a browser session, and the ID token it sent, for logging out there.

``web_sessions.issuer``: the OIDC issuer of a session opened through the provider (NULL: a password
login). ``web_sessions.id_token``: the ID token of that login, sent back to the provider as
``id_token_hint`` when the person logs out (OpenID Connect RP-Initiated Logout); some providers
refuse to end their own session without it. Nullable: sessions opened before stay password-like.

Revision ID: 0017_session_provider
Revises: 0016_card_members
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_session_provider"
down_revision = "0016_card_members"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_sessions") as batch:
        batch.add_column(sa.Column("issuer", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("id_token", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("id_token")
        batch.drop_column("issuer")
