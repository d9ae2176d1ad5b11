"""Login sessions and single sign-on through the real app on every SQL backend.

The same flows as tests/unit/server/test_auth_session.py and test_auth_oidc.py (which go
into detail on SQLite), here on PostgreSQL and MySQL too: a password login, the session,
logout, the rate limit; an OIDC login against a real provider on loopback that creates the
user, maps its groups to roles and makes it an admin.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from ardea.server.app import create_app
from ardea.server.deps import ServerDeps, ServerSettings
from ardea.store.backend import Backend
from fixtures.asgi import SyncASGITransport
from fixtures.oidc_provider import OidcProvider, follow_to_callback

CALLBACK = "http://localhost/api/3.0/ardea/auth/oidc/callback"
ADMIN_PASSWORD = "first admin password"
SECRET = "contract-provider-secret"


@pytest.fixture
def backend(sql_backend: Backend) -> Backend:
    """Each SQL database (see ``sql_backend`` in conftest.py)."""
    return sql_backend


@pytest.fixture
def idp() -> Iterator[OidcProvider]:
    with OidcProvider(client_secret=SECRET, redirect_uris=[CALLBACK]) as provider:
        yield provider


@pytest.fixture
def browser(
    backend: Backend, idp: OidcProvider, monkeypatch: pytest.MonkeyPatch
) -> Iterator[httpx.Client]:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("ARDEA_OIDC_CLIENT_SECRET", SECRET)
    settings = ServerSettings(
        auth_enabled=True,
        oidc_issuer=idp.url,
        oidc_client_id="ardea",
        oidc_group_roles=("ml=editors",),
        oidc_admin_group="admins",
    )
    transport = SyncASGITransport(create_app(ServerDeps(backend, settings)))
    with httpx.Client(transport=transport, base_url="http://localhost") as client:
        yield client
    transport.close()


def test_password_login_session_and_logout(browser: httpx.Client, backend: Backend) -> None:
    wrong = browser.post(
        "/api/3.0/ardea/auth/login", json={"username": "admin", "password": "wrong password"}
    )
    assert wrong.status_code == 401
    r = browser.post(
        "/api/3.0/ardea/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert r.status_code == 200, r.text
    csrf = r.json()["csrf_token"]
    me = browser.get("/api/3.0/ardea/auth/session")
    assert me.json()["user"]["username"] == "admin" and me.json()["csrf_token"] == csrf
    out = browser.post("/api/3.0/ardea/auth/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 200
    assert browser.get("/api/3.0/ardea/auth/session").status_code == 401
    actions = [e.action for e in reversed(backend.require_auth().list_audit())]
    assert actions == ["user.create", "login.failed", "login", "logout"]
    for _ in range(5):
        browser.post("/api/3.0/ardea/auth/login", json={"username": "x", "password": "y"})
    limited = browser.post("/api/3.0/ardea/auth/login", json={"username": "x", "password": "y"})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0


def test_sso_creates_the_user_with_its_roles(
    browser: httpx.Client, backend: Backend, idp: OidcProvider
) -> None:
    store = backend.require_auth()
    editors = store.create_role("editors")
    idp.sign_in_as("ada", groups=["ml", "admins"])
    done = browser.get(follow_to_callback(browser, "/api/3.0/ardea/auth/oidc/login?next=/x"))
    assert done.status_code == 303 and done.headers["location"] == "/x"
    me = browser.get("/api/3.0/ardea/auth/session").json()["user"]
    assert me["username"] == "ada" and me["is_admin"] is True
    ada = store.get_user_by_username("ada")
    assert [r.id for r in store.list_user_roles(ada.id)] == [editors.id]
    idp.sign_in_as("ada", groups=[])
    assert browser.get(follow_to_callback(browser)).status_code == 303
    assert store.list_user_roles(ada.id) == []
    assert store.get_user_by_username("ada").is_admin is False
