"""The real ``mlflow`` client's model registry API against a live ``ardea server``."""

from __future__ import annotations

import warnings
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
    yield MlflowClient(live_server_module.url, registry_uri=live_server_module.url)
    while mlflow.active_run():
        mlflow.end_run()
    mlflow.set_tracking_uri(None)


def error_code(exc: pytest.ExceptionInfo[MlflowException]) -> str:
    return str(exc.value.error_code)


def _run_with_model_dir(tmp_path: Path) -> tuple[str, str]:
    """A finished run with a ``model/`` artifact folder: (run_id, artifact source URI)."""
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "weights.txt").write_text("42")
    mlflow.set_experiment("registry-runs")
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(tmp_path / "model"), artifact_path="model")
    return run.info.run_id, f"{run.info.artifact_uri}/model"


def test_registered_model_lifecycle(client: MlflowClient) -> None:
    with pytest.raises(MlflowException) as exc:
        client.get_registered_model("rm-life")
    assert error_code(exc) == "RESOURCE_DOES_NOT_EXIST"
    created = client.create_registered_model("rm-life", tags={"team": "risk"}, description="d")
    assert created.name == "rm-life" and created.tags == {"team": "risk"}
    assert created.description == "d"
    with pytest.raises(MlflowException) as exc:
        client.create_registered_model("rm-life")
    assert error_code(exc) == "RESOURCE_ALREADY_EXISTS"

    updated = client.update_registered_model("rm-life", description="better")
    assert updated.description == "better"
    client.set_registered_model_tag("rm-life", "stage", "dev")
    client.delete_registered_model_tag("rm-life", "team")
    assert client.get_registered_model("rm-life").tags == {"stage": "dev"}

    client.rename_registered_model("rm-life", "rm-renamed")
    assert client.get_registered_model("rm-renamed").description == "better"
    with pytest.raises(MlflowException) as exc:
        client.get_registered_model("rm-life")
    assert error_code(exc) == "RESOURCE_DOES_NOT_EXIST"
    client.delete_registered_model("rm-renamed")
    with pytest.raises(MlflowException) as exc:
        client.get_registered_model("rm-renamed")
    assert error_code(exc) == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as exc:
        client.create_registered_model("bad/name")
    assert error_code(exc) == "INVALID_PARAMETER_VALUE"


def test_versions_aliases_tags_from_a_run(client: MlflowClient, tmp_path: Path) -> None:
    run_id, source = _run_with_model_dir(tmp_path)
    client.create_registered_model("mv-model")
    v1 = client.create_model_version("mv-model", source, run_id=run_id, tags={"k": "v"})
    v2 = client.create_model_version("mv-model", source, run_id=run_id, description="second")
    assert (v1.version, v2.version) == ("1", "2")
    assert v1.status == "READY" and v1.run_id == run_id and v1.tags == {"k": "v"}
    assert client.get_model_version("mv-model", "2").description == "second"
    assert client.get_model_version_download_uri("mv-model", "1") == source
    downloaded = mlflow.artifacts.download_artifacts(
        artifact_uri="models:/mv-model/1", dst_path=str(tmp_path / "dl")
    )
    assert (Path(downloaded) / "weights.txt").read_text() == "42"

    client.update_model_version("mv-model", "1", description="first")
    client.set_model_version_tag("mv-model", "1", "k", "v2")
    client.set_model_version_tag("mv-model", "1", "extra", "x")
    client.delete_model_version_tag("mv-model", "1", "extra")
    got = client.get_model_version("mv-model", "1")
    assert got.description == "first" and got.tags == {"k": "v2"}

    client.set_registered_model_alias("mv-model", "champion", "1")
    by_alias = client.get_model_version_by_alias("mv-model", "champion")
    assert by_alias.version == "1" and by_alias.aliases == ["champion"]
    assert client.get_registered_model("mv-model").aliases == {"champion": "1"}
    assert client.get_model_version_by_alias("mv-model", "latest").version == "2"
    client.set_registered_model_alias("mv-model", "champion", "2")
    assert client.get_model_version_by_alias("mv-model", "champion").version == "2"
    client.delete_registered_model_alias("mv-model", "champion")
    with pytest.raises(MlflowException) as exc:
        client.get_model_version_by_alias("mv-model", "champion")
    assert error_code(exc) == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as exc:
        client.set_registered_model_alias("mv-model", "latest", "1")
    assert error_code(exc) == "INVALID_PARAMETER_VALUE"

    client.delete_model_version("mv-model", "2")
    with pytest.raises(MlflowException) as exc:
        client.get_model_version("mv-model", "2")
    assert error_code(exc) == "RESOURCE_DOES_NOT_EXIST"
    assert client.create_model_version("mv-model", source, run_id=run_id).version == "3"
    with pytest.raises(MlflowException) as exc:
        client.create_model_version("no-such-model", source)
    assert error_code(exc) == "RESOURCE_DOES_NOT_EXIST"


