"""The gateway counters' schema, on the one :data:`ardea.store.sql._db.metadata.metadata`.

- ``gateway_limit_counters``: one row per counter and window (``amount``: requests, tokens or
  micro-dollars; ``alerted``: 1 once a budget alert went out for the window; ``expires_at``:
  when the row may be purged). No foreign keys: a counter outlives nothing it names.
- ``gateway_key_scopes``: the gateway scope of an API token used as a virtual key (its model
  allow-list and metadata as JSON text, an optional gateway expiry); deleted with the token.
"""

from __future__ import annotations

import sqlalchemy as sa

from ardea.store.sql._db.metadata import MYSQL_TABLE_ARGS as _MYSQL
from ardea.store.sql._db.metadata import metadata

__all__ = ["gateway_key_scopes", "gateway_limit_counters"]

gateway_limit_counters = sa.Table(
    "gateway_limit_counters",
    metadata,
    sa.Column("counter_key", sa.String(255), primary_key=True),
    sa.Column("window_start", sa.BigInteger, primary_key=True),
    sa.Column("amount", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("alerted", sa.Integer, nullable=False, server_default="0"),
    sa.Column("expires_at", sa.BigInteger, nullable=False, index=True),
    **_MYSQL,
)

gateway_key_scopes = sa.Table(
    "gateway_key_scopes",
    metadata,
    sa.Column(
        "token_id",
        sa.Integer,
        sa.ForeignKey("auth_tokens.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("allowed_models", sa.Text, nullable=False),
    sa.Column("metadata_json", sa.Text, nullable=False),
    sa.Column("expires", sa.BigInteger, nullable=True),
    **_MYSQL,
)
