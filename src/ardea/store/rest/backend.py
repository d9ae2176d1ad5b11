"""The REST backend factory: every store of a server, sharing one HTTP client.

The stores speak MLflow's REST wire (and Ardea's own endpoints where MLflow has none) to an
Ardea or MLflow server; they share one :class:`RestClient` (its connection pool, retries and
credentials), which the backend closes.
"""

from __future__ import annotations

from ardea.store.artifacts.base import ArtifactStore
from ardea.store.backend import Backend
from ardea.store.importing import UnsupportedImportStore
from ardea.store.purge import UnavailablePurgeStore
from ardea.store.rest.artifacts import HttpArtifactStore
from ardea.store.rest.http import RestClient
from ardea.store.rest.registry import RestRegistryStore
from ardea.store.rest.traces import RestTraceStore
from ardea.store.rest.tracking import RestTrackingStore
from ardea.store.rest.webhooks import RestWebhookStore

__all__ = ["open_rest_backend"]


def open_rest_backend(uri: str, *, rest: RestClient | None = None) -> Backend:
    """Every store of the server at ``uri``.

    Args:
        uri: The server's ``http(s)://host:port[/prefix]`` URL.
        rest: A ready-made client to share (tests pass one with short retry backoff); the
            backend closes it.
    """
    uri = uri.rstrip("/")
    client = rest or RestClient(uri)

    def artifacts_at(path: str) -> ArtifactStore:
        return HttpArtifactStore(uri, path, rest=client)

    return Backend(
        uri=uri,
        tracking=RestTrackingStore(uri, rest=client),
        traces=RestTraceStore(uri, rest=client),
        registry=RestRegistryStore(uri, rest=client),
        webhooks=RestWebhookStore(uri, rest=client),
        artifacts=artifacts_at(""),
        remote=True,
        artifacts_at=artifacts_at,
        release=client.close,
        purge=UnavailablePurgeStore(uri),
        importing=UnsupportedImportStore(),
    )
