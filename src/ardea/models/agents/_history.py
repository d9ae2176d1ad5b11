"""Recent conversations by response id, for ``previous_response_id`` (in memory, LRU)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_MAX_HISTORIES", "Histories", "History"]

DEFAULT_MAX_HISTORIES = 1000
"""How many responses' conversations the server keeps by default."""


@dataclass(frozen=True)
class History:
    """The conversation up to and including one response, its session and user."""

    messages: tuple[dict[str, Any], ...]
    session_id: str | None
    user_id: str | None = None


class Histories:
    """A bounded map of response id to :class:`History`; the least recently used goes first.

    Per process: with several workers, a follow-up request must reach the worker that
    answered the previous one (or the client sends the whole conversation).
    """

    def __init__(self, capacity: int = DEFAULT_MAX_HISTORIES) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, History] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, response_id: str) -> History | None:
        """The history ending at ``response_id`` (now most recently used), if still kept."""
        with self._lock:
            history = self._items.get(response_id)
            if history is not None:
                self._items.move_to_end(response_id)
            return history

    def put(self, response_id: str, history: History) -> None:
        """Keep ``history`` under ``response_id``, dropping the oldest beyond the capacity."""
        if self.capacity <= 0:
            return
        with self._lock:
            self._items[response_id] = history
            self._items.move_to_end(response_id)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
