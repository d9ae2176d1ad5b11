"""Single sign-on against a real OpenID provider (authlib, on loopback), through the real app.

The provider (``fixtures.oidc_provider``) signs users in without a form; the tests follow
every redirect by hand: Ardea's login -> the provider's authorize endpoint (real HTTP) ->
Ardea's callback, and look at what each step answers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import pytest

from ardea.server.app import create_app
from ardea.server.deps import ServerDeps
from ardea.store.auth import AuthStore
from fixtures.oidc_provider import OidcProvider, follow_to_callback, query_of

from .support import Client, assert_error

CALLBACK = "http://localhost/api/3.0/ardea/auth/oidc/callback"
LOGIN = "/api/3.0/ardea/auth/oidc/login"
SESSION = "/api/3.0/ardea/auth/session"
SECRET = "provider-test-secret"
ADMIN_PASSWORD = "first admin password"

MakeClient = Callable[..., Client]


@pytest.fixture
def idp() -> Iterator[OidcProvider]:
    with OidcProvider(client_secret=SECRET, redirect_uris=[CALLBACK]) as provider:
        yield provider


@pytest.fixture
def store(deps: ServerDeps) -> AuthStore:
    return deps.backend.require_auth()


@pytest.fixture
def make_client(
    deps: ServerDeps, idp: OidcProvider, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MakeClient]:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("ARDEA_OIDC_CLIENT_SECRET", SECRET)
    clients: list[Client] = []

    def make(**settings: Any) -> Client:
        base: dict[str, Any] = {
            "auth_enabled": True,
            "oidc_issuer": idp.url,
            "oidc_client_id": "ardea",
            "oidc_group_roles": ("ml=editors", "ops=default/readers"),
            "oidc_admin_group": "admins",
        }
        app = create_app(replace(deps, settings=replace(deps.settings, **{**base, **settings})))
        clients.append(Client(app))
        return clients[-1]

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def roles(store: AuthStore) -> dict[str, int]:
    return {name: store.create_role(name).id for name in ("editors", "readers", "by-hand")}


def _sso(client: Client, next_path: str = "/") -> Any:
    return client.get(follow_to_callback(client, f"{LOGIN}?next={next_path}"))


def _role_names(store: AuthStore, username: str) -> set[str]:
    user = store.get_user_by_username(username)
    return {r.name for r in store.list_user_roles(user.id)}


def test_login_redirects_with_state_nonce_and_pkce(
    make_client: MakeClient, idp: OidcProvider
) -> None:
    client = make_client()
    r = client.get(LOGIN)
    assert r.status_code == 302
    location = r.headers["location"]
    assert location.startswith(idp.url + "/authorize?")
    params = query_of(location)
    assert params["response_type"] == "code"
    assert params["client_id"] == "ardea"
    assert params["redirect_uri"] == CALLBACK
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43
    assert len(params["state"]) >= 43 and len(params["nonce"]) >= 43
    assert params["scope"].split() == ["openid", "profile", "email"]
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("ardea_oidc=")
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert "Path=/api/3.0/ardea/auth/oidc" in cookie
    assert SECRET not in location and SECRET not in cookie
    assert r.headers["cache-control"] == "no-store"


def test_sso_creates_the_user_maps_groups_and_starts_a_session(
    make_client: MakeClient, idp: OidcProvider, store: AuthStore, roles: dict[str, int]
) -> None:
    client = make_client()
    idp.sign_in_as("ada", groups=["ml", "unmapped"])
    done = _sso(client, "/experiments/1?x=2")
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/experiments/1?x=2"
    cookies = done.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("ardea_session="))
    assert "HttpOnly" in session and "Path=/" in session and "samesite=lax" in session.lower()
    assert any(c.startswith('ardea_oidc=""') for c in cookies)  # the login state is spent
    me = client.get(SESSION).json()
    assert me["user"]["username"] == "ada" and me["user"]["is_admin"] is False
    assert me["csrf_token"]
    assert _role_names(store, "ada") == {"editors"}
    ada = store.get_login("ada")
    assert ada is not None and ada.password_hash is None
    actions = [(e.action, e.actor) for e in reversed(store.list_audit())]
    assert ("user.create", "oidc") in actions
    assert ("role.assign", "oidc") in actions
    assert ("login", "ada") in actions
    login = next(e for e in store.list_audit() if e.action == "login")
    assert login.detail == {"method": "oidc"}


def test_group_changes_at_the_provider_apply_at_the_next_login(
    make_client: MakeClient, idp: OidcProvider, store: AuthStore, roles: dict[str, int]
) -> None:
    client = make_client()
    idp.sign_in_as("ada", groups=["ml"])
    assert _sso(client).status_code == 303
    first = client._client.cookies.get("ardea_session")
    ada = store.get_user_by_username("ada")
    store.assign_role(ada.id, roles["by-hand"])  # not in any mapping: SSO leaves it alone
    idp.sign_in_as("ada", groups=["ops"])
    assert _sso(client).status_code == 303
    assert _role_names(store, "ada") == {"readers", "by-hand"}
    stale = client.get(SESSION, headers={"cookie": f"ardea_session={first}"})
    assert stale.status_code == 401  # a new sign-in ended the browser's previous session
    idp.sign_in_as("ada", groups=[])
    assert _sso(client).status_code == 303
    assert _role_names(store, "ada") == {"by-hand"}
    unassigned = [e for e in store.list_audit() if e.action == "role.unassign"]
    assert {e.detail["role"] for e in unassigned if e.detail} == {"editors", "readers"}


def test_admin_group_makes_and_unmakes_admins(
    make_client: MakeClient, idp: OidcProvider, store: AuthStore
) -> None:
    client = make_client()
    idp.sign_in_as("boss", groups=["admins"])
    assert _sso(client).status_code == 303
    assert client.get(SESSION).json()["user"]["is_admin"] is True
    idp.sign_in_as("boss", groups=["ml"])
    assert _sso(client).status_code == 303
    assert store.get_user_by_username("boss").is_admin is False


def test_groups_missing_from_the_id_token_come_from_userinfo(
    make_client: MakeClient, idp: OidcProvider, store: AuthStore, roles: dict[str, int]
) -> None:
    client = make_client()
    idp.sign_in_as("ada", groups=["ml"])

    def drop_groups(claims: dict[str, Any], header: dict[str, Any]) -> tuple[Any, Any, Any]:
        return {k: v for k, v in claims.items() if k != "groups"}, header, idp.key

    idp.tamper = drop_groups
    assert _sso(client).status_code == 303
    assert _role_names(store, "ada") == {"editors"}


def test_wrong_state_is_refused(make_client: MakeClient, idp: OidcProvider) -> None:
    client = make_client()
    idp.sign_in_as("ada")
    callback = follow_to_callback(client)
    params = query_of(callback)
    forged = f"{urlsplit(callback).path}?code={params['code']}&state=not-the-state"
    assert_error(client.get(forged), 400, "INVALID_PARAMETER_VALUE", "state mismatch")
    assert client.get(SESSION).status_code == 401
    # The real answer still works once: a forged one did not spend the login.
    assert client.get(callback).status_code == 303


def test_callback_without_the_login_cookie_is_refused(
    make_client: MakeClient, idp: OidcProvider, deps: ServerDeps
) -> None:
    client = make_client()
    idp.sign_in_as("ada")
    callback = follow_to_callback(client)
    other = make_client()  # another browser: no ardea_oidc cookie
    assert_error(other.get(callback), 400, "INVALID_PARAMETER_VALUE", "start the login again")
    assert other.get(SESSION).status_code == 401


def test_a_replayed_callback_and_a_replayed_code_are_refused(
    make_client: MakeClient, idp: OidcProvider
) -> None:
    client = make_client()
    idp.sign_in_as("ada")
    callback = follow_to_callback(client)
    state_cookie = client._client.cookies.get("ardea_oidc")
    assert client.get(callback).status_code == 303
    # The same answer again, with the same login cookie put back: the state is spent.
    client._client.cookies.clear()
    again = client.get(callback, headers={"cookie": f"ardea_oidc={state_cookie}"})
    assert_error(again, 400, "INVALID_PARAMETER_VALUE", "start the login again")
    # The same code with a fresh login's state: the provider refuses a used code.
    used_code = query_of(callback)["code"]
    fresh = query_of(follow_to_callback(client))
    replay = f"{urlsplit(callback).path}?code={used_code}&state={fresh['state']}"
    assert_error(client.get(replay), 400, "INVALID_PARAMETER_VALUE", "refused the sign-in code")


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda c: {**c, "exp": int(time.time()) - 3600, "iat": 0}, "expired"),
        (lambda c: {**c, "nonce": "another-login"}, "nonce"),
        (lambda c: {**c, "aud": ["someone-else"]}, "aud"),
        (lambda c: {**c, "iss": "http://127.0.0.1:1/evil"}, "iss"),
        (lambda c: {k: v for k, v in c.items() if k != "nonce"}, "nonce"),
    ],
)
def test_bad_id_tokens_are_refused(
    make_client: MakeClient,
    idp: OidcProvider,
    store: AuthStore,
    tamper: Callable[[dict[str, Any]], dict[str, Any]],
    reason: str,
) -> None:
    client = make_client()
    idp.sign_in_as("ada")
    idp.tamper = lambda claims, header: (tamper(claims), header, idp.key)
    r = client.get(follow_to_callback(client))
    assert_error(r, 401, "UNAUTHENTICATED", "ID token was refused")
    assert reason in r.json()["message"]
    assert client.get(SESSION).status_code == 401
    assert store.get_login("ada") is None  # nothing provisioned from a bad token
    failed = [e for e in store.list_audit() if e.action == "login.failed"]
    assert failed and failed[0].detail and failed[0].detail["method"] == "oidc"


@pytest.mark.parametrize("kid", ["test-key-1", "a-key-nobody-published"])
def test_forged_id_tokens_are_refused(make_client: MakeClient, idp: OidcProvider, kid: str) -> None:
    from joserfc.jwk import RSAKey

    forger = RSAKey.generate_key(2048, parameters={"kid": kid})
    client = make_client()
    idp.sign_in_as("ada", groups=["admins"])
    idp.tamper = lambda claims, header: (claims, {**header, "kid": kid}, forger)
    r = client.get(follow_to_callback(client))
    assert_error(r, 401, "UNAUTHENTICATED", "ID token was refused")
    assert client.get(SESSION).status_code == 401


def test_provider_refusal_is_a_clear_401(make_client: MakeClient, idp: OidcProvider) -> None:
    client = make_client()
    idp.sign_in_as("ada")
    state = query_of(client.get(LOGIN).headers["location"])["state"]
    r = client.get(f"/api/3.0/ardea/auth/oidc/callback?error=access_denied&state={state}")
    assert_error(r, 401, "UNAUTHENTICATED", "did not sign you in (access_denied)")


def test_a_local_account_with_a_password_is_never_taken_over(
    make_client: MakeClient, idp: OidcProvider, store: AuthStore
) -> None:
    from ardea.auth import accounts

    client = make_client()
    accounts.create_user(store, "ada", "ada's own password", actor="test")
    idp.sign_in_as("ada", groups=["admins"])
    r = client.get(follow_to_callback(client))
    assert_error(r, 403, "PERMISSION_DENIED", "never takes over")
    assert store.get_user_by_username("ada").is_admin is False
    assert client.get(SESSION).status_code == 401


def test_browsers_get_a_small_page_without_secrets(
    make_client: MakeClient, idp: OidcProvider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client()
    idp.sign_in_as("ada")
    idp.tamper = lambda claims, header: ({**claims, "nonce": "x"}, header, idp.key)
    r = client.get(follow_to_callback(client), headers={"accept": "text/html,*/*"})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("text/html")
    assert "Sign-in failed" in r.text and "nonce" in r.text
    assert "Traceback" not in r.text and SECRET not in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    ours = [r.getMessage() for r in caplog.records if r.name.startswith(("ardea", "httpx"))]
    assert ours and not any(SECRET in line for line in ours)


def test_next_never_leaves_the_server(make_client: MakeClient, idp: OidcProvider) -> None:
    client = make_client()
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "evil"):
        idp.sign_in_as("ada")
        done = client.get(follow_to_callback(client, f"{LOGIN}?next={target}"))
        assert done.status_code == 303
        assert done.headers["location"] == "/", target


def test_password_login_can_be_turned_off_with_sso(
    make_client: MakeClient, idp: OidcProvider
) -> None:
    client = make_client(auth_password_login=False)
    r = client.post(
        "/api/3.0/ardea/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert_error(r, 403, "PERMISSION_DENIED", "Password login is turned off")
    options = client.get("/api/3.0/ardea/auth/login-options").json()
    assert options == {"password_login": False, "sso": True, "sso_login_url": LOGIN}
    idp.sign_in_as("ada")
    assert _sso(client).status_code == 303


def test_a_public_client_signs_in_with_pkce_only(
    deps: ServerDeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.delenv("ARDEA_OIDC_CLIENT_SECRET", raising=False)
    with OidcProvider(client_secret=None, redirect_uris=[CALLBACK]) as public:
        settings = replace(
            deps.settings, auth_enabled=True, oidc_issuer=public.url, oidc_client_id="ardea"
        )
        client = Client(create_app(replace(deps, settings=settings)))
        try:
            public.sign_in_as("ada")
            assert _sso(client).status_code == 303
            assert client.get(SESSION).json()["user"]["username"] == "ada"
        finally:
            client.close()


def test_redirect_base_url_names_the_redirect_uri(
    make_client: MakeClient, idp: OidcProvider
) -> None:
    client = make_client(oidc_redirect_base_url="https://ardea.example.com/")
    params = query_of(client.get(LOGIN).headers["location"])
    assert params["redirect_uri"] == "https://ardea.example.com/api/3.0/ardea/auth/oidc/callback"


def test_an_unreachable_provider_is_a_502(make_client: MakeClient) -> None:
    from fixtures.server_process import free_port

    client = make_client(oidc_issuer=f"http://127.0.0.1:{free_port()}")
    assert_error(client.get(LOGIN), 502, "TEMPORARILY_UNAVAILABLE", "could not be reached")


def test_oidc_routes_are_404_without_sso_or_auth(
    deps: ServerDeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    for settings in (deps.settings, replace(deps.settings, auth_enabled=True)):
        client = Client(create_app(replace(deps, settings=settings)))
        try:
            for path in (LOGIN, "/api/3.0/ardea/auth/oidc/callback?code=x&state=y"):
                assert_error(client.get(path), 404, "ENDPOINT_NOT_FOUND")
        finally:
            client.close()


@pytest.mark.parametrize(
    ("secret", "shared_key", "finishes"),
    [(SECRET, "", True), (None, "a key for every worker", True), (None, "", False)],
)
def test_a_login_begun_on_one_worker_finishes_on_another(
    deps: ServerDeps,
    monkeypatch: pytest.MonkeyPatch,
    secret: str | None,
    shared_key: str,
    finishes: bool,
) -> None:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("ARDEA_OIDC_STATE_KEY", shared_key)
    if secret:
        monkeypatch.setenv("ARDEA_OIDC_CLIENT_SECRET", secret)
    else:
        monkeypatch.delenv("ARDEA_OIDC_CLIENT_SECRET", raising=False)
    with OidcProvider(client_secret=secret, redirect_uris=[CALLBACK]) as provider:
        settings = replace(
            deps.settings, auth_enabled=True, oidc_issuer=provider.url, oidc_client_id="ardea"
        )
        # Two apps on one database: two workers (or replicas), each with its own memory.
        first, second = (Client(create_app(replace(deps, settings=settings))) for _ in "12")
        try:
            provider.sign_in_as("ada")
            callback = follow_to_callback(first)
            sealed = first._client.cookies.get("ardea_oidc")
            done = second.get(callback, headers={"cookie": f"ardea_oidc={sealed}"})
            assert (done.status_code == 303) == finishes, done.text
        finally:
            first.close()
            second.close()
