"""Fixtures of the gateway tests: the fake provider, a SQLite backend with an experiment."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend

_TESTS = str(Path(__file__).resolve().parents[2])
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from fixtures.fake_llm_server import FakeLLMServer, fake_llm  # noqa: E402

__all__ = ["fake_llm"]


@pytest.fixture
def fake(fake_llm: FakeLLMServer) -> Iterator[FakeLLMServer]:
    """The session's fake provider, reset."""
    fake_llm.reset()
    yield fake_llm
    fake_llm.reset()


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    """A SQLite backend in ``tmp_path``."""
    b = open_sql_backend(
        f"sqlite:///{tmp_path / 'ardea.db'}",
        artifacts_destination=str(tmp_path / "artifacts"),
        lazy_artifacts=False,
    )
    yield b
    b.close()


@pytest.fixture
def experiment_id(backend: Backend) -> str:
    """An experiment for request traces."""
    return backend.tracking.create_experiment("gateway")
