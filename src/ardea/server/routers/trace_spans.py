"""Ardea's paged span reads: ``GET /ardea/traces/{trace_id}/spans`` (under ``/api/3.0``).

MLflow's GetTrace answers every span of a trace at once; a trace with 100,000 spans needs a
page or one tree level at a time instead (``TraceStore.get_spans``). Spans come in start-time
order as the same OpenTelemetry proto-JSON objects GetTrace answers (base64 ids).

Query parameters: ``max_results`` (1 to 10,000, default 1,000), ``page_token`` (from the
previous page's ``next_page_token``), ``parent_span_id`` (only that span's direct children:
one level of the tree, for lazy expansion; 16 hex characters or the base64 id of the span
JSON) and ``roots_only`` (only spans without a parent: the top level). The answer is
``{"spans": [...], "parent_span_ids": [...], "next_page_token": "..."}`` (no token on the last
page). An unknown trace is
a 404 ``RESOURCE_DOES_NOT_EXIST``, bad parameters a 400 ``INVALID_PARAMETER_VALUE``.
``parent_span_ids`` lists the spans of the page that have children (their ``span_id`` values),
so a tree shows an expand control only where there is something to expand.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError
from ardea.api.mlflow_trace_json import check_trace_id, span_id_to_json, span_to_otel_json
from ardea.api.request_parsing import Field, RequestSpec
from ardea.api.schemas.ardea_traces import GetTraceSpansResponse
from ardea.server import access_targets as at
from ardea.server.access import (
    READ,
    on,
)
from ardea.server.deps import trace_store
from ardea.server.http import call, json_response, parse_get, rpc
from ardea.server.openapi_responses import STORE_ERRORS
from ardea.store.traces import SPANS_PAGE_DEFAULT

__all__ = ["GET_TRACE_SPANS", "SPANS_PAGE_LIMIT", "parse_span_id", "router"]

router = APIRouter()
"""Mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

SPANS_PAGE_LIMIT = 10_000
"""Largest ``max_results`` of one page."""
GET_TRACE_SPANS = RequestSpec(
    "GetTraceSpans",
    {
        "max_results": Field("int64"),
        "page_token": Field("string"),
        "parent_span_id": Field("string"),
        "roots_only": Field("bool"),
    },
    {},
)
"""The query parameters of ``GET /ardea/traces/{trace_id}/spans``."""

_HEX_SPAN_ID = re.compile(r"[0-9a-fA-F]{16}")


def parse_span_id(value: str) -> str:
    """A span id as 16 lowercase hex characters, from hex or from base64 (as span JSON has it).

    Raises:
        InvalidArgumentError: Neither 16 hex characters nor the base64 form of 8 bytes.
    """
    if _HEX_SPAN_ID.fullmatch(value):
        return value.lower()
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 8:
        raise InvalidArgumentError(
            f"Invalid parent_span_id {value!r}: expected 16 hex characters or a base64 span id."
        )
    return raw.hex()


@rpc(
    router,
    "/ardea/traces/{trace_id}/spans",
    "GET",
    access=on(READ, at.trace(), "experiment of the trace"),
    response=GetTraceSpansResponse,
    errors=STORE_ERRORS,
    spec=GET_TRACE_SPANS,
)
async def get_trace_spans(request: Request) -> Response:
    """One page of a trace's spans (all, roots, or one span's children), in start-time order."""
    trace_id = check_trace_id(request.path_params["trace_id"])
    req = parse_get(request, GET_TRACE_SPANS)
    max_results = req["max_results"]
    if max_results is None:
        max_results = SPANS_PAGE_DEFAULT
    if not 1 <= max_results <= SPANS_PAGE_LIMIT:
        raise InvalidArgumentError(
            f"Invalid value {max_results} for parameter 'max_results': it must be between "
            f"1 and {SPANS_PAGE_LIMIT}."
        )
    parent = req["parent_span_id"]
    roots_only = bool(req["roots_only"])
    if parent is not None and parent != "" and roots_only:
        raise InvalidArgumentError("Give either parent_span_id or roots_only, not both.")
    page = await call(
        trace_store(request).get_spans,
        trace_id,
        parse_span_id(parent) if parent else None,
        max_results,
        req["page_token"] or None,
        roots_only=roots_only,
    )
    parents = await call(
        trace_store(request).spans_with_children, trace_id, [s.span_id for s in page]
    )
    out: dict[str, Any] = {
        "spans": [span_to_otel_json(s) for s in page],
        "parent_span_ids": [span_id_to_json(s.span_id) for s in page if s.span_id in parents],
    }
    if page.token:
        out["next_page_token"] = page.token
    return json_response(out)
