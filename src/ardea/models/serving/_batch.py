"""Dynamic batching: DataFrame requests that arrive together are scored as one frame.

One model call is in flight at a time. The requests that arrive while it runs (and, with a
window, during the window after the first of them) form the next batch: under load a batch
grows to what arrived meanwhile, and a request that arrives alone is scored at once, with no
wait. A batch's frames are joined (``dataframe_split`` rows with the same columns are joined
before any frame is built), predicted with one model call and the predictions split back by
row counts. When the joint call fails (one request's bad row, columns that do not line up)
or its output is not one prediction per row, every request is scored on its own, so each
gets its own answer or error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool

from ardea.models.serving._formats import ParsedRequest

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


def _length(request: ParsedRequest) -> int:
    return len(request.split[1]) if request.split is not None else len(request.data)


def _joined(batch: list[ParsedRequest]) -> Any:
    """One frame holding every request's rows, in order."""
    import pandas as pd

    first = batch[0].split
    if first is not None and all(r.split is not None and r.split[0] == first[0] for r in batch):
        rows = [row for r in batch if r.split is not None for row in r.split[1]]
        return ParsedRequest(split=(first[0], rows)).data
    frames = [r.data for r in batch]
    if any(list(f.columns) != list(frames[0].columns) for f in frames):
        raise ValueError("the requests' columns differ")
    return pd.concat(frames, ignore_index=True)


class Batcher:
    """Scores DataFrame requests in batches, one model call at a time.

    Args:
        predict: The model call (run in the thread pool); raises for a bad input.
        window_s: How long the first request of a batch waits for others (0: no wait; the
            batch is what arrived while the previous call ran).
        on_batch: Called with the number of requests after each joint model call.
        max_rows: A batch holds at most this many rows (a larger request is a batch alone).
    """

    def __init__(
        self,
        predict: Callable[[Any], Any],
        window_s: float = 0.0,
        on_batch: Callable[[int], None] | None = None,
        max_rows: int = 10_000,
    ) -> None:
        self._predict = predict
        self._window = window_s
        self._max_rows = max_rows
        self._pending: list[tuple[ParsedRequest, asyncio.Future[Any]]] = []
        self._on_batch = on_batch
        self._task: asyncio.Task[None] | None = None

    async def predict(self, request: ParsedRequest) -> Any:
        """The model's prediction for the request's frame, scored with whatever arrives."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((request, future))
        if self._task is None:
            self._task = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._pending:
                if self._window > 0:
                    await asyncio.sleep(self._window)
                batch = self._take()
                await self._score(batch)
        except BaseException as exc:  # never leave a request waiting forever
            for _, future in self._pending:
                if not future.done():
                    future.set_exception(exc)
            self._pending = []
            raise
        finally:
            self._task = None

    def _take(self) -> list[tuple[ParsedRequest, asyncio.Future[Any]]]:
        taken, rows = 0, 0
        for request, _ in self._pending:
            size = _length(request)
            if taken and rows + size > self._max_rows:
                break
            taken, rows = taken + 1, rows + size
        batch, self._pending = self._pending[:taken], self._pending[taken:]
        return batch

    async def _score(self, batch: list[tuple[ParsedRequest, asyncio.Future[Any]]]) -> None:
        if len(batch) > 1 and await self._score_jointly(batch):
            return
        for request, future in batch:
            try:
                result = await run_in_threadpool(self._predict, request.data)
            except Exception as exc:
                if not future.done():  # done: the client went away
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(result)

    async def _score_jointly(self, batch: list[tuple[ParsedRequest, asyncio.Future[Any]]]) -> bool:
        requests = [request for request, _ in batch]
        try:
            combined = _joined(requests)
            result = await run_in_threadpool(self._predict, combined)
        except Exception:
            return False  # scored one by one: each request gets its own error
        if _rows(result) != len(combined):
            return False
        if self._on_batch is not None:
            self._on_batch(len(batch))
        start = 0
        for request, future in batch:
            stop = start + _length(request)
            if not future.done():  # done: the client went away
                future.set_result(_slice(result, start, stop))
            start = stop
        return True
