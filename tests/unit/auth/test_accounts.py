"""User management: policy, audit rows, sessions ended, caches dropped."""

from __future__ import annotations

import pytest

from ardea._core.errors import AlreadyExistsError, FailedPreconditionError, InvalidArgumentError
from ardea.auth import accounts
from ardea.auth.cache import user_version
from ardea.auth.identity import authenticate_basic
from ardea.auth.sessions import SessionManager
from ardea.store.auth import AuthStore


def _actions(store: AuthStore) -> list[tuple[str, str, str | None]]:
    return [(e.actor, e.action, e.target) for e in reversed(store.list_audit())]


def test_create_user_checks_the_policy_and_audits(store: AuthStore) -> None:
    ada = accounts.create_user(store, "ada", "a long enough password", actor="cli", ip="1.1.1.1")
    assert authenticate_basic(store, "ada", "a long enough password").user == ada
    with pytest.raises(InvalidArgumentError, match="too short"):
        accounts.create_user(store, "bob", "short", actor="cli")
    with pytest.raises(AlreadyExistsError):
        accounts.create_user(store, "ada", "a long enough password", actor="cli")
    sso = accounts.create_user(store, "sso-only", None, actor="cli")
    login = store.get_login("sso-only")
    assert login is not None and login.password_hash is None and sso.username == "sso-only"
    bot = accounts.create_service_account(store, "ci-bot", actor="cli")
    assert bot.is_service
    assert _actions(store) == [
        ("cli", "user.create", "ada"),
        ("cli", "user.create", "sso-only"),
        ("cli", "user.create", "ci-bot"),
    ]
    assert store.list_audit()[0].detail == {"kind": "service"}
    assert store.list_audit()[2].detail == {"admin": False, "login": "password"}


def test_set_password_ends_other_sessions(store: AuthStore) -> None:
    ada = accounts.create_user(store, "ada", "first password!", actor="cli")
    sessions = SessionManager(store)
    keep, drop = sessions.start(ada), sessions.start(ada)
    version = user_version(ada.id)
    accounts.set_password(
        store, ada, "second password!", actor="ada", keep_session=keep.session.id_hash
    )
    assert user_version(ada.id) == version + 1
    assert sessions.session_from_cookie(keep.cookie) is not None
    assert sessions.session_from_cookie(drop.cookie) is None
    with pytest.raises(InvalidArgumentError, match="not be the username"):
        accounts.set_password(store, ada, "ADA", actor="ada", min_length=1)
    assert _actions(store)[-1] == ("ada", "user.password", "ada")


def test_admin_disable_delete(store: AuthStore) -> None:
    root = accounts.create_user(store, "root", "root password 1", is_admin=True, actor="cli")
    ada = accounts.create_user(store, "ada", "ada password 1", actor="cli")
    assert accounts.set_admin(store, ada, True, actor="root").is_admin
    assert accounts.set_disabled(store, ada, True, actor="root").disabled
    assert not accounts.set_disabled(store, ada, False, actor="root").disabled
    accounts.set_admin(store, ada, False, actor="root")
    with pytest.raises(FailedPreconditionError, match="last enabled admin"):
        accounts.delete_user(store, root, actor="root")
    accounts.delete_user(store, ada, actor="root")
    assert [u.username for u in store.list_users()] == ["root"]
    assert _actions(store)[2:] == [
        ("root", "user.admin", "ada"),
        ("root", "user.disable", "ada"),
        ("root", "user.enable", "ada"),
        ("root", "user.admin", "ada"),
        ("root", "user.delete", "ada"),
    ]
