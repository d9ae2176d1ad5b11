"""Pick the tracking store for a tracking URI.

=============================================  =========================================
URI                                            Store
=============================================  =========================================
None                                           ``ARDEA_TRACKING_URI``, ``MLFLOW_TRACKING_URI``,
                                               else the folder ``./ardea-data``
a folder path, ``file:`` URI                   SQLite at ``<folder>/ardea.db`` (created)
a path ending in ``.db`` / ``.sqlite``         SQLite at that file
``sqlite:///...``, ``postgresql://...``,       the SQL tracking store
``mysql://...``
``http(s)://host:port``                        :class:`~ardea.store.rest.RestTrackingStore`
=============================================  =========================================

Stores are cached per URI (a closed store is replaced on the next call). Heavy modules
(SQLAlchemy, httpx) are imported only when a store of that kind is opened.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import unquote, urlparse

from ardea._core import env
from ardea._core.errors import InvalidArgumentError
from ardea.store.tracking import TrackingStore

__all__ = [
    "DB_FILENAME",
    "default_artifacts_destination",
    "default_tracking_uri",
    "resolve_tracking_store",
    "sql_uri_for",
]

DB_FILENAME = "ardea.db"
"""Name of the SQLite file inside a data folder."""

_SQL_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mariadb")
_SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
_cache: dict[str, TrackingStore] = {}
_lock = threading.Lock()


def default_tracking_uri() -> str:
    """The tracking URI to use when none is given.

    ``ARDEA_TRACKING_URI``, else ``MLFLOW_TRACKING_URI``, else the ``./ardea-data`` folder (as
    an absolute path).
    """
    uri = env.get(env.ARDEA_TRACKING_URI, env.MLFLOW_TRACKING_URI)
    if uri:
        return uri
    return str(Path.cwd() / env.DEFAULT_DATA_DIR)


def _scheme(uri: str) -> str:
    scheme = urlparse(uri).scheme.lower()
    # A Windows drive letter ("C:\\data") is a path, not a scheme.
    return "" if len(scheme) == 1 else scheme


def _local_path(uri: str) -> Path:
    if _scheme(uri) == "file":
        parsed = urlparse(uri)
        return Path(unquote(parsed.netloc + parsed.path)).expanduser()
    return Path(uri).expanduser()


def _sqlite_file(uri: str) -> Path | None:
    """The database file of a ``sqlite:///path`` URI (None for an in-memory database)."""
    database = uri.split("://", 1)[1] if "://" in uri else ""
    database = database[1:] if database.startswith("/") else database
    database = database.split("?", 1)[0]
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def sql_uri_for(uri: str) -> str | None:
    """The SQL database URI for a tracking URI, folder or file path (None for a server URI).

    A data folder is created when missing.

    Raises:
        InvalidArgumentError: The URI scheme is not supported.
    """
    scheme = _scheme(uri)
    base = scheme.split("+", 1)[0]
    if base in _SQL_SCHEMES:
        if base == "sqlite":
            path = _sqlite_file(uri)
            if path is not None:
                path.resolve().parent.mkdir(parents=True, exist_ok=True)
        return uri
    if scheme in ("http", "https"):
        return None
    if scheme not in ("", "file"):
        raise InvalidArgumentError(
            f"Unsupported tracking URI {uri!r}: use a folder, sqlite:///file.db, "
            "postgresql://..., mysql://... or http(s)://host:port"
        )
    path = _local_path(uri).resolve()
    if path.suffix.lower() in _SQLITE_SUFFIXES and not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path / DB_FILENAME}"


def resolve_tracking_store(uri: str | None) -> TrackingStore:
    """The (cached) tracking store for ``uri``; None means :func:`default_tracking_uri`.

    Raises:
        InvalidArgumentError: The URI is not supported.
    """
    uri = uri or default_tracking_uri()
    sql_uri = sql_uri_for(uri)
    key = sql_uri or uri.rstrip("/")
    with _lock:
        store = _cache.get(key)
        if store is not None and not getattr(store, "closed", False):
            return store
        if sql_uri is None:
            from ardea.store.rest import RestTrackingStore

            store = RestTrackingStore(uri)
        else:
            from ardea.store.sql.tracking.store import SqlTrackingStore

            store = SqlTrackingStore(sql_uri)
        _cache[key] = store
        return store


def default_artifacts_destination(uri: str | None = None) -> str:
    """Where proxied (``mlflow-artifacts:``) artifacts of the tracking URI ``uri`` live.

    ``ARDEA_ARTIFACTS_DESTINATION`` when set; else the ``artifacts`` folder beside the SQLite
    database (in the data folder); for other backends ``./ardea-data/artifacts``.
    """
    configured = env.get(env.ARDEA_ARTIFACTS_DESTINATION)
    if configured:
        return configured
    uri = uri or default_tracking_uri()
    scheme = _scheme(uri)
    if scheme.startswith("sqlite"):
        path = _sqlite_file(uri)
        if path is not None:
            return str(path.resolve().parent / "artifacts")
    elif scheme in ("", "file"):
        path = _local_path(uri).resolve()
        folder = path.parent if path.suffix.lower() in _SQLITE_SUFFIXES else path
        return str(folder / "artifacts")
    return str(Path(os.getcwd()) / env.DEFAULT_DATA_DIR / "artifacts")
