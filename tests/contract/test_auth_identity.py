"""The identity flows of ``ardea.auth`` on every SQL backend: first admin, password login,
token, session, revocation and disabling (the unit tests go into detail on SQLite)."""

from __future__ import annotations

import pytest

from ardea._core.errors import UnauthenticatedError
from ardea.auth import accounts
from ardea.auth.bootstrap import ensure_admin
from ardea.auth.cache import CredentialCache
from ardea.auth.identity import Principal, authenticate_basic, authenticate_token
from ardea.auth.sessions import SessionManager
from ardea.auth.tokens import issue_token, revoke_token
from ardea.store.auth import AuthStore
from ardea.store.backend import Backend


@pytest.fixture
def backend(sql_backend: Backend) -> Backend:
    """Each SQL database (see ``sql_backend`` in conftest.py)."""
    return sql_backend


@pytest.fixture
def store(backend: Backend) -> AuthStore:
    return backend.require_auth()


def test_identity_tour(store: AuthStore) -> None:
    assert ensure_admin(store, {"ARDEA_ADMIN_PASSWORD": "first admin password"})
    admin = authenticate_basic(store, "admin", "first admin password").user
    assert admin.is_admin
    ada = accounts.create_user(store, "ada", "ada's password 1", actor="admin")
    cache: CredentialCache[Principal] = CredentialCache(60)
    assert authenticate_basic(store, "ada", "ada's password 1", cache=cache).user == ada
    with pytest.raises(UnauthenticatedError, match="Invalid username or password"):
        authenticate_basic(store, "ada", "not it at all", cache=cache)

    issued = issue_token(store, ada, "laptop", 3600)
    assert authenticate_token(store, issued.token, cache=cache).user == ada
    assert store.touch_token(issued.info.id, issued.info.created + 1)
    revoke_token(store, issued.info.id, actor="admin")
    with pytest.raises(UnauthenticatedError, match="revoked"):
        authenticate_token(store, issued.token, cache=cache)

    sessions = SessionManager(store)
    new = sessions.start(ada, ip="127.0.0.1")
    found = sessions.session_from_cookie(new.cookie)
    assert found is not None and found.user == ada and found.csrf == new.csrf
    accounts.set_disabled(store, ada, True, actor="admin")
    assert sessions.session_from_cookie(new.cookie) is None
    with pytest.raises(UnauthenticatedError, match="disabled"):
        authenticate_basic(store, "ada", "ada's password 1", cache=cache)
    actions = [e.action for e in reversed(store.list_audit())]
    assert actions == [
        "user.create",
        "user.create",
        "login.failed",
        "token.create",
        "token.revoke",
        "login",
        "user.disable",
    ]
