"""Workspaces on the wire: the ``X-MLFLOW-WORKSPACE`` header, isolation, artifacts, OTLP.

A real app over SQLite, with and without ``enable_workspaces``. What one workspace holds is
invisible from another: an id guessed across answers 404 ``RESOURCE_DOES_NOT_EXIST`` (never
403, never data), and the same names live in both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ardea.entities.webhook import WebhookEvent
from ardea.server.app import create_app
from ardea.server.deps import ServerDeps, ServerSettings
from ardea.store.sql.backend import open_sql_backend
from fixtures.otlp_payloads import protobuf_request, span

from .support import Client

V2 = "/api/2.0/mlflow"
V3 = "/api/3.0/mlflow"
ART = "/api/2.0/mlflow-artifacts/artifacts"
A = {"X-MLFLOW-WORKSPACE": "team-a"}
B = {"X-MLFLOW-WORKSPACE": "team-b"}


@pytest.fixture
def app_deps(tmp_path: Path) -> Iterator[ServerDeps]:
    backend = open_sql_backend(
        f"sqlite:///{tmp_path / 'ardea.db'}",
        artifacts_destination=str(tmp_path / "artifacts"),
        lazy_artifacts=False,
    )
    yield ServerDeps(backend, ServerSettings(enable_workspaces=True))
    backend.close()


@pytest.fixture
def ws_app(app_deps: ServerDeps) -> Any:
    """An app with workspaces on."""
    return create_app(app_deps)


@pytest.fixture
def ws(ws_app: Any) -> Iterator[Client]:
    """A client of :func:`ws_app`, with workspaces team-a and team-b."""
    c = Client(ws_app)
    for name in ("team-a", "team-b"):
        assert c.post(f"{V3}/workspaces", json={"name": name}).status_code == 201
    yield c
    c.close()


def _ok(r: Any) -> Any:
    assert r.status_code == 200, r.text
    return r.json()


def _error(r: Any, status: int, code: str, match: str = "") -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error_code"] == code, body
    assert match in body["message"], body


def _experiment(c: Client, name: str, headers: dict[str, str]) -> str:
    r = c.post(f"{V2}/experiments/create", json={"name": name}, headers=headers)
    return str(_ok(r)["experiment_id"])


# -- without workspaces --------------------------------------------------------------------


def test_without_workspaces_the_header_is_refused_and_server_info_says_so(client: Client) -> None:
    r = client.get(f"{V2}/experiments/search", params={"max_results": 1}, headers=A)
    _error(r, 400, "FEATURE_DISABLED", "workspaces are not enabled")
    info = _ok(client.get(f"{V3}/server-info", headers=A))  # always reachable
    assert info["workspaces_enabled"] is False
    r = client.get(f"{V3}/workspaces")
    _error(r, 400, "FEATURE_DISABLED", "--enable-workspaces")
    blank = {"X-MLFLOW-WORKSPACE": "  "}  # blank: as absent
    assert client.get(f"{V2}/experiments/get", params={"experiment_id": "0"}, headers=blank)
    exp = _ok(client.get(f"{V2}/experiments/get", params={"experiment_id": "0"}))
    assert exp["experiment"]["workspace"] == "default"


# -- with workspaces -----------------------------------------------------------------------


def test_server_info_and_the_default_workspace(ws: Client) -> None:
    assert _ok(ws.get(f"{V3}/server-info"))["workspaces_enabled"] is True
    # server-info answers whatever the header names
    assert _ok(ws.get(f"{V3}/server-info", headers={"X-MLFLOW-WORKSPACE": "nope"}))
    exp = _ok(ws.get(f"{V2}/experiments/get", params={"experiment_id": "0"}))
    assert exp["experiment"]["workspace"] == "default"


def test_bad_and_unknown_workspaces(ws: Client) -> None:
    for bad in ("../etc", "Team", "a", "workspaces", "x/y"):
        r = ws.get(f"{V2}/experiments/search", headers={"X-MLFLOW-WORKSPACE": bad})
        _error(r, 400, "INVALID_PARAMETER_VALUE", "Workspace name")
    r = ws.get(f"{V2}/experiments/search", headers={"X-MLFLOW-WORKSPACE": "nope"})
    _error(r, 404, "RESOURCE_DOES_NOT_EXIST", "Workspace 'nope' not found")
    r = ws.post(
        f"{V2}/experiments/create", json={"name": "x"}, headers={"X-MLFLOW-WORKSPACE": "no"}
    )
    _error(r, 404, "RESOURCE_DOES_NOT_EXIST", "Workspace 'no' not found")


def test_same_names_in_two_workspaces_and_no_way_across(ws: Client) -> None:
    ea, eb = _experiment(ws, "exp", A), _experiment(ws, "exp", B)
    assert ea != eb
    got = _ok(ws.get(f"{V2}/experiments/get-by-name", params={"experiment_name": "exp"}, headers=A))
    assert got["experiment"]["experiment_id"] == ea
    assert got["experiment"]["workspace"] == "team-a"
    assert got["experiment"]["artifact_location"] == f"mlflow-artifacts:/workspaces/team-a/{ea}"
    run = _ok(ws.post(f"{V2}/runs/create", json={"experiment_id": ea}, headers=A))["run"]
    run_id = run["info"]["run_id"]
    # B guesses A's ids: 404, never 403, never data
    _error(ws.get(f"{V2}/experiments/get", params={"experiment_id": ea}, headers=B), 404,
           "RESOURCE_DOES_NOT_EXIST")  # fmt: skip
    _error(ws.get(f"{V2}/runs/get", params={"run_id": run_id}, headers=B), 404,
           "RESOURCE_DOES_NOT_EXIST")  # fmt: skip
    metric = {"run_id": run_id, "key": "m", "value": 1, "timestamp": 1, "step": 0}
    _error(ws.post(f"{V2}/runs/log-metric", json=metric, headers=B), 404,
           "RESOURCE_DOES_NOT_EXIST")  # fmt: skip
    _error(ws.post(f"{V2}/runs/create", json={"experiment_id": ea}, headers=B), 404,
           "RESOURCE_DOES_NOT_EXIST")  # fmt: skip
    search = {"experiment_ids": [ea], "max_results": 10}
    assert _ok(ws.post(f"{V2}/runs/search", json=search, headers=B)).get("runs", []) == []
    assert len(_ok(ws.post(f"{V2}/runs/search", json=search, headers=A))["runs"]) == 1
    names = {
        e["name"]
        for e in _ok(ws.post(f"{V2}/experiments/search", json={"max_results": 100}))["experiments"]
    }
    assert names == {"Default"}  # default sees neither team's experiment


def test_registry_names_per_workspace(ws: Client) -> None:
    for h, desc in ((A, "a"), (B, "b")):
        body = {"name": "fraud", "description": desc}
        _ok(ws.post(f"{V2}/registered-models/create", json=body, headers=h))
        _ok(ws.post(f"{V2}/model-versions/create", json={"name": "fraud", "source": "s3://x"},
                    headers=h))  # fmt: skip
    got = _ok(ws.get(f"{V2}/registered-models/get", params={"name": "fraud"}, headers=B))
    assert got["registered_model"]["description"] == "b"
    _error(ws.get(f"{V2}/registered-models/get", params={"name": "fraud"}), 404,
           "RESOURCE_DOES_NOT_EXIST")  # fmt: skip


def test_a_client_cannot_choose_the_artifact_location(ws: Client) -> None:
    body = {"name": "x", "artifact_location": "/tmp/elsewhere"}
    r = ws.post(f"{V2}/experiments/create", json=body, headers=A)
    _error(r, 400, "INVALID_PARAMETER_VALUE", "artifact_location cannot be specified")


def test_a_workspace_root_is_its_experiments_root_and_must_be_served(ws: Client) -> None:
    root = {"default_artifact_root": "mlflow-artifacts:/team-a-root"}
    _ok(ws.patch(f"{V3}/workspaces/team-a", json=root))
    ea = _experiment(ws, "rooted", A)
    got = _ok(ws.get(f"{V2}/experiments/get", params={"experiment_id": ea}, headers=A))
    assert got["experiment"]["artifact_location"] == f"mlflow-artifacts:/team-a-root/{ea}"
    for bad in ("/etc", "s3://elsewhere/x", "relative/dir"):  # the server would not serve it
        r = ws.patch(f"{V3}/workspaces/team-b", json={"default_artifact_root": bad})
        _error(r, 400, "INVALID_PARAMETER_VALUE")
    r = ws.post(f"{V3}/workspaces", json={"name": "team-c", "default_artifact_root": "/etc"})
    _error(r, 400, "INVALID_PARAMETER_VALUE", "outside this server's artifact roots")


def test_proxied_artifacts_stay_in_the_workspace_folder(ws: Client, tmp_path: Path) -> None:
    root = tmp_path / "artifacts"
    assert ws.put(f"{ART}/workspaces/team-a/1/x.txt", content=b"a", headers=A).status_code == 200
    assert (root / "workspaces/team-a/1/x.txt").read_bytes() == b"a"
    assert ws.put(f"{ART}/plain.txt", content=b"p", headers=A).status_code == 200
    assert (root / "workspaces/team-a/plain.txt").read_bytes() == b"p"  # rooted in team-a
    assert ws.get(f"{ART}/plain.txt", headers=A).content == b"p"
    for h in (B, {}):  # another workspace, or default: refused, never the bytes
        r = ws.get(f"{ART}/workspaces/team-a/1/x.txt", headers=h)
        _error(r, 400, "INVALID_PARAMETER_VALUE", "targets workspace 'team-a'")
    assert ws.get(f"{ART}/plain.txt", headers=B).status_code == 404
    assert ws.put(f"{ART}/0/d.txt", content=b"d").status_code == 200  # default: as before
    assert (root / "0/d.txt").read_bytes() == b"d"
    listed = _ok(ws.get(ART, params={"path": ""}))
    assert {f["path"] for f in listed["files"]} == {"0"}  # not the workspaces folder


def test_otlp_ingest_honours_the_header(ws: Client) -> None:
    ea = _experiment(ws, "traced", A)
    spans = [span("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", "root")]
    headers = {"content-type": "application/x-protobuf", "x-mlflow-experiment-id": ea}
    r = ws.post("/v1/traces", content=protobuf_request(spans), headers={**headers, **A})
    assert r.status_code == 200, r.text
    trace_id = "tr-0af7651916cd43dd8448eb211c80319c"
    assert _ok(ws.get(f"{V3}/traces/{trace_id}", headers=A))["trace"]["trace_info"]
    _error(ws.get(f"{V3}/traces/{trace_id}", headers=B), 404, "RESOURCE_DOES_NOT_EXIST")
    # the same experiment id without the header is default's: not found there
    r = ws.post("/v1/traces", content=protobuf_request(spans), headers=headers)
    assert r.status_code == 404, r.text
    # B cannot add spans to A's trace by sending its id into one of its own experiments
    eb = _experiment(ws, "traced", B)
    r = ws.post(
        "/v1/traces",
        content=protobuf_request(spans),
        headers={**headers, "x-mlflow-experiment-id": eb, **B},
    )
    assert r.status_code == 404, r.text


def test_webhooks_are_per_workspace(ws: Client, ws_app: Any) -> None:
    body = {"name": "h", "url": "https://hooks.example.com/x",
            "events": [{"entity": "MODEL_VERSION", "action": "CREATED"}]}  # fmt: skip
    hook_a = _ok(ws.post(f"{V2}/webhooks", json=body, headers=A))["webhook"]["webhook_id"]
    hook_d = _ok(ws.post(f"{V2}/webhooks", json=body))["webhook"]["webhook_id"]
    _error(ws.get(f"{V2}/webhooks/{hook_a}"), 404, "RESOURCE_DOES_NOT_EXIST")
    assert [w["webhook_id"] for w in _ok(ws.get(f"{V2}/webhooks", headers=A))["webhooks"]] == [
        hook_a
    ]
    runtime = ws_app.state.ardea  # what the requests' accessors use
    event = WebhookEvent("MODEL_VERSION", "CREATED")
    targets = {
        name: [t.webhook_id for t in runtime.webhooks_for(name).store.targets_for_event(event)]
        for name in ("default", "team-a", "team-b")
    }
    assert targets == {"default": [hook_d], "team-a": [hook_a], "team-b": []}


def test_deleting_a_workspace(ws: Client) -> None:
    _experiment(ws, "kept", A)
    r = ws.delete(f"{V3}/workspaces/team-a")
    _error(r, 400, "INVALID_STATE", "still contains 1 resource(s)")
    assert ws.delete(f"{V3}/workspaces/team-a", params={"mode": "CASCADE"}).status_code == 204
    r = ws.get(f"{V2}/experiments/search", headers=A)
    _error(r, 404, "RESOURCE_DOES_NOT_EXIST", "Workspace 'team-a' not found")
    _experiment(ws, "moved", B)
    _experiment(ws, "moved", {})
    r = ws.delete(f"{V3}/workspaces/team-b", params={"mode": "SET_DEFAULT"})
    _error(r, 400, "INVALID_STATE", "experiments: 'moved'")
    r = ws.delete(f"{V3}/workspaces/team-b", params={"mode": "NOPE"})
    _error(r, 400, "INVALID_PARAMETER_VALUE", "Invalid deletion mode")
