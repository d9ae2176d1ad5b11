"""Links of traces to runs that arrived before the traces (applied when the trace is stored).

Revision ID: 0008_pending_trace_links
Revises: 0007_import_ledger
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from ardea.store.sql._db.collation import mysql_table_options

revision = "0008_pending_trace_links"
down_revision = "0007_import_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    options: dict[str, Any] = dict(mysql_table_options(op.get_bind().dialect))
    op.create_table(
        "pending_trace_links",
        sa.Column("trace_id", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("created_time", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.run_id"],
            name=op.f("fk_pending_trace_links_run_id_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("trace_id", name=op.f("pk_pending_trace_links")),
        **options,
    )
    op.create_index(op.f("ix_pending_trace_links_run_id"), "pending_trace_links", ["run_id"])
    op.create_index(
        op.f("ix_pending_trace_links_created_time"), "pending_trace_links", ["created_time"]
    )


def downgrade() -> None:
    op.drop_table("pending_trace_links")
