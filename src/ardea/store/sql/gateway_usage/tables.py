"""The gateway usage rollup's schema, on the one :data:`ardea.store.sql._db.metadata.metadata`.

``gateway_usage``: one row per minute and ``(workspace, endpoint, key, user, provider,
model)``. Its key is ``(row_key, minute)``, ``row_key`` being the SHA-256 of the dimensions
(so the key stays short on MySQL whatever the names' lengths). The workspace is a plain
column: the store filters on it; the table is not one a workspace owns (no foreign key), so
that a batch of several workspaces' requests is one statement. Sums are integers (cost in
micro-dollars, latency in microseconds), so that adding never rounds.
"""

from __future__ import annotations

import sqlalchemy as sa

from ardea.store.sql._db.metadata import MYSQL_TABLE_ARGS as _MYSQL
from ardea.store.sql._db.metadata import metadata

__all__ = ["gateway_usage"]

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

gateway_usage = sa.Table(
    "gateway_usage",
    metadata,
    sa.Column("row_key", sa.String(64), primary_key=True),
    sa.Column("minute", sa.BigInteger, primary_key=True),
    sa.Column("workspace", sa.String(63), nullable=False),
    sa.Column("endpoint_id", sa.String(64), nullable=False),
    sa.Column("endpoint", sa.String(255), nullable=False),
    sa.Column("key_id", sa.String(64), nullable=False),
    sa.Column("user_name", sa.String(255), nullable=False),
    sa.Column("provider", sa.String(64), nullable=False),
    sa.Column("model", sa.String(255), nullable=False),
    *(sa.Column(m, sa.BigInteger, nullable=False, server_default="0") for m in _MEASURES),
    sa.Index("ix_gateway_usage_workspace_minute", "workspace", "minute"),
    **_MYSQL,
)
