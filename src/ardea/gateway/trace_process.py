"""The gateway's trace writer in a process of its own: the parent's side.

Building a trace and inserting it costs several times what proxying the request did, and on
the recorder's thread that work holds the server's Python lock: requests waited for it, most
under CPU contention (a loaded two-core machine showed tens of milliseconds at p50). So the
recorder can hand each batch to a child process (``python -m ardea.gateway.trace_writer``)
that opens the same database and writes there. The request path's process keeps one cheap
step per batch: pickling it onto a pipe.

The protocol, on the child's stdin and stdout, is length-prefixed pickle frames between two
processes of the same install: first the :class:`WriterSpec` (on the pipe, never in argv, so
a database password stays out of ``ps``), then one frame per batch, each answered by one
``(records, written, drops)`` frame. A full pipe blocks the recorder's thread (never the
request path): its queue fills and new records are dropped and counted, so nothing queues
without bound. A child that dies loses the batches it had not answered (counted as
``writer_down``) and is started again, at most once a second; when the parent dies the
child reads the end of its input, writes what it holds and exits.
"""

from __future__ import annotations

import logging
import os
import pickle
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from ardea._core.env import ARDEA_GATEWAY_TRACE_WRITER
from ardea._core.errors import InvalidArgumentError
from ardea.gateway.record import GatewayRecord
from ardea.gateway.trace_batch import Drops

__all__ = ["ProcessSink", "WriterSpec", "read_frame", "write_frame", "writer_spec_for"]

_log = logging.getLogger(__name__)

_HEADER = struct.Struct("!I")
_RESTART_EVERY_S = 1.0


@dataclass(frozen=True)
class WriterSpec:
    """How the writer process opens the store.

    Attributes:
        uri: The SQL database URI (a file or server database; never an in-memory one).
        artifacts_destination: The backend's artifacts destination ("" for the default).
        sqlite_synchronous: SQLite's ``synchronous`` mode ("" reads the environment).
        usage: Whether the writer keeps the usage roll-up too.
    """

    uri: str
    artifacts_destination: str = ""
    sqlite_synchronous: str = ""
    usage: bool = True

    def __repr__(self) -> str:
        from ardea.store.uri import redact_uri

        return f"WriterSpec({redact_uri(self.uri)!r}, usage={self.usage})"


def writer_spec_for(
    uri: str,
    *,
    artifacts_destination: str = "",
    sqlite_synchronous: str = "",
    usage: bool = True,
) -> WriterSpec | None:
    """The writer process's spec for the database at ``uri``, or None to write in-process.

    None when ``ARDEA_GATEWAY_TRACE_WRITER`` is ``thread``, and when another process cannot
    open the same database: an in-memory SQLite one, or a server URL.

    Raises:
        InvalidArgumentError: ``ARDEA_GATEWAY_TRACE_WRITER`` is neither ``process`` nor
            ``thread``.
    """
    mode = (os.environ.get(ARDEA_GATEWAY_TRACE_WRITER) or "process").strip().lower()
    if mode not in ("process", "thread"):
        raise InvalidArgumentError(
            f"Invalid {ARDEA_GATEWAY_TRACE_WRITER}={mode!r}: use 'process' or 'thread'"
        )
    from ardea.store.uri import shared_database

    if mode == "thread" or not shared_database(uri):
        return None
    return WriterSpec(uri, artifacts_destination, sqlite_synchronous, usage)


def write_frame(stream: IO[bytes], value: Any) -> None:
    """Write one length-prefixed pickle frame and flush."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def read_frame(stream: IO[bytes]) -> Any:
    """Read one frame; None at the end of the stream (or a cut-off frame)."""
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)  # our own child process, over its own pipe


class ProcessSink:
    """Sends batches to the writer process and counts its answers.

    Args:
        spec: How the child opens the store.
        on_result: Called with ``(written, drops)`` for every answered batch, and with
            ``(0, [("writer_down", n)])`` for batches lost with a child (on the sink's reader
            thread, or on the sender's).
    """

    def __init__(self, spec: WriterSpec, on_result: Callable[[int, Drops], None]) -> None:
        self.spec = spec
        self._on_result = on_result
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._cond = threading.Condition()
        self._unanswered: list[int] = []  # records per batch sent to the current child
        self._next_start = 0.0

    def send(self, batch: list[GatewayRecord]) -> None:
        """Hand ``batch`` to the child (started on first use); a lost batch is counted."""
        proc = self._child()
        if proc is None or proc.stdin is None:
            self._on_result(0, [("writer_down", len(batch))])
            return
        with self._cond:
            self._unanswered.append(len(batch))
        try:
            write_frame(proc.stdin, batch)
        except (BrokenPipeError, OSError, ValueError) as exc:
            _log.warning("gateway: the trace writer process is gone: %s", exc)
            self._lost(proc)

    def _child(self) -> subprocess.Popen[bytes] | None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            return proc
        if proc is not None:
            self._lost(proc)
        now = time.monotonic()
        if now < self._next_start:
            return None
        self._next_start = now + _RESTART_EVERY_S
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "ardea.gateway.trace_writer"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                close_fds=True,
            )
            assert proc.stdin is not None
            write_frame(proc.stdin, self.spec)
        except (OSError, ValueError) as exc:
            _log.warning("gateway: could not start the trace writer process: %s", exc)
            return None
        self._proc = proc
        self._reader = threading.Thread(
            target=self._read, args=(proc,), name="ardea-gateway-trace-acks", daemon=True
        )
        self._reader.start()
        return proc

    def _read(self, proc: subprocess.Popen[bytes]) -> None:
        """Take the child's answers until its output ends."""
        assert proc.stdout is not None
        while True:
            try:
                answer = read_frame(proc.stdout)
            except (OSError, pickle.UnpicklingError, EOFError):
                answer = None
            if answer is None:
                break
            _records, written, drops = answer
            with self._cond:
                if self._unanswered:
                    self._unanswered.pop(0)
                self._cond.notify_all()
            self._on_result(written, drops)
        self._lost(proc)

    def _lost(self, proc: subprocess.Popen[bytes]) -> None:
        """Count the batches ``proc`` never answered, once."""
        with self._cond:
            if self._proc is not proc and self._proc is not None:
                return
            lost = sum(self._unanswered)
            self._unanswered.clear()
            self._proc = None
            self._cond.notify_all()
        if lost:
            self._on_result(0, [("writer_down", lost)])

    def wait_acked(self, timeout: float) -> bool:
        """Wait until every batch sent has been answered (or lost); whether it happened."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._unanswered, timeout)

    def close(self, timeout: float = 10.0) -> None:
        """End the child's input, let it write what it holds, and wait for it."""
        proc = self._proc
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            _log.warning("gateway: the trace writer process did not stop; killed")
            proc.kill()
            proc.wait()
        if self._reader is not None:
            self._reader.join(timeout)
