"""Experiments: named groups of runs, traces and models."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class LifecycleStage(str, Enum):
    """Whether a thing is live or soft-deleted."""

    ACTIVE = "active"
    DELETED = "deleted"


class ViewType(str, Enum):
    """Which lifecycle stages a search returns."""

    ACTIVE_ONLY = "ACTIVE_ONLY"
    DELETED_ONLY = "DELETED_ONLY"
    ALL = "ALL"

    def stages(self) -> tuple[str, ...]:
        """The lifecycle stage values this view includes."""
        if self is ViewType.ACTIVE_ONLY:
            return (LifecycleStage.ACTIVE.value,)
        if self is ViewType.DELETED_ONLY:
            return (LifecycleStage.DELETED.value,)
        return (LifecycleStage.ACTIVE.value, LifecycleStage.DELETED.value)


@dataclass(slots=True)
class Experiment:
    """An experiment.

    Attributes:
        experiment_id: Integer string; ``"0"`` is the Default experiment.
        name: Unique name in its workspace (also among deleted experiments).
        artifact_location: Root URI of its artifacts, e.g. ``mlflow-artifacts:/1``.
        lifecycle_stage: ``active`` or ``deleted``.
        creation_time: Epoch milliseconds.
        last_update_time: Epoch milliseconds.
        tags: Experiment tags.
        workspace: The workspace it belongs to (``default`` when workspaces are off).
    """

    experiment_id: str
    name: str
    artifact_location: str
    lifecycle_stage: str = LifecycleStage.ACTIVE.value
    creation_time: int | None = None
    last_update_time: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    workspace: str = "default"
