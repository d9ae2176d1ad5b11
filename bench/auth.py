"""Auth benchmark: what ``--auth`` costs, against the same workload with auth off.

Run as ``.venv/bin/python bench/auth.py [--quick] [--auth-off-only]``. It starts ``ardea
server`` twice (one worker, SQLite, a fresh temporary folder each): without ``--auth``, and
with it, where a non-admin user sends every request with an API
token (``Authorization: Bearer``, the ``MLFLOW_TRACKING_TOKEN`` path) on an experiment it
created (so every check goes through its grants). Then, on the auth server started with
``--auth-default-permission NO_PERMISSIONS``, 10,000 experiments of which the user may read
100 (user grants), and ``search_experiments`` as that user.

Both servers run at once and the figures are measured in interleaved rounds (off, on, then
on, off, ...), so that load from elsewhere on the machine falls on both alike: latency
percentiles pool every round's samples, throughputs are the median of the rounds' rates.

Figures (sequential requests on one keep-alive connection):

- per-request latency, p50 and p90: ``experiments/get`` and ``runs/log-metric``, and their
  overhead with auth (p50 on - p50 off; goal < 0.2 ms);
- ``log_batch`` throughput (batches of 1,000 points; goal within 10% of auth off);
- ``search_runs`` throughput (1,000 runs a page; goal within 10%);
- ``search_experiments`` over 10,000 experiments, 100 readable by the caller (goal < 50 ms),
  and the same search as the admin (no filter).

Prints ``figure | auth off | auth on | ratio`` (ratio > 1: auth on is better, so < 1 is its
cost) and writes JSON to ``bench/results/``. No thresholds: a benchmark never fails a test.
``--auth-off-only`` measures auth off alone (run it with another checkout's interpreter to
compare branches).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Server, free_port, metrics_batch, now_ms

HERE = Path(__file__).resolve().parent
ADMIN_PASSWORD = "bench admin password"

FULL = {"latency_n": 6000, "batches": 600, "runs": 2000, "searches": 120, "experiments": 10_000,
        "readable": 100, "exp_searches": 30, "rounds": 12}  # fmt: skip
QUICK = {"latency_n": 300, "batches": 20, "runs": 200, "searches": 6, "experiments": 500,
         "readable": 10, "exp_searches": 5, "rounds": 2}  # fmt: skip


class Wire:
    """A keep-alive stdlib HTTP client with fixed headers (credentials, a workspace)."""

    def __init__(self, port: int, headers: dict[str, str] | None = None) -> None:
        self.port = port
        self.headers = {"content-type": "application/json", **(headers or {})}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        """One request; the decoded JSON answer (raises on a non-2xx)."""
        url = path if path.startswith("/") else f"/api/2.0/mlflow/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        content = None if body is None else orjson.dumps(body)
        self.conn.request(method, url, body=content, headers=self.headers)
        r = self.conn.getresponse()
        data = r.read()
        if r.status >= 300:
            raise RuntimeError(f"{method} {url} -> {r.status}: {data[:300]!r}")
        return orjson.loads(data) if data else {}

    def close(self) -> None:
        self.conn.close()

    def reconnect(self) -> None:
        """A fresh connection (the server drops one left idle past its keep-alive timeout)."""
        self.conn.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)


def _basic(user: str, password: str) -> dict[str, str]:
    pair = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def _server(tmp: Path, *extra: str) -> Server:
    exe = Path(sys.executable).parent / "ardea"
    port = free_port()
    argv = [
        str(exe), "server", "--host", "127.0.0.1", "--port", str(port),
        "--backend-store-uri", f"sqlite:///{tmp / 'ardea.db'}",
        "--artifacts-destination", str(tmp / "artifacts"), "--workers", "1", *extra,
    ]  # fmt: skip
    env = {"ARDEA_ADMIN_PASSWORD": ADMIN_PASSWORD}
    return Server("ardea", argv, port, tmp / "server.log", env=env)


def _token(tmp: Path, user: str) -> str:
    exe = Path(sys.executable).parent / "ardea"
    argv = [str(exe), "tokens", "create", "--user", user, "--name", "bench",
            "--backend-store-uri", f"sqlite:///{tmp / 'ardea.db'}"]  # fmt: skip
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.9)]


def _latency(
    w: Wire, n: int, method: str, path: str, body: Any = None, **params: Any
) -> list[float]:
    for _ in range(min(50, n)):  # warm up (caches, connections, JIT-free but still)
        w.call(method, path, body, **params)
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        w.call(method, path, body, **params)
        out.append((time.perf_counter() - t0) * 1000)
    return out


@dataclass
class Side:
    """One server under test (auth off or on) and what the rounds use on it."""

    wire: Wire
    experiment: str = ""
    run_id: str = ""
    query: dict[str, Any] = field(default_factory=dict)
    get_ms: list[float] = field(default_factory=list)
    log_ms: list[float] = field(default_factory=list)
    batch_rates: list[float] = field(default_factory=list)
    search_rates: list[float] = field(default_factory=list)
    step: int = 0


def prepare(side: Side, sizes: dict[str, int]) -> None:
    """An experiment and a run to log to, and an experiment of ``runs`` runs to search."""
    w = side.wire
    side.experiment = str(w.call("POST", "experiments/create", {"name": "bench"})["experiment_id"])
    run = w.call("POST", "runs/create", {"experiment_id": side.experiment, "start_time": now_ms()})
    side.run_id = run["run"]["info"]["run_id"]
    search_exp = str(
        w.call("POST", "experiments/create", {"name": "bench-search"})["experiment_id"]
    )
    for i in range(sizes["runs"]):
        r = w.call("POST", "runs/create", {"experiment_id": search_exp, "start_time": now_ms()})
        w.call("POST", "runs/log-metric", {"run_id": r["run"]["info"]["run_id"], "key": "m",
                                           "value": i * 0.001, "timestamp": now_ms()})  # fmt: skip
    side.query = {"experiment_ids": [search_exp], "max_results": 1000,
                  "order_by": ["metrics.m DESC"]}  # fmt: skip
    w.call("POST", "runs/search", side.query)


def measure_round(side: Side, sizes: dict[str, int], rounds: int) -> None:
    """One round's share of every figure on ``side``."""
    w, n = side.wire, max(1, sizes["latency_n"] // rounds)
    w.reconnect()  # idle while the other side ran
    side.get_ms += _latency(w, n, "GET", "experiments/get", experiment_id=side.experiment)
    body = {"run_id": side.run_id, "key": "m", "value": 1.0, "timestamp": now_ms(), "step": 0}
    side.log_ms += _latency(w, n, "POST", "runs/log-metric", body)
    count = max(1, sizes["batches"] // rounds)
    batches = [metrics_batch("b", (side.step + i) * 1000, 1000) for i in range(count)]
    side.step += count
    t0 = time.perf_counter()
    for batch in batches:
        w.call("POST", "runs/log-batch", {"run_id": side.run_id, "metrics": batch})
    side.batch_rates.append(count * 1000 / (time.perf_counter() - t0))
    searches = max(1, sizes["searches"] // rounds)
    t0 = time.perf_counter()
    for _ in range(searches):
        w.call("POST", "runs/search", side.query)
    side.search_rates.append(searches / (time.perf_counter() - t0))


def figures(side: Side) -> dict[str, float]:
    """The side's figures: latency percentiles over every sample, medians of the round rates."""
    out: dict[str, float] = {}
    out["get_p50_ms"], out["get_p90_ms"] = _percentiles(side.get_ms)
    out["log_p50_ms"], out["log_p90_ms"] = _percentiles(side.log_ms)
    out["log_batch_points_per_s"] = statistics.median(side.batch_rates)
    out["search_runs_per_s"] = statistics.median(side.search_rates)
    return out


def visible_search(tmp: Path, sizes: dict[str, int]) -> dict[str, float]:
    """search_experiments over many experiments of which the caller may read a few."""
    server = _server(tmp, "--auth", "--auth-default-permission", "NO_PERMISSIONS")
    server.start()
    try:
        admin = Wire(server.port, _basic("admin", ADMIN_PASSWORD))
        admin.call("POST", "users/create", {"username": "reader", "password": "reader password 1"})
        ids = [
            str(admin.call("POST", "experiments/create", {"name": f"e{i:05d}"})["experiment_id"])
            for i in range(sizes["experiments"])
        ]
        step = max(1, len(ids) // sizes["readable"])
        for experiment_id in ids[::step][: sizes["readable"]]:
            grant = {"username": "reader", "resource_type": "experiment",
                     "resource_id": experiment_id, "permission": "READ"}  # fmt: skip
            admin.call("POST", "/api/3.0/mlflow/users/permissions/grant", grant)
        reader = Wire(server.port, {"Authorization": f"Bearer {_token(tmp, 'reader')}"})
        out: dict[str, float] = {}
        for label, w in (("reader", reader), ("admin", admin)):
            query = {"max_results": 1000}
            found = w.call("POST", "experiments/search", query).get("experiments", [])
            out[f"{label}_sees"] = float(len(found))  # (up to 1,000)
            times = []
            for _ in range(sizes["exp_searches"]):
                t0 = time.perf_counter()
                w.call("POST", "experiments/search", query)
                times.append((time.perf_counter() - t0) * 1000)
            out[f"{label}_search_ms"] = statistics.median(times)
        reader.close()
        admin.close()
        return out
    finally:
        server.stop()


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    higher_is_better: bool


FIGURES = [
    Figure("get_p50_ms", "experiments/get p50, ms", False),
    Figure("get_p90_ms", "experiments/get p90, ms", False),
    Figure("log_p50_ms", "runs/log-metric p50, ms", False),
    Figure("log_p90_ms", "runs/log-metric p90, ms", False),
    Figure("log_batch_points_per_s", "log_batch points/s (1,000 a batch)", True),
    Figure("search_runs_per_s", "search_runs/s (1,000 runs a page)", True),
]


def _fmt(value: float | None) -> str:
    return "-" if value is None else (f"{value:,.3f}" if value < 10 else f"{value:,.0f}")


def _row(label: str, off: str, on: str, note: str = "") -> None:
    print(f"{label:<46} | {off:>10} | {on:>10} | {note}")


def _print_table(results: dict[str, Any], sizes: dict[str, int]) -> None:
    """``figure | auth off | auth on | ratio`` (ratio > 1: auth on is better)."""
    off, on = results["off"], results.get("on", {})
    _row("figure", "auth off", "auth on", "ratio")
    for fig in FIGURES:
        a, b = off.get(fig.key), on.get(fig.key)
        r = "-"
        if a and b:
            r = f"{(b / a if fig.higher_is_better else a / b):.2f}"
        _row(fig.label, _fmt(a), _fmt(b), r)
    if not on:
        return
    for key, label in (("get", "experiments/get"), ("log", "runs/log-metric")):
        overhead = on[f"{key}_p50_ms"] - off[f"{key}_p50_ms"]
        results[f"{key}_overhead_ms"] = overhead
        _row(f"{label} overhead with a token, p50 ms", "", _fmt(overhead), "(goal < 0.2)")
    v = results["visible"]
    n = sizes["experiments"]
    _row(f"search_experiments, {n:,} exps, reader sees", "", f"{v['reader_sees']:.0f}")
    _row("  ... as the reader, median ms", "", _fmt(v["reader_search_ms"]), "(goal < 50)")
    _row("  ... as the admin (no filter), median ms", "", _fmt(v["admin_search_ms"]))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    parser.add_argument("--auth-off-only", action="store_true", help="measure auth off only")
    parser.add_argument("--json", type=Path, help="where to write the JSON results")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    results: dict[str, Any] = {"sizes": sizes, "machine": platform.platform()}
    rounds = sizes["rounds"]
    results["rounds"] = rounds
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        servers: dict[str, Server] = {}
        sides: dict[str, Side] = {}
        try:
            (tmp / "off").mkdir()
            servers["off"] = _server(tmp / "off")
            servers["off"].start()
            sides["off"] = Side(Wire(servers["off"].port))
            if not args.auth_off_only:
                (tmp / "on").mkdir()
                servers["on"] = _server(tmp / "on", "--auth")
                servers["on"].start()
                admin = Wire(servers["on"].port, _basic("admin", ADMIN_PASSWORD))
                admin.call(
                    "POST", "users/create", {"username": "bench", "password": "bench password 1"}
                )
                admin.close()
                token = _token(tmp / "on", "bench")
                sides["on"] = Side(Wire(servers["on"].port, {"Authorization": f"Bearer {token}"}))
            for side in sides.values():
                prepare(side, sizes)
            # Interleaved rounds, the order alternating, so that load from elsewhere on the
            # machine falls on both sides alike.
            names = list(sides)
            for r in range(rounds):
                for name in names if r % 2 == 0 else names[::-1]:
                    measure_round(sides[name], sizes, rounds)
            for name, side in sides.items():
                results[name] = figures(side)
                side.wire.close()
        finally:
            for server in servers.values():
                server.stop()
        if not args.auth_off_only:
            (tmp / "visible").mkdir()
            results["visible"] = visible_search(tmp / "visible", sizes)
    _print_table(results, sizes)
    out = args.json or HERE / "results" / f"auth-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
