"""authenticate_basic / authenticate_token: answers, one message for every miss, the rate
limit, the credential cache and its invalidation, rehash on login."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from ardea._core.errors import RateLimitedError, UnauthenticatedError
from ardea.auth import accounts
from ardea.auth import passwords as pw
from ardea.auth.cache import CredentialCache
from ardea.auth.identity import INVALID_LOGIN, Principal, authenticate_basic, authenticate_token
from ardea.auth.ratelimit import LoginRateLimiter, RateLimitConfig
from ardea.auth.tokens import issue_token, revoke_token
from ardea.store.auth import AuthStore

PASSWORD = "correct horse battery"


@pytest.fixture
def ada(store: AuthStore) -> object:
    store.create_user("root", pw.hash_password("root password 1"), is_admin=True)
    return accounts.create_user(store, "ada", PASSWORD, actor="root")


def test_basic(store: AuthStore, ada: object) -> None:
    got = authenticate_basic(store, "ada", PASSWORD, "10.0.0.1")
    assert got == Principal(store.get_user_by_username("ada"), "basic")


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("ada", "wrong password!!"),
        ("nobody", PASSWORD),
        ("Ada", PASSWORD),
        ("", ""),
        ("a:b", PASSWORD),
        ("bot", PASSWORD),  # a service account: no password
        ("ada", "x" * 5000),
    ],
)
def test_every_miss_says_the_same(
    store: AuthStore, ada: object, username: str, password: str
) -> None:
    store.create_user("bot", None, kind="service")
    with pytest.raises(UnauthenticatedError) as e:
        authenticate_basic(store, username, password, "10.0.0.1")
    assert e.value.message == INVALID_LOGIN
    failed = store.list_audit(action="login.failed")[0]
    known = username in ("ada", "bot") and len(password) <= 4096  # too long: not looked up
    assert failed.detail == {"known_user": known}
    assert failed.target == (username if known else None)  # an unknown name may be a password
    assert failed.ip == "10.0.0.1" and failed.actor == "-"


def test_unknown_users_cost_a_verification_too(
    store: AuthStore, ada: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(pw, "_hasher", lambda: _Spy(calls))
    with pytest.raises(UnauthenticatedError):
        authenticate_basic(store, "nobody", PASSWORD)
    assert calls == ["verify"]


class _Spy:
    def __init__(self, calls: list[str]) -> None:
        self.calls = calls
        self.real = PasswordHasher()

    def verify(self, h: str, p: str) -> bool:
        self.calls.append("verify")
        return self.real.verify(h, p)

    def hash(self, p: str) -> str:
        return self.real.hash(p)

    def check_needs_rehash(self, h: str) -> bool:
        return self.real.check_needs_rehash(h)


def test_disabled_user(store: AuthStore, ada: object) -> None:
    accounts.set_disabled(store, store.get_user_by_username("ada"), True, actor="root")
    with pytest.raises(UnauthenticatedError, match="disabled"):
        authenticate_basic(store, "ada", PASSWORD)
    with pytest.raises(UnauthenticatedError, match="Invalid username or password"):
        authenticate_basic(store, "ada", "not the password")


def test_rate_limit_refuses_before_checking(store: AuthStore, ada: object) -> None:
    limiter = LoginRateLimiter(RateLimitConfig(max_failures=2))
    for _ in range(2):
        with pytest.raises(UnauthenticatedError):
            authenticate_basic(store, "ada", "wrong password!", "ip", limiter=limiter)
    with pytest.raises(RateLimitedError):
        authenticate_basic(store, "ada", PASSWORD, "ip", limiter=limiter)
    authenticate_basic(store, "ada", PASSWORD, "other-ip", limiter=limiter)
    for name in ("nobody", "nobody"):
        with pytest.raises(UnauthenticatedError):
            authenticate_basic(store, name, "x", "ip2", limiter=limiter)
    with pytest.raises(RateLimitedError) as e:
        authenticate_basic(store, "nobody", "x", "ip2", limiter=limiter)
    assert "exist" not in e.value.message


def test_success_resets_the_count(store: AuthStore, ada: object) -> None:
    limiter = LoginRateLimiter(RateLimitConfig(max_failures=2))
    with pytest.raises(UnauthenticatedError):
        authenticate_basic(store, "ada", "wrong password!", "ip", limiter=limiter)
    authenticate_basic(store, "ada", PASSWORD, "ip", limiter=limiter)
    with pytest.raises(UnauthenticatedError):
        authenticate_basic(store, "ada", "wrong password!", "ip", limiter=limiter)
    authenticate_basic(store, "ada", PASSWORD, "ip", limiter=limiter)


def test_cache_spares_the_hash_until_the_password_changes(
    store: AuthStore, ada: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache: CredentialCache[Principal] = CredentialCache(60)
    first = authenticate_basic(store, "ada", PASSWORD, cache=cache)
    calls: list[str] = []
    monkeypatch.setattr(pw, "_hasher", lambda: _Spy(calls))
    assert authenticate_basic(store, "ada", PASSWORD, cache=cache) == first
    assert calls == []  # served from the cache
    with pytest.raises(UnauthenticatedError):
        authenticate_basic(store, "ada", "wrong password!", cache=cache)
    user = store.get_user_by_username("ada")
    accounts.set_password(store, user, "a brand new password", actor="ada")
    with pytest.raises(UnauthenticatedError):
        authenticate_basic(store, "ada", PASSWORD, cache=cache)
    assert authenticate_basic(store, "ada", "a brand new password", cache=cache).user == user


def test_cache_drops_a_demoted_admin(store: AuthStore, ada: object) -> None:
    cache: CredentialCache[Principal] = CredentialCache(60)
    root = authenticate_basic(store, "root", "root password 1", cache=cache).user
    assert root.is_admin
    store_ada = store.get_user_by_username("ada")
    accounts.set_admin(store, store_ada, True, actor="root")
    accounts.set_admin(store, root, False, actor="ada")
    assert not authenticate_basic(store, "root", "root password 1", cache=cache).user.is_admin


def test_login_upgrades_an_old_hash(store: AuthStore) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    store.create_user("old", weak)
    authenticate_basic(store, "old", PASSWORD)
    login = store.get_login("old")
    assert login is not None and login.password_hash != weak
    assert not pw.needs_rehash(login.password_hash or "")
    assert authenticate_basic(store, "old", PASSWORD).user.username == "old"


def test_token(store: AuthStore, ada: object) -> None:
    user = store.get_user_by_username("ada")
    issued = issue_token(store, user, "laptop", None)
    got = authenticate_token(store, issued.token)
    assert got.user == user and got.method == "token" and got.token == issued.info
    with pytest.raises(UnauthenticatedError, match="Invalid API token"):
        authenticate_token(store, issued.token + "x")


def test_token_cache_and_revocation(store: AuthStore, ada: object) -> None:
    cache: CredentialCache[Principal] = CredentialCache(60)
    user = store.get_user_by_username("ada")
    issued = issue_token(store, user, "laptop", None)
    authenticate_token(store, issued.token, cache=cache)
    assert len(cache) == 1
    revoke_token(store, issued.info.id, actor="ada")
    with pytest.raises(UnauthenticatedError, match="revoked"):
        authenticate_token(store, issued.token, cache=cache)


def test_a_cached_token_does_not_outlive_its_expiry(store: AuthStore, ada: object) -> None:
    cache: CredentialCache[Principal] = CredentialCache(60)
    user = store.get_user_by_username("ada")
    issued = issue_token(store, user, "short", 3600)
    expires = issued.info.expires or 0
    authenticate_token(store, issued.token, cache=cache, now=expires - 10)  # 10 ms to live
    authenticate_token(store, issued.token, cache=cache, now=expires)  # cached or not:
    # the entry lived at most 10 ms; a fresh check at the expiry refuses
    cache.clear()
    with pytest.raises(UnauthenticatedError, match="expired"):
        authenticate_token(store, issued.token, cache=cache, now=expires)
