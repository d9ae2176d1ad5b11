"""Evaluation dataset RPCs (MLflow 3.x ``datasets.proto``; MLFLOW-WIRE.md section 11.4).

Mounted under ``/api/3.0`` and ``/ajax-api/3.0``:

| RPC | Method + path | Answer |
|---|---|---|
| CreateDataset | POST ``/mlflow/datasets/create`` | ``{dataset}`` |
| SearchEvaluationDatasets | POST (or GET) ``/mlflow/datasets/search`` | ``{datasets, next_page_token}`` |
| GetDataset | GET ``/mlflow/datasets/{dataset_id}`` | ``{dataset}`` |
| DeleteDataset | DELETE ``/mlflow/datasets/{dataset_id}`` | ``{}`` |
| SetDatasetTags | PATCH ``/mlflow/datasets/{dataset_id}/tags`` (``tags``: JSON string) | ``{dataset}`` |
| DeleteDatasetTag | DELETE ``/mlflow/datasets/{dataset_id}/tags/{key}`` | ``{}`` |
| UpsertDatasetRecords | POST ``/mlflow/datasets/{dataset_id}/records`` (``records``: JSON string) | ``{inserted_count, updated_count}`` |
| GetDatasetRecords | GET ``/mlflow/datasets/{dataset_id}/records`` | ``{records: JSON string, next_page_token}`` |
| DeleteDatasetRecords | DELETE ``/mlflow/datasets/{dataset_id}/records`` | ``{deleted_count}`` |
| GetDatasetExperimentIds | GET ``/mlflow/datasets/{dataset_id}/experiment-ids`` | ``{experiment_ids}`` |
| AddDatasetToExperiments | POST ``/mlflow/datasets/{dataset_id}/add-experiments`` | ``{dataset}`` |
| RemoveDatasetFromExperiments | POST ``/mlflow/datasets/{dataset_id}/remove-experiments`` | ``{dataset}`` |

Ardea's own (versions): GET ``/ardea/datasets/{dataset_id}/versions``,
``/ardea/datasets/{dataset_id}/versions/{version}/records`` and
``/ardea/datasets/{dataset_id}/diff?from_version=&to_version=``.

Access: creating needs create rights in the workspace (the creator gets MANAGE); reading a
dataset READ, changing it EDIT, deleting it MANAGE; searches return what the caller may read.
Where MLflow is lenient Ardea answers 404 for an unknown dataset (delete, delete tag).
"""  # noqa: E501

from __future__ import annotations

import json
from typing import Any

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError
from ardea.api.mlflow_dataset_json import (
    dataset_to_json,
    diff_to_json,
    record_to_json,
    version_to_json,
)
from ardea.api.request_parsing import Field, RequestSpec
from ardea.api.schemas.common import EmptyResponse
from ardea.api.schemas.datasets import (
    DatasetDiffResponse,
    DatasetExperimentIdsResponse,
    DatasetResponse,
    DeleteDatasetRecordsResponse,
    GetDatasetRecordsResponse,
    ListDatasetVersionsResponse,
    SearchEvaluationDatasetsResponse,
    UpsertDatasetRecordsResponse,
    VersionRecordsResponse,
)
from ardea.entities.auth import ResourceType
from ardea.server import access_targets as at
from ardea.server.access import EDIT, MANAGE, READ, create, on, search
from ardea.server.deps import dataset_store
from ardea.server.http import call, empty, json_response, parse, parse_get, parse_json, rpc
from ardea.server.openapi_responses import INPUT_ERRORS
from ardea.store.datasets import DATASETS_MAX_RESULTS_DEFAULT, RECORDS_MAX_RESULTS_DEFAULT

__all__ = ["router"]

