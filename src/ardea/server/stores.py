"""Opening the stores a server needs, from its settings (no web framework imported here)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ardea.server.deps import ServerSettings
    from ardea.store.artifacts.base import ArtifactStore
    from ardea.store.registry import RegistryStore
    from ardea.store.traces import TraceStore
    from ardea.store.tracking import TrackingStore
    from ardea.store.webhooks import WebhookStore

__all__ = ["open_registry_store", "open_stores", "open_trace_store", "open_webhook_store"]


def open_trace_store(tracking_store: TrackingStore) -> TraceStore | None:
    """A trace store sharing ``tracking_store``'s database, or None if it has no SQL database."""
    import importlib.util

    database = getattr(tracking_store, "database", None)
    if database is None or importlib.util.find_spec("ardea.store.sql.traces.store") is None:
        return None
    from ardea.store.sql.traces.store import SqlTraceStore

    return SqlTraceStore(database)


def open_registry_store(tracking_store: TrackingStore) -> RegistryStore | None:
    """A model registry sharing ``tracking_store``'s database, or None if it has no SQL one."""
    database = getattr(tracking_store, "database", None)
    if database is None:
        return None
    from ardea.store.sql.registry.store import SqlRegistryStore

    return SqlRegistryStore(database)


def open_webhook_store(tracking_store: TrackingStore) -> WebhookStore | None:
    """Webhooks on ``tracking_store``'s database, or None if it has no SQL one.

    Secrets are encrypted with ``ARDEA_SECRET_KEY``, else a 0600 key file next to a SQLite
    database (see :mod:`ardea._core.secrets`).
    """
    database = getattr(tracking_store, "database", None)
    if database is None:
        return None
    from ardea.store.sql.webhooks.store import SqlWebhookStore

    return SqlWebhookStore(database)


def open_stores(settings: ServerSettings) -> tuple[TrackingStore, ArtifactStore]:
    """Open the tracking store and the artifact destination named in ``settings``.

    A local artifacts destination folder is created if missing; the tracking database is
    created or migrated to the current schema.
    """
    from ardea.store.artifacts.resolve import is_local_uri, local_path, resolve_artifact_store
    from ardea.store.sql.tracking.store import SqlTrackingStore

    destination = settings.artifacts_destination
    if is_local_uri(destination):
        Path(local_path(destination)).mkdir(parents=True, exist_ok=True)
    artifact_store = resolve_artifact_store(destination)
    try:
        tracking_store = SqlTrackingStore(
            settings.backend_store_uri, default_artifact_root=settings.default_artifact_root
        )
    except BaseException:
        artifact_store.close()
        raise
    return tracking_store, artifact_store
