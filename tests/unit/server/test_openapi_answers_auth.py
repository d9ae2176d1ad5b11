"""Login route answers match the response schemas of the OpenAPI document.

An app with auth on is driven through every ``/ardea/auth`` operation (success and error
answers), each answer checked by :class:`CheckedClient` against the app's own document; the
last test asserts that every such operation answered a success. (The OIDC browser
redirects are not in the document: see ``ardea.server.routers.auth_oidc``.)
"""

from __future__ import annotations

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


def test_every_auth_operation_was_checked(api: CheckedClient) -> None:
    assert api.unchecked(auth_module_path) == []
