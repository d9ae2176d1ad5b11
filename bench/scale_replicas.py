"""Throughput of 1, 2 and 4 ``ardea server`` replicas behind haproxy, on one PostgreSQL.

For each replica count: a fresh PostgreSQL schema, N replicas (``--workers 1`` each, one
artifacts folder) and one ``haproxy -db`` in front (round-robin, the configuration of
docs/server.md "Several replicas"). Then two phases of ``--seconds`` each, driven by
``--clients`` client processes posting through the balancer as fast as they are answered:

- ``log_batch``: ``runs/log-batch`` of 1,000 metric points, each client on its own run;
- ``otlp``: pre-encoded gzip'd OTLP/HTTP protobuf bodies of 200 spans (10-span traces), each
  posted once (8,000 traces in all: a client that runs out stops early).

Printed per phase: acknowledged points or spans per second, and the CPU seconds per wall
second of the replicas (their process trees), of PostgreSQL (the backends serving this
database, from ``pg_stat_activity``, read through /proc: run it on the database's machine)
and of haproxy. A CPU figure near the machine's core count names the limit.

    .venv/bin/python bench/scale_replicas.py --pg-uri postgresql+psycopg://ardea:ardea@127.0.0.1:5432/ardea_bench

The PostgreSQL URI defaults to ``ARDEA_BENCH_POSTGRES_URI``; haproxy comes from Debian
(``apt-get install haproxy``). Clients, replicas, haproxy and PostgreSQL share the machine's
cores: on a 2-core machine the figures show contention, not the scaling of a real cluster.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _common import CLK_TCK, Server, free_port, metrics_batch, tree_cpu_seconds
from _tracing_work import otlp_payloads
from fixtures import haproxy_config
from fixtures.replicas import pg_schema_uri

API = "/api/2.0/mlflow"


def _pg_cpu(pg_uri: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving this database (from /proc)."""
    from ardea.store.sql._db.engine import normalize_uri

    engine = sa.create_engine(normalize_uri(pg_uri), poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        pids = conn.execute(
            sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        ).scalars()
        pids = list(pids)
    engine.dispose()
    out: dict[int, float] = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = sum(int(x) for x in fields[11:13]) / CLK_TCK
    return out


def _pg_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU the backends spent between the readings (new backends count from 0)."""
    return sum(v - before.get(pid, 0.0) for pid, v in after.items())


class Cluster:
    """N replicas and haproxy (started on construction)."""

    def __init__(self, uri: str, count: int, work: Path) -> None:
        from ardea.store.sql.backend import open_sql_backend

        open_sql_backend(uri).close()  # migrated once, before the replicas start
        self.servers: list[Server] = []
        for i in range(count):
            port = free_port()
            argv = [
                sys.executable, "-m", "ardea.cli.main", "server", "--host", "127.0.0.1",
                "--port", str(port), "--workers", "1", "--backend-store-uri", uri,
                "--artifacts-destination", str(work / "artifacts"),
            ]  # fmt: skip
            server = Server(f"replica-{i}", argv, port, work / f"replica-{i}.log")
            server.start()
            self.servers.append(server)
        self.port = free_port()
        cfg = work / "haproxy.cfg"
        cfg.write_text(haproxy_config.render(self.port, [s.port for s in self.servers]))
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        self.proxy = subprocess.Popen(
            [haproxy, "-f", str(cfg), "-db"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if all(httpx.get(f"{self.url}/health").status_code == 200 for _ in range(count)):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("haproxy did not become healthy")

    def cpu(self) -> tuple[float, float]:
        """(replicas' CPU seconds, haproxy's CPU seconds) so far."""
        return sum(tree_cpu_seconds(s.pid) for s in self.servers), tree_cpu_seconds(self.proxy.pid)

    def stop(self) -> None:
        """Stop haproxy and the replicas."""
        self.proxy.terminate()
        self.proxy.wait(timeout=10)
        for s in self.servers:
            s.stop()


def _log_batch_client(url: str, run_id: str, until: float, out: Any) -> None:
    done = 0
    with httpx.Client(base_url=url, timeout=60) as c:
        step = 0
        while time.time() < until:
            body = {"run_id": run_id, "metrics": metrics_batch("m", step, 1000)}
            if c.post(f"{API}/runs/log-batch", json=body).status_code == 200:
                done += 1000
            step += 1000
    out.put(done)


def _otlp_client(url: str, exp: str, bodies: list[bytes], until: float, out: Any) -> None:
    done = 0
    headers = {
        "content-type": "application/x-protobuf",
        "content-encoding": "gzip",
        "x-mlflow-experiment-id": exp,
    }
    with httpx.Client(base_url=url, timeout=60, headers=headers) as c:
        for body in bodies:  # each body once: new traces only (a client that runs out stops)
            if time.time() >= until:
                break
            if c.post("/v1/traces", content=body).status_code == 200:
                done += 200
    out.put(done)


def _phase(
    cluster: Cluster, pg_uri: str, seconds: float, target: Any, args_of: list[tuple[Any, ...]]
) -> dict[str, float]:
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    server0, proxy0 = cluster.cpu()
    pg0 = _pg_cpu(pg_uri)
    t0 = time.time()
    until = t0 + seconds
    procs = [ctx.Process(target=target, args=(*a, until, out)) for a in args_of]
    for p in procs:
        p.start()
    total = sum(out.get(timeout=seconds + 120) for _ in procs)
    for p in procs:
        p.join()
    wall = time.time() - t0
    server1, proxy1 = cluster.cpu()
    pg1 = _pg_cpu(pg_uri)
    return {
        "rate": total / wall,
        "server_cpu": (server1 - server0) / wall,
        "pg_cpu": _pg_delta(pg0, pg1) / wall,
        "haproxy_cpu": (proxy1 - proxy0) / wall,
    }


def run(pg_uri: str, counts: list[int], clients: int, seconds: float) -> list[dict[str, Any]]:
    """The figures of every replica count."""
    from _common import Lean

    bodies = otlp_payloads(8000, 10, batch=200)  # 400 bodies of 200 spans (20 traces each)
    share = len(bodies) // clients
    rows = []
    for count in counts:
        work = Path(tempfile.mkdtemp(prefix=f"ardea-replicas-{count}-"))
        uri = pg_schema_uri(pg_uri, "ardea_bench_replicas")
        cluster = Cluster(uri, count, work)
        try:
            lean = Lean(cluster.url)
            exp = lean.create_experiment(f"scale-{uuid.uuid4().hex[:6]}")
            runs = [lean.create_run(exp)["run_id"] for _ in range(clients)]
            lean.close()
            batch = _phase(
                cluster, pg_uri, seconds, _log_batch_client, [(cluster.url, r) for r in runs]
            )
            otlp = _phase(
                cluster,
                pg_uri,
                seconds,
                _otlp_client,
                [(cluster.url, exp, bodies[i * share : (i + 1) * share]) for i in range(clients)],
            )
        finally:
            cluster.stop()
            shutil.rmtree(work, ignore_errors=True)
        rows.append({"replicas": count, "log_batch": batch, "otlp": otlp})
        print(
            f"{count} replica(s): log_batch {batch['rate']:,.0f} points/s "
            f"(replicas {batch['server_cpu']:.2f}, PostgreSQL {batch['pg_cpu']:.2f}, "
            f"haproxy {batch['haproxy_cpu']:.2f} CPU s/s); "
            f"OTLP {otlp['rate']:,.0f} spans/s (replicas {otlp['server_cpu']:.2f}, "
            f"PostgreSQL {otlp['pg_cpu']:.2f}, haproxy {otlp['haproxy_cpu']:.2f} CPU s/s)",
            flush=True,
        )
    return rows


def main() -> None:
    """Parse the arguments, run, print the table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pg-uri", default=os.environ.get("ARDEA_BENCH_POSTGRES_URI"))
    p.add_argument("--replicas", default="1,2,4", help="Replica counts, comma-separated.")
    p.add_argument("--clients", type=int, default=4, help="Client processes.")
    p.add_argument("--seconds", type=float, default=5.0, help="Length of each phase.")
    a = p.parse_args()
    if not a.pg_uri:
        p.error("--pg-uri (or ARDEA_BENCH_POSTGRES_URI) is required")
    counts = [int(x) for x in a.replicas.split(",")]
    print(f"{os.cpu_count()} cores; {a.clients} client processes; {a.seconds:g} s per phase")
    rows = run(a.pg_uri, counts, a.clients, a.seconds)
    base = rows[0]
    print("\n| replicas | log_batch points/s | x | OTLP spans/s | x | bottleneck CPU s/s |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        b, o = r["log_batch"], r["otlp"]
        print(
            f"| {r['replicas']} | {b['rate']:,.0f} | {b['rate'] / base['log_batch']['rate']:.2f} "
            f"| {o['rate']:,.0f} | {o['rate'] / base['otlp']['rate']:.2f} "
            f"| replicas {b['server_cpu']:.2f}/{o['server_cpu']:.2f}, "
            f"PostgreSQL {b['pg_cpu']:.2f}/{o['pg_cpu']:.2f} |"
        )


if __name__ == "__main__":
    main()
