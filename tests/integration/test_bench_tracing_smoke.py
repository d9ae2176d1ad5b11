"""The tracing benchmark still runs end to end (tiny sizes, Ardea only, no timing asserts)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

# Figures measured with the stock mlflow client, present only when it can be imported.
_CLIENT_KEYS = {"client_wall_s", "client_cpu_s"}


def _has_mlflow() -> bool:
    probe = subprocess.run([sys.executable, "-c", "import mlflow"], capture_output=True)
    return probe.returncode == 0


def test_bench_tracing_quick_prints_every_figure(tmp_path: Path) -> None:
    out_json = tmp_path / "tracing.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "tracing.py"), "--quick", "--ardea-only",
         "--json", str(out_json)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = json.loads(out_json.read_text())
    figures = doc["figures"]
    assert len(figures) >= 20
    rows = [line for line in proc.stdout.splitlines() if " | " in line]
    with_client = _has_mlflow()
    for fig in figures:
        assert any(row.startswith(fig["label"]) for row in rows), fig["label"]
        if fig["key"] in _CLIENT_KEYS and not with_client:
            continue
        assert fig["key"] in doc["ardea"], f"no Ardea figure for {fig['key']}"
    assert doc["mlflow"] == {}  # --ardea-only
    # No workload warned that data went missing (dropped spans, unsearchable traces, ...).
    assert "  ! " not in proc.stdout, proc.stdout[-3000:]
