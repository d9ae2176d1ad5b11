"""Run a sync agent (function or generator) on a thread and read it from the event loop.

The thread runs in a copy of the caller's context, so spans the agent opens (an ``openai``
autolog call, ``@ardea.trace``) nest under the request's span; everything the agent yields
reaches the loop through a queue as it comes (streaming stays streaming).
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

__all__ = ["iterate_in_thread"]

_DONE = object()


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


async def iterate_in_thread(produce: Callable[[], Iterable[Any]]) -> AsyncIterator[Any]:
    """Yield what ``produce()`` yields, running it (and its iteration) on a new thread.

    Stops the producer after its next item when the consumer goes away (a closed stream).
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()
    stop = threading.Event()
    context = contextvars.copy_context()

    def put(item: Any) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, item)

    def work() -> None:
        try:
            for item in produce():
                put(item)
                if stop.is_set():
                    break
        except BaseException as exc:  # handed to the loop, raised there
            put(_Failure(exc))
        else:
            put(_DONE)

    thread = threading.Thread(target=context.run, args=(work,), daemon=True, name="ardea-agent")
    thread.start()
    try:
        while True:
            item = await queue.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stop.set()
