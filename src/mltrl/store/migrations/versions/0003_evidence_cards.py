"""Evidence (results of checks, on exact component versions) with content-addressed attachments; TRL Card
hand-written sections and frozen revisions.

Revision ID: 0003_evidence_cards
Revises: 0002_reviews
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_evidence_cards"
down_revision = "0002_reviews"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_blobs")),
    )
    op.create_table(
        "card_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_card_revisions_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_revisions")),
        sa.UniqueConstraint("project_id", "scope", "number", name="uq_card_revisions_number"),
    )
    op.create_table(
        "card_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("section", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_card_sections_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_sections")),
        sa.UniqueConstraint("project_id", "scope", "section", name="uq_card_sections_section"),
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("criterion_id", sa.String(length=80), nullable=True),
        sa.Column("requirement_id", sa.Integer(), nullable=True),
        sa.Column("step_number", sa.Integer(), nullable=True),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["component_id"], ["components.id"], name=op.f("fk_evidence_component_id_components")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_evidence_project_id_projects")
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"], ["requirements.id"], name=op.f("fk_evidence_requirement_id_requirements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_component", ["component_id"], unique=False)

    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_evidence_files_evidence_id_evidence")
        ),
        sa.ForeignKeyConstraint(["sha256"], ["blobs.sha256"], name=op.f("fk_evidence_files_sha256_blobs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
    )


def downgrade() -> None:
    op.drop_table("evidence_files")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_component")

    op.drop_table("evidence")
    op.drop_table("card_sections")
    op.drop_table("card_revisions")
    op.drop_table("blobs")
