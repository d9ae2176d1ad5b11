"""Span rows -> entities: the fast JSON path and what it hands back to the stdlib parser."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ardea.entities import Span, SpanEvent, SpanLink
from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend
from ardea.store.sql.traces import tables as t
from ardea.store.sql.traces.store import SqlTraceStore

TRACE = "tr-" + "a" * 32


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlTraceStore]:
    """A trace store on a fresh SQLite file, with one experiment ``0``."""
    backend: Backend = open_sql_backend(f"sqlite:///{tmp_path / 'a.db'}")
    assert isinstance(backend.traces, SqlTraceStore)
    yield backend.traces
    backend.close()


def _log(store: SqlTraceStore, span: Span) -> Span:
    store.log_spans("0", [span])
    return store.get_trace(TRACE).spans[0]


def test_a_span_reads_back_as_written(store: SqlTraceStore) -> None:
    span = Span(
        TRACE, "b" * 16, None, "root", "LLM", "OK", "", 1, 2,
        {"mlflow.spanInputs": {"q": "hé", "n": [1, 2.5, None]}, "big": 2**70},
        [SpanEvent("e", 5, {"k": "v"})],
        "CLIENT",
        [SpanLink("tr-" + "c" * 32, "d" * 16, {"why": "retry"})],
    )  # fmt: skip
    got = _log(store, span)
    assert got.attributes["mlflow.spanInputs"] == {"q": "hé", "n": [1, 2.5, None]}
    assert got.attributes["big"] == 2**70  # past orjson's 64 bits: read by the stdlib parser
    assert got.events == [SpanEvent("e", 5, {"k": "v"})]
    assert (got.kind, got.links) == (
        "CLIENT",
        [SpanLink("tr-" + "c" * 32, "d" * 16, {"why": "retry"})],
    )


def test_rows_with_non_strict_json_from_older_versions_still_load(store: SqlTraceStore) -> None:
    _log(store, Span(TRACE, "b" * 16, None, "root", "LLM", "OK", "", 1, 2, {"x": 1}))
    store.database.write(
        lambda conn: conn.execute(
            sa.update(t.spans)
            .where(t.spans.c.trace_id == TRACE)
            .values(attributes='{"x": NaN, "y": Infinity}', events="", links="")
        )
    )
    got = store.get_trace(TRACE).spans[0]
    assert math.isnan(got.attributes["x"]) and got.attributes["y"] == math.inf
    assert (got.events, got.links) == ([], [])
