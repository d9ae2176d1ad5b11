"""A small client-side TTL cache for loaded prompt versions.

``load_prompt`` answers from it for ``ttl`` seconds (default 60; environment variable
``ARDEA_PROMPT_CACHE_TTL_SECONDS``; 0 turns caching off). Alias lookups (``@production``,
``@latest``) are cached too, so an alias moved by *another* process is seen within ``ttl``
seconds; changes made through the same client (alias set or deleted, version or prompt
deleted) drop that prompt's entries at once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from ardea._core import env
from ardea._core.errors import InvalidArgumentError
from ardea.prompts._entities import PromptVersion

__all__ = ["DEFAULT_TTL_SECONDS", "PROMPT_CACHE_TTL_ENV", "PromptCache"]

PROMPT_CACHE_TTL_ENV = env.ARDEA_PROMPT_CACHE_TTL_SECONDS
"""Environment variable: seconds a loaded prompt stays cached (0: no cache)."""

DEFAULT_TTL_SECONDS = 60.0


def _ttl_from_env() -> float:
    raw = env.get(PROMPT_CACHE_TTL_ENV)
    if raw is None or raw.strip() == "":
        return DEFAULT_TTL_SECONDS
    try:
        value = float(raw)
    except ValueError:
        raise InvalidArgumentError(
            f"{PROMPT_CACHE_TTL_ENV} must be a number, not {raw!r}."
        ) from None
    if value < 0:
        raise InvalidArgumentError(f"{PROMPT_CACHE_TTL_ENV} must be >= 0, not {raw!r}.")
    return value


class PromptCache:
    """Thread-safe, size-bounded, time-limited map from prompt references to versions.

    Args:
        ttl: Seconds an entry lives (None: from the environment, default 60; 0: disabled).
        max_entries: Oldest entries are dropped beyond this many.
    """

    def __init__(self, ttl: float | None = None, max_entries: int = 1024) -> None:
        self.ttl = _ttl_from_env() if ttl is None else float(ttl)
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, str], tuple[float, PromptVersion]] = OrderedDict()

    def get(self, scope: str, key: str) -> PromptVersion | None:
        """The cached version for ``key`` (``name/3``, ``name@alias``), if still fresh."""
        if self.ttl <= 0:
            return None
        with self._lock:
            hit = self._entries.get((scope, key))
            if hit is None:
                return None
            if hit[0] <= time.monotonic():
                del self._entries[(scope, key)]
                return None
            return hit[1]

    def put(self, scope: str, key: str, version: PromptVersion) -> None:
        """Remember a loaded version for ``ttl`` seconds."""
        if self.ttl <= 0:
            return
        with self._lock:
            self._entries[(scope, key)] = (time.monotonic() + self.ttl, version)
            self._entries.move_to_end((scope, key))
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def invalidate(self, scope: str, name: str) -> None:
        """Forget every entry of prompt ``name``."""
        with self._lock:
            for entry in [k for k in self._entries if k[0] == scope and _name_of(k[1]) == name]:
                del self._entries[entry]

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()


def _name_of(key: str) -> str:
    at, slash = key.find("@"), key.find("/")
    cuts = [i for i in (at, slash) if i >= 0]
    return key[: min(cuts)] if cuts else key
