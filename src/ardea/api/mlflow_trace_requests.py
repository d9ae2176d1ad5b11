"""Specs of MLflow's trace and assessment request messages (``mlflow/protos/service.proto``).

Messages with free-form parts (``TraceInfoV3``, ``Assessment``) are parsed by
:mod:`ardea.api.mlflow_trace_json`; these specs cover the rest. Pure: no web framework.
"""

from __future__ import annotations

from ardea.api.request_parsing import Field, RequestSpec

__all__ = [
    "BATCH_GET_TRACES",
    "DELETE_TRACES",
    "DELETE_TRACE_TAG",
    "GET_TRACE",
    "GET_TRACE_ARTIFACT",
    "LINK_PROMPTS_TO_TRACE",
    "LINK_TRACES_TO_RUN",
    "SEARCH_TRACES_V3",
    "SET_TRACE_TAG",
]

_S, _SR = Field("string"), Field("string", required=True)
_I = Field("int64")
_STRS = Field("string", repeated=True)

_EXPERIMENT_LOCATION = RequestSpec("MlflowExperimentLocation", {"experiment_id": _S}, {})
_TRACE_LOCATION = RequestSpec(
    "TraceLocation",
    {
        "type": _S,
        "mlflow_experiment": Field("message", message=_EXPERIMENT_LOCATION),
        "inference_table": Field("message", message=RequestSpec("InferenceTable", {}, {})),
    },
    {},
)
_PROMPT_VERSION = RequestSpec("PromptVersionRef", {"name": _SR, "version": _SR}, {})

GET_TRACE = RequestSpec("GetTrace", {"trace_id": _SR, "allow_partial": Field("bool")}, {})
"""GetTrace (``GET /traces/get``)."""
BATCH_GET_TRACES = RequestSpec(
    "BatchGetTraces",
    {"trace_ids": Field("string", required=True, repeated=True), "experiment_ids": _STRS},
    {},
)
"""BatchGetTraces and BatchGetTraceInfos."""
SEARCH_TRACES_V3 = RequestSpec(
    "SearchTracesV3",
    {
        "locations": Field("message", repeated=True, message=_TRACE_LOCATION),
        "experiment_ids": _STRS,
        "filter": _S,
        "max_results": _I,
        "order_by": _STRS,
        "page_token": _S,
    },
    {},
)
"""SearchTracesV3 (``experiment_ids`` accepted too, as v2's SearchTraces sends)."""
DELETE_TRACES = RequestSpec(
    "DeleteTraces",
    {
        "experiment_id": _SR,
        "max_timestamp_millis": _I,
        "max_traces": _I,
        "request_ids": _STRS,
    },
    {"trace_ids": "request_ids"},
)
"""DeleteTraces / DeleteTracesV3."""
SET_TRACE_TAG = RequestSpec("SetTraceTag", {"key": _SR, "value": _S}, {})
"""SetTraceTag / SetTraceTagV3 (the trace id is in the path)."""
DELETE_TRACE_TAG = RequestSpec("DeleteTraceTag", {"key": _SR}, {})
"""DeleteTraceTag / DeleteTraceTagV3."""
LINK_TRACES_TO_RUN = RequestSpec("LinkTracesToRun", {"trace_ids": _STRS, "run_id": _SR}, {})
"""LinkTracesToRun."""
LINK_PROMPTS_TO_TRACE = RequestSpec(
    "LinkPromptsToTrace",
    {
        "trace_id": _SR,
        "prompt_versions": Field("message", repeated=True, message=_PROMPT_VERSION),
    },
    {},
)
"""LinkPromptsToTrace."""
GET_TRACE_ARTIFACT = RequestSpec("GetTraceArtifact", {"request_id": _SR, "path": _S}, {})
"""The UI's ``get-trace-artifact`` download."""
