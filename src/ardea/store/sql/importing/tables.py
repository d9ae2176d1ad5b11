"""The import ledger, on the one :data:`ardea.store.sql._db.metadata.metadata`.

One row per unit an import wrote (``ardea import mlflow``): which source, which kind of
entity, its id there and its id here. Written in the same transaction as the unit itself, so
a unit with a ledger row is wholly imported (see :mod:`ardea.store.importing`).
"""

from __future__ import annotations

import sqlalchemy as sa

from ardea.store.sql._db.metadata import MYSQL_TABLE_ARGS as _MYSQL
from ardea.store.sql._db.metadata import metadata

__all__ = ["import_ledger"]

import_ledger = sa.Table(
    "import_ledger",
    metadata,
    sa.Column("source", sa.String(200), primary_key=True),
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("source_id", sa.String(250), primary_key=True),
    sa.Column("dest_id", sa.String(250), nullable=False),
    sa.Column("imported_at", sa.BigInteger, nullable=False),
    **_MYSQL,
)
