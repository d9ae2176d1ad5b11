"""The SQL model registry: :class:`SqlRegistryStore` on a tracking :class:`Database`.

The behaviour lives in one mixin per concept (``registry_models.py``,
``registry_versions.py``, ``registry_aliases.py``); this module wires them to a database that
a :class:`~ardea.store.sql.tracking.store.SqlTrackingStore` already opened and migrated, so the
registry shares its SQLite writer thread (or its PostgreSQL/MySQL pool).
"""

from __future__ import annotations

from ardea.store.registry import RegistryStore
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope
from ardea.store.sql.registry.aliases import SqlRegistryAliases
from ardea.store.sql.registry.models import SqlRegisteredModels
from ardea.store.sql.registry.versions import SqlModelVersions

__all__ = ["SqlRegistryStore"]


class SqlRegistryStore(SqlRegisteredModels, SqlModelVersions, SqlRegistryAliases, RegistryStore):
    """A model registry in a SQL database.

    Args:
        database: An open database at the current schema, shared with the backend's other
            SQL stores; the backend closes it.
        scope: The workspace the store sees and writes to (``default`` when omitted).

    Example::

        registry = open_sql_backend("sqlite:///ardea.db").registry
        registry.create_registered_model("fraud")
        registry.create_model_version("fraud", "models:/m-...")
    """

    def __init__(self, database: Database, scope: WorkspaceScope = DEFAULT_SCOPE) -> None:
        self._db = database
        self._scope = scope

    @property
    def scope(self) -> WorkspaceScope:
        """The workspace this store sees."""
        return self._scope

    @property
    def database(self) -> Database:
        """The underlying :class:`Database`."""
        return self._db

    def __repr__(self) -> str:
        return f"SqlRegistryStore({self._db.url.split('@')[-1]!r})"
