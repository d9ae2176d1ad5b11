"""Read latencies at scale: search, paging, metric history, trace metrics and UI first paint.

::

    .venv/bin/python bench/seed.py postgresql+psycopg://ardea:ardea@127.0.0.1:5432/ardea_big
    .venv/bin/python bench/scale_data.py postgresql+psycopg://...same URI... \\
        [--scale 1] [--repeats 30] [--ui] [--json PATH]

Starts one ``ardea server`` (one worker) on the database ``bench/seed.py`` filled (``--scale``
and the counts must be the seed's: the probes name seeded runs, traces and models), then
times each probe over HTTP, one request at a time on a keep-alive connection, after one
warm-up call: p50 and p99 in ms (p99 of 30 samples is about their maximum). Paging probes
walk page tokens from the first page on and time every page; ``deep page`` is the time of the
last one. With ``--ui``, headless Chromium times the first run row of experiment 1's runs
table and the first trace row of its traces list (bench/ui.py's method; needs the built UI).

With ``--mlflow URI`` (a database ``bench/seed.py --schema mlflow`` filled at the same
``--scale``), ``mlflow server`` 3.17.2 (``bench/.venv-mlflow``, one worker) is measured the
same way afterwards (never at the same time) and both print side by side, ``figure | ardea |
mlflow | ratio``; probes MLflow has no request for (Ardea's trace-metrics route) or answers
with an error are listed as not measured, and differing item or page counts are flagged. With
``--ui`` MLflow's runs table is timed too (its first link named like a seeded run, visible and
on top); its traces tab is not. Each server first gets to idle (MLflow works ~40 s after
``/health`` answers).

Importable: :func:`measure` returns the figures as a dict.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import seed as seeded
from _common import Lean, Server, free_port, tree_cpu_seconds

__all__ = ["measure", "probes"]

Probe = Callable[[], int]
"""One request (or a short fixed sequence); returns how many items it read."""


def _call(c: Lean, method: str, path: str, body: Any = None, **params: Any) -> dict[str, Any]:
    url = path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
    status, data = c._send(method, url, None if body is None else json.dumps(body).encode())
    if status >= 300:
        raise RuntimeError(f"{method} {url} -> {status}: {data[:300]!r}")
    out: dict[str, Any] = json.loads(data) if data else {}
    return out


_RUNS = "/api/2.0/mlflow/runs/search"
_TRACES = "/api/3.0/mlflow/traces/search"
_VERSIONS = "/api/2.0/mlflow/model-versions/search"
_BULK = "/api/2.0/mlflow/metrics/get-history-bulk-interval"
_TRACE_METRICS = "/api/3.0/ardea/experiments/1/trace-metrics"


def probes(c: Lean, plan: seeded.Plan) -> dict[str, Probe]:
    """The timed requests, named; ids and values come from the seed's deterministic shapes."""

    def runs(filt: str = "", order: list[str] | None = None, n: int = 100) -> Probe:
        body = {"experiment_ids": ["1"], "filter": filt, "max_results": n,
                "order_by": order or []}  # fmt: skip
        return lambda: len(_call(c, "POST", _RUNS, body).get("runs", []))

    def traces(filt: str = "", order: list[str] | None = None, exp: str = "1") -> Probe:
        body = {"locations": [{"type": "MLFLOW_EXPERIMENT",
                               "mlflow_experiment": {"experiment_id": exp}}],
                "filter": filt, "max_results": 100, "order_by": order or []}  # fmt: skip
        return lambda: len(_call(c, "POST", _TRACES, body).get("traces", []))

    def versions(filt: str, n: int = 100) -> Probe:
        return lambda: len(
            _call(c, "GET", _VERSIONS, filter=filt, max_results=n).get("model_versions", [])
        )

    def trace_metrics(start: int, buckets: int) -> int:
        query = {"start_ms": start, "end_ms": end, "buckets": buckets}
        return len(_call(c, "GET", _TRACE_METRICS, **query).get("buckets", []))

    end = seeded.BASE_MS + plan.traces * 100 + 1  # just after the last trace
    mid = seeded.BASE_MS + plan.traces * 50  # the middle of the traces' request times
    hour = 3_600_000
    model = seeded._model_name(plan.models // 2)
    heavy = seeded.run_id(0)
    some_runs = [seeded.run_id(i) for i in range(0, 50, 5)]
    return {
        "runs: experiment, newest first": runs(),
        "runs: metric filter (acc > 0.9)": runs("metrics.acc > 0.9"),
        "runs: param filter": runs("params.optimizer = 'adam'"),
        "runs: tag filter": runs("tags.`mlflow.user` = 'user10'"),
        "runs: param + metric filter": runs("params.optimizer = 'adam' and metrics.loss < 0.2"),
        "runs: order by metric": runs(order=["metrics.loss ASC"]),
        "runs: order by start_time asc": runs(order=["attributes.start_time ASC"]),
        "runs: run name like": runs("attributes.run_name LIKE 'run-12%'"),
        "traces: experiment, newest first": traces(),
        "traces: time range (1 h)": traces(
            f"trace.timestamp_ms > {mid} and trace.timestamp_ms < {mid + hour}"
        ),
        "traces: tag filter": traces("tags.env = 'staging'"),
        "traces: status ERROR (experiment 2)": traces("trace.status = 'ERROR'", exp="2"),
        "traces: order by latency": traces(order=["execution_time_ms DESC"]),
        "versions: by name": versions(f"name = '{model}'"),
        "versions: by name + tag": versions(f"name = '{model}' and tags.validated = 'false'"),
        "versions: by tag (all models)": versions("tags.validated = 'false'"),
        "versions: by run_id": versions(f"run_id = '{seeded.run_id(3)}'"),
        "history: 100k-point run (all pages)": lambda: len(c.history(heavy, seeded.HEAVY_KEY)),
        "history: bulk-interval, 10 runs": lambda: len(
            _call(c, "GET", _BULK, run_ids=some_runs, metric_key="loss", max_results=320)["metrics"]
        ),
        "trace metrics: experiment 1, whole range": lambda: trace_metrics(seeded.BASE_MS, 48),
        "trace metrics: experiment 1, last 24 h": lambda: trace_metrics(end - 86_400_000, 24),
    }


def _pages(c: Lean, kind: str, pages: int, size: int) -> list[float]:
    """Walk ``pages`` pages of ``size`` from the first; ms of each."""
    token = None
    took = []
    for _ in range(pages):
        t0 = time.perf_counter()
        if kind == "runs":
            body = {"experiment_ids": ["1"], "max_results": size, "page_token": token}
            doc = _call(c, "POST", _RUNS, body)
        elif kind == "traces":
            body = {"locations": [{"type": "MLFLOW_EXPERIMENT",
                                   "mlflow_experiment": {"experiment_id": "1"}}],
                    "max_results": size, "page_token": token}  # fmt: skip
            doc = _call(c, "POST", _TRACES, body)
        else:
            params: dict[str, Any] = {"max_results": size, "filter": "tags.validated = 'true'"}
            if token:
                params["page_token"] = token
            doc = _call(c, "GET", _VERSIONS, **params)
        took.append((time.perf_counter() - t0) * 1000)
        token = doc.get("next_page_token")
        if not token:
            break
    return took


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered), 2), "p99_ms": round(p99, 2),
            "n": len(ordered)}  # fmt: skip


