"""Run MLflow's suites with pytest, one process per (server, suite), and collect results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlflow_compat.results import SuiteRun, parse_junit
from mlflow_compat.servers import ServerConfig, ServerKind

SCRIPTS = Path(__file__).resolve().parents[1]
REPO = SCRIPTS.parent
DEFAULT_SKIPLIST = SCRIPTS / "mlflow_suites_skip.txt"
DEFAULT_LATER = SCRIPTS / "mlflow_suites_later.txt"

# Test files of each suite, relative to the checkout (those missing in a checkout are noted).
SUITES: dict[str, tuple[str, ...]] = {
    "rest": ("tests/tracking/test_rest_tracking.py",),
    "registry": ("tests/tracking/test_model_registry.py",),
    "otlp": ("tests/tracing/test_otel_logging.py", "tests/tracing/test_otel_loading.py"),
    "webhooks": ("tests/tracking/test_client_webhooks.py",),
}
DEFAULT_SUITES = ("rest", "registry", "otlp", "webhooks")

# Set for the test process. One client retry instead of seven with exponential backoff: a
# server answering 5xx would otherwise cost minutes per call. The same for both servers.
_TEST_ENV = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1"}
# Unset for the test process: MLflow's conftest changes behaviour under CI (serving a wheel,
# reading PR labels), and an outer tracking URI must not leak in.
# PYTHONDONTWRITEBYTECODE: let the checkout's sources be compiled once, not at every import.
_DROP_ENV = (
    "CI", "GITHUB_ACTIONS", "MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "PYTHONDONTWRITEBYTECODE"
)  # fmt: skip


@dataclass
class RunOptions:
    """Everything one invocation needs (built by the CLI)."""

    checkout: Path
    test_python: Path
    out: Path
    suites: tuple[str, ...] = DEFAULT_SUITES
    servers: tuple[ServerKind, ...] = ("ardea", "mlflow")
    ardea_command: tuple[str, ...] = ()
    keyword: str | None = None
    timeout: int = 300
    suite_timeout: int = 4 * 3600
    skiplist: Path = DEFAULT_SKIPLIST
    pytest_args: list[str] = field(default_factory=list)
    keep_data: bool = False


def _server_config(opts: RunOptions, kind: ServerKind, workdir: Path) -> ServerConfig:
    command = opts.ardea_command if kind == "ardea" else (str(opts.test_python), "-m", "mlflow")
    base_env = {k: v for k, v in os.environ.items() if k not in _DROP_ENV}
    return ServerConfig(kind, tuple(command), str(workdir), str(opts.checkout), base_env,
                        opts.keep_data)  # fmt: skip


def run_suite(opts: RunOptions, suite: str, kind: ServerKind) -> SuiteRun:
    """Run one suite against one kind of server; returns its results (empty on a crash)."""
    files = [f for f in SUITES[suite] if (opts.checkout / f).is_file()]
    missing = sorted(set(SUITES[suite]) - set(files))
    status: dict[str, Any] = {
        "suite": suite,
        "server": kind,
        "exit_code": None,
        "seconds": 0.0,
        "note": f"missing in checkout: {', '.join(missing)}" if missing else "",
        "keyword": opts.keyword,
    }
    tag = f"{kind}-{suite}"
    if files:
        _run_pytest(opts, suite, kind, files, status)
    (opts.out / f"status-{tag}.json").write_text(json.dumps(status, indent=1), encoding="utf-8")
    run = collect_suite(opts.out, tag)
    print(f"[{tag}] {_summary(run)} in {run.seconds:.0f}s", flush=True)
    return run


def _run_pytest(
    opts: RunOptions, suite: str, kind: ServerKind, files: list[str], status: dict[str, Any]
) -> None:
    """One pytest process; fills ``status`` (exit code, seconds, a note on a timeout)."""
    tag = f"{kind}-{suite}"
    workdir = opts.out / "servers" / tag
    junit, deselected = opts.out / f"junit-{tag}.xml", opts.out / f"deselected-{tag}.json"
    config = opts.out / f"config-{tag}.json"
    settings = {
        "server": json.loads(_server_config(opts, kind, workdir).to_json()),
        "skiplist": str(opts.skiplist),
        "deselected": str(deselected),
    }
    config.write_text(json.dumps(settings, indent=1), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in _DROP_ENV}
    env.update(_TEST_ENV)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SCRIPTS), env.get("PYTHONPATH")]))
    env["ARDEA_MLFLOW_SUITES_CONFIG"] = str(config)
    argv = [
        str(opts.test_python), "-m", "pytest", *files,
        "-p", "mlflow_compat.plugin", "-p", "no:cacheprovider",
        "--junitxml", str(junit), "--timeout", str(opts.timeout), "--color=no",
    ]  # fmt: skip
    if opts.keyword:
        argv += ["-k", opts.keyword]
    argv += opts.pytest_args
    log = opts.out / f"pytest-{tag}.log"
    print(f"[{tag}] pytest {' '.join(files)} (log: {log})", flush=True)
    t0 = time.monotonic()
    with log.open("wb") as f:
        try:
            done = subprocess.run(argv, cwd=opts.checkout, env=env, stdout=f,
                                  stderr=subprocess.STDOUT, timeout=opts.suite_timeout)  # fmt: skip
            status["exit_code"] = done.returncode
        except subprocess.TimeoutExpired:  # subprocess.run has killed it with SIGKILL
            status["exit_code"] = -9
            status["note"] = f"pytest killed after {opts.suite_timeout}s"
    status["seconds"] = round(time.monotonic() - t0, 1)


def collect_suite(out: Path, tag: str) -> SuiteRun:
    """The run ``<server>-<suite>`` from the files it left in the run folder ``out``.

    Reads ``status-<tag>.json`` (exit code, seconds, note; absent for runs older than it),
    ``junit-<tag>.xml`` and ``deselected-<tag>.json``.
    """
    kind, _, suite = tag.partition("-")
    status_path = out / f"status-{tag}.json"
    status = json.loads(status_path.read_text(encoding="utf-8")) if status_path.is_file() else {}
    run = SuiteRun(suite, kind, exit_code=status.get("exit_code"), note=status.get("note", ""))
    run.seconds = float(status.get("seconds", 0.0))
    junit, deselected = out / f"junit-{tag}.xml", out / f"deselected-{tag}.json"
    if junit.is_file():
        run.results = parse_junit(junit)
        if not status_path.is_file():
            run.seconds = sum(r.seconds for r in run.results.values())
    if deselected.is_file():
        data = json.loads(deselected.read_text(encoding="utf-8"))
        run.deselected = data["deselected"]
        run.unused_patterns = [] if status.get("keyword") else data["unused_patterns"]
    return run


def collect_folder(out: Path) -> list[SuiteRun]:
    """Every run a run folder holds (one per ``junit-*.xml`` or ``status-*.json``)."""
    tags = {p.stem.split("-", 1)[1] for p in out.glob("junit-*.xml")}
    tags |= {p.stem.split("-", 1)[1] for p in out.glob("status-*.json")}
    order = {s: i for i, s in enumerate(SUITES)}
    key = [(t.partition("-")[0], order.get(t.partition("-")[2], len(order)), t) for t in tags]
    return [collect_suite(out, t) for *_, t in sorted(key)]


def _summary(run: SuiteRun) -> str:
    counts = run.counts()
    text = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    if run.crashed:
        text += f" (pytest exit code {run.exit_code})"
    if run.note:
        text += f" ({run.note})"
    return text or "nothing ran"


def run_all(opts: RunOptions) -> list[SuiteRun]:
    """Every selected suite against every selected server, one after the other."""
    opts.out.mkdir(parents=True, exist_ok=True)
    runs = []
    for kind in opts.servers:
        for suite in opts.suites:
            runs.append(run_suite(opts, suite, kind))
    return runs


def ardea_command() -> tuple[str, ...]:
    """``ardea`` next to this interpreter (the repo's .venv), else the repo's .venv."""
    for candidate in (Path(sys.executable).parent / "ardea", REPO / ".venv" / "bin" / "ardea"):
        if candidate.is_file():
            return (str(candidate),)
    raise FileNotFoundError("no ardea executable: run `make install` (it creates .venv)")
