"""A workspace's own default permission, set over REST, decides what members may do there."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from ardea.auth import accounts
from ardea.entities.auth import Permission, ResourceType
from ardea.server.app import create_app
from ardea.server.deps import ServerDeps
from fixtures.auth_app import ADMIN, ADMIN_PASSWORD, PASSWORD, basic

from .support import Client, assert_error

WS = "/api/3.0/mlflow/workspaces"
CREATE = "/api/2.0/mlflow/experiments/create"


@pytest.fixture
def client(deps: ServerDeps, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    settings = replace(deps.settings, auth_enabled=True, enable_workspaces=True)
    c = Client(create_app(replace(deps, settings=settings)))
    yield c
    c.close()


def test_the_default_permission_of_a_workspace_is_set_read_and_applied(
    client: Client, deps: ServerDeps
) -> None:
    made = client.post(WS, json={"name": "team-a", "default_permission": "EDIT"}, headers=ADMIN)
    assert made.status_code == 201, made.text
    assert made.json()["workspace"]["default_permission"] == "EDIT"
    store = deps.backend.require_auth()
    for name in ("ada", "bob"):
        user = accounts.create_user(store, name, PASSWORD, actor="test")
        store.grant(user.id, ResourceType.WORKSPACE, "team-a", Permission.USE, workspace="team-a")
    in_a = {"X-MLFLOW-WORKSPACE": "team-a"}
    eid = client.post(CREATE, json={"name": "e"}, headers={**basic("ada"), **in_a}).json()[
        "experiment_id"
    ]
    tag = {"experiment_id": eid, "key": "k", "value": "v"}
    set_tag = "/api/2.0/mlflow/experiments/set-experiment-tag"
    assert client.post(set_tag, json=tag, headers={**basic("bob"), **in_a}).status_code == 200

    r = client.patch(f"{WS}/team-a", json={"default_permission": "READ"}, headers=ADMIN)
    assert r.status_code == 200 and r.json()["workspace"]["default_permission"] == "READ"
    r = client.post(set_tag, json=tag, headers={**basic("bob"), **in_a})
    assert_error(r, 403, "PERMISSION_DENIED")
    got = client.get(f"{WS}/team-a", headers=basic("bob")).json()["workspace"]
    assert got["default_permission"] == "READ"

    r = client.patch(f"{WS}/team-a", json={"default_permission": "SUPERUSER"}, headers=ADMIN)
    assert_error(r, 400, "INVALID_PARAMETER_VALUE")
    r = client.patch(f"{WS}/team-a", json={"default_permission": "EDIT"}, headers=basic("ada"))
    assert_error(r, 403, "PERMISSION_DENIED")
    r = client.patch(f"{WS}/team-a", json={"default_permission": ""}, headers=ADMIN)
    assert r.status_code == 200 and "default_permission" not in r.json()["workspace"]
