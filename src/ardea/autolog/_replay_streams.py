"""Stand-ins for SDK stream objects that yield recorded items (deterministic replay).

A replayed ``stream=True`` call returns one of these in place of ``openai.Stream`` (or its
async twin): iteration, ``with`` blocks and ``close()`` behave as on the SDK's stream, and
no connection exists behind it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["AsyncReplayStream", "ReplayStream"]


class ReplayStream:
    """A sync stream of recorded items.

    Args:
        items: The items to yield, in order.
    """

    response: Any = None

    def __init__(self, items: list[Any]) -> None:
        self._items: Iterator[Any] = iter(items)

    def __iter__(self) -> ReplayStream:
        return self

    def __next__(self) -> Any:
        return next(self._items)

    def __enter__(self) -> ReplayStream:
        return self

    def __exit__(self, et: Any, ev: Any, tb: Any) -> None:
        self.close()

    def close(self) -> None:
        """Stop the stream (the remaining items are dropped)."""
        self._items = iter(())


class AsyncReplayStream:
    """An async stream of recorded items.

    Args:
        items: The items to yield, in order.
    """

    response: Any = None

    def __init__(self, items: list[Any]) -> None:
        self._items: Iterator[Any] = iter(items)

    def __aiter__(self) -> AsyncReplayStream:
        return self

    async def __anext__(self) -> Any:
        try:
            return next(self._items)
        except StopIteration:
            raise StopAsyncIteration from None

    async def __aenter__(self) -> AsyncReplayStream:
        return self

    async def __aexit__(self, et: Any, ev: Any, tb: Any) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop the stream (the remaining items are dropped)."""
        self._items = iter(())
