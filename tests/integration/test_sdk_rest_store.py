"""RestTrackingStore and HttpArtifactStore against a live ``ardea server``."""

from __future__ import annotations

import pytest

from ardea import AlreadyExistsError, InvalidArgumentError, NotFoundError, UnavailableError
from ardea.entities import Dataset, DatasetInput, Metric, Param, RunTag, ViewType
from ardea.store.rest import HttpArtifactStore, RestClient, RestTrackingStore


@pytest.fixture
def store(live_server_module) -> RestTrackingStore:
    s = RestTrackingStore(live_server_module.url)
    yield s
    s.close()


def test_experiments(store: RestTrackingStore) -> None:
    exp_id = store.create_experiment("rest-exp", tags=[("a", "1")])
    exp = store.get_experiment(exp_id)
    assert exp.name == "rest-exp"
    assert exp.tags == {"a": "1"}
    assert exp.artifact_location.startswith("mlflow-artifacts:/")
    assert store.get_experiment_by_name("rest-exp").experiment_id == exp_id
    with pytest.raises(AlreadyExistsError):
        store.create_experiment("rest-exp")
    with pytest.raises(NotFoundError):
        store.get_experiment_by_name("no-such-experiment")
    store.rename_experiment(exp_id, "rest-exp-2")
    store.set_experiment_tag(exp_id, "b", "2")
    store.delete_experiment_tag(exp_id, "a")
    assert store.get_experiment(exp_id).tags == {"b": "2"}
    names = [e.name for e in store.search_experiments(filter_string="name LIKE 'rest-exp%'")]
    assert names == ["rest-exp-2"]
    store.delete_experiment(exp_id)
    assert store.get_experiment(exp_id).lifecycle_stage == "deleted"
    store.restore_experiment(exp_id)
    assert store.get_experiment(exp_id).lifecycle_stage == "active"


def test_runs_and_batch_splitting(store: RestTrackingStore) -> None:
    exp_id = store.create_experiment("rest-runs")
    run = store.create_run(exp_id, user_id="me", start_time=1000, tags=[RunTag("t", "v")])
    rid = run.info.run_id
    metrics = [Metric("loss", float(i), 1_700_000_000_000 + i, i) for i in range(2500)]
    params = [Param(f"p{i}", str(i)) for i in range(150)]
    tags = [RunTag(f"tag{i}", "x") for i in range(120)]
    store.log_batch(rid, metrics=metrics, params=params, tags=tags)
    stored = store.get_run(rid)
    assert len(stored.data.params) == 150
    assert sum(k.startswith("tag") for k in stored.data.tags) == 120
    history = store.get_metric_history(rid, "loss")
    assert [m.step for m in history] == list(range(2500))
    page = store.get_metric_history(rid, "loss", max_results=1000)
    assert len(page) == 1000 and page.token
    store.log_inputs(
        rid, [DatasetInput(Dataset("d", "abc", "code", "{}"), {"mlflow.data.context": "train"})]
    )
    assert store.get_run(rid).inputs.dataset_inputs[0].dataset.name == "d"
    info = store.update_run_info(rid, status="FINISHED", end_time=2000, run_name="renamed")
    assert (info.status, info.end_time, info.run_name) == ("FINISHED", 2000, "renamed")
    store.set_tag(rid, RunTag("x", "1"))
    store.delete_tag(rid, "x")
    assert "x" not in store.get_run(rid).data.tags
    found = store.search_runs([exp_id], filter_string="params.p1 = '1'")
    assert [r.info.run_id for r in found] == [rid]
    store.delete_run(rid)
    assert store.search_runs([exp_id]) == []
    assert len(store.search_runs([exp_id], run_view_type=ViewType.DELETED_ONLY)) == 1
    store.restore_run(rid)
    bulk = store.get_metric_history_bulk_interval([rid], "loss", max_results=10)
    assert 0 < len(bulk) <= 12 and all(m.run_id == rid for m in bulk)


def test_typed_errors(store: RestTrackingStore) -> None:
    with pytest.raises(NotFoundError):
        store.get_run("f" * 32)
    with pytest.raises(NotFoundError):
        store.get_experiment("987654")
    rid = store.create_run("0").info.run_id
    store.log_param(rid, Param("p", "1"))
    with pytest.raises(InvalidArgumentError, match="Changing param values"):
        store.log_param(rid, Param("p", "2"))
    with pytest.raises(InvalidArgumentError):
        store.search_runs(["0"], filter_string="metrics.a >>> 1")


def test_unreachable_server_is_unavailable() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    store = RestTrackingStore(url, rest=RestClient(url, max_retries=1, backoff_factor=0.001))
    with pytest.raises(UnavailableError):
        store.get_experiment("0")


def test_http_artifact_store(live_server_module, tmp_path) -> None:
    art = HttpArtifactStore(live_server_module.url, "0/some-run/artifacts")
    assert art.put("a/b.txt", b"hello") == 5
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (3 * 1024 * 1024 + 7))
    assert art.put_file("a/big.bin", big) == 3 * 1024 * 1024 + 7
    assert art.put("top.txt", iter([b"ab", b"cd"])) == 4
    assert art.get("a/b.txt") == b"hello"
    assert b"".join(art.open("a/big.bin")) == big.read_bytes()
    assert [(f.path, f.is_dir) for f in art.list()] == [("a", True), ("top.txt", False)]
    assert [(f.path, f.file_size) for f in art.list("a")] == [
        ("a/b.txt", 5),
        ("a/big.bin", big.stat().st_size),
    ]
    assert art.size("top.txt") == 4
    assert (
        live_server_module.artifacts_dir / "0/some-run/artifacts/a/b.txt"
    ).read_bytes() == b"hello"
    art.delete("a/b.txt")
    assert [f.path for f in art.list("a")] == ["a/big.bin"]
    art.delete("not/there.txt")
    with pytest.raises(NotFoundError):
        art.get("a/b.txt")
    with pytest.raises(InvalidArgumentError):
        art.put("../escape.txt", b"x")
    art.close()
