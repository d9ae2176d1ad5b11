"""Tokens, service accounts, account states, the audit log and ``access`` over HTTP.

The real app on SQLite with ``--auth``; callers sign in with Basic auth or the tokens the
routes issue (the tokens are then used for real requests).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from ardea.auth import accounts
from ardea.server.app import create_app
from ardea.server.deps import ServerDeps
from ardea.store.auth import AuthStore

from .support import Client, assert_error

A = "/api/3.0/ardea/auth"
ADMIN_PASSWORD = "first admin password"
PASSWORD = "a long enough password 1"


def basic(username: str, password: str = PASSWORD) -> dict[str, str]:
    raw = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


ADMIN = basic("admin", ADMIN_PASSWORD)


@pytest.fixture
def client(deps: ServerDeps, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    settings = replace(deps.settings, auth_enabled=True)
    c = Client(create_app(replace(deps, settings=settings)))
    yield c
    c.close()


@pytest.fixture
def store(deps: ServerDeps, client: Client) -> AuthStore:
    found = deps.backend.require_auth()
    for name in ("ada", "bob"):
        accounts.create_user(found, name, PASSWORD, actor="test")
    return found


def _ok(r: Any) -> Any:
    assert r.status_code == 200, r.text
    return r.json()


def test_a_user_creates_uses_lists_and_revokes_its_own_token(
    client: Client, store: AuthStore
) -> None:
    made = _ok(
        client.post(
            f"{A}/tokens/create",
            json={"name": "laptop", "expires_in_days": 30},
            headers=basic("ada"),
        )
    )
    secret, token = made["secret"], made["token"]
    assert secret.startswith(f"ardea_pat_{token['prefix']}_")
    assert token["username"] == "ada" and token["name"] == "laptop" and token["kind"] == "pat"
    assert token["expires"] - token["created"] == 30 * 86_400_000
    assert "revoked" not in token and "last_used" not in token
    me = _ok(client.get("/api/2.0/mlflow/users/current", headers=bearer(secret)))
    assert me["user"]["username"] == "ada"

    listed = _ok(client.get(f"{A}/tokens/list", headers=basic("ada")))["tokens"]
    assert [t["id"] for t in listed] == [token["id"]]
    assert secret not in str(listed)
    assert _ok(client.get(f"{A}/tokens/list", headers=basic("bob")))["tokens"] == []

    revoked = _ok(
        client.post(f"{A}/tokens/revoke", json={"token_id": token["id"]}, headers=basic("ada"))
    )
    assert revoked["token"]["revoked"] >= token["created"]
    r = client.get("/api/2.0/mlflow/users/current", headers=bearer(secret))
    assert_error(r, 401, "UNAUTHENTICATED")
    assert _ok(client.get(f"{A}/tokens/list", headers=basic("ada")))["tokens"] == []
    again = _ok(client.get(f"{A}/tokens/list?include_revoked=true", headers=basic("ada")))
    assert [t["id"] for t in again["tokens"]] == [token["id"]]


def test_tokens_of_others_are_for_admins_only(client: Client, store: AuthStore) -> None:
    made = _ok(client.post(f"{A}/tokens/create", json={"name": "ci"}, headers=basic("ada")))
    tid = made["token"]["id"]
    assert "expires" not in made["token"]
    r = client.post(f"{A}/tokens/revoke", json={"token_id": tid}, headers=basic("bob"))
    assert_error(r, 404, "RESOURCE_DOES_NOT_EXIST")
    r = client.get(f"{A}/tokens/list?username=ada", headers=basic("bob"))
    assert_error(r, 403, "PERMISSION_DENIED")
    r = client.post(
        f"{A}/tokens/create", json={"name": "x", "username": "ada"}, headers=basic("bob")
    )
    assert_error(r, 403, "PERMISSION_DENIED")
    every = _ok(client.get(f"{A}/tokens/list", headers=ADMIN))["tokens"]
    assert [(t["username"], t["name"]) for t in every] == [("ada", "ci")]
    _ok(client.post(f"{A}/tokens/revoke", json={"token_id": tid}, headers=ADMIN))
    r = client.post(f"{A}/tokens/revoke", json={"token_id": 99_999}, headers=ADMIN)
    assert_error(r, 404, "RESOURCE_DOES_NOT_EXIST")


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"name": "  "}, "needs a name"),
        ({"name": "x", "expires_in_days": 0}, "expires_in_days"),
        ({"name": "x", "expires_in_days": -1}, "expires_in_days"),
        ({"name": "x", "expires_in_days": 100_000}, "expires_in_days"),
        ({}, "name"),
    ],
)
def test_bad_token_requests_are_400_and_create_nothing(
    client: Client, store: AuthStore, body: dict[str, Any], needle: str
) -> None:
    r = client.post(f"{A}/tokens/create", json=body, headers=basic("ada"))
    assert_error(r, 400, "INVALID_PARAMETER_VALUE")
    assert needle in r.json()["message"]
    assert store.list_tokens(None, include_revoked=True) == []


def test_service_accounts_get_tokens_from_an_admin(client: Client, store: AuthStore) -> None:
    r = client.post(f"{A}/service-accounts/create", json={"username": "etl"}, headers=basic("ada"))
    assert_error(r, 403, "PERMISSION_DENIED")
    sa = _ok(client.post(f"{A}/service-accounts/create", json={"username": "etl"}, headers=ADMIN))
    assert sa["user"]["kind"] == "service" and not sa["user"]["is_admin"]
    made = _ok(
        client.post(
            f"{A}/tokens/create", json={"name": "nightly", "username": "etl"}, headers=ADMIN
        )
    )
    assert made["secret"].startswith("ardea_sa_") and made["token"]["username"] == "etl"
    me = _ok(client.get("/api/2.0/mlflow/users/current", headers=bearer(made["secret"])))
    assert me["user"]["username"] == "etl"
    r = client.post(f"{A}/service-accounts/create", json={"username": "etl"}, headers=ADMIN)
    assert_error(r, 400, "RESOURCE_ALREADY_EXISTS")


def test_a_disabled_account_stops_working_at_once(client: Client, store: AuthStore) -> None:
    secret = _ok(client.post(f"{A}/tokens/create", json={"name": "t"}, headers=basic("ada")))[
        "secret"
    ]
    listed = _ok(client.get(f"{A}/users/list", headers=ADMIN))["users"]
    assert [(u["username"], u["kind"], u["disabled"]) for u in listed] == [
        ("ada", "user", False),
        ("admin", "user", False),
        ("bob", "user", False),
    ]
    assert_error(client.get(f"{A}/users/list", headers=basic("ada")), 403, "PERMISSION_DENIED")
    out = _ok(
        client.post(
            f"{A}/users/set-disabled", json={"username": "ada", "disabled": True}, headers=ADMIN
        )
    )
    assert out["user"]["disabled"] is True
    for headers in (basic("ada"), bearer(secret)):
        assert client.get("/api/2.0/mlflow/users/current", headers=headers).status_code == 401
    _ok(
        client.post(
            f"{A}/users/set-disabled", json={"username": "ada", "disabled": False}, headers=ADMIN
        )
    )
    assert client.get("/api/2.0/mlflow/users/current", headers=bearer(secret)).status_code == 200
    r = client.post(
        f"{A}/users/set-disabled", json={"username": "admin", "disabled": True}, headers=ADMIN
    )
    assert_error(r, 400, "INVALID_PARAMETER_VALUE")


def test_the_audit_log_is_for_admins_newest_first_filtered_and_paged(
    client: Client, store: AuthStore
) -> None:
    made = _ok(client.post(f"{A}/tokens/create", json={"name": "t"}, headers=basic("ada")))
    client.get("/api/2.0/mlflow/users/current", headers=basic("ada", "wrong password!!"))
    assert_error(client.get(f"{A}/audit/list", headers=basic("ada")), 403, "PERMISSION_DENIED")
    events = _ok(client.get(f"{A}/audit/list", headers=ADMIN))["events"]
    ids = [e["id"] for e in events]
    assert ids == sorted(ids, reverse=True)
    actions = [e["action"] for e in events]
    assert "token.create" in actions and "user.create" in actions
    assert made["secret"] not in str(events)
    tokens = _ok(client.get(f"{A}/audit/list?action=token.", headers=ADMIN))["events"]
    assert [(e["actor"], e["action"], e["target"]) for e in tokens] == [
        ("ada", "token.create", f"token:{made['token']['prefix']}")
    ]
    first = _ok(client.get(f"{A}/audit/list?max_results=2", headers=ADMIN))
    assert len(first["events"]) == 2 and first["next_page_token"]
    rest = _ok(
        client.get(
            f"{A}/audit/list?max_results=1000&page_token={first['next_page_token']}", headers=ADMIN
        )
    )
    assert [e["id"] for e in first["events"] + rest["events"]] == ids
    for bad in ("max_results=0", "max_results=1001", "page_token=%25%25"):
        assert client.get(f"{A}/audit/list?{bad}", headers=ADMIN).status_code == 400


def test_access_gives_the_callers_level_and_managers_see_who_has_access(
    client: Client, store: AuthStore
) -> None:
    exp = _ok(
        client.post(
            "/api/2.0/mlflow/experiments/create", json={"name": "shared"}, headers=basic("ada")
        )
    )
    eid = exp["experiment_id"]
    q = f"{A}/access?resource_type=experiment&resource_id={eid}"
    mine = _ok(client.get(q, headers=basic("ada")))
    assert mine["permission"] == "MANAGE" and mine["can_manage"] and mine["can_edit"]
    assert mine["grants"] == [
        {
            "principal_type": "user",
            "principal": "ada",
            "permission": "MANAGE",
            "resource_pattern": eid,
        }
    ]
    bob = _ok(client.get(q, headers=basic("bob")))
    assert bob["permission"] == bob["workspace_default"] == "READ"
    assert bob["can_read"] and not bob["can_edit"] and "grants" not in bob
    grant = {
        "username": "bob",
        "resource_type": "experiment",
        "resource_id": eid,
        "permission": "EDIT",
    }
    _ok(client.post("/api/3.0/mlflow/users/permissions/grant", json=grant, headers=basic("ada")))
    bob = _ok(client.get(q, headers=basic("bob")))
    assert bob["permission"] == "EDIT" and bob["can_edit"] and not bob["can_manage"]
    assert [g["principal"] for g in _ok(client.get(q, headers=basic("ada")))["grants"]] == [
        "ada",
        "bob",
    ]
    deny = {**grant, "permission": "NO_PERMISSIONS"}
    _ok(client.post("/api/3.0/mlflow/users/permissions/grant", json=deny, headers=basic("ada")))
    assert_error(client.get(q, headers=basic("bob")), 404, "RESOURCE_DOES_NOT_EXIST")
    assert_error(client.get(q), 401, "UNAUTHENTICATED")
    r = client.get(f"{A}/access?resource_type=nope&resource_id=1", headers=basic("bob"))
    assert_error(r, 400, "INVALID_PARAMETER_VALUE")
    ws = _ok(client.get(f"{A}/access?resource_type=workspace&resource_id=default", headers=ADMIN))
    assert ws["permission"] == "MANAGE"


def test_access_batch_gives_each_readable_resources_level_in_one_request(
    client: Client, store: AuthStore
) -> None:
    ids = []
    for name in ("a1", "a2", "a3"):
        made = client.post(
            "/api/2.0/mlflow/experiments/create", json={"name": name}, headers=basic("ada")
        )
        ids.append(_ok(made)["experiment_id"])
    grant = {"username": "bob", "resource_type": "experiment", "resource_id": ids[1]}
    for eid, level in ((ids[1], "EDIT"), (ids[2], "NO_PERMISSIONS")):
        body = {**grant, "resource_id": eid, "permission": level}
        _ok(client.post("/api/3.0/mlflow/users/permissions/grant", json=body, headers=basic("ada")))
    query = "&".join(f"resource_id={i}" for i in [*ids, ids[0], "0" + ids[1]])
    url = f"{A}/access/batch?resource_type=experiment&{query}"
    levels = _ok(client.get(url, headers=basic("bob")))["levels"]
    # the denied experiment is left out; a repeat is answered once; "007" is experiment 7
    assert [(lv["resource_id"], lv["permission"]) for lv in levels] == [
        (ids[0], "READ"),
        (ids[1], "EDIT"),
        ("0" + ids[1], "EDIT"),
    ]
    assert levels[1]["can_edit"] and not levels[1]["can_manage"] and "grants" not in levels[1]
    # the same answers as one access request per resource
    for lv in levels:
        one = f"{A}/access?resource_type=experiment&resource_id={lv['resource_id']}"
        assert _ok(client.get(one, headers=basic("bob")))["permission"] == lv["permission"]
    mine = _ok(client.get(url, headers=basic("ada")))["levels"]
    assert {lv["permission"] for lv in mine} == {"MANAGE"} and len(mine) == 4
    too_many = "&".join(f"resource_id={i}" for i in range(501))
    r = client.get(f"{A}/access/batch?resource_type=experiment&{too_many}", headers=basic("bob"))
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "at most 500")
    for bad in ("resource_type=experiment", "resource_type=workspace&resource_id=default"):
        r = client.get(f"{A}/access/batch?{bad}", headers=basic("bob"))
        assert_error(r, 400, "INVALID_PARAMETER_VALUE")
    assert_error(client.get(url), 401, "UNAUTHENTICATED")


def test_without_auth_the_routes_are_unknown(deps: ServerDeps) -> None:
    c = Client(create_app(deps))
    try:
        for path in (
            "tokens/list",
            "audit/list",
            "users/list",
            "access?resource_type=experiment&resource_id=0",
            "access/batch?resource_type=experiment&resource_id=0",
        ):
            assert_error(c.get(f"{A}/{path}"), 404, "ENDPOINT_NOT_FOUND")
    finally:
        c.close()
