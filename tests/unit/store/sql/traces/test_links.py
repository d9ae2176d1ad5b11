"""Pending links of traces to runs in SQL: expiry, deletion with the run, the async paths."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ardea.entities import Span, TraceInfo
from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend
from ardea.store.sql.traces import tables as t
from ardea.store.sql.traces.links import PENDING_LINK_TTL_MS, claim_pending_links
from ardea.store.sql.traces.store import SqlTraceStore

T0 = 1_700_000_000_000


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    """A fresh SQLite backend."""
    opened = open_sql_backend(f"sqlite:///{tmp_path / 'a.db'}")
    yield opened
    opened.close()


def _store(backend: Backend) -> SqlTraceStore:
    assert isinstance(backend.traces, SqlTraceStore)
    return backend.traces


def _pending(store: SqlTraceStore) -> list[Any]:
    query = sa.select(t.pending_trace_links).order_by(t.pending_trace_links.c.trace_id)
    return store.database.read(lambda conn: list(conn.execute(query)))


def tid(n: int) -> str:
    return f"tr-{n:032x}"


def test_a_pending_link_expires_after_a_day(backend: Backend) -> None:
    store = _store(backend)
    run = backend.tracking.create_run("0", run_name="r").info.run_id
    store.link_traces_to_run([tid(1)], run)
    old = t.pending_trace_links.update().values(created_time=T0 - PENDING_LINK_TTL_MS)
    store.database.write(lambda conn: conn.execute(old))
    store.link_traces_to_run([tid(2)], run)  # storing links drops the expired ones
    assert [row.trace_id for row in _pending(store)] == [tid(2)]
    store.start_trace(TraceInfo(tid(1), "0", T0))
    assert store.get_trace_info(tid(1)).run_id is None


def test_pending_links_go_with_their_run_and_are_claimed_once(backend: Backend) -> None:
    store = _store(backend)
    run = backend.tracking.create_run("0", run_name="r").info.run_id
    store.link_traces_to_run([tid(3), tid(4)], run)
    assert len(_pending(store)) == 2
    store.log_spans("0", [Span(tid(3), "1" * 16, None, "root", start_time_ns=T0 * 1_000_000)])
    assert [row.trace_id for row in _pending(store)] == [tid(4)]
    assert store.database.write(lambda conn: claim_pending_links(conn, [tid(3), tid(4)])) == {}
    backend.tracking.delete_run(run)
    assert len(_pending(store)) == 1  # a soft delete keeps the run, and the link
    runs = sa.table("runs", sa.column("run_id"))
    store.database.write(lambda conn: conn.execute(sa.delete(runs)))
    assert _pending(store) == []


def test_async_writes_claim_pending_links(backend: Backend) -> None:
    store = _store(backend)
    run = backend.tracking.create_run("0", run_name="r").info.run_id
    store.link_traces_to_run([tid(5), tid(6), tid(7)], run)
    root = Span(tid(5), "1" * 16, None, "root", start_time_ns=T0 * 1_000_000)

    async def go() -> None:
        await store.log_spans_async("0", [root])
        stored = await store.start_trace_async(TraceInfo(tid(6), "0", T0))
        assert stored.run_id == run and stored.trace_metadata["mlflow.sourceRun"] == run
        record = TraceInfo(tid(7), "0", T0)
        span = Span(tid(7), "2" * 16, None, "root", start_time_ns=T0 * 1_000_000)
        await store.log_spans_with_records_async("0", [span], [record])

    asyncio.run(go())
    assert {i.trace_id for i in store.search_traces(["0"], f"run_id = '{run}'")} == {
        tid(5),
        tid(6),
        tid(7),
    }
    assert _pending(store) == []
