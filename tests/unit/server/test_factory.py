"""Opening a server's backend from settings, and the ``--workers`` app factory."""

from __future__ import annotations

from pathlib import Path

import pytest

from ardea.server.deps import ServerSettings
from ardea.server.factory import app_from_env, build_deps


def test_build_deps_creates_the_database_and_the_folder(tmp_path: Path) -> None:
    settings = ServerSettings(
        backend_store_uri=f"sqlite:///{tmp_path / 'a.db'}",
        artifacts_destination=str(tmp_path / "deep" / "artifacts"),
        default_artifact_root="mlflow-artifacts:/",
    )
    backend = build_deps(settings).backend
    try:
        assert (tmp_path / "a.db").is_file()
        assert (tmp_path / "deep" / "artifacts").is_dir()
        exp_id = backend.tracking.create_experiment("x")
        location = backend.tracking.get_experiment(exp_id).artifact_location
        assert location == f"mlflow-artifacts:/{exp_id}"
        backend.artifacts.put("k/f.txt", b"1")
        assert (tmp_path / "deep" / "artifacts" / "k" / "f.txt").read_bytes() == b"1"
    finally:
        backend.close()
    assert backend.closed and backend.tracking.closed


def test_build_deps_honours_the_default_artifact_root(tmp_path: Path) -> None:
    root = tmp_path / "direct"
    deps = build_deps(
        ServerSettings(
            backend_store_uri=f"sqlite:///{tmp_path / 'b.db'}",
            artifacts_destination=str(tmp_path / "artifacts"),
            default_artifact_root=str(root),
        )
    )
    try:
        exp_id = deps.backend.tracking.create_experiment("y")
        location = deps.backend.tracking.get_experiment(exp_id).artifact_location
        assert location.endswith(f"direct/{exp_id}")
    finally:
        deps.backend.close()


def test_app_from_env_reads_server_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = ServerSettings(
        backend_store_uri=f"sqlite:///{tmp_path / 'c.db'}",
        artifacts_destination=str(tmp_path / "arts"),
        serve_artifacts=False,
    )
    for key, value in settings.to_env().items():
        monkeypatch.setenv(key, value)
    app = app_from_env()
    try:
        assert app.state.ardea.deps.settings == settings
        assert (tmp_path / "c.db").is_file()
    finally:
        app.state.ardea.deps.backend.close()


def test_a_bad_backend_uri_fails_to_open(tmp_path: Path) -> None:
    settings = ServerSettings(
        backend_store_uri="nosuchdb://x", artifacts_destination=str(tmp_path / "arts")
    )
    with pytest.raises(Exception):  # noqa: B017 - any clear failure, before serving
        build_deps(settings)


def test_a_bad_artifacts_destination_closes_the_database(tmp_path: Path) -> None:
    from ardea._core.errors import InvalidArgumentError

    settings = ServerSettings(
        backend_store_uri=f"sqlite:///{tmp_path / 'd.db'}", artifacts_destination="ftp://x/y"
    )
    with pytest.raises(InvalidArgumentError, match="Unsupported artifact URI scheme"):
        build_deps(settings)


def test_build_deps_passes_the_sqlite_synchronous_mode(tmp_path: Path) -> None:
    deps = build_deps(
        ServerSettings(
            backend_store_uri=f"sqlite:///{tmp_path / 'full.db'}",
            artifacts_destination=str(tmp_path / "arts"),
            sqlite_synchronous="full",
        )
    )
    try:
        database = deps.backend.tracking.database  # type: ignore[attr-defined]
        pragma = database.write(lambda c: c.exec_driver_sql("PRAGMA synchronous").scalar())
        assert pragma == 2  # FULL
    finally:
        deps.backend.close()
