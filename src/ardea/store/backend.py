"""One :class:`Backend` per tracking URI: every store behind it, opened and closed together.

A backend is either a SQL database (SQLite, PostgreSQL, MySQL), opened and migrated once, with
every store on that one database (:func:`ardea.store.sql.backend.open_sql_backend`), or a
server reached over REST, with every store sharing one HTTP client
(:func:`ardea.store.rest.backend.open_rest_backend`). Callers never look for sibling stores
by probing attributes: they hold a backend and read its fields. The server holds one, and so
does each :class:`~ardea.client.ArdeaClient` (:func:`ardea.store.resolve.resolve_backend`).

Adding an aggregate (datasets, scorers, gateway, ...) means a field here, filled by both
factories (or, like ``auth``, typed optional where one of them has none).

Workspaces: a backend's stores see one workspace (``default`` for the one a factory opens);
:meth:`Backend.scoped` gives the stores of another, sharing the database (or HTTP client).

Example::

    backend = ardea.store.resolve.open_backend("sqlite:///ardea.db")
    run = backend.tracking.create_run("0", "me", now_ms(), [], "first")
    backend.traces.search_traces(["0"])
    backend.close()
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ardea._core.errors import FailedPreconditionError
from ardea.entities.workspace import DEFAULT_WORKSPACE
from ardea.store.alerts import AlertStore, UnsupportedAlertStore
from ardea.store.datasets import DatasetStore, UnsupportedDatasetStore
from ardea.store.gateway import GatewayStore, UnsupportedGatewayStore
from ardea.store.gateway_usage import GatewayUsageStore, UnsupportedGatewayUsageStore
from ardea.store.issues import IssueStore, UnsupportedIssueStore
from ardea.store.leases import LeaseStore, UnsupportedLeaseStore
from ardea.store.online_scoring import OnlineScoringStore, UnsupportedOnlineScoringStore
from ardea.store.purge import PurgeStore, UnavailablePurgeStore
from ardea.store.retention import RetentionStore, UnsupportedRetentionStore
from ardea.store.review import ReviewStore, UnsupportedReviewStore
from ardea.store.scorers import ScorerStore, UnsupportedScorerStore
from ardea.store.uri import redact_uri
from ardea.store.workspaces import UnsupportedWorkspaceStore, WorkspaceStore

if TYPE_CHECKING:
    from ardea.store.artifacts.base import ArtifactStore
    from ardea.store.auth import AuthStore
    from ardea.store.importing import ImportStore
    from ardea.store.registry import RegistryStore
    from ardea.store.traces import TraceStore
    from ardea.store.tracking import TrackingStore
    from ardea.store.webhooks import WebhookStore

__all__ = ["SCOPED_BACKEND_TTL_S", "Backend"]

SCOPED_BACKEND_TTL_S = 60.0
"""Seconds :meth:`Backend.scoped` reuses a workspace's stores before looking the workspace up
again (MLflow's artifact-root cache TTL): another replica's change to a workspace (its
artifact root, its deletion) is seen within this time; this process's own at once."""


def _unsupported_import() -> ImportStore:
    from ardea.store.importing import UnsupportedImportStore

    return UnsupportedImportStore()


@dataclass(frozen=True, eq=False)
class Backend:
    """Every store behind one tracking URI.

    Attributes:
        uri: The URI the backend was opened from (a SQL URI for databases, the server URL).
        tracking: Experiments, runs, metrics, logged models.
        traces: Traces, spans, assessments.
        registry: Registered models, versions, aliases (and prompts).
        webhooks: Registry webhooks.
        artifacts: The store behind ``mlflow-artifacts:/`` URIs (a server's proxied
            artifacts): the artifacts destination of a database backend (opened on first
            use), the server's artifact proxy for a REST backend.
        remote: True when the stores are a server's, over REST.
        artifacts_at: Opens the store rooted at ``mlflow-artifacts:/<path>``.
        release: Closes what the stores share (the database, or the HTTP client).
        purge: Permanent deletion of soft-deleted entities (``ardea gc``): the database's
            for a SQL backend; one that refuses, saying why, for a server.
        importing: Restores entities with their ids and times (``ardea import mlflow``);
            a REST backend's refuses every call.
        auth: Users, tokens, sessions, roles, grants and the audit log: the database's for
            a SQL backend, None for a server (its users are managed on its database, or
            through its MLflow-compatible user endpoints). Typed ``AuthStore | None`` so
            that every caller handles the absence; :meth:`require_auth` does it with a
            clear error.
        workspaces: Workspace CRUD (the database's for a SQL backend; one that refuses for a
            REST backend, whose server manages its own).
        datasets: Evaluation datasets (their records, versions, tags and experiment links).
        scorers: The scorer registry (scorer versions per experiment, online configs).
        online_scoring: The online scoring work rows (sampled traces per scorer version):
            the database's for a SQL backend.
        review: Human review queues (items, assignment, labels as HUMAN assessments).
        issues: MLflow's issues of experiments and their trace links.
        alerts: Alert rules on experiments' traces, their state and events.
        retention: Trace retention policies (experiments', workspaces') and the sweep's
            batched deletes (the database's for a SQL backend; policies only over REST).
        gateway: The gateway's management store (secrets, model definitions, endpoints,
            budgets, guardrails): the database's for a SQL backend.
        gateway_usage: The gateway's per-minute usage rollup (every workspace's; its
            methods name the workspace): the database's for a SQL backend.
        leases: Named leases for once-only work across replicas (the database's for a SQL
            backend; one that refuses for a REST backend): see :mod:`ardea.store.leases`.
        workspace: The workspace the stores see (``default`` for a factory's backend).
        open_workspace: Builds the backend of another workspace (see :meth:`scoped`); None
            when the backend cannot be scoped.
    """

    uri: str
    tracking: TrackingStore
    traces: TraceStore
    registry: RegistryStore
    webhooks: WebhookStore
    artifacts: ArtifactStore
    remote: bool
    artifacts_at: Callable[[str], ArtifactStore] = field(repr=False)
    release: Callable[[], None] = field(repr=False)
    purge: PurgeStore = field(default_factory=UnavailablePurgeStore, repr=False)
    importing: ImportStore = field(default_factory=lambda: _unsupported_import(), repr=False)
    auth: AuthStore | None = field(default=None, repr=False)
    workspaces: WorkspaceStore = field(default_factory=UnsupportedWorkspaceStore, repr=False)
    datasets: DatasetStore = field(default_factory=UnsupportedDatasetStore, repr=False)
    scorers: ScorerStore = field(default_factory=UnsupportedScorerStore, repr=False)
    online_scoring: OnlineScoringStore = field(
        default_factory=UnsupportedOnlineScoringStore, repr=False
    )
    review: ReviewStore = field(default_factory=UnsupportedReviewStore, repr=False)
    issues: IssueStore = field(default_factory=UnsupportedIssueStore, repr=False)
    alerts: AlertStore = field(default_factory=UnsupportedAlertStore, repr=False)
    retention: RetentionStore = field(default_factory=UnsupportedRetentionStore, repr=False)
    gateway: GatewayStore = field(default_factory=UnsupportedGatewayStore, repr=False)
    gateway_usage: GatewayUsageStore = field(
        default_factory=UnsupportedGatewayUsageStore, repr=False
    )
    leases: LeaseStore = field(default_factory=UnsupportedLeaseStore, repr=False)
    workspace: str = DEFAULT_WORKSPACE
    open_workspace: Callable[[str], Backend] | None = field(default=None, repr=False)
    _closed: list[bool] = field(default_factory=lambda: [False], init=False, repr=False)
    _scoped: dict[str, tuple[float, Backend]] = field(default_factory=dict, init=False, repr=False)
    _scoped_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _child: bool = field(default=False, init=False, repr=False)

    def __repr__(self) -> str:
        kind = "rest" if self.remote else "sql"
        where = f", workspace={self.workspace!r}" if self.workspace != DEFAULT_WORKSPACE else ""
        closed = ", closed" if self.closed else ""
        return f"Backend({kind}, {redact_uri(self.uri)!r}{where}{closed})"

    def scoped(self, workspace: str) -> Backend:
        """The stores of ``workspace``, on the same database (or server).

        Cached per workspace name (for :data:`SCOPED_BACKEND_TTL_S`); ``default`` is the
        backend a factory opened. Closing this backend closes what they share; a scoped
        backend's own :meth:`close` does nothing.

        Raises:
            NotFoundError: No such workspace.
            InvalidArgumentError: Not a workspace name.
            NotImplementedFeatureError: This backend cannot be scoped.
        """
        if workspace == self.workspace:
            return self
        if self.open_workspace is None:
            from ardea._core.errors import NotImplementedFeatureError

            raise NotImplementedFeatureError(
                f"This backend ({self!r}) cannot open the stores of another workspace"
            )
        if self._child:  # scoped already: its root opens the others
            return self.open_workspace(workspace)
        now = time.monotonic()
        hit = self._scoped.get(workspace)
        if hit is not None and hit[0] > now:
            return hit[1]
        opened = self.open_workspace(workspace)  # raises for an unknown workspace
        # It shares what this backend owns: closed with it, and it finds its siblings here.
        object.__setattr__(opened, "_closed", self._closed)
        object.__setattr__(opened, "_child", True)
        object.__setattr__(opened, "open_workspace", self.scoped)
        with self._scoped_lock:
            self._scoped[workspace] = (now + SCOPED_BACKEND_TTL_S, opened)
        return opened

    def forget_workspace(self, workspace: str | None = None) -> None:
        """Drop the cached stores of ``workspace`` (None: of every workspace).

        The workspace store calls it after changing or deleting a workspace.
        """
        with self._scoped_lock:
            if workspace is None:
                self._scoped.clear()
            else:
                self._scoped.pop(workspace, None)

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed[0]

    def require_auth(self) -> AuthStore:
        """The auth store.

        Raises:
            FailedPreconditionError: The backend is a server's: users, tokens and roles live
                in its database, so the caller must open that instead.
        """
        if self.auth is None:
            raise FailedPreconditionError(
                f"{redact_uri(self.uri)} is a server: users and tokens are managed on its "
                "database. Give the server's --backend-store-uri (a data folder, sqlite:///, "
                "postgresql:// or mysql:// URI) instead."
            )
        return self.auth

    def close(self) -> None:
        """Close the artifact store and what the stores share; a second call does nothing.

        A backend from :meth:`scoped` shares everything with its root, which closes it.
        """
        if self._closed[0] or self._child:
            return
        self._closed[0] = True
        try:
            self.artifacts.close()
        finally:
            self.release()
