"""The tracking benchmark still runs end to end (tiny sizes, Ardea only, no timing asserts)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_bench_tracking_quick_prints_every_figure(tmp_path: Path) -> None:
    out_json = tmp_path / "tracking.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "tracking.py"), "--quick", "--ardea-only",
         "--json", str(out_json)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = json.loads(out_json.read_text())
    figures = doc["figures"]
    assert len(figures) >= 20
    rows = [line for line in proc.stdout.splitlines() if " | " in line]
    for fig in figures:
        assert any(row.startswith(fig["label"]) for row in rows), fig["label"]
        assert fig["key"] in doc["ardea"], f"no Ardea figure for {fig['key']}"
    assert doc["ardea"]["writers_errors"] == 0
    assert "machine noise" in proc.stdout


def test_bench_registry_quick_prints_every_figure(tmp_path: Path) -> None:
    out_json = tmp_path / "registry.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "registry.py"), "--quick", "--ardea-only",
         "--json", str(out_json)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = json.loads(out_json.read_text())
    assert doc["problems"] == []  # every search answered what the seed implies
    rows = [line for line in proc.stdout.splitlines() if " | " in line]
    for fig in doc["figures"]:
        assert any(row.startswith(fig["label"]) for row in rows), fig["label"]
        assert fig["key"] in doc["ardea"], f"no Ardea figure for {fig['key']}"


def _ui_bench_missing() -> str:
    """Why bench/ui.py cannot run here ("" when it can), as tests/ui/conftest.py checks."""
    import importlib.util

    from ardea.server.static import DEFAULT_BUILD_DIR

    if not Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium is missing (apt-get install chromium; make test does it)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is missing (pip install -e '.[dev]')"
    if not (DEFAULT_BUILD_DIR / "index.html").is_file():
        return f"the web UI is not built in {DEFAULT_BUILD_DIR} (bash scripts/build-ui.sh)"
    return ""


def test_bench_ui_quick_prints_every_figure(tmp_path: Path) -> None:
    import os

    reason = _ui_bench_missing()
    if reason:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"bench/ui.py cannot run: {reason} -- under CI=true it must run")
        pytest.skip(f"bench/ui.py skipped: {reason}")
    out_json = tmp_path / "ui.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "ui.py"), "--quick", "--json", str(out_json)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = json.loads(out_json.read_text())
    rows = [line for line in proc.stdout.splitlines() if " | " in line]
    for fig in doc["figures"]:
        assert any(row.startswith(fig["label"]) for row in rows), fig["label"]
        assert doc["ardea"][fig["key"]] > 0, f"no figure for {fig['key']}"
    for key in ("runs_interactive_ms", "chart_drawn_ms", "trace_first_paint_ms"):
        assert len(doc["samples"][key]) == doc["sizes"]["repeats"]
    assert doc["js"]["first_page_js_files"] >= 1
    assert "machine noise" in proc.stdout


def test_bench_import_mlflow_quick_prints_every_figure(tmp_path: Path) -> None:
    """bench/import_mlflow.py --quick: an MLflow-written database imported twice, checked."""
    out_json = tmp_path / "import.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "import_mlflow.py"), "--quick",
         "--json", str(out_json)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = json.loads(out_json.read_text())
    assert doc["problems"] == []
    figures = doc["figures"]
    for key in ("runs_per_s", "points_per_s", "total_s_median", "second_import_s"):
        assert figures[key] > 0, key
    assert doc["report"]["counts"]["metric_points"]["in_ardea"] == doc["source"]["points"]
    assert len(doc["samples_s"]) == doc["sizes"]["repeats"]
    for label in ("runs/s", "metric points/s", "total time", "machine noise", "metric points"):
        assert label in proc.stdout, label


def test_bench_auth_quick_prints_every_figure(tmp_path: Path) -> None:
    out_json = tmp_path / "auth.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "auth.py"), "--quick", "--json", str(out_json)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = json.loads(out_json.read_text())
    assert set(doc["off"]) == set(doc["on"])
    assert doc["visible"]["reader_sees"] == doc["sizes"]["readable"]  # only what it may read
    assert doc["visible"]["admin_sees"] == doc["sizes"]["experiments"] + 1  # and Default
    for label in ("overhead with a token", "search_experiments", "log_batch", "search_runs"):
        assert label in proc.stdout, label


def test_bench_evaluate_quick_prints_every_figure(tmp_path: Path) -> None:
    out_json = tmp_path / "evaluate.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "evaluate.py"), "--quick", "--ardea-only",
         "--rows", "12", "--memory-rows", "20", "--json", str(out_json)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = json.loads(out_json.read_text())
    for c in (32, 128):
        assert doc[f"ardea_c{c}"]["provider_calls"] == 12 * 3
        assert doc[f"ardea_c{c}"]["errors"] == 0
    assert doc["cache"]["rerun"]["provider_calls"] == 0
    assert doc["cache"]["rerun"]["cache_hits"] == 12 * 3
    assert doc["memory"]["peak_mb"] > 0
    rows = [line for line in proc.stdout.splitlines() if " | " in line]
    assert len(rows) >= 5


def test_bench_integrations_quick_prints_every_figure(tmp_path: Path) -> None:
    out_json = tmp_path / "integrations.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "integrations.py"), "--ardea-only", "--calls", "5",
         "--rounds", "1", "--workloads", "openai", "langgraph", "--otlp-spans", "2000",
         "--paired-blocks", "2", "--paired-block-calls", "3", "--json", str(out_json)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = json.loads(out_json.read_text())
    for name in ("openai", "langgraph"):
        row = doc["autolog"][name]
        # Autolog was on: every call (5 timed + 30 warm-up) made a trace.
        assert row["ardea_traces"] == 35, row
        assert {"none_wall_us", "ardea_wall_added_us", "ardea_cpu_added_us"} <= set(row)
        paired = doc["paired"][name]["ardea"]
        # On in 2 blocks of 3 calls, plus the 30 warm-up calls: each made a trace; off made none.
        assert paired["traced_calls"] == 36, paired
        assert {"off_cpu_us", "added_cpu_us", "off_wall_us", "added_wall_us"} <= set(paired)
    assert doc["otlp"]["http_spans_per_s"] > 0 and doc["otlp"]["grpc_spans_per_s"] > 0
    assert "| openai |" in proc.stdout and "gRPC/HTTP" in proc.stdout
