"""The binary NO PAD ``utf8mb4`` collations Ardea's tables use on MySQL and MariaDB.

``utf8mb4_bin`` is PAD SPACE ("lr" = "lr "), so keys differing by trailing spaces would collide
there and nowhere else. The two servers share no NO PAD collation name, hence the lookup.
"""

from __future__ import annotations

import sqlalchemy as sa

from ardea._core.errors import FailedPreconditionError

__all__ = ["MARIADB_COLLATION", "MYSQL_COLLATION", "mysql_collation", "mysql_table_options"]

MARIADB_COLLATION = "utf8mb4_nopad_bin"
"""The collation of every table on MariaDB (10.2+): binary and NO PAD."""
MYSQL_COLLATION = "utf8mb4_0900_bin"
"""The collation of every table on MySQL (8.0.17+): binary and NO PAD."""


def mysql_collation(dialect: sa.engine.Dialect) -> str:
    """The binary NO PAD ``utf8mb4`` collation of the MySQL-family server behind ``dialect``.

    Args:
        dialect: The dialect of a connection to a MySQL or MariaDB server.

    Returns:
        :data:`MARIADB_COLLATION` on MariaDB, :data:`MYSQL_COLLATION` on MySQL.

    Raises:
        FailedPreconditionError: MySQL older than 8.0.17, which has no such collation.
    """
    if getattr(dialect, "is_mariadb", False):
        return MARIADB_COLLATION
    version = dialect.server_version_info  # None without a server (a mock engine)
    if version is not None and version < (8, 0, 17):
        raise FailedPreconditionError(
            f"Ardea needs MySQL 8.0.17+ ({MYSQL_COLLATION}) or MariaDB 10.2+ "
            f"({MARIADB_COLLATION}); the server is MySQL {'.'.join(map(str, version))}"
        )
    return MYSQL_COLLATION


def mysql_table_options(dialect: sa.engine.Dialect) -> dict[str, str]:
    """Table options for a new table on the server behind ``dialect`` (empty off MySQL).

    For revisions after 0006 that create tables: ``op.create_table(..., **options)``.
    SQLAlchemy's "mariadb" dialect (``mariadb+pymysql://``) reads only ``mariadb_*`` options,
    so both prefixes are set.

    Args:
        dialect: The dialect of the connection the table is created on.

    Returns:
        ``{"mysql_charset": "utf8mb4", "mysql_collate": ..., "mariadb_charset": ...,
        "mariadb_collate": ...}`` on MySQL/MariaDB, else ``{}``.
    """
    if dialect.name not in ("mysql", "mariadb"):
        return {}
    collation = mysql_collation(dialect)
    return {
        f"{prefix}_{option}": value
        for prefix in ("mysql", "mariadb")
        for option, value in (("charset", "utf8mb4"), ("collate", collation))
    }
