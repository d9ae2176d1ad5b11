"""The login routes (``/api/3.0/ardea/auth/...``) through the real app on SQLite.

tests/contract/test_auth_login.py runs the main flows on PostgreSQL and MySQL too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from ardea._core.errors import FailedPreconditionError
from ardea.auth import accounts
from ardea.server.app import create_app
from ardea.server.deps import ServerDeps
from ardea.store.auth import AuthStore

from .support import Client, assert_error

LOGIN = "/api/3.0/ardea/auth/login"
LOGOUT = "/api/3.0/ardea/auth/logout"
SESSION = "/api/3.0/ardea/auth/session"
OPTIONS = "/api/3.0/ardea/auth/login-options"
ADMIN_PASSWORD = "first admin password"
ADA_PASSWORD = "ada's password 12"

MakeClient = Callable[..., Client]


@pytest.fixture
def make_client(deps: ServerDeps, monkeypatch: pytest.MonkeyPatch) -> Iterator[MakeClient]:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    clients: list[Client] = []

    def make(**settings: Any) -> Client:
        merged = {"auth_enabled": True, **settings}
        app = create_app(replace(deps, settings=replace(deps.settings, **merged)))
        clients.append(Client(app))
        return clients[-1]

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def client(make_client: MakeClient) -> Client:
    return make_client()


@pytest.fixture
def store(deps: ServerDeps, client: Client) -> AuthStore:
    return deps.backend.require_auth()


def _login(client: Client, username: str, password: str, **kwargs: Any) -> Any:
    return client.post(LOGIN, json={"username": username, "password": password}, **kwargs)


def test_login_sets_the_session_cookies_and_answers_the_user(client: Client) -> None:
    r = _login(client, "admin", ADMIN_PASSWORD)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["user"] == {"id": 1, "username": "admin", "is_admin": True}
    cookies = {c.split("=", 1)[0]: c for c in r.headers.get_list("set-cookie")}
    session, csrf = cookies["ardea_session"], cookies["ardea_csrf"]
    for flag in ("HttpOnly", "Path=/", "SameSite=lax", "Max-Age=604800"):
        assert flag in session
    assert "Secure" not in session  # plain http
    assert "HttpOnly" not in csrf and f"ardea_csrf={body['csrf_token']}" in csrf
    assert r.headers["cache-control"] == "no-store"
    me = client.get(SESSION)
    assert me.status_code == 200 and me.json() == body


@pytest.mark.parametrize("headers", [{"x-forwarded-proto": "https"}, {}])
def test_cookies_are_secure_behind_https(make_client: MakeClient, headers: dict[str, str]) -> None:
    client = make_client()
    if not headers:  # the request itself over https
        client._client.base_url = "https://localhost"
    r = _login(client, "admin", ADMIN_PASSWORD, headers=headers)
    assert all("Secure" in c for c in r.headers.get_list("set-cookie"))


def test_wrong_password_and_unknown_user_look_the_same(client: Client, store: AuthStore) -> None:
    accounts.create_user(store, "ada", ADA_PASSWORD, actor="test")
    wrong = _login(client, "ada", "not the password")
    unknown = _login(client, "nobody", "not the password")
    for r in (wrong, unknown):
        assert_error(r, 401, "UNAUTHENTICATED")
        assert "set-cookie" not in r.headers
        assert "www-authenticate" not in r.headers  # no browser Basic dialog for the UI
    assert (
        wrong.json()
        == unknown.json()
        == {
            "error_code": "UNAUTHENTICATED",
            "message": "Invalid username or password.",
        }
    )
    failed = [e for e in store.list_audit() if e.action == "login.failed"]
    assert [e.target for e in failed] == [None, "ada"]


def test_failed_logins_are_rate_limited_with_retry_after(
    client: Client, store: AuthStore, caplog: pytest.LogCaptureFixture
) -> None:
    accounts.create_user(store, "ada", ADA_PASSWORD, actor="test")
    for name in ("ada", "ghost"):
        for _ in range(5):
            assert _login(client, name, "wrong password").status_code == 401
        limited = _login(client, name, ADA_PASSWORD if name == "ada" else "x")
        assert_error(limited, 429, "REQUEST_LIMIT_EXCEEDED", "Too many failed login attempts")
        assert 1 <= int(limited.headers["retry-after"]) <= 300
    assert _login(client, "admin", ADMIN_PASSWORD).status_code == 200  # others still may
    limits = [r for r in caplog.records if r.getMessage().startswith("RateLimitedError")]
    assert limits and all(r.exc_info is None for r in limits)  # a line each, no traceback


def test_session_needs_a_live_cookie(client: Client, store: AuthStore) -> None:
    assert_error(client.get(SESSION), 401, "UNAUTHENTICATED", "Not signed in")
    forged = client.get(SESSION, headers={"cookie": "ardea_session=" + "A" * 43})
    assert_error(forged, 401, "UNAUTHENTICATED")
    assert client.get(SESSION, headers={"cookie": "ardea_session=short"}).status_code == 401
    ada = accounts.create_user(store, "ada", ADA_PASSWORD, actor="test")
    assert _login(client, "ada", ADA_PASSWORD).status_code == 200
    accounts.set_disabled(store, ada, True, actor="test")
    assert client.get(SESSION).status_code == 401


def test_logout_needs_the_csrf_token_and_ends_the_session(client: Client, store: AuthStore) -> None:
    csrf = _login(client, "admin", ADMIN_PASSWORD).json()["csrf_token"]
    cookie = client._client.cookies.get("ardea_session")
    assert_error(client.post(LOGOUT), 403, "PERMISSION_DENIED", "X-CSRF-Token")
    assert_error(client.post(LOGOUT, headers={"x-csrf-token": "wrong"}), 403, "PERMISSION_DENIED")
    assert client.get(SESSION).status_code == 200  # still signed in
    r = client.post(LOGOUT, headers={"x-csrf-token": csrf})
    assert r.status_code == 200 and r.json() == {}
    cleared = r.headers.get_list("set-cookie")
    assert any(c.startswith('ardea_session=""') and "Max-Age=0" in c for c in cleared)
    assert any(c.startswith('ardea_csrf=""') for c in cleared)
    # The old cookie is dead on the server too, not only forgotten by the browser.
    assert client.get(SESSION, headers={"cookie": f"ardea_session={cookie}"}).status_code == 401
    assert client.post(LOGOUT).status_code == 200  # no session: nothing to protect
    assert [e.action for e in store.list_audit()][:2] == ["logout", "login"]


def test_a_new_login_ends_the_session_the_browser_had(client: Client) -> None:
    _login(client, "admin", ADMIN_PASSWORD)
    first = client._client.cookies.get("ardea_session")
    _login(client, "admin", ADMIN_PASSWORD)
    assert client._client.cookies.get("ardea_session") != first
    assert client.get(SESSION, headers={"cookie": f"ardea_session={first}"}).status_code == 401


def test_bad_login_requests(client: Client, store: AuthStore) -> None:
    assert_error(client.post(LOGIN, json={"username": "admin"}), 400, "INVALID_PARAMETER_VALUE")
    assert_error(
        client.post(LOGIN, json={"username": 1, "password": "x"}), 400, "INVALID_PARAMETER_VALUE"
    )
    form = client.post(LOGIN, data={"username": "admin", "password": ADMIN_PASSWORD})
    assert form.status_code == 400  # a cross-site form cannot post JSON without a preflight
    accounts.create_service_account(store, "ci-bot", actor="test")
    assert_error(_login(client, "ci-bot", "any password"), 401, "UNAUTHENTICATED")


def test_login_options(make_client: MakeClient) -> None:
    assert make_client().get(OPTIONS).json() == {"password_login": True, "sso": False}


def test_routes_are_404_without_auth(deps: ServerDeps) -> None:
    client = Client(create_app(deps))
    try:
        for method, path in (("POST", LOGIN), ("POST", LOGOUT), ("GET", SESSION), ("GET", OPTIONS)):
            r = client.request(method, path, json={"username": "a", "password": "b"})
            assert_error(r, 404, "ENDPOINT_NOT_FOUND", path)
        assert deps.backend.require_auth().has_admin() is False  # nothing was set up
    finally:
        client.close()


def test_auth_needs_an_admin_or_refuses_to_start(
    deps: ServerDeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ARDEA_ADMIN_PASSWORD", "MLFLOW_AUTH_ADMIN_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    settings = replace(deps.settings, auth_enabled=True)
    with pytest.raises(FailedPreconditionError, match="no admin yet"):
        create_app(replace(deps, settings=settings))
    monkeypatch.setenv("MLFLOW_AUTH_ADMIN_PASSWORD", "mlflow's admin password")
    app = create_app(replace(deps, settings=settings))
    assert app.state.ardea.auth is not None
    monkeypatch.delenv("MLFLOW_AUTH_ADMIN_PASSWORD")
    assert create_app(replace(deps, settings=settings)).state.ardea.auth is not None  # exists now


def test_password_login_off_needs_sso(deps: ServerDeps, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    settings = replace(deps.settings, auth_enabled=True, auth_password_login=False)
    with pytest.raises(FailedPreconditionError, match="single sign-on"):
        create_app(replace(deps, settings=settings))
