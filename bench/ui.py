"""Browser benchmark of the web UI (issue 5): what users wait for, timed in headless Chromium.

Run as ``.venv/bin/python bench/ui.py [--quick] [--json PATH]``. One ``ardea server`` (SQLite)
is seeded with an experiment of 10,000 runs (a metric and a param each), one run with a
100,000-point metric and a 100,000-span trace (built straight into the SQLite file before the
server starts, as bench/tracing.py does). Then, a fresh page per measurement, median of 3:

- runs table: navigation start to the first run row visible and clickable (and, scrolling to
  the end, all runs loaded);
- metric chart: navigation start to the uPlot canvas drawn with the 100,000-point history;
- trace: navigation start to the first span row of the span tree (and to the root's children);
- first-page JS: the JavaScript files the experiments page loads, gzipped (level 6), in KB.

Times are ``performance.now()`` in the page, whose origin is the navigation start. Needs the
built UI (``bash scripts/build-ui.sh``), Debian's ``/usr/bin/chromium`` and the ``playwright``
package (never ``playwright install``).
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _tracing_work as work
from _common import Lean, metrics_batch
from tracking import _retry, ardea_server, fmt

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
UI_INDEX = ROOT / "src" / "ardea" / "server" / "static" / "ui" / "index.html"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [  # as tests/ui/conftest.py and /work/shared/ENVIRONMENT.md
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

FULL = {"runs": 10_000, "points": 100_000, "spans": 100_000, "repeats": 3}
QUICK = {"runs": 300, "points": 3_000, "spans": 2_000, "repeats": 3}


@dataclass
class Target:
    """One row of the result table: a figure, its target and whether lower is better."""

    key: str
    label: str
    target: float | None  # None: informative, no target
    unit: str


FIGURES = [
    Target("runs_interactive_ms", "runs table: first row interactive (ms)", 1500, "ms"),
    Target("runs_all_loaded_ms", "runs table: all runs loaded, scrolling (ms)", None, "ms"),
    Target("chart_drawn_ms", "metric chart: long metric drawn (ms)", 1000, "ms"),
    Target("chart_history_ms", "metric chart: its history fetched (ms)", None, "ms"),
    Target("trace_first_paint_ms", "trace: first span row painted (ms)", 1000, "ms"),
    Target("trace_children_ms", "trace: root's children painted (ms)", None, "ms"),
    Target("first_page_js_kb", "first-page JS, gzipped (KB)", 500, "KB"),
    Target("runs_page_js_kb", "runs page JS, gzipped (KB)", None, "KB"),
]


def missing() -> str:
    """Why the benchmark cannot run here ("" when it can)."""
    if not UI_INDEX.is_file():
        return f"the web UI is not built ({UI_INDEX} is missing): run `bash scripts/build-ui.sh`"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is missing (pip install -e '.[dev]')"
    return ""


# --- seeding -----------------------------------------------------------------------------------


def seed_runs(base_url: str, exp: str, total: int) -> None:
    """``total`` runs in ``exp``, each with metric ``m`` and param ``lr`` (4 threads)."""
    rng = random.Random(7)
    todo = [(f"run-{i}", rng.random()) for i in range(total)]
    lock = threading.Lock()

    def worker() -> None:
        c = Lean(base_url)
        while True:
            with lock:
                if not todo:
                    break
                name, value = todo.pop()
            body = {"experiment_id": exp, "start_time": int(time.time() * 1000), "run_name": name}
            run_id = _retry(lambda b=body: c.call("POST", "runs/create", b))["run"]["info"][
                "run_id"
            ]
            batch = {
                "run_id": run_id,
                "metrics": [{"key": "m", "value": value, "timestamp": 1, "step": 0}],
                "params": [{"key": "lr", "value": f"{value:.4f}"}],
            }
            _retry(lambda b=batch: c.call("POST", "runs/log-batch", b))
        c.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def seed(tmp: Path, size: dict[str, int]) -> tuple[Any, dict[str, str]]:
    """Build the trace in SQLite, start the server, seed runs and the long metric."""
    from ardea.store.sql.backend import open_sql_backend

    db = tmp / "ardea.db"
    backend = open_sql_backend(f"sqlite:///{db}")
    tracking = backend.tracking
    trace_exp = tracking.create_experiment("ui-bench-traces")
    print(f"[seed] a {size['spans']:,}-span trace into SQLite ...", flush=True)
    trace_id, _ = work.build_big_trace(db, trace_exp, size["spans"])
    backend.close()
    server = ardea_server(tmp)
    server.start()
    try:
        c = Lean(server.base_url)
        exp = c.create_experiment("ui-bench-runs")
        print(f"[seed] {size['runs']:,} runs with a metric and a param ...", flush=True)
        seed_runs(server.base_url, exp, size["runs"])
        big_exp = c.create_experiment("ui-bench-chart")
        run_id = c.create_run(big_exp)["run_id"]
        print(f"[seed] one run with a {size['points']:,}-point metric ...", flush=True)
        for start in range(0, size["points"], 1000):
            c.log_batch(run_id, metrics_batch("big", start, min(1000, size["points"] - start)))
        c.close()
    except BaseException:
        server.stop()
        raise
    ids = {"exp": exp, "big_exp": big_exp, "run": run_id, "trace_exp": trace_exp,
           "trace": trace_id}  # fmt: skip
    return server, ids


# --- in-page probes ----------------------------------------------------------------------------

# Each probe polls on animation frames and resolves with performance.now() (ms since the
# navigation started) once the condition holds; a frame later the browser has painted it.
_POLL = """
(cond) => new Promise((resolve, reject) => {
  const give_up = performance.now() + %d;
  const tick = () => {
    let ok = false;
    try { ok = cond(); } catch (e) { ok = false; }
    if (ok) { const t = performance.now(); requestAnimationFrame(() => resolve(t)); return; }
    if (performance.now() > give_up) { reject(new Error("timed out")); return; }
    requestAnimationFrame(tick);
  };
  tick();
})
"""

_CLICKABLE = """(el) => {
  if (!el) return false;
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.height === 0 || r.bottom <= 0 || r.top >= innerHeight) return false;
  const hit = document.elementFromPoint(r.left + Math.min(20, r.width / 2), r.top + r.height / 2);
  return hit !== null && el.contains(hit);
}"""

RUN_ROW = f"""() => ({_CLICKABLE})(
  document.querySelector('[role=table][aria-label=Runs] [data-run-id] [role=cell] a'))"""

CHART = """() => {
  const box = document.querySelector('[data-testid=metric-chart]');
  const info = box && box.parentElement.querySelector('p.muted:last-child');
  const canvas = box && box.querySelector('canvas');
  if (!canvas || !info || !/points?/.test(info.textContent)) return false;
  const ctx = canvas.getContext('2d');
  const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;  // any ink
  return false;
}"""

# When the last get-history page arrived (the chart's fetch, before parsing and drawing).
HISTORY_END = """() => Math.max(0, ...performance.getEntriesByType('resource')
  .filter((e) => e.name.includes('metrics/get-history')).map((e) => e.responseEnd))"""

TRACE_FIRST = f"""() => ({_CLICKABLE})(
  document.querySelector('[role=tree][aria-label=Spans] [role=treeitem]'))"""

TRACE_KIDS = """() =>
  document.querySelectorAll('[role=tree][aria-label=Spans] [role=treeitem]').length > 1"""


def probe(page: Any, cond: str, timeout_ms: int = 60_000) -> float:
    """Milliseconds from navigation start until ``cond`` (a JS function source) is true."""
    fn = (_POLL % timeout_ms).strip()
    try:
        return float(page.evaluate(f"({fn})({cond})"))
    except Exception as e:
        text = page.evaluate("() => document.body ? document.body.innerText : ''")
        raise RuntimeError(
            f"probe failed on {page.url}: {e}\ncondition: {cond}\npage text: {text[:1500]!r}"
        ) from e


def scroll_to_all(page: Any, total: int, timeout_s: float = 120.0) -> float:
    """Scroll the runs grid to its end until ``total`` rows are known; ms since navigation."""
    deadline = time.monotonic() + timeout_s
    js = """(total) => new Promise((resolve) => {
      const grid = document.querySelector('[role=table][aria-label=Runs]');
      grid.scrollTop = grid.scrollHeight;
      requestAnimationFrame(() => {
        const n = Number(grid.getAttribute('aria-rowcount')) - 1;
        resolve(n >= total ? performance.now() : -1);
      });
    })"""
    while time.monotonic() < deadline:
        t = float(page.evaluate(js, total))
        if t >= 0:
            return t
        page.wait_for_timeout(20)
    raise RuntimeError(f"the runs table never reached {total} rows")


# --- measurements ------------------------------------------------------------------------------


def js_kb(browser: Any, url: str) -> tuple[float, int]:
    """Gzipped (level 6) KB of the JavaScript ``url`` loads, and the number of files."""
    page = browser.new_page()
    bodies: dict[str, bytes] = {}

    def on_response(resp: Any) -> None:
        if resp.request.resource_type == "script" or resp.url.split("?")[0].endswith(".js"):
            try:
                bodies[resp.url] = resp.body()
            except Exception:  # a redirect or aborted response has no body
                pass

    page.on("response", on_response)
    page.goto(url, wait_until="networkidle")
    page.close()
    total = sum(len(gzip.compress(b, compresslevel=6)) for b in bodies.values())
    return total / 1024, len(bodies)


def repeat(browser: Any, n: int, fn: Callable[[Any], dict[str, float]]) -> list[dict[str, float]]:
    """``fn`` on a fresh page (fresh context: no cache) ``n`` times."""
    out = []
    for _ in range(n):
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        try:
            out.append(fn(page))
        finally:
            ctx.close()
    return out


def measure(base: str, ids: dict[str, str], size: dict[str, int]) -> dict[str, Any]:
    """Every figure, as {key: [samples]} plus the JS sizes."""
    from playwright.sync_api import sync_playwright

    samples: dict[str, list[float]] = {}

    def keep(rows: list[dict[str, float]]) -> None:
        for row in rows:
            for k, v in row.items():
                samples.setdefault(k, []).append(v)

    def runs(page: Any) -> dict[str, float]:
        page.goto(f"{base}/experiments/{ids['exp']}", wait_until="commit")
        first = probe(page, RUN_ROW)
        return {
            "runs_interactive_ms": first,
            "runs_all_loaded_ms": scroll_to_all(page, size["runs"]),
        }

    def chart(page: Any) -> dict[str, float]:
        url = f"{base}/experiments/{ids['big_exp']}/runs/{ids['run']}?metric=big"
        page.goto(url, wait_until="commit")
        drawn = probe(page, CHART)
        return {"chart_drawn_ms": drawn, "chart_history_ms": float(page.evaluate(HISTORY_END))}

    def trace(page: Any) -> dict[str, float]:
        page.goto(f"{base}/experiments/{ids['trace_exp']}/traces/{ids['trace']}",
                  wait_until="commit")  # fmt: skip
        first = probe(page, TRACE_FIRST)
        return {"trace_first_paint_ms": first, "trace_children_ms": probe(page, TRACE_KIDS)}

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for name, fn in (("runs table", runs), ("metric chart", chart), ("trace", trace)):
                print(f"[browser] {name} x{size['repeats']} ...", flush=True)
                keep(repeat(browser, size["repeats"], fn))
            first_kb, first_files = js_kb(browser, f"{base}/")
            runs_kb, runs_files = js_kb(browser, f"{base}/experiments/{ids['exp']}")
        finally:
            browser.close()
    return {
        "samples": samples,
        "js": {"first_page_js_kb": first_kb, "first_page_js_files": first_files,
               "runs_page_js_kb": runs_kb, "runs_page_js_files": runs_files},
    }  # fmt: skip


# --- report ------------------------------------------------------------------------------------


def summarize(measured: dict[str, Any]) -> dict[str, dict[str, float]]:
    """{key: {value, min, max, spread}}: the median of the samples (JS sizes: one value)."""
    out: dict[str, dict[str, float]] = {}
    for key, vals in measured["samples"].items():
        med = statistics.median(vals)
        out[key] = {"value": med, "min": min(vals), "max": max(vals),
                    "spread_pct": (max(vals) - min(vals)) / med * 100 if med else 0.0}  # fmt: skip
    for key in ("first_page_js_kb", "runs_page_js_kb"):
        v = measured["js"][key]
        out[key] = {"value": v, "min": v, "max": v, "spread_pct": 0.0}
    return out


def print_table(summary: dict[str, dict[str, float]], size: dict[str, int]) -> None:
    """``figure | ardea | target | met?`` and the machine noise."""
    width = max(len(f.label) for f in FIGURES)
    print()
    print(f"sizes: {size['runs']:,} runs, a {size['points']:,}-point metric, "
          f"a {size['spans']:,}-span trace; median of {size['repeats']} fresh pages")  # fmt: skip
    print(f"{'figure'.ljust(width)} |    ardea |   target | met?")
    print(f"{'-' * width}-|----------|----------|-----")
    for f in FIGURES:
        s = summary.get(f.key)
        value = s["value"] if s else None
        target = f"< {f.target:,.0f}" if f.target is not None else "-"
        met = "-" if f.target is None or value is None else ("yes" if value < f.target else "NO")
        print(f"{f.label.ljust(width)} | {fmt(value):>8} | {target:>8} | {met}")
    print()
    print(f"machine noise (min / median / max of {size['repeats']} fresh pages, spread):")
    for f in FIGURES:
        s = summary.get(f.key)
        if s and f.unit == "ms":
            print(f"  {f.label}: {fmt(s['min'])} / {fmt(s['value'])} / {fmt(s['max'])} "
                  f"({s['spread_pct']:.0f}%)")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Seed, measure in Chromium, print the table, write the JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes, a smoke run")
    ap.add_argument("--json", type=Path, help="where to write the results JSON")
    args = ap.parse_args(argv)
    reason = missing()
    if reason:
        print(f"cannot run the UI benchmark: {reason}")
        return 1
    size = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory(prefix="ardea-ui-bench-") as tmp:
        server, ids = seed(Path(tmp), size)
        try:
            measured = measure(server.base_url, ids, size)
        finally:
            server.stop()
    summary = summarize(measured)
    print_table(summary, size)
    target = args.json or HERE / "results" / f"ui-{time.strftime('%Y-%m-%dT%H%M%S')}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quick": args.quick,
        "sizes": size,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "figures": [f.__dict__ for f in FIGURES],
        "ardea": {k: v["value"] for k, v in summary.items()},
        "noise": summary,
        "samples": measured["samples"],
        "js": measured["js"],
    }
    target.write_text(json.dumps(doc, indent=2))
    print(f"results written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
