"""The registry that goes with a tracking store (same database, or same server)."""

from __future__ import annotations

from ardea._core.errors import NotImplementedFeatureError
from ardea.store.registry import RegistryStore
from ardea.store.tracking import TrackingStore

__all__ = ["registry_store_for"]


def registry_store_for(tracking: TrackingStore) -> RegistryStore:
    """A :class:`RegistryStore` next to ``tracking``.

    A SQL tracking store gives a :class:`~ardea.store.sql.registry.store.SqlRegistryStore` on its
    database (closing the tracking store closes it too); a REST tracking store gives a
    :class:`~ardea.store.rest.registry.RestRegistryStore` sharing its HTTP client.

    Raises:
        NotImplementedFeatureError: ``tracking`` is neither.
    """
    database = getattr(tracking, "database", None)
    if database is not None:
        from ardea.store.sql.registry.store import SqlRegistryStore

        return SqlRegistryStore(database)
    rest = getattr(tracking, "rest", None)
    uri = getattr(tracking, "uri", None)
    if rest is not None and isinstance(uri, str):
        from ardea.store.rest.registry import RestRegistryStore

        return RestRegistryStore(uri, rest=rest)
    raise NotImplementedFeatureError(f"{type(tracking).__name__} has no model registry")
