"""Fluent-API tests run against an embedded store in a temporary folder (or SQLite file)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import ardea


def _reset() -> None:
    while ardea.active_run() is not None:
        ardea.end_run()
    ardea.set_tracking_uri(None)


@pytest.fixture(params=["folder", "sqlite"])
def tracking_uri(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The fluent API pointed at a fresh embedded store: a data folder or a sqlite:/// URI."""
    if request.param == "folder":
        uri = str(tmp_path / "data")
    else:
        (tmp_path / "db").mkdir()
        uri = f"sqlite:///{tmp_path / 'db' / 'track.db'}"
    ardea.set_tracking_uri(uri)
    yield uri
    _reset()


@pytest.fixture
def folder_uri(tmp_path: Path) -> Iterator[str]:
    """The fluent API pointed at a fresh data folder (one backend, for slower tests)."""
    uri = str(tmp_path / "data")
    ardea.set_tracking_uri(uri)
    yield uri
    _reset()
