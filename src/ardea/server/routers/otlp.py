"""OTLP/HTTP trace ingest: ``POST /v1/traces`` (protobuf or JSON, gzip or deflate).

As MLflow's server: the experiment comes from the ``x-mlflow-experiment-id`` header (Ardea
also takes ``x-ardea-experiment-id``, or the resource attribute ``mlflow.experimentId`` /
``ardea.experiment_id``); a request naming none is a 422. The ``Content-Type`` must be
``application/x-protobuf`` or ``application/json`` (else a 400 "Invalid Content-Type"), and
the answer (an empty ``ExportTraceServiceResponse``) uses the request's encoding: an empty
protobuf body, or ``{}``. It is sent only once the spans are committed. A body that is no
OTLP request (undecodable, or without ``resourceSpans``: "no spans found") is a 400; a span
that cannot be converted (a missing id, a time out of range) is a 422. Either way nothing of
the request is stored. An ``x-mlflow-run-id`` header links the traces to that run.

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
from ardea.server import access_targets as at
from ardea.server.access import (
    EDIT,
    on,
)
from ardea.server.deps import trace_store, tracking_store
from ardea.server.errors import error_response
from ardea.server.http import call, rpc
from ardea.server.openapi_responses import Answer
from ardea.server.server_metrics import count_ingest
from ardea.services.ingest_otlp import OtlpExport, SpanConversionError, parse_export
from ardea.services.trace_records import trace_records

router = APIRouter()
"""``/v1/traces``, mounted at the root (no API prefix)."""

MAX_OTLP_BODY_BYTES = 64 * 1024 * 1024
"""Largest (compressed) OTLP request body accepted."""
INLINE_PARSE_BYTES = 64 * 1024
"""Uncompressed bodies up to this size are parsed on the event loop (no thread hop)."""
EXPERIMENT_HEADERS = ("x-mlflow-experiment-id", "x-ardea-experiment-id")
EXPERIMENT_RESOURCE_KEYS = ("ardea.experiment_id", "mlflow.experimentId")
RUN_HEADER = "x-mlflow-run-id"
UNPROCESSABLE = 422
"""MLflow's status for a request without an experiment, or with a span it cannot convert."""
OTLP_ERRORS = (400, 403, 404, UNPROCESSABLE, 500, 501)
"""The error statuses ``POST /v1/traces`` documents."""

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
    """The experiment an export request's traces belong to (headers, then resource).

    Raises:
        InvalidArgumentError: Neither names one (the route answers 422, as MLflow).
    """
    for header in EXPERIMENT_HEADERS:
        given = request.headers.get(header)
        if given and given.strip():
            return given.strip()
    for key in EXPERIMENT_RESOURCE_KEYS:
        value = export.resource_attributes.get(key)
        if value not in (None, ""):
            return str(value).strip().strip('"')
    raise InvalidArgumentError(
        f"Missing header {EXPERIMENT_HEADERS[0]}: name the experiment the spans belong to "
        f"(or set the resource attribute {EXPERIMENT_RESOURCE_KEYS[1]})."
    )


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
    access=on(
        EDIT, at.experiment_header(*EXPERIMENT_HEADERS), "experiment of X-MLflow-Experiment-Id"
    ),
    response=EXPORT_ANSWER,
    errors=OTLP_ERRORS,
    extra=EXPORT_REQUEST,
)
async def export_traces(request: Request) -> Response:
    """ExportTraceServiceRequest -> empty ExportTraceServiceResponse, after the commit."""
    body = await _read_body(request)
    content_type = request.headers.get("content-type")
    encoding = request.headers.get("content-encoding")
    try:
        if len(body) <= INLINE_PARSE_BYTES and encoding in (None, "", "identity"):
            export = parse_export(body, content_type, encoding)  # cheaper than a thread hop
        else:
            export = await call(parse_export, body, content_type, encoding)
    except SpanConversionError as exc:
        return error_response(exc, UNPROCESSABLE)
    try:
        experiment_id = experiment_for(request, export)
    except InvalidArgumentError as exc:
        return error_response(exc, UNPROCESSABLE)
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
        # Root spans end their traces: the store samples them for online scoring in the write.
        await store.log_spans_with_records_async(experiment_id, spans, records)
        count_ingest(request, "spans", len(spans))
        count_ingest(request, "traces", len(export.traces))
    if run_id and export.traces:
        await call(store.link_traces_to_run, list(export.traces), run_id)
    if _is_json(content_type):
        return Response(b"{}", media_type="application/json")
    return Response(b"", media_type="application/x-protobuf")
