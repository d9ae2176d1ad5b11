"""Experiments in the SQL store: a relative artifact location is kept absolute (MLflow's rule)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ardea.store.sql.backend import open_sql_backend


def test_a_relative_location_is_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    backend = open_sql_backend(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        store = backend.tracking
        experiment_id = store.create_experiment("rel", artifact_location="my_location")
        location = store.get_experiment(experiment_id).artifact_location
        assert location == f"{Path.cwd().as_posix()}/my_location"
        other = store.create_experiment("abs", artifact_location="s3://bucket/x")
        assert store.get_experiment(other).artifact_location == "s3://bucket/x"
    finally:
        backend.close()
