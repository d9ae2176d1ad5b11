"""An auth store on a fresh SQLite database per test (tests/contract runs the flows on
PostgreSQL and MySQL too)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea.store.auth import AuthStore
from ardea.store.backend import Backend


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    from ardea.store.sql.backend import open_sql_backend

    b = open_sql_backend(f"sqlite:///{tmp_path / 'auth.db'}")
    yield b
    b.close()


@pytest.fixture
def store(backend: Backend) -> AuthStore:
    return backend.require_auth()
