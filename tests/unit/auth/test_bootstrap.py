"""ensure_admin: from ARDEA_ADMIN_* / MLFLOW_AUTH_ADMIN_PASSWORD or a prompt; never a default."""

from __future__ import annotations

import pytest

from ardea._core.errors import FailedPreconditionError, InvalidArgumentError
from ardea.auth.bootstrap import ensure_admin
from ardea.auth.identity import authenticate_basic
from ardea.store.auth import AuthStore


def test_creates_the_first_admin_from_the_environment(store: AuthStore) -> None:
    env = {"ARDEA_ADMIN_USERNAME": "boss", "ARDEA_ADMIN_PASSWORD": "boss password 1"}
    assert ensure_admin(store, env)
    user = authenticate_basic(store, "boss", "boss password 1").user
    assert user.is_admin
    assert not ensure_admin(store, env)  # there is one now
    event = store.list_audit()[0]
    assert (event.actor, event.action, event.target) == ("system", "user.create", "boss")
    assert event.detail == {"admin": True, "login": "password"}


def test_mlflows_variable_and_default_name(store: AuthStore) -> None:
    assert ensure_admin(store, {"MLFLOW_AUTH_ADMIN_PASSWORD": "mlflow style pw"})
    assert authenticate_basic(store, "admin", "mlflow style pw").user.is_admin


def test_ardea_password_wins(store: AuthStore) -> None:
    env = {
        "ARDEA_ADMIN_PASSWORD": "ardea password 1",
        "MLFLOW_AUTH_ADMIN_PASSWORD": "mlflow pw 123",
    }
    assert ensure_admin(store, env)
    authenticate_basic(store, "admin", "ardea password 1")


def test_reads_os_environ_by_default(store: AuthStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", "from os environ")
    assert ensure_admin(store)


def test_never_a_default_password(store: AuthStore) -> None:
    with pytest.raises(FailedPreconditionError, match="ARDEA_ADMIN_PASSWORD") as e:
        ensure_admin(store, {})
    assert "ardea users create admin --admin" in e.value.message
    assert list(store.list_users()) == []
    for guess in ("password", "admin", ""):
        assert store.get_login("admin") is None, guess


def test_prompt(store: AuthStore) -> None:
    asked: list[str] = []

    def prompt(username: str) -> str:
        asked.append(username)
        return "typed at a prompt"

    assert ensure_admin(store, {"ARDEA_ADMIN_USERNAME": "root"}, prompt=prompt)
    assert asked == ["root"]
    assert authenticate_basic(store, "root", "typed at a prompt").user.is_admin


def test_policy_applies(store: AuthStore) -> None:
    with pytest.raises(InvalidArgumentError, match="too short"):
        ensure_admin(store, {"ARDEA_ADMIN_PASSWORD": "password"})
    assert list(store.list_users()) == []


def test_an_existing_account_is_never_taken_over(store: AuthStore) -> None:
    store.create_user("admin", None)
    with pytest.raises(FailedPreconditionError, match="exists but is not one"):
        ensure_admin(store, {"ARDEA_ADMIN_PASSWORD": "takeover attempt"})
    login = store.get_login("admin")
    assert login is not None and login.password_hash is None and not login.user.is_admin


def test_a_disabled_admin_is_pointed_at_enable(store: AuthStore) -> None:
    import sqlalchemy as sa

    from ardea.store.sql.auth.tables import users

    store.create_user("admin", None, is_admin=True)
    # Only reachable by editing the database (the store keeps an enabled admin).
    store.database.write(  # type: ignore[attr-defined]
        lambda conn: conn.execute(sa.update(users).values(disabled=True))
    )
    with pytest.raises(FailedPreconditionError, match="ardea users enable admin"):
        ensure_admin(store, {"ARDEA_ADMIN_PASSWORD": "a fine password"})
