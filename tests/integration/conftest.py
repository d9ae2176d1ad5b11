"""A live ``ardea server`` subprocess for integration tests.

``live_server`` (per test) and ``live_server_module`` (per module) start
``ardea server --host 127.0.0.1 --port <free> --backend-store-uri sqlite:///<tmp>/ardea.db
--artifacts-destination <tmp>/artifacts`` and wait for ``/health``; ``live_server_factory``
starts more, with extra CLI options. The yielded :class:`LiveServer` has ``url``,
``data_dir``, ``proc``, ``stop()`` (graceful), ``kill()`` (SIGKILL) and ``restart()`` (same
port, same data).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parents[1]
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


HEALTH_TIMEOUT_S = 60.0


def _ardea_argv() -> list[str]:
    exe = Path(sys.executable).with_name("ardea")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ardea.cli.main"]


def _clean_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not (k.startswith("ARDEA_") or k.startswith("MLFLOW_"))
    }
    env["PYTHONUNBUFFERED"] = "1"
    return env


class LiveServer:
    """``ardea server`` in its own process group, on SQLite and a local artifact folder.

    Args:
        data_dir: Holds ``ardea.db``, ``artifacts/`` and ``server.log``.
        extra_args: More ``ardea server`` options.
        env: Variables added to the server's (otherwise ``ARDEA_*``-free) environment.
    """

    def __init__(
        self, data_dir: Path, extra_args: tuple[str, ...] = (), env: dict[str, str] | None = None
    ) -> None:
        self.env = dict(env or {})
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_path = data_dir / "ardea.db"
        self.artifacts_dir = data_dir / "artifacts"
        self.log_path = data_dir / "server.log"
        self.extra_args = extra_args
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def backend_store_uri(self) -> str:
        """The SQLite URI the server uses."""
        return f"sqlite:///{self.db_path}"

    def start(self) -> None:
        """Start the process and wait until ``/health`` answers OK."""
        argv = [
            *_ardea_argv(),
            "server",
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--backend-store-uri", self.backend_store_uri,
            "--artifacts-destination", str(self.artifacts_dir),
            *self.extra_args,
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                argv,
                cwd=self.data_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**_clean_env(), **self.env},
                start_new_session=True,
            )
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"ardea server exited with {self.proc.returncode}:\n{self.log_text()}"
                )
            with (
                contextlib.suppress(OSError, urllib.error.URLError),
                urllib.request.urlopen(f"{self.url}/health", timeout=2) as r,
            ):
                if r.status == 200 and r.read() == b"OK":
                    return
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"ardea server not healthy in {HEALTH_TIMEOUT_S}s:\n{self.log_text()}")

    def log_text(self) -> str:
        """The tail of the server's output."""
        return self.log_path.read_text(errors="replace")[-6000:]

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self.proc is not None and self.proc.poll() is None

    def _signal(self, sig: int) -> None:
        if self.running:
            assert self.proc is not None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)

    def stop(self, timeout: float = 15) -> None:
        """Graceful stop (SIGTERM), then SIGKILL if it does not exit in ``timeout`` seconds."""
        if self.proc is None:
            return
        self._signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL the process group: no shutdown hooks run."""
        if self.proc is None:
            return
        self._signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def restart(self) -> None:
        """Stop (gracefully if still running) and start again on the same port and data."""
        self.stop()
        self.start()


@pytest.fixture
def live_server_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., LiveServer]]:
    """Start servers with extra CLI options: ``live_server_factory("--workers", "2")``.

    ``env=`` adds variables to the server's environment.
    """
    servers: list[LiveServer] = []

    def make(*extra_args: str, env: dict[str, str] | None = None) -> LiveServer:
        server = LiveServer(tmp_path_factory.mktemp("ardea-server"), tuple(extra_args), env)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.kill()


@pytest.fixture
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A fresh server for one test."""
    server = LiveServer(tmp_path_factory.mktemp("ardea-server"))
    yield server
    server.kill()


@pytest.fixture(scope="module")
def live_server_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server shared by the tests of a module."""
    server = LiveServer(tmp_path_factory.mktemp("ardea-server"))
    yield server
    server.kill()


@pytest.fixture
def mlflow_env(live_server_module: LiveServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the real ``mlflow`` client (tracking and registry) at the module's server.

    No retries (a wrong answer fails at once), a generous timeout, no telemetry. Yields the
    server URL; afterwards the client's registry URI is reset.
    """
    import mlflow

    url = live_server_module.url
    for name, value in (
        ("MLFLOW_TRACKING_URI", url),
        ("MLFLOW_REGISTRY_URI", url),
        ("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0"),
        ("MLFLOW_HTTP_REQUEST_TIMEOUT", "60"),
        ("MLFLOW_DISABLE_TELEMETRY", "true"),
        ("DO_NOT_TRACK", "true"),
    ):
        monkeypatch.setenv(name, value)
    mlflow.set_tracking_uri(url)
    mlflow.set_registry_uri(url)
    yield url
    mlflow.set_registry_uri(None)
