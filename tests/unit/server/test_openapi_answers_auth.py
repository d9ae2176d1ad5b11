"""Login route answers match the response schemas of the OpenAPI document.

An app with auth on is driven through every ``/ardea/auth`` operation (success and error
answers), each answer checked by :class:`CheckedClient` against the app's own document; the
last test asserts that every such operation answered a success. (The OIDC browser
redirects are not in the document: see ``ardea.server.routers.auth_oidc``.)
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea.server.deps import ServerSettings

from .openapi_check import CheckedClient, auth_module_path, checked_app

AUTH = "/api/3.0/ardea/auth"
PASSWORD = "first admin password"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckedClient]:
    tmp = Path(tmp_path_factory.mktemp("openapi-auth"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARDEA_ADMIN_PASSWORD", PASSWORD)
        with checked_app(tmp, ServerSettings(auth_enabled=True)) as checked:
            yield checked


def test_login_session_logout(api: CheckedClient) -> None:
    assert api.json("GET", f"{AUTH}/login-options") == {"password_login": True, "sso": False}
    api.call("GET", f"{AUTH}/session", status=401)
    api.call("POST", f"{AUTH}/login", json={"username": "admin"}, status=400)
    api.call("POST", f"{AUTH}/login", json={"username": "admin", "password": "no"}, status=401)
    signed_in = api.json("POST", f"{AUTH}/login", json={"username": "admin", "password": PASSWORD})
    assert signed_in["user"]["username"] == "admin"
    assert api.json("GET", f"{AUTH}/session") == signed_in
    api.call("POST", f"{AUTH}/logout", status=403)
    headers = {"X-CSRF-Token": signed_in["csrf_token"]}
    assert api.json("POST", f"{AUTH}/logout", headers=headers) == {}
    for _ in range(5):
        api.call("POST", f"{AUTH}/login", json={"username": "x", "password": "y"}, status=401)
    api.call("POST", f"{AUTH}/login", json={"username": "x", "password": "y"}, status=429)


def _basic(username: str, password: str) -> dict[str, str]:
    pair = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def test_users_roles_and_grants(api: CheckedClient) -> None:
    admin, users, v3 = _basic("admin", PASSWORD), "/api/2.0/mlflow/users", "/api/3.0/mlflow"
    ada = _basic("ada", "ada's password 12")
    made = api.json(
        "POST",
        f"{users}/create",
        json={"username": "ada", "password": "ada's password 12"},
        headers=admin,
    )
    assert made == {"user": {"id": 2, "username": "ada", "is_admin": False}}
    api.call(
        "POST",
        f"{users}/create",
        json={"username": "ada", "password": "x"},
        headers=ada,
        status=403,
    )
    api.call("POST", f"{users}/create", json={"username": "ada"}, headers=admin, status=400)
    assert api.json("GET", f"{users}/get", params={"username": "ada"}, headers=ada) == made
    api.call("GET", f"{users}/get", params={"username": "admin"}, headers=ada, status=403)
    api.call("GET", f"{users}/get", params={"username": "bob"}, headers=admin, status=404)
    assert api.json("GET", f"{users}/current", headers=ada)["is_basic_auth"] is True
    api.call("GET", f"{users}/current", status=401)
    assert len(api.json("GET", f"{users}/list", headers=ada)["users"]) == 2
    experiment = api.client.post(
        "/api/2.0/mlflow/experiments/create", json={"name": "e"}, headers=admin
    ).json()["experiment_id"]
    grant = {"username": "ada", "resource_type": "experiment", "resource_id": experiment}
    api.call(
        "POST", f"{v3}/users/permissions/grant", json={**grant, "permission": "EDIT"}, headers=admin
    )
    api.call(
        "POST",
        f"{v3}/users/permissions/grant",
        json={**grant, "permission": "EDIT"},
        headers=ada,
        status=403,
    )
    got = api.json("GET", f"{v3}/users/permissions/get", params=grant, headers=ada)
    assert got == {"allowed": True, "permission": "EDIT"}
    role = api.json(
        "POST",
        f"{v3}/roles/create",
        json={"workspace": "default", "name": "readers"},
        headers=admin,
    )["role"]
    api.call(
        "POST",
        f"{v3}/roles/create",
        json={"workspace": "default", "name": "x"},
        headers=ada,
        status=403,
    )
    rid = role["id"]
    assert api.json("GET", f"{v3}/roles/get", params={"role_id": rid}, headers=ada)["role"] == role
    api.json(
        "PATCH", f"{v3}/roles/update", json={"role_id": rid, "description": "d"}, headers=admin
    )
    added = api.json(
        "POST",
        f"{v3}/roles/permissions/add",
        json={
            "role_id": rid,
            "resource_type": "experiment",
            "resource_pattern": "*",
            "permission": "READ",
        },
        headers=admin,
    )["role_permission"]
    api.json(
        "PATCH",
        f"{v3}/roles/permissions/update",
        json={"role_permission_id": added["id"], "permission": "EDIT"},
        headers=admin,
    )
    listed = api.json("GET", f"{v3}/roles/permissions/list", params={"role_id": rid}, headers=ada)
    assert [p["permission"] for p in listed["role_permissions"]] == ["EDIT"]
    assignment = api.json(
        "POST", f"{v3}/roles/assign", json={"username": "ada", "role_id": rid}, headers=admin
    )
    assert api.json("GET", f"{v3}/roles/users/list", params={"role_id": rid}, headers=ada) == {
        "assignments": [assignment["assignment"]]
    }
    assert (
        len(
            api.json("GET", f"{v3}/roles/list", params={"workspace": "default"}, headers=ada)[
                "roles"
            ]
        )
        == 1
    )
    api.call("GET", f"{v3}/roles/list", headers=ada, status=403)
    assert (
        api.json("GET", f"{v3}/users/roles/list", params={"username": "ada"}, headers=ada)["roles"][
            0
        ]["id"]
        == rid
    )
    mine = api.json("GET", f"{v3}/users/current/permissions", headers=ada)
    assert {p["role_name"] for p in mine["permissions"]} == {"readers", "__user_2__"}
    assert (
        api.json("GET", f"{v3}/users/permissions/list", params={"username": "ada"}, headers=admin)
        == mine
    )
    api.call(
        "DELETE", f"{v3}/roles/unassign", json={"username": "ada", "role_id": rid}, headers=admin
    )
    api.call(
        "DELETE",
        f"{v3}/roles/permissions/remove",
        json={"role_permission_id": added["id"]},
        headers=admin,
    )
    api.call("DELETE", f"{v3}/roles/delete", json={"role_id": rid}, headers=admin)
    api.call("POST", f"{v3}/users/permissions/revoke", json=grant, headers=admin)
    api.call("POST", f"{v3}/users/permissions/revoke", json=grant, headers=admin, status=404)
    api.call(
        "PATCH",
        f"{users}/update-password",
        json={
            "username": "ada",
            "password": "another password 1",
            "current_password": "ada's password 12",
        },
        headers=ada,
    )
    api.call(
        "PATCH", f"{users}/update-admin", json={"username": "ada", "is_admin": True}, headers=admin
    )
    api.call("DELETE", f"{users}/delete", json={"username": "admin"}, headers=admin, status=400)
    api.call("DELETE", f"{users}/delete", json={"username": "ada"}, headers=admin)


def test_tokens_accounts_audit_and_access(api: CheckedClient) -> None:
    admin = _basic("admin", PASSWORD)
    api.call("POST", f"{AUTH}/service-accounts/create", json={}, headers=admin, status=400)
    sa = api.json(
        "POST", f"{AUTH}/service-accounts/create", json={"username": "bot"}, headers=admin
    )
    assert sa["user"]["kind"] == "service"
    made = api.json(
        "POST",
        f"{AUTH}/tokens/create",
        json={"name": "ci", "username": "bot", "expires_in_days": 1},
        headers=admin,
    )
    api.call("POST", f"{AUTH}/tokens/create", json={"name": ""}, headers=admin, status=400)
    assert api.json("GET", f"{AUTH}/tokens/list", headers=admin)["tokens"][0]["name"] == "ci"
    api.json("POST", f"{AUTH}/tokens/revoke", json={"token_id": made["token"]["id"]}, headers=admin)
    api.call("POST", f"{AUTH}/tokens/revoke", json={"token_id": 987}, headers=admin, status=404)
    api.json("GET", f"{AUTH}/users/list", headers=admin)
    api.json(
        "POST",
        f"{AUTH}/users/set-disabled",
        json={"username": "bot", "disabled": True},
        headers=admin,
    )
    api.call("GET", f"{AUTH}/users/list", status=401)
    page = api.json("GET", f"{AUTH}/audit/list", params={"max_results": 1}, headers=admin)
    assert page["next_page_token"]
    api.call("GET", f"{AUTH}/audit/list", params={"max_results": 0}, headers=admin, status=400)
    access = {"resource_type": "workspace", "resource_id": "default"}
    assert api.json("GET", f"{AUTH}/access", params=access, headers=admin)["can_manage"]
    bad = {"resource_type": "nope", "resource_id": "1"}
    api.call("GET", f"{AUTH}/access", params=bad, headers=admin, status=400)
    many = {"resource_type": "experiment", "resource_id": ["0", "1"]}
    levels = api.json("GET", f"{AUTH}/access/batch", params=many, headers=admin)["levels"]
    assert [lv["resource_id"] for lv in levels] == ["0", "1"]
    api.call("GET", f"{AUTH}/access/batch", params=bad, headers=admin, status=400)


def test_gateway_keys(api: CheckedClient) -> None:
    admin = _basic("admin", PASSWORD)
    keys = "/api/3.0/ardea/gateway/keys"
    body = {"name": "team", "allowed_models": ["chat*"], "metadata": {"team": "search"}}
    made = api.json("POST", f"{keys}/create", json=body, headers=admin)
    assert made["key"]["allowed_models"] == ["chat*"] and made["secret"]
    api.call("POST", f"{keys}/create", json={"name": ""}, headers=admin, status=400)
    assert api.json("GET", f"{keys}/list", headers=admin)["keys"][0]["name"] == "team"
    api.call("GET", f"{keys}/list", status=401)
    revoked = api.json("POST", f"{keys}/revoke", json={"key_id": made["key"]["id"]}, headers=admin)
    assert revoked["key"]["revoked"]
    api.call("POST", f"{keys}/revoke", json={"key_id": 987}, headers=admin, status=404)


def test_every_auth_operation_was_checked(api: CheckedClient) -> None:
    assert api.unchecked(auth_module_path) == []
