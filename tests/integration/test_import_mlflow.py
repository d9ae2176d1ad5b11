"""``ardea import mlflow`` from a database and a server written by the real mlflow 3.17.

One MLflow 3.17.2 server (``bench/.venv-mlflow``) is filled per module by
``tests/fixtures/mlflow_source_workload.py``: experiments (one deleted), runs (one deleted,
one nested) with metric histories, params, tags, a dataset input and artifacts, a logged
model registered as two versions with aliases, traces with spans and assessments, a prompt
with two versions and an alias, a webhook. The real CLI imports it into fresh Ardea SQLite
folders; then the stock ``mlflow`` client reads the same things from the MLflow server and
from an ``ardea server`` on the import, and they must agree.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fixtures.mlflow_source import (
    BENCH,
    SECRET_KEY,
    MlflowSourceServer,
    mlflow_source_server,
    mlflow_venv,
)
from integration.conftest import LiveServer

mlflow = pytest.importorskip("mlflow")
from mlflow.entities import ViewType  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

pytestmark = pytest.mark.slow

KEYS = (
    "experiment", "run", "metric_points", "dataset_inputs", "logged_model", "trace", "spans",
    "assessments", "registered_model", "model_versions", "aliases", "webhook",
)  # fmt: skip
EXPECTED = {
    "experiment": 3, "run": 4, "metric_points": 104, "dataset_inputs": 1, "logged_model": 1,
    "trace": 2, "spans": 6, "assessments": 2, "registered_model": 2, "model_versions": 4,
    "aliases": 3, "webhook": 1,
}  # fmt: skip


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowSourceServer]:
    with mlflow_source_server(tmp_path_factory.mktemp("mlflow-source")) as src:
        yield src


def ardea_import(
    *args: str, report: Path, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Run the real CLI; returns the process and its JSON report."""
    exe = Path(sys.executable).with_name("ardea")
    argv = [str(exe)] if exe.exists() else [sys.executable, "-m", "ardea.cli.main"]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ARDEA_", "MLFLOW_"))}
    proc = subprocess.run(
        [*argv, "import", "mlflow", *args, "--report-json", str(report)],
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        timeout=600,
    )
    doc = json.loads(report.read_text()) if report.exists() else {}
    return proc, doc


def from_db(source: MlflowSourceServer, dest: Path, report: Path) -> tuple[Any, dict[str, Any]]:
    return ardea_import(
        "--from", source.db_uri, "--artifacts", str(source.artifacts), "--to", str(dest),
        report=report, env={"MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY": SECRET_KEY},
    )  # fmt: skip


def counts(doc: dict[str, Any], column: str) -> dict[str, int]:
    return {k: doc["counts"][k][column] for k in KEYS}


# --- what the stock mlflow client sees --------------------------------------------------------


def _value(v: float) -> Any:
    return "NaN" if isinstance(v, float) and math.isnan(v) else v


