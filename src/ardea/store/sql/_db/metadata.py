"""The one SQLAlchemy :data:`metadata` every aggregate's tables are declared on.

Each aggregate declares its own tables (``tracking/tables.py``, ``traces/tables.py``,
``registry/tables.py``, ``webhooks/tables.py``) on this one object; :mod:`ardea.store.sql.schema`
imports them all, so migrations and schema tests see the whole schema.

Conventions: times are epoch milliseconds in ``BigInteger`` columns; string values of params,
tags and JSON blobs are ``Text``; keys are ``String(250)`` (:data:`KEY_LENGTH`). A NaN metric
is stored with ``is_nan=True`` and ``value=0``; infinities are clamped to the largest finite
double.
"""

from __future__ import annotations

from typing import TypedDict

import sqlalchemy as sa

from ardea.store.sql._db.collation import MARIADB_COLLATION, mysql_table_options

__all__ = ["KEY_LENGTH", "MYSQL_TABLE_ARGS", "NAMING_CONVENTION", "MySQLTableArgs", "metadata"]

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
"""The one MetaData of the tracking schema."""

KEY_LENGTH = 250
"""Length of key columns (params, tags, metadata)."""


class MySQLTableArgs(TypedDict):
    """The MySQL dialect keywords of ``sa.Table(..., **MYSQL_TABLE_ARGS)``."""

    mysql_charset: str
    mysql_collate: str


MYSQL_TABLE_ARGS: MySQLTableArgs = {"mysql_charset": "utf8mb4", "mysql_collate": MARIADB_COLLATION}
"""Binary NO PAD collation on MySQL/MariaDB, so ``=``, uniqueness and ordering are
case-sensitive and trailing spaces count, as on SQLite and PostgreSQL (``utf8mb4_bin`` is PAD
SPACE: "lr" = "lr "). Written with MariaDB's name; :func:`mysql_collation` picks the server's
(migration 0006 converts, and ``metadata.create_all`` swaps it in)."""


@sa.event.listens_for(metadata, "before_create")
def _server_collation(target: sa.MetaData, connection: sa.Connection, **kw: object) -> None:
    """Before ``create_all`` on MySQL, declare the server's own NO PAD collation."""
    options = mysql_table_options(connection.dialect)
    for table in target.tables.values():
        table.dialect_kwargs.update(options)