router = APIRouter()
"""Dataset routes, mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

_PATH = "/mlflow/datasets"
_ONE = _PATH + "/{dataset_id}"
_ARDEA = "/ardea/datasets/{dataset_id}"
_S = Field("string")
_SS = Field("string", repeated=True)
_I = Field("int64")

CREATE_DATASET = RequestSpec(
    "CreateDataset",
    {
        "name": Field("string", required=True),
        "experiment_ids": _SS,
        "source_type": _S,
        "source": _S,
        "schema": _S,
        "profile": _S,
        "created_by": _S,
        "tags": _S,
    },
)
SEARCH_DATASETS = RequestSpec(
    "SearchEvaluationDatasets",
    {
        "experiment_ids": _SS,
        "filter_string": _S,
        "max_results": _I,
        "order_by": _SS,
        "page_token": _S,
    },
)
SET_DATASET_TAGS = RequestSpec("SetDatasetTags", {"tags": Field("string", required=True)})
UPSERT_RECORDS = RequestSpec(
    "UpsertDatasetRecords", {"records": Field("string", required=True), "updated_by": _S}
)
GET_RECORDS = RequestSpec("GetDatasetRecords", {"max_results": _I, "page_token": _S})
DELETE_RECORDS = RequestSpec("DeleteDatasetRecords", {"dataset_record_ids": _SS})
DATASET_EXPERIMENTS = RequestSpec("AddDatasetToExperiments", {"experiment_ids": _SS})
LIST_VERSIONS = RequestSpec("ListDatasetVersions", {"max_results": _I, "page_token": _S})
VERSION_RECORDS = RequestSpec("GetDatasetVersionRecords", {"max_results": _I, "page_token": _S})
DIFF_VERSIONS = RequestSpec(
    "DiffDatasetVersions",
    {"from_version": Field("int64", required=True), "to_version": Field("int64", required=True)},
)

_DATASET = at.dataset()


def _json_string(text: str, field: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InvalidArgumentError(f"'{field}' must be a JSON string: {exc}") from None


def _tags(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    found = _json_string(text, "tags")
    if not isinstance(found, dict):
        raise InvalidArgumentError("'tags' must be a JSON string of an object")
    return found


def _dataset(d: Any) -> Response:
    return json_response({"dataset": dataset_to_json(d)})


def _id(request: Request) -> str:
    return str(request.path_params["dataset_id"])


@rpc(
    router,
    _PATH + "/create",
    "POST",
    access=create(
        at.all_of(
            at.workspace_target(ResourceType.EVALUATION_DATASET),
            at.needing(READ, at.experiments()),
        ),
        at.created_dataset,
        "dataset; READ on each experiment it names",
    ),
    response=DatasetResponse,
    errors=(400, 403, 404, 500),
    spec=CREATE_DATASET,
)
async def create_dataset(request: Request) -> Response:
    """CreateDataset -> ``{dataset}``; an unknown experiment id: 404."""
    req = await parse_json(request, CREATE_DATASET)
    store = dataset_store(request)
    made = await call(
        store.create_dataset, req["name"], _tags(req["tags"]), req["experiment_ids"] or []
    )
    return _dataset(made)


async def _search(request: Request) -> Response:
    req = await parse(request, SEARCH_DATASETS)
    page = await call(
        dataset_store(request).search_datasets,
        req["experiment_ids"] or None,
        req["filter_string"] or None,
        req["max_results"] or DATASETS_MAX_RESULTS_DEFAULT,
        req["order_by"] or None,
        req["page_token"] or None,
    )
    out: dict[str, Any] = {"datasets": [dataset_to_json(d) for d in page]}
    if page.token:
        out["next_page_token"] = page.token
    return json_response(out)


@rpc(
    router,
    _PATH + "/search",
    "POST",
    access=search(ResourceType.EVALUATION_DATASET),
    response=SearchEvaluationDatasetsResponse,
    errors=INPUT_ERRORS,
    spec=SEARCH_DATASETS,
)
async def search_evaluation_datasets(request: Request) -> Response:
    """SearchEvaluationDatasets -> ``{datasets, next_page_token}`` (``created_time DESC``)."""
    return await _search(request)


@rpc(
    router,
    _PATH + "/search",
    "GET",
    access=search(ResourceType.EVALUATION_DATASET),
    response=SearchEvaluationDatasetsResponse,
    errors=INPUT_ERRORS,
    spec=SEARCH_DATASETS,
)
async def search_evaluation_datasets_get(request: Request) -> Response:
    """SearchEvaluationDatasets by GET (query parameters)."""
    return await _search(request)


@rpc(router, _ONE, "GET", access=on(READ, _DATASET, "dataset"), response=DatasetResponse)
async def get_dataset(request: Request) -> Response:
    """GetDataset -> ``{dataset}``; unknown id: 404 RESOURCE_DOES_NOT_EXIST."""
    return _dataset(await call(dataset_store(request).get_dataset, _id(request)))


@rpc(
    router,
    _ONE,
    "DELETE",
    access=on(MANAGE, _DATASET, "dataset", after=at.drop_grants),
    response=EmptyResponse,
)
async def delete_dataset(request: Request) -> Response:
    """DeleteDataset -> ``{}`` (records, versions, tags and links go with it)."""
    await call(dataset_store(request).delete_dataset, _id(request))
    return empty()


@rpc(
    router,
    _ONE + "/tags",
    "PATCH",
    access=on(EDIT, _DATASET, "dataset"),
    response=DatasetResponse,
    spec=SET_DATASET_TAGS,
)
async def set_dataset_tags(request: Request) -> Response:
    """SetDatasetTags -> ``{dataset}``; ``tags`` is a JSON string of an object."""
    req = await parse_json(request, SET_DATASET_TAGS)
    tags = _tags(req["tags"])
    return _dataset(await call(dataset_store(request).set_tags, _id(request), tags))


@rpc(
    router,
    _ONE + "/tags/{key}",
    "DELETE",
    access=on(EDIT, _DATASET, "dataset"),
    response=EmptyResponse,
)
async def delete_dataset_tag(request: Request) -> Response:
    """DeleteDatasetTag -> ``{}`` (a tag that is not there: nothing happens)."""
    key = str(request.path_params["key"])
    await call(dataset_store(request).delete_tag, _id(request), key)
    return empty()


@rpc(
    router,
    _ONE + "/records",
    "POST",
    access=on(EDIT, _DATASET, "dataset"),
    response=UpsertDatasetRecordsResponse,
    spec=UPSERT_RECORDS,
)
async def upsert_dataset_records(request: Request) -> Response:
    """UpsertDatasetRecords -> ``{inserted_count, updated_count, version}``.

    ``records`` is a JSON string of a list; a bad record is a 400 and nothing is stored.
    """
    req = await parse_json(request, UPSERT_RECORDS)
    records = _json_string(req["records"], "records")
    if not isinstance(records, list):
        raise InvalidArgumentError("'records' must be a JSON string of a list of records")
    done = await call(dataset_store(request).upsert_records, _id(request), records)
    return json_response(
        {"inserted_count": done.inserted, "updated_count": done.updated, "version": done.version}
    )


@rpc(
    router,
    _ONE + "/records",
    "GET",
    access=on(READ, _DATASET, "dataset"),
    response=GetDatasetRecordsResponse,
    spec=GET_RECORDS,
)
async def get_dataset_records(request: Request) -> Response:
    """GetDatasetRecords -> ``{records: "<JSON list>", next_page_token}``."""
    req = parse_get(request, GET_RECORDS)
    page = await call(
        dataset_store(request).get_records,
        _id(request),
        req["max_results"] or RECORDS_MAX_RESULTS_DEFAULT,
        req["page_token"] or None,
    )
    records = orjson.dumps([record_to_json(r) for r in page]).decode()
    out: dict[str, Any] = {"records": records}
    if page.token:
        out["next_page_token"] = page.token
    return json_response(out)


@rpc(
    router,
    _ONE + "/records",
    "DELETE",
    access=on(EDIT, _DATASET, "dataset"),
    response=DeleteDatasetRecordsResponse,
    spec=DELETE_RECORDS,
)
async def delete_dataset_records(request: Request) -> Response:
    """DeleteDatasetRecords -> ``{deleted_count}`` (unknown ids are ignored)."""
    req = await parse_json(request, DELETE_RECORDS)
    ids = req["dataset_record_ids"] or []
    deleted = await call(dataset_store(request).delete_records, _id(request), ids)
    return json_response({"deleted_count": deleted})


@rpc(
    router,
    _ONE + "/experiment-ids",
    "GET",
    access=on(READ, _DATASET, "dataset"),
    response=DatasetExperimentIdsResponse,
)
async def get_dataset_experiment_ids(request: Request) -> Response:
    """GetDatasetExperimentIds -> ``{experiment_ids}``."""
    ids = await call(dataset_store(request).get_experiment_ids, _id(request))
    return json_response({"experiment_ids": ids})


_LINKS = at.all_of(_DATASET, at.needing(READ, at.experiments()))


@rpc(
    router,
    _ONE + "/add-experiments",
    "POST",
    access=on(EDIT, _LINKS, "dataset; READ on each experiment"),
    response=DatasetResponse,
    spec=DATASET_EXPERIMENTS,
)
async def add_dataset_to_experiments(request: Request) -> Response:
    """AddDatasetToExperiments -> ``{dataset}``; an unknown experiment: 404."""
    req = await parse_json(request, DATASET_EXPERIMENTS)
    store = dataset_store(request)
    return _dataset(await call(store.add_to_experiments, _id(request), req["experiment_ids"]))


@rpc(
    router,
    _ONE + "/remove-experiments",
    "POST",
    access=on(EDIT, _DATASET, "dataset"),
    response=DatasetResponse,
    spec=DATASET_EXPERIMENTS,
)
async def remove_dataset_from_experiments(request: Request) -> Response:
    """RemoveDatasetFromExperiments -> ``{dataset}`` (experiments not linked are ignored)."""
    req = await parse_json(request, DATASET_EXPERIMENTS)
    store = dataset_store(request)
    ids = req["experiment_ids"] or []
    return _dataset(await call(store.remove_from_experiments, _id(request), ids))


# -- Ardea's own: versions --------------------------------------------------------------------


@rpc(
    router,
    _ARDEA + "/versions",
    "GET",
    access=on(READ, _DATASET, "dataset"),
    response=ListDatasetVersionsResponse,
    spec=LIST_VERSIONS,
)
async def list_dataset_versions(request: Request) -> Response:
    """The dataset's versions, newest first: ``{versions, next_page_token}``."""
    req = parse_get(request, LIST_VERSIONS)
    page = await call(
        dataset_store(request).list_versions,
        _id(request),
        req["max_results"] or 100,
        req["page_token"] or None,
    )
    out: dict[str, Any] = {"versions": [version_to_json(v) for v in page]}
    if page.token:
        out["next_page_token"] = page.token
    return json_response(out)


