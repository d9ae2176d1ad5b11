"""The lease store (``backend.leases``) on SQLite, PostgreSQL and MySQL.

A lease is taken by one holder at a time, renewed by its holder, taken over once its time is
up or it is released. Racing callers on two backends of one database (two replicas) get one
winner per lease, whatever the interleaving: a barrier starts them together, many times over.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest

from ardea import InvalidArgumentError
from ardea.store.backend import Backend
from ardea.store.leases import MAX_LEASE_SECONDS


def _name() -> str:
    return f"job-{uuid.uuid4().hex[:8]}"


def test_one_holder_at_a_time_renewal_and_release(sql_backend: Backend) -> None:
    leases = sql_backend.leases
    name = _name()
    assert leases.holder_of(name) is None
    assert leases.acquire(name, "a", 30)
    assert leases.holder_of(name) == "a"
    assert not leases.acquire(name, "b", 30)
    assert leases.acquire(name, "a", 30)  # a renewal
    assert not leases.release(name, "b")  # only the holder releases
    assert leases.holder_of(name) == "a"
    assert leases.release(name, "a")
    assert not leases.release(name, "a")  # once
    assert leases.holder_of(name) is None
    assert leases.acquire(name, "b", 30)
    assert leases.holder_of(name) == "b"
    assert leases.acquire(_name(), "a", 30)  # names are independent


def test_an_expired_lease_is_taken_over(sql_backend: Backend) -> None:
    leases = sql_backend.leases
    name = _name()
    assert leases.acquire(name, "a", 0.2)
    assert not leases.acquire(name, "b", 30)
    time.sleep(0.3)
    assert leases.holder_of(name) is None
    assert leases.acquire(name, "b", 30)
    assert not leases.acquire(name, "a", 30)
    assert leases.holder_of(name) == "b"


BAD = [
    ("", "a", 1),
    ("-x", "a", 1),
    ("a b", "a", 1),
    ("x" * 129, "a", 1),
    ("ok", "", 1),
    ("ok", "h" * 256, 1),
    ("ok", "a", 0),
    ("ok", "a", -1),
    ("ok", "a", MAX_LEASE_SECONDS + 1),
]


def test_bad_input_is_refused_and_changes_nothing(sql_backend: Backend) -> None:
    for name, holder, seconds in BAD:  # one test: a MySQL wipe costs seconds
        with pytest.raises(InvalidArgumentError):
            sql_backend.leases.acquire(name, holder, seconds)
    assert sql_backend.leases.holder_of("ok") is None


@pytest.fixture
def twin(sql_backend: Backend) -> Iterator[Backend]:
    """A second backend on ``sql_backend``'s database: another replica."""
    from ardea.store.sql.backend import open_sql_backend

    other = open_sql_backend(_uri_of(sql_backend))
    yield other
    other.close()


def _uri_of(backend: Backend) -> str:
    return str(backend.tracking.database.uri)  # type: ignore[attr-defined]


def _race(calls: list[Callable[[], bool]]) -> list[bool]:
    """Run ``calls`` on their own threads, released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    out: list[bool | None] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        out[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r is not None for r in out)
    return [bool(r) for r in out]


def test_two_replicas_racing_get_one_winner_per_lease(sql_backend: Backend, twin: Backend) -> None:
    for _ in range(40):  # a fresh name: both race to INSERT the row
        name = _name()
        won = _race(
            [
                lambda n=name: sql_backend.leases.acquire(n, "a", 30),  # type: ignore[misc]
                lambda n=name: twin.leases.acquire(n, "b", 30),  # type: ignore[misc]
                lambda n=name: twin.leases.acquire(n, "c", 30),  # type: ignore[misc]
            ]
        )
        assert sum(won) == 1
        holder = sql_backend.leases.holder_of(name)
        assert holder == "abc"[won.index(True)]
        assert twin.leases.holder_of(name) == holder
    name = _name()
    for _ in range(20):  # an expired row: both race to UPDATE it
        assert sql_backend.leases.acquire(name, "old", 0.05)
        time.sleep(0.07)
        won = _race(
            [
                lambda: sql_backend.leases.acquire(name, "a", 30),
                lambda: twin.leases.acquire(name, "b", 30),
            ]
        )
        assert sum(won) == 1
        assert sql_backend.leases.release(name, "ab"[won.index(True)])
