"""The active run, the active experiment and the configured tracking URI, below every layer.

The fluent API writes this state (``start_run``, ``set_experiment``, ``set_tracking_uri``);
tracing, prompt lineage and (later) evaluation read it. Nothing here imports anything above
:mod:`ardea._core`, so those readers never import the fluent API to find the active run.

- The run stack is a :class:`~contextvars.ContextVar`: every thread and asyncio task has its
  own active run. A new thread starts with none; work run through :func:`run_in_context` (or
  ``contextvars.copy_context().run``) sees the runs of the context that submitted it, which
  is how worker pools (evaluation's judges, ...) log to the right run.
- The active experiment and the tracking URI are process-wide, as in MLflow.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Protocol, TypeVar

__all__ = [
    "ActiveRunLike",
    "active_experiment_id",
    "active_run",
    "active_run_experiment_id",
    "active_run_id",
    "configured_tracking_uri",
    "last_run_id",
    "push_run",
    "remove_run",
    "run_in_context",
    "run_stack",
    "set_active_experiment_id",
    "set_configured_tracking_uri",
    "set_last_run_id",
]

T = TypeVar("T")


class _RunInfoLike(Protocol):
    @property
    def run_id(self) -> str: ...

    @property
    def experiment_id(self) -> str: ...


class ActiveRunLike(Protocol):
    """What the run stack holds: anything with ``info.run_id`` and ``info.experiment_id``."""

    @property
    def info(self) -> _RunInfoLike:
        """The run's info."""
        ...


_runs: ContextVar[tuple[ActiveRunLike, ...]] = ContextVar("ardea_run_stack", default=())
_last_run_id: ContextVar[str | None] = ContextVar("ardea_last_run_id", default=None)
_lock = threading.Lock()
_experiment_id: str | None = None
_tracking_uri: str | None = None


def run_stack() -> tuple[ActiveRunLike, ...]:
    """This context's active runs, innermost last."""
    return _runs.get()


def push_run(run: ActiveRunLike) -> None:
    """Make ``run`` this context's innermost active run."""
    _runs.set((*_runs.get(), run))


def remove_run(run_id: str) -> None:
    """Take the run ``run_id`` off this context's stack and remember it as the last run."""
    _runs.set(tuple(r for r in _runs.get() if r.info.run_id != run_id))
    _last_run_id.set(run_id)


def active_run() -> ActiveRunLike | None:
    """This context's innermost active run, or None."""
    stack = _runs.get()
    return stack[-1] if stack else None


def active_run_id() -> str | None:
    """The id of this context's innermost active run, or None."""
    stack = _runs.get()
    return stack[-1].info.run_id if stack else None


def active_run_experiment_id() -> str | None:
    """The experiment of the innermost active run, else the active experiment, else None."""
    stack = _runs.get()
    return stack[-1].info.experiment_id if stack else _experiment_id


def last_run_id() -> str | None:
    """The id of the run most recently ended in this context."""
    return _last_run_id.get()


def set_last_run_id(run_id: str | None) -> None:
    """Remember ``run_id`` as this context's last run."""
    _last_run_id.set(run_id)


def active_experiment_id() -> str | None:
    """The experiment chosen with ``set_experiment`` (None when none was)."""
    return _experiment_id


def set_active_experiment_id(experiment_id: str | None) -> None:
    """Record the experiment chosen with ``set_experiment`` (process-wide)."""
    global _experiment_id
    with _lock:
        _experiment_id = experiment_id


def configured_tracking_uri() -> str | None:
    """The URI given to ``set_tracking_uri`` (None: the environment's or the default)."""
    return _tracking_uri


def set_configured_tracking_uri(uri: str | None) -> None:
    """Record the tracking URI the fluent API (and so tracing) sends to; None resets it."""
    global _tracking_uri
    with _lock:
        _tracking_uri = uri


def run_in_context(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn`` bound to the current context, for another thread.

    Submitted to a thread pool, the result sees this context's active run and current span,
    however many threads call it at once (each call runs in its own copy).

    Example::

        with ardea.start_run():
            pool.submit(run_in_context(score), row)  # logs to the run above
    """
    context = contextvars.copy_context()

    def bound(*args: object, **kwargs: object) -> T:
        return context.copy().run(fn, *args, **kwargs)

    return bound
