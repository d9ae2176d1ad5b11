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
from ardea.store.rest.alerts import RestAlertStore
from ardea.store.rest.artifacts import HttpArtifactStore
from ardea.store.rest.datasets import RestDatasetStore
from ardea.store.rest.gateway import RestGatewayStore
from ardea.store.rest.http import RestClient
from ardea.store.rest.issues import RestIssueStore
from ardea.store.rest.registry import RestRegistryStore
from ardea.store.rest.retention import RestRetentionStore
from ardea.store.rest.review import RestReviewStore
from ardea.store.rest.scorers import RestScorerStore
from ardea.store.rest.traces import RestTraceStore
from ardea.store.rest.tracking import RestTrackingStore
from ardea.store.rest.webhooks import RestWebhookStore
from ardea.store.rest.workspaces import RestWorkspaceStore

__all__ = ["open_rest_backend"]


def open_rest_backend(
    uri: str, *, rest: RestClient | None = None, workspace: str = "default"
) -> Backend:
    """Every store of the server at ``uri``.

    Args:
        uri: The server's ``http(s)://host:port[/prefix]`` URL.
        rest: A ready-made client to share (tests pass one with short retry backoff); the
            backend closes it.
        workspace: The workspace the stores act in: other than ``default``, every request
            carries ``X-MLFLOW-WORKSPACE`` (the server must run with workspaces).
            :meth:`Backend.scoped` gives the stores of another workspace.
    """
    uri = uri.rstrip("/")
    root = rest or RestClient(uri)
    client = root if workspace == "default" else root.for_workspace(workspace)

    def artifacts_at(path: str) -> ArtifactStore:
        return HttpArtifactStore(uri, path, rest=client)

    def open_workspace(name: str) -> Backend:
        scoped = open_rest_backend(uri, rest=root, workspace=name)
        object.__setattr__(scoped, "release", lambda: None)  # the root backend closes it
        return scoped

    return Backend(
        uri=uri,
        tracking=RestTrackingStore(uri, rest=client),
        traces=RestTraceStore(uri, rest=client),
        registry=RestRegistryStore(uri, rest=client),
        webhooks=RestWebhookStore(uri, rest=client),
        artifacts=artifacts_at(""),
        remote=True,
        artifacts_at=artifacts_at,
        release=root.close,
        purge=UnavailablePurgeStore(uri),
        importing=UnsupportedImportStore(),
        workspaces=RestWorkspaceStore(root),
        datasets=RestDatasetStore(uri, rest=client),
        scorers=RestScorerStore(uri, rest=client),
        review=RestReviewStore(uri, rest=client),
        issues=RestIssueStore(uri, rest=client),
        alerts=RestAlertStore(uri, rest=client),
        retention=RestRetentionStore(uri, rest=client),
        gateway=RestGatewayStore(uri, rest=client),
        workspace=workspace,
        open_workspace=open_workspace,
    )
