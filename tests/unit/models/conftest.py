"""Model-format tests log to an embedded store in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import ardea


@pytest.fixture
def store_uri(tmp_path: Path) -> Iterator[str]:
    """The fluent API pointed at a fresh data folder."""
    uri = str(tmp_path / "data")
    ardea.set_tracking_uri(uri)
    yield uri
    while ardea.active_run() is not None:
        ardea.end_run()
    ardea.set_tracking_uri(None)
