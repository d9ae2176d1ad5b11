"""State of the fluent API: the default client (and the tracking URI it follows).

The active run stack and the active experiment live in :mod:`ardea._core.context`, so that
tracing and prompt lineage read them without importing this package: a thread or asyncio task
has its own active run, and ``contextvars.copy_context().run`` carries it into a thread. The
default client and the active experiment are process-wide, as in MLflow.
"""

from __future__ import annotations

import threading
from os import PathLike

from ardea._core import context
from ardea.client import ArdeaClient

__all__ = [
    "get_client",
    "get_tracking_uri",
    "set_tracking_uri",
]

_lock = threading.Lock()
_client: ArdeaClient | None = None


def get_client() -> ArdeaClient:
    """The client the fluent API logs through (one per process, reconfigured in place).

    Returns:
        The default :class:`ArdeaClient`.
    """
    global _client
    with _lock:
        if _client is None:
            _client = ArdeaClient(context.configured_tracking_uri())
        return _client


def set_tracking_uri(uri: str | PathLike[str] | None) -> None:
    """Point the fluent API (and tracing) at a backend.

    Args:
        uri: ``http(s)://host:port`` (a server), ``sqlite:///path.db`` or a folder (embedded),
            ``postgresql://...``; None goes back to the environment or ``./ardea-data``.
    """
    value = None if uri is None else str(uri)
    client = get_client()
    client.reconfigure(value)
    context.set_configured_tracking_uri(value)
    context.set_active_experiment_id(None)


def get_tracking_uri() -> str:
    """The tracking URI the fluent API logs to.

    Returns:
        The URI set with :func:`set_tracking_uri`, else ``ARDEA_TRACKING_URI`` /
        ``MLFLOW_TRACKING_URI``, else the default embedded folder.
    """
    return get_client().tracking_uri
