"""Evaluation dataset answers (``/mlflow/datasets*`` and ``/ardea/datasets*``).

As :mod:`ardea.api.mlflow_dataset_json` writes them: a dataset's ``tags``, ``schema`` and
``profile`` are JSON *strings*, and so is GetDatasetRecords' ``records`` (MLflow's wire).
"""

from __future__ import annotations

from typing import Any

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.common import Int64

__all__ = [
    "DatasetDiffResponse",
    "DatasetExperimentIdsResponse",
    "DatasetRecordChange",
    "DatasetRecordJson",
    "DatasetResponse",
    "DatasetVersionJson",
    "DeleteDatasetRecordsResponse",
    "EvaluationDatasetJson",
    "GetDatasetRecordsResponse",
    "ListDatasetVersionsResponse",
    "SearchEvaluationDatasetsResponse",
    "UpsertDatasetRecordsResponse",
    "VersionRecordsResponse",
]


class EvaluationDatasetJson(TypedDict):
    """An evaluation dataset (``tags``, ``schema``, ``profile``: JSON strings)."""

    dataset_id: str
    name: str
    tags: str
    schema: NotRequired[str]
    profile: NotRequired[str]
    digest: str
    created_time: Int64
    last_update_time: Int64
    created_by: NotRequired[str]
    last_updated_by: NotRequired[str]
    experiment_ids: list[str]
    version: int


class DatasetResponse(TypedDict):
    """CreateDataset, GetDataset, SetDatasetTags, Add/RemoveDatasetToExperiments."""

    dataset: EvaluationDatasetJson


class SearchEvaluationDatasetsResponse(TypedDict):
    """SearchEvaluationDatasets: one page; ``next_page_token`` only when more follow."""

    datasets: list[EvaluationDatasetJson]
    next_page_token: NotRequired[str]


class UpsertDatasetRecordsResponse(TypedDict):
    """UpsertDatasetRecords: records inserted and updated (merged), and Ardea's new version."""

    inserted_count: int
    updated_count: int
    version: int


class GetDatasetRecordsResponse(TypedDict):
    """GetDatasetRecords: ``records`` is a JSON string of the record list."""

    records: str
    next_page_token: NotRequired[str]


class DeleteDatasetRecordsResponse(TypedDict):
    """DeleteDatasetRecords: how many records went."""

    deleted_count: int


class DatasetExperimentIdsResponse(TypedDict):
    """GetDatasetExperimentIds."""

    experiment_ids: list[str]


class DatasetRecordJson(TypedDict):
    """One record (as inside GetDatasetRecords' ``records`` string)."""

    dataset_record_id: str
    dataset_id: str
    inputs: dict[str, Any]
    outputs: NotRequired[Any]
    expectations: NotRequired[dict[str, Any]]
    tags: dict[str, Any]
    source: NotRequired[dict[str, Any]]
    source_id: NotRequired[str]
    source_type: NotRequired[str]
    created_time: Int64
    last_update_time: Int64
    created_by: NotRequired[str]
    last_updated_by: NotRequired[str]


class VersionRecordsResponse(TypedDict):
    """Ardea's records of one version (plain JSON, not a string)."""

    records: list[DatasetRecordJson]
    next_page_token: NotRequired[str]


class DatasetVersionJson(TypedDict):
    """One version of a dataset: what made it and what it holds."""

    dataset_id: str
    version: int
    digest: str
    num_records: int
    change: str
    inserted: int
    updated: int
    deleted: int
    tags: dict[str, str]
    created_time: Int64
    created_by: NotRequired[str]


class ListDatasetVersionsResponse(TypedDict):
    """Ardea's versions of a dataset, newest first."""

    versions: list[DatasetVersionJson]
    next_page_token: NotRequired[str]


class DatasetRecordChange(TypedDict):
    """A record that differs between two versions; ``fields`` names what differs."""

    dataset_record_id: str
    fields: list[str]
    before: NotRequired[DatasetRecordJson]
    after: NotRequired[DatasetRecordJson]


class DatasetDiffResponse(TypedDict):
    """Ardea's diff of two versions."""

    dataset_id: str
    from_version: int
    to_version: int
    added: list[DatasetRecordChange]
    removed: list[DatasetRecordChange]
    changed: list[DatasetRecordChange]
    tags_before: dict[str, str]
    tags_after: dict[str, str]
