"""The real ``mlflow`` client against a live ``ardea server``.

mlflow-skinny 3.18.0 (the dev extra), and 3.17.2 in ``make test``'s second pass
(scripts/test.sh).
"""

from __future__ import annotations

import filecmp
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

mlflow = pytest.importorskip("mlflow")

from mlflow.exceptions import MlflowException  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture
def client(mlflow_env: str, live_server_module: Any) -> Iterator[MlflowClient]:
    yield MlflowClient(live_server_module.url)
    while mlflow.active_run():
        mlflow.end_run()
    mlflow.set_tracking_uri(None)


def error_code(exc: pytest.ExceptionInfo[MlflowException]) -> str:
    return str(exc.value.error_code)


def test_experiment_lifecycle(client: MlflowClient) -> None:
    assert client.get_experiment_by_name("exp-life") is None  # 404 RESOURCE_DOES_NOT_EXIST
    exp = mlflow.set_experiment("exp-life")  # get-by-name 404 -> create -> get
    assert exp.name == "exp-life"
    assert exp.artifact_location == f"mlflow-artifacts:/{exp.experiment_id}"
    with pytest.raises(MlflowException) as exc:
        client.create_experiment("exp-life")
    assert error_code(exc) == "RESOURCE_ALREADY_EXISTS"

    other = client.create_experiment("exp-other", tags={"team": "a"})
    assert client.get_experiment(other).tags == {"team": "a"}
    found = client.search_experiments(filter_string="name LIKE 'exp-%'", order_by=["name ASC"])
    assert [e.name for e in found] == ["exp-life", "exp-other"]

    client.rename_experiment(other, "exp-renamed")
    assert client.get_experiment(other).name == "exp-renamed"
    client.set_experiment_tag(other, "k", "v")
    assert client.get_experiment(other).tags["k"] == "v"
    client.delete_experiment(other)
    assert client.get_experiment(other).lifecycle_stage == "deleted"
    assert "exp-renamed" not in {e.name for e in client.search_experiments()}
    deleted = client.search_experiments(view_type=mlflow.entities.ViewType.DELETED_ONLY)
    assert "exp-renamed" in {e.name for e in deleted}
    client.restore_experiment(other)
    assert client.get_experiment(other).lifecycle_stage == "active"


def test_runs_params_metrics_tags(client: MlflowClient) -> None:
    mlflow.set_experiment("exp-runs")
    with mlflow.start_run(run_name="parent") as parent:
        mlflow.log_param("lr", 0.1)
        mlflow.log_params({"depth": 3, "kind": "tree"})
        for step in range(3):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metrics({"acc": 0.9, "f1": 0.8}, step=2)
        mlflow.set_tag("stage", "dev")
        mlflow.set_tags({"a": "1", "b": "2"})
        with mlflow.start_run(run_name="child", nested=True) as child:
            mlflow.log_metric("inner", 5.0)
        with pytest.raises(MlflowException) as exc:
            mlflow.log_param("lr", 0.2)
        assert error_code(exc) == "INVALID_PARAMETER_VALUE"

    run = client.get_run(parent.info.run_id)
    assert run.info.status == "FINISHED" and run.info.end_time is not None
    assert run.info.run_name == "parent"
    assert run.data.params == {"lr": "0.1", "depth": "3", "kind": "tree"}
    assert run.data.metrics == {"loss": pytest.approx(1 / 3), "acc": 0.9, "f1": 0.8}
    assert run.data.tags["stage"] == "dev" and run.data.tags["b"] == "2"
    assert run.data.tags["mlflow.runName"] == "parent"
    child_run = client.get_run(child.info.run_id)
    assert child_run.data.tags["mlflow.parentRunId"] == parent.info.run_id

    history = client.get_metric_history(parent.info.run_id, "loss")
    assert [(m.step, m.value) for m in history] == [(0, 1.0), (1, 0.5), (2, pytest.approx(1 / 3))]


def test_log_batch_and_tag_delete(client: MlflowClient) -> None:
    from mlflow.entities import Metric, Param, RunTag

    exp_id = client.create_experiment("exp-batch")
    run = client.create_run(exp_id)
    run_id = run.info.run_id
    metrics = [Metric("m", float(i), 1_700_000_000_000 + i, i) for i in range(2500)]
    client.log_batch(
        run_id,
        metrics=metrics,
        params=[Param(f"p{i}", str(i)) for i in range(150)],
        tags=[RunTag("t", "v")],
    )
    history = client.get_metric_history(run_id, "m")
    assert len(history) == 2500 and history[-1].step == 2499
    got = client.get_run(run_id)
    assert len(got.data.params) == 150 and got.data.metrics["m"] == 2499.0
    client.delete_tag(run_id, "t")
    assert "t" not in client.get_run(run_id).data.tags
    client.set_terminated(run_id, "KILLED")
    assert client.get_run(run_id).info.status == "KILLED"


