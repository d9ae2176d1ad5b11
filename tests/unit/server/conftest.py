"""A real app (a SQLite backend, local artifact folder) and a sync client for it.

The client drives the ASGI app in-process through ``httpx.ASGITransport`` on an anyio portal,
so tests stay plain functions.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea.server.app import create_app
from ardea.server.deps import ServerDeps, ServerSettings
from ardea.store.sql.backend import open_sql_backend

from .support import Client

_TESTS = str(Path(__file__).resolve().parents[2])
if _TESTS not in sys.path:  # tests/ holds the shared fixture modules
    sys.path.insert(0, _TESTS)
_s3 = importlib.import_module("fixtures.s3")
s3_server = _s3.s3_server
s3_env = _s3.s3_env


@pytest.fixture
def deps(tmp_path: Path) -> Iterator[ServerDeps]:
    backend = open_sql_backend(
        f"sqlite:///{tmp_path / 'ardea.db'}",
        artifacts_destination=str(tmp_path / "artifacts"),
        lazy_artifacts=False,
    )
    yield ServerDeps(backend, ServerSettings())
    backend.close()


@pytest.fixture
def client(deps: ServerDeps) -> Iterator[Client]:
    c = Client(create_app(deps))
    yield c
    c.close()
