"""Keys and names that differ only by trailing spaces are distinct on every backend.

MySQL/MariaDB's ``utf8mb4_bin`` is PAD SPACE ("lr" = "lr "); Ardea's tables use a NO PAD
collation there (migration 0006) so that SQLite, PostgreSQL, MySQL and the REST store agree.
Aliases allow no spaces at all, so they are not covered here.
"""

from __future__ import annotations

import pytest

from ardea._core.errors import AlreadyExistsError
from ardea.entities import Metric, Param, RunTag
from ardea.store.registry import RegistryStore
from ardea.store.tracking import TrackingStore
from fixtures import registry_backends as rb

backend = rb.backend  # the registry fixtures (tests/fixtures/registry_backends.py)
reg = rb.reg
postgres_registry_backend = rb.postgres_registry_backend


def test_run_keys_differ_by_trailing_space(tracking_store: TrackingStore) -> None:
    store = tracking_store
    run_id = store.create_run("0", start_time=1).info.run_id
    store.log_batch(
        run_id,
        metrics=[Metric("acc", 1.0, 10, 0), Metric("acc ", 2.0, 10, 0)],
        params=[Param("lr", "0.1"), Param("lr ", "0.2")],
        tags=[RunTag("k", "a"), RunTag("k ", "b")],
    )
    store.log_param(run_id, Param("lr ", "0.2"))  # same value again: allowed, not a conflict
    data = store.get_run(run_id).data
    assert data.params == {"lr": "0.1", "lr ": "0.2"}
    assert {k: v for k, v in data.tags.items() if k.startswith("k")} == {"k": "a", "k ": "b"}
    assert data.metric_values == {"acc": 1.0, "acc ": 2.0}
    assert [m.value for m in store.get_metric_history(run_id, "acc ")] == [2.0]
    assert [m.value for m in store.get_metric_history(run_id, "acc")] == [1.0]
    store.delete_tag(run_id, "k ")
    assert "k" in store.get_run(run_id).data.tags and "k " not in store.get_run(run_id).data.tags


def test_experiment_names_and_tags_differ_by_trailing_space(tracking_store: TrackingStore) -> None:
    store = tracking_store
    plain = store.create_experiment("e")
    padded = store.create_experiment("e ")
    assert plain != padded
    assert store.get_experiment_by_name("e").experiment_id == plain
    assert store.get_experiment_by_name("e ").experiment_id == padded
    with pytest.raises(AlreadyExistsError):
        store.create_experiment("e ")
    store.set_experiment_tag(plain, "t", "1")
    store.set_experiment_tag(plain, "t ", "2")
    assert store.get_experiment(plain).tags == {"t": "1", "t ": "2"}


def test_model_names_and_tags_differ_by_trailing_space(reg: RegistryStore) -> None:
    reg.create_registered_model("m", tags={"k": "a", "k ": "b"})
    reg.create_registered_model("m ", description="padded")
    assert reg.get_registered_model("m").tags == {"k": "a", "k ": "b"}
    assert reg.get_registered_model("m ").description == "padded"
    assert reg.get_registered_model("m").description in (None, "")
    reg.create_model_version("m ", "s3://bucket/padded")
    reg.create_model_version("m", "s3://bucket/plain")
    reg.create_model_version("m", "s3://bucket/plain2")
    assert reg.get_model_version("m ", 1).source == "s3://bucket/padded"
    assert reg.get_model_version("m", 2).source == "s3://bucket/plain2"
    reg.set_model_version_tag("m", 1, "v", "x")
    reg.set_model_version_tag("m", 1, "v ", "y")
    assert reg.get_model_version("m", 1).tags == {"v": "x", "v ": "y"}
    reg.delete_registered_model("m ")
    assert reg.get_registered_model("m").name == "m"  # the other one survives
