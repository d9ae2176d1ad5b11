"""Crash recovery: SIGKILL the server mid-ingest, restart it, and check what survived.

Every log-batch whose response was 200 must be fully stored after a restart; every batch must
be all-or-nothing (its metric points and its tag together, or none of them); and SQLite's
``PRAGMA integrity_check`` must say ``ok``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from fixtures.server_process import ServerProcess

pytestmark = pytest.mark.slow

API = "/api/2.0/mlflow"
WRITERS = 4
POINTS_PER_BATCH = 250
ACKED_BEFORE_KILL = 24


def _batch(writer: int, index: int) -> dict[str, Any]:
    start = index * POINTS_PER_BATCH
    metrics = [
        {"key": f"w{writer}", "value": float(step), "timestamp": 1_700_000_000_000, "step": step}
        for step in range(start, start + POINTS_PER_BATCH)
    ]
    return {"metrics": metrics, "tags": [{"key": f"batch.{writer}.{index}", "value": "x"}]}


def _history(client: httpx.Client, run_id: str, key: str) -> list[dict[str, Any]]:
    points: list[dict[str, Any]] = []
    token = None
    while True:
        params: dict[str, Any] = {"run_id": run_id, "metric_key": key, "max_results": 25000}
        if token:
            params["page_token"] = token
        r = client.get(f"{API}/metrics/get-history", params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        points.extend(body.get("metrics", []))
        token = body.get("next_page_token")
        if not token:
            return points


def test_sigkill_during_log_batch_loses_no_acknowledged_batch(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as c:
            exp = c.post(f"{API}/experiments/create", json={"name": "crash"}).json()
            r = c.post(f"{API}/runs/create", json={"experiment_id": exp["experiment_id"]})
            assert r.status_code == 200, r.text
            run_id = r.json()["run"]["info"]["run_id"]

        acked: list[set[int]] = [set() for _ in range(WRITERS)]
        sent: list[set[int]] = [set() for _ in range(WRITERS)]
        enough = threading.Event()
        lock = threading.Lock()
        total_acked = [0]

        def writer(w: int) -> None:
            with httpx.Client(base_url=server.url, timeout=30) as c:
                for i in range(10_000):
                    sent[w].add(i)
                    try:
                        r = c.post(f"{API}/runs/log-batch", json={"run_id": run_id, **_batch(w, i)})
                    except httpx.HTTPError:
                        return  # the server is gone
                    if r.status_code != 200:
                        return
                    acked[w].add(i)
                    with lock:
                        total_acked[0] += 1
                        if total_acked[0] >= ACKED_BEFORE_KILL:
                            enough.set()

        threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(WRITERS)]
        for t in threads:
            t.start()
        assert enough.wait(timeout=120), server.log_text()
        server.kill()  # writers are still sending: some requests are in flight
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads)
    except BaseException:
        server.kill()
        raise

    assert sum(len(a) for a in acked) >= ACKED_BEFORE_KILL
    unacked = sum(len(s - a) for s, a in zip(sent, acked, strict=True))
    assert unacked >= 1, "a request was in flight at the kill"

    restarted = ServerProcess(tmp_path)
    try:
        with httpx.Client(base_url=restarted.url, timeout=60) as c:
            r = c.get(f"{API}/runs/get", params={"run_id": run_id})
            assert r.status_code == 200, r.text
            tags = {t["key"] for t in r.json()["run"]["data"].get("tags", [])}
            for w in range(WRITERS):
                points = _history(c, run_id, f"w{w}")
                per_batch = Counter(int(p["step"]) // POINTS_PER_BATCH for p in points)
                # Acknowledged batches are complete.
                for i in acked[w]:
                    assert per_batch[i] == POINTS_PER_BATCH, (w, i, per_batch[i])
                    assert f"batch.{w}.{i}" in tags, (w, i)
                # Nothing half-written: a batch is all its points and its tag, or nothing.
                for i, count in per_batch.items():
                    assert count == POINTS_PER_BATCH, (w, i, count)
                    assert f"batch.{w}.{i}" in tags, (w, i)
                    assert i in sent[w]
                stored_batches = {int(k.split(".")[2]) for k in tags if k.startswith(f"batch.{w}.")}
                assert stored_batches == set(per_batch), w
                # Values are exactly what was sent.
                assert all(float(p["value"]) == float(p["step"]) for p in points)
            # The restarted server still accepts writes.
            r = c.post(f"{API}/runs/log-batch", json={"run_id": run_id, **_batch(WRITERS, 0)})
            assert r.status_code == 200, r.text
    finally:
        restarted.stop()

    with sqlite3.connect(tmp_path / "ardea.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
