"""The judge cache seen from the evaluation's event loop: reads and writes in batches.

Rows finish their predictions in bursts, and each asks the cache for every judge's key. One
SQLite read per key (and one commit per stored judgement) cost more than the rest of a
cached row. :class:`CacheBatcher` gathers the keys asked for during one turn of the event
loop into one read (:meth:`JudgeCache.get_many`), and stores new judgements together
(:meth:`JudgeCache.put_many`) every ``interval`` seconds, every ``max_pending`` judgements,
and on :meth:`CacheBatcher.flush`. A judgement not yet written when the process dies is
simply asked again next time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from ardea.entities import Feedback
from ardea.evaluation.cache import JudgeCache, decode_feedbacks

__all__ = ["CacheBatcher"]

_log = logging.getLogger(__name__)


class CacheBatcher:
    """Batched :class:`JudgeCache` reads and writes on one event loop (see the module doc).

    Args:
        cache: The judge cache.
        interval: Seconds a new judgement waits at most before it is written.
        max_pending: Judgements that trigger a write at once.
    """

    def __init__(self, cache: JudgeCache, interval: float = 0.5, max_pending: int = 512) -> None:
        self.cache = cache
        self.interval = interval
        self.max_pending = max_pending
        self._wanted: dict[str, list[asyncio.Future[list[Feedback] | None]]] = {}
        self._groups: list[tuple[list[str], asyncio.Future[list[list[Feedback] | None]]]] = []
        self._reading = False
        self._new: list[tuple[str, Sequence[Feedback]]] = []
        self._timer: asyncio.TimerHandle | None = None

    async def get(self, key: str) -> list[Feedback] | None:
        """The feedbacks stored under ``key`` (fresh objects) or None, read in a batch."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Feedback] | None] = loop.create_future()
        self._wanted.setdefault(key, []).append(future)
        if not self._reading:
            self._reading = True
            loop.call_soon(self._read)
        return await future

    async def get_many(self, keys: Sequence[str]) -> list[list[Feedback] | None]:
        """:meth:`get` for several keys with one wait: the hits in the order of ``keys``."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[list[Feedback] | None]] = loop.create_future()
        self._groups.append((list(keys), future))
        if not self._reading:
            self._reading = True
            loop.call_soon(self._read)
        return await future

    def _read(self) -> None:
        wanted, self._wanted = self._wanted, {}
        groups, self._groups = self._groups, []
        self._reading = False
        keys = set(wanted)
        for group, _ in groups:
            keys.update(group)
        try:
            found = self.cache.get_texts(list(keys))
        except Exception as exc:  # a broken cache only costs the calls
            _log.warning("judge cache read failed: %s", exc)
            found = {}
        for key, futures in wanted.items():
            text = found.get(key)
            for future in futures:
                if not future.done():
                    future.set_result(_decode(text))
        for group, many in groups:
            if not many.done():
                many.set_result([_decode(found.get(key)) for key in group])

    def put(self, key: str, feedbacks: Sequence[Feedback]) -> None:
        """Store ``feedbacks`` under ``key`` soon (an error feedback is never stored)."""
        self._new.append((key, feedbacks))
        if len(self._new) >= self.max_pending:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.interval, self.flush)

    def flush(self) -> None:
        """Write the judgements not written yet."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        new, self._new = self._new, []
        if not new:
            return
        try:
            self.cache.put_many(new)
        except Exception as exc:
            _log.warning("judge cache write failed (%d judgements): %s", len(new), exc)


def _decode(text: str | None) -> list[Feedback] | None:
    """The feedbacks of a stored text (fresh objects for each waiter), None for a miss."""
    if text is None:
        return None
    try:
        return decode_feedbacks(text)
    except Exception:
        return None
