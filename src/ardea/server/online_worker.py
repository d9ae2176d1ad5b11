"""The online scorer process: ``python -m ardea.server.online_worker``.

Started by :class:`~ardea.server.online_process.LoopProcess`, never by hand (a user's own
worker is ``ardea scorer-worker``, which pulls work over the API). It reads a
:class:`~ardea.server.online_process.LoopSpec` from stdin, opens that database, lowers its CPU
priority by :data:`NICE`, and runs the server's scorer loop
(:class:`~ardea.server.online_scoring.OnlineScoring`: LLM judges only, never user code). Each
byte that follows on stdin wakes the loop; the end of its input stops it: the rows it holds are
given back (claimable at once) and it exits. Its logs go to stderr, the server's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading

__all__ = ["NICE", "main"]

_log = logging.getLogger("ardea.server.online_worker")

NICE = 10
"""Steps the scorer process lowers its CPU priority by (``os.nice``)."""


async def _serve(online: object, fd: int) -> None:
    """Run ``online``'s loop until the end of ``fd``; each byte read wakes it."""
    from ardea.server.online_scoring import OnlineScoring

    assert isinstance(online, OnlineScoring)
    loop = asyncio.get_running_loop()
    ended = asyncio.Event()

    def read() -> None:
        while True:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if not data:
                loop.call_soon_threadsafe(ended.set)
                return
            online.wake()

    online.start()
    threading.Thread(target=read, name="ardea-scorer-wake", daemon=True).start()
    await ended.wait()
    await online.stop()


def main() -> int:
    """Score until the parent ends our input; the exit status."""
    from ardea.gateway.trace_process import read_frame
    from ardea.server.online_process import LoopSpec
    from ardea.server.online_scoring import OnlineScoring, OnlineSettings
    from ardea.store.sql.backend import open_sql_backend

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C: the parent ends us
    with contextlib.suppress(OSError, AttributeError):  # not on every platform
        os.nice(NICE)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    fd = sys.stdin.fileno()
    spec = read_frame(os.fdopen(os.dup(fd), "rb"))  # (wake bytes it reads ahead are moot)
    if not isinstance(spec, LoopSpec):
        _log.error("online scorer: no spec on stdin")
        return 2
    backend = open_sql_backend(
        spec.uri,
        artifacts_destination=spec.artifacts_destination or None,
        auto_migrate=False,
        sqlite_synchronous=spec.sqlite_synchronous or None,
    )
    try:  # no spec: this process is the loop, it never starts another
        asyncio.run(_serve(OnlineScoring(backend, OnlineSettings()), fd))
    finally:
        backend.close()
    return 0


if __name__ == "__main__":  # pragma: no cover - the parent runs it as a module
    sys.exit(main())
