"""State of the fluent API: the default client, the active experiment and the run stack.

The run stack lives in a :class:`contextvars.ContextVar`, so every thread and every asyncio
task has its own active run: a new thread starts with none, and an asyncio task starts with
a copy of its creator's (``contextvars.copy_context().run`` carries it into a thread).
The default client and the active experiment are process-wide, as in MLflow.
"""

from __future__ import annotations

import threading
from contextvars import ContextVar
from os import PathLike
from typing import TYPE_CHECKING

from ardea.client import ArdeaClient

if TYPE_CHECKING:
    from ardea.fluent._runs import ActiveRun

__all__ = [
    "get_client",
    "get_tracking_uri",
    "set_tracking_uri",
]

_lock = threading.Lock()
_client: ArdeaClient | None = None
_active_experiment_id: str | None = None

run_stack: ContextVar[tuple[ActiveRun, ...]] = ContextVar("ardea_run_stack", default=())
"""The active runs of this context, innermost last."""

last_run_id: ContextVar[str | None] = ContextVar("ardea_last_run_id", default=None)
"""The id of the run most recently ended in this context."""


def get_client() -> ArdeaClient:
    """The client the fluent API logs through (one per process, reconfigured in place).

    Returns:
        The default :class:`ArdeaClient`.
    """
    global _client
    with _lock:
        if _client is None:
            _client = ArdeaClient()
        return _client


def set_tracking_uri(uri: str | PathLike[str] | None) -> None:
    """Point the fluent API at a backend.

    Args:
        uri: ``http(s)://host:port`` (a server), ``sqlite:///path.db`` or a folder (embedded),
            ``postgresql://...``; None goes back to the environment or ``./ardea-data``.
    """
    global _active_experiment_id
    client = get_client()
    client.reconfigure(None if uri is None else str(uri))
    with _lock:
        _active_experiment_id = None


def get_tracking_uri() -> str:
    """The tracking URI the fluent API logs to.

    Returns:
        The URI set with :func:`set_tracking_uri`, else ``ARDEA_TRACKING_URI`` /
        ``MLFLOW_TRACKING_URI``, else the default embedded folder.
    """
    return get_client().tracking_uri


def active_experiment_id() -> str | None:
    """The experiment chosen with ``set_experiment`` (None when none was)."""
    return _active_experiment_id


def set_active_experiment_id(experiment_id: str | None) -> None:
    """Record the experiment chosen with ``set_experiment``."""
    global _active_experiment_id
    with _lock:
        _active_experiment_id = experiment_id
