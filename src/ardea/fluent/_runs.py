"""Experiments and the run lifecycle of the fluent API."""

from __future__ import annotations

import atexit
import getpass
import logging
import os
import sys
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from ardea._core import context
from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities import Experiment, LifecycleStage, Run, RunStatus
from ardea.fluent._state import get_client
from ardea.store.current_experiment import check_active, get_or_create
from ardea.store.current_experiment import current_experiment_id as _current_experiment_id

__all__ = [
    "ActiveRun",
    "active_run",
    "end_run",
    "last_active_run",
    "set_experiment",
    "start_run",
]

logger = logging.getLogger("ardea")

PARENT_RUN_TAG = "mlflow.parentRunId"
NOTE_TAG = "mlflow.note.content"


class ActiveRun(Run):
    """The run started by :func:`start_run`; a context manager that ends it.

    On a normal exit the run is FINISHED; when the block raises it is FAILED (KILLED for a
    KeyboardInterrupt) and the exception propagates unchanged.
    """

    def __init__(self, run: Run) -> None:
        super().__init__(run.info, run.data, run.inputs, run.outputs)

    def __enter__(self) -> ActiveRun:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not any(r.info.run_id == self.info.run_id for r in context.run_stack()):
            return  # ended inside the block (end_run("KILLED")): its status stands, as in MLflow
        if exc_type is None:
            _end(self.info.run_id, RunStatus.FINISHED.value)
            return
        status = RunStatus.KILLED if issubclass(exc_type, KeyboardInterrupt) else RunStatus.FAILED
        try:
            _end(self.info.run_id, status.value)
        except Exception as end_exc:  # never mask the user's exception
            logger.warning("Ardea: could not end run %s: %s", self.info.run_id, end_exc)


def set_experiment(
    experiment_name: str | None = None, experiment_id: str | None = None
) -> Experiment:
    """Make an experiment the active one, creating it (by name) when it does not exist.

    Args:
        experiment_name: Name of the experiment.
        experiment_id: Id of an existing experiment (instead of a name).

    Returns:
        The experiment.

    Raises:
        InvalidArgumentError: Neither or both arguments were given, or it is deleted.
        NotFoundError: No experiment has ``experiment_id``.
    """
    if (experiment_name is None) == (experiment_id is None):
        raise InvalidArgumentError("Give exactly one of experiment_name or experiment_id.")
    tracking = get_client().store
    if experiment_name is not None:
        experiment = get_or_create(tracking, experiment_name)
    else:
        experiment = check_active(tracking.get_experiment(str(experiment_id)))
    context.set_active_experiment_id(experiment.experiment_id)
    return experiment


def current_experiment_id() -> str:
    """The experiment new runs go to: set_experiment, then the environment, then ``"0"``."""
    return _current_experiment_id(lambda: get_client().store)


def _default_tags() -> dict[str, str]:
    try:
        user = getpass.getuser()
    except Exception:  # no user name in some containers
        user = "unknown"
    main = sys.argv[0] if sys.argv and sys.argv[0] else ""
    source = os.path.abspath(main) if main and main not in ("-c", "-") else "<console>"
    return {"mlflow.user": user, "mlflow.source.name": source, "mlflow.source.type": "LOCAL"}


def start_run(
    run_id: str | None = None,
    experiment_id: str | None = None,
    run_name: str | None = None,
    nested: bool = False,
    tags: Mapping[str, Any] | None = None,
    description: str | None = None,
    parent_run_id: str | None = None,
) -> ActiveRun:
    """Start a run (or resume ``run_id``) and make it this context's active run.

    Use it as ``with ardea.start_run(): ...``: the run ends when the block does.

    Args:
        run_id: Resume this existing run instead of creating one.
        experiment_id: Experiment of the new run (default: the active experiment).
        run_name: Name of the new run (generated when omitted).
        nested: Allow starting a run while another is active; it becomes a child run.
        tags: Tags of the run.
        description: Markdown description (tag ``mlflow.note.content``).
        parent_run_id: Explicit parent run (tag ``mlflow.parentRunId``).

    Returns:
        The :class:`ActiveRun`.

    Raises:
        InvalidArgumentError: A run is already active and ``nested`` is False.
    """
    stack = context.run_stack()
    if stack and not nested:
        raise InvalidArgumentError(
            f"Run {stack[-1].info.run_id} is already active. End it with ardea.end_run(), "
            "or start a nested run with start_run(nested=True)."
        )
    client = get_client()
    all_tags = {str(k): str(v) for k, v in (tags or {}).items()}
    if description is not None:
        all_tags[NOTE_TAG] = description
    parent = parent_run_id or (stack[-1].info.run_id if stack else None)
    if parent:
        all_tags[PARENT_RUN_TAG] = parent
    if run_id is not None:
        run = _resume(run_id, run_name, all_tags)
    else:
        exp_id = str(experiment_id) if experiment_id is not None else current_experiment_id()
        run_tags = {**_default_tags(), **all_tags}
        run = client.create_run(
            exp_id, tags=run_tags, run_name=run_name, user_id=run_tags["mlflow.user"]
        )
    active = ActiveRun(run)
    context.push_run(active)
    _register_atexit()
    return active


def _resume(run_id: str, run_name: str | None, tags: dict[str, str]) -> Run:
    client = get_client()
    run = client.get_run(run_id)
    if run.info.lifecycle_stage == LifecycleStage.DELETED.value:
        raise InvalidArgumentError(f"Cannot resume run {run_id}: it is deleted.")
    client.update_run(run_id, status=RunStatus.RUNNING.value, name=run_name)
    for key, value in tags.items():
        client.set_tag(run_id, key, value)
    return client.get_run(run_id)


_atexit_lock = threading.Lock()
_atexit_registered = False


def _register_atexit() -> None:
    global _atexit_registered
    with _atexit_lock:
        if not _atexit_registered:
            atexit.register(_end_runs_at_exit)
            _atexit_registered = True


def _end_runs_at_exit() -> None:
    """End the runs the main context left active (as MLflow does), never raising."""
    while (current := active_run()) is not None:
        try:
            _end(current.info.run_id, RunStatus.FINISHED.value)
        except Exception as exc:
            logger.warning("Ardea: could not end run %s at exit: %s", current.info.run_id, exc)


def _end(run_id: str, status: str) -> None:
    context.remove_run(run_id)
    get_client().set_terminated(run_id, status)


def end_run(status: str = RunStatus.FINISHED.value) -> None:
    """End this context's innermost active run (no-op when there is none).

    Pending metric points are written first.

    Args:
        status: FINISHED, FAILED or KILLED.
    """
    RunStatus(status)
    run_id = context.active_run_id()
    if run_id is not None:
        _end(run_id, status)


def active_run() -> ActiveRun | None:
    """This context's innermost active run, or None."""
    run = context.active_run()
    return run if isinstance(run, ActiveRun) else None


def last_active_run() -> Run | None:
    """The active run, else the run most recently ended in this context, fetched afresh."""
    current = active_run()
    run_id = current.info.run_id if current is not None else context.last_run_id()
    if run_id is None:
        return None
    try:
        return get_client().get_run(run_id)
    except NotFoundError:
        return None


def active_run_id() -> str:
    """The active run's id, starting a run when none is active (as MLflow does)."""
    current = active_run()
    if current is None:
        current = start_run()
    return current.info.run_id
