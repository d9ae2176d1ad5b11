"""The process-local counter store of a config-file gateway."""

from __future__ import annotations

from ardea.store.gateway_limits import Charge
from ardea.store.memory_counters import MemoryCounterStore


def test_the_memory_store_is_all_or_nothing() -> None:
    store = MemoryCounterStore()
    assert store.charge([Charge("a", 0, 60, 1, 1), Charge("b", 0, 60, 1, 5)]) is None
    assert store.charge([Charge("b", 0, 60, 1, 5), Charge("a", 0, 60, 1, 1)]) == 1
    assert store.read([("a", 0), ("b", 0)]) == [1, 1]
    assert store.mark_alerted("a", 0, 60) and not store.mark_alerted("a", 0, 60)
    assert store.purge(61) == 2 and store.read([("a", 0)]) == [0]
