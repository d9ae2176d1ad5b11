"""A first-come, first-served limit on the steps in flight.

``threading.Semaphore`` lets a thread that releases a slot take it straight back (it still
holds the Python lock when it asks again), so a few conversations ran ahead at full speed
while the others waited, and the simulation ended on a long tail of late conversations. Here
a released slot goes to the thread that has waited longest, so every conversation advances a
step in its turn.
"""

from __future__ import annotations

import threading
from collections import deque
from types import TracebackType

__all__ = ["FairGate"]


class FairGate:
    """At most ``slots`` holders at once; waiters get a slot in the order they asked.

    Args:
        slots: Holders at once (at least 1).
    """

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("slots must be at least 1")
        self._free = slots
        self._lock = threading.Lock()
        self._waiters: deque[threading.Event] = deque()

    @property
    def waiting(self) -> int:
        """Threads waiting for a slot now."""
        with self._lock:
            return len(self._waiters)

    def __enter__(self) -> FairGate:
        with self._lock:
            if self._free > 0 and not self._waiters:
                self._free -= 1
                return self
            turn = threading.Event()
            self._waiters.append(turn)
        turn.wait()  # the slot is handed over by __exit__: no one can take it first
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._lock:
            if self._waiters:
                self._waiters.popleft().set()
            else:
                self._free += 1
