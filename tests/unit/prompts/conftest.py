"""Prompt SDK tests run the fluent API against a fresh embedded store (folder or SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import ardea


@pytest.fixture(params=["folder", "sqlite"])
def tracking_uri(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The fluent API pointed at a fresh embedded store."""
    uri = str(tmp_path / "data") if request.param == "folder" else f"sqlite:///{tmp_path}/p.db"
    ardea.set_tracking_uri(uri)
    yield uri
    while ardea.active_run() is not None:
        ardea.end_run()
    ardea.set_tracking_uri(None)
