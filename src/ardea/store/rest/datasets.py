"""Evaluation datasets over a server's ``/api/3.0/mlflow/datasets`` API.

MLflow 3.x servers speak it too; the version routes (``/api/3.0/ardea/datasets``) are an
Ardea server's only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from ardea.api.mlflow_dataset_json import (
    dataset_from_json,
    diff_from_json,
    record_from_json,
    version_from_json,
)
from ardea.entities import PagedList
from ardea.entities.dataset import DatasetDiff, DatasetRecord, DatasetVersion, EvaluationDataset
from ardea.store.datasets import (
    DATASETS_MAX_RESULTS_DEFAULT,
    RECORDS_MAX_RESULTS_DEFAULT,
    DatasetStore,
    UpsertResult,
)
from ardea.store.rest.http import RestClient

__all__ = ["RestDatasetStore"]

_PATH = "/api/3.0/mlflow/datasets"
_ARDEA = "/api/3.0/ardea/datasets"


def _one(dataset_id: str, base: str = _PATH) -> str:
    return f"{base}/{quote(dataset_id, safe='')}"


class RestDatasetStore(DatasetStore):
    """A :class:`DatasetStore` that is a client of a server.

    Args:
        uri: The server's ``http(s)://host:port[/prefix]`` URL.
        rest: Optional ready-made :class:`RestClient` (shared with the backend's other stores).
    """

    def __init__(self, uri: str, *, rest: RestClient | None = None) -> None:
        self.uri = uri.rstrip("/")
        self._rest = rest or RestClient(self.uri)

    def _dataset(self, method: str, path: str, body: dict[str, Any]) -> EvaluationDataset:
        return dataset_from_json(self._rest.call(method, path, json=body)["dataset"])

    def create_dataset(
        self,
        name: str,
        tags: Mapping[str, str] | None = None,
        experiment_ids: Sequence[str] | None = None,
    ) -> EvaluationDataset:
        """Create a dataset."""
        body: dict[str, Any] = {"name": name, "experiment_ids": list(experiment_ids or [])}
        if tags:
            body["tags"] = json.dumps(dict(tags))
        return self._dataset("POST", f"{_PATH}/create", body)

    def get_dataset(self, dataset_id: str) -> EvaluationDataset:
        """One dataset."""
        return dataset_from_json(self._rest.call("GET", _one(dataset_id))["dataset"])

    def delete_dataset(self, dataset_id: str) -> None:
        """Delete a dataset."""
        self._rest.call("DELETE", _one(dataset_id))

    def search_datasets(
        self,
        experiment_ids: Sequence[str] | None = None,
        filter_string: str | None = None,
        max_results: int = DATASETS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[EvaluationDataset]:
        """Search datasets."""
        body: dict[str, Any] = {
            "experiment_ids": list(experiment_ids or []),
            "max_results": max_results,
            "order_by": list(order_by or []),
        }
        if filter_string:
            body["filter_string"] = filter_string
        if page_token:
            body["page_token"] = page_token
        out = self._rest.call("POST", f"{_PATH}/search", json=body)
        items = [dataset_from_json(d) for d in out.get("datasets") or []]
        return PagedList(items, out.get("next_page_token") or None)

    def set_tags(self, dataset_id: str, tags: Mapping[str, Any]) -> EvaluationDataset:
        """Set tags."""
        body = {"tags": json.dumps(dict(tags))}
        out = self._rest.call("PATCH", f"{_one(dataset_id)}/tags", json=body)
        found = out.get("dataset")
        return dataset_from_json(found) if found else self.get_dataset(dataset_id)

    def delete_tag(self, dataset_id: str, key: str) -> None:
        """Delete one tag."""
        self._rest.call("DELETE", f"{_one(dataset_id)}/tags/{quote(key, safe='')}")

    def upsert_records(self, dataset_id: str, records: Sequence[Mapping[str, Any]]) -> UpsertResult:
        """Insert or merge records (one request)."""
        body = {"records": json.dumps(list(records), allow_nan=False)}
        out = self._rest.call("POST", f"{_one(dataset_id)}/records", json=body)
        return UpsertResult(
            int(out.get("inserted_count") or 0),
            int(out.get("updated_count") or 0),
            int(out.get("version") or 0),
        )

    def get_records(
        self,
        dataset_id: str,
        max_results: int = RECORDS_MAX_RESULTS_DEFAULT,
        page_token: str | None = None,
        version: int | None = None,
    ) -> PagedList[DatasetRecord]:
        """A page of records (of ``version``: Ardea's route)."""
        params: dict[str, Any] = {"max_results": max_results, "page_token": page_token}
        if version is None:
            out = self._rest.call("GET", f"{_one(dataset_id)}/records", params=params)
            raw = json.loads(out.get("records") or "[]")
        else:
            path = f"{_one(dataset_id, _ARDEA)}/versions/{int(version)}/records"
            out = self._rest.call("GET", path, params=params)
            raw = out.get("records") or []
        return PagedList([record_from_json(r) for r in raw], out.get("next_page_token") or None)

    def delete_records(self, dataset_id: str, record_ids: Sequence[str]) -> int:
        """Delete records by id."""
        body = {"dataset_record_ids": list(record_ids)}
        out = self._rest.call("DELETE", f"{_one(dataset_id)}/records", json=body)
        return int(out.get("deleted_count") or 0)

    def get_experiment_ids(self, dataset_id: str) -> list[str]:
        """Linked experiments."""
        out = self._rest.call("GET", f"{_one(dataset_id)}/experiment-ids")
        return [str(e) for e in out.get("experiment_ids") or []]

    def add_to_experiments(
        self, dataset_id: str, experiment_ids: Sequence[str]
    ) -> EvaluationDataset:
        """Link experiments."""
        body = {"experiment_ids": [str(e) for e in experiment_ids]}
        return self._dataset("POST", f"{_one(dataset_id)}/add-experiments", body)

    def remove_from_experiments(
        self, dataset_id: str, experiment_ids: Sequence[str]
    ) -> EvaluationDataset:
        """Unlink experiments."""
        body = {"experiment_ids": [str(e) for e in experiment_ids]}
        return self._dataset("POST", f"{_one(dataset_id)}/remove-experiments", body)

    def list_versions(
        self, dataset_id: str, max_results: int = 100, page_token: str | None = None
    ) -> PagedList[DatasetVersion]:
        """Versions, newest first."""
        params = {"max_results": max_results, "page_token": page_token}
        out = self._rest.call("GET", f"{_one(dataset_id, _ARDEA)}/versions", params=params)
        items = [version_from_json(v) for v in out.get("versions") or []]
        return PagedList(items, out.get("next_page_token") or None)

    def diff_versions(self, dataset_id: str, from_version: int, to_version: int) -> DatasetDiff:
        """What changed between two versions."""
        params = {"from_version": from_version, "to_version": to_version}
        return diff_from_json(
            self._rest.call("GET", f"{_one(dataset_id, _ARDEA)}/diff", params=params)
        )
