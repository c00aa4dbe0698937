"""Storage for the checks library: golden-set scores over the succession of models, codified relations.

``golden_scores`` holds each model version's score on a golden data set version (metric with its
CI, n, verdict, the per-row outputs a later candidate is paired with, and the evidence it was
recorded as); ``relations`` the component's codified metamorphic relations; ``relation_results``
each relation's outcome per run.

Revision ID: 0009_checks_storage
Revises: 0008_rules_targets
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_checks_storage"
down_revision = "0008_rules_targets"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def _fk(table: str, column: str, other: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{other}.id"], name=op.f(f"fk_{table}_{column}_{other}"))


def upgrade() -> None:
    op.create_table(
        "golden_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(length=100), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("dataset_version", sa.String(length=100), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("ci_low", sa.Float(), nullable=True),
        sa.Column("ci_high", sa.Float(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("champion_version", sa.String(length=100), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("labels_sha256", sa.String(length=64), nullable=False),
        sa.Column("outputs", sa.LargeBinary(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", _TS, nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        _fk("golden_scores", "project_id", "projects"),
        _fk("golden_scores", "component_id", "components"),
        _fk("golden_scores", "dataset_id", "datasets"),
        _fk("golden_scores", "evidence_id", "evidence"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_golden_scores")),
    )
    op.create_index(
        "ix_golden_scores_component", "golden_scores", ["component_id", "dataset_id", "dataset_version"]
    )
    op.create_table(
        "relations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("perturbation", sa.String(length=64), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=True),
        sa.Column("tolerance", sa.Float(), nullable=False),
        sa.Column("atol", sa.Float(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        _fk("relations", "project_id", "projects"),
        _fk("relations", "component_id", "components"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relations")),
        sa.UniqueConstraint("component_id", "name", name="uq_relations_component_name"),
    )
    op.create_table(
        "relation_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=100), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("failure_rate", sa.Float(), nullable=True),
        sa.Column("ci_low", sa.Float(), nullable=True),
        sa.Column("ci_high", sa.Float(), nullable=True),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", _TS, nullable=False),
        _fk("relation_results", "component_id", "components"),
        _fk("relation_results", "evidence_id", "evidence"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relation_results")),
    )
    op.create_index("ix_relation_results_component", "relation_results", ["component_id", "relation"])


def downgrade() -> None:
    op.drop_index("ix_relation_results_component", table_name="relation_results")
    op.drop_table("relation_results")
    op.drop_table("relations")
    op.drop_index("ix_golden_scores_component", table_name="golden_scores")
    op.drop_table("golden_scores")
