"""Logged-model answers (``/mlflow/logged-models*``), as ``mlflow_json.logged_model_to_json``."""

from __future__ import annotations

from typing import Literal

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.artifacts import FileInfo
from ardea.api.schemas.common import Int64, KeyValue, Metric

__all__ = [
    "ListLoggedModelArtifactsResponse",
    "LoggedModel",
    "LoggedModelData",
    "LoggedModelInfo",
    "LoggedModelResponse",
    "LoggedModelRun",
    "LoggedModelRunsResponse",
    "SearchLoggedModelsResponse",
]


class LoggedModelInfo(TypedDict):
    """A logged model's metadata; ``lifecycle_stage`` appears only on deleted models."""

    model_id: str
    experiment_id: str
    name: str
    creation_timestamp_ms: Int64
    last_updated_timestamp_ms: Int64
    artifact_uri: str
    status: Literal[
        "LOGGED_MODEL_STATUS_UNSPECIFIED",
        "LOGGED_MODEL_PENDING",
        "LOGGED_MODEL_READY",
        "LOGGED_MODEL_UPLOAD_FAILED",
    ]
    model_type: NotRequired[str]
    source_run_id: NotRequired[str]
    status_message: NotRequired[str]
    tags: list[KeyValue]
    lifecycle_stage: NotRequired[Literal["deleted"]]


class LoggedModelData(TypedDict):
    """A logged model's params and metrics (each metric with its ``run_id``)."""

    params: list[KeyValue]
    metrics: list[Metric]


class LoggedModel(TypedDict):
    """A logged model: info and data."""

    info: LoggedModelInfo
    data: LoggedModelData


class LoggedModelResponse(TypedDict):
    """CreateLoggedModel, GetLoggedModel and FinalizeLoggedModel."""

    model: LoggedModel


class SearchLoggedModelsResponse(TypedDict):
    """SearchLoggedModels: one page; ``next_page_token`` only when more follow."""

    models: list[LoggedModel]
    next_page_token: NotRequired[str]


class ListLoggedModelArtifactsResponse(TypedDict):
    """ListLoggedModelArtifacts: the model's artifact root and one folder's entries."""

    root_uri: str
    files: list[FileInfo]


class LoggedModelRun(TypedDict):
    """A run linked to a logged model.

    The run it came from (``source``), a run that logged it as an output (``output``, with the
    ``step``), or one that took it as an input (``input``).
    """

    run_id: str
    relation: Literal["source", "output", "input"]
    step: NotRequired[Int64]


class LoggedModelRunsResponse(TypedDict):
    """Ardea's runs of a logged model: the source run first, then output and input runs."""

    runs: list[LoggedModelRun]
