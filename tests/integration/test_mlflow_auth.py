"""The stock ``mlflow`` client against ``ardea server --auth`` (a real process).

``MLFLOW_TRACKING_USERNAME``/``PASSWORD`` (HTTP Basic) and ``MLFLOW_TRACKING_TOKEN`` (an Ardea
API token) work unchanged: runs, metrics, batches, models, traces (the client's OTLP export
and MLflow's trace RPCs), artifacts. The creator of an experiment or a model may do
everything with it; another user reads it (the default permission is READ) but may not
change it (403 ``PERMISSION_DENIED``), and what it may not read is not there for it (404,
left out of searches). ``get_app_client("basic-auth", ...)`` manages users,
roles and grants. Without credentials, or with wrong or revoked ones: 401.

Also run with the previous mlflow release (``make test``'s second pass).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

mlflow = pytest.importorskip("mlflow")

from mlflow.exceptions import MlflowException  # noqa: E402
from mlflow.server import get_app_client  # noqa: E402

from .conftest import LiveServer, _ardea_argv, _clean_env  # noqa: E402

pytestmark = pytest.mark.slow

ADMIN_PASSWORD = "first admin password"
PASSWORDS = {"alice": "alice's password 1", "bob": "bob's password 12"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``ardea server --auth`` with an admin, and users alice and bob made by the app client."""
    live = LiveServer(
        tmp_path_factory.mktemp("auth-server"),
        ("--auth",),
        {"ARDEA_ADMIN_PASSWORD": ADMIN_PASSWORD},
    )
    yield live
    live.kill()


def _as(user: str | None, url: str, monkeypatch: pytest.MonkeyPatch, token: str = "") -> None:
    """Point the client at ``url`` with ``user``'s password (or a token; or nothing)."""
    for var in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    if token:
        monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", token)
    elif user is not None:
        password = ADMIN_PASSWORD if user == "admin" else PASSWORDS[user]
        monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", user)
        monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", password)
    for var, value in {
        "MLFLOW_TRACKING_URI": url,
        "MLFLOW_REGISTRY_URI": url,
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
        "MLFLOW_HTTP_REQUEST_TIMEOUT": "60",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "true",
    }.items():
        monkeypatch.setenv(var, value)
    mlflow.set_tracking_uri(url)
    mlflow.set_registry_uri(url)
    mlflow.tracking.fluent._active_experiment_id = None
    monkeypatch.delenv("MLFLOW_EXPERIMENT_ID", raising=False)


@pytest.fixture(scope="module")
def users(server: LiveServer) -> dict[str, int]:
    """alice and bob, created by the admin through ``get_app_client("basic-auth")``."""
    with pytest.MonkeyPatch.context() as mp:
        _as("admin", server.url, mp)
        client = get_app_client("basic-auth", tracking_uri=server.url)
        return {name: client.create_user(name, pw).id for name, pw in PASSWORDS.items()}


@pytest.fixture
def url(server: LiveServer, users: dict[str, int]) -> Iterator[str]:
    yield server.url
    while mlflow.active_run():
        mlflow.end_run()
    mlflow.set_tracking_uri(None)
    mlflow.set_registry_uri(None)


def _code(exc: pytest.ExceptionInfo[MlflowException]) -> str:
    return str(exc.value.error_code)


def _token(server: LiveServer, user: str, expires: str = "1d") -> str:
    """An API token for ``user``, from ``ardea tokens create`` on the server's database."""
    out = subprocess.run(
        [
            *_ardea_argv(),
            "tokens",
            "create",
            "--user",
            user,
            "--name",
            f"t{time.monotonic_ns()}",
            "--expires-in",
            expires,
            "--backend-store-uri",
            server.backend_store_uri,
        ],
        capture_output=True,
        text=True,
        env=_clean_env(),
        check=True,
        timeout=120,
    )
    return out.stdout.strip()


def test_without_credentials_the_client_is_told_401(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _as(None, url, monkeypatch)
    with pytest.raises(MlflowException) as exc:
        mlflow.search_experiments()
    assert "401" in str(exc.value) or _code(exc) == "UNAUTHENTICATED"
    r = httpx.get(f"{url}/api/2.0/mlflow/experiments/search")
    assert r.status_code == 401 and r.headers["www-authenticate"] == 'Basic realm="mlflow"'
    assert r.json()["error_code"] == "UNAUTHENTICATED"
    assert httpx.get(f"{url}/health").text == "OK"
    assert httpx.get(f"{url}/api/3.0/mlflow/server-info").status_code == 200
    _as("alice", url, monkeypatch)
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "not alice's password")
    with pytest.raises(MlflowException) as exc:
        mlflow.search_experiments()
    assert "401" in str(exc.value) or _code(exc) == "UNAUTHENTICATED"


