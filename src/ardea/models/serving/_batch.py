"""The batching window: DataFrame requests arriving within it are scored as one frame.

Each request's frame waits up to the window; the frames gathered are concatenated, predicted
with one model call and the predictions split back by row counts. When the joint call fails
(one request's bad row, columns that do not line up) or its output is not one prediction per
row, every request is scored on its own, so each gets its own answer or error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool

__all__ = ["Batcher"]


def _rows(value: Any) -> int | None:
    """The number of rows of a prediction that splits by row, else None."""
    if isinstance(value, (list, tuple)) or hasattr(value, "iloc") or hasattr(value, "shape"):
        try:
            return len(value)
        except TypeError:  # a 0-d array
            return None
    return None


def _slice(value: Any, start: int, stop: int) -> Any:
    if hasattr(value, "iloc"):
        return value.iloc[start:stop].reset_index(drop=True)
    return value[start:stop]


class Batcher:
    """Gathers frames for ``window_s`` seconds and scores them with one call.

    Args:
        predict: The model call (run in the thread pool); raises for a bad input.
        window_s: How long the first frame of a batch waits for others.
        on_batch: Called with the number of requests after each joint model call.
        max_rows: A batch is scored at once when it reaches this many rows.
    """

    def __init__(
        self,
        predict: Callable[[Any], Any],
        window_s: float,
        on_batch: Callable[[int], None] | None = None,
        max_rows: int = 10_000,
    ) -> None:
        self._predict = predict
        self._window = window_s
        self._max_rows = max_rows
        self._pending: list[tuple[Any, asyncio.Future[Any]]] = []
        self._rows = 0
        self._timer: asyncio.TimerHandle | None = None
        self._on_batch = on_batch

    async def predict(self, frame: Any) -> Any:
        """The model's prediction for ``frame``, scored with whatever else arrives meanwhile."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((frame, future))
        self._rows += len(frame)
        if self._rows >= self._max_rows:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(self._window, self._flush)
        return await future

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending, self._rows = self._pending, [], 0
        if batch:
            asyncio.get_running_loop().create_task(self._score(batch))

    async def _score(self, batch: list[tuple[Any, asyncio.Future[Any]]]) -> None:
        if len(batch) > 1 and await self._score_jointly(batch):
            return
        for frame, future in batch:
            try:
                result = await run_in_threadpool(self._predict, frame)
            except Exception as exc:
                if not future.done():  # done: the client went away
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(result)

    async def _score_jointly(self, batch: list[tuple[Any, asyncio.Future[Any]]]) -> bool:
        import pandas as pd

        frames = [frame for frame, _ in batch]
        if any(list(f.columns) != list(frames[0].columns) for f in frames):
            return False
        try:
            combined = pd.concat(frames, ignore_index=True)
            result = await run_in_threadpool(self._predict, combined)
        except Exception:
            return False  # scored one by one: each request gets its own error
        if _rows(result) != len(combined):
            return False
        if self._on_batch is not None:
            self._on_batch(len(batch))
        start = 0
        for frame, future in batch:
            if not future.done():  # done: the client went away
                future.set_result(_slice(result, start, start + len(frame)))
            start += len(frame)
        return True
