"""Workspace answers match the response schemas of the OpenAPI document.

An app with workspaces on is driven through every ``/mlflow/workspaces`` operation (success
and error answers), each answer checked by :class:`CheckedClient` against the app's own
document; the last test asserts that every such operation answered a success.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea.server.deps import ServerSettings

from .openapi_check import CheckedClient, checked_app, workspaces_module_path

V3 = "/api/3.0/mlflow"
ONE = f"{V3}/workspaces/{{workspace_name}}"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckedClient]:
    tmp = Path(tmp_path_factory.mktemp("openapi-ws"))
    with checked_app(tmp, ServerSettings(enable_workspaces=True)) as checked:
        yield checked


def test_workspace_crud(api: CheckedClient) -> None:
    listed = api.json("GET", f"{V3}/workspaces")
    assert [w["name"] for w in listed["workspaces"]] == ["default"]
    created = api.json(
        "POST", f"{V3}/workspaces", json={"name": "team-a", "description": "A"}, status=201
    )
    assert created == {"workspace": {"name": "team-a", "description": "A"}}
    api.call("POST", f"{V3}/workspaces", json={"name": "team-a"}, status=400)
    api.call("POST", f"{V3}/workspaces", json={"name": "../etc"}, status=400)
    got = api.json("GET", ONE, {"workspace_name": "team-a"})
    assert got["workspace"]["description"] == "A"
    api.call("GET", ONE, {"workspace_name": "nope"}, status=404)
    patched = api.json(
        "PATCH",
        ONE,
        {"workspace_name": "team-a"},
        json={"default_artifact_root": "mlflow-artifacts:/team-a-root"},
    )
    assert patched["workspace"]["default_artifact_root"] == "mlflow-artifacts:/team-a-root"
    outside = {"default_artifact_root": "s3://elsewhere/team-a"}  # not among the server's roots
    api.call("PATCH", ONE, {"workspace_name": "team-a"}, json=outside, status=400)
    api.call("PATCH", ONE, {"workspace_name": "team-a"}, json={}, status=400)
    api.call("DELETE", ONE, {"workspace_name": "default"}, status=400)
    r = api.call("DELETE", ONE, {"workspace_name": "team-a"}, status=204)
    assert r.content == b""
    api.call("DELETE", ONE, {"workspace_name": "team-a"}, status=404)


def test_every_workspace_operation_was_checked(api: CheckedClient) -> None:
    assert api.unchecked(workspaces_module_path) == []
