"""Which experiment new runs and traces go to, over the tracking store contract.

``set_experiment`` first (:func:`ardea._core.context.active_experiment_id`), then
``ARDEA_EXPERIMENT_NAME`` / ``MLFLOW_EXPERIMENT_NAME`` (created when missing, and made the
active experiment), then ``ARDEA_EXPERIMENT_ID`` / ``MLFLOW_EXPERIMENT_ID``, then ``"0"``.
Shared by the fluent API (on the calling thread) and tracing (on its export thread).
"""

from __future__ import annotations

from collections.abc import Callable

from ardea._core import context, env
from ardea._core.errors import AlreadyExistsError, InvalidArgumentError, NotFoundError
from ardea.entities import Experiment, LifecycleStage
from ardea.store.tracking import TrackingStore

__all__ = ["DEFAULT_EXPERIMENT_ID", "check_active", "current_experiment_id", "get_or_create"]

DEFAULT_EXPERIMENT_ID = "0"
"""The "Default" experiment every database has."""


def check_active(experiment: Experiment) -> Experiment:
    """``experiment``, or InvalidArgumentError when it is deleted."""
    if experiment.lifecycle_stage == LifecycleStage.DELETED.value:
        raise InvalidArgumentError(
            f"Cannot set a deleted experiment {experiment.name!r} as the active experiment. "
            "Restore it first, or use another name."
        )
    return experiment


def get_or_create(tracking: TrackingStore, name: str) -> Experiment:
    """The active experiment called ``name``, created when missing.

    Raises:
        InvalidArgumentError: The experiment exists but is deleted.
    """
    try:
        experiment = tracking.get_experiment_by_name(name)
    except NotFoundError:
        try:
            experiment_id = tracking.create_experiment(name)
        except AlreadyExistsError:  # created concurrently by another process
            experiment_id = tracking.get_experiment_by_name(name).experiment_id
        experiment = tracking.get_experiment(experiment_id)
    return check_active(experiment)


def current_experiment_id(tracking: Callable[[], TrackingStore]) -> str:
    """The experiment new runs and traces go to (see the module docstring).

    Args:
        tracking: Gives the tracking store, called only when an experiment name must be
            looked up.
    """
    chosen = context.active_experiment_id()
    if chosen is not None:
        return chosen
    name = env.get(env.ARDEA_EXPERIMENT_NAME, env.MLFLOW_EXPERIMENT_NAME)
    if name:
        experiment_id = get_or_create(tracking(), name).experiment_id
        context.set_active_experiment_id(experiment_id)
        return experiment_id
    return env.get(env.ARDEA_EXPERIMENT_ID, env.MLFLOW_EXPERIMENT_ID) or DEFAULT_EXPERIMENT_ID
