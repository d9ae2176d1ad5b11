"""The background metric batcher, draining into a plain collecting function."""

from __future__ import annotations

import threading

import pytest

from ardea.client._batcher import MetricBatcher
from ardea.entities import Metric


def test_everything_written_in_bounded_batches_grouped_by_run() -> None:
    writes: list[tuple[str, int]] = []
    seen: dict[str, list[int]] = {}
    lock = threading.Lock()

    def write(run_id: str, metrics: list[Metric]) -> None:
        with lock:
            writes.append((run_id, len(metrics)))
            seen.setdefault(run_id, []).extend(m.step for m in metrics)

    batcher = MetricBatcher(write, max_batch=1000)
    for i in range(2500):
        batcher.submit("a" if i % 2 else "b", Metric("m", float(i), 1, i))
    batcher.flush()
    assert all(n <= 1000 for _, n in writes)
    assert sorted(seen["a"] + seen["b"]) == list(range(2500))
    assert seen["a"] == sorted(seen["a"])  # order kept per run
    batcher.close()


def test_failures_counted_and_raised_once_in_strict_mode() -> None:
    def write(run_id: str, metrics: list[Metric]) -> None:
        raise OSError("disk on fire")

    batcher = MetricBatcher(write)
    for i in range(7):
        batcher.submit("r", Metric("m", 1.0, 1, i))
    with pytest.raises(OSError, match="disk on fire"):
        batcher.flush()
    assert batcher.failed_points == 7
    batcher.flush()  # already reported
    batcher.close()


def test_close_then_submit_refused() -> None:
    batcher = MetricBatcher(lambda run_id, metrics: None)
    batcher.submit("r", Metric("m", 1.0, 1, 0))
    batcher.close()
    with pytest.raises(RuntimeError):
        batcher.submit("r", Metric("m", 1.0, 1, 1))


def test_bounded_queue_applies_backpressure_without_loss() -> None:
    got: list[int] = []
    release = threading.Event()

    def write(run_id: str, metrics: list[Metric]) -> None:
        release.wait(30)
        got.extend(m.step for m in metrics)

    batcher = MetricBatcher(write, max_batch=10, max_queue=20)
    producer = threading.Thread(
        target=lambda: [batcher.submit("r", Metric("m", 1.0, 1, i)) for i in range(100)]
    )
    producer.start()
    release.set()
    producer.join(60)
    batcher.flush()
    assert sorted(got) == list(range(100))
    batcher.close()
