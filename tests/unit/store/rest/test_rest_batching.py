"""log_batch splitting along MLflow's per-request limits."""

from __future__ import annotations

from ardea.entities import Metric, Param, RunTag
from ardea.store.rest.batching import MAX_REQUEST_BYTES, split_batch


def _metrics(n: int) -> list[Metric]:
    return [Metric("m", float(i), 1, i) for i in range(n)]


def test_2500_metrics_split_into_three() -> None:
    chunks = list(split_batch(_metrics(2500), [], []))
    assert [len(c.metrics) for c in chunks] == [1000, 1000, 500]
    assert [m.step for c in chunks for m in c.metrics] == list(range(2500))


def test_params_and_tags_capped_at_100_and_total_at_1000() -> None:
    params = [Param(f"p{i}", "v") for i in range(150)]
    tags = [RunTag(f"t{i}", "v") for i in range(120)]
    chunks = list(split_batch(_metrics(1500), params, tags))
    for c in chunks:
        assert len(c.params) <= 100
        assert len(c.tags) <= 100
        assert len(c.metrics) <= 1000
        assert c.count <= 1000
    assert sum(len(c.params) for c in chunks) == 150
    assert sum(len(c.tags) for c in chunks) == 120
    assert sum(len(c.metrics) for c in chunks) == 1500
    assert chunks[0].params[0].key == "p0"  # params go first


def test_large_values_respect_the_byte_budget() -> None:
    params = [Param(f"p{i}", "x" * 6000) for i in range(100)]
    tags = [RunTag(f"t{i}", "y" * 8000) for i in range(100)]
    chunks = list(split_batch([], params, tags))
    assert len(chunks) > 1
    assert all(c.size <= MAX_REQUEST_BYTES for c in chunks)


def test_empty_batch_yields_nothing() -> None:
    assert list(split_batch([], [], [])) == []
