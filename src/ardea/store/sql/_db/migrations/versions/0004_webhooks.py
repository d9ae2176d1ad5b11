"""Webhooks: endpoints with encrypted secrets, and the events each one subscribes to.

Revision ID: 0004_webhooks
Revises: 0003_registry
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004_webhooks"
down_revision = "0003_registry"
branch_labels = None
depends_on = None

_MYSQL: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("webhook_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("creation_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("webhook_id", name=op.f("pk_webhooks")),
        **_MYSQL,
    )
    op.create_index(op.f("ix_webhooks_creation_timestamp"), "webhooks", ["creation_timestamp"])
    op.create_table(
        "webhook_events",
        sa.Column("webhook_id", sa.String(length=36), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            ["webhooks.webhook_id"],
            name=op.f("fk_webhook_events_webhook_id_webhooks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("webhook_id", "entity", "action", name=op.f("pk_webhook_events")),
        **_MYSQL,
    )
    op.create_index(op.f("ix_webhook_events_entity_action"), "webhook_events", ["entity", "action"])


def downgrade() -> None:
    op.drop_index(op.f("ix_webhook_events_entity_action"), table_name="webhook_events")
    op.drop_table("webhook_events")
    op.drop_index(op.f("ix_webhooks_creation_timestamp"), table_name="webhooks")
    op.drop_table("webhooks")
