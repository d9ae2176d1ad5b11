"""Human review: review queues (per experiment), their items, and the labels' assessments.

Revision ID: 0019_review_queues
Revises: 0018_online_scoring
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from ardea.store.sql._db.collation import mysql_table_options

revision = "0019_review_queues"
down_revision = "0018_online_scoring"
branch_labels = None
depends_on = None


def upgrade() -> None:
    options: dict[str, Any] = dict(mysql_table_options(op.get_bind().dialect))
    op.create_table(
        "review_queues",
        sa.Column("queue_id", sa.String(length=36), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("label_schemas", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("creation_time", sa.BigInteger(), nullable=False),
        sa.Column("last_update_time", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.experiment_id"],
            name=op.f("fk_review_queues_experiment_id_experiments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("queue_id", name=op.f("pk_review_queues")),
        sa.UniqueConstraint(
            "experiment_id", "name", name=op.f("uq_review_queues_experiment_id_name")
        ),
        **options,
    )
    op.create_table(
        "review_items",
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("queue_id", sa.String(length=36), nullable=False),
        sa.Column("trace_id", sa.String(length=64), nullable=True),
        sa.Column("session_id", sa.String(length=250), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("assignee", sa.String(length=255), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("reviewed_by", sa.String(length=255), nullable=True),
        sa.Column("creation_time", sa.BigInteger(), nullable=False),
        sa.Column("completed_time", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["review_queues.queue_id"],
            name=op.f("fk_review_items_queue_id_review_queues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_review_items")),
        sa.UniqueConstraint("queue_id", "position", name=op.f("uq_review_items_queue_id_position")),
        sa.UniqueConstraint("queue_id", "trace_id", name=op.f("uq_review_items_queue_id_trace_id")),
        sa.UniqueConstraint(
            "queue_id", "session_id", name=op.f("uq_review_items_queue_id_session_id")
        ),
        **options,
    )
    op.create_index(
        op.f("ix_review_items_queue_id_state_assignee"),
        "review_items",
        ["queue_id", "state", "assignee"],
    )
    op.create_table(
        "review_labels",
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("assessment_id", sa.String(length=64), nullable=False),
        sa.Column("trace_id", sa.String(length=64), nullable=False),
        sa.Column("label_name", sa.String(length=250), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["review_items.item_id"],
            name=op.f("fk_review_labels_item_id_review_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "assessment_id", name=op.f("pk_review_labels")),
        **options,
    )


def downgrade() -> None:
    there = set(sa.inspect(op.get_bind()).get_table_names())
    for table in ("review_labels", "review_items", "review_queues"):
        if table in there:
            op.drop_table(table)
