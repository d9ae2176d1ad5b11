"""The gateway's usage rollup: per-minute request counts, tokens, cost and latency sums by
workspace, endpoint, key, user, provider and model.

Revision ID: 0017_gateway_usage
Revises: 0016_gateway_limits
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from ardea.store.sql._db.collation import mysql_table_options

revision = "0017_gateway_usage"
down_revision = "0016_gateway_limits"
branch_labels = None
depends_on = None

_MEASURES = (
    "requests",
    "errors",
    "input_tokens",
    "output_tokens",
    "cost_micros",
    "unpriced",
    "latency_us_sum",
    "cache_hits",
    "fallbacks",
)


def upgrade() -> None:
    options: dict[str, Any] = dict(mysql_table_options(op.get_bind().dialect))
    op.create_table(
        "gateway_usage",
        sa.Column("row_key", sa.String(length=64), nullable=False),
        sa.Column("minute", sa.BigInteger(), nullable=False),
        sa.Column("workspace", sa.String(length=63), nullable=False),
        sa.Column("endpoint_id", sa.String(length=64), nullable=False),
        sa.Column("endpoint", sa.String(length=255), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=255), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=255), nullable=False),
        *(sa.Column(m, sa.BigInteger(), nullable=False, server_default="0") for m in _MEASURES),
        sa.PrimaryKeyConstraint("row_key", "minute", name=op.f("pk_gateway_usage")),
        **options,
    )
    op.create_index("ix_gateway_usage_workspace_minute", "gateway_usage", ["workspace", "minute"])


def downgrade() -> None:
    op.drop_index("ix_gateway_usage_workspace_minute", table_name="gateway_usage")
    op.drop_table("gateway_usage")
