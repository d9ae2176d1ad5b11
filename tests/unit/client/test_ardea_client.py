"""ArdeaClient on an embedded store: experiments, runs, logging and search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea import AlreadyExistsError, InvalidArgumentError, NotFoundError
from ardea.client import ArdeaClient
from ardea.entities import Metric, Param, RunTag, ViewType


@pytest.fixture(params=["folder", "sqlite"])
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ArdeaClient]:
    uri = str(tmp_path / "data") if request.param == "folder" else f"sqlite:///{tmp_path}/t.db"
    c = ArdeaClient(uri)
    yield c
    c.close()


def test_experiment_lifecycle(client: ArdeaClient) -> None:
    exp_id = client.create_experiment("e1", tags={"team": "a"})
    exp = client.get_experiment(exp_id)
    assert exp.name == "e1"
    assert exp.tags == {"team": "a"}
    assert client.get_experiment_by_name("e1").experiment_id == exp_id
    assert client.get_experiment_by_name("nope") is None
    with pytest.raises(AlreadyExistsError):
        client.create_experiment("e1")
    client.rename_experiment(exp_id, "e2")
    client.set_experiment_tag(exp_id, "k", 5)
    client.delete_experiment_tag(exp_id, "team")
    exp = client.get_experiment(exp_id)
    assert (exp.name, exp.tags) == ("e2", {"k": "5"})
    client.delete_experiment(exp_id)
    assert client.get_experiment(exp_id).lifecycle_stage == "deleted"
    active = [e.name for e in client.search_experiments()]
    deleted = [e.name for e in client.search_experiments(view_type=ViewType.DELETED_ONLY)]
    assert "e2" not in active and deleted == ["e2"]
    client.restore_experiment(exp_id)
    assert [e.name for e in client.search_experiments(filter_string="name = 'e2'")] == ["e2"]
    with pytest.raises(NotFoundError):
        client.get_experiment("999999")


def test_run_lifecycle_and_logging(client: ArdeaClient) -> None:
    exp_id = client.create_experiment("runs")
    run = client.create_run(exp_id, run_name="alpha", tags={"t": 1})
    rid = run.info.run_id
    assert run.info.status == "RUNNING"
    assert run.data.tags["mlflow.runName"] == "alpha"
    client.log_param(rid, "p", 1)
    client.log_metric(rid, "m", 2.0, step=4)
    client.log_batch(
        rid,
        metrics=[Metric("b", 1.0, 1000, 0)],
        params=[Param("q", "x")],
        tags=[RunTag("u", "v")],
    )
    client.set_tag(rid, "gone", "1")
    client.delete_tag(rid, "gone")
    client.update_run(rid, name="beta")
    info = client.set_terminated(rid, "FAILED")
    assert info.status == "FAILED" and info.end_time is not None
    stored = client.get_run(rid)
    assert stored.info.run_name == "beta"
    assert stored.data.params == {"p": "1", "q": "x"}
    assert stored.data.metric_values == {"m": 2.0, "b": 1.0}
    assert "gone" not in stored.data.tags
    assert [m.step for m in client.get_metric_history(rid, "m")] == [4]
    client.delete_run(rid)
    assert client.search_runs(exp_id) == []
    assert len(client.search_runs(exp_id, run_view_type=ViewType.ALL)) == 1
    client.restore_run(rid)
    assert [r.info.run_id for r in client.search_runs([exp_id])] == [rid]
    with pytest.raises(NotFoundError):
        client.get_run("0" * 32)
    with pytest.raises(ValueError):
        client.update_run(rid, status="WHATEVER")


def test_async_batch_and_flush(client: ArdeaClient) -> None:
    rid = client.create_run("0").info.run_id
    for i in range(1500):
        client.log_metric(rid, "a", float(i), step=i, synchronous=False)
    client.log_batch(rid, metrics=[Metric("b", 1.0, 1, 0)], synchronous=False)
    client.flush()
    assert len(client.get_metric_history(rid, "a")) == 1500
    assert client.get_run(rid).data.metric_values["b"] == 1.0


def test_search_runs_paging(client: ArdeaClient) -> None:
    exp_id = client.create_experiment("paging")
    ids = {client.create_run(exp_id).info.run_id for _ in range(5)}
    page1 = client.search_runs(exp_id, max_results=3)
    assert len(page1) == 3 and page1.token
    page2 = client.search_runs(exp_id, max_results=3, page_token=page1.token)
    assert {r.info.run_id for r in [*page1, *page2]} == ids
    assert page2.token is None


def test_bad_inputs(client: ArdeaClient) -> None:
    rid = client.create_run("0").info.run_id
    with pytest.raises(InvalidArgumentError):
        client.log_metric(rid, "m", "x")
    with pytest.raises(InvalidArgumentError):
        client.log_metric(rid, "bad key!", 1.0)
    with pytest.raises(InvalidArgumentError):
        client.search_runs("0", filter_string="params.a ==== 1")


def test_reconfigure_in_place(tmp_path: Path) -> None:
    c = ArdeaClient(str(tmp_path / "one"))
    try:
        c.create_experiment("only-in-one")
        c.reconfigure(str(tmp_path / "two"))
        assert c.tracking_uri == str(tmp_path / "two")
        assert c.get_experiment_by_name("only-in-one") is None
    finally:
        c.close()


def test_reconfigure_writes_pending_points_to_the_old_backend(tmp_path: Path) -> None:
    c = ArdeaClient(str(tmp_path / "old"))
    try:
        rid = c.create_run("0").info.run_id
        for i in range(3000):
            c.log_metric(rid, "m", float(i), step=i, synchronous=False)
        c.reconfigure(str(tmp_path / "new"))
        with pytest.raises(NotFoundError):
            c.get_run(rid)
        c.reconfigure(str(tmp_path / "old"))
        assert len(c.get_metric_history(rid, "m")) == 3000
    finally:
        c.close()
