"""The SQL usage rollup on SQLite, PostgreSQL and MySQL: adds are upserts that sum, reads sum
per bucket and group, stay in their workspace, and honour the caller's visibility."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea.store.gateway_usage import UsageDelta, UsageMeasures
from ardea.store.sql.backend import open_database
from ardea.store.sql.gateway_usage import SqlGatewayUsageStore
from ardea.store.visibility import Visibility, VisibilityMode, reading_as

T0 = 1_800_000_000 // 86400 * 86400  # a UTC midnight


@pytest.fixture(params=["sqlite", "postgres", "mysql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlGatewayUsageStore]:
    if request.param == "sqlite":
        uri = f"sqlite:///{tmp_path / 'usage.db'}"
    else:
        uri = str(request.getfixturevalue(f"{request.param}_uri"))
    db = open_database(uri)
    try:
        yield SqlGatewayUsageStore(db)
    finally:
        db.close()


def _delta(ws: str, minute: int, endpoint: str = "chat", **kw: object) -> UsageDelta:
    measures = UsageMeasures(
        requests=1,
        errors=int(kw.get("errors", 0)),  # type: ignore[call-overload]
        input_tokens=10,
        output_tokens=5,
        cost_micros=int(kw.get("cost_micros", 1500)),  # type: ignore[call-overload]
        unpriced=int(kw.get("unpriced", 0)),  # type: ignore[call-overload]
        latency_ms_sum=12.5,
        cache_hits=0,
        fallbacks=int(kw.get("fallbacks", 0)),  # type: ignore[call-overload]
    )
    return UsageDelta(
        workspace=ws,
        minute=minute,
        endpoint_id=f"e-{endpoint}",
        endpoint=endpoint,
        key_id=str(kw.get("key_id", "")),
        user=str(kw.get("user", "")),
        provider="openai",
        model=str(kw.get("model", "gpt-4.1-mini")),
        measures=measures,
    )


def test_adds_sum_per_row_and_reads_sum_per_bucket(store: SqlGatewayUsageStore) -> None:
    ws = "w" + os.urandom(4).hex()  # the shared databases keep other runs' rows
    store.add([_delta(ws, T0, key_id="1"), _delta(ws, T0, key_id="1", errors=1)])
    store.add([_delta(ws, T0, key_id="1", fallbacks=1), _delta(ws, T0 + 60, key_id="2")])
    store.add([_delta(ws, T0 + 3600, endpoint="embed", unpriced=1, cost_micros=0)])
    store.add([_delta("other" + ws[1:], T0, key_id="1")])  # another workspace
    store.add([])

    by_minute = store.query(ws, T0, T0 + 7200, bucket="minute", group_by="key")
    assert [(p.bucket_start, p.group, p.measures.requests) for p in by_minute] == [
        (T0, "1", 3),
        (T0 + 60, "2", 1),
        (T0 + 3600, "", 1),
    ]
    first = by_minute[0].measures
    assert (first.errors, first.fallbacks) == (1, 1)
    assert (first.input_tokens, first.output_tokens) == (30, 15)
    assert first.cost_micros == 4500 and first.latency_ms_sum == pytest.approx(37.5)

    by_hour = store.query(ws, T0, T0 + 7200, bucket="hour", group_by="endpoint")
    assert [(p.bucket_start, p.group, p.measures.requests) for p in by_hour] == [
        (T0, "chat", 4),
        (T0 + 3600, "embed", 1),
    ]
    assert by_hour[1].measures.unpriced == 1 and by_hour[1].measures.cost_micros == 0

    by_day = store.query(ws, T0, T0 + 86400, bucket="day", group_by="model")
    assert [(p.group, p.measures.requests) for p in by_day] == [("openai/gpt-4.1-mini", 5)]

    one = store.query(ws, T0, T0 + 86400, bucket="day", group_by="user", endpoint="embed")
    assert [(p.group, p.measures.requests) for p in one] == [("", 1)]
    assert store.query(ws, T0 + 60, T0 + 120, bucket="minute", group_by="key")[0].group == "2"

    assert store.purge(T0 + 60) >= 2  # this workspace's and the other's first minute
    left = store.query(ws, 0, T0 + 7200, bucket="minute", group_by="key")
    assert [p.bucket_start for p in left] == [T0 + 60, T0 + 3600]


def test_reads_only_the_endpoints_the_caller_may_read(store: SqlGatewayUsageStore) -> None:
    ws = "w" + os.urandom(4).hex()
    store.add([_delta(ws, T0), _delta(ws, T0, endpoint="embed")])
    nobody = Visibility.of(987654321, ws, {"gateway_endpoint": VisibilityMode.GRANTED_ONLY})
    with reading_as(nobody):
        assert store.query(ws, T0, T0 + 60, bucket="minute", group_by="endpoint") == []
    everyone = Visibility.of(987654321, ws, {"gateway_endpoint": VisibilityMode.ALL_BUT_DENIED})
    with reading_as(everyone):
        found = store.query(ws, T0, T0 + 60, bucket="minute", group_by="endpoint")
    assert sorted(p.group for p in found) == ["chat", "embed"]
