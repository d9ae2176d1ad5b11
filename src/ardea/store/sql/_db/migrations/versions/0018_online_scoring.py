"""Online scoring: the durable work table (one row per sampled trace and scorer version),
and an index on the online configs' experiment (the ingest hook reads them by experiment).

Revision ID: 0018_online_scoring
Revises: 0017_gateway_usage
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from ardea.store.sql._db.collation import mysql_table_options

revision = "0018_online_scoring"
down_revision = "0017_gateway_usage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    options: dict[str, Any] = dict(mysql_table_options(op.get_bind().dialect))
    op.create_table(
        "online_scoring_work",
        sa.Column("trace_id", sa.String(length=64), nullable=False),
        sa.Column("scorer_id", sa.String(length=36), nullable=False),
        sa.Column("scorer_version", sa.Integer(), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("workspace", sa.String(length=63), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.Column("lease_until", sa.BigInteger(), nullable=True),
        sa.Column("not_before", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("enqueued_time", sa.BigInteger(), nullable=False),
        sa.Column("done_time", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["trace_id"],
            ["traces.trace_id"],
            name=op.f("fk_online_scoring_work_trace_id_traces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scorer_id"],
            ["scorers.scorer_id"],
            name=op.f("fk_online_scoring_work_scorer_id_scorers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "trace_id", "scorer_id", "scorer_version", name=op.f("pk_online_scoring_work")
        ),
        **options,
    )
    op.create_index(
        "ix_online_scoring_work_state_not_before", "online_scoring_work", ["state", "not_before"]
    )
    op.create_index("ix_online_scoring_work_scorer_id", "online_scoring_work", ["scorer_id"])
    op.create_index(
        "ix_online_scoring_configs_experiment_id", "online_scoring_configs", ["experiment_id"]
    )


def downgrade() -> None:
    # The table first: its indexes go with it (MySQL refuses to drop an index that one of the
    # table's foreign keys needs).
    op.drop_table("online_scoring_work")
    op.drop_index("ix_online_scoring_configs_experiment_id", table_name="online_scoring_configs")
