"""Run answers (``/mlflow/runs/*``), as ``mlflow_json.run_to_json`` and the SQL search path."""

from __future__ import annotations

from typing import Literal

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.common import Int64, KeyValue, Metric

__all__ = [
    "Dataset",
    "DatasetInput",
    "GetRunResponse",
    "ModelInput",
    "ModelOutput",
    "Run",
    "RunData",
    "RunInfo",
    "RunInputs",
    "RunOutputs",
    "RunStatus",
    "SearchRunsResponse",
    "UpdateRunResponse",
]

RunStatus = Literal["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"]
"""The status names of a run."""


class RunInfo(TypedDict):
    """A run's metadata; times are epoch milliseconds, ``run_uuid`` repeats ``run_id``."""

    run_id: str
    run_uuid: str
    run_name: NotRequired[str]
    experiment_id: str
    user_id: NotRequired[str]
    status: RunStatus
    start_time: NotRequired[Int64]
    end_time: NotRequired[Int64]
    artifact_uri: NotRequired[str]
    lifecycle_stage: Literal["active", "deleted"]


class RunData(TypedDict):
    """A run's latest metric values, its params and its tags."""

    metrics: list[Metric]
    params: list[KeyValue]
    tags: list[KeyValue]


class Dataset(TypedDict):
    """A dataset a run used; ``schema`` and ``profile`` are JSON text."""

    name: str
    digest: str
    source_type: str
    source: str
    schema: NotRequired[str]
    profile: NotRequired[str]


class DatasetInput(TypedDict):
    """A dataset input of a run, with its tags (``mlflow.data.context``, ...)."""

    tags: list[KeyValue]
    dataset: Dataset


class ModelInput(TypedDict):
    """A logged model a run used."""

    model_id: str


class RunInputs(TypedDict):
    """What a run used: datasets and logged models."""

    dataset_inputs: list[DatasetInput]
    model_inputs: list[ModelInput]


class ModelOutput(TypedDict):
    """A logged model a run produced, at a step."""

    model_id: str
    step: Int64


class RunOutputs(TypedDict):
    """What a run produced."""

    model_outputs: list[ModelOutput]


class Run(TypedDict):
    """A run: info, data, inputs and outputs."""

    info: RunInfo
    data: RunData
    inputs: RunInputs
    outputs: RunOutputs


class GetRunResponse(TypedDict):
    """GetRun and CreateRun."""

    run: Run


class UpdateRunResponse(TypedDict):
    """UpdateRun: the run's info after the change."""

    run_info: RunInfo


class SearchRunsResponse(TypedDict):
    """SearchRuns: one page; ``next_page_token`` only when more follow."""

    runs: list[Run]
    next_page_token: NotRequired[str]
