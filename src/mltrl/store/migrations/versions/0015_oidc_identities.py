"""OIDC logins (issue 13): which identity at which provider each user logs in as.

A row ties a user to one identity provider (``issuer``). It is either linked (``subject`` set: the
provider's stable id for the person, the only thing a later login is matched on) or waiting for its
first login (``subject`` NULL, ``expected`` the claim value an admin named with
`mltrl user link-oidc --claim`). One identity per user and provider, and one user per identity, so
a renamed e-mail address at the provider can never log in as someone else.

Revision ID: 0015_oidc_identities
Revises: 0014_traits_demographics
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_oidc_identities"
down_revision = "0014_traits_demographics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oidc_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("expected", sa.String(length=320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_oidc_identities_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_identities")),
        sa.UniqueConstraint("issuer", "subject", name="uq_oidc_identities_issuer_subject"),
        sa.UniqueConstraint("user_id", "issuer", name="uq_oidc_identities_user_issuer"),
    )


def downgrade() -> None:
    op.drop_table("oidc_identities")
