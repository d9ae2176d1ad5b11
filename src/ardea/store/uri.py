"""Tracking URIs: the default one, which database or server a URI names, and where artifacts go.

=============================================  =========================================
URI                                            Backend
=============================================  =========================================
None                                           ``ARDEA_TRACKING_URI``, ``MLFLOW_TRACKING_URI``,
                                               else the folder ``./ardea-data``
a folder path, ``file:`` URI                   SQLite at ``<folder>/ardea.db`` (created)
a path ending in ``.db`` / ``.sqlite``         SQLite at that file
``sqlite:///...``, ``postgresql://...``,       that SQL database
``mysql://...``
``http(s)://host:port``                        a server, over REST
=============================================  =========================================

A leaf module: standard library and ``ardea._core`` only. Opening the stores behind a URI is
:mod:`ardea.store.backend`'s job.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from ardea._core import env
from ardea._core.errors import InvalidArgumentError

__all__ = [
    "DB_FILENAME",
    "default_artifacts_destination",
    "default_tracking_uri",
    "is_server_uri",
    "redact_uri",
    "sql_uri_for",
]

DB_FILENAME = "ardea.db"
"""Name of the SQLite file inside a data folder."""

_SQL_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mariadb")
_SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


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


def redact_uri(uri: str) -> str:
    """``uri`` with the password of its credentials replaced by ``***`` (for logs and reprs)."""
    parsed = urlparse(uri)
    if parsed.password is None:
        return uri
    user = parsed.username or ""
    host = parsed.netloc.rsplit("@", 1)[1]
    return parsed._replace(netloc=f"{user}:***@{host}").geturl()


def shared_database(uri: str) -> bool:
    """Whether another process can open the database ``uri`` names.

    True for a SQLite file and a PostgreSQL or MySQL server; False for an in-memory SQLite
    database and a tracking server.
    """
    scheme = uri.partition(":")[0].lower()
    return scheme.startswith(("postgresql", "mysql", "mariadb")) or (
        scheme.startswith("sqlite")
        and uri.rstrip("/") not in ("sqlite:", "sqlite:/", "sqlite://")
        and ":memory:" not in uri
        and "mode=memory" not in uri
    )


def is_server_uri(uri: str) -> bool:
    """Whether ``uri`` names a server (``http://`` or ``https://``) rather than a database."""
    return _scheme(uri) in ("http", "https")


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
