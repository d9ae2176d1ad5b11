"""The real ``mlflow`` 3.18 client's workspaces against a live ``ardea server``.

With ``--enable-workspaces`` (or ``MLFLOW_ENABLE_WORKSPACES``): workspace CRUD through
``mlflow.create_workspace`` and friends, the same experiment, model and prompt names in two
workspaces, and no way across (runs, traces, models, prompts, artifacts). Without the flag:
``FEATURE_DISABLED``, from the client's own check and from the server.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest

mlflow = pytest.importorskip("mlflow")

from mlflow.exceptions import MlflowException  # noqa: E402

pytestmark = pytest.mark.slow


def _point(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for var, value in {
        "MLFLOW_TRACKING_URI": url,
        "MLFLOW_REGISTRY_URI": url,
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
        "MLFLOW_HTTP_REQUEST_TIMEOUT": "60",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "true",
        "MLFLOW_ALIAS_PROMPT_CACHE_TTL_SECONDS": "0",
    }.items():
        monkeypatch.setenv(var, value)
    mlflow.set_tracking_uri(url)
    mlflow.set_registry_uri(url)
    mlflow.tracking.fluent._active_experiment_id = None


@pytest.fixture
def workspaces_server(
    live_server_factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A server started with ``MLFLOW_ENABLE_WORKSPACES=true``, the client pointed at it."""
    server = live_server_factory(env={"MLFLOW_ENABLE_WORKSPACES": "true"})
    _point(server.url, monkeypatch)
    yield server.url
    while mlflow.active_run():
        mlflow.end_run()
    _in(None)
    mlflow.set_tracking_uri(None)
    mlflow.set_registry_uri(None)


def _in(workspace: str | None) -> None:
    """Switch the client to ``workspace``, forgetting the experiment chosen in the last one
    (``set_experiment`` keeps it in ``MLFLOW_EXPERIMENT_ID``; its id means nothing here)."""
    mlflow.set_workspace(workspace)
    mlflow.tracking.fluent._active_experiment_id = None
    os.environ.pop("MLFLOW_EXPERIMENT_ID", None)


def test_workspace_crud_with_the_client(workspaces_server: str) -> None:
    assert [w.name for w in mlflow.list_workspaces()] == ["default"]
    created = mlflow.create_workspace("team-a", description="Team A")
    assert (created.name, created.description) == ("team-a", "Team A")
    with pytest.raises(MlflowException, match="already exists"):
        mlflow.create_workspace("team-a")
    with pytest.raises(MlflowException):
        mlflow.create_workspace("Bad_Name")  # refused by the client's own check already
    root = "mlflow-artifacts:/team-a-root"
    assert (
        mlflow.update_workspace("team-a", default_artifact_root=root).default_artifact_root == root
    )
    assert mlflow.get_workspace("team-a").default_artifact_root == root
    with pytest.raises(MlflowException, match="outside this server's artifact roots"):
        mlflow.update_workspace("team-a", default_artifact_root="s3://elsewhere/team-a")
    assert [w.name for w in mlflow.list_workspaces()] == ["default", "team-a"]
    mlflow.delete_workspace("team-a")
    with pytest.raises(MlflowException, match="not found"):
        mlflow.get_workspace("team-a")


