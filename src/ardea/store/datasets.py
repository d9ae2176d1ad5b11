"""The evaluation dataset store contract (MLflow's dataset RPCs, plus versions and diffs).

Backends: ``store.sql.datasets.SqlDatasetStore`` (on the tracking database) and
``store.rest.datasets.RestDatasetStore`` (a server's ``/api/3.0/mlflow/datasets`` API and
Ardea's ``/api/3.0/ardea/datasets`` extras).

Conventions (as the other stores): ``get_*`` and every call naming a dataset raise
:class:`ardea.NotFoundError` for an unknown id (or one of another workspace); bad input
raises :class:`ardea.InvalidArgumentError` and stores nothing; lists are :class:`PagedList`
whose ``token`` continues them; times are epoch milliseconds.

Versions: a new dataset is version 1; every call that changes its records or tags
(:meth:`DatasetStore.upsert_records` that changes something, :meth:`delete_records` that
deletes something, :meth:`set_tags`, :meth:`delete_tag` of a tag there is) makes the next
version. Linking experiments is not a change of the dataset's content and makes none.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ardea.entities import PagedList
from ardea.entities.dataset import DatasetDiff, DatasetRecord, DatasetVersion, EvaluationDataset

__all__ = [
    "DATASETS_MAX_RESULTS_DEFAULT",
    "DATASETS_MAX_RESULTS_LIMIT",
    "RECORDS_MAX_RESULTS_DEFAULT",
    "RECORDS_MAX_RESULTS_LIMIT",
    "DatasetStore",
    "UnsupportedDatasetStore",
    "UpsertResult",
]

DATASETS_MAX_RESULTS_DEFAULT = 1000
"""Page size of a dataset search without ``max_results`` (MLflow's)."""
DATASETS_MAX_RESULTS_LIMIT = 1000
"""Largest ``max_results`` of a dataset search."""
RECORDS_MAX_RESULTS_DEFAULT = 1000
"""Page size of a records read without ``max_results`` (MLflow's)."""
RECORDS_MAX_RESULTS_LIMIT = 10_000
"""Largest page of records."""


@dataclass(frozen=True)
class UpsertResult:
    """What an upsert did.

    Attributes:
        inserted: Records added.
        updated: Records whose inputs were there already (merged, MLflow's count).
        version: The dataset's version after the call (unchanged when nothing changed).
    """

    inserted: int
    updated: int
    version: int


class DatasetStore(ABC):
    """Evaluation datasets: metadata, records, tags, experiment links, versions."""

    @abstractmethod
    def create_dataset(
        self,
        name: str,
        tags: Mapping[str, str] | None = None,
        experiment_ids: Sequence[str] | None = None,
    ) -> EvaluationDataset:
        """Create a dataset (version 1, no records); the ``mlflow.user`` tag is its creator.

        Raises:
            NotFoundError: An experiment id names no experiment.
        """

    @abstractmethod
    def get_dataset(self, dataset_id: str) -> EvaluationDataset:
        """One dataset's metadata (with its experiment ids and current version)."""

    @abstractmethod
    def delete_dataset(self, dataset_id: str) -> None:
        """Delete a dataset with its records, versions, tags and experiment links."""

    @abstractmethod
    def search_datasets(
        self,
        experiment_ids: Sequence[str] | None = None,
        filter_string: str | None = None,
        max_results: int = DATASETS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[EvaluationDataset]:
        """Datasets linked to any of ``experiment_ids`` (all when None or empty), filtered.

        The filter may use ``name``, ``created_by``, ``last_updated_by``, ``created_time``,
        ``last_update_time`` and ``tags.<key>`` (AND only); ``created_time DESC`` by default.
        """

    @abstractmethod
    def set_tags(self, dataset_id: str, tags: Mapping[str, Any]) -> EvaluationDataset:
        """Set tags (merged with the others; a None value is skipped, as in MLflow)."""

    @abstractmethod
    def delete_tag(self, dataset_id: str, key: str) -> None:
        """Delete one tag (a tag that is not there: nothing happens, no new version)."""

    @abstractmethod
    def upsert_records(self, dataset_id: str, records: Sequence[Mapping[str, Any]]) -> UpsertResult:
        """Insert records, or merge them into the record with the same inputs.

        See :mod:`ardea.entities.dataset_records` for the identity, merge and limits.

        Raises:
            InvalidArgumentError: A record of the wrong shape or too large (nothing stored).
        """

    @abstractmethod
    def get_records(
        self,
        dataset_id: str,
        max_results: int = RECORDS_MAX_RESULTS_DEFAULT,
        page_token: str | None = None,
        version: int | None = None,
    ) -> PagedList[DatasetRecord]:
        """The records of the current version (or of ``version``), oldest first."""

    @abstractmethod
    def delete_records(self, dataset_id: str, record_ids: Sequence[str]) -> int:
        """Delete records by id (unknown ids are ignored); answers how many went."""

    @abstractmethod
    def get_experiment_ids(self, dataset_id: str) -> list[str]:
        """The experiments the dataset is linked to."""

    @abstractmethod
    def add_to_experiments(
        self, dataset_id: str, experiment_ids: Sequence[str]
    ) -> EvaluationDataset:
        """Link the dataset to more experiments (already linked ones are kept once)."""

    @abstractmethod
    def remove_from_experiments(
        self, dataset_id: str, experiment_ids: Sequence[str]
    ) -> EvaluationDataset:
        """Unlink experiments (those not linked are ignored)."""

    @abstractmethod
    def list_versions(
        self, dataset_id: str, max_results: int = 100, page_token: str | None = None
    ) -> PagedList[DatasetVersion]:
        """The dataset's versions, newest first."""

    @abstractmethod
    def diff_versions(self, dataset_id: str, from_version: int, to_version: int) -> DatasetDiff:
        """What changed between two versions (records added, removed and changed; tags)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (nothing by default)."""


def _unsupported(*args: Any, **kwargs: Any) -> Any:
    from ardea._core.errors import NotImplementedFeatureError

    raise NotImplementedFeatureError("This backend has no evaluation dataset store.")


class UnsupportedDatasetStore(DatasetStore):
    """A backend without datasets: every call raises NotImplementedFeatureError."""

    create_dataset = get_dataset = delete_dataset = search_datasets = _unsupported
    set_tags = delete_tag = upsert_records = get_records = delete_records = _unsupported
    get_experiment_ids = add_to_experiments = remove_from_experiments = _unsupported
    list_versions = diff_versions = _unsupported
