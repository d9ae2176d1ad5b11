"""The gateway's trace writer process: ``python -m ardea.gateway.trace_writer``.

Started by :class:`~ardea.gateway.trace_process.ProcessSink`, never by hand. It reads a
:class:`~ardea.gateway.trace_process.WriterSpec` and then batches of gateway records from
stdin, writes each batch's traces (and usage roll-up) into the database the spec names, and
answers every batch on stdout with ``(records, written, drops)``. At the end of its input it
exits. Its logs go to stderr, the server's; stdout carries frames only (anything a library
prints goes to stderr).

It runs :data:`NICE` steps below the server's CPU priority: when the request path and the
writer want the same core, the request path gets it (the gateway's p99) and the writer catches
up from its queue. It still gets its share under saturation (a nice of 5 weighs about a third
of a normal process), so traces are not starved.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from typing import IO

__all__ = ["NICE", "main"]

NICE = 5
"""Steps the writer lowers its CPU priority by (``os.nice``)."""

_log = logging.getLogger("ardea.gateway.trace_writer")


def _frames_out() -> IO[bytes]:
    """The frame channel: the original stdout; fd 1 then points at stderr."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out


def main() -> int:
    """Serve one parent until its input ends; the exit status."""
    from ardea.gateway.trace_batch import BatchWriter, Drops
    from ardea.gateway.trace_process import WriterSpec, read_frame, write_frame
    from ardea.gateway.usage_rollup import UsageRollup
    from ardea.store.sql.backend import open_sql_backend

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C: the parent ends us
    with contextlib.suppress(OSError, AttributeError):  # not on every platform
        os.nice(NICE)
    out = _frames_out()
    inp = sys.stdin.buffer
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    spec = read_frame(inp)
    if not isinstance(spec, WriterSpec):
        _log.error("trace writer: no spec on stdin")
        return 2
    backend = open_sql_backend(
        spec.uri,
        artifacts_destination=spec.artifacts_destination or None,
        auto_migrate=False,
        sqlite_synchronous=spec.sqlite_synchronous or None,
    )
    usage_drops: Drops = []
    rollup = None
    if spec.usage:
        rollup = UsageRollup(backend.gateway_usage, lambda r, n: usage_drops.append((r, n)))
    writer = BatchWriter(
        backend.traces,
        store_for=lambda workspace: backend.scoped(workspace).traces,
        on_batch=rollup,
    )
    try:
        while (batch := read_frame(inp)) is not None:
            written, drops = writer.write(batch)
            drops = [*usage_drops, *drops]
            usage_drops.clear()
            write_frame(out, (len(batch), written, drops))
    except BrokenPipeError:  # the parent is gone
        return 0
    finally:
        writer.close()
        backend.close()
    return 0


if __name__ == "__main__":  # pragma: no cover - the parent runs it as a module
    sys.exit(main())