def test_same_names_and_no_way_across(workspaces_server: str) -> None:
    for name in ("team-a", "team-b"):
        mlflow.create_workspace(name)
    runs: dict[str, str] = {}
    for name in ("team-a", "team-b"):
        _in(name)
        experiment_id = mlflow.set_experiment("shared").experiment_id
        with mlflow.start_run() as run:
            mlflow.log_param("team", name)
            mlflow.log_metric("loss", 0.5)
            mlflow.log_text(name, "who.txt")
        runs[name] = run.info.run_id
        exp = mlflow.get_experiment(experiment_id)
        assert (exp.name, exp.workspace) == ("shared", name)
        assert exp.artifact_location.endswith(f"/workspaces/{name}/{experiment_id}")
        client = mlflow.MlflowClient()
        client.create_registered_model("fraud", description=name)
        client.create_model_version("fraud", f"runs:/{run.info.run_id}/model", run.info.run_id)
        mlflow.genai.register_prompt(name="greet", template=f"Hello from {name}")
    _in("team-a")
    assert mlflow.get_run(runs["team-a"]).data.params == {"team": "team-a"}
    assert mlflow.artifacts.load_text(f"runs:/{runs['team-a']}/who.txt") == "team-a"
    with pytest.raises(MlflowException, match="RESOURCE_DOES_NOT_EXIST"):
        mlflow.get_run(runs["team-b"])
    found = mlflow.search_runs(search_all_experiments=True, output_format="list")
    assert [r.info.run_id for r in found] == [runs["team-a"]]
    assert mlflow.genai.load_prompt("prompts:/greet/1").template == "Hello from team-a"
    assert mlflow.MlflowClient().get_registered_model("fraud").description == "team-a"
    _in("team-b")
    assert mlflow.genai.load_prompt("prompts:/greet/1").template == "Hello from team-b"
    _in(None)  # default holds none of it
    assert [e.name for e in mlflow.search_experiments()] == ["Default"]
    with pytest.raises(MlflowException, match="RESOURCE_DOES_NOT_EXIST"):
        mlflow.MlflowClient().get_registered_model("fraud")
    with pytest.raises(MlflowException):
        mlflow.genai.load_prompt("prompts:/greet/1")


def test_traces_stay_in_their_workspace(workspaces_server: str) -> None:
    mlflow.create_workspace("traced")
    _in("traced")
    experiment_id = mlflow.set_experiment("agent").experiment_id

    @mlflow.trace
    def answer(q: str) -> str:
        return q.upper()

    answer("hello")
    mlflow.flush_trace_async_logging()
    traces = mlflow.search_traces(locations=[experiment_id], return_type="list")
    assert len(traces) == 1
    trace_id = traces[0].info.trace_id
    assert mlflow.get_trace(trace_id).info.trace_id == trace_id
    _in(None)
    assert mlflow.get_trace(trace_id) is None or _missing_trace(trace_id)
    assert mlflow.search_traces(locations=[experiment_id], return_type="list") == []


def _missing_trace(trace_id: str) -> bool:
    try:
        mlflow.MlflowClient().get_trace(trace_id)
    except MlflowException:
        return True
    return False


def test_an_unknown_workspace_is_not_found(workspaces_server: str) -> None:
    _in("ghost")
    with pytest.raises(MlflowException, match="Workspace 'ghost' not found"):
        mlflow.search_experiments()


def _raw(url: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def test_without_the_flag_workspaces_are_disabled(
    live_server_factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = live_server_factory()
    _point(server.url, monkeypatch)
    try:
        with pytest.raises(MlflowException, match=r"FEATURE_DISABLED|not available"):
            mlflow.list_workspaces()
        mlflow.set_workspace("team-a")
        with pytest.raises(MlflowException, match="does not support workspaces"):
            mlflow.search_experiments()
    finally:
        mlflow.set_workspace(None)
        mlflow.set_tracking_uri(None)
        mlflow.set_registry_uri(None)
    status, body = _raw(
        server.url, "/api/2.0/mlflow/experiments/search?max_results=1",
        {"X-MLFLOW-WORKSPACE": "team-a"},
    )  # fmt: skip
    assert (status, body["error_code"]) == (400, "FEATURE_DISABLED")
    status, body = _raw(server.url, "/api/3.0/mlflow/server-info", {})
    assert (status, body["workspaces_enabled"]) == (200, False)


def test_the_cli_flag_enables_them(
    live_server_factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = live_server_factory("--enable-workspaces")
    status, body = _raw(server.url, "/api/3.0/mlflow/server-info", {})
    assert (status, body["workspaces_enabled"]) == (200, True)
    status, body = _raw(server.url, "/api/3.0/mlflow/workspaces", {})
    assert status == 200 and [w["name"] for w in body["workspaces"]] == ["default"]
