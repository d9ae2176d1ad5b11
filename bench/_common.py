"""Helpers shared by the benchmarks: server processes, /proc readings, a lean REST client."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- bytecode --------------------------------------------------------------------------------


def compile_bytecode(python: str, *extra: Path) -> None:
    """Write ``.pyc`` files for ``python``'s site-packages (and ``extra`` source folders).

    Installed packages normally ship compiled (pip compiles on install, and Python caches on
    first import), but this machine sets ``PYTHONDONTWRITEBYTECODE=1`` and uv installs
    without compiling: every import would compile from source and import-time and start-up
    figures would measure the compiler. Compiling both venvs first measures what users get.
    """
    code = "import site, sys; print('\\n'.join(site.getsitepackages()))"
    paths = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    targets = [p for p in paths if Path(p).is_dir()] + [str(p) for p in extra]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [python, "-m", "compileall", "-q", "-j", "0", *targets],
        env=env,
        stdout=subprocess.DEVNULL,
        check=False,  # a package with a deliberately broken test file must not stop the run
    )


# --- /proc -------------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            kids.append(int(entry))
    return kids


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its live descendants."""
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(_children(p))
    return tree


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of the process tree (including reaped children)."""
    total = 0
    for p in process_tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[0] is state (field 3); utime, stime, cutime, cstime are fields 14-17.
        total += sum(int(x) for x in fields[11:15])
    return total / CLK_TCK


def tree_rss_mb(pid: int) -> float:
    """Sum of VmRSS over the process tree, in MiB (shared pages count once per process)."""
    kb = 0
    for p in process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    kb += int(line.split()[1])
        except OSError:
            continue
    return kb / 1024


# --- servers -----------------------------------------------------------------------------------


@dataclass
class Server:
    """A server process started in its own session, killed as a group on ``stop()``."""

    name: str
    argv: Sequence[str]
    port: int
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    cold_start_s: float = 0.0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 180.0) -> None:
        """Spawn and wait until ``GET /health`` answers 200; records ``cold_start_s``."""
        log = self.log_path.open("wb")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            list(self.argv),
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **self.env},
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2) as c:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited early; see {self.log_path}")
                with contextlib.suppress(httpx.HTTPError):
                    if c.get(f"{self.base_url}/health").status_code == 200:
                        self.cold_start_s = time.perf_counter() - t0
                        return
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"{self.name} did not become healthy in {timeout}s; see {self.log_path}")

    def stop(self) -> None:
        """SIGTERM the process group, then SIGKILL after a grace period."""
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=15)


# --- lean MLflow-wire client ------------------------------------------------------------------


class WireError(RuntimeError):
    """A non-2xx answer from a server."""


_JSON_HEADERS = {"content-type": "application/json"}


class Lean:
    """A keep-alive plain-HTTP client speaking MLflow's REST wire, nothing more.

    JSON calls go through one stdlib ``http.client`` connection (tens of microseconds a call,
    where ``httpx`` spends a few hundred): the client's own work should not hide the server's.
    ``http`` is an ``httpx.Client`` for the streaming and odd calls (artifacts, tracing).
    """

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=300)
        parsed = urllib.parse.urlsplit(base_url)
        self._host, self._port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self._conn = http.client.HTTPConnection(self._host, self._port, timeout=300)

    def close(self) -> None:
        self._conn.close()
        self.http.close()

    def _send(self, method: str, url: str, content: bytes | None) -> tuple[int, bytes]:
        headers = _JSON_HEADERS if content is not None else {}
        for attempt in (1, 2):
            try:
                self._conn.request(method, url, body=content, headers=headers)
                r = self._conn.getresponse()
                return r.status, r.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: reconnect once.
                self._conn.close()
                self._conn = http.client.HTTPConnection(self._host, self._port, timeout=300)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def call(
        self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        # orjson on both ends: the client's own JSON work should not hide the server's.
        content = None if body is None else orjson.dumps(body)
        url = f"/api/2.0/mlflow/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        status, data = self._send(method, url, content)
        if status >= 300:
            raise WireError(f"{method} {path} -> {status}: {data[:300]!r}")
        return orjson.loads(data) if data else {}

    def create_experiment(self, name: str) -> str:
        return str(self.call("POST", "experiments/create", {"name": name})["experiment_id"])

    def create_run(self, experiment_id: str) -> dict[str, Any]:
        body = {"experiment_id": experiment_id, "start_time": now_ms()}
        return self.call("POST", "runs/create", body)["run"]["info"]

    def log_metric(self, run_id: str, key: str, value: float, step: int = 0) -> None:
        body = {"run_id": run_id, "key": key, "value": value, "timestamp": now_ms(), "step": step}
        self.call("POST", "runs/log-metric", body)

    def log_batch(self, run_id: str, metrics: list[dict[str, Any]]) -> None:
        self.call("POST", "runs/log-batch", {"run_id": run_id, "metrics": metrics})

    def history(self, run_id: str, key: str, page_size: int = 25000) -> list[dict[str, Any]]:
        points: list[dict[str, Any]] = []
        token = None
        while True:
            params = {"run_id": run_id, "metric_key": key, "max_results": page_size}
            if token:
                params["page_token"] = token
            page = self.call("GET", "metrics/get-history", params=params)
            points.extend(page.get("metrics", []))
            token = page.get("next_page_token")
            if not token:
                return points

    def search_runs(self, experiment_id: str, **kw: Any) -> dict[str, Any]:
        return self.call("POST", "runs/search", {"experiment_ids": [experiment_id], **kw})

    def artifact_url(self, artifact_uri: str, name: str) -> str:
        """Proxied-artifact URL path for ``name`` under a ``mlflow-artifacts:`` URI."""
        rest = artifact_uri.split(":", 1)[1]
        if rest.startswith("//"):  # mlflow-artifacts://host:port/path
            rest = "/" + rest[2:].split("/", 1)[1]
        return f"/api/2.0/mlflow-artifacts/artifacts/{rest.strip('/')}/{name}"


def now_ms() -> int:
    """Wall-clock milliseconds."""
    return int(time.time() * 1000)


def metrics_batch(key: str, start_step: int, n: int) -> list[dict[str, Any]]:
    """``n`` metric points of ``key`` at consecutive steps."""
    ts = now_ms()
    return [
        {"key": key, "value": float(i) * 0.5, "timestamp": ts, "step": start_step + i}
        for i in range(n)
    ]


@contextlib.contextmanager
def cpu_meter(server: Server, out: dict[str, float], label: str) -> Iterator[None]:
    """Record the server tree's CPU seconds spent inside the block as ``out[label]``."""
    before = tree_cpu_seconds(server.pid)
    yield
    out[label] = tree_cpu_seconds(server.pid) - before
