"""The SQL auth store: users, tokens, sessions, roles, grants and audit behind :class:`AuthStore`.

One mixin per concept (``users.py``, ``tokens.py``, ``roles.py``, ``grants.py``,
``audit.py``), wired here to the backend's :class:`Database` (the tables come with migration
``0011_auth``). Creating the store costs nothing: no query runs until a method is called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ardea.store.auth import AuthStore
from ardea.store.sql._db.engine import Database
from ardea.store.sql.auth.audit import SqlAudit
from ardea.store.sql.auth.grants import SqlGrants
from ardea.store.sql.auth.roles import SqlRoles
from ardea.store.sql.auth.tokens import SqlSessions, SqlTokens
from ardea.store.sql.auth.users import SqlUsers

__all__ = ["SqlAuthStore"]

T = TypeVar("T")


class _CountedWrites:
    """The database as the auth mixins see it: every write bumps the store's generation."""

    def __init__(self, database: Database, changed: Callable[[], None]) -> None:
        self._database = database
        self._changed = changed

    def write(self, op: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return self._database.write(op, *args, **kwargs)
        finally:  # a failed write may still have changed something: forget either way
            self._changed()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._database, name)


class SqlAuthStore(SqlUsers, SqlTokens, SqlSessions, SqlRoles, SqlGrants, SqlAudit, AuthStore):
    """The auth store in a SQL database.

    Args:
        database: An open database at the current schema, shared with the backend's other
            SQL stores; the backend closes it.

    Example::

        backend = open_sql_backend("sqlite:///ardea.db")
        user = backend.require_auth().create_user("ada", None)
    """

    def __init__(self, database: Database) -> None:
        self._database = database
        self._generation = 0
        self._db: Any = _CountedWrites(database, self._bump)

    def _bump(self) -> None:
        self._generation += 1

    @property
    def generation(self) -> int:
        """Changes after every write through this store (grants, roles, users, tokens, audit)."""
        return self._generation

    @property
    def database(self) -> Database:
        """The underlying :class:`Database`."""
        return self._database

    def __repr__(self) -> str:
        return f"SqlAuthStore({self._database.url.split('@')[-1]!r})"
