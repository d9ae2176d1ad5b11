"""One backend per URI: SQL and REST factories, the shared cache, closing, artifacts."""

from __future__ import annotations

from pathlib import Path

import pytest

from ardea._core.errors import FailedPreconditionError, InvalidArgumentError
from ardea.store.backend import Backend
from ardea.store.resolve import open_backend, resolve_backend


def test_a_sql_backend_puts_every_store_on_one_database(tmp_path: Path) -> None:
    from ardea.store.sql.backend import open_sql_backend

    backend = open_sql_backend(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        databases = {
            id(backend.tracking.database),  # type: ignore[attr-defined]
            id(backend.traces.database),  # type: ignore[attr-defined]
            id(backend.registry.database),  # type: ignore[attr-defined]
            id(backend.webhooks.database),  # type: ignore[attr-defined]
            id(backend.require_auth().database),  # type: ignore[attr-defined]
        }
        assert len(databases) == 1
        assert not backend.remote
        exp = backend.tracking.create_experiment("e")
        backend.registry.create_registered_model("m")
        assert backend.tracking.get_experiment(exp).name == "e"
    finally:
        backend.close()
    assert backend.closed and backend.tracking.closed
    backend.close()  # a second close does nothing


def test_artifacts_open_on_first_use(tmp_path: Path) -> None:
    from ardea.store.sql.backend import open_sql_backend

    dest = tmp_path / "arts"
    backend = open_sql_backend(f"sqlite:///{tmp_path / 'a.db'}", artifacts_destination=str(dest))
    try:
        assert not dest.exists()  # opening a backend to log a metric makes no folder
        backend.artifacts.put("1/x.txt", b"hi")
        assert (dest / "1" / "x.txt").read_bytes() == b"hi"
        assert backend.artifacts.supports_multipart
        sub = backend.artifacts_at("1")
        assert sub.get("x.txt") == b"hi"
        sub.close()
    finally:
        backend.close()


def test_a_server_uri_gives_a_rest_backend_sharing_one_client() -> None:
    backend = open_backend("http://127.0.0.1:1")
    try:
        assert backend.remote and backend.uri == "http://127.0.0.1:1"
        clients = {
            id(store._rest)  # type: ignore[attr-defined]
            for store in (backend.tracking, backend.traces, backend.registry, backend.webhooks)
        }
        assert len(clients) == 1
    finally:
        backend.close()


def test_resolve_backend_caches_per_database(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    backend = resolve_backend(str(folder))
    assert (folder / "ardea.db").is_file()
    assert resolve_backend(str(folder)) is backend  # cached
    assert resolve_backend(folder.as_uri()) is backend  # file: URI, same database
    assert resolve_backend(f"sqlite:///{folder / 'ardea.db'}") is backend
    backend.close()
    reopened = resolve_backend(str(folder))
    assert reopened is not backend and not reopened.closed
    reopened.close()


def test_none_uses_the_default_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    backend = resolve_backend(None)
    try:
        assert (tmp_path / "ardea-data" / "ardea.db").is_file()
        assert backend.tracking.get_experiment("0").name == "Default"
    finally:
        backend.close()


def test_an_unsupported_uri_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="Unsupported tracking URI"):
        open_backend("ftp://host/x")


def test_repr_never_shows_a_password() -> None:
    backend = Backend(
        uri="postgresql://ardea:hunter2@db/x",
        tracking=None,  # type: ignore[arg-type]
        traces=None,  # type: ignore[arg-type]
        registry=None,  # type: ignore[arg-type]
        webhooks=None,  # type: ignore[arg-type]
        artifacts=None,  # type: ignore[arg-type]
        remote=False,
        artifacts_at=lambda path: None,  # type: ignore[arg-type,return-value]
        release=lambda: None,
    )
    assert "hunter2" not in repr(backend) and "ardea:***@db" in repr(backend)


def test_a_server_backend_has_no_auth_store() -> None:
    backend = open_backend("http://u:secret@127.0.0.1:1")
    try:
        assert backend.auth is None
        with pytest.raises(FailedPreconditionError, match="is a server: users and tokens") as e:
            backend.require_auth()
        assert "secret" not in str(e.value)
    finally:
        backend.close()


def test_scoped_backends_share_the_database_and_see_their_workspace(tmp_path: Path) -> None:
    from ardea._core.errors import NotFoundError
    from ardea.store.sql.backend import open_sql_backend

    root = open_sql_backend(f"sqlite:///{tmp_path / 'ws.db'}")
    assert root.workspace == "default" and root.scoped("default") is root
    with pytest.raises(NotFoundError, match="Workspace 'team-a' not found"):
        root.scoped("team-a")
    root.workspaces.create_workspace("team-a")
    team = root.scoped("team-a")
    assert root.scoped("team-a") is team  # cached per workspace
    assert team.scoped("default") is root and team.scoped("team-a") is team
    assert "team-a" in repr(team)
    assert team.tracking.database is root.tracking.database  # type: ignore[attr-defined]
    assert team.auth is root.auth  # users and grants are shared by every workspace
    experiment_id = team.tracking.create_experiment("e")
    assert team.tracking.get_experiment(experiment_id).workspace == "team-a"
    with pytest.raises(NotFoundError):
        root.tracking.get_experiment(experiment_id)
    team.close()  # a scoped backend's close leaves the database open
    assert not root.closed
    root.workspaces.update_workspace("team-a", default_artifact_root="s3://b/t")
    rebuilt = root.scoped("team-a")  # the change dropped the cached stores
    assert rebuilt is not team
    assert rebuilt.tracking.default_artifact_root == "s3://b/t"  # type: ignore[attr-defined]
    root.close()
    assert team.closed and rebuilt.closed
