"""One :class:`Backend` per tracking URI: every store behind it, opened and closed together.

A backend is either a SQL database (SQLite, PostgreSQL, MySQL), opened and migrated once, with
every store on that one database (:func:`ardea.store.sql.backend.open_sql_backend`), or a
server reached over REST, with every store sharing one HTTP client
(:func:`ardea.store.rest.backend.open_rest_backend`). Callers never look for sibling stores
by probing attributes: they hold a backend and read its fields. The server holds one, and so
does each :class:`~ardea.client.ArdeaClient` (:func:`ardea.store.resolve.resolve_backend`).

Adding an aggregate (datasets, scorers, gateway, ...) means a field here, filled by both
factories (or, like ``auth``, typed optional where one of them has none).

Example::

    backend = ardea.store.resolve.open_backend("sqlite:///ardea.db")
    run = backend.tracking.create_run("0", "me", now_ms(), [], "first")
    backend.traces.search_traces(["0"])
    backend.close()
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ardea._core.errors import FailedPreconditionError
from ardea.store.purge import PurgeStore, UnavailablePurgeStore
from ardea.store.uri import redact_uri

if TYPE_CHECKING:
    from ardea.store.artifacts.base import ArtifactStore
    from ardea.store.auth import AuthStore
    from ardea.store.importing import ImportStore
    from ardea.store.registry import RegistryStore
    from ardea.store.traces import TraceStore
    from ardea.store.tracking import TrackingStore
    from ardea.store.webhooks import WebhookStore

__all__ = ["Backend"]


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
    _closed: list[bool] = field(default_factory=lambda: [False], init=False, repr=False)

    def __repr__(self) -> str:
        kind = "rest" if self.remote else "sql"
        return f"Backend({kind}, {redact_uri(self.uri)!r}{', closed' if self.closed else ''})"

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
        """Close the artifact store and what the stores share; a second call does nothing."""
        if self._closed[0]:
            return
        self._closed[0] = True
        try:
            self.artifacts.close()
        finally:
            self.release()
