"""The online scorer loop in a process of its own: the server's side.

Scoring a trace costs the server far more than ingesting it did: claiming the row, reading the
trace, rendering the judge's prompt, the provider call and its JSON, storing the assessment.
In the server process all of that holds the Python lock the ingest path needs, so under load
ingest slowed by a third with scoring on. So a server whose database another process can open
runs the loop in a child, ``python -m ardea.server.online_worker``, that opens the same database
and claims, judges and completes rows there, at a CPU priority below the server's: when both
want the CPU, ingest wins, the backlog grows, and the stores degrade the sample rate (never the
ingest path). ``ARDEA_ONLINE_SCORING_LOOP=server`` keeps the loop in the server process; an
in-memory SQLite database always does.

The protocol, on the child's stdin only: the :class:`LoopSpec` as one frame (the database URI
and its password on the pipe, never in ``argv``), then single bytes, each a wake-up (rows were
stored in this process: claim now rather than at the next poll). The end of its input stops
the child: it gives back the rows it holds and exits; so does a parent's death. The child is
started when there is work (rows stored here, or a backlog found at a check) and started again
when it dies, after a back-off that doubles (1 s up to a minute) while it keeps dying young.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from ardea._core.env import ARDEA_ONLINE_SCORING_LOOP
from ardea._core.errors import InvalidArgumentError
from ardea.gateway.trace_process import write_frame

__all__ = ["LoopProcess", "LoopSpec", "loop_spec_for"]

_log = logging.getLogger(__name__)

_FIRST_BACKOFF_S = 1.0
_MAX_BACKOFF_S = 60.0
_YOUNG_S = 10.0  # a child that dies younger than this doubles the back-off


@dataclass(frozen=True)
class LoopSpec:
    """How the scorer process opens the store.

    Attributes:
        uri: The SQL database URI (a file or server database; never an in-memory one).
        artifacts_destination: The backend's artifacts destination ("" for the default).
        sqlite_synchronous: SQLite's ``synchronous`` mode ("" reads the environment).
    """

    uri: str
    artifacts_destination: str = ""
    sqlite_synchronous: str = ""

    def __repr__(self) -> str:
        from ardea.store.uri import redact_uri

        return f"LoopSpec({redact_uri(self.uri)!r})"


def loop_spec_for(
    uri: str, *, artifacts_destination: str = "", sqlite_synchronous: str = ""
) -> LoopSpec | None:
    """The scorer process's spec for the database at ``uri``, or None to score in-process.

    None when ``ARDEA_ONLINE_SCORING_LOOP`` is ``server`` and when another process cannot
    open the database (an in-memory SQLite one, a tracking server).

    Raises:
        InvalidArgumentError: ``ARDEA_ONLINE_SCORING_LOOP`` is neither ``process`` nor
            ``server``.
    """
    from ardea.store.uri import shared_database

    mode = (os.environ.get(ARDEA_ONLINE_SCORING_LOOP) or "process").strip().lower()
    if mode not in ("process", "server"):
        raise InvalidArgumentError(
            f"Invalid {ARDEA_ONLINE_SCORING_LOOP}={mode!r}: use 'process' or 'server'"
        )
    if mode == "server" or not shared_database(uri):
        return None
    return LoopSpec(uri, artifacts_destination, sqlite_synchronous)


class LoopProcess:
    """Starts, wakes, restarts and stops the scorer process (see the module docstring).

    Args:
        spec: How the child opens the store.
    """

    def __init__(self, spec: LoopSpec) -> None:
        self.spec = spec
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._started_at = 0.0
        self._backoff = _FIRST_BACKOFF_S
        self._not_before = 0.0
        self._stopping = False
        self.starts = 0

    @property
    def pid(self) -> int | None:
        """The running child's process id, or None."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    @property
    def alive(self) -> bool:
        """Whether a child is running."""
        return self.pid is not None

    def ensure_started(self) -> bool:
        """Start a child unless one runs, the back-off holds, or :meth:`stop` was called.

        Returns:
            Whether a child runs now.
        """
        with self._lock:
            if self._stopping:
                return False
            proc = self._proc
            if proc is not None and proc.poll() is None:
                return True
            now = time.monotonic()
            if proc is not None:  # it died: log once, back off while it keeps dying young
                _log.warning("The online scorer process exited with status %s", proc.returncode)
                self._close(proc)
                self._proc = None
                young = now - self._started_at < _YOUNG_S
                self._backoff = min(_MAX_BACKOFF_S, self._backoff * 2) if young else 1.0
                self._not_before = now + self._backoff
            if now < self._not_before:
                return False
            try:
                self._proc = self._spawn()
            except OSError as exc:
                _log.warning("The online scorer process could not start: %s", exc)
                self._not_before = now + self._backoff
                return False
            self._started_at = now
            self.starts += 1
            return True

    def _spawn(self) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ardea.server.online_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            close_fds=True,
        )
        assert proc.stdin is not None
        try:
            write_frame(proc.stdin, self.spec)
        except OSError:
            proc.kill()
            proc.wait()
            raise
        os.set_blocking(proc.stdin.fileno(), False)  # a wake-up never blocks its caller
        return proc

    def wake(self) -> None:
        """Tell the child to claim now (starting it if needed); never blocks, never raises."""
        if not self.ensure_started():
            return
        proc = self._proc
        if proc is None or proc.stdin is None:
            return
        with contextlib.suppress(OSError, ValueError):  # a full pipe: it is awake already
            os.write(proc.stdin.fileno(), b"\x01")

    def stop(self, timeout: float = 10.0) -> None:
        """End the child's input and wait for it to give back its rows (then kill it)."""
        with self._lock:
            self._stopping = True
            proc, self._proc = self._proc, None
        if proc is None:
            return
        self._close(proc)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            _log.warning("The online scorer process did not stop in %.0f s; killed", timeout)
            proc.kill()
            proc.wait()

    @staticmethod
    def _close(proc: subprocess.Popen[bytes]) -> None:
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()
