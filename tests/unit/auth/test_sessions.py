"""Login sessions: cookie and CSRF token, idle and absolute expiry, touch, logout, forgery."""

from __future__ import annotations

import pytest

from ardea._core.errors import FailedPreconditionError
from ardea.auth.sessions import (
    SessionConfig,
    SessionManager,
    csrf_matches,
    csrf_token_for,
    session_id_hash,
)
from ardea.store.auth import AuthStore

CFG = SessionConfig(idle_timeout_s=600, absolute_timeout_s=3600, touch_interval_s=60)


@pytest.fixture
def manager(store: AuthStore) -> SessionManager:
    return SessionManager(store, CFG)


def test_start_and_resolve(store: AuthStore, manager: SessionManager) -> None:
    ada = store.create_user("ada", None)
    new = manager.start(ada, ip="10.1.1.1", user_agent="firefox")
    assert len(new.cookie) == 43 and new.cookie not in repr(new) and new.csrf not in repr(new)
    assert new.session.id_hash == session_id_hash(new.cookie)
    assert new.session.expires == new.session.created + 3600 * 1000
    found = manager.session_from_cookie(new.cookie)
    assert found is not None
    user, csrf = found
    assert user == ada and csrf == new.csrf == csrf_token_for(new.cookie)
    assert store.get_session(session_id_hash(new.cookie)) is not None
    login = store.list_audit()[0]
    assert (login.action, login.actor, login.ip, login.detail) == (
        "login",
        "ada",
        "10.1.1.1",
        {"method": "password"},
    )


@pytest.mark.parametrize(
    "cookie",
    [None, "", "x", "A" * 43, "A" * 44, "../../etc/passwd", "a b" * 20, "é" * 43],
)
def test_forged_cookies_resolve_to_nobody(
    store: AuthStore, manager: SessionManager, cookie: str | None
) -> None:
    manager.start(store.create_user("ada", None))
    assert manager.session_from_cookie(cookie) is None
    assert not manager.end(cookie)


def test_idle_and_absolute_expiry(store: AuthStore, manager: SessionManager) -> None:
    ada = store.create_user("ada", None)
    new = manager.start(ada)
    t0 = new.session.last_seen
    assert manager.session_from_cookie(new.cookie, now=t0 + 599_000) is not None  # touches
    assert store.get_session(new.session.id_hash)[0].last_seen == t0 + 599_000  # type: ignore[index]
    # idle counts from the last request seen
    assert manager.session_from_cookie(new.cookie, now=t0 + 1_100_000) is not None
    assert manager.session_from_cookie(new.cookie, now=t0 + 1_100_000 + 600_000) is None
    assert store.get_session(new.session.id_hash) is None  # deleted on the way
    second = manager.start(ada)
    when = second.session.created
    for step in range(1, 7):  # active every 9 minutes: the absolute limit still ends it
        assert manager.session_from_cookie(second.cookie, now=when + step * 540_000) is not None
    assert manager.session_from_cookie(second.cookie, now=second.session.expires) is None


def test_touch_at_most_once_a_minute(store: AuthStore, manager: SessionManager) -> None:
    new = manager.start(store.create_user("ada", None))
    t0 = new.session.last_seen
    manager.session_from_cookie(new.cookie, now=t0 + 30_000)
    assert store.get_session(new.session.id_hash)[0].last_seen == t0  # type: ignore[index]
    manager.session_from_cookie(new.cookie, now=t0 + 60_000)
    assert store.get_session(new.session.id_hash)[0].last_seen == t0 + 60_000  # type: ignore[index]


def test_disabled_users_and_service_accounts(store: AuthStore, manager: SessionManager) -> None:
    store.create_user("root", None, is_admin=True)
    ada = store.create_user("ada", None)
    new = manager.start(ada)
    store.set_disabled(ada.id, True)
    assert manager.session_from_cookie(new.cookie) is None
    with pytest.raises(FailedPreconditionError):
        manager.start(store.get_user(ada.id))
    with pytest.raises(FailedPreconditionError):
        manager.start(store.create_user("bot", None, kind="service"))


def test_logout_and_end_all(store: AuthStore, manager: SessionManager) -> None:
    ada = store.create_user("ada", None)
    a, b, c = (manager.start(ada) for _ in range(3))
    assert manager.end(a.cookie, actor="ada", ip="1.2.3.4")
    assert manager.session_from_cookie(a.cookie) is None
    assert store.list_audit()[0].action == "logout"
    assert manager.end_all(ada.id, keep_cookie=c.cookie) == 1
    assert manager.session_from_cookie(b.cookie) is None
    assert manager.session_from_cookie(c.cookie) is not None


def test_purge_expired(store: AuthStore, manager: SessionManager) -> None:
    new = manager.start(store.create_user("ada", None))
    assert manager.purge_expired(now=new.session.created + 1000) == 0
    assert manager.purge_expired(now=new.session.expires) == 1


def test_csrf() -> None:
    token = csrf_token_for("A" * 43)
    assert token != csrf_token_for("B" * 43) and len(token) == 43
    assert csrf_matches(token, token)
    assert not csrf_matches(token, None) and not csrf_matches(token, "")
    assert not csrf_matches(token, token[:-1] + "x")
    assert not csrf_matches(token, "é" * 43)


def test_config_checks() -> None:
    with pytest.raises(ValueError):
        SessionConfig(idle_timeout_s=10, absolute_timeout_s=5)
    with pytest.raises(ValueError):
        SessionConfig(idle_timeout_s=0)
