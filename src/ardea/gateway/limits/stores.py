"""Opening the counter store the gateway's limits share (database or Redis)."""

from __future__ import annotations

import os

from ardea._core.env import ARDEA_GATEWAY_REDIS_URL
from ardea.store.gateway_limits import CounterStore

__all__ = ["REDIS_URL_ENV", "counter_store_for", "open_counter_store"]

REDIS_URL_ENV = ARDEA_GATEWAY_REDIS_URL
"""When set, rate-limit and budget counters live in this Redis server, not the database."""


def open_counter_store(spec: str) -> CounterStore:
    """A store from ``sql:<database uri>`` or ``redis:<url>`` (opens the database itself)."""
    kind, _, target = spec.partition(":")
    if kind == "redis":
        from ardea.store.redis_counters import RedisCounterStore

        return RedisCounterStore(target)
    if kind == "sql":
        from ardea.store.sql.backend import open_database
        from ardea.store.sql.gateway_limits import SqlCounterStore

        return SqlCounterStore(open_database(target))
    raise ValueError(f"unknown counter store {spec!r}: use sql:<uri> or redis:<url>")


def counter_store_for(db: object) -> CounterStore:
    """The counter store of a server on database ``db``.

    Redis when ``ARDEA_GATEWAY_REDIS_URL`` is set, else the database's own
    ``gateway_limit_counters`` table.
    """
    url = os.environ.get(REDIS_URL_ENV)
    if url:
        from ardea.store.redis_counters import RedisCounterStore

        return RedisCounterStore(url)
    from ardea.store.sql._db.engine import Database
    from ardea.store.sql.gateway_limits import SqlCounterStore

    if not isinstance(db, Database):
        raise TypeError("the gateway's counters need a SQL database or ARDEA_GATEWAY_REDIS_URL")
    return SqlCounterStore(db)
