"""Runs and what is logged to them: params, metrics, tags, dataset inputs and model outputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from ardea.entities.experiment import LifecycleStage


class RunStatus(str, Enum):
    """Run status, with MLflow's names."""

    RUNNING = "RUNNING"
    SCHEDULED = "SCHEDULED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    KILLED = "KILLED"

    @property
    def is_terminated(self) -> bool:
        """True for FINISHED, FAILED and KILLED."""
        return self in (RunStatus.FINISHED, RunStatus.FAILED, RunStatus.KILLED)


@dataclass(slots=True)
class Metric:
    """One metric point.

    Attributes:
        key: Metric name.
        value: Value; may be NaN or infinite.
        timestamp: Epoch milliseconds.
        step: Training step (default 0).
        dataset_name: Optional dataset the metric was computed on.
        dataset_digest: Digest of that dataset.
        model_id: Optional logged model the metric belongs to.
        run_id: The run (filled in by bulk reads).
    """

    key: str
    value: float
    timestamp: int
    step: int = 0
    dataset_name: str | None = None
    dataset_digest: str | None = None
    model_id: str | None = None
    run_id: str | None = None


@dataclass(frozen=True, slots=True)
class Param:
    """A run parameter; immutable once logged."""

    key: str
    value: str


@dataclass(frozen=True, slots=True)
class RunTag:
    """A run tag; may be overwritten."""

    key: str
    value: str


@dataclass(slots=True)
class Dataset:
    """A dataset as a run input (MLflow's shape: strings, JSON inside strings)."""

    name: str
    digest: str
    source_type: str = ""
    source: str = ""
    schema: str | None = None
    profile: str | None = None


@dataclass(slots=True)
class DatasetInput:
    """A dataset used by a run, with input tags such as ``mlflow.data.context``."""

    dataset: Dataset
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DatasetSummary:
    """A dataset some run of an experiment used, with the context it was used in.

    Attributes:
        experiment_id: The experiment.
        name: Dataset name.
        digest: Dataset digest.
        context: The input's ``mlflow.data.context`` tag (``training``, ...), if any.
    """

    experiment_id: str
    name: str
    digest: str
    context: str | None = None


@dataclass(frozen=True, slots=True)
class ModelOutput:
    """A logged model produced by a run at a step."""

    model_id: str
    step: int = 0


@dataclass(slots=True)
class RunInfo:
    """Run metadata."""

    run_id: str
    experiment_id: str
    run_name: str
    user_id: str = ""
    status: str = RunStatus.RUNNING.value
    start_time: int | None = None
    end_time: int | None = None
    artifact_uri: str = ""
    lifecycle_stage: str = LifecycleStage.ACTIVE.value


@dataclass(slots=True)
class RunData:
    """What a run logged: latest value per metric key, params and tags."""

    metrics: list[Metric] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def metric_values(self) -> dict[str, float]:
        """Latest metric values by key."""
        return {m.key: m.value for m in self.metrics}


@dataclass(slots=True)
class RunInputs:
    """Datasets and models a run consumed."""

    dataset_inputs: list[DatasetInput] = field(default_factory=list)
    model_inputs: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RunOutputs:
    """Models a run produced."""

    model_outputs: list[ModelOutput] = field(default_factory=list)


@dataclass(slots=True)
class Run:
    """A run: info, data, inputs and outputs."""

    info: RunInfo
    data: RunData = field(default_factory=RunData)
    inputs: RunInputs = field(default_factory=RunInputs)
    outputs: RunOutputs = field(default_factory=RunOutputs)