_MLFLOW_RUN_ROW = """() => ({clickable})(Array.from(document.querySelectorAll('a'))
  .find((a) => /^run-[0-9]+$/.test(a.textContent.trim())))"""
"""MLflow's runs table: the first link named like a seeded run, visible and on top."""


def _ui(base: str, kind: str = "ardea") -> dict[str, dict[str, float]]:
    import ui

    traces_row = f"""() => ({ui._CLICKABLE})(
      document.querySelector('table[aria-label=Traces] tbody tr a'))"""
    pages = [
        ("ui: runs table first row", f"{base}/experiments/1", ui.RUN_ROW),
        ("ui: traces list first row", f"{base}/experiments/1/traces", traces_row),
    ]
    if kind == "mlflow":  # its runs table only (no probe written for its traces tab)
        cond = _MLFLOW_RUN_ROW.replace("{clickable}", ui._CLICKABLE)
        pages = [("ui: runs table first row", f"{base}/#/experiments/1/runs", cond)]
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {label: [] for label, _, _ in pages}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(ui.CHROMIUM), args=ui.CHROMIUM_ARGS)
        try:
            for _ in range(5):
                for label, url, cond in pages:
                    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
                    page = ctx.new_page()
                    try:
                        page.goto(url, wait_until="commit")
                        out[label].append(ui.probe(page, cond))
                    finally:
                        ctx.close()
        finally:
            browser.close()
    return {k: _stats(v) for k, v in out.items()}


