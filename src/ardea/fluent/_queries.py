"""Reads through the default client, for convenience at module level."""

from __future__ import annotations

from ardea.entities import Experiment, Run
from ardea.fluent._state import get_client

__all__ = ["get_experiment", "get_experiment_by_name", "get_run"]


def get_run(run_id: str) -> Run:
    """The run with its latest metrics, params, tags and inputs (pending metrics flushed).

    Raises:
        NotFoundError: No run has this id.
    """
    client = get_client()
    client.flush()
    return client.get_run(run_id)


def get_experiment(experiment_id: str) -> Experiment:
    """The experiment with this id.

    Raises:
        NotFoundError: No experiment has this id.
    """
    return get_client().get_experiment(experiment_id)


def get_experiment_by_name(name: str) -> Experiment | None:
    """The experiment with this name, or None."""
    return get_client().get_experiment_by_name(name)
