"""The scale benchmarks still run end to end: tiny sizes, Ardea only, no timing asserts.

bench/scale.py (``--quick --section phases --ardea-only --skip-sqlite``), bench/scale_replicas.py
(1 and 2 replicas behind haproxy, half a second a phase) and bench/scale_data.py (on a database
bench/seed.py fills at 1/10,000 of the full size) each print every row of their table. They
need PostgreSQL (``ARDEA_TEST_POSTGRES_URI``; skipped with the reason without it, except under
``CI=true``), and the replicas one haproxy. What they create (databases, a schema) is dropped.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ardea.store.sql._db.engine import normalize_uri
from fixtures.replicas import haproxy_or_skip

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
SCALE_PHASES = (
    "runs created/s",
    "log-metric calls/s",
    "log-batch points/s",
    "history points/s",
    "search_runs/s (1000 rows)",
    "8 writers points/s",
    "stock client create_run/s",
    "stock client log_metric/s",
)


def _bench(script: str, *args: str, cwd: Path) -> str:
    """Run ``bench/<script>``; its stdout (the test fails with its output if it fails)."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def _server_uri(postgres_uri: str) -> str:
    """The PostgreSQL server of ``postgres_uri``, without a database."""
    return postgres_uri.split("?", 1)[0].rsplit("/", 1)[0]


def _drop_databases(postgres_uri: str, *names: str) -> None:
    engine = sa.create_engine(normalize_uri(postgres_uri), poolclass=sa.pool.NullPool)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for name in names:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def prefix(postgres_uri: str) -> Iterator[str]:
    """A name prefix for the databases a benchmark creates (dropped after the test)."""
    name = f"ardea_smoke_{uuid.uuid4().hex[:8]}"
    yield name
    _drop_databases(postgres_uri, f"{name}_ardea", f"{name}_mlflow", f"{name}_data")


def test_bench_scale_phases_prints_every_phase(
    postgres_uri: str, prefix: str, tmp_path: Path
) -> None:
    out_json = tmp_path / "scale.json"
    stdout = _bench(
        "scale.py", "--quick", "--section", "phases", "--ardea-only", "--skip-sqlite",
        "--postgres", _server_uri(postgres_uri), "--db-prefix", prefix, "--json", str(out_json),
        cwd=tmp_path,
    )  # fmt: skip
    rows = [line for line in stdout.splitlines() if " | " in line]
    for label in SCALE_PHASES:
        (row,) = [r for r in rows if r.startswith(label)]
        assert row.split(" | ")[1].strip() != "-", row  # Ardea's figure is there
    assert "machine noise" in stdout
    results = json.loads(out_json.read_text())["phases"]["results"]
    assert list(results) == ["ardea-pg"]


def test_bench_scale_replicas_prints_every_row(postgres_uri: str, tmp_path: Path) -> None:
    haproxy_or_skip()
    try:
        stdout = _bench(
            "scale_replicas.py", "--pg-uri", postgres_uri, "--replicas", "1,2",
            "--clients", "1", "--seconds", "0.5",
            cwd=tmp_path,
        )  # fmt: skip
    finally:
        engine = sa.create_engine(normalize_uri(postgres_uri), poolclass=sa.pool.NullPool)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS ardea_bench_replicas CASCADE"))
        engine.dispose()
    for count in (1, 2):
        assert f"{count} replica(s): log_batch " in stdout
        (row,) = [line for line in stdout.splitlines() if line.startswith(f"| {count} | ")]
        assert len(row.split(" | ")) == 6 and "nan" not in row, row


def test_bench_scale_data_prints_every_figure(
    postgres_uri: str, prefix: str, tmp_path: Path
) -> None:
    name = f"{prefix}_data"
    engine = sa.create_engine(normalize_uri(postgres_uri), poolclass=sa.pool.NullPool)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    uri = f"{_server_uri(postgres_uri)}/{name}"
    _bench("seed.py", uri, "--scale", "0.0001", cwd=tmp_path)
    out_json = tmp_path / "data.json"
    stdout = _bench(
        "scale_data.py", uri, "--scale", "0.0001", "--repeats", "2", "--pages", "2",
        "--json", str(out_json),
        cwd=tmp_path,
    )  # fmt: skip
    figures = json.loads(out_json.read_text())["figures"]
    assert len(figures) >= 20
    lines = stdout.splitlines()
    for figure in figures:
        assert any(line.startswith(f"  {figure}: ") for line in lines), figure