def test_basic_auth_runs_and_permissions(
    url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _as("alice", url, monkeypatch)
    experiment_id = mlflow.set_experiment("alice-basic").experiment_id
    with mlflow.start_run() as run:
        mlflow.log_param("p", "1")
        mlflow.log_metrics({"loss": 0.5, "acc": 0.9}, step=1)
        mlflow.set_tag("who", "alice")
        (tmp_path / "notes.txt").write_text("hello")
        mlflow.log_artifact(str(tmp_path / "notes.txt"))
    client = mlflow.MlflowClient()
    assert client.get_run(run.info.run_id).data.metrics["loss"] == 0.5
    assert client.download_artifacts(run.info.run_id, "notes.txt", str(tmp_path / "dl"))
    # bob reads (the default permission is READ) but may not change anything
    _as("bob", url, monkeypatch)
    bob = mlflow.MlflowClient()
    assert bob.get_run(run.info.run_id).data.params == {"p": "1"}
    assert bob.download_artifacts(run.info.run_id, "notes.txt", str(tmp_path / "bob"))
    with pytest.raises(MlflowException) as exc:
        bob.log_metric(run.info.run_id, "loss", 0.1)
    assert _code(exc) == "PERMISSION_DENIED"
    with pytest.raises(MlflowException) as exc:
        bob.create_run(experiment_id)
    assert _code(exc) == "PERMISSION_DENIED"
    with pytest.raises(MlflowException) as exc:
        bob.delete_experiment(experiment_id)
    assert _code(exc) == "PERMISSION_DENIED"
    # bob's own experiment is his to change
    mine = bob.create_experiment("bob-own")
    bob.log_batch(bob.create_run(mine).info.run_id, metrics=[])


def test_searches_show_only_what_the_caller_may_read(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _as("alice", url, monkeypatch)
    client = mlflow.MlflowClient()
    hidden = client.create_experiment("alice-private")
    shown = client.create_experiment("alice-shared")
    for experiment_id in (hidden, shown):
        client.create_run(experiment_id)
    auth = get_app_client("basic-auth", tracking_uri=url)
    auth.grant_user_permission("bob", "experiment", hidden, "NO_PERMISSIONS")
    assert auth.get_user_permission("bob", "experiment", hidden).permission == "NO_PERMISSIONS"
    _as("bob", url, monkeypatch)
    bob = mlflow.MlflowClient()
    names = {e.name for e in bob.search_experiments(max_results=1000)}
    assert "alice-shared" in names and "alice-private" not in names
    paged = []
    token = None
    while True:
        page = bob.search_experiments(max_results=1, page_token=token)
        paged += [e.name for e in page]
        token = page.token
        if not token:
            break
    assert sorted(paged) == sorted(names)
    assert [r.info.experiment_id for r in bob.search_runs([hidden, shown])] == [shown]
    with pytest.raises(MlflowException) as exc:
        bob.get_experiment(hidden)
    assert _code(exc) == "RESOURCE_DOES_NOT_EXIST"  # no existence leak


def test_registered_models(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _as("alice", url, monkeypatch)
    client = mlflow.MlflowClient()
    run_id = client.create_run(client.create_experiment("alice-models")).info.run_id
    client.create_registered_model("alice-model")
    client.create_model_version("alice-model", f"runs:/{run_id}/model", run_id=run_id)
    client.create_registered_model("alice-secret-model")
    auth = get_app_client("basic-auth", tracking_uri=url)
    auth.grant_user_permission("bob", "registered_model", "alice-secret-model", "NO_PERMISSIONS")
    _as("bob", url, monkeypatch)
    bob = mlflow.MlflowClient()
    assert bob.get_registered_model("alice-model").name == "alice-model"
    names = {m.name for m in bob.search_registered_models()}
    assert "alice-model" in names and "alice-secret-model" not in names
    with pytest.raises(MlflowException) as exc:
        bob.update_registered_model("alice-model", description="bob was here")
    assert _code(exc) == "PERMISSION_DENIED"
    with pytest.raises(MlflowException) as exc:
        bob.get_registered_model("alice-secret-model")
    assert _code(exc) == "RESOURCE_DOES_NOT_EXIST"
    # alice shares it: bob may edit now; deleting the model drops the grants
    _as("alice", url, monkeypatch)
    auth = get_app_client("basic-auth", tracking_uri=url)
    auth.grant_user_permission("bob", "registered_model", "alice-model", "EDIT")
    _as("bob", url, monkeypatch)
    mlflow.MlflowClient().update_registered_model("alice-model", description="shared")


def test_tokens(url: str, server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    token = _token(server, "alice")
    _as(None, url, monkeypatch, token=token)
    experiment_id = mlflow.set_experiment("alice-token").experiment_id
    with mlflow.start_run():
        mlflow.log_metric("m", 1.0)
    assert mlflow.get_experiment(experiment_id).name == "alice-token"
    expired = _token(server, "alice", "1s")
    time.sleep(1.5)
    _as(None, url, monkeypatch, token=expired)
    with pytest.raises(MlflowException) as exc:
        mlflow.search_experiments()
    assert "401" in str(exc.value) or _code(exc) == "UNAUTHENTICATED"
    r = httpx.get(
        f"{url}/api/2.0/mlflow/experiments/search", headers={"Authorization": f"Bearer {expired}"}
    )
    assert r.status_code == 401 and "expired" in r.json()["message"]


def _otlp(url: str, token: str, experiment_id: str) -> httpx.Response:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    body = ExportTraceServiceRequest()
    span = body.resource_spans.add().scope_spans.add().spans.add()
    span.trace_id = os.urandom(16)
    span.span_id = os.urandom(8)
    span.name = "otlp-span"
    span.start_time_unix_nano = time.time_ns()
    span.end_time_unix_nano = span.start_time_unix_nano + 1000
    return httpx.post(
        f"{url}/v1/traces",
        content=body.SerializeToString(),
        headers={
            "Content-Type": "application/x-protobuf",
            "X-MLflow-Experiment-Id": experiment_id,
            "Authorization": f"Bearer {token}",
        },
    )


def test_traces_with_tokens(url: str, server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    alice, bob = _token(server, "alice"), _token(server, "bob")
    _as(None, url, monkeypatch, token=alice)
    experiment_id = mlflow.set_experiment("alice-traces").experiment_id

    @mlflow.trace
    def answer(question: str) -> str:
        return question.upper()

    answer("why")
    mlflow.flush_trace_async_logging()
    deadline = time.monotonic() + 30
    while not mlflow.search_traces(locations=[experiment_id], return_type="list"):
        assert time.monotonic() < deadline, "alice's trace never arrived"
        time.sleep(0.2)
    assert _otlp(url, alice, experiment_id).status_code == 200
    refused = _otlp(url, bob, experiment_id)  # bob may read, not write, alice's experiment
    assert refused.status_code == 403 and refused.json()["error_code"] == "PERMISSION_DENIED"
    assert len(mlflow.search_traces(locations=[experiment_id], return_type="list")) == 2
    # bob reads alice's traces; with NO_PERMISSIONS he sees none
    _as(None, url, monkeypatch, token=bob)
    assert len(mlflow.search_traces(locations=[experiment_id], return_type="list")) == 2
    _as("admin", url, monkeypatch)
    get_app_client("basic-auth", tracking_uri=url).grant_user_permission(
        "bob", "experiment", experiment_id, "NO_PERMISSIONS"
    )
    _as(None, url, monkeypatch, token=bob)
    assert mlflow.search_traces(locations=[experiment_id], return_type="list") == []


def test_app_client_users_roles_and_grants(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _as("admin", url, monkeypatch)
    auth = get_app_client("basic-auth", tracking_uri=url)
    carol = auth.create_user("carol", "carol's password")
    assert auth.get_user("carol").username == "carol" and carol.is_admin is False
    auth.update_user_admin("carol", True)
    assert auth.get_user("carol").is_admin is True
    auth.update_user_admin("carol", False)
    auth.update_user_password("carol", "carol's new password")
    role = auth.create_role("default", "experiment-editors", description="edit everything")
    permission = auth.add_role_permission(role.id, "experiment", "*", "EDIT")
    assert auth.update_role_permission(permission.id, "READ").permission == "READ"
    assert [p.permission for p in auth.list_role_permissions(role.id)] == ["READ"]
    assert auth.update_role(role.id, name="experiment-readers").name == "experiment-readers"
    assignment = auth.assign_role("carol", role.id)
    assert assignment.role_id == role.id
    assert [r.id for r in auth.list_user_roles("carol")] == [role.id]
    assert [a.user_id for a in auth.list_role_users(role.id)] == [carol.id]
    assert role.id in [r.id for r in auth.list_roles("default")]
    assert role.id in [r.id for r in auth.list_all_roles()]
    assert auth.get_role(role.id).description == "edit everything"
    auth.unassign_role("carol", role.id)
    auth.remove_role_permission(permission.id)
    auth.delete_role(role.id)
    # a user sees itself, not others; only admins manage users
    _as("bob", url, monkeypatch)
    bob_client = get_app_client("basic-auth", tracking_uri=url)
    assert bob_client.get_user("bob").username == "bob"
    with pytest.raises(MlflowException) as exc:
        bob_client.get_user("carol")
    assert _code(exc) == "PERMISSION_DENIED"
    with pytest.raises(MlflowException) as exc:
        bob_client.create_user("mallory", "mallory's password")
    assert _code(exc) == "PERMISSION_DENIED"
    _as("admin", url, monkeypatch)
    auth.delete_user("carol")
    with pytest.raises(MlflowException) as exc:
        auth.get_user("carol")
    assert _code(exc) == "RESOURCE_DOES_NOT_EXIST"


def test_the_client_sees_its_user(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _as("alice", url, monkeypatch)
    r = httpx.get(f"{url}/api/2.0/mlflow/users/current", auth=("alice", PASSWORDS["alice"]))
    body: dict[str, Any] = r.json()
    assert body["user"]["username"] == "alice" and body["user"]["is_admin"] is False
