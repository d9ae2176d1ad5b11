"""The gateway's rate-limit and budget counters (one row per counter and window), and the
gateway scope of API tokens used as virtual keys.

Revision ID: 0016_gateway_limits
Revises: 0015_gateway
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from ardea.store.sql._db.collation import mysql_table_options

revision = "0016_gateway_limits"
# TODO(merge): 0015_gateway (h/gw-manage) is not on main yet; the chain is fixed at merge.
down_revision = "0015_gateway"
branch_labels = None
depends_on = None


def upgrade() -> None:
    options: dict[str, Any] = dict(mysql_table_options(op.get_bind().dialect))
    op.create_table(
        "gateway_limit_counters",
        sa.Column("counter_key", sa.String(length=255), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("alerted", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "counter_key", "window_start", name=op.f("pk_gateway_limit_counters")
        ),
        **options,
    )
    op.create_index(
        op.f("ix_gateway_limit_counters_expires_at"),
        "gateway_limit_counters",
        ["expires_at"],
    )
    op.create_table(
        "gateway_key_scopes",
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("allowed_models", sa.Text(), nullable=False),
        sa.Column("metadata_json", sa.Text(), nullable=False),
        sa.Column("expires", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["auth_tokens.id"],
            name=op.f("fk_gateway_key_scopes_token_id_auth_tokens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_gateway_key_scopes")),
        **options,
    )


def downgrade() -> None:
    op.drop_table("gateway_key_scopes")
    op.drop_index(op.f("ix_gateway_limit_counters_expires_at"), table_name="gateway_limit_counters")
    op.drop_table("gateway_limit_counters")
