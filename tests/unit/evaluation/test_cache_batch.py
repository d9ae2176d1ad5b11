"""Batched judge-cache reads and writes on the evaluation's event loop."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ardea.entities import AssessmentSource, Feedback
from ardea.evaluation.cache import JudgeCache
from ardea.evaluation.cache_batch import CacheBatcher


def _judged(value: str) -> list[Feedback]:
    return [Feedback(name="ok", value=value, source=AssessmentSource("LLM_JUDGE", "m"))]


def test_reads_of_one_turn_are_answered_together_with_their_own_objects(tmp_path: Path) -> None:
    cache = JudgeCache(tmp_path / "c.sqlite")
    cache.put_many([("a", _judged("yes")), ("b", _judged("no"))])

    async def main() -> list[list[Feedback] | None]:
        batcher = CacheBatcher(cache)
        return await asyncio.gather(*(batcher.get(k) for k in ("a", "b", "a", "zz")))

    a1, b, a2, missing = asyncio.run(main())
    assert a1 is not None and a2 is not None and b is not None and missing is None
    assert (a1[0].value, b[0].value) == ("yes", "no")
    assert a1[0] is not a2[0]  # each row logs its own feedback objects
    assert (cache.hits, cache.misses) == (2, 1)  # one read: a key asked twice counts once
    cache.close()


def test_get_many_answers_a_row_in_order_in_the_same_read(tmp_path: Path) -> None:
    cache = JudgeCache(tmp_path / "c.sqlite")
    cache.put_many([("a", _judged("yes")), ("b", _judged("no"))])

    async def main() -> tuple[list[list[Feedback] | None], list[Feedback] | None]:
        batcher = CacheBatcher(cache)
        many, one = await asyncio.gather(batcher.get_many(["b", "zz", "a", "b"]), batcher.get("a"))
        return many, one

    (b1, missing, a, b2), single = asyncio.run(main())
    assert missing is None and a is not None and b1 is not None and b2 is not None
    assert [b1[0].value, a[0].value, b2[0].value] == ["no", "yes", "no"]
    assert b1[0] is not b2[0] and single is not None and single[0] is not a[0]
    assert (cache.hits, cache.misses) == (2, 1)  # one read for both waiters
    cache.close()


def test_writes_wait_for_a_batch_or_a_flush(tmp_path: Path) -> None:
    cache = JudgeCache(tmp_path / "c.sqlite")

    async def main() -> tuple[int, int, int]:
        batcher = CacheBatcher(cache, interval=60, max_pending=3)
        batcher.put("a", _judged("yes"))
        batcher.put("b", _judged("yes"))
        before = len(cache)
        batcher.put("c", _judged("yes"))  # the third fills the batch
        full = len(cache)
        batcher.put("d", _judged("yes"))
        batcher.flush()
        return before, full, len(cache)

    assert asyncio.run(main()) == (0, 3, 4)
    cache.close()
