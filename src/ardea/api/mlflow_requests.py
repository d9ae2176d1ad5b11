"""Declarative specs of MLflow's request messages, one per RPC, and their parser.

Each constant (``LOG_METRIC``, ``SEARCH_RUNS``, ...) is a :class:`RequestSpec` listing the
fields of one request, their wire types (string, int64, double, bool, enum, repeated, nested
message) and which are required, following ``mlflow/server/handlers.py``. The server parses
requests with :func:`parse_query` (GET) and :func:`parse_body` (JSON bodies), re-exported here
from :mod:`ardea.api.request_parsing`. This module is pure: no web framework is imported.
"""

from __future__ import annotations

from collections.abc import Mapping

from ardea.api.request_parsing import (
    Field,
    RequestSpec,
    check_json_content_type,
    decode_body,
    missing_value,
    parse_body,
    parse_dict,
    parse_metrics,
    parse_query,
)

__all__ = [
    "Field",
    "RequestSpec",
    "check_json_content_type",
    "decode_body",
    "missing_value",
    "parse_body",
    "parse_dict",
    "parse_metrics",
    "parse_query",
]

# ---------------------------------------------------------------------------------------------
# Field helpers and enums
# ---------------------------------------------------------------------------------------------

RUN_STATUS = {"RUNNING": 1, "SCHEDULED": 2, "FINISHED": 3, "FAILED": 4, "KILLED": 5}
"""RunStatus enum: name -> proto number."""
VIEW_TYPE = {"ACTIVE_ONLY": 1, "DELETED_ONLY": 2, "ALL": 3}
"""ViewType enum: name -> proto number."""
LOGGED_MODEL_STATUS = {
    "LOGGED_MODEL_STATUS_UNSPECIFIED": 0,
    "LOGGED_MODEL_PENDING": 1,
    "LOGGED_MODEL_READY": 2,
    "LOGGED_MODEL_UPLOAD_FAILED": 3,
}
"""LoggedModelStatus enum: name -> proto number."""

_S, _SR = Field("string"), Field("string", required=True)
_I, _IR = Field("int64"), Field("int64", required=True)
_B = Field("bool")
_STRS = Field("string", repeated=True)


def _spec(
    spec_name: str, aliases: Mapping[str, str] | None = None, /, **fields: Field
) -> RequestSpec:
    return RequestSpec(spec_name, fields, aliases or {})


def _msgs(spec: RequestSpec, required: bool = False) -> Field:
    return Field("message", required=required, repeated=True, message=spec)


_RUN_ID = {"run_uuid": "run_id"}
_KV = _spec("KeyValue", key=_SR, value=_S)
_METRIC = _spec(
    "Metric",
    key=_SR,
    value=Field("double", required=True),
    timestamp=_IR,
    step=_I,
    model_id=_S,
    dataset_name=_S,
    dataset_digest=_S,
    run_id=_S,
)
_DATASET = _spec("Dataset", name=_SR, digest=_SR, source_type=_S, source=_S, schema=_S, profile=_S)
_DATASET_INPUT = _spec("DatasetInput", tags=_msgs(_KV), dataset=Field("message", message=_DATASET))
_MODEL_INPUT = _spec("ModelInput", model_id=_SR)
_MODEL_OUTPUT = _spec("ModelOutput", model_id=_SR, step=_IR)

# ---------------------------------------------------------------------------------------------
# Experiments
# ---------------------------------------------------------------------------------------------

CREATE_EXPERIMENT = _spec("CreateExperiment", name=_SR, artifact_location=_S, tags=_msgs(_KV))
GET_EXPERIMENT = _spec("GetExperiment", experiment_id=_SR)
GET_EXPERIMENT_BY_NAME = _spec("GetExperimentByName", experiment_name=_SR)
SEARCH_EXPERIMENTS = _spec(
    "SearchExperiments",
    max_results=_I,
    page_token=_S,
    filter=_S,
    order_by=_STRS,
    view_type=Field("enum", enum=VIEW_TYPE),
)
UPDATE_EXPERIMENT = _spec("UpdateExperiment", experiment_id=_SR, new_name=_SR)
DELETE_EXPERIMENT = _spec("DeleteExperiment", experiment_id=_SR)
RESTORE_EXPERIMENT = _spec("RestoreExperiment", experiment_id=_SR)
SET_EXPERIMENT_TAG = _spec("SetExperimentTag", experiment_id=_SR, key=_SR, value=_S)
DELETE_EXPERIMENT_TAG = _spec("DeleteExperimentTag", experiment_id=_SR, key=_SR)
SEARCH_DATASETS = _spec("SearchDatasets", experiment_ids=_STRS)

# ---------------------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------------------

