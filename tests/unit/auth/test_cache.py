"""CredentialCache: HMAC keys, TTL, per-user invalidation across caches, bound, threads."""

from __future__ import annotations

import threading

import pytest

from ardea.auth.cache import CredentialCache, invalidate_user, user_version


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_hit_miss_and_ttl() -> None:
    clock = Clock()
    cache: CredentialCache[str] = CredentialCache(60, clock=clock)
    assert cache.get("basic", "ada", "pw") is None
    cache.put("ada!", 101, "basic", "ada", "pw")
    assert cache.get("basic", "ada", "pw") == "ada!"
    assert cache.get("basic", "ada", "other") is None
    assert cache.get("basic", "ada\x00pw") is None  # parts never run together
    assert cache.get("basic", "adap", "w") is None
    clock.now += 59
    assert cache.get("basic", "ada", "pw") == "ada!"
    clock.now += 1
    assert cache.get("basic", "ada", "pw") is None
    assert len(cache) == 0


def test_entries_never_outlive_their_own_ttl() -> None:
    clock = Clock()
    cache: CredentialCache[str] = CredentialCache(60, clock=clock)
    cache.put("t", 102, "token", "x", ttl_s=5)
    clock.now += 5
    assert cache.get("token", "x") is None
    cache.put("t", 102, "token", "y", ttl_s=0)  # already expired: not stored
    cache.put("t", 102, "token", "z", ttl_s=-3)
    assert len(cache) == 0


def test_invalidate_user_reaches_every_cache() -> None:
    a: CredentialCache[str] = CredentialCache(60)
    b: CredentialCache[str] = CredentialCache(60)
    a.put("u", 103, "basic", "u", "p")
    b.put("u", 103, "token", "t")
    a.put("v", 104, "basic", "v", "p")
    before = user_version(103)
    invalidate_user(103)
    assert user_version(103) == before + 1
    assert a.get("basic", "u", "p") is None and b.get("token", "t") is None
    assert a.get("basic", "v", "p") == "v"
    a.put("u2", 103, "basic", "u", "p")  # stored after the change: valid
    assert a.get("basic", "u", "p") == "u2"


def test_keys_are_hmacs_not_credentials() -> None:
    cache: CredentialCache[str] = CredentialCache(60)
    cache.put("x", 105, "basic", "ada", "hunter2-secret-pw")
    keys = list(cache._entries)
    assert all(isinstance(k, bytes) and len(k) == 32 for k in keys)
    assert b"hunter2" not in b"".join(keys)
    other: CredentialCache[str] = CredentialCache(60)
    assert other._digest(("basic", "ada", "hunter2-secret-pw")) != keys[0]  # per-process key


def test_bounded_least_recently_used_first() -> None:
    cache: CredentialCache[int] = CredentialCache(60, max_entries=2)
    cache.put(1, 106, "a")
    cache.put(2, 106, "b")
    assert cache.get("a") == 1  # a is now the most recent
    cache.put(3, 106, "c")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    cache.discard("a")
    assert cache.get("a") is None
    cache.clear()
    assert len(cache) == 0


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        CredentialCache(-1)
    with pytest.raises(ValueError):
        CredentialCache(1, max_entries=0)


def test_threads() -> None:
    cache: CredentialCache[int] = CredentialCache(60, max_entries=50)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(300):
                cache.put(i, 200 + n, "k", str(n), str(i))
                cache.get("k", str(n), str(i))
                if i % 50 == 0:
                    invalidate_user(200 + n)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(cache) <= 50
