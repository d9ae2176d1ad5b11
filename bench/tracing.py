"""Tracing benchmark: Ardea's SDK, OTLP ingest, the mlflow client against both servers, search.

Run as ``.venv/bin/python bench/tracing.py [--quick] [--ardea-only]``. Figures (see
bench/README.md): (1) time added per traced call on the calling thread, next to a bare
OpenTelemetry SDK span and MLflow's ``@mlflow.trace``; (2) spans/s ingested through OTLP with
Ardea's SDK into ``ardea server`` (SQLite); (3) the stock ``mlflow`` client's trace workload
against ``ardea server`` and ``mlflow server`` (wall time, server CPU); (4) time until a trace
is searchable; (5) REST search latency over 1,000,000 stored spans; (6) opening a
100,000-span trace. MLflow 3.17.2 runs from ``bench/.venv-mlflow`` (as in tracking.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _tracing_work as work
from _common import Lean, Server, cpu_meter, tree_cpu_seconds
from _tracing_ingest import sdk_ingest, server_ingest
from _tracing_probes import MLFLOW_CLIENT_PROBE, MLFLOW_OVERHEAD_PROBE
from tracking import (
    MLFLOW_VENV,
    MLFLOW_VERSION,
    Figure,
    ardea_server,
    client_python,
    ensure_mlflow_venv,
    fmt,
    mlflow_server,
    ratio,
)

HERE = Path(__file__).resolve().parent

FIGURES = [
    Figure("overhead_us", "(1) added per traced call, calling thread (us)", False),
    Figure("otel_span_us", "(1) added by a bare OTel SDK span, same run (us)", False),
    Figure("overhead_vs_otel", "(1) Ardea @trace / bare OTel span (target <= 2)", False),
    Figure("ingest_spans_per_s", "(2) OTLP ingest via Ardea SDK, spans/s to searchable", True),
    Figure("ingest_cpu_s", "(2) server CPU s for the ingest", False),
    Figure("server_ingest_spans_per_s", "(2) server alone: pre-encoded OTLP posts, spans/s", True),
    Figure("server_ingest_cpu_s", "(2) server alone: server CPU s", False),
    Figure("client_wall_s", "(3) mlflow client workload, end to end (s)", False),
    Figure("client_cpu_s", "(3) mlflow client workload, server CPU s", False),
    Figure("searchable_flush_ms", "(4) searchable after the call, flush + poll (ms)", False),
    Figure("searchable_noflush_ms", "(4) searchable after the call, poll only (ms)", False),
    Figure("build_spans_per_s", "(5) corpus build via store.log_spans, spans/s", True),
    *(
        Figure(key, f"(5) REST search, {label} (ms)", False)
        for key, label in (
            ("search_tag_ms", "by tag"),
            ("search_status_ms", "by status"),
            ("search_span_type_ms", "by span.type"),
            ("search_time_range_ms", "by timestamp range"),
            ("search_order_exec_ms", "order by execution time"),
        )
    ),
    Figure("big_roots_page_ms", "(6) big trace: store get_spans, roots page (ms)", False),
    Figure("big_children_page_ms", "(6) big trace: store get_spans, children page (ms)", False),
    Figure("big_first_view_ms", "(6) big trace: first view, roots + children (ms)", False),
    Figure("big_whole_store_ms", "(6) big trace: store get_trace, whole (ms)", False),
    Figure("big_rest_first_view_ms", "(6) big trace: REST first view, roots + kids (ms)", False),
    Figure("big_whole_rest_ms", "(6) big trace: REST traces/get, whole (ms)", False),
]

FULL = {
    "overhead_calls": 20_000,
    "overhead_rounds": 5,
    "mlflow_overhead_calls": 1_000,
    "ingest_traces": 2_000,
    "ingest_spans_per_trace": 50,
    "client_traces": 500,
    "searchable_probes": 20,
    "corpus_spans": 1_000_000,
    "corpus_spans_per_trace": 50,
    "search_repeats": 5,
    "big_trace_spans": 100_000,
    "page": 100,
}
QUICK = {
    "overhead_calls": 500,
    "overhead_rounds": 3,
    "mlflow_overhead_calls": 50,
    "ingest_traces": 20,
    "ingest_spans_per_trace": 10,
    "client_traces": 5,
    "searchable_probes": 2,
    "corpus_spans": 2_000,
    "corpus_spans_per_trace": 20,
    "search_repeats": 2,
    "big_trace_spans": 1_000,
    "page": 100,
}

CLIENT_ENV = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "120",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
}


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without MLFLOW_/ARDEA_ variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "ARDEA_"))}
    return {**env, **CLIENT_ENV, **(extra or {})}


def run_probe(python: str, code: str, args: list[Any], env: dict[str, str], cwd: Path) -> dict:
    """Run a probe script; its last stdout line is JSON. ``{}`` (and a note) on failure."""
    argv = [python, "-c", code, *map(str, args)]
    out = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, timeout=1800)
    if out.returncode != 0:
        print(f"  ! probe failed ({python}): {out.stderr[-800:]}")
        return {}
    return json.loads(out.stdout.strip().splitlines()[-1])


def start(server: Server) -> None:
    """Start ``server``; on failure print the tail of its log (the folder is temporary)."""
    try:
        server.start()
    except RuntimeError:
        if server.log_path.exists():
            print(server.log_path.read_text(errors="replace")[-3000:])
        raise


def settle(server: Server, quiet_cpu_s: float = 0.05, limit_s: float = 60.0) -> None:
    """Wait (at least 1 s) until the server tree's start-up work is over.

    A half-second window in which the tree used less than ``quiet_cpu_s`` CPU seconds; so
    background start-up work is not billed to the first workload.
    """
    time.sleep(1.0)
    deadline = time.monotonic() + limit_s
    before = tree_cpu_seconds(server.pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = tree_cpu_seconds(server.pid)
        if now - before < quiet_cpu_s:
            return
        before = now
    print(f"  ! {server.name} still busy {limit_s:.0f} s after start")


# --- (3) the stock mlflow client -----------------------------------------------------------------


def mlflow_client_workload(
    server: Server, python: str | None, size: dict[str, int], tmp: Path
) -> dict[str, float]:
    """(3) the stock ``mlflow`` client's trace workload against a started server."""
    if python is None:
        print(f"note: no interpreter with mlflow; skipping the client workload ({server.name})")
        return {}
    out: dict[str, float] = {}
    env = clean_env({"MLFLOW_TRACKING_URI": server.base_url})
    with cpu_meter(server, out, "client_cpu_s"):
        got = run_probe(python, MLFLOW_CLIENT_PROBE, [server.base_url, size["client_traces"]],
                        env, tmp)  # fmt: skip
    if not got:
        return {}
    if got["seen"] < size["client_traces"]:
        print(f"  ! {server.name}: only {got['seen']}/{size['client_traces']} traces searchable")
    out["client_wall_s"] = got["client_wall_s"]
    out["client_calls_s"], out["client_flush_s"] = got["client_calls_s"], got["client_flush_s"]
    return out


