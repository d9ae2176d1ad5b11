"""Start and stop one ``ardea server`` or ``mlflow server`` on a fresh folder and port.

Both servers get the same treatment: a new SQLite database, a new artifacts folder, a free
port on 127.0.0.1, one worker, the caller's working directory (a relative artifact location
resolves against it, as it does for MLflow's in-process test server), and the default
artifact root the MLflow fixture asked for. Standard library only: the pytest plugin imports
this module inside MLflow's test venv.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

ServerKind = Literal["ardea", "mlflow"]

# The in-process test server that MLflow's fixtures start runs no job runner (`mlflow server`
# would spawn huey workers for online scoring and the like); the external one should not either.
_MLFLOW_SERVER_ENV = {"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
# Creates and migrates an MLflow database as MLflow's `cached_db` test fixture does.
_MAKE_MLFLOW_DB = (
    "import sys; from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore; "
    "SqlAlchemyStore(sys.argv[1], sys.argv[2]).engine.dispose()"
)
# Variables of the calling (pytest) process that must not leak into a server process.
# PYTHONDONTWRITEBYTECODE (set on some machines): a server starts for every test, and
# without cached bytecode each start compiles mlflow's sources again (~10 s instead of ~3 s).
_DROP_ENV = (
    "PYTHONPATH", "VIRTUAL_ENV", "PYTEST_CURRENT_TEST", "PYTEST_ADDOPTS", "PYTHONDONTWRITEBYTECODE"
)  # fmt: skip


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class ServerConfig:
    """How to start one kind of server; serialized to JSON for the pytest plugin.

    Attributes:
        kind: ``ardea`` or ``mlflow``.
        command: argv prefix that runs the server CLI, e.g. ``[".venv/bin/ardea"]`` or
            ``["<test venv>/bin/python", "-m", "mlflow"]``; ``server ...`` is appended.
        workdir: folder under which each server gets its own numbered folder.
        cwd: working directory of the server processes.
        base_env: environment of the server processes (before per-test additions).
        keep_data: keep each server's database and artifacts after it stops (logs are
            always kept).
    """

    kind: ServerKind
    command: tuple[str, ...]
    workdir: str
    cwd: str
    base_env: dict[str, str] = field(default_factory=dict)
    keep_data: bool = False

    def to_json(self) -> str:
        """JSON for :meth:`from_json`."""
        return json.dumps({**self.__dict__, "command": list(self.command)})

    @classmethod
    def from_json(cls, text: str) -> ServerConfig:
        """Inverse of :meth:`to_json`."""
        data = json.loads(text)
        data["command"] = tuple(data["command"])
        return cls(**data)


@dataclass
class RunningServer:
    """A server process started in its own session; :meth:`stop` kills the whole group."""

    kind: ServerKind
    url: str
    folder: Path
    log_path: Path
    proc: subprocess.Popen[bytes]
    start_seconds: float
    keep_data: bool = False

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL after 15 s; then drop the data (not the log)."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
        if not self.keep_data:
            for child in self.folder.iterdir():
                if child != self.log_path:
                    if child.is_dir():
                        shutil.rmtree(child, ignore_errors=True)
                    else:
                        child.unlink(missing_ok=True)


class ServerLauncher:
    """Starts servers of one :class:`ServerConfig`, each in ``<workdir>/<n>-<kind>/``."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self._count = 0
        self._template: Path | None = None

    def _mlflow_template(self) -> Path:
        """An MLflow database migrated once, copied for each server.

        Running MLflow's ~100 migrations at every server start would cost seconds per test
        (MLflow's own ``cached_db`` fixture does the same). The template is made as that
        fixture makes it, by opening MLflow's ``SqlAlchemyStore`` on it, and then loses the
        Default experiment that this creates, so that each server creates its own with its
        own artifact root, as a server started on an empty database does.
        """
        if self._template is None:
            python, *module = self.config.command
            if module != ["-m", "mlflow"]:
                raise ValueError(f"mlflow command must be `python -m mlflow`: {module}")
            path = Path(self.config.workdir) / "template" / "mlflow.db"
            path.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [python, "-c", _MAKE_MLFLOW_DB, f"sqlite:///{path}", str(path.parent)],
                env=self._env({}),
                cwd=self.config.cwd,
                check=True,
                capture_output=True,
            )
            with contextlib.closing(sqlite3.connect(path)) as db, db:
                db.execute("DELETE FROM experiments")
            self._template = path
        return self._template

    def _env(self, extra: dict[str, str]) -> dict[str, str]:
        env = {k: v for k, v in self.config.base_env.items() if k not in _DROP_ENV}
        if self.config.kind == "mlflow":
            env.update(_MLFLOW_SERVER_ENV)
        env.update(extra)
        return env

    def argv(self, folder: Path, port: int, default_artifact_root: str | None) -> list[str]:
        """The server command line for a server living in ``folder``."""
        db = folder / f"{self.config.kind}.db"
        argv = [
            *self.config.command, "server", "--host", "127.0.0.1", "--port", str(port),
            "--backend-store-uri", f"sqlite:///{db}",
            "--artifacts-destination", str(folder / "artifacts"), "--workers", "1",
        ]  # fmt: skip
        if default_artifact_root:
            argv += ["--default-artifact-root", default_artifact_root]
        if self.config.kind == "ardea":
            # MLflow serves artifact locations anywhere; Ardea only inside roots it is given.
            # The tests create experiments at relative locations, which both servers resolve
            # against their working directory, so that directory is such a root here.
            argv += ["--allow-artifact-root", self.config.cwd]
        return argv

    def start(
        self,
        default_artifact_root: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 120.0,
    ) -> RunningServer:
        """Start a new server and wait until ``GET /health`` answers 200.

        Args:
            default_artifact_root: ``--default-artifact-root``; None keeps the server's
                default (``mlflow-artifacts:/``, proxied).
            env: extra environment variables for this server (e.g. a KEK passphrase).
            timeout: seconds to wait for health.

        Raises:
            RuntimeError: the server exited or did not become healthy; the message names
                its log file.
        """
        self._count += 1
        folder = Path(self.config.workdir) / f"{self._count:04d}-{self.config.kind}"
        folder.mkdir(parents=True, exist_ok=True)
        if self.config.kind == "mlflow":
            shutil.copyfile(self._mlflow_template(), folder / "mlflow.db")
        port = free_port()
        log_path = folder / "server.log"
        t0 = time.monotonic()
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                self.argv(folder, port, default_artifact_root),
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self._env(env or {}),
                cwd=self.config.cwd,
                start_new_session=True,
            )
        server = RunningServer(
            self.config.kind,
            f"http://127.0.0.1:{port}",
            folder,
            log_path,
            proc,
            0.0,
            self.config.keep_data,
        )
        if not _wait_healthy(server, timeout):
            server.stop()
            raise RuntimeError(f"{self.config.kind} server did not start; see {log_path}")
        server.start_seconds = time.monotonic() - t0
        return server


def _wait_healthy(server: RunningServer, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{server.url}/health", timeout=2) as r:
                if r.status == 200:
                    return True
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.05)
    return False