ARDEA_ONLY = {
    "trace metrics: experiment 1, whole range": "Ardea's own trace-metrics route",
    "trace metrics: experiment 1, last 24 h": "Ardea's own trace-metrics route",
}
"""Probes MLflow has no request for, and why."""


def _server(kind: str, uri: str, tmp: str) -> Server:
    port = free_port()
    if kind == "mlflow":
        url = "postgresql://" + uri.split("://", 1)[1]
        argv = [str(seeded.MLFLOW_VENV / "bin" / "mlflow"), "server", "--host", "127.0.0.1",
                "--port", str(port), "--backend-store-uri", url,
                "--artifacts-destination", f"{tmp}/artifacts", "--workers", "1"]  # fmt: skip
        env = {"MLFLOW_ENABLE_AI_GATEWAY": "false"}
        return Server("mlflow", argv, port, Path(tmp) / "server.log", env=env)
    exe = Path(sys.executable).parent / "ardea"
    argv = [str(exe), "server", "--host", "127.0.0.1", "--port", str(port),
            "--backend-store-uri", uri, "--artifacts-destination", f"{tmp}/artifacts",
            "--workers", "1"]  # fmt: skip
    return Server("ardea", argv, port, Path(tmp) / "server.log")


def _settle(server: Server, limit_s: float = 60.0) -> float:
    """Wait until the server's process tree idles (< 5% of a core over 2 s, at most
    ``limit_s``), so start-up work does not land in the first probes; seconds waited."""
    t0 = time.perf_counter()
    last = tree_cpu_seconds(server.pid)
    while time.perf_counter() - t0 < limit_s:
        time.sleep(2.0)
        now = tree_cpu_seconds(server.pid)
        if now - last < 0.1:
            break
        last = now
    return time.perf_counter() - t0


