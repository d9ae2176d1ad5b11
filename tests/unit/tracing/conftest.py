"""Fixtures for the tracing SDK: an in-memory exporter, and a clean setup around each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ardea.tracing import provider
from ardea.tracing.exporters import InMemoryExporter


@pytest.fixture(autouse=True)
def _fresh_tracing() -> Iterator[None]:
    provider.reset()
    yield
    provider.reset()


@pytest.fixture
def exporter() -> InMemoryExporter:
    """Ardea configured to export into memory, with a short export delay."""
    memory = InMemoryExporter()
    provider.configure(exporter=memory, schedule_delay=0.05)
    return memory


def _by_name(memory: InMemoryExporter) -> dict[str, Any]:
    provider.flush()
    return {span.name: span for span in memory.spans}


@pytest.fixture
def by_name() -> Callable[[InMemoryExporter], dict[str, Any]]:
    """Flush, then the exported OTel spans by name."""
    return _by_name
