"""The SQL tracking store: SQLite, PostgreSQL and MySQL behind :class:`TrackingStore`.

The behaviour lives in one mixin per aggregate (``experiments.py``, ``runs.py``,
``run_logging.py``, ``datasets.py``, ``logged_models.py``); this module wires them to a
:class:`Database` that :func:`ardea.store.sql.backend.open_sql_backend` opened and migrated.
"""

from __future__ import annotations

from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.maintenance import stats_for
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope
from ardea.store.sql.tracking.datasets import SqlDatasetSummaries
from ardea.store.sql.tracking.experiments import SqlExperiments
from ardea.store.sql.tracking.logged_models import SqlLoggedModels
from ardea.store.sql.tracking.run_logging import SqlRunLogging
from ardea.store.sql.tracking.runs import SqlRuns
from ardea.store.tracking import TrackingStore

__all__ = ["SqlTrackingStore"]


class SqlTrackingStore(
    SqlExperiments,
    SqlRuns,
    SqlRunLogging,
    SqlDatasetSummaries,
    SqlLoggedModels,
    TrackingStore,
):
    """A tracking store in a SQL database.

    Args:
        database: An open database at the current schema; its owner (the backend) closes it.
        default_artifact_root: Root of new experiments' artifact locations: experiment ``7``
            gets ``<root>/7`` (``mlflow-artifacts:/`` by default).
        scope: The workspace the store sees and writes to (``default`` when omitted); see
            :meth:`ardea.store.backend.Backend.scoped`.

    Example::

        backend = open_sql_backend("sqlite:///ardea.db")
        backend.tracking.create_experiment("fraud")
    """

    def __init__(
        self,
        database: Database,
        default_artifact_root: str = "mlflow-artifacts:/",
        scope: WorkspaceScope = DEFAULT_SCOPE,
    ) -> None:
        self._db = database
        self._artifact_root = default_artifact_root
        self._stats = stats_for(database)
        self._scope = scope

    @property
    def scope(self) -> WorkspaceScope:
        """The workspace this store sees."""
        return self._scope

    @property
    def database(self) -> Database:
        """The underlying :class:`Database`, shared with the backend's other SQL stores."""
        return self._db

    @property
    def default_artifact_root(self) -> str:
        """Root URI of new experiments' artifact locations."""
        return self._artifact_root

    @property
    def closed(self) -> bool:
        """True once the database was closed."""
        return self._db.closed

    def __repr__(self) -> str:
        return f"SqlTrackingStore({self._db.url.split('@')[-1]!r}, {self._scope.name!r})"