def test_search_with_filters_and_paging(client: MlflowClient) -> None:
    for name in ["search-a", "search-b", "search-c"]:
        client.create_registered_model(name, tags={"group": "x" if name != "search-c" else "y"})
        for i in range(2):
            client.create_model_version(name, f"s3://bucket/{name}/{i}")
    mlflow.genai.register_prompt(name="search-prompt", template="Hello {{name}}")  # tagged

    found = client.search_registered_models(filter_string="name LIKE 'search-%'")
    assert [m.name for m in found] == ["search-a", "search-b", "search-c"]
    tagged = client.search_registered_models(
        filter_string="tags.group = 'x'", order_by=["name DESC"]
    )
    assert [m.name for m in tagged] == ["search-b", "search-a"]
    first = client.search_registered_models(filter_string="name LIKE 'search-%'", max_results=2)
    assert len(first) == 2 and first.token
    rest = client.search_registered_models(
        filter_string="name LIKE 'search-%'", max_results=2, page_token=first.token
    )
    assert [m.name for m in rest] == ["search-c"] and not rest.token
    prompts = client.search_registered_models(
        filter_string="tags.`mlflow.prompt.is_prompt` = 'true'"
    )
    assert [m.name for m in prompts] == ["search-prompt"]
    assert "search-prompt" not in {v.name for v in client.search_model_versions()}

    versions = client.search_model_versions("name = 'search-b'")
    assert [(v.name, v.version) for v in versions] == [("search-b", "2"), ("search-b", "1")]
    like = client.search_model_versions("source_path LIKE '%/search-c/0'")
    assert [(v.name, v.version) for v in like] == [("search-c", "1")]
    page = client.search_model_versions("name LIKE 'search-%'", max_results=4)
    assert len(page) == 4 and page.token
    with pytest.raises(MlflowException) as exc:
        client.search_registered_models(filter_string="name = 'a' OR name = 'b'")
    assert error_code(exc) == "INVALID_PARAMETER_VALUE"


def test_stages_and_latest_versions(client: MlflowClient) -> None:
    client.create_registered_model("staged")
    for i in range(3):
        client.create_model_version("staged", f"s3://bucket/staged/{i}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        client.transition_model_version_stage("staged", "1", "Production")
        moved = client.transition_model_version_stage(
            "staged", "2", "Production", archive_existing_versions=True
        )
        assert moved.current_stage == "Production"
        assert client.get_model_version("staged", "1").current_stage == "Archived"
        latest = client.get_latest_versions("staged", stages=["Production"])
        assert [v.version for v in latest] == ["2"]
        every = {v.current_stage: v.version for v in client.get_latest_versions("staged")}
        assert every == {"Archived": "1", "Production": "2", "None": "3"}
        with pytest.raises(MlflowException) as exc:
            client.transition_model_version_stage("staged", "3", "Retired")
        assert error_code(exc) == "INVALID_PARAMETER_VALUE"


def test_register_logged_sklearn_model(client: MlflowClient) -> None:
    sklearn = pytest.importorskip("sklearn.linear_model")
    import numpy as np

    mlflow.set_experiment("registry-sklearn")
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    model = sklearn.LinearRegression().fit(x, np.array([0.0, 2.0, 4.0, 6.0]))
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(model, name="model", serialization_format="cloudpickle")
    version = mlflow.register_model(f"runs:/{run.info.run_id}/model", "sk-model")
    assert version.version == "1"
    stored = client.get_model_version("sk-model", "1")
    assert stored.run_id == run.info.run_id
    assert stored.source == f"models:/{info.model_id}"
    uri = client.get_model_version_download_uri("sk-model", "1")
    assert uri == client.get_logged_model(info.model_id).artifact_location
    client.set_registered_model_alias("sk-model", "champion", "1")
    loaded = mlflow.pyfunc.load_model("models:/sk-model@champion")
    assert loaded.predict(np.array([[4.0]]))[0] == pytest.approx(8.0)


def test_copy_model_version_and_compact_filters(client: MlflowClient) -> None:
    client.create_registered_model("copy-src")
    src = client.create_model_version("copy-src", "s3://bucket/copy-src/0", tags={"k": "v"})
    copied = client.copy_model_version(f"models:/copy-src/{src.version}", "copy-dst")
    assert (copied.name, copied.version) == ("copy-dst", "1")
    assert client.get_model_version_download_uri("copy-dst", "1") == "s3://bucket/copy-src/0"
    assert [m.name for m in client.search_registered_models(filter_string="name='copy-dst'")] == [
        "copy-dst"
    ]
    found = client.search_model_versions("name='copy-src' and tags.k='v'")
    assert [(v.name, v.version) for v in found] == [("copy-src", "1")]