def snapshot(url: str) -> dict[str, Any]:
    """Everything the import should carry, as the stock mlflow client reads it from ``url``."""
    c = MlflowClient(tracking_uri=url, registry_uri=url)
    out: dict[str, Any] = {}
    exps = c.search_experiments(view_type=ViewType.ALL)
    out["experiments"] = sorted(
        (e.name, e.lifecycle_stage, e.creation_time if e.name != "Default" else 0,
         tuple(sorted(e.tags.items())))
        for e in exps
    )  # fmt: skip
    runs = c.search_runs([e.experiment_id for e in exps], run_view_type=ViewType.ALL)
    out["runs"] = {}
    for r in runs:
        i = r.info
        history = {
            key: sorted(
                (m.step, m.timestamp, _value(m.value)) for m in c.get_metric_history(i.run_id, key)
            )
            for key in r.data.metrics
        }
        out["runs"][i.run_id] = {
            "info": (i.run_name, i.status, i.start_time, i.end_time, i.lifecycle_stage, i.user_id),
            "experiment": next(e.name for e in exps if e.experiment_id == i.experiment_id),
            "params": r.data.params,
            "tags": r.data.tags,
            "latest": {k: _value(v) for k, v in r.data.metrics.items()},
            "history": history,
            "datasets": sorted(
                (
                    d.dataset.name,
                    d.dataset.digest,
                    d.dataset.source_type,
                    d.dataset.profile,
                    tuple(sorted((t.key, t.value) for t in d.tags)),
                )
                for d in r.inputs.dataset_inputs
            ),
            "outputs": sorted((o.model_id, o.step) for o in (r.outputs.model_outputs or [])),
            "artifacts": _artifacts(c, i.run_id) if i.lifecycle_stage == "active" else None,
        }
    model = c.get_logged_model(_only_model(out))
    out["logged_model"] = {
        "info": (model.name, model.status, model.source_run_id, model.creation_timestamp),
        "tags": {k: v for k, v in model.tags.items() if k != "mlflow.modelVersions"},
        "params": model.params,
        # MLflow's logged_model_metrics table has no is_nan column: a NaN reads back as 0.0
        # from MLflow; Ardea keeps the NaN that was logged.
        "metrics": sorted(
            (m.key, m.step, m.timestamp, 0.0 if math.isnan(m.value) else m.value)
            for m in model.metrics
        ),
    }
    traces = c.search_traces(locations=[e.experiment_id for e in exps if e.name == "imp-train"])
    out["traces"] = {}
    for t in traces:
        full = c.get_trace(t.info.trace_id)
        out["traces"][t.info.trace_id] = {
            "info": (t.info.state, t.info.request_time, t.info.request_preview,
                     t.info.response_preview),
            "tags": {k: v for k, v in t.info.tags.items() if k != "mlflow.artifactLocation"},
            "spans": sorted(
                (s.name, s.span_type, s.status.status_code, s.start_time_ns, s.end_time_ns,
                 s.parent_id is None, json.dumps(s.inputs, sort_keys=True),
                 json.dumps(s.outputs, sort_keys=True))
                for s in full.data.spans
            ),
            "assessments": sorted(
                (a.assessment_id, a.name, json.dumps(getattr(a, "value", None), sort_keys=True),
                 a.source.source_type, a.source.source_id, a.rationale, a.create_time_ms)
                for a in c.get_trace(t.info.trace_id).info.assessments
            ),
        }  # fmt: skip
    out["models"] = _registry(c, None)
    out["prompts"] = _registry(c, "tags.`mlflow.prompt.is_prompt` = 'true'")
    prompt = c.load_prompt("prompts:/imp-greeting@production")
    out["prompt_production"] = (prompt.version, prompt.template)
    out["webhooks"] = sorted(
        (w.name, w.url, w.description, tuple(sorted(str(e) for e in w.events)))
        for w in c.list_webhooks()
    )
    return out


def _only_model(out: dict[str, Any]) -> str:
    (model_id,) = {m for r in out["runs"].values() for m, _ in r["outputs"]}
    return str(model_id)


def _artifacts(c: MlflowClient, run_id: str, path: str | None = None) -> list[Any]:
    found = []
    for f in c.list_artifacts(run_id, path):
        if f.is_dir:
            found += _artifacts(c, run_id, f.path)
        else:
            found.append((f.path, f.file_size))
    return sorted(found)


def _registry(c: MlflowClient, flt: str | None) -> dict[str, Any]:
    out = {}
    for m in c.search_registered_models(filter_string=flt):
        vflt = f"name = '{m.name}'" + (f" AND {flt}" if flt else "")
        versions = c.search_model_versions(vflt)
        out[m.name] = {
            "info": (m.description, m.creation_timestamp, m.last_updated_timestamp),
            "tags": m.tags,
            "aliases": dict(sorted(m.aliases.items())),
            "versions": sorted(
                (
                    v.version,
                    v.source,
                    v.run_id or None,
                    v.status,
                    v.current_stage,
                    v.description,
                    v.creation_timestamp,
                    tuple(sorted(v.tags.items())),
                )
                for v in versions
            ),
        }
    return out


