"""Tracking URI resolution: env defaults, folders, files, SQL URIs, caching, artifact roots."""

from __future__ import annotations

from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.store import resolve
from ardea.store.sql.tracking.store import SqlTrackingStore


def test_default_tracking_uri(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve.default_tracking_uri() == str(tmp_path / "ardea-data")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://mlflow:5000")
    assert resolve.default_tracking_uri() == "http://mlflow:5000"
    monkeypatch.setenv("ARDEA_TRACKING_URI", "sqlite:///x.db")
    assert resolve.default_tracking_uri() == "sqlite:///x.db"


def test_folder_becomes_sqlite(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    store = resolve.resolve_tracking_store(str(folder))
    assert isinstance(store, SqlTrackingStore)
    assert (folder / "ardea.db").is_file()
    assert resolve.resolve_tracking_store(str(folder)) is store  # cached
    assert resolve.resolve_tracking_store(folder.as_uri()) is store  # file: URI, same db
    store.close()
    reopened = resolve.resolve_tracking_store(str(folder))
    assert reopened is not store and not reopened.closed  # type: ignore[attr-defined]
    reopened.close()


def test_none_uses_default_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    store = resolve.resolve_tracking_store(None)
    assert (tmp_path / "ardea-data" / "ardea.db").is_file()
    assert store.get_experiment("0").name == "Default"
    store.close()


def test_sqlite_uri_and_db_file(tmp_path: Path) -> None:
    store = resolve.resolve_tracking_store(f"sqlite:///{tmp_path / 'a.db'}")
    assert isinstance(store, SqlTrackingStore)
    store.close()
    nested = resolve.resolve_tracking_store(f"sqlite:///{tmp_path / 'new' / 'dir' / 'c.db'}")
    assert (tmp_path / "new" / "dir" / "c.db").is_file()  # parent folders are created
    nested.close()
    by_path = resolve.resolve_tracking_store(str(tmp_path / "b.sqlite"))
    assert (tmp_path / "b.sqlite").is_file()
    by_path.close()


def test_unsupported_scheme() -> None:
    with pytest.raises(InvalidArgumentError, match="Unsupported tracking URI"):
        resolve.resolve_tracking_store("ftp://host/x")


def test_http_uri_gives_rest_store() -> None:
    from ardea.store.rest import RestTrackingStore

    store = resolve.resolve_tracking_store("http://127.0.0.1:1")
    assert isinstance(store, RestTrackingStore)
    store.close()


def test_artifacts_destination(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert resolve.default_artifacts_destination(str(tmp_path / "d")) == str(
        tmp_path / "d" / "artifacts"
    )
    assert resolve.default_artifacts_destination(f"sqlite:///{tmp_path / 'x' / 'a.db'}") == str(
        tmp_path / "x" / "artifacts"
    )
    monkeypatch.chdir(tmp_path)
    assert resolve.default_artifacts_destination("postgresql://u@h/db") == str(
        tmp_path / "ardea-data" / "artifacts"
    )
    assert resolve.default_artifacts_destination(None) == str(tmp_path / "ardea-data" / "artifacts")
    monkeypatch.setenv("ARDEA_ARTIFACTS_DESTINATION", "s3://bucket/prefix")
    assert resolve.default_artifacts_destination(str(tmp_path)) == "s3://bucket/prefix"
