"""The experiment each run, trace and logged model belongs to, as the access checks saw it."""

from __future__ import annotations

import threading
from collections import OrderedDict

__all__ = ["OwnerCache"]


class OwnerCache:
    """``(workspace, kind, id) -> experiment id`` for runs, traces and logged models.

    Bounded (least recently used go first) and thread-safe. A cached owner only says which
    experiment's grants to ask about; the handler's own workspace-scoped lookup still finds
    the resource or answers 404.
    """

    def __init__(self, max_entries: int = 50_000) -> None:
        self._max = max_entries
        self._items: OrderedDict[tuple[str, str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str]) -> str | None:
        """The cached owner, or None."""
        return self._items.get(key)

    def put(self, key: tuple[str, str, str], owner: str) -> None:
        """Remember an owner."""
        with self._lock:
            self._items[key] = owner
            if len(self._items) > self._max:
                self._items.popitem(last=False)
