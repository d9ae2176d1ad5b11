"""Building a server from settings: real stores from URIs, and the ``--workers`` app factory."""

from __future__ import annotations

from fastapi import FastAPI

from ardea.server.app import create_app
from ardea.server.deps import ServerDeps, ServerSettings
from ardea.server.stores import open_stores

__all__ = ["app_from_env", "build_app", "build_deps"]


def build_deps(settings: ServerSettings) -> ServerDeps:
    """Open the tracking store and the artifact destination named in ``settings``."""
    tracking_store, artifact_store = open_stores(settings)
    return ServerDeps(tracking_store, artifact_store, settings)


def build_app(settings: ServerSettings) -> FastAPI:
    """A ready app that owns (and on shutdown closes) stores opened from ``settings``."""
    return create_app(build_deps(settings), close_stores_on_shutdown=True)


def app_from_env() -> FastAPI:
    """App factory for ``uvicorn --factory``: settings from ``ARDEA_SERVER_*`` variables."""
    return build_app(ServerSettings.from_env())
