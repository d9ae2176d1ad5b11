"""The client-side prompt cache: TTL, scopes, invalidation, size bound, configuration."""

from __future__ import annotations

import pytest

from ardea import InvalidArgumentError
from ardea.prompts import PROMPT_CACHE_TTL_ENV, PromptCache, PromptVersion


def _pv(name: str, version: int = 1) -> PromptVersion:
    return PromptVersion(name=name, version=version, template="t")


def test_put_get_and_scopes() -> None:
    cache = PromptCache(ttl=60)
    cache.put("http://a", "qa@prod", _pv("qa", 2))
    assert cache.get("http://a", "qa@prod") == _pv("qa", 2)
    assert cache.get("http://b", "qa@prod") is None
    assert cache.get("http://a", "qa/2") is None


def test_invalidate_drops_only_that_prompt() -> None:
    cache = PromptCache(ttl=60)
    cache.put("s", "qa@prod", _pv("qa"))
    cache.put("s", "qa/1", _pv("qa"))
    cache.put("s", "qa2/1", _pv("qa2"))
    cache.invalidate("s", "qa")
    assert cache.get("s", "qa@prod") is None and cache.get("s", "qa/1") is None
    assert cache.get("s", "qa2/1") is not None


def test_expired_entries_are_not_returned() -> None:
    cache = PromptCache(ttl=1e-9)
    cache.put("s", "qa/1", _pv("qa"))
    assert cache.get("s", "qa/1") is None


def test_zero_ttl_disables() -> None:
    cache = PromptCache(ttl=0)
    cache.put("s", "qa/1", _pv("qa"))
    assert cache.get("s", "qa/1") is None


def test_size_bound_drops_oldest() -> None:
    cache = PromptCache(ttl=60, max_entries=2)
    for i in range(3):
        cache.put("s", f"p{i}/1", _pv(f"p{i}"))
    assert cache.get("s", "p0/1") is None
    assert cache.get("s", "p2/1") is not None


def test_ttl_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert PromptCache().ttl == 60
    monkeypatch.setenv(PROMPT_CACHE_TTL_ENV, "5")
    assert PromptCache().ttl == 5
    monkeypatch.setenv(PROMPT_CACHE_TTL_ENV, "soon")
    with pytest.raises(InvalidArgumentError):
        PromptCache()
    monkeypatch.setenv(PROMPT_CACHE_TTL_ENV, "-1")
    with pytest.raises(InvalidArgumentError):
        PromptCache()
