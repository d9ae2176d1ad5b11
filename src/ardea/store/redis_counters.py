"""Windowed counters in Redis (``ARDEA_GATEWAY_REDIS_URL``): one Lua script per charge.

Redis runs a script atomically, so the script reads every limited counter, refuses the whole
charge when one would pass its limit, and otherwise adds to all of them (``INCRBY``) and sets
their expiry (``PEXPIREAT``, the window's end plus a margin). Keys are
``ardea:gw:<counter>:<window_start>``; an alert flag is ``...:alerted`` (``SET NX``). One
Redis instance (or a cluster with all keys of a charge in one slot) is assumed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ardea.store.gateway_limits import Charge

__all__ = ["RedisCounterStore"]

_CHARGE = """
local n = #KEYS
for i = 1, n do
  local limit = tonumber(ARGV[3 * i - 1])
  if limit >= 0 then
    local cur = tonumber(redis.call('GET', KEYS[i]) or '0')
    if cur + tonumber(ARGV[3 * i - 2]) > limit then
      return i
    end
  end
end
for i = 1, n do
  redis.call('INCRBY', KEYS[i], ARGV[3 * i - 2])
  redis.call('PEXPIREAT', KEYS[i], ARGV[3 * i])
end
return 0
"""


def _name(key: str, window_start: int) -> str:
    return f"ardea:gw:{key}:{window_start}"


class RedisCounterStore:
    """The :class:`~ardea.store.gateway_limits.CounterStore` on a Redis server.

    Args:
        url: ``redis://host:port/db`` (needs the ``redis`` package: ``ardea[redis]``).
    """

    def __init__(self, url: str) -> None:
        try:
            import redis
        except ImportError as exc:  # pragma: no cover - the dev extra installs it
            raise ImportError(
                "Redis counters need the redis package: pip install 'ardea[redis]'"
            ) from exc

        self._redis: Any = redis.Redis.from_url(url)
        self._script: Any = self._redis.register_script(_CHARGE)

    def charge(self, charges: Sequence[Charge]) -> int | None:
        """Apply every charge atomically, or none (see the contract)."""
        if not charges:
            return None
        keys: list[str] = []
        args: list[int] = []
        for c in charges:
            keys.append(_name(c.key, c.window_start))
            args += [c.amount, -1 if c.limit is None else c.limit, c.expires_at * 1000]
        refused = int(self._script(keys=keys, args=args))
        return None if refused == 0 else refused - 1

    def read(self, counters: Sequence[tuple[str, int]]) -> list[int]:
        """The amounts of ``(key, window_start)`` counters (0 when absent)."""
        if not counters:
            return []
        values = self._redis.mget([_name(k, s) for k, s in counters])
        return [int(v) if v is not None else 0 for v in values]

    def mark_alerted(self, key: str, window_start: int, expires_at: int) -> bool:
        """Set the counter's alert flag (``SET NX``); True only for the first caller."""
        name = _name(key, window_start) + ":alerted"
        return bool(self._redis.set(name, 1, nx=True, pxat=expires_at * 1000))

    def purge(self, now: int) -> int:
        """Nothing to do: Redis expires the keys itself."""
        return 0

    def close(self) -> None:
        """Close the connection pool."""
        self._redis.close()