def compare_with_ardea(source: MlflowSourceServer, data_dir: Path) -> dict[str, Any]:
    """Snapshot the MLflow server and an ``ardea server`` on ``data_dir``; they must agree."""
    expected = snapshot(source.url)
    server = LiveServer(data_dir)
    try:
        got = snapshot(server.url)
    finally:
        server.stop()
    for key in expected:
        assert got[key] == expected[key], key
    return expected


# --- tests --------------------------------------------------------------------------------------


def test_import_from_the_database_round_trips(source: MlflowSourceServer, tmp_path: Path) -> None:
    dest = tmp_path / "ardea"
    proc, doc = from_db(source, dest, tmp_path / "report.json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert doc["ok"], proc.stdout
    assert counts(doc, "source") == EXPECTED
    assert counts(doc, "imported") == {
        **EXPECTED, "experiment": 2,  # "Default" is there already: merged, not imported
    }  # fmt: skip
    assert counts(doc, "in_ardea") == EXPECTED
    assert "experiments:" in proc.stderr  # progress on stderr, report on stdout
    assert "metric points" in proc.stdout

    seen = compare_with_ardea(source, dest)
    run_id = source.made["runs"]["main"]
    assert seen["runs"][run_id]["artifacts"] == [
        ("cfg/config.json", 39), ("data/blob.bin", 3 * 1024 * 1024 + 17),
        ("notes/hello.txt", 12),
    ]  # fmt: skip
    assert len(seen["runs"][run_id]["history"]["loss"]) == 50
    # Byte for byte: every file of runs, models and traces under the MLflow artifact root.
    assert _files(dest / "artifacts") == _files(source.artifacts)

    from ardea.store.resolve import open_backend

    backend = open_backend(str(dest))
    try:
        target = backend.webhooks.get_target(source.made["webhook"])
        assert target.secret == "s3cret-value"  # decrypted with MLflow's key, re-encrypted
        hook = backend.webhooks.get_webhook(source.made["webhook"])
        assert hook.status == "ACTIVE"
        run = backend.tracking.get_run(run_id)
        assert run.info.artifact_uri == f"mlflow-artifacts:/1/{run_id}/artifacts"
        doomed = backend.tracking.get_run(source.made["runs"]["doomed"])
        assert doomed.info.lifecycle_stage == "deleted"
        version = backend.registry.get_model_version("imp-classifier", 1)
        assert version.model_id == source.made["model_id"]
    finally:
        backend.close()


def _files(root: Path) -> dict[str, str]:
    """Every file under ``root`` (empty folders do not count) with its SHA-256."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def test_import_from_a_running_server_round_trips(
    source: MlflowSourceServer, tmp_path: Path
) -> None:
    dest = tmp_path / "ardea"
    proc, doc = ardea_import(
        "--from", source.url, "--to", str(dest), report=tmp_path / "report.json"
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert doc["ok"], proc.stdout
    assert counts(doc, "source") == EXPECTED
    assert counts(doc, "in_ardea") == EXPECTED
    compare_with_ardea(source, dest)
    assert _files(dest / "artifacts") == _files(source.artifacts)

    from ardea.store.resolve import open_backend

    backend = open_backend(str(dest))
    try:  # MLflow never hands a webhook's secret out over REST
        assert backend.webhooks.get_webhook(source.made["webhook"]).status == "DISABLED"
        assert backend.webhooks.get_target(source.made["webhook"]).secret is None
    finally:
        backend.close()
    assert "webhook secrets could not be read" in proc.stdout


def _table_counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_a_second_import_writes_nothing(source: MlflowSourceServer, tmp_path: Path) -> None:
    dest = tmp_path / "ardea"
    proc, _ = from_db(source, dest, tmp_path / "first.json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    before = _table_counts(dest / "ardea.db")
    proc, doc = from_db(source, dest, tmp_path / "second.json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert all(v == 0 for v in counts(doc, "imported").values()), proc.stdout
    assert counts(doc, "in_ardea") == EXPECTED
    assert doc["counts"]["run"]["already_there"] == 4
    assert _table_counts(dest / "ardea.db") == before
    # The REST source of the same data finds the same ids: nothing doubled either.
    proc, doc = ardea_import("--from", source.url, "--to", str(dest), report=tmp_path / "r.json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert doc["ok"]
    units = ("experiment", "run", "logged_model", "trace", "registered_model", "webhook")
    assert {k: counts(doc, "in_ardea")[k] for k in units} == {k: EXPECTED[k] for k in units}
    assert counts(doc, "imported")["run"] == 0  # every run id was there already
    after = _table_counts(dest / "ardea.db")
    ledger = after.pop("import_ledger") - before.pop("import_ledger")
    assert after == before and ledger == 13  # only the REST source's own ledger rows


def test_dry_run_writes_nothing(source: MlflowSourceServer, tmp_path: Path) -> None:
    dest = tmp_path / "ardea"
    proc, doc = ardea_import(
        "--from", source.db_uri, "--to", str(dest), "--dry-run", report=tmp_path / "r.json"
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert doc["dry_run"] and doc["counts"]["run"]["imported"] == 4
    counts_after = _table_counts(dest / "ardea.db")
    assert counts_after["runs"] == 0 and counts_after["import_ledger"] == 0


def test_only_the_chosen_experiments(source: MlflowSourceServer, tmp_path: Path) -> None:
    dest = tmp_path / "ardea"
    gone = source.made["experiments"]["gone"]
    proc, doc = ardea_import(
        "--from", source.db_uri, "--to", str(dest), "--experiments", gone,
        report=tmp_path / "r.json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert doc["counts"]["experiment"]["source"] == 1
    assert doc["counts"]["run"]["in_ardea"] == 1
    assert doc["counts"]["metric_points"]["in_ardea"] == 1


def test_an_interrupted_import_resumes(tmp_path: Path) -> None:
    """SIGKILL the import midway; the rerun finishes it, and nothing is there twice."""
    venv = mlflow_venv()
    db = tmp_path / "big.db"
    runs, points = 200, 400_000
    seed = subprocess.run(
        [str(venv / "bin" / "python"), str(BENCH / "_mlflow_seed.py"), f"sqlite:///{db}",
         str(runs), str(points)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert seed.returncode == 0, seed.stderr[-3000:]
    dest = tmp_path / "ardea"
    exe = Path(sys.executable).with_name("ardea")
    cli = [str(exe)] if exe.exists() else [sys.executable, "-m", "ardea.cli.main"]
    argv = [*cli, "import", "mlflow", "--from", f"sqlite:///{db}", "--to", str(dest)]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done_before = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        done_before = _ledgered_runs(dest / "ardea.db")
        if done_before >= 20:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the import finished before it could be killed"
    done_before = _ledgered_runs(dest / "ardea.db")
    assert 20 <= done_before < runs

    again, doc = ardea_import(
        "--from", f"sqlite:///{db}", "--to", str(dest), report=tmp_path / "r.json"
    )  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr
    c = doc["counts"]
    assert c["run"]["already_there"] == done_before
    assert c["run"]["imported"] == runs - done_before
    assert c["run"]["in_ardea"] == runs and c["metric_points"]["in_ardea"] == points
    with sqlite3.connect(dest / "ardea.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM metrics").fetchone()[0] == points
        assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == runs


def _ledgered_runs(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            row = conn.execute("SELECT COUNT(*) FROM import_ledger WHERE kind = 'run'").fetchone()
            return int(row[0])
    except sqlite3.Error:
        return 0
