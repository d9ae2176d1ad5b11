"""From a tracking URI to its :class:`~ardea.store.backend.Backend`: open one, or share one.

A database URI (a folder, a ``.db`` path, ``sqlite:///``, ``postgresql://``, ``mysql://``)
opens :func:`ardea.store.sql.backend.open_sql_backend`; a server URL
:func:`ardea.store.rest.backend.open_rest_backend`. Each factory's heavy imports (SQLAlchemy,
httpx) load only when a backend of that kind is opened.
"""

from __future__ import annotations

import threading

from ardea.store.backend import Backend
from ardea.store.uri import default_tracking_uri, is_server_uri, sql_uri_for

__all__ = ["open_backend", "resolve_backend"]


def open_backend(
    uri: str | None = None,
    *,
    default_artifact_root: str = "mlflow-artifacts:/",
    artifacts_destination: str | None = None,
    auto_migrate: bool = True,
) -> Backend:
    """Open a new backend for ``uri`` (None: :func:`~ardea.store.uri.default_tracking_uri`).

    Args:
        uri: A folder, ``.db`` path, ``sqlite:///``, ``postgresql://``, ``mysql://`` or
            ``http(s)://`` URI.
        default_artifact_root: Database backends: the artifact root of new experiments.
        artifacts_destination: Database backends: where ``mlflow-artifacts:/`` artifacts live
            (default: :func:`~ardea.store.uri.default_artifacts_destination`).
        auto_migrate: Database backends: upgrade an older PostgreSQL/MySQL schema on open.

    Raises:
        InvalidArgumentError: The URI is not supported.
        FailedPreconditionError: ``auto_migrate=False`` and the schema is out of date.
    """
    uri = uri or default_tracking_uri()
    if is_server_uri(uri):
        from ardea.store.rest.backend import open_rest_backend

        return open_rest_backend(uri)
    from ardea.store.sql.backend import open_sql_backend

    return open_sql_backend(
        uri,
        default_artifact_root=default_artifact_root,
        artifacts_destination=artifacts_destination,
        auto_migrate=auto_migrate,
    )


_cache: dict[str, Backend] = {}
_lock = threading.Lock()


def resolve_backend(uri: str | None = None) -> Backend:
    """The shared backend of ``uri`` (None: the default URI), opened on first use.

    Backends are cached per URI (a data folder, its ``file:`` URI and its ``sqlite:///`` URI
    share one); a closed backend is replaced by a fresh one on the next call.

    Raises:
        InvalidArgumentError: The URI is not supported.
    """
    uri = uri or default_tracking_uri()
    key = sql_uri_for(uri) or uri.rstrip("/")
    with _lock:
        backend = _cache.get(key)
        if backend is None or backend.closed:
            backend = open_backend(uri)
            _cache[key] = backend
        return backend
