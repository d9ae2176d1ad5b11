"""``ardea server --workers 2``: one scrape of ``/metrics`` sees every worker's requests."""

from __future__ import annotations

from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from fixtures.server_process import ServerProcess

CREATED = 30


def _requests_total(text: str, route: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == "ardea_http_requests_total" and s.labels["route"] == route:
                total += s.value
    return total


def test_two_workers_share_one_metrics_page(tmp_path: Path) -> None:
    folder = tmp_path / "prom"
    folder.mkdir()
    (folder / "counter_1.db").write_bytes(b"stale")  # a previous run's: removed at start
    server = ServerProcess(
        tmp_path, "--workers", "2", env={"PROMETHEUS_MULTIPROC_DIR": str(folder)}
    )
    try:
        create = f"{server.url}/api/2.0/mlflow/experiments/create"
        for i in range(CREATED):  # a connection each: the kernel spreads them over the workers
            r = httpx.post(create, json={"name": f"e{i}"}, headers={"Connection": "close"})
            assert r.status_code == 200, r.text
        pids = {p.stem.rsplit("_", 1)[1] for p in folder.glob("counter_*.db")}
        assert len(pids) >= 2 and "1" not in pids, sorted(p.name for p in folder.iterdir())
        for _ in range(6):  # whichever worker answers, it counts all of them
            text = httpx.get(f"{server.url}/metrics", headers={"Connection": "close"}).text
            assert _requests_total(text, "/api/2.0/mlflow/experiments/create") == CREATED
            assert "ardea_http_requests_in_flight 1.0" in text
    finally:
        server.stop()
