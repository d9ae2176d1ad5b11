"""Tracking URIs: env defaults, folders, files, SQL URIs, server URIs, artifact destinations."""

from __future__ import annotations

from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.store import uri


def test_default_tracking_uri(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert uri.default_tracking_uri() == str(tmp_path / "ardea-data")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://mlflow:5000")
    assert uri.default_tracking_uri() == "http://mlflow:5000"
    monkeypatch.setenv("ARDEA_TRACKING_URI", "sqlite:///x.db")
    assert uri.default_tracking_uri() == "sqlite:///x.db"


def test_sql_uri_for_folders_files_and_servers(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    assert uri.sql_uri_for(str(folder)) == f"sqlite:///{folder / 'ardea.db'}"
    assert folder.is_dir()  # created
    assert uri.sql_uri_for(folder.as_uri()) == f"sqlite:///{folder / 'ardea.db'}"
    assert uri.sql_uri_for(str(tmp_path / "b.sqlite")) == f"sqlite:///{tmp_path / 'b.sqlite'}"
    nested = f"sqlite:///{tmp_path / 'new' / 'dir' / 'c.db'}"
    assert uri.sql_uri_for(nested) == nested
    assert (tmp_path / "new" / "dir").is_dir()  # parent folders are created
    assert uri.sql_uri_for("postgresql://u:p@h/db") == "postgresql://u:p@h/db"
    assert uri.sql_uri_for("http://127.0.0.1:5000") is None
    assert uri.is_server_uri("https://x") and not uri.is_server_uri(str(folder))


def test_unsupported_scheme() -> None:
    with pytest.raises(InvalidArgumentError, match="Unsupported tracking URI"):
        uri.sql_uri_for("ftp://host/x")


def test_artifacts_destination(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert uri.default_artifacts_destination(str(tmp_path / "d")) == str(
        tmp_path / "d" / "artifacts"
    )
    assert uri.default_artifacts_destination(f"sqlite:///{tmp_path / 'x' / 'a.db'}") == str(
        tmp_path / "x" / "artifacts"
    )
    monkeypatch.chdir(tmp_path)
    assert uri.default_artifacts_destination("postgresql://u@h/db") == str(
        tmp_path / "ardea-data" / "artifacts"
    )
    assert uri.default_artifacts_destination(None) == str(tmp_path / "ardea-data" / "artifacts")
    monkeypatch.setenv("ARDEA_ARTIFACTS_DESTINATION", "s3://bucket/p")
    assert uri.default_artifacts_destination(None) == "s3://bucket/p"


def test_redact_uri_hides_only_the_password() -> None:
    assert uri.redact_uri("postgresql+psycopg://ardea:s3cret@db:5432/x") == (
        "postgresql+psycopg://ardea:***@db:5432/x"
    )
    assert uri.redact_uri("sqlite:////tmp/a.db") == "sqlite:////tmp/a.db"
    assert uri.redact_uri("http://user@host:1/p") == "http://user@host:1/p"
