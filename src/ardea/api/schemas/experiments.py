"""Experiment answers (``/mlflow/experiments/*``), as ``mlflow_json.experiment_to_json``."""

from __future__ import annotations

from typing import Literal

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.common import Int64, KeyValue

__all__ = [
    "CreateExperimentResponse",
    "DatasetSummary",
    "Experiment",
    "GetExperimentResponse",
    "SearchDatasetsResponse",
    "SearchExperimentsResponse",
]


class Experiment(TypedDict):
    """An experiment; times are epoch milliseconds.

    ``workspace`` names the workspace it belongs to (``default`` on a server without
    workspaces, as MLflow 3.18 answers).
    """

    experiment_id: str
    name: str
    artifact_location: str
    lifecycle_stage: Literal["active", "deleted"]
    creation_time: NotRequired[Int64]
    last_update_time: NotRequired[Int64]
    tags: list[KeyValue]
    workspace: str


class CreateExperimentResponse(TypedDict):
    """CreateExperiment: the new experiment's id."""

    experiment_id: str


class GetExperimentResponse(TypedDict):
    """GetExperiment and GetExperimentByName."""

    experiment: Experiment


class SearchExperimentsResponse(TypedDict):
    """SearchExperiments: one page; ``next_page_token`` only when more follow."""

    experiments: list[Experiment]
    next_page_token: NotRequired[str]


class DatasetSummary(TypedDict):
    """A dataset some run of the experiment used; ``context`` is its ``mlflow.data.context``."""

    experiment_id: str
    name: str
    digest: str
    context: NotRequired[str]


class SearchDatasetsResponse(TypedDict):
    """The UI's search-datasets: the datasets the runs of the experiments used."""

    dataset_summaries: list[DatasetSummary]
