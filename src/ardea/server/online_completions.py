"""Completions of the scorer loop, written together.

What finishes while one write runs goes into the next, so a busy loop pays one transaction for
many rows and an idle one waits for no timer.

SQLite has one writer: each completion in a transaction of its own took the write lock once per
scored trace, and the ingest path waited behind it. Batching the ones that finish together
(:meth:`~ardea.store.online_scoring.OnlineScoringStore.complete_many`) takes it once per batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from ardea.entities import Assessment
from ardea.entities.online_scoring import WorkKey
from ardea.store.online_scoring import OnlineScoringStore

__all__ = ["Completions"]


class Completions:
    """Completes a worker's rows, batching those that finish during a write.

    Args:
        store: Where the rows are.
        worker_id: The worker that holds their claims.
    """

    def __init__(self, store: OnlineScoringStore, worker_id: str) -> None:
        self._store = store
        self._worker_id = worker_id
        self._waiting: list[tuple[WorkKey, Sequence[Assessment], asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0

    async def complete(self, key: WorkKey, assessments: Sequence[Assessment]) -> bool:
        """Complete ``key`` with ``assessments`` (the store's answer; raises its error)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((key, assessments, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain(), name="ardea-online-completions")
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            await self._write(batch)

    async def _write(
        self, batch: list[tuple[WorkKey, Sequence[Assessment], asyncio.Future[bool]]]
    ) -> None:
        self.batches += 1
        done = [(key, found) for key, found, _ in batch]
        try:
            answers = await asyncio.to_thread(self._store.complete_many, self._worker_id, done)
        except Exception as exc:
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, _, future), answer in zip(batch, answers, strict=True):
            if not future.done():
                future.set_result(answer)
