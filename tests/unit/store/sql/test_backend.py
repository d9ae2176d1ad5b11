"""The SQL backend factory: opening (in-memory, file, folder), closing, repr, the Default
experiment, the artifact root of new experiments."""

from __future__ import annotations

from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Metric
from ardea.store.sql.backend import open_sql_backend


@pytest.mark.parametrize("uri", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_store(uri: str) -> None:
    backend = open_sql_backend(uri)
    store = backend.tracking
    exp = store.create_experiment("a")
    run_id = store.create_run(exp).info.run_id
    store.log_metric(run_id, Metric("m", 2.0, 1))
    assert store.get_run(run_id).data.metric_values == {"m": 2.0}
    assert [r.info.run_id for r in store.search_runs([exp])] == [run_id]
    backend.close()
    assert store.closed


def test_custom_artifact_root_and_repr(tmp_path: Path) -> None:
    backend = open_sql_backend(f"sqlite:///{tmp_path / 't.db'}", default_artifact_root="/data/art/")
    store = backend.tracking
    assert store.get_experiment("0").artifact_location == "/data/art/0"
    exp = store.create_experiment("x")
    assert store.get_experiment(exp).artifact_location == f"/data/art/{exp}"
    run = store.create_run(exp)
    assert run.info.artifact_uri == f"/data/art/{exp}/{run.info.run_id}/artifacts"
    assert "t.db" in repr(store)
    assert store.default_artifact_root == "/data/art/"
    backend.close()
    store.close()  # idempotent


def test_sqlite_always_migrates(tmp_path: Path) -> None:
    backend = open_sql_backend(f"sqlite:///{tmp_path / 'n.db'}", auto_migrate=False)
    store = backend.tracking
    assert store.get_experiment("0").name == "Default"
    backend.close()


def test_folder_and_missing_parents(tmp_path: Path) -> None:
    backend = open_sql_backend(str(tmp_path / "data"))
    assert (tmp_path / "data" / "ardea.db").is_file()
    backend.close()
    backend = open_sql_backend(f"sqlite:///{tmp_path / 'a' / 'b' / 'x.db'}")
    assert (tmp_path / "a" / "b" / "x.db").is_file()
    backend.close()
    with pytest.raises(InvalidArgumentError, match="server URI"):
        open_sql_backend("http://127.0.0.1:5000")


def test_unopenable_file_raises(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file, not a folder")
    with pytest.raises(Exception):  # noqa: B017 - the OS or SQLite error, whichever comes first
        open_sql_backend(f"sqlite:///{tmp_path / 'blocker' / 'x.db'}")
