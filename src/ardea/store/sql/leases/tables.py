"""The lease schema, on the one :data:`ardea.store.sql._db.metadata.metadata`.

- ``leases``: one row per lease name; ``holder`` holds it until ``expires`` (epoch ms). Rows
  are never deleted: a released lease keeps its row with ``expires`` 0.
"""

from __future__ import annotations

import sqlalchemy as sa

from ardea.store.sql._db.metadata import MYSQL_TABLE_ARGS as _MYSQL
from ardea.store.sql._db.metadata import metadata

__all__ = ["leases"]

leases = sa.Table(
    "leases",
    metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("holder", sa.String(255), nullable=False),
    sa.Column("expires", sa.BigInteger, nullable=False),
    **_MYSQL,
)