def server_section(server: Server, python: str | None, size: dict[str, int], tmp: Path) -> dict:
    """Start ``server`` on an empty database, run (3) (and (2), (4) for Ardea), stop it."""
    print(f"[{server.name}] starting ...", flush=True)
    start(server)
    out: dict[str, float] = {}
    try:
        settle(server)
        print(f"[{server.name}] (3) mlflow client trace workload", flush=True)
        out.update(mlflow_client_workload(server, python, size, tmp))
        if server.name == "ardea":
            print("[ardea] (2) OTLP ingest with Ardea's SDK, (4) time to searchable", flush=True)
            sdk_ingest(server, size, out)
            server_ingest(server, size, out)
    finally:
        server.stop()
    return out


# --- (5) and (6): the big corpus behind a live ardea server --------------------------------------


def corpus_section(size: dict[str, int], tmp: Path) -> dict[str, float]:
    """Build 1M spans + a 100k-span trace in SQLite, time store reads, then REST searches."""
    out: dict[str, float] = {}
    db = tmp / "ardea.db"
    print(f"[ardea] (5) building {size['corpus_spans']:,} spans via log_spans ...", flush=True)
    corpus = work.build_search_corpus(db, size["corpus_spans"], size["corpus_spans_per_trace"])
    out["build_spans_per_s"] = corpus["build_spans_per_s"]
    exp = corpus["experiment_id"]
    print(f"[ardea] (6) building a {size['big_trace_spans']:,}-span trace ...", flush=True)
    big_id, root_id = work.build_big_trace(db, exp, size["big_trace_spans"])
    work.big_trace_store_timings(db, big_id, root_id, size["page"], out)
    server = ardea_server(tmp)
    print("[ardea] starting on the corpus ...", flush=True)
    start(server)
    c = Lean(server.base_url)
    try:
        for key, filt, order in work.search_filters():
            body: dict[str, Any] = {"experiment_ids": [exp], "max_results": 100}
            if filt:
                body["filter"] = filt
            if order:
                body["order_by"] = order
            times, n = [], 0
            for _ in range(size["search_repeats"] + 1):  # the first one warms the cache
                t0 = time.perf_counter()
                r = c.http.post("/api/3.0/mlflow/traces/search", json=body)
                times.append(time.perf_counter() - t0)
                r.raise_for_status()
                n = len(r.json().get("traces", []))
            out[key] = statistics.median(times[1:]) * 1e3
            if n == 0:
                print(f"  ! search {key} returned no traces")
        out["big_rest_first_view_ms"] = _rest_first_view(c, big_id, size["page"])
        t0 = time.perf_counter()
        r = c.http.get("/api/3.0/mlflow/traces/get", params={"trace_id": big_id})
        out["big_whole_rest_ms"] = (time.perf_counter() - t0) * 1e3
        r.raise_for_status()
        got = len(r.json()["trace"].get("spans", []))
        if got != size["big_trace_spans"]:
            print(f"  ! REST traces/get returned {got} spans, expected {size['big_trace_spans']}")
    finally:
        c.close()
        server.stop()
    return out


