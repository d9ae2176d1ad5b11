"""A SIGKILL of one replica mid-ingest, behind haproxy, loses no acknowledged write.

Three ``ardea server`` replicas share one PostgreSQL database and one artifacts folder behind
haproxy (round-robin, health checks every 200 ms: :mod:`fixtures.replicas`). Writers log
metric batches (``runs/log-batch``) and OTLP/JSON traces (``/v1/traces``) through the
balancer and record every write answered 200. One replica is SIGKILLed while they write;
they carry on through the other two. Afterwards every acknowledged batch is in the database
whole (its points and its tag), every acknowledged trace has all its spans, and nothing is
half-written.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from ardea.store.sql.backend import open_sql_backend
from fixtures.replicas import Replicas, haproxy_or_skip, pg_schema_uri

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

API = "/api/2.0/mlflow"
BATCH_WRITERS = 3
TRACE_WRITERS = 2
POINTS = 100
SPANS = 5
BEFORE_KILL = 30
AFTER_KILL = 30


def _batch(writer: int, index: int) -> dict[str, Any]:
    start = index * POINTS
    metrics = [
        {"key": f"w{writer}", "value": float(s), "timestamp": 1_700_000_000_000, "step": s}
        for s in range(start, start + POINTS)
    ]
    return {"metrics": metrics, "tags": [{"key": f"batch.{writer}.{index}", "value": "x"}]}


def _otlp(trace_hex: str) -> dict[str, Any]:
    root = uuid.uuid4().hex[:16]
    spans = [
        {
            "traceId": trace_hex,
            "spanId": root if i == 0 else uuid.uuid4().hex[:16],
            **({"parentSpanId": root} if i else {}),
            "name": f"s{i}",
            "kind": 1,
            "startTimeUnixNano": str(1_700_000_000_000_000_000 + i),
            "endTimeUnixNano": str(1_700_000_001_000_000_000),
            "status": {"code": 1},
        }
        for i in range(SPANS)
    ]
    return {"resourceSpans": [{"resource": {}, "scopeSpans": [{"spans": spans}]}]}


class Ingest:
    """Writers through the balancer, recording what was acknowledged."""

    def __init__(self, url: str, run_id: str, experiment_id: str) -> None:
        self.url, self.run_id, self.experiment_id = url, run_id, experiment_id
        self.acked_batches: list[set[int]] = [set() for _ in range(BATCH_WRITERS)]
        self.acked_traces: set[str] = set()
        self.failed = 0
        self.acked = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._batches, args=(w,), daemon=True)
            for w in range(BATCH_WRITERS)
        ] + [threading.Thread(target=self._traces, daemon=True) for _ in range(TRACE_WRITERS)]

    def _ack(self) -> None:
        with self.lock:
            self.acked += 1

    def _fail(self) -> None:
        with self.lock:
            self.failed += 1

    def _batches(self, w: int) -> None:
        with httpx.Client(base_url=self.url, timeout=60) as c:
            for i in range(100_000):
                if self.stop.is_set():
                    return
                body = {"run_id": self.run_id, **_batch(w, i)}
                try:
                    ok = c.post(f"{API}/runs/log-batch", json=body).status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    self.acked_batches[w].add(i)
                    self._ack()
                else:
                    self._fail()

    def _traces(self) -> None:
        headers = {"x-mlflow-experiment-id": self.experiment_id}
        with httpx.Client(base_url=self.url, timeout=60, headers=headers) as c:
            while not self.stop.is_set():
                trace_hex = uuid.uuid4().hex
                try:
                    r = c.post("/v1/traces", json=_otlp(trace_hex))
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    with self.lock:
                        self.acked_traces.add(trace_hex)
                    self._ack()
                else:
                    self._fail()

    def wait_acked(self, count: int, timeout: float = 180) -> bool:
        """Wait until ``count`` writes in all were acknowledged."""
        waited = 0.0
        while waited < timeout:
            with self.lock:
                if self.acked >= count:
                    return True
            threading.Event().wait(0.05)
            waited += 0.05
        return False


def test_sigkill_of_one_replica_behind_haproxy_loses_no_acknowledged_write(
    postgres_uri: str, tmp_path: Path
) -> None:
    haproxy_or_skip()
    uri = pg_schema_uri(postgres_uri, "ardea_replicas_sigkill")
    replicas = Replicas(uri, tmp_path, count=3)
    try:
        with httpx.Client(base_url=replicas.url, timeout=30) as c:
            exp = c.post(f"{API}/experiments/create", json={"name": "kill"}).json()
            r = c.post(f"{API}/runs/create", json={"experiment_id": exp["experiment_id"]})
            assert r.status_code == 200, r.text
            run_id = r.json()["run"]["info"]["run_id"]
        ingest = Ingest(replicas.url, run_id, exp["experiment_id"])
        for t in ingest.threads:
            t.start()
        assert ingest.wait_acked(BEFORE_KILL), replicas.servers[1].log_text()
        replicas.kill(1)  # mid-ingest: requests are in flight to it
        at_kill = ingest.acked
        # The balancer routes around the dead replica: writes go on being acknowledged.
        assert ingest.wait_acked(at_kill + AFTER_KILL), (ingest.failed, replicas.work)
        ingest.stop.set()
        for t in ingest.threads:
            t.join(timeout=120)
        assert not any(t.is_alive() for t in ingest.threads)
        assert replicas.servers[1].proc.poll() is not None
    finally:
        replicas.close()

    backend = open_sql_backend(uri)
    try:
        history: dict[int, Counter[int]] = {}
        for w in range(BATCH_WRITERS):
            points = backend.tracking.get_metric_history(run_id, f"w{w}")
            history[w] = Counter(p.step // POINTS for p in points)
        tags = set(backend.tracking.get_run(run_id).data.tags)
        for w in range(BATCH_WRITERS):
            for i in ingest.acked_batches[w]:  # every acknowledged batch, whole
                assert history[w][i] == POINTS, (w, i, history[w][i])
                assert f"batch.{w}.{i}" in tags, (w, i)
            for i, count in history[w].items():  # nothing half-written
                assert count == POINTS, (w, i, count)
                assert f"batch.{w}.{i}" in tags
        for trace_hex in ingest.acked_traces:
            trace = backend.traces.get_trace(f"tr-{trace_hex}")
            assert len(trace.data.spans) == SPANS, trace_hex
    finally:
        backend.close()
    assert ingest.acked_traces and all(ingest.acked_batches)
    print(f"acknowledged {ingest.acked}, failed {ingest.failed}, pid {os.getpid()}")
