"""PostgreSQL tracking stores for the tests of PostgreSQL-only paths in this folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend
from ardea.store.sql.tracking.store import SqlTrackingStore


@pytest.fixture(scope="module")
def pg_backend(postgres_uri: str) -> Iterator[Backend]:
    """A backend on the test PostgreSQL database, one per test module."""
    backend = open_sql_backend(postgres_uri)
    yield backend
    backend.close()


@pytest.fixture
def pg_tracking_store(pg_backend: Backend) -> SqlTrackingStore:
    """The backend's tracking store, emptied for each test."""
    from fixtures.sql_wipe import wipe  # tests/ joins sys.path after this conftest loads

    wipe(pg_backend.tracking)
    tracking = pg_backend.tracking
    assert isinstance(tracking, SqlTrackingStore)
    return tracking
