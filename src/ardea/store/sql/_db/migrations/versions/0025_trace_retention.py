"""Trace retention: a policy row per workspace (experiments keep theirs in tags), and the
index of archived traces.

Revision ID: 0025_trace_retention
Revises: 0023_alert_rules
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from ardea.store.sql._db.collation import mysql_table_options

revision = "0025_trace_retention"
down_revision = "0024_scale_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    options: dict[str, Any] = dict(mysql_table_options(op.get_bind().dialect))
    op.create_table(
        "trace_retention_policies",
        sa.Column("workspace", sa.String(length=63), nullable=False),
        sa.Column("max_age_days", sa.Integer(), nullable=True),
        sa.Column("max_traces", sa.BigInteger(), nullable=True),
        sa.Column("archive", sa.Boolean(), nullable=True),
        sa.Column("last_update_time", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace"],
            ["workspaces.name"],
            name=op.f("fk_trace_retention_policies_workspace_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace", name=op.f("pk_trace_retention_policies")),
        **options,
    )
    op.create_table(
        "archived_traces",
        sa.Column("trace_id", sa.String(length=64), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("request_time", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.experiment_id"],
            name=op.f("fk_archived_traces_experiment_id_experiments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("trace_id", name=op.f("pk_archived_traces")),
        **options,
    )
    op.create_index(
        op.f("ix_archived_traces_experiment_id_request_time"),
        "archived_traces",
        ["experiment_id", "request_time"],
    )


def downgrade() -> None:
    there = set(sa.inspect(op.get_bind()).get_table_names())
    if "archived_traces" in there:  # its index goes with it (MySQL: the FK needs it until then)
        op.drop_table("archived_traces")
    if "trace_retention_policies" in there:
        op.drop_table("trace_retention_policies")
