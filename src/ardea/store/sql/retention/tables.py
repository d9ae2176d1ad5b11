"""The trace retention schema: one policy row per workspace that has one.

An experiment's policy lives in its tags (``ardea.retention.*``), so it needs no table. The
row goes with its workspace (``ON DELETE CASCADE``).
"""

from __future__ import annotations

import sqlalchemy as sa

from ardea.store.sql._db.metadata import MYSQL_TABLE_ARGS as _MYSQL
from ardea.store.sql._db.metadata import metadata
from ardea.store.sql.workspaces import tables as _workspaces  # noqa: F401 - for the FK

__all__ = ["trace_retention_policies"]

trace_retention_policies = sa.Table(
    "trace_retention_policies",
    metadata,
    sa.Column(
        "workspace",
        sa.String(63),
        sa.ForeignKey("workspaces.name", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("max_age_days", sa.Integer, nullable=True),
    sa.Column("max_traces", sa.BigInteger, nullable=True),
    sa.Column("archive", sa.Boolean, nullable=True),
    sa.Column("last_update_time", sa.BigInteger, nullable=False),
    **_MYSQL,
)
"""A workspace's trace retention (NULL: not set; 0: no limit)."""
