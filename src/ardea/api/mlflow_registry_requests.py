"""Specs of MLflow's model registry request messages (``model_registry.proto``).

One :class:`RequestSpec` per RPC of MLFLOW-WIRE.md section 7.2. Pure: no web framework.
"""

from __future__ import annotations

from ardea.api.request_parsing import Field, RequestSpec

__all__ = [
    "CREATE_MODEL_VERSION",
    "CREATE_REGISTERED_MODEL",
    "DELETE_MODEL_VERSION",
    "DELETE_MODEL_VERSION_TAG",
    "DELETE_REGISTERED_MODEL",
    "DELETE_REGISTERED_MODEL_ALIAS",
    "DELETE_REGISTERED_MODEL_TAG",
    "GET_LATEST_VERSIONS",
    "GET_MODEL_VERSION",
    "GET_MODEL_VERSION_BY_ALIAS",
    "GET_MODEL_VERSION_DOWNLOAD_URI",
    "GET_REGISTERED_MODEL",
    "RENAME_REGISTERED_MODEL",
    "SEARCH_MODEL_VERSIONS",
    "SEARCH_REGISTERED_MODELS",
    "SET_MODEL_VERSION_TAG",
    "SET_REGISTERED_MODEL_ALIAS",
    "SET_REGISTERED_MODEL_TAG",
    "TRANSITION_MODEL_VERSION_STAGE",
    "UPDATE_MODEL_VERSION",
    "UPDATE_REGISTERED_MODEL",
]

_S, _SR = Field("string"), Field("string", required=True)
_I = Field("int64")
_STRS = Field("string", repeated=True)


def _spec(spec_name: str, /, **fields: Field) -> RequestSpec:
    return RequestSpec(spec_name, fields, {})


_TAG = _spec("Tag", key=_SR, value=_S)
_TAGS = Field("message", repeated=True, message=_TAG)
_SEARCH = {"filter": _S, "max_results": _I, "order_by": _STRS, "page_token": _S}

CREATE_REGISTERED_MODEL = _spec(
    "CreateRegisteredModel", name=_SR, tags=_TAGS, description=_S, deployment_job_id=_S
)
GET_REGISTERED_MODEL = _spec("GetRegisteredModel", name=_SR)
RENAME_REGISTERED_MODEL = _spec("RenameRegisteredModel", name=_SR, new_name=_S)
UPDATE_REGISTERED_MODEL = _spec(
    "UpdateRegisteredModel", name=_SR, description=_S, deployment_job_id=_S
)
DELETE_REGISTERED_MODEL = _spec("DeleteRegisteredModel", name=_SR)
SEARCH_REGISTERED_MODELS = _spec("SearchRegisteredModels", **_SEARCH)
GET_LATEST_VERSIONS = _spec("GetLatestVersions", name=_SR, stages=_STRS)
SET_REGISTERED_MODEL_TAG = _spec("SetRegisteredModelTag", name=_SR, key=_SR, value=_S)
DELETE_REGISTERED_MODEL_TAG = _spec("DeleteRegisteredModelTag", name=_SR, key=_SR)
SET_REGISTERED_MODEL_ALIAS = _spec("SetRegisteredModelAlias", name=_SR, alias=_SR, version=_SR)
DELETE_REGISTERED_MODEL_ALIAS = _spec("DeleteRegisteredModelAlias", name=_SR, alias=_SR)
GET_MODEL_VERSION_BY_ALIAS = _spec("GetModelVersionByAlias", name=_SR, alias=_SR)

CREATE_MODEL_VERSION = _spec(
    "CreateModelVersion",
    name=_SR,
    source=_SR,
    run_id=_S,
    tags=_TAGS,
    run_link=_S,
    description=_S,
    model_id=_S,
)
GET_MODEL_VERSION = _spec("GetModelVersion", name=_SR, version=_SR)
UPDATE_MODEL_VERSION = _spec("UpdateModelVersion", name=_SR, version=_SR, description=_S)
DELETE_MODEL_VERSION = _spec("DeleteModelVersion", name=_SR, version=_SR)
SEARCH_MODEL_VERSIONS = _spec("SearchModelVersions", **_SEARCH)
GET_MODEL_VERSION_DOWNLOAD_URI = _spec("GetModelVersionDownloadUri", name=_SR, version=_SR)
TRANSITION_MODEL_VERSION_STAGE = _spec(
    "TransitionModelVersionStage",
    name=_SR,
    version=_SR,
    stage=_SR,
    archive_existing_versions=Field("bool", required=True),
)
SET_MODEL_VERSION_TAG = _spec("SetModelVersionTag", name=_SR, version=_SR, key=_SR, value=_S)
DELETE_MODEL_VERSION_TAG = _spec("DeleteModelVersionTag", name=_SR, version=_SR, key=_SR)
