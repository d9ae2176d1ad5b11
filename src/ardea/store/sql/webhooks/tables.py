"""The webhook schema, on the one :data:`ardea.store.sql._db.metadata.metadata`.

``webhooks.secret`` holds a Fernet token (see :mod:`ardea._core.secrets`), never the
plaintext. ``webhook_events`` lists each webhook's subscriptions; its ``(entity, action)``
index serves the per-event lookup that every registry write makes.
"""

from __future__ import annotations

import sqlalchemy as sa

from ardea.store.sql._db.metadata import MYSQL_TABLE_ARGS as _MYSQL
from ardea.store.sql._db.metadata import metadata
from ardea.store.sql.workspaces.tables import workspace_column

__all__ = ["webhook_events", "webhooks"]


webhooks = sa.Table(
    "webhooks",
    metadata,
    sa.Column("webhook_id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(63), nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("secret", sa.Text, nullable=True),
    sa.Column("creation_timestamp", sa.BigInteger, nullable=False),
    sa.Column("last_updated_timestamp", sa.BigInteger, nullable=False),
    workspace_column(),
    sa.Index(None, "workspace", "creation_timestamp"),
    **_MYSQL,
)

webhook_events = sa.Table(
    "webhook_events",
    metadata,
    sa.Column(
        "webhook_id",
        sa.String(36),
        sa.ForeignKey("webhooks.webhook_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("entity", sa.String(50), primary_key=True),
    sa.Column("action", sa.String(20), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Index(None, "entity", "action"),
    **_MYSQL,
)
