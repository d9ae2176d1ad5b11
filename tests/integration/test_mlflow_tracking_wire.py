"""The stock mlflow client (3.18) and raw HTTP against a live ``ardea server``: the tracking
and registry details MLflow's own REST suite checks (issue: MLflow suite failures).

Relative artifact locations, metrics of a logged model logged by any run, logged-model search
with datasets and latest values, the ``mlflow.modelVersions`` tag, model-version order and
description, bulk-interval sampling, the UI's search-datasets and prompt-lab routes, MLflow's
error texts, ``get-artifact`` by ``run_id`` or ``run_uuid``, server-info, and a multipart
``log_artifact``. On SQLite and PostgreSQL; the tests whose store queries changed run on
MySQL too.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

mlflow = pytest.importorskip("mlflow")

from mlflow.entities import Dataset, DatasetInput, InputTag  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

from .conftest import LiveServer  # noqa: E402

pytestmark = pytest.mark.slow

API = "/api/2.0/mlflow"
AJAX = "/ajax-api/2.0/mlflow"


def _postgres_server(make: Callable[..., LiveServer], uri: str) -> Iterator[LiveServer]:
    import sqlalchemy as sa

    from ardea.store.sql._db.engine import normalize_uri

    schema = f"tracking_wire_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(normalize_uri(uri), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in uri else "?"
    try:
        yield make("--backend-store-uri", f"{uri}{sep}options=-csearch_path%3D{schema}")
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def _mysql_server(make: Callable[..., LiveServer], uri: str) -> Iterator[LiveServer]:
    import sqlalchemy as sa

    from ardea.store.sql import schema as tables
    from ardea.store.sql._db.engine import normalize_uri
    from ardea.store.sql._db.migrate import VERSION_TABLE

    engine = sa.create_engine(normalize_uri(uri), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:  # the test database is this module's alone while it runs
        conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=0"))
        for table in [*tables.metadata.sorted_tables, sa.table(VERSION_TABLE)]:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table.name}"))
    engine.dispose()
    yield make("--backend-store-uri", uri)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., LiveServer]]:
    """Starts servers (``--access-log``) that live until the module ends."""
    started: list[LiveServer] = []

    def make(*args: str) -> LiveServer:
        server = LiveServer(tmp_path_factory.mktemp("wire"), ("--access-log", *args))
        started.append(server)
        return server

    yield make
    for server in started:
        server.kill()


@pytest.fixture(scope="module")
def sqlite_server(servers: Callable[..., LiveServer]) -> LiveServer:
    return servers()


@pytest.fixture(scope="module")
def postgres_server(servers: Callable[..., LiveServer], postgres_uri: str) -> Iterator[LiveServer]:
    yield from _postgres_server(servers, postgres_uri)


@pytest.fixture(scope="module")
def mysql_server(servers: Callable[..., LiveServer], mysql_uri: str) -> Iterator[LiveServer]:
    yield from _mysql_server(servers, mysql_uri)


SQLITE_PG = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
ALL_SQL = [*SQLITE_PG, pytest.param("mysql", marks=pytest.mark.mysql)]


def _server(request: pytest.FixtureRequest) -> LiveServer:
    server: LiveServer = request.getfixturevalue(f"{request.param}_server")
    return server


@pytest.fixture(params=SQLITE_PG)
def server(request: pytest.FixtureRequest) -> LiveServer:
    """A live server on SQLite or PostgreSQL (shared by the module's tests)."""
    return _server(request)


@pytest.fixture(params=ALL_SQL)
def any_server(request: pytest.FixtureRequest) -> LiveServer:
    """A live server on SQLite, PostgreSQL or MySQL (shared by the module's tests)."""
    return _server(request)


def _client(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> MlflowClient:
    for name, value in (
        ("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0"),
        ("MLFLOW_HTTP_REQUEST_TIMEOUT", "60"),
        ("MLFLOW_DISABLE_TELEMETRY", "true"),
        ("DO_NOT_TRACK", "true"),
    ):
        monkeypatch.setenv(name, value)
    return MlflowClient(server.url, registry_uri=server.url)


@pytest.fixture
def client(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> MlflowClient:
    return _client(server, monkeypatch)


@pytest.fixture
def any_client(any_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> MlflowClient:
    return _client(any_server, monkeypatch)


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _http(client: MlflowClient) -> httpx.Client:
    return httpx.Client(base_url=client.tracking_uri, timeout=60)


def _error(r: httpx.Response, status: int = 400) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error_code"] == "INVALID_PARAMETER_VALUE", body
    return str(body["message"])


# ------------------------------------------------------------------------------ experiments


def test_a_relative_artifact_location_is_made_absolute(
    client: MlflowClient, server: LiveServer
) -> None:
    exp_id = client.create_experiment(_name("rel"), artifact_location="artifacts/rel")
    cwd = os.path.realpath(server.data_dir)  # the server's working directory
    assert client.get_experiment(exp_id).artifact_location == f"{cwd}/artifacts/rel"
    with pytest.raises(MlflowException) as exc:  # outside the server's artifact roots
        client.create_experiment(_name("rel"), artifact_location="my_location")
    assert exc.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "outside this server's artifact roots" in exc.value.message


# ---------------------------------------------------------------------------- logged models


def test_a_metric_of_any_run_links_to_the_logged_model(any_client: MlflowClient) -> None:
    exp_id = any_client.create_experiment(_name("metric-model"))
    run = any_client.create_run(exp_id)  # neither the model's source run nor linked to it
    model = any_client.create_logged_model(exp_id)
    any_client.log_metric(
        run.info.run_id,
        key="metric",
        value=0.5,
        timestamp=123456789,
        step=1,
        dataset_name="name",
        dataset_digest="digest",
        model_id=model.model_id,
    )
    [metric] = any_client.get_logged_model(model.model_id).metrics
    assert (metric.key, metric.value, metric.timestamp, metric.step) == (
        "metric",
        0.5,
        123456789,
        1,
    )
    assert (metric.model_id, metric.run_id) == (model.model_id, run.info.run_id)
    assert (metric.dataset_name, metric.dataset_digest) == ("name", "digest")


def test_search_logged_models_with_datasets_and_latest_values(any_client: MlflowClient) -> None:
    exp_id = any_client.create_experiment(_name("search-models"))
    first = any_client.create_logged_model(exp_id)
    second = any_client.create_logged_model(exp_id)
    run_id = any_client.create_run(exp_id).info.run_id
    for value, step, model in ((0.9, 0, first), (0.1, 2, first), (0.5, 0, second)):
        any_client.log_metric(
            run_id,
            "acc",
            value,
            step=step,
            dataset_name="dataset",
            dataset_digest="123",
            model_id=model.model_id,
        )

    def names(**kwargs: Any) -> list[str]:
        return [m.name for m in any_client.search_logged_models(experiment_ids=[exp_id], **kwargs)]

    assert names() == [second.name, first.name]  # newest first
    page = any_client.search_logged_models(experiment_ids=[exp_id], max_results=1)
    assert [m.name for m in page] == [second.name] and page.token is not None
    rest = any_client.search_logged_models(
        experiment_ids=[exp_id], max_results=1, page_token=page.token
    )
    assert [m.name for m in rest] == [first.name] and rest.token is None
    dataset = [{"dataset_name": "dataset", "dataset_digest": "123"}]
    assert names(datasets=dataset) == [second.name, first.name]
    assert names(datasets=[{"dataset_name": "other"}]) == []
    # The latest point (highest step) counts: first's acc is 0.1, though 0.9 was logged too.
    assert names(filter_string="metrics.acc > 0.3") == [second.name]
    by_acc = [{"field_name": "metrics.acc", "ascending": False}]
    assert names(order_by=by_acc, datasets=dataset) == [second.name, first.name]
    by_time = [{"field_name": "creation_timestamp", "ascending": True}]
    assert names(order_by=by_time) == [first.name, second.name]


def test_a_version_of_a_logged_model_is_in_its_model_versions_tag(
    any_client: MlflowClient,
) -> None:
    name = _name("linked")
    any_client.create_registered_model(name)
    exp_id = any_client.create_experiment(_name("linked"))
    model = any_client.create_logged_model(experiment_id=exp_id)
    any_client.create_model_version(name, source=model.artifact_location, model_id=model.model_id)
    tag = any_client.get_logged_model(model.model_id).tags["mlflow.modelVersions"]
    assert tag == json.dumps([{"name": name, "version": 1}])
    any_client.create_model_version(name, source=model.artifact_location, model_id=model.model_id)
    tag = any_client.get_logged_model(model.model_id).tags["mlflow.modelVersions"]
    assert tag == json.dumps([{"name": name, "version": 1}, {"name": name, "version": 2}])


# ------------------------------------------------------------------------------- registry


def test_model_versions_default_order_and_empty_description(any_client: MlflowClient) -> None:
    prefix = _name("order")
    names = [f"{prefix}-{i}" for i in range(3)]
    for name in names:
        any_client.create_registered_model(name)
    for name in [*names, names[0]]:
        any_client.create_model_version(name, "runs:/run_id/model", "run_id")
    found = any_client.search_model_versions(f"name LIKE '{prefix}-%'")
    expected = sorted(
        found, key=lambda v: (-v.last_updated_timestamp, v.name, -int(v.version))
    )  # MLflow's default: last updated first, then name, then version descending
    assert [(v.name, v.version) for v in found] == [(v.name, v.version) for v in expected]
    assert len(found) == 4
    assert str(any_client.get_model_version(names[0], "1").description) == ""


# ------------------------------------------------------------------------------- metrics


def test_bulk_interval_samples_like_mlflow_3_18(any_client: MlflowClient) -> None:
    exp_id = any_client.create_experiment(_name("bulk"))
    runs = [any_client.create_run(exp_id).info.run_id for _ in range(2)]
    for i in range(10):
        any_client.log_metric(runs[0], "m", 10.0, timestamp=1, step=i)
    for i in range(20):
        any_client.log_metric(runs[1], "m", 10.0, timestamp=1, step=i)
    url = f"{AJAX}/metrics/get-history-bulk-interval"
    with _http(any_client) as http:
        params: dict[str, Any] = {"run_ids": runs, "metric_key": "m", "max_results": 5}
        metrics = http.get(url, params=params).json()["metrics"]
        # Per run, the first point of each of 5 NTILE buckets, the last point last.
        assert [(m["run_id"], m["step"]) for m in metrics] == [
            *((runs[0], s) for s in (0, 2, 4, 6, 9)),
            *((runs[1], s) for s in (0, 4, 8, 12, 19)),
        ]
        params |= {"run_ids": runs[0], "start_step": 0, "end_step": 4}
        metrics = http.get(url, params=params).json()["metrics"]
        assert [m["step"] for m in metrics] == [0, 1, 2, 3, 4]
        assert metrics[0] == {
            "key": "m",
            "value": 10.0,
            "timestamp": 1,
            "step": 0,
            "run_id": runs[0],
        }


# ---------------------------------------------------------------------------- UI routes


def test_search_datasets(any_client: MlflowClient) -> None:
    exp_id = any_client.create_experiment(_name("datasets"))
    run_id = any_client.create_run(exp_id).info.run_id
    dataset = Dataset(name="name1", digest="digest1", source_type="type1", source="source1")
    context = InputTag(key="mlflow.data.context", value="training")
    any_client.log_inputs(run_id, [DatasetInput(dataset=dataset, tags=[context])])
    url = f"{AJAX}/experiments/search-datasets"
    with _http(any_client) as http:
        r = http.post(url, json={"experiment_ids": [exp_id]})
        assert r.status_code == 200, r.text
        assert r.json() == {
            "dataset_summaries": [
                {
                    "experiment_id": exp_id,
                    "name": "name1",
                    "digest": "digest1",
                    "context": "training",
                }
            ]
        }
        message = "SearchDatasets request must specify at least one experiment_id."
        assert message in _error(http.post(url, json={}))
        assert message in _error(http.post(url, json={"experiment_ids": []}))
        too_many = {"experiment_ids": [f"id_{i}" for i in range(21)]}
        assert "cannot specify more than 20 experiment_ids" in _error(http.post(url, json=too_many))
        assert http.post(f"{API}/experiments/search-datasets", json={}).status_code == 404


def test_create_promptlab_run(client: MlflowClient, tmp_path: Path) -> None:
    exp_id = client.create_experiment(_name("promptlab"))
    url = f"{AJAX}/runs/create-promptlab-run"
    body: dict[str, Any] = {
        "experiment_id": exp_id,
        "run_name": "my_run_name",
        "prompt_template": "Say {{ word }}",
        "prompt_parameters": [{"key": "word", "value": "hello"}],
        "model_route": "my_route",
        "model_parameters": [{"key": "temperature", "value": "0.1"}],
        "model_input": "Say hello",
        "model_output": "hello",
        "model_output_parameters": [{"key": "latency", "value": "100"}],
        "mlflow_version": "3.18.0",
        "user_id": "username",
        "start_time": 456,
    }
    with _http(client) as http:
        required = [k for k in body if k not in ("run_name", "model_parameters")]
        required = [k for k in required if k not in ("model_output", "model_output_parameters")]
        for missing in required[: required.index("mlflow_version") + 1]:
            partial = {k: v for k, v in body.items() if k != missing}
            message = _error(http.post(url, json=partial))
            assert message == f"CreatePromptlabRun request must specify {missing}."
        r = http.post(url, json=body)
    assert r.status_code == 200, r.text
    info, data = r.json()["run"]["info"], r.json()["run"]["data"]
    assert (info["run_name"], info["experiment_id"], info["user_id"]) == (
        "my_run_name",
        exp_id,
        "username",
    )
    assert (info["status"], info["start_time"]) == ("FINISHED", 456)
    params = {p["key"]: p["value"] for p in data["params"]}
    assert params == {
        "model_route": "my_route",
        "prompt_template": "Say {{ word }}",
        "temperature": "0.1",
    }
    tags = {t["key"]: t["value"] for t in data["tags"]}
    assert tags["mlflow.runSourceType"] == "PROMPT_ENGINEERING"
    assert (
        tags["mlflow.loggedArtifacts"] == '[{"path": "eval_results_table.json", "type": "table"}]'
    )
    [logged] = json.loads(tags["mlflow.log-model.history"])
    assert logged["artifact_path"] == "model" and logged["run_id"] == info["run_id"]
    table = client.download_artifacts(info["run_id"], "eval_results_table.json", str(tmp_path))
    assert json.loads(Path(table).read_text()) == {
        "columns": ["word", "prompt", "output", "latency"],
        "data": [["hello", "Say hello", "hello", "100"]],
    }
    files = {f.path for f in client.list_artifacts(info["run_id"], "model")}
    assert files == {
        f"model/{n}"
        for n in (
            "MLmodel",
            "parameters.yaml",
            "input_example.json",
            "requirements.txt",
            "conda.yaml",
            "python_env.yaml",
        )
    }
    # MLflow reads the model back with its prompt-lab loader.
    from mlflow.models import Model

    mlmodel = Model.load(client.download_artifacts(info["run_id"], "model/MLmodel", str(tmp_path)))
    assert mlmodel.flavors["python_function"]["loader_module"] == "mlflow.prompt.promptlab_model"
    assert mlmodel.run_id == info["run_id"]
    assert [c.name for c in mlmodel.signature.inputs] == ["word"]


# ------------------------------------------------------------------------------ error texts


def test_mlflow_error_texts(client: MlflowClient) -> None:
    exp_id = client.create_experiment(_name("texts"))
    run = client.create_run(exp_id)
    run_id = run.info.run_id
    with _http(client) as http:
        bad = {"path": "../path"}
        assert _error(http.get(f"{API}/artifacts/list", params={"run_id": run_id, **bad})) == (
            "Invalid path"
        )
        assert _error(http.get("/get-artifact", params={"run_id": run_id, **bad})) == "Invalid path"
        query = {"name": "no-such-model", "version": 1, **bad}  # refused before any lookup
        double = f"{client.tracking_uri}//model-versions/get-artifact"  # a doubled slash
        assert _error(http.get(double, params=query)) == "Invalid path"

        upload = f"{AJAX}/upload-artifact"
        assert _error(http.post(upload, params={})) == "Request must specify run_id or run_uuid."
        assert _error(http.post(upload, params={"run_uuid": run_id})) == (
            "Request must specify path."
        )
        assert _error(http.post(upload, params={"run_uuid": run_id, "path": "../x"})) == (
            "Invalid path"
        )
        assert _error(http.post(upload, params={"run_uuid": run_id, "path": "x"})) == (
            "Request must specify data."
        )

        name = _name("texts")
        client.create_registered_model(name)
        create = f"{API}/model-versions/create"
        for source in (
            "mlflow-artifacts://host:9000/models/../../../",
            "http://host:9000/models/../../../",
            "s3a://my_bucket/api/2.0/mlflow-artifacts/artifacts/../../../",
            "mlflow-artifacts://host:9000/models/..%2f..%2fartifacts",
            "mlflow-artifacts://host:9000/models/artifact%00",
        ):
            message = _error(
                http.post(create, json={"name": name, "source": source, "run_id": run_id})
            )
            assert "If supplying a source as an http, https, local file path" in message
        remote = {"name": name, "source": "file://123.456.789.123/path/to/source", "run_id": run_id}
        # MLflow answers this with a 500 (an unhandled error); a user error is a 400 here.
        assert "is not a valid remote uri" in _error(http.post(create, json=remote))


def test_get_artifact_by_run_id_or_run_uuid(client: MlflowClient, tmp_path: Path) -> None:
    exp_id = client.create_experiment(_name("get-artifact"))
    run_id = client.create_run(exp_id).info.run_id
    local = tmp_path / "hello.txt"
    local.write_text("hello world")
    client.log_artifact(run_id, str(local))
    with _http(client) as http:
        for key in ("run_id", "run_uuid"):
            r = http.get("/get-artifact", params={key: run_id, "path": "hello.txt"})
            assert r.status_code == 200 and r.text == "hello world"
        upload = f"{AJAX}/upload-artifact"
        r = http.post(upload, params={"run_id": run_id, "path": "ui.txt"}, content=b"from the ui")
        assert r.status_code == 200, r.text
    assert {f.path for f in client.list_artifacts(run_id)} == {"hello.txt", "ui.txt"}


# ----------------------------------------------------------------------------- server info


def test_server_info_answers_mlflow_3_18_keys(client: MlflowClient) -> None:
    from mlflow.utils import server_info

    with _http(client) as http:
        info = http.get("/api/3.0/mlflow/server-info").json()
    assert info == {
        "store_type": "SqlStore",
        "workspaces_enabled": False,
        "trace_archival_enabled": False,
        "multipart_uploads_enabled": True,
        "multipart_downloads_enabled": False,
        "artifact_serving_enabled": True,
        "presigned_upload_run_id_supported": False,
        "presigned_upload_model_id_supported": False,
        "model_artifact_presigned_downloads_supported": False,
        "features_enabled": {"gateway": True, "scheduled_issue_detection": False},
        "tracking_auth": "",
        "artifacts_presigned_only": False,
    }
    keys = [getattr(server_info, n) for n in dir(server_info) if n.startswith("SERVER_INFO_")]
    # The skill limits (3.18 only; getattr keeps the 3.17 pass working): Ardea stores no skills.
    skills = {
        getattr(server_info, name, None)
        for name in ("SERVER_INFO_SKILL_CONTENT_MAX_SIZE", "SERVER_INFO_SKILL_CONTENT_MAX_FILES")
    }
    missing = set(keys) - set(info) - skills - {server_info.SERVER_INFO_ENDPOINT}
    assert missing == set()


def test_a_large_log_artifact_goes_up_in_parts(
    client: MlflowClient, server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 3.18 client uploads big files in parts when server-info says multipart is on."""
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", str(1024 * 1024))
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", str(1024 * 1024))
    exp_id = client.create_experiment(_name("multipart"))
    run_id = client.create_run(exp_id).info.run_id
    data = os.urandom(5 * 1024 * 1024 + 12345)
    local = tmp_path / "big.bin"
    local.write_bytes(data)
    before = server.log_path.read_text(errors="replace")
    client.log_artifact(run_id, str(local), artifact_path="weights")
    log = server.log_path.read_text(errors="replace")[len(before) :]
    assert log.count("/mlflow-artifacts/mpu/create/") == 1
    assert log.count("/mlflow-artifacts/mpu/upload-part/") == 6
    assert log.count("/mlflow-artifacts/mpu/complete/") == 1
    back = client.download_artifacts(run_id, "weights/big.bin", str(tmp_path / "back"))
    assert Path(back).read_bytes() == data
