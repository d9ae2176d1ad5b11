"""The SQL backend factory: one database, opened and migrated once, every store on it.

The tracking, trace, registry, webhook and auth stores share the :class:`Database` (on SQLite: its
one writer thread); the backend owns and closes it. ``mlflow-artifacts:/`` artifacts live in
the artifacts destination (a folder or an object-store URI).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Connection

from ardea._core.errors import FailedPreconditionError, InvalidArgumentError
from ardea.store.artifacts.base import ArtifactStore
from ardea.store.backend import Backend
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.migrate import HEAD_REVISION, current_revision, upgrade_connection
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.alerts.store import SqlAlertStore
from ardea.store.sql.auth.store import SqlAuthStore
from ardea.store.sql.datasets.store import SqlDatasetStore
from ardea.store.sql.gateway.store import SqlGatewayStore
from ardea.store.sql.gateway_usage import SqlGatewayUsageStore
from ardea.store.sql.importing.store import SqlImportStore
from ardea.store.sql.issues.store import SqlIssueStore
from ardea.store.sql.leases.store import SqlLeaseStore
from ardea.store.sql.online_scoring.sampler import sampler_for
from ardea.store.sql.online_scoring.store import SqlOnlineScoringStore
from ardea.store.sql.purge import SqlPurgeStore
from ardea.store.sql.registry.store import SqlRegistryStore
from ardea.store.sql.retention.store import SqlRetentionStore
from ardea.store.sql.review.store import SqlReviewStore
from ardea.store.sql.scorers.store import SqlScorerStore
from ardea.store.sql.traces.store import SqlTraceStore
from ardea.store.sql.tracking.experiments import insert_default_experiment
from ardea.store.sql.tracking.store import SqlTrackingStore
from ardea.store.sql.webhooks.store import SqlWebhookStore
from ardea.store.sql.workspaces.store import SqlWorkspaceStore, ensure_default_workspace
from ardea.store.uri import default_artifacts_destination, sql_uri_for

__all__ = ["open_database", "open_sql_backend", "workspace_artifact_root"]


def workspace_artifact_root(server_root: str, workspace: str, own_root: str | None) -> str:
    """Root of the artifact locations of a workspace's new experiments.

    The workspace's own ``default_artifact_root`` when it has one; else the server's root for
    ``default`` (so nothing of a database that predates workspaces moves) and
    ``<server root>/workspaces/<name>`` for the others (names are never path-like).
    """
    if own_root:
        return own_root.rstrip("/")
    root = server_root.rstrip("/")
    if workspace == "default":
        return root
    return f"{root}/workspaces/{workspace}"


def open_database(
    uri: str,
    *,
    default_artifact_root: str = "mlflow-artifacts:/",
    auto_migrate: bool = True,
    sqlite_synchronous: str | None = None,
) -> Database:
    """Open the database at ``uri`` and bring its schema to the current revision.

    Args:
        uri: ``sqlite:///path.db``, ``postgresql://...``, ``mysql://...``, a data folder or a
            ``.db`` path (see :func:`ardea.store.uri.sql_uri_for`).
        default_artifact_root: Artifact root of the "Default" experiment, if created now.
        auto_migrate: Upgrade an older PostgreSQL/MySQL schema (SQLite always upgrades).
        sqlite_synchronous: SQLite's ``synchronous`` mode, ``normal`` or ``full``; None reads
            ``ARDEA_SQLITE_SYNCHRONOUS`` (default ``normal``).

    Raises:
        InvalidArgumentError: ``uri`` is a server URI, or ``sqlite_synchronous`` is invalid.
        FailedPreconditionError: ``auto_migrate=False`` and the schema is out of date.
    """
    sql_uri = sql_uri_for(uri)
    if sql_uri is None:
        raise InvalidArgumentError(f"{uri!r} is a server URI, not a database URI")
    db = Database(sql_uri, sqlite_synchronous=sqlite_synchronous)
    sampler_for(db)  # ended traces are sampled for online scoring in their write
    migrate = auto_migrate or db.is_sqlite

    def init(conn: Connection) -> None:
        revision = current_revision(conn)
        if revision != HEAD_REVISION:
            if not migrate:
                raise FailedPreconditionError(
                    f"The database schema is at revision {revision!r}, not "
                    f"{HEAD_REVISION!r}: run `ardea db upgrade <uri>` first."
                )
            upgrade_connection(conn)
        ensure_default_workspace(conn)
        insert_default_experiment(conn, default_artifact_root)

    try:
        # SQLite rebuilds tables in some revisions (0011): with foreign keys on, dropping the
        # old copy of a parent table would cascade into its children.
        db.write_without_foreign_keys(init)
    except BaseException:
        db.close()
        raise
    return db


def open_sql_backend(
    uri: str,
    *,
    default_artifact_root: str = "mlflow-artifacts:/",
    artifacts_destination: str | None = None,
    auto_migrate: bool = True,
    lazy_artifacts: bool = True,
    sqlite_synchronous: str | None = None,
) -> Backend:
    """Open every store of the database at ``uri``.

    Args:
        uri: A database URI, a data folder or a ``.db`` path.
        default_artifact_root: Root of new experiments' artifact locations.
        artifacts_destination: Where ``mlflow-artifacts:/`` artifacts live (default: beside a
            SQLite file, else ``./ardea-data/artifacts``; ``ARDEA_ARTIFACTS_DESTINATION``).
        auto_migrate: Upgrade an older PostgreSQL/MySQL schema on open.
        lazy_artifacts: Open the artifacts destination on first use (clients), rather than
            now (a server, which checks its destination at start).
        sqlite_synchronous: SQLite's ``synchronous`` mode, ``normal`` or ``full``; None reads
            ``ARDEA_SQLITE_SYNCHRONOUS`` (default ``normal``).

    Raises:
        InvalidArgumentError: ``uri`` is not a database URI, or the destination's scheme is
            not supported.
        FailedPreconditionError: ``auto_migrate=False`` and the schema is out of date.
    """
    from ardea.store.artifacts.lazy import LazyArtifactStore
    from ardea.store.artifacts.resolve import resolve_artifact_store

    db = open_database(
        uri,
        default_artifact_root=default_artifact_root,
        auto_migrate=auto_migrate,
        sqlite_synchronous=sqlite_synchronous,
    )
    destination = (artifacts_destination or default_artifacts_destination(uri)).rstrip("/")

    def artifacts_at(path: str) -> ArtifactStore:
        path = path.strip("/")
        return resolve_artifact_store(f"{destination}/{path}" if path else destination)

    try:
        artifacts: ArtifactStore = (
            LazyArtifactStore(lambda: artifacts_at("")) if lazy_artifacts else artifacts_at("")
        )
        webhooks = SqlWebhookStore(db)
        gateway = SqlGatewayStore(db)
        usage = SqlGatewayUsageStore(db)  # one for every workspace (its calls name theirs)
        auth = SqlAuthStore(db)
        lease_store = SqlLeaseStore(db)  # names are global: every workspace shares it
        forget: list[Callable[[str], None]] = []
        scopes: dict[str, WorkspaceScope] = {}

        def open_workspace(name: str) -> Backend:
            found = workspaces.get_workspace(name)  # NotFoundError for an unknown workspace
            scope = scopes.get(name) or scopes.setdefault(name, WorkspaceScope(name))
            root = workspace_artifact_root(default_artifact_root, name, found.default_artifact_root)
            traces = SqlTraceStore(db, scope)
            datasets = SqlDatasetStore(db, scope)
            return Backend(
                uri=db.uri,
                tracking=SqlTrackingStore(db, root, scope),
                traces=traces,
                registry=SqlRegistryStore(db, scope),
                webhooks=SqlWebhookStore(db, webhooks.cipher, scope),
                artifacts=artifacts,
                remote=False,
                artifacts_at=artifacts_at,
                release=lambda: None,
                purge=SqlPurgeStore(db),
                importing=SqlImportStore(db, scope),
                auth=auth,  # users and grants span workspaces (grants name theirs)
                workspaces=workspaces,
                datasets=datasets,
                scorers=SqlScorerStore(db, scope),
                online_scoring=SqlOnlineScoringStore(db, scope),
                review=SqlReviewStore(db, traces, datasets, scope),
                issues=SqlIssueStore(db, scope),
                alerts=SqlAlertStore(db, scope),
                retention=SqlRetentionStore(db, scope),
                gateway=SqlGatewayStore(db, gateway.cipher, scope, gateway.shared_generation),
                gateway_usage=usage,
                leases=lease_store,
                workspace=name,
            )

        def on_change(name: str) -> None:
            for forget_workspace in forget:
                forget_workspace(name)

        workspaces = SqlWorkspaceStore(db, on_change=on_change)
        traces = SqlTraceStore(db)
        datasets = SqlDatasetStore(db)
        backend = Backend(
            uri=db.uri,
            tracking=SqlTrackingStore(db, default_artifact_root),
            traces=traces,
            registry=SqlRegistryStore(db),
            webhooks=webhooks,
            artifacts=artifacts,
            remote=False,
            artifacts_at=artifacts_at,
            release=db.close,
            purge=SqlPurgeStore(db),
            importing=SqlImportStore(db),
            auth=auth,
            workspaces=workspaces,
            datasets=datasets,
            scorers=SqlScorerStore(db),
            online_scoring=SqlOnlineScoringStore(db),
            review=SqlReviewStore(db, traces, datasets),
            issues=SqlIssueStore(db),
            alerts=SqlAlertStore(db),
            retention=SqlRetentionStore(db),
            gateway=gateway,
            gateway_usage=usage,
            leases=lease_store,
            open_workspace=open_workspace,
        )
        forget.append(backend.forget_workspace)
        return backend
    except BaseException:
        db.close()
        raise