def measure(
    uri: str,
    plan: seeded.Plan,
    repeats: int = 30,
    with_ui: bool = False,
    pages: int = 50,
    kind: str = "ardea",
) -> dict[str, Any]:
    """Start a server of ``kind`` (``ardea`` or ``mlflow``) on ``uri`` (seeded with ``plan``,
    in that server's schema) and time every probe it can answer."""
    figures: dict[str, dict[str, float]] = {}
    skipped: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="ardea-scale-data-") as tmp:
        server = _server(kind, uri, tmp)
        server.start()
        print(f"  {kind} idle after {_settle(server):.0f} s", flush=True)
        c = Lean(server.base_url)
        try:
            for name, fn in probes(c, plan).items():
                if kind == "mlflow" and name in ARDEA_ONLY:
                    skipped[name] = ARDEA_ONLY[name]
                    continue
                try:
                    fn()  # warm-up (plans, caches)
                except RuntimeError as e:
                    skipped[name] = str(e)[:200]
                    print(f"  {name}: skipped, {skipped[name]}", flush=True)
                    continue
                took = []
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    items = fn()
                    took.append((time.perf_counter() - t0) * 1000)
                figures[name] = {**_stats(took), "items": items}
                print(f"  {name}: p50 {figures[name]['p50_ms']} ms, "
                      f"p99 {figures[name]['p99_ms']} ms ({items} items)", flush=True)  # fmt: skip
            for kind_, size in (("runs", 1000), ("traces", 500), ("versions", 200)):
                took = _pages(c, kind_, pages, size)
                name = f"{kind_}: paging, pages of {size}"
                figures[name] = {**_stats(took), "deep_page_ms": round(took[-1], 2),
                                 "pages": len(took)}  # fmt: skip
                print(f"  {name}: {figures[name]}", flush=True)
            if with_ui:
                for name, fig in _ui(server.base_url, kind).items():
                    figures[name] = fig
                    print(f"  {name}: {fig}", flush=True)
                if kind == "mlflow":
                    skipped["ui: traces list first row"] = "no probe for MLflow's traces tab"
        finally:
            c.close()
            server.stop()
    return {"plan": plan.totals(), "repeats": repeats, "figures": figures, "skipped": skipped}


def _fmt(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}" if abs(v) < 1 else f"{v:.2f}"


def side_by_side(ardea: dict[str, Any], mlflow: dict[str, Any]) -> list[str]:
    """The table ``figure | ardea | mlflow | ratio`` (ms; ratio > 1: Ardea faster)."""
    rows: list[tuple[str, float | None, float | None]] = []
    a, m = ardea["figures"], mlflow["figures"]
    for name in dict.fromkeys([*a, *m]):
        for stat in ("p50_ms", "p99_ms", "deep_page_ms"):
            av, mv = a.get(name, {}).get(stat), m.get(name, {}).get(stat)
            if av is not None or mv is not None:
                rows.append((f"{name} {stat.removesuffix('_ms')} (ms)", av, mv))
    w = max(len(r[0]) for r in rows)
    out = [f"{'figure':<{w}} | {'ardea':>10} | {'mlflow':>10} | ratio (>1: ardea faster)",
           f"{'-' * w}-+-{'-' * 10}-+-{'-' * 10}-+-{'-' * 10}"]  # fmt: skip
    for label, av, mv in rows:
        ratio = f"{mv / av:.2f}x" if av and mv else "-"
        out.append(f"{label:<{w}} | {_fmt(av):>10} | {_fmt(mv):>10} | {ratio}")
    for name in a:
        for what in ("items", "pages"):
            if name in m and a[name].get(what) != m[name].get(what):
                out.append(f"differs: {name}: {what} ardea {a[name][what]}, "
                           f"mlflow {m[name][what]}")  # fmt: skip
    for name, why in mlflow.get("skipped", {}).items():
        out.append(f"not measured on MLflow: {name}: {why}")
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line entry point (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("uri", help="the database bench/seed.py filled")
    ap.add_argument("--scale", type=float, default=1.0, help="the seed's --scale")
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--pages", type=int, default=50, help="pages walked by the paging probes")
    ap.add_argument("--ui", action="store_true", help="also time the UI's first paint")
    ap.add_argument("--mlflow", metavar="URI",
                    help="also measure mlflow server on this database (seed.py --schema mlflow "
                         "at the same --scale) and print both side by side")  # fmt: skip
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)
    plan = seeded.Plan.scaled(args.scale)
    print("[ardea]", flush=True)
    doc = measure(args.uri, plan, args.repeats, args.ui, args.pages)
    if args.mlflow:
        print("[mlflow]", flush=True)
        ml = measure(args.mlflow, plan, args.repeats, args.ui, args.pages, kind="mlflow")
        print("\n" + "\n".join(side_by_side(doc, ml)))
        doc = {"ardea": doc, "mlflow": ml}
    if args.json:
        args.json.write_text(json.dumps(doc, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