def test_log_input_datasets(client: MlflowClient) -> None:
    import numpy as np
    import pandas as pd

    mlflow.set_experiment("exp-data")
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0, 1, 0]})
    with mlflow.start_run() as run:
        mlflow.log_input(mlflow.data.from_pandas(df, name="frame"), context="training")
        mlflow.log_input(mlflow.data.from_numpy(np.arange(6).reshape(3, 2), name="arr"))
    inputs = client.get_run(run.info.run_id).inputs.dataset_inputs
    by_name = {d.dataset.name: d for d in inputs}
    assert set(by_name) == {"frame", "arr"}
    frame = by_name["frame"]
    assert {t.key: t.value for t in frame.tags}["mlflow.data.context"] == "training"
    assert json.loads(frame.dataset.profile)["num_rows"] == 3
    assert frame.dataset.digest


def test_search_runs_filters_order_and_paging(client: MlflowClient) -> None:
    exp_id = client.create_experiment("exp-search")
    ids = []
    for i in range(5):
        run = client.create_run(
            exp_id, run_name=f"run-{i}", tags={"group": "even" if i % 2 == 0 else "odd"}
        )
        client.log_param(run.info.run_id, "i", str(i))
        client.log_metric(run.info.run_id, "score", float(i))
        client.set_terminated(run.info.run_id)
        ids.append(run.info.run_id)

    runs = client.search_runs([exp_id], "metrics.score >= 2", order_by=["metrics.score DESC"])
    assert [r.info.run_id for r in runs] == [ids[4], ids[3], ids[2]]
    runs = client.search_runs([exp_id], "params.i = '1'")
    assert [r.info.run_id for r in runs] == [ids[1]]
    runs = client.search_runs([exp_id], "tags.group = 'even'", order_by=["params.i ASC"])
    assert [r.info.run_id for r in runs] == [ids[0], ids[2], ids[4]]
    runs = client.search_runs([exp_id], "attributes.run_name = 'run-3'")
    assert [r.info.run_id for r in runs] == [ids[3]]
    runs = client.search_runs([exp_id], "attributes.status = 'FINISHED' and metrics.score < 1")
    assert [r.info.run_id for r in runs] == [ids[0]]

    seen = []
    page = client.search_runs([exp_id], order_by=["metrics.score ASC"], max_results=2)
    seen += [r.info.run_id for r in page]
    while page.token:
        page = client.search_runs(
            [exp_id], order_by=["metrics.score ASC"], max_results=2, page_token=page.token
        )
        seen += [r.info.run_id for r in page]
    assert seen == ids

    frame = mlflow.search_runs(experiment_names=["exp-search"], filter_string="metrics.score > 3")
    assert list(frame["run_id"]) == [ids[4]]

    with pytest.raises(MlflowException) as exc:
        client.search_runs([exp_id], "metrics.score >> 1")
    assert error_code(exc) == "INVALID_PARAMETER_VALUE"


def test_delete_and_restore_run(client: MlflowClient) -> None:
    exp_id = client.create_experiment("exp-delete")
    run_id = client.create_run(exp_id).info.run_id
    client.delete_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "deleted"
    assert client.search_runs([exp_id]) == []
    with pytest.raises(MlflowException) as exc:
        client.log_param(run_id, "p", "1")
    assert error_code(exc) == "INVALID_PARAMETER_VALUE"
    client.restore_run(run_id)
    assert [r.info.run_id for r in client.search_runs([exp_id])] == [run_id]
    with pytest.raises(MlflowException) as exc:
        client.get_run("0" * 32)
    assert error_code(exc) == "RESOURCE_DOES_NOT_EXIST"


