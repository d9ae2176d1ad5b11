"""MLflow 3 logged models: a model as a first-class entity with its own artifacts."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from ardea.entities.experiment import LifecycleStage
from ardea.entities.run import Metric


class LoggedModelStatus(str, Enum):
    """Upload state of a logged model."""

    LOGGED_MODEL_STATUS_UNSPECIFIED = "LOGGED_MODEL_STATUS_UNSPECIFIED"
    LOGGED_MODEL_PENDING = "LOGGED_MODEL_PENDING"
    LOGGED_MODEL_READY = "LOGGED_MODEL_READY"
    LOGGED_MODEL_UPLOAD_FAILED = "LOGGED_MODEL_UPLOAD_FAILED"


@dataclass(slots=True)
class LoggedModel:
    """A logged model (id ``m-`` + 32 hex)."""

    model_id: str
    experiment_id: str
    name: str
    artifact_location: str
    creation_timestamp: int
    last_updated_timestamp: int
    status: str = LoggedModelStatus.LOGGED_MODEL_PENDING.value
    model_type: str | None = None
    source_run_id: str | None = None
    status_message: str | None = None
    lifecycle_stage: str = LifecycleStage.ACTIVE.value
    tags: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    metrics: list[Metric] = field(default_factory=list)
