"""OTLP/HTTP trace ingest: ``POST /v1/traces`` (protobuf or JSON, gzip or deflate).

The experiment comes from the ``x-mlflow-experiment-id`` header, else ``x-ardea-experiment-id``,
else the resource attribute ``ardea.experiment_id`` / ``mlflow.experimentId``, else the Default
experiment ``"0"``. An ``x-mlflow-run-id`` header links the traces to that run. The answer (an
empty ``ExportTraceServiceResponse``, or ``{}`` for JSON) is sent only once the spans are
committed; a malformed body is a 400 and stores nothing.

Trace records ride on root spans (``mlflow.traceTag.*``, ``mlflow.traceMetadata.*``, preview
attributes, the resource's ``service.name``): after the spans, each such root's record is
stored in the same write transaction as the spans (``log_spans_with_records_async``), so
no separate StartTraceV3 call is needed. A record that a client already sent separately is
only completed (missing tags and metadata keys, empty columns), never overwritten.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError
from ardea.api.schemas.meta import ExportTraceServiceResponse
from ardea.server.deps import trace_store, tracking_store
from ardea.server.http import call, rpc
from ardea.server.openapi_responses import STORE_ERRORS, Answer
from ardea.services.ingest_otlp import OtlpExport, parse_export
from ardea.services.trace_records import trace_records

router = APIRouter()
"""``/v1/traces``, mounted at the root (no API prefix)."""

MAX_OTLP_BODY_BYTES = 64 * 1024 * 1024
"""Largest (compressed) OTLP request body accepted."""
INLINE_PARSE_BYTES = 64 * 1024
"""Uncompressed bodies up to this size are parsed on the event loop (no thread hop)."""
DEFAULT_EXPERIMENT_ID = "0"
EXPERIMENT_HEADERS = ("x-mlflow-experiment-id", "x-ardea-experiment-id")
EXPERIMENT_RESOURCE_KEYS = ("ardea.experiment_id", "mlflow.experimentId")
RUN_HEADER = "x-mlflow-run-id"

_PROTOBUF = {"schema": {"type": "string", "format": "binary"}}
EXPORT_ANSWER = Answer(
    "The spans are committed: an empty ``ExportTraceServiceResponse``, as protobuf (an empty "
    "body) or as JSON (``{}``), matching the request's content type. Errors are MLflow's "
    "envelope, not OTLP's ``Status``.",
    {"application/x-protobuf": _PROTOBUF},
    model=ExportTraceServiceResponse,
)
"""The documented 200 answer of ``POST /v1/traces``."""
EXPORT_REQUEST = {
    "requestBody": {
        "required": True,
        "description": "An OTLP ``ExportTraceServiceRequest``, as protobuf or as OTLP/JSON, "
        "optionally gzip- or deflate-compressed (``Content-Encoding``).",
        "content": {
            "application/x-protobuf": _PROTOBUF,
            "application/json": {"schema": {"type": "object"}},
        },
    }
}
"""The documented request body of ``POST /v1/traces``."""


def experiment_for(request: Request, export: OtlpExport) -> str:
    """The experiment an export request's traces belong to (headers, resource, default)."""
    for header in EXPERIMENT_HEADERS:
        given = request.headers.get(header)
        if given:
            return given.strip()
    for key in EXPERIMENT_RESOURCE_KEYS:
        value = export.resource_attributes.get(key)
        if value not in (None, ""):
            return str(value).strip().strip('"')
    return DEFAULT_EXPERIMENT_ID


async def _read_body(request: Request) -> bytes:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_OTLP_BODY_BYTES:
        raise InvalidArgumentError(
            f"OTLP request bodies may be at most {MAX_OTLP_BODY_BYTES} bytes."
        )
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_OTLP_BODY_BYTES:
            raise InvalidArgumentError(
                f"OTLP request bodies may be at most {MAX_OTLP_BODY_BYTES} bytes."
            )
    return bytes(data)


def _is_json(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() == "application/json"


@rpc(
    router,
    "/v1/traces",
    "POST",
    response=EXPORT_ANSWER,
    errors=STORE_ERRORS,
    extra=EXPORT_REQUEST,
)
async def export_traces(request: Request) -> Response:
    """ExportTraceServiceRequest -> empty ExportTraceServiceResponse, after the commit."""
    body = await _read_body(request)
    content_type = request.headers.get("content-type")
    encoding = request.headers.get("content-encoding")
    if len(body) <= INLINE_PARSE_BYTES and encoding in (None, "", "identity"):
        export = parse_export(body, content_type, encoding)  # cheaper than a thread hop
    else:
        export = await call(parse_export, body, content_type, encoding)
    experiment_id = experiment_for(request, export)
    tracking = tracking_store(request)
    spans = export.spans
    if not spans:
        await call(tracking.get_experiment, experiment_id)
    run_id = (request.headers.get(RUN_HEADER) or "").strip()
    if run_id:
        await call(tracking.get_run, run_id)  # refuse before storing anything
    store = trace_store(request)
    if spans:
        # The store checks the experiment (NotFoundError) inside its write transaction.
        records = trace_records(export, experiment_id)
        await store.log_spans_with_records_async(experiment_id, spans, records)
    if run_id and export.traces:
        await call(store.link_traces_to_run, list(export.traces), run_id)
    if _is_json(content_type):
        return Response(b"{}", media_type="application/json")
    return Response(b"", media_type="application/x-protobuf")
