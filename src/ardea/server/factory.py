"""Building a server from settings: one backend from its URI, and the ``--workers`` factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from ardea.server.app import create_app
from ardea.server.deps import ServerDeps, ServerSettings

__all__ = ["app_from_env", "build_app", "build_deps"]


def build_deps(settings: ServerSettings) -> ServerDeps:
    """Open the backend named in ``settings``.

    The database is created or migrated, and a local artifacts destination folder created.
    """
    from ardea.store.artifacts.resolve import is_local_uri, local_path
    from ardea.store.sql.backend import open_sql_backend

    destination = settings.artifacts_destination
    if is_local_uri(destination):
        Path(local_path(destination)).mkdir(parents=True, exist_ok=True)
    backend = open_sql_backend(
        settings.backend_store_uri,
        default_artifact_root=settings.default_artifact_root,
        artifacts_destination=destination,
        lazy_artifacts=False,
        sqlite_synchronous=settings.sqlite_synchronous or None,
    )
    return ServerDeps(backend, settings)


def build_app(settings: ServerSettings) -> FastAPI:
    """A ready app that owns (and on shutdown closes) the backend opened from ``settings``."""
    return create_app(build_deps(settings), close_stores_on_shutdown=True)


def app_from_env() -> FastAPI:
    """App factory for ``uvicorn --factory``: settings from ``ARDEA_SERVER_*`` variables."""
    return build_app(ServerSettings.from_env())