CREATE_RUN = _spec(
    "CreateRun", experiment_id=_S, user_id=_S, run_name=_S, start_time=_I, tags=_msgs(_KV)
)
CREATE_PROMPTLAB_RUN = _spec(
    "CreatePromptlabRun",
    experiment_id=_SR,
    run_name=_S,
    tags=_msgs(_KV),
    prompt_template=_SR,
    prompt_parameters=_msgs(_KV, required=True),
    model_route=_SR,
    model_parameters=_msgs(_KV),
    model_input=_SR,
    model_output=_S,
    model_output_parameters=_msgs(_KV),
    mlflow_version=_SR,
    user_id=_S,
    start_time=_I,
)
"""The UI's prompt-lab run (documentation: the handler checks fields in MLflow's order)."""
GET_RUN = _spec("GetRun", _RUN_ID, run_id=_SR)
UPDATE_RUN = _spec(
    "UpdateRun",
    _RUN_ID,
    run_id=_SR,
    status=Field("enum", enum=RUN_STATUS),
    end_time=_I,
    run_name=_S,
)
DELETE_RUN = _spec("DeleteRun", run_id=_SR)
RESTORE_RUN = _spec("RestoreRun", run_id=_SR)
LOG_PARAM = _spec("LogParam", _RUN_ID, run_id=_SR, key=_SR, value=_S)
LOG_METRIC = _spec(
    "LogMetric",
    _RUN_ID,
    run_id=_SR,
    key=_SR,
    value=Field("double", required=True),
    timestamp=_IR,
    step=_I,
    model_id=_S,
    dataset_name=_S,
    dataset_digest=_S,
)
SET_TAG = _spec("SetTag", _RUN_ID, run_id=_SR, key=_SR, value=_S)
DELETE_TAG = _spec("DeleteTag", run_id=_SR, key=_SR)
LOG_BATCH = _spec(
    "LogBatch", run_id=_SR, metrics=_msgs(_METRIC), params=_msgs(_KV), tags=_msgs(_KV)
)
LOG_BATCH_HEAD = _spec("LogBatch", run_id=_SR, params=_msgs(_KV), tags=_msgs(_KV))
"""LogBatch without its metrics, which :func:`parse_metrics` parses with :data:`METRIC`."""
METRIC = _METRIC
"""The Metric message."""
LOG_INPUTS = _spec(
    "LogInputs", run_id=_SR, datasets=_msgs(_DATASET_INPUT), models=_msgs(_MODEL_INPUT)
)
LOG_OUTPUTS = _spec("LogOutputs", run_id=_SR, models=_msgs(_MODEL_OUTPUT))
LOG_MODEL = _spec("LogModel", run_id=_SR, model_json=_SR)
SEARCH_RUNS = _spec(
    "SearchRuns",
    experiment_ids=_STRS,
    filter=_S,
    run_view_type=Field("enum", enum=VIEW_TYPE),
    max_results=_I,
    order_by=_STRS,
    page_token=_S,
)

# ---------------------------------------------------------------------------------------------
# Metric history
# ---------------------------------------------------------------------------------------------

GET_METRIC_HISTORY = _spec(
    "GetMetricHistory", _RUN_ID, run_id=_SR, metric_key=_SR, max_results=_I, page_token=_S
)
GET_METRIC_HISTORY_BULK_INTERVAL = _spec(
    "GetMetricHistoryBulkInterval",
    run_ids=Field("string", required=True, repeated=True),
    metric_key=_SR,
    start_step=_I,
    end_step=_I,
    max_results=_I,
)
GET_METRIC_HISTORY_BULK = _spec("GetMetricHistoryBulk", run_id=_STRS, metric_key=_S, max_results=_I)

# ---------------------------------------------------------------------------------------------
# Logged models
# ---------------------------------------------------------------------------------------------

CREATE_LOGGED_MODEL = _spec(
    "CreateLoggedModel",
    experiment_id=_SR,
    name=_S,
    model_type=_S,
    source_run_id=_S,
    params=_msgs(_KV),
    tags=_msgs(_KV),
)
GET_LOGGED_MODEL = _spec("GetLoggedModel", allow_deleted=_B)
FINALIZE_LOGGED_MODEL = _spec(
    "FinalizeLoggedModel",
    model_id=_S,
    status=Field("enum", required=True, enum=LOGGED_MODEL_STATUS),
)
DELETE_LOGGED_MODEL = _spec("DeleteLoggedModel", model_id=_S)
SET_LOGGED_MODEL_TAGS = _spec("SetLoggedModelTags", model_id=_S, tags=_msgs(_KV))
LOG_LOGGED_MODEL_PARAMS = _spec("LogLoggedModelParams", model_id=_S, params=_msgs(_KV))
_ORDER_BY = _spec("OrderBy", field_name=_SR, ascending=_B, dataset_name=_S, dataset_digest=_S)
_DATASET_FILTER = _spec("DatasetFilter", dataset_name=_SR, dataset_digest=_S)
SEARCH_LOGGED_MODELS = _spec(
    "SearchLoggedModels",
    experiment_ids=_STRS,
    filter=_S,
    datasets=_msgs(_DATASET_FILTER),
    max_results=_I,
    order_by=_msgs(_ORDER_BY),
    page_token=_S,
)
LIST_LOGGED_MODEL_ARTIFACTS = _spec(
    "ListLoggedModelArtifacts", artifact_directory_path=_S, page_token=_S
)
GET_LOGGED_MODEL_ARTIFACT = _spec("GetLoggedModelArtifact", artifact_file_path=_SR)

# ---------------------------------------------------------------------------------------------
# Artifacts
# ---------------------------------------------------------------------------------------------

LIST_ARTIFACTS = _spec("ListArtifacts", _RUN_ID, run_id=_SR, path=_S, page_token=_S)
GET_RUN_ARTIFACT = _spec("GetArtifact", _RUN_ID, run_id=_SR, path=_SR)
UI_UPLOAD_ARTIFACT = _spec("UploadArtifact", _RUN_ID, run_id=_S, path=_S)
LIST_PROXIED_ARTIFACTS = _spec("ListArtifactsMlflowArtifacts", path=_S)
CREATE_MULTIPART_UPLOAD = _spec("CreateMultipartUpload", path=_SR, num_parts=_I)
_PART = _spec("MultipartUploadPart", part_number=_IR, etag=_S, url=_S)
COMPLETE_MULTIPART_UPLOAD = _spec(
    "CompleteMultipartUpload", path=_SR, upload_id=_SR, parts=_msgs(_PART)
)
ABORT_MULTIPART_UPLOAD = _spec("AbortMultipartUpload", path=_SR, upload_id=_SR)
UPLOAD_PART = _spec("UploadPart", upload_id=_SR, part_number=_IR)