def _rest_first_view(c: Lean, trace_id: str, page: int) -> float:
    """What a trace view asks first over REST: a page of root spans, then the first root's
    children (``GET /api/3.0/ardea/traces/{id}/spans``); median of 5 after a warm-up, in ms."""
    url = f"/api/3.0/ardea/traces/{trace_id}/spans"
    times = []
    for _ in range(6):
        t0 = time.perf_counter()
        roots = c.http.get(url, params={"roots_only": "true", "max_results": page})
        roots.raise_for_status()
        first = roots.json()["spans"][0]["span_id"]
        kids = c.http.get(url, params={"parent_span_id": first, "max_results": page})
        kids.raise_for_status()
        times.append(time.perf_counter() - t0)
        if not kids.json()["spans"]:
            print("  ! REST first view: the first root has no children")
    return statistics.median(times[1:]) * 1e3


# --- report ---------------------------------------------------------------------------------------


def print_table(ardea: dict[str, float], mlflow: dict[str, float]) -> None:
    """The one result table: ``figure | ardea | mlflow | ratio``."""
    w = max(len(f.label) for f in FIGURES)
    print()
    print(f"{'figure':<{w}} | {'ardea':>12} | {'mlflow':>12} | ratio (>1: ardea better)")
    print(f"{'-' * w}-+-{'-' * 12}-+-{'-' * 12}-+-{'-' * 10}")
    for f in FIGURES:
        a, m = ardea.get(f.key), mlflow.get(f.key)
        print(f"{f.label:<{w}} | {fmt(a):>12} | {fmt(m):>12} | {ratio(f, a, m)}")


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke run")
    ap.add_argument("--ardea-only", action="store_true", help="skip MLflow (server and client)")
    ap.add_argument("--json", type=Path, help="where to write the results JSON")
    args = ap.parse_args(argv)
    size = QUICK if args.quick else FULL

    with_mlflow = not args.ardea_only and ensure_mlflow_venv()
    if not args.ardea_only and not with_mlflow:
        print("note: MLflow could not be installed; only Ardea's figures are measured")
    results: dict[str, dict[str, float]] = {"ardea": {}, "mlflow": {}}
    with tempfile.TemporaryDirectory(prefix="ardea-bench-tracing-") as tmp_s:
        tmp = Path(tmp_s)
        print("[ardea] (1) SDK overhead", flush=True)
        work.sdk_overhead(size["overhead_calls"], size["overhead_rounds"], results["ardea"])
        if with_mlflow:
            print("[mlflow] (1) @mlflow.trace overhead, local SQLite store, no server", flush=True)
            (tmp / "mlflow-overhead").mkdir()
            uri = f"sqlite:///{tmp / 'mlflow-overhead' / 'mlflow.db'}"
            n, rounds = size["mlflow_overhead_calls"], size["overhead_rounds"]
            results["mlflow"].update(
                run_probe(str(MLFLOW_VENV / "bin" / "python"), MLFLOW_OVERHEAD_PROBE,
                          [n, rounds], clean_env({"MLFLOW_TRACKING_URI": uri}),
                          tmp / "mlflow-overhead")
            )  # fmt: skip
        python = client_python(with_mlflow)
        plan = [("ardea", ardea_server)] + ([("mlflow", mlflow_server)] if with_mlflow else [])
        for name, factory in plan:
            (tmp / name).mkdir()
            results[name].update(server_section(factory(tmp / name), python, size, tmp / name))
        (tmp / "corpus").mkdir()
        results["ardea"].update(corpus_section(size, tmp / "corpus"))

    print_table(results["ardea"], results["mlflow"])
    print(f"\nsizes: {size}")
    a = results["ardea"]
    if "ingest_calls_s" in a:
        print(
            f"(2) SDK ingest split: traced calls {a['ingest_calls_s']:.2f} s, then flush "
            f"{a['ingest_flush_s']:.2f} s (export thread still busy after the calls)"
        )
    for name in ("ardea", "mlflow"):
        r = results[name]
        if "client_calls_s" in r:
            print(
                f"(3) {name}: mlflow client calls {r['client_calls_s']:.2f} s, then its "
                f"flush_trace_async_logging {r['client_flush_s']:.2f} s, rest is the search poll"
            )
    target = args.json or HERE / "results" / f"tracing-{time.strftime('%Y-%m-%dT%H%M%S')}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quick": args.quick,
        "sizes": size,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "mlflow_version": MLFLOW_VERSION if with_mlflow else None,
        "figures": [f.__dict__ for f in FIGURES],
        **results,
    }
    target.write_text(json.dumps(doc, indent=2))
    print(f"results written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
