"""Ardea's background threads start outside the caller's context.

Some libraries make every new thread inherit the context of the thread that started it
(OpenTelemetry's ``ThreadingInstrumentor``, which the Strands SDK turns on, patches
``Thread.start``). A worker Ardea starts lazily, from inside a user's span, would then run its
whole life "inside" that span. Starting it from an empty :class:`contextvars.Context` gives it
nothing to inherit, whatever is patched.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable

__all__ = ["start_daemon"]


def start_daemon(target: Callable[[], object], name: str) -> threading.Thread:
    """Start ``target`` on a new daemon thread with an empty context.

    Args:
        target: The thread's body.
        name: The thread's name.

    Returns:
        The started thread.
    """
    thread = threading.Thread(target=target, name=name, daemon=True)
    contextvars.Context().run(thread.start)
    return thread
