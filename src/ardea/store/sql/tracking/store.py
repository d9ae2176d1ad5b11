"""The SQL tracking store: SQLite, PostgreSQL and MySQL behind :class:`TrackingStore`.

The behaviour lives in one mixin per aggregate (``experiments.py``, ``runs.py``,
``run_logging.py``, ``logged_models.py``); this module wires them to a :class:`Database` and
brings the schema up to date when the store opens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from ardea._core.errors import FailedPreconditionError, InvalidArgumentError
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.maintenance import stats_for
from ardea.store.sql._db.migrate import HEAD_REVISION, current_revision, upgrade_connection
from ardea.store.sql.tracking.experiments import SqlExperiments, insert_default_experiment
from ardea.store.sql.tracking.logged_models import SqlLoggedModels
from ardea.store.sql.tracking.run_logging import SqlRunLogging
from ardea.store.sql.tracking.runs import SqlRuns
from ardea.store.tracking import TrackingStore

if TYPE_CHECKING:
    from ardea.store.sql.traces.store import SqlTraceStore

__all__ = ["SqlTrackingStore"]


class SqlTrackingStore(SqlExperiments, SqlRuns, SqlRunLogging, SqlLoggedModels, TrackingStore):
    """A tracking store in a SQL database.

    Args:
        uri: ``sqlite:///path.db``, ``postgresql://...`` or ``mysql://...``; a data folder
            or ``.db`` path works too (see :func:`ardea.store.resolve.sql_uri_for`).
        default_artifact_root: Root of new experiments' artifact locations: experiment ``7``
            gets ``<root>/7`` (``mlflow-artifacts:/7`` by default).
        auto_migrate: Upgrade a PostgreSQL/MySQL schema when opening (SQLite always
            upgrades). When False and the schema is not current, opening fails.

    Raises:
        FailedPreconditionError: ``auto_migrate=False`` and the schema is out of date.
    """

    def __init__(
        self,
        uri: str,
        default_artifact_root: str = "mlflow-artifacts:/",
        auto_migrate: bool = True,
    ) -> None:
        from ardea.store.resolve import sql_uri_for

        sql_uri = sql_uri_for(uri)  # also accepts a data folder or a .db path
        if sql_uri is None:
            raise InvalidArgumentError(f"{uri!r} is a server URI, not a database URI")
        self.uri = sql_uri
        self._artifact_root = default_artifact_root
        self._db = Database(sql_uri)
        migrate = auto_migrate or self._db.is_sqlite

        def init(conn: Connection) -> None:
            revision = current_revision(conn)
            if revision != HEAD_REVISION:
                if not migrate:
                    raise FailedPreconditionError(
                        f"The database schema is at revision {revision!r}, not "
                        f"{HEAD_REVISION!r}: run `ardea db upgrade <uri>` first."
                    )
                upgrade_connection(conn)
            insert_default_experiment(conn, default_artifact_root)

        try:
            self._db.write(init)
        except BaseException:
            self._db.close()
            raise
        self._stats = stats_for(self._db)

    @property
    def database(self) -> Database:
        """The underlying :class:`Database` (other SQL stores may share it)."""
        return self._db

    def trace_store(self) -> SqlTraceStore:
        """A :class:`SqlTraceStore` on this store's database (same SQLite writer thread).

        Closing this tracking store closes it too; its own ``close`` does nothing.
        """
        from ardea.store.sql.traces.store import SqlTraceStore

        return SqlTraceStore(self._db)

    @property
    def default_artifact_root(self) -> str:
        """Root URI of new experiments' artifact locations."""
        return self._artifact_root

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._db.closed

    def close(self) -> None:
        """Stop the writer thread and release all connections."""
        self._db.close()

    def __repr__(self) -> str:
        return f"SqlTrackingStore({self._db.url.split('@')[-1]!r})"
