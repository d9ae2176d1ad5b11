"""The gateway's windowed counters in the tracking database (see :mod:`.store`)."""

from ardea.store.sql.gateway_limits.store import SqlCounterStore

__all__ = ["SqlCounterStore"]