def test_artifacts_round_trip(
    client: MlflowClient, tmp_path: Path, live_server_module: Any
) -> None:
    src = tmp_path / "src"
    (src / "nested" / "deeper").mkdir(parents=True)
    (src / "top.txt").write_text("top")
    (src / "nested" / "mid.json").write_text('{"a": 1}')
    (src / "nested" / "deeper" / "leaf.bin").write_bytes(os.urandom(1000))
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(8 * 1024 * 1024))
    page = tmp_path / "page.html"
    page.write_text("<script>alert(1)</script>")

    mlflow.set_experiment("exp-artifacts")
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(big))
        mlflow.log_artifact(str(page), artifact_path="html")
        mlflow.log_artifacts(str(src), artifact_path="tree")
        mlflow.log_dict({"k": [1, 2]}, "cfg/config.json")
        mlflow.log_text("hello text", "notes/readme.txt")
    run_id = run.info.run_id

    top = {f.path: f for f in client.list_artifacts(run_id)}
    assert set(top) == {"big.bin", "html", "tree", "cfg", "notes"}
    assert top["big.bin"].file_size == 8 * 1024 * 1024 and not top["big.bin"].is_dir
    assert top["tree"].is_dir
    nested = {f.path for f in client.list_artifacts(run_id, "tree/nested")}
    assert nested == {"tree/nested/mid.json", "tree/nested/deeper"}

    out = tmp_path / "out"
    out.mkdir()
    local = client.download_artifacts(run_id, "", str(out))
    cmp = filecmp.dircmp(src, Path(local) / "tree")
    assert not cmp.diff_files and not cmp.left_only and not cmp.right_only
    assert (Path(local) / "big.bin").read_bytes() == big.read_bytes()
    assert (Path(local) / "tree/nested/deeper/leaf.bin").read_bytes() == (
        src / "nested/deeper/leaf.bin"
    ).read_bytes()
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/cfg/config.json") == {"k": [1, 2]}
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/notes/readme.txt") == "hello text"

    # Stored under the server's artifacts destination, proxied layout.
    exp_id = run.info.experiment_id
    stored = live_server_module.artifacts_dir / exp_id / run_id / "artifacts" / "big.bin"
    assert stored.read_bytes() == big.read_bytes()


def test_sklearn_log_model_and_load(client: MlflowClient) -> None:
    sklearn = pytest.importorskip("sklearn")
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    assert sklearn
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 0, 1, 1])
    model = LogisticRegression().fit(x, y)
    mlflow.set_experiment("exp-models")
    with mlflow.start_run() as run:
        mlflow.log_param("C", 1.0)
        mlflow.log_metric("acc", 1.0)
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            input_example=x[:2],
            serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE,
            pip_requirements=["scikit-learn"],
        )
    assert info.model_id.startswith("m-")
    logged = client.get_logged_model(info.model_id)
    assert logged.status.to_proto() == 2 or str(logged.status).endswith("READY")
    assert logged.source_run_id == run.info.run_id
    outputs = client.get_run(run.info.run_id).outputs.model_outputs
    assert [o.model_id for o in outputs] == [info.model_id]
    names = {f.path for f in client.list_logged_model_artifacts(info.model_id)}
    assert "MLmodel" in names
    loaded = mlflow.sklearn.load_model(info.model_uri)
    assert list(loaded.predict(x)) == list(model.predict(x))
    found = client.search_logged_models(experiment_ids=[run.info.experiment_id])
    assert info.model_id in {m.model_id for m in found}


def test_multipart_upload_goes_through_the_server(
    client: MlflowClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, live_server_module: Any
) -> None:
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", str(1024 * 1024))
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", str(1024 * 1024))
    data = os.urandom(3 * 1024 * 1024 + 123)
    src = tmp_path / "weights.bin"
    src.write_bytes(data)
    mlflow.set_experiment("exp-mpu")
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(src), artifact_path="w")
    stored = (
        live_server_module.artifacts_dir
        / run.info.experiment_id
        / run.info.run_id
        / "artifacts"
        / "w"
        / "weights.bin"
    )
    assert stored.read_bytes() == data
    out = client.download_artifacts(run.info.run_id, "w/weights.bin", str(tmp_path / "dl"))
    assert Path(out).read_bytes() == data


def test_the_client_is_the_release_this_pass_is_for() -> None:
    """The dev extra pins the newest mlflow; make test's second pass sets the previous one."""
    import re

    import mlflow

    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    pinned = re.search(r'"mlflow-skinny==([^"]+)"', pyproject)
    assert pinned is not None
    expected = os.environ.get("ARDEA_TEST_MLFLOW_VERSION", pinned.group(1))
    assert mlflow.__version__ == expected
