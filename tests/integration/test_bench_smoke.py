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