@rpc(
    router,
    _ARDEA + "/versions/{version}/records",
    "GET",
    access=on(READ, _DATASET, "dataset"),
    response=VersionRecordsResponse,
    spec=VERSION_RECORDS,
)
async def get_dataset_version_records(request: Request) -> Response:
    """One version's records (plain JSON): ``{records, next_page_token}``; no such version: 404."""
    req = parse_get(request, VERSION_RECORDS)
    text = str(request.path_params["version"])
    if not text.isdigit():
        raise InvalidArgumentError(f"Invalid version {text[:40]!r}: a positive integer")
    page = await call(
        dataset_store(request).get_records,
        _id(request),
        req["max_results"] or RECORDS_MAX_RESULTS_DEFAULT,
        req["page_token"] or None,
        int(text),
    )
    out: dict[str, Any] = {"records": [record_to_json(r) for r in page]}
    if page.token:
        out["next_page_token"] = page.token
    return json_response(out)


@rpc(
    router,
    _ARDEA + "/diff",
    "GET",
    access=on(READ, _DATASET, "dataset"),
    response=DatasetDiffResponse,
    spec=DIFF_VERSIONS,
)
async def diff_dataset_versions(request: Request) -> Response:
    """Records added, removed and changed (with the fields) from one version to another."""
    req = parse_get(request, DIFF_VERSIONS)
    diff = await call(
        dataset_store(request).diff_versions,
        _id(request),
        req["from_version"],
        req["to_version"],
    )
    return json_response(diff_to_json(diff))
