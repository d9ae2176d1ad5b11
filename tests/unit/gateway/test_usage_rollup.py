"""The usage rollup of the trace recorder's batches: what each record adds, and a failing store
drops the batch's usage (counted) without raising into the writer thread."""

from __future__ import annotations

from pathlib import Path

import pytest

from ardea.gateway.recorder import GatewayRecord
from ardea.gateway.usage_rollup import (
    DEFAULT_RETENTION_DAYS,
    UsageRollup,
    retention_days_from_env,
    usage_deltas,
)
from ardea.store.sql.backend import open_database
from ardea.store.sql.gateway_usage import SqlGatewayUsageStore

MINUTE = 1_800_000_000 // 60 * 60


def _record(**kw: object) -> GatewayRecord:
    fields: dict[str, object] = {
        "experiment_id": "1",
        "endpoint_id": "e-1",
        "endpoint": "chat",
        "request_type": "unified/chat",
        "caller": None,
        "user": "bob",
        "user_id": "2",
        "key_id": "7",
        "provider": "openai",
        "model": "gpt-4.1-mini",
        "start_ns": (MINUTE + 5) * 1_000_000_000,
        "end_ns": (MINUTE + 5) * 1_000_000_000 + 250_000_000,
        "status": 200,
        "input_tokens": 10,
        "output_tokens": 4,
        "cost": 0.0015,
        "workspace": "team-a",
    }
    fields.update(kw)
    return GatewayRecord(**fields)  # type: ignore[arg-type]


def test_each_record_adds_its_measures_to_its_minute(tmp_path: Path) -> None:
    records = [
        _record(),
        _record(status=502, attempts=2, cost=None, input_tokens=0, output_tokens=0),
        _record(cache_hit=True, cost=0.0, attempts=0),
        _record(cost=None, model="no-price", key_id=None, user=None),
    ]
    first = usage_deltas(records[:1])[0]
    assert (first.workspace, first.minute, first.key_id, first.user) == (
        "team-a",
        MINUTE,
        "7",
        "bob",
    )
    assert first.measures.cost_micros == 1500 and first.measures.latency_ms_sum == 250.0

    db = open_database(f"sqlite:///{tmp_path / 'u.db'}")
    try:
        store = SqlGatewayUsageStore(db)
        UsageRollup(store)(records)
        rows = store.query("team-a", MINUTE, MINUTE + 60, bucket="minute", group_by="model")
        by_model = {p.group: p.measures for p in rows}
        gpt = by_model["openai/gpt-4.1-mini"]
        assert (gpt.requests, gpt.errors, gpt.fallbacks, gpt.cache_hits) == (3, 1, 1, 1)
        assert (
            gpt.cost_micros == 1500 and gpt.unpriced == 0
        )  # an error with no tokens is not unpriced
        assert by_model["openai/no-price"].unpriced == 1
        keys = store.query("team-a", MINUTE, MINUTE + 60, bucket="minute", group_by="key")
        assert sorted((p.group, p.measures.requests) for p in keys) == [("", 1), ("7", 3)]
    finally:
        db.close()


def test_a_failing_store_drops_and_counts_the_batch(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'u.db'}")
    store = SqlGatewayUsageStore(db)
    db.close()  # every write fails from now on
    dropped: list[tuple[str, int]] = []
    rollup = UsageRollup(store, lambda reason, n: dropped.append((reason, n)))
    rollup([_record(), _record()])
    assert dropped == [("usage_store_error", 2)] and rollup.dropped == 2


def test_rows_past_the_retention_are_deleted_at_most_once_an_hour(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'u.db'}")
    try:
        store = SqlGatewayUsageStore(db)
        now = [float(MINUTE + 5)]
        rollup = UsageRollup(store, retention_days=1, clock=lambda: now[0])
        rollup([_record()])  # this minute's row is kept

        def total() -> int:
            rows = store.query("team-a", 0, MINUTE + 10 * 86_400, bucket="day", group_by="model")
            return sum(p.measures.requests for p in rows)

        assert total() == 1
        now[0] += 86_400 + 120  # a day later: the row is past the retention
        later = _record(start_ns=int(now[0]) * 1_000_000_000, end_ns=int(now[0]) * 1_000_000_000)
        rollup([later])
        assert total() == 1  # the old row went, the new one came
        rollup([later])  # within the hour: no second purge, nothing lost
        assert total() == 2
        forever = UsageRollup(store, retention_days=0, clock=lambda: now[0] + 10 * 86_400)
        forever([later])
        assert total() == 3
    finally:
        db.close()


def test_the_retention_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARDEA_GATEWAY_USAGE_RETENTION_DAYS", raising=False)
    assert retention_days_from_env() == DEFAULT_RETENTION_DAYS
    monkeypatch.setenv("ARDEA_GATEWAY_USAGE_RETENTION_DAYS", "7")
    assert retention_days_from_env() == 7
    monkeypatch.setenv("ARDEA_GATEWAY_USAGE_RETENTION_DAYS", "0")
    assert retention_days_from_env() == 0
    monkeypatch.setenv("ARDEA_GATEWAY_USAGE_RETENTION_DAYS", "soon")
    assert retention_days_from_env() == DEFAULT_RETENTION_DAYS
    monkeypatch.setenv("ARDEA_GATEWAY_USAGE_RETENTION_DAYS", "-3")  # bad, not "forever"
    assert retention_days_from_env() == DEFAULT_RETENTION_DAYS
