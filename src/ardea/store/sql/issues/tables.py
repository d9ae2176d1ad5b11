"""The issue schema, on the one :data:`ardea.store.sql._db.metadata.metadata`.

- ``issues``: one row per issue; the experiment owns it (and its workspace is the
  experiment's): deleting the experiment's row deletes its issues. ``root_causes``,
  ``categories`` and ``metadata`` are JSON (MEDIUMTEXT on MySQL, whose TEXT stops at 64 KiB).

The traces an issue links are assessments of kind ``issue`` named by the issue id (the trace
store's ``assessments`` table, indexed by name and kind for the link lookups).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from ardea.store.sql._db.metadata import MYSQL_TABLE_ARGS as _MYSQL
from ardea.store.sql._db.metadata import metadata

__all__ = ["issues"]

_JSON = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql")

issues = sa.Table(
    "issues",
    metadata,
    sa.Column("issue_id", sa.String(36), primary_key=True),
    sa.Column(
        "experiment_id",
        sa.Integer,
        sa.ForeignKey("experiments.experiment_id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("name", sa.String(250), nullable=False),
    sa.Column("description", _JSON, nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("severity", sa.String(32), nullable=True),
    sa.Column("root_causes", _JSON, nullable=True),
    sa.Column("source_run_id", sa.String(32), nullable=True),
    sa.Column("categories", _JSON, nullable=True),
    sa.Column("created_by", sa.String(255), nullable=True),
    sa.Column("last_updated_by", sa.String(255), nullable=True),
    sa.Column("created_timestamp", sa.BigInteger, nullable=False),
    sa.Column("last_updated_timestamp", sa.BigInteger, nullable=False),
    sa.Column("last_seen_timestamp", sa.BigInteger, nullable=False),
    sa.Column("metadata", _JSON, nullable=True),
    sa.Index(None, "experiment_id", "status"),
    **_MYSQL,
)
