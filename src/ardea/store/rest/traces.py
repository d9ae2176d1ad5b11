"""The trace store over a server's MLflow v3 trace REST API (what the SDK reads traces with).

Spans are *written* to a server by the tracing SDK's OTLP exporter, not through this store:
:meth:`RestTraceStore.log_spans` is not available. Everything else maps to one MLflow
endpoint (``/api/3.0/mlflow/traces/...``, tags and deletes under ``/api/2.0``), except
:meth:`RestTraceStore.get_spans`, which reads a page with Ardea's
``/api/3.0/ardea/traces/{trace_id}/spans`` (and, against a server without it, cuts the page
from GetTrace's whole trace).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from ardea._core.errors import InvalidArgumentError, NotFoundError, NotImplementedFeatureError
from ardea.api.mlflow_assessment_json import assessment_from_json, assessment_to_json
from ardea.api.mlflow_trace_json import trace_info_from_json, trace_info_to_json
from ardea.api.mlflow_trace_metrics_json import (
    correlation_from_json,
    data_point_from_json,
    query_to_json,
)
from ardea.api.quality_json import quality_from_json
from ardea.api.trace_metrics_json import trace_metrics_from_json
from ardea.entities import (
    SPAN_KINDS,
    Assessment,
    MetricDataPoint,
    PagedList,
    Span,
    SpanEvent,
    SpanLink,
    Trace,
    TraceFilterCorrelation,
    TraceInfo,
    TraceMetrics,
    TraceMetricsQuery,
)
from ardea.entities.quality import QualityMetrics
from ardea.store.rest.http import RestClient
from ardea.store.traces import SEARCH_TRACES_DEFAULT, SPANS_PAGE_DEFAULT, TraceStore

__all__ = ["RestTraceStore", "span_from_otel_json"]

_V3 = "/api/3.0/mlflow/traces"
_V2 = "/api/2.0/mlflow/traces"
_ARDEA_V3 = "/api/3.0/ardea/traces"
_BATCH = 10  # the server (like MLflow) serves at most this many traces per batchGet
_STATUS = {"STATUS_CODE_OK": "OK", "STATUS_CODE_ERROR": "ERROR"}
_UPDATE_MASK = {
    "name": "assessmentName",
    "value": "feedback",
    "error": "feedback",
    "rationale": "rationale",
    "metadata": "metadata",
    "valid": "valid",
}


def _from_any(value: Mapping[str, Any]) -> Any:
    """The Python value of an OTLP proto-JSON ``AnyValue``."""
    if "string_value" in value:
        return value["string_value"]
    if "bool_value" in value:
        return bool(value["bool_value"])
    if "int_value" in value:
        return int(value["int_value"])
    if "double_value" in value:
        return float(value["double_value"])
    if "array_value" in value:
        return [_from_any(v) for v in (value["array_value"] or {}).get("values", [])]
    if "kvlist_value" in value:
        return _kvs((value["kvlist_value"] or {}).get("values", []))
    if "bytes_value" in value:
        return value["bytes_value"]
    return None


def _kvs(pairs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {str(p.get("key")): _from_any(p.get("value") or {}) for p in pairs}


def _hex(value: str | None, size: int) -> str | None:
    if not value:
        return None
    if len(value) == size * 2:
        try:
            bytes.fromhex(value)
            return value.lower()
        except ValueError:
            pass
    return base64.b64decode(value).hex()


def span_from_otel_json(d: Mapping[str, Any]) -> Span:
    """A span from OTel proto-JSON (as GetTrace returns it) as an Ardea :class:`Span`.

    Args:
        d: ``{trace_id, span_id, parent_span_id, name, start_time_unix_nano, ...}`` with
            base64 or hex ids and typed ``AnyValue`` attributes.

    Returns:
        The span, attributes decoded.
    """
    trace_id = "tr-" + (_hex(d.get("trace_id"), 16) or "")
    attributes = _kvs(d.get("attributes") or [])
    attributes["mlflow.traceRequestId"] = trace_id
    status = d.get("status") or {}
    end = d.get("end_time_unix_nano")
    span_type = attributes.get("mlflow.spanType")
    return Span(
        trace_id=trace_id,
        span_id=_hex(d.get("span_id"), 8) or "",
        parent_span_id=_hex(d.get("parent_span_id"), 8),
        name=str(d.get("name", "")),
        span_type=span_type if isinstance(span_type, str) and span_type else "UNKNOWN",
        status_code=_STATUS.get(status.get("code", ""), "UNSET"),
        status_message=str(status.get("message") or ""),
        start_time_ns=int(d.get("start_time_unix_nano") or 0),
        end_time_ns=None if end is None else int(end),
        attributes=attributes,
        events=[
            SpanEvent(
                str(e.get("name", "")),
                int(e.get("time_unix_nano") or 0),
                _kvs(e.get("attributes") or []),
            )
            for e in d.get("events") or []
        ],
        kind=_kind(d.get("kind")),
        links=[
            SpanLink(
                "tr-" + (_hex(link.get("trace_id"), 16) or ""),
                _hex(link.get("span_id"), 8) or "",
                _kvs(link.get("attributes") or []),
            )
            for link in d.get("links") or []
        ],
    )


def _kind(value: Any) -> str:
    name = value.removeprefix("SPAN_KIND_") if isinstance(value, str) else ""
    return name if name in SPAN_KINDS else "INTERNAL"


def _info(d: Mapping[str, Any]) -> TraceInfo:
    """A TraceInfoV3 answer with the assessments it embeds (the contract returns them)."""
    return trace_info_from_json(d)


def _trace(doc: Mapping[str, Any]) -> Trace:
    info = _info(doc.get("trace_info") or {})
    return Trace(info, [span_from_otel_json(s) for s in doc.get("spans") or []])


class RestTraceStore(TraceStore):
    """A :class:`TraceStore` that is a client of an Ardea or MLflow server.

    Args:
        uri: The server's ``http(s)://host:port`` URL.
        rest: Optional ready-made :class:`RestClient` (shared with the tracking store).
    """

    def __init__(self, uri: str, *, rest: RestClient | None = None) -> None:
        self.uri = uri.rstrip("/")
        self._own = rest is None
        self._rest = rest or RestClient(self.uri)

    def start_trace(self, info: TraceInfo) -> TraceInfo:
        """StartTraceV3: create or complete the trace record."""
        doc = self._rest.call("POST", _V3, json={"trace": {"trace_info": trace_info_to_json(info)}})
        return _info(doc["trace"]["trace_info"])

    def log_spans(self, experiment_id: str, spans: Sequence[Span]) -> None:
        """Not over REST: the tracing SDK sends spans with OTLP (``ardea.tracing``)."""
        raise NotImplementedFeatureError("Spans are sent to a server over OTLP (/v1/traces).")

    def get_trace_info(self, trace_id: str) -> TraceInfo:
        """GetTraceInfoV3."""
        doc = self._rest.call("GET", f"{_V3}/{quote(trace_id, safe='')}")
        return _info(doc["trace"]["trace_info"])

    def get_trace(self, trace_id: str) -> Trace:
        """GetTrace: the trace with all its spans."""
        doc = self._rest.call("GET", f"{_V3}/get", params={"trace_id": trace_id})
        return _trace(doc["trace"])

    def get_spans(
        self,
        trace_id: str,
        parent_span_id: str | None = None,
        max_results: int = SPANS_PAGE_DEFAULT,
        page_token: str | None = None,
        *,
        roots_only: bool = False,
    ) -> PagedList[Span]:
        """One page of spans (children of a span, roots, or all) in start-time order.

        Uses Ardea's paged span endpoint; a server without it (``mlflow server``) answers
        the whole trace, from which the page is cut here (page tokens then are offsets).
        """
        params: dict[str, Any] = {
            "max_results": max_results,
            "page_token": page_token or None,
            "parent_span_id": parent_span_id,
            "roots_only": "true" if roots_only else None,
        }
        path = f"{_ARDEA_V3}/{quote(trace_id, safe='')}/spans"
        try:
            doc = self._rest.call("GET", path, params=params)
        except NotFoundError as exc:
            if exc.details.get("error_code") not in (None, "ENDPOINT_NOT_FOUND"):
                raise  # RESOURCE_DOES_NOT_EXIST: no such trace
            return self._cut_spans(trace_id, parent_span_id, max_results, page_token, roots_only)
        spans = [span_from_otel_json(s) for s in doc.get("spans") or []]
        return PagedList(spans, doc.get("next_page_token") or None)

    def _cut_spans(
        self,
        trace_id: str,
        parent_span_id: str | None,
        max_results: int,
        page_token: str | None,
        roots_only: bool,
    ) -> PagedList[Span]:
        """A page of spans cut from GetTrace's whole trace (servers without the endpoint)."""
        if max_results < 1:
            raise InvalidArgumentError(f"max_results must be positive, got {max_results}.")
        spans = sorted(self.get_trace(trace_id).spans, key=lambda s: s.start_time_ns)
        if roots_only:
            spans = [s for s in spans if s.parent_span_id is None]
        elif parent_span_id is not None:
            spans = [s for s in spans if s.parent_span_id == parent_span_id]
        try:
            start = int(page_token or 0)
        except ValueError:
            raise InvalidArgumentError(f"Invalid page token {page_token!r}.") from None
        end = start + max_results
        return PagedList(spans[start:end], str(end) if end < len(spans) else None)

    def batch_get_traces(self, trace_ids: Sequence[str]) -> list[Trace]:
        """BatchGetTraces, ten ids per request."""
        out: list[Trace] = []
        ids = list(trace_ids)
        for i in range(0, len(ids), _BATCH):
            doc = self._rest.call(
                "GET", f"{_V3}/batchGet", params={"trace_ids": ids[i : i + _BATCH]}
            )
            out.extend(_trace(t) for t in doc.get("traces") or [])
        return out

    def search_traces(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int = SEARCH_TRACES_DEFAULT,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[TraceInfo]:
        """SearchTracesV3."""
        body: dict[str, Any] = {
            "locations": [
                {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": str(e)}}
                for e in experiment_ids
            ],
            "max_results": max_results,
            "order_by": list(order_by),
        }
        if filter_string:
            body["filter"] = filter_string
        if page_token:
            body["page_token"] = page_token
        doc = self._rest.call("POST", f"{_V3}/search", json=body)
        infos = [_info(t) for t in doc.get("traces") or []]
        return PagedList(infos, doc.get("next_page_token") or None)

    def delete_traces(
        self,
        experiment_id: str,
        max_timestamp_millis: int | None = None,
        max_traces: int | None = None,
        trace_ids: Sequence[str] | None = None,
    ) -> int:
        """DeleteTraces by ids or by age."""
        body: dict[str, Any] = {"experiment_id": str(experiment_id)}
        if trace_ids is not None:
            body["request_ids"] = list(trace_ids)
        if max_timestamp_millis is not None:
            body["max_timestamp_millis"] = max_timestamp_millis
        if max_traces is not None:
            body["max_traces"] = max_traces
        doc = self._rest.call("POST", f"{_V2}/delete-traces", json=body)
        return int(doc.get("traces_deleted", 0))

    def set_trace_tag(self, trace_id: str, key: str, value: str) -> None:
        """SetTraceTag."""
        path = f"{_V2}/{quote(trace_id, safe='')}/tags"
        self._rest.call("PATCH", path, json={"key": key, "value": value})

    def delete_trace_tag(self, trace_id: str, key: str) -> None:
        """DeleteTraceTag."""
        path = f"{_V2}/{quote(trace_id, safe='')}/tags"
        self._rest.call("DELETE", path, json={"key": key})

    def link_traces_to_run(self, trace_ids: Sequence[str], run_id: str) -> None:
        """LinkTracesToRun."""
        body = {"trace_ids": list(trace_ids), "run_id": run_id}
        self._rest.call("POST", f"{_V2}/link-to-run", json=body)

    def _assessments(self, trace_id: str) -> str:
        return f"{_V3}/{quote(trace_id, safe='')}/assessments"

    def create_assessment(self, assessment: Assessment) -> Assessment:
        """CreateAssessment."""
        body = {"assessment": assessment_to_json(assessment)}
        doc = self._rest.call("POST", self._assessments(assessment.trace_id), json=body)
        return assessment_from_json(doc["assessment"], assessment.trace_id)

    def get_assessment(self, trace_id: str, assessment_id: str) -> Assessment:
        """GetAssessment."""
        path = f"{self._assessments(trace_id)}/{quote(assessment_id, safe='')}"
        return assessment_from_json(self._rest.call("GET", path)["assessment"], trace_id)

    def update_assessment(
        self, trace_id: str, assessment_id: str, changes: Mapping[str, Any]
    ) -> Assessment:
        """UpdateAssessment with an update mask of the changed fields."""
        current = self.get_assessment(trace_id, assessment_id)
        unknown = set(changes) - set(_UPDATE_MASK)
        if unknown:
            raise InvalidArgumentError(f"Assessment fields {sorted(unknown)} cannot be updated.")
        for key, value in changes.items():
            setattr(current, key, value)
        body = assessment_to_json(current)
        mask = list(dict.fromkeys(_UPDATE_MASK[k] for k in changes))
        if "value" in changes and "expectation" in body:
            mask = ["expectation" if m == "feedback" else m for m in mask]
        path = f"{self._assessments(trace_id)}/{quote(assessment_id, safe='')}"
        doc = self._rest.call(
            "PATCH", path, json={"assessment": body, "update_mask": ",".join(mask)}
        )
        return assessment_from_json(doc["assessment"], trace_id)

    def delete_assessment(self, trace_id: str, assessment_id: str) -> None:
        """DeleteAssessment."""
        path = f"{self._assessments(trace_id)}/{quote(assessment_id, safe='')}"
        self._rest.call("DELETE", path, json={"trace_id": trace_id, "assessment_id": assessment_id})

    def trace_metrics(
        self, experiment_id: str, start_ms: int, end_ms: int, buckets: int
    ) -> TraceMetrics:
        """Ardea's trace-metrics endpoint (MLflow servers have none: 404)."""
        path = f"/api/3.0/ardea/experiments/{quote(str(experiment_id), safe='')}/trace-metrics"
        params = {"start_ms": start_ms, "end_ms": end_ms, "buckets": buckets}
        return trace_metrics_from_json(self._rest.call("GET", path, params=params))

    def quality_metrics(
        self,
        experiment_id: str,
        start_ms: int,
        end_ms: int,
        buckets: int,
        group_by: str = "",
    ) -> QualityMetrics:
        """Ardea's quality endpoint (MLflow servers have none: 404)."""
        path = f"/api/3.0/ardea/experiments/{quote(str(experiment_id), safe='')}/quality"
        params: dict[str, Any] = {"start_ms": start_ms, "end_ms": end_ms, "buckets": buckets}
        if group_by:
            params["group_by"] = group_by
        return quality_from_json(self._rest.call("GET", path, params=params))

    def query_trace_metrics(self, query: TraceMetricsQuery) -> PagedList[MetricDataPoint]:
        """QueryTraceMetrics (one page: the server answers every point at once)."""
        doc = self._rest.call("POST", f"{_V3}/metrics", json=query_to_json(query))
        points = [data_point_from_json(p) for p in doc.get("data_points") or []]
        return PagedList(points, doc.get("next_page_token") or None)

    def calculate_trace_filter_correlation(
        self,
        experiment_ids: Sequence[str],
        filter_string1: str,
        filter_string2: str,
        base_filter: str | None = None,
    ) -> TraceFilterCorrelation:
        """CalculateTraceFilterCorrelation."""
        body: dict[str, Any] = {
            "experiment_ids": [str(e) for e in experiment_ids],
            "filter_string1": filter_string1,
            "filter_string2": filter_string2,
        }
        if base_filter is not None:
            body["base_filter"] = base_filter
        doc = self._rest.call("POST", f"{_V3}/calculate-filter-correlation", json=body)
        return correlation_from_json(doc)

    def close(self) -> None:
        """Close the HTTP client if this store created it."""
        if self._own:
            self._rest.close()
