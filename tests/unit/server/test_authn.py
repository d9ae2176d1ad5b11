"""Authentication at the door on a server with ``--auth``: HTTP Basic, API tokens, the session
cookie with its CSRF header, what is public, and every refusal (401 with MLflow's error and
``WWW-Authenticate``, 403 for a CSRF attempt, 429 for too many wrong passwords)."""

from __future__ import annotations

import base64
import dataclasses
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from ardea.auth import accounts
from ardea.auth.tokens import issue_token, revoke_token
from ardea.server.app import create_app
from ardea.server.deps import ServerDeps
from ardea.store.auth import AuthStore

from .support import Client, assert_error

ADMIN_PASSWORD = "first admin password"
ADA_PASSWORD = "ada's password 12"
SEARCH = "/api/2.0/mlflow/experiments/search"
CREATE = "/api/2.0/mlflow/experiments/create"
LOGIN = "/api/3.0/ardea/auth/login"


def basic(username: str, password: str) -> dict[str, str]:
    pair = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


@pytest.fixture
def client(deps: ServerDeps, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    settings = dataclasses.replace(deps.settings, auth_enabled=True)
    c = Client(create_app(dataclasses.replace(deps, settings=settings)))
    yield c
    c.close()


@pytest.fixture
def store(deps: ServerDeps, client: Client) -> AuthStore:
    store = deps.backend.require_auth()
    accounts.create_user(store, "ada", ADA_PASSWORD, actor="test")
    return store


def test_without_credentials_api_routes_are_401_with_a_challenge(client: Client) -> None:
    for method, path in [
        ("GET", SEARCH),
        ("POST", "/api/2.0/mlflow/runs/log-metric"),
        ("GET", "/api/2.0/mlflow/logged-models/m-1"),
        ("GET", "/api/2.0/mlflow/no-such-route"),  # no probing of what exists
        ("POST", "/v1/traces"),
        ("GET", "/get-artifact"),
        ("GET", "/model-versions/get-artifact"),
    ]:
        r = client.request(method, path)
        assert_error(r, 401, "UNAUTHENTICATED", "not authenticated")
        assert r.headers["www-authenticate"] == 'Basic realm="mlflow"', path
        assert len(r.headers["x-request-id"]) == 16


def test_public_routes_and_the_ui_need_no_credentials(client: Client) -> None:
    assert client.get("/health").text == "OK"
    assert client.get("/version").status_code == 200
    for prefix in ("/api", "/ajax-api"):
        assert client.get(f"{prefix}/3.0/mlflow/server-info").status_code == 200
        assert client.get(f"{prefix}/3.0/ardea/auth/login-options").status_code == 200
    assert client.get("/").status_code == 200  # the web UI's shell (it then signs in)
    assert client.get("/experiments/1").status_code == 200
    assert client.request("OPTIONS", SEARCH).status_code != 401  # CORS preflight


def test_the_ui_gets_no_basic_challenge(client: Client) -> None:
    r = client.get("/ajax-api/2.0/mlflow/experiments/search")
    assert_error(r, 401, "UNAUTHENTICATED")
    assert "www-authenticate" not in r.headers


def test_basic_credentials(client: Client, store: AuthStore) -> None:
    r = client.get(SEARCH, headers=basic("ada", ADA_PASSWORD))
    assert r.status_code == 200, r.text
    for headers in (
        basic("ada", "wrong password"),
        basic("nobody", ADA_PASSWORD),
        {"Authorization": "Basic !!not base64"},
        {"Authorization": "Basic " + base64.b64encode(b"no colon").decode()},
        {"Authorization": "Digest x"},
        {"Authorization": "Bearer "},
    ):
        r = client.get(SEARCH, headers=headers)
        assert_error(r, 401, "UNAUTHENTICATED")
        assert r.headers["www-authenticate"] == 'Basic realm="mlflow"'
        assert "ada" not in r.text and "nobody" not in r.text


def test_a_changed_password_stops_working_at_once(client: Client, store: AuthStore) -> None:
    assert client.get(SEARCH, headers=basic("ada", ADA_PASSWORD)).status_code == 200  # cached
    ada = store.get_user_by_username("ada")
    accounts.set_password(store, ada, "a new password 123", actor="test")
    assert client.get(SEARCH, headers=basic("ada", ADA_PASSWORD)).status_code == 401
    assert client.get(SEARCH, headers=basic("ada", "a new password 123")).status_code == 200
    accounts.set_disabled(store, ada, True, actor="test")
    assert client.get(SEARCH, headers=basic("ada", "a new password 123")).status_code == 401


def test_too_many_wrong_passwords_are_429(client: Client, store: AuthStore) -> None:
    for _ in range(5):
        assert client.get(SEARCH, headers=basic("ada", "wrong password")).status_code == 401
    r = client.get(SEARCH, headers=basic("ada", ADA_PASSWORD))
    assert_error(r, 429, "REQUEST_LIMIT_EXCEEDED", "Too many failed login attempts")
    assert int(r.headers["retry-after"]) > 0


def test_api_tokens(client: Client, store: AuthStore) -> None:
    ada = store.get_user_by_username("ada")
    issued = issue_token(store, ada, "laptop", timedelta(days=1))
    token = issued.token
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get(SEARCH, headers=bearer).status_code == 200
    # its use is recorded, off the request path
    deadline = time.monotonic() + 5
    while store.list_tokens(ada.id)[0].last_used is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert store.list_tokens(ada.id)[0].last_used is not None
    revoke_token(store, issued.info.id, actor="test")
    r = client.get(SEARCH, headers=bearer)
    assert_error(r, 401, "UNAUTHENTICATED", "revoked")
    wrong = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert_error(
        client.get(SEARCH, headers={"Authorization": f"Bearer {wrong}"}),
        401,
        "UNAUTHENTICATED",
        "Invalid API token",
    )


def test_expired_tokens(client: Client, store: AuthStore) -> None:
    ada = store.get_user_by_username("ada")
    token = issue_token(store, ada, "short", 0.05).token
    time.sleep(0.1)
    r = client.get(SEARCH, headers={"Authorization": f"Bearer {token}"})
    assert_error(r, 401, "UNAUTHENTICATED", "expired")


def _login(client: Client) -> str:
    r = client.post(LOGIN, json={"username": "ada", "password": ADA_PASSWORD})
    assert r.status_code == 200, r.text
    csrf: str = r.json()["csrf_token"]
    return csrf


def test_session_cookie_and_csrf(client: Client, store: AuthStore) -> None:
    csrf = _login(client)
    assert client.get(SEARCH).status_code == 200  # the cookie
    r = client.post(CREATE, json={"name": "no-csrf"})
    assert_error(r, 403, "PERMISSION_DENIED", "CSRF")
    r = client.post(CREATE, json={"name": "wrong-csrf"}, headers={"X-CSRF-Token": csrf + "x"})
    assert_error(r, 403, "PERMISSION_DENIED", "CSRF")
    r = client.post(CREATE, json={"name": "with-csrf"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    names = [e["name"] for e in client.get(SEARCH).json()["experiments"]]
    assert "with-csrf" in names and "no-csrf" not in names


def test_basic_wins_over_a_cookie_and_needs_no_csrf(client: Client, store: AuthStore) -> None:
    _login(client)
    r = client.post(CREATE, json={"name": "by-basic"}, headers=basic("admin", ADMIN_PASSWORD))
    assert r.status_code == 200, r.text


def test_a_forged_or_ended_session_cookie_is_401_without_challenge(
    client: Client, store: AuthStore
) -> None:
    client._client.cookies.set("ardea_session", "A" * 43)
    r = client.get(SEARCH)
    assert_error(r, 401, "UNAUTHENTICATED", "session has ended")
    assert "www-authenticate" not in r.headers
    client._client.cookies.set("ardea_session", "not even the right shape")
    assert client.get(SEARCH).status_code == 401


def test_public_routes_ignore_credentials(client: Client, store: AuthStore) -> None:
    # a wrong password does not stop the login page or the health probe
    assert client.get("/health", headers=basic("ada", "wrong")).status_code == 200
    r = client.post(
        LOGIN, json={"username": "ada", "password": ADA_PASSWORD}, headers=basic("x", "y")
    )
    assert r.status_code == 200


def test_without_auth_nothing_is_checked(deps: ServerDeps) -> None:
    c = Client(create_app(deps))
    try:
        assert c.get(SEARCH).status_code == 200
        assert c.get(SEARCH, headers=basic("nobody", "nothing")).status_code == 200
    finally:
        c.close()
