"""The judge cache: a SQLite file of feedbacks by content address."""

from __future__ import annotations

from pathlib import Path

import pytest

from ardea.entities import AssessmentError, AssessmentSource, Feedback
from ardea.evaluation.cache import CACHED_KEY, JudgeCache, default_cache_path, open_cache


def _judged() -> Feedback:
    return Feedback(
        name="correctness",
        value="yes",
        rationale="matches",
        source=AssessmentSource("LLM_JUDGE", "openai:/gpt-4.1-mini"),
        metadata={"ardea.judge.model": "gpt-4.1-mini"},
    )


def test_round_trip_and_shared_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "cache.sqlite"
    cache = JudgeCache(path)
    assert cache.get("k") is None
    cache.put("k", [_judged()])
    (hit,) = cache.get("k") or []
    assert (hit.name, hit.value, hit.rationale) == ("correctness", "yes", "matches")
    assert (hit.source_type, hit.source_id) == ("LLM_JUDGE", "openai:/gpt-4.1-mini")
    assert hit.metadata == {"ardea.judge.model": "gpt-4.1-mini", CACHED_KEY: "true"}
    other = JudgeCache(path)  # another process would see the same
    assert other.get("k") is not None and len(other) == 1
    assert (cache.hits, cache.misses) == (1, 1)
    cache.clear()
    assert other.get("k") is None
    cache.close()
    other.close()


def test_errors_are_not_cached(tmp_path: Path) -> None:
    cache = JudgeCache(tmp_path / "c.sqlite")
    failed = Feedback(name="j", error=AssessmentError("RateLimited", "429"))
    cache.put("k", [failed])
    cache.put("empty", [])
    assert len(cache) == 0
    cache.close()


def test_where_the_environment_puts_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_path() == tmp_path / "xdg" / "ardea" / "judge-cache.sqlite"
    monkeypatch.setenv("ARDEA_EVAL_CACHE", str(tmp_path / "mine.sqlite"))
    assert default_cache_path() == tmp_path / "mine.sqlite"
    for off in ("0", "false", "OFF"):
        monkeypatch.setenv("ARDEA_EVAL_CACHE", off)
        assert default_cache_path() is None
        assert open_cache() is None
    assert open_cache(False) is None
    explicit = open_cache(tmp_path / "x.sqlite")
    assert isinstance(explicit, JudgeCache) and open_cache(explicit) is explicit
    explicit.close()


def test_many_at_once(tmp_path: Path) -> None:
    cache = JudgeCache(tmp_path / "cache.sqlite")
    error = Feedback(name="x", error=AssessmentError("E", "boom"))
    cache.put_many([(f"k{i}", [_judged()]) for i in range(700)] + [("bad", [error])])
    assert len(cache) == 700  # the error judgement is not stored
    keys = [f"k{i}" for i in range(0, 1400, 2)] + ["k0"]
    found = cache.get_many(keys)
    assert sorted(found) == sorted(f"k{i}" for i in range(0, 700, 2))
    assert found["k4"][0].metadata[CACHED_KEY] == "true"
    assert (cache.hits, cache.misses) == (350, 350)  # a key asked twice counts once
    cache.close()
