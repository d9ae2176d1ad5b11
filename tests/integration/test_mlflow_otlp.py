"""``POST /v1/traces`` against a live ``ardea server`` behaves as MLflow 3.18's receiver.

Spans go out through the real OpenTelemetry OTLP/HTTP exporter where it can send them, and
as raw HTTP where the request is one no exporter would make (malformed, no experiment); they
are read back with the stock ``mlflow`` client. Mirrors the cases of MLflow's own
``tests/tracing/test_otel_logging.py`` and ``test_otel_loading.py`` that failed against
Ardea, and the 3.18 changes to the receiver (JSON answers, span links, double-encoded values,
server-managed trace tags).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

mlflow = pytest.importorskip("mlflow")
pytest.importorskip("opentelemetry.exporter.otlp.proto.http")

from mlflow.entities import AssessmentSource, AssessmentSourceType, Feedback  # noqa: E402
from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: E402
    OTLPSpanExporter,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (  # noqa: E402
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.sdk.resources import Resource  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.trace import Link, SpanKind  # noqa: E402

pytestmark = pytest.mark.slow

PB = "application/x-protobuf"
HEADER = "x-mlflow-experiment-id"


@pytest.fixture
def url(mlflow_env: str) -> Iterator[str]:
    yield mlflow_env
    mlflow.set_tracking_uri(None)


@pytest.fixture
def http(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=30) as client:
        yield client


def _experiment(name: str) -> str:
    return str(mlflow.set_experiment(name).experiment_id)


def _provider(url: str, experiment_id: str, service: str = "otlp-tests") -> TracerProvider:
    """A plain OpenTelemetry SDK exporting synchronously to the server over OTLP/HTTP."""
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    exporter = OTLPSpanExporter(endpoint=f"{url}/v1/traces", headers={HEADER: experiment_id})
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


def _traces(experiment_id: str) -> list[Any]:
    return list(
        mlflow.search_traces(locations=[experiment_id], include_spans=True, return_type="list")
    )


def _request(
    spans: list[dict[str, Any]], resource: dict[str, str] | None = None
) -> ExportTraceServiceRequest:
    """An export request; each span dict holds the proto fields (ids as hex)."""
    request = ExportTraceServiceRequest()
    rs = request.resource_spans.add()
    for key, value in (resource or {}).items():
        kv = rs.resource.attributes.add()
        kv.key, kv.value.string_value = key, value
    scope = rs.scope_spans.add()
    for fields in spans:
        pb = scope.spans.add()
        for key, value in fields.items():
            if key.endswith("_id"):
                setattr(pb, key, bytes.fromhex(value))
            elif key == "attributes":
                for name, text in value.items():
                    kv = pb.attributes.add()
                    kv.key, kv.value.string_value = name, text
            else:
                setattr(pb, key, value)
    return request


def _span(trace_hex: str, span_hex: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "trace_id": trace_hex,
        "span_id": span_hex,
        "name": name,
        "start_time_unix_nano": 1_000_000_000,
        "end_time_unix_nano": 2_000_000_000,
        **extra,
    }


def _post(http: httpx.Client, body: bytes, **headers: str) -> httpx.Response:
    return http.post("/v1/traces", content=body, headers={"content-type": PB, **headers})


def _kinds(http: httpx.Client, trace_id: str) -> dict[str, str]:
    """Span name -> kind, as GetTrace answers (the mlflow client reads kinds since 3.18)."""
    r = http.get("/api/3.0/mlflow/traces/get", params={"trace_id": trace_id})
    assert r.status_code == 200, r.text
    return {s["name"]: s["kind"] for s in r.json()["trace"]["spans"]}


def _assert_error(r: httpx.Response, status: int, contains: str) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error_code"] == "INVALID_PARAMETER_VALUE", body
    assert contains in body["message"], body


# --------------------------------------------------------------------------- malformed requests


def test_a_request_without_an_experiment_is_422_and_stores_nothing(http: httpx.Client) -> None:
    body = _request([_span("00" * 7 + "02" + "00" * 8, "00" * 3 + "02" + "00" * 4, "no-header")])
    _assert_error(_post(http, body.SerializeToString()), 422, HEADER)
    assert _traces("0") == []


def test_a_span_without_a_span_id_is_422_and_stores_nothing(http: httpx.Client) -> None:
    experiment_id = _experiment("otlp-no-span-id")
    good = _span("ab" * 16, "cd" * 8, "good")
    missing = {"trace_id": "ab" * 16, "name": "incomplete"}
    r = _post(http, _request([good, missing]).SerializeToString(), **{HEADER: experiment_id})
    _assert_error(r, 422, "span_id is required but was empty")
    assert _traces(experiment_id) == []


def test_other_content_types_are_400_invalid_content_type(http: httpx.Client) -> None:
    body = _request([_span("12" * 16, "34" * 8, "s")]).SerializeToString()
    r = http.post("/v1/traces", content=body, headers={"content-type": "text/plain", HEADER: "0"})
    _assert_error(r, 400, "Invalid Content-Type: text/plain")
    r = http.post("/v1/traces", content=body, headers={HEADER: "0"})  # none at all
    _assert_error(r, 400, "Invalid Content-Type")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"", PB), (b"{}", "application/json"), (b'{"resourceSpans": []}', "application/json")],
)
def test_a_request_without_resource_spans_is_400_no_spans_found(
    http: httpx.Client, body: bytes, content_type: str
) -> None:
    r = http.post(
        "/v1/traces", content=body, headers={"content-type": content_type, HEADER: "nope"}
    )
    _assert_error(r, 400, "no spans found")


def test_undecodable_protobuf_is_400(http: httpx.Client) -> None:
    _assert_error(_post(http, b"this is not protobuf at all", **{HEADER: "0"}), 400, "Malformed")


# ----------------------------------------------------------------------------- what is stored


def test_all_zero_ids_and_several_traces_in_one_request(http: httpx.Client) -> None:
    """MLflow's test_multiple_traces_in_single_request / test_mixed_trace_spans_..."""
    experiment_id = _experiment("otlp-zero-ids")
    spans = []
    for trace_no, count in ((0, 2), (1, 1), (2, 2)):  # trace 0 and span 0 are all zeros
        trace_hex = f"{trace_no:016x}" + "0" * 16
        for span_no in range(count):
            span_hex = f"{trace_no * 100 + span_no:08x}" + "0" * 8
            spans.append(_span(trace_hex, span_hex, f"t{trace_no}-s{span_no}"))
    r = _post(http, _request(spans).SerializeToString(), **{HEADER: experiment_id})
    assert r.status_code == 200, r.text
    counts = {t.info.trace_id: len(t.data.spans) for t in _traces(experiment_id)}
    assert counts == {
        "tr-" + "0" * 32: 2,
        "tr-" + "1".rjust(16, "0") + "0" * 16: 1,
        "tr-" + "2".rjust(16, "0") + "0" * 16: 2,
    }
    zero = mlflow.get_trace("tr-" + "0" * 32)
    assert {s.span_id for s in zero.data.spans} == {"0" * 16, "00000001" + "0" * 8}


@pytest.mark.parametrize(("service", "copied"), [("gemini-cli", True), ("my-custom-app", False)])
def test_only_known_service_names_reach_the_root_span(
    http: httpx.Client, service: str, copied: bool
) -> None:
    experiment_id = _experiment(f"otlp-service-{service}")
    root, child = "00000006" + "0" * 8, "00000007" + "0" * 8
    trace_hex = os.urandom(16).hex()  # a new trace for each case on the module's server
    spans = [_span(trace_hex, root, "root"), _span(trace_hex, child, "child", parent_span_id=root)]
    body = _request(spans, {"service.name": service}).SerializeToString()
    assert _post(http, body, **{HEADER: experiment_id}).status_code == 200
    (trace,) = _traces(experiment_id)
    by_name = {s.name: s for s in trace.data.spans}
    assert by_name["root"].get_attribute("service.name") == (service if copied else None)
    assert by_name["child"].get_attribute("service.name") is None


def test_otlp_json_is_answered_in_json_and_protobuf_in_protobuf(http: httpx.Client) -> None:
    experiment_id = _experiment("otlp-json")
    payload = {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": "gemini-cli"}}]
                },
                "scopeSpans": [
                    {
                        "spans": [
                            {
                                "traceId": "61181d5c16b3b25d966891c3fc595af9",
                                "spanId": "508755a859b294e3",
                                "name": "user_prompt",
                                "kind": "SPAN_KIND_SERVER",
                                "startTimeUnixNano": str(time.time_ns()),
                                "endTimeUnixNano": str(time.time_ns() + 10**9),
                                "attributes": [
                                    {
                                        "key": "gen_ai.operation.name",
                                        "value": {"stringValue": "user_prompt"},
                                    }
                                ],
                                "links": [
                                    {
                                        "traceId": "0af7651916cd43dd8448eb211c80319c",
                                        "spanId": "b7ad6b7169203331",
                                        "attributes": [
                                            {"key": "why", "value": {"stringValue": "handoff"}}
                                        ],
                                    }
                                ],
                            }
                        ]
                    }
                ],
            }
        ]
    }
    r = http.post(
        "/v1/traces",
        content=json.dumps(payload).encode(),
        headers={"content-type": "application/json; charset=utf-8", HEADER: experiment_id},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {}
    (trace,) = _traces(experiment_id)
    (span,) = trace.data.spans
    assert span.name == "user_prompt"
    assert span.get_attribute("service.name") == "gemini-cli"
    assert _kinds(http, trace.info.trace_id) == {"user_prompt": "SPAN_KIND_SERVER"}
    (link,) = span.links  # hex ids in JSON, as MLflow 3.18 reads them
    assert (link.trace_id, link.span_id) == (
        "tr-0af7651916cd43dd8448eb211c80319c",
        "b7ad6b7169203331",
    )
    assert link.attributes == {"why": "handoff"}

    body = _request([_span("04" * 16, "05" * 8, "pb")]).SerializeToString()
    r = _post(http, body, **{HEADER: experiment_id})
    assert r.status_code == 200 and r.headers["content-type"] == PB
    ExportTraceServiceResponse().ParseFromString(r.content)


def test_links_and_kinds_from_the_otel_sdk_reach_the_mlflow_client(
    url: str, http: httpx.Client
) -> None:
    experiment_id = _experiment("otlp-links")
    provider = _provider(url, experiment_id)
    tracer = provider.get_tracer("t")
    with tracer.start_as_current_span("upstream") as upstream:
        target = upstream.get_span_context()
    with tracer.start_as_current_span(
        "consumer", kind=SpanKind.CONSUMER, links=[Link(target, {"reason": "batch", "n": 2})]
    ) as consumer:
        trace_id = f"tr-{consumer.get_span_context().trace_id:032x}"
    provider.shutdown()
    (span,) = mlflow.get_trace(trace_id).data.spans
    assert _kinds(http, trace_id) == {"consumer": "SPAN_KIND_CONSUMER"}
    (link,) = span.links
    assert link.trace_id == f"tr-{target.trace_id:032x}"
    assert link.span_id == f"{target.span_id:016x}"
    assert link.attributes == {"reason": "batch", "n": 2}


def test_attribute_values_lose_one_json_layer(url: str) -> None:
    """MLflow 3.18's strip_otlp_double_encoding: JSON strings, objects and arrays only."""
    experiment_id = _experiment("otlp-double-encoding")
    provider = _provider(url, experiment_id)
    with provider.get_tracer("t").start_as_current_span("s") as span:
        span.set_attribute("quoted", json.dumps("hello"))
        span.set_attribute("object", json.dumps({"a": [1, 2]}))
        span.set_attribute("twice", json.dumps(json.dumps("x")))
        span.set_attribute("number_text", "5")
        span.set_attribute("plain", "not json")
        span.set_attribute("number", 42)
    provider.shutdown()
    (trace,) = _traces(experiment_id)
    attrs = trace.data.spans[0].attributes
    assert attrs["quoted"] == "hello"
    assert attrs["object"] == {"a": [1, 2]}
    assert attrs["twice"] == json.dumps("x")  # one layer only
    assert attrs["number_text"] == "5"
    assert (attrs["plain"], attrs["number"]) == ("not json", 42)


def test_root_spans_cannot_set_server_managed_trace_tags(url: str) -> None:
    experiment_id = _experiment("otlp-blocked-tags")
    provider = _provider(url, experiment_id)
    with provider.get_tracer("t").start_as_current_span("root") as root:
        root.set_attribute("mlflow.traceTag.mlflow.artifactLocation", "s3://elsewhere")
        root.set_attribute("mlflow.traceTag.mlflow.trace.spansLocation", "ARTIFACT_REPO")
        root.set_attribute("mlflow.traceTag.team", "search")
        trace_id = f"tr-{root.get_span_context().trace_id:032x}"
    provider.shutdown()
    trace = mlflow.get_trace(trace_id)
    assert trace.info.tags["team"] == "search"
    assert trace.info.tags["mlflow.trace.spansLocation"] == "TRACKING_STORE"
    assert trace.info.tags["mlflow.artifactLocation"].endswith(f"/traces/{trace_id}/artifacts")
    attrs = trace.data.spans[0].attributes
    assert "mlflow.traceTag.mlflow.artifactLocation" not in attrs
    assert attrs["mlflow.traceTag.team"] == "search"


# ------------------------------------------------------------------------- convention mapping


@pytest.mark.parametrize(
    ("attributes", "span_type"),
    [
        ({"openinference.span.kind": "LLM"}, "LLM"),
        ({"openinference.span.kind": "RETRIEVER"}, "RETRIEVER"),
        ({"traceloop.span.kind": "tool"}, "TOOL"),
        ({"traceloop.span.kind": "workflow"}, "WORKFLOW"),
        ({"gen_ai.operation.name": "execute_tool"}, "TOOL"),
        ({"gen_ai.operation.name": "chat"}, "CHAT_MODEL"),
        ({"gen_ai.operation.name": "llm_call", "gen_ai.agent.name": "gemini-cli"}, "LLM"),
        ({"langfuse.observation.type": "generation"}, "LLM"),
        ({"ai.operationId": "ai.toolCall"}, "TOOL"),
        ({"lmnr.span.type": "EXECUTOR"}, "AGENT"),
        ({"span.type": "claude_code.tool"}, "TOOL"),
    ],
)
def test_span_kinds_of_the_conventions_become_span_types(
    url: str, attributes: dict[str, str], span_type: str
) -> None:
    experiment_id = _experiment("otlp-span-kinds")
    provider = _provider(url, experiment_id)
    with provider.get_tracer("t").start_as_current_span("call") as span:
        span.set_attributes(attributes)
        trace_id = f"tr-{span.get_span_context().trace_id:032x}"
    provider.shutdown()
    assert mlflow.get_trace(trace_id).data.spans[0].span_type == span_type


@pytest.mark.parametrize(
    ("input_key", "output_key"),
    [
        ("gen_ai.input.messages", "gen_ai.output.messages"),
        ("input.value", "output.value"),
        ("traceloop.entity.input", "traceloop.entity.output"),
        ("gen_ai.prompt.0.content", "gen_ai.completion.0.content"),
        ("langfuse.observation.input", "langfuse.observation.output"),
    ],
)
def test_inputs_and_outputs_of_the_conventions(url: str, input_key: str, output_key: str) -> None:
    """MLflow's test_span_inputs_outputs_translation: one JSON encoding, no more."""
    experiment_id = _experiment(f"otlp-io-{input_key}")
    provider = _provider(url, experiment_id)
    with provider.get_tracer("t").start_as_current_span("llm-call") as span:
        span.set_attribute(input_key, "Hello, world!")
        span.set_attribute(output_key, "Bye!")
    provider.shutdown()
    (trace,) = _traces(experiment_id)
    (span,) = trace.data.spans
    assert (span.inputs, span.outputs) == ("Hello, world!", "Bye!")
    assert trace.info.request_preview == '"Hello, world!"'
    assert trace.info.response_preview == '"Bye!"'


def test_json_inputs_become_objects(url: str) -> None:
    experiment_id = _experiment("otlp-io-json")
    provider = _provider(url, experiment_id)
    messages = [{"role": "user", "content": "hi"}]
    with provider.get_tracer("t").start_as_current_span("chat") as span:
        span.set_attribute("gen_ai.input.messages", json.dumps(messages))
        span.set_attribute("gen_ai.tool.definitions", json.dumps([{"name": "search"}]))
    provider.shutdown()
    (trace,) = _traces(experiment_id)
    (span,) = trace.data.spans
    assert span.inputs == messages
    assert span.attributes["mlflow.chat.tools"] == [{"name": "search"}]
    assert json.loads(trace.info.request_preview) == messages


# --------------------------------------------------------------------------------- assessments


def test_assessments_of_one_millisecond_come_back_in_the_order_logged(url: str) -> None:
    """MLflow's test_multiple_assessments_on_otel_trace, with the tie forced."""
    experiment_id = _experiment("otlp-assessments")
    provider = _provider(url, experiment_id)
    with provider.get_tracer("t").start_as_current_span("conversation") as span:
        trace_id = f"tr-{span.get_span_context().trace_id:032x}"
    provider.shutdown()
    source = AssessmentSource(AssessmentSourceType.LLM_JUDGE, "judge")
    names = ["accuracy", "clarity", "helpfulness", "contains_errors", "zeal", "brevity"]
    same_ms = int(time.time() * 1000)
    for name in names:
        feedback = Feedback(name=name, value=True, source=source)
        feedback.create_time_ms = same_ms
        mlflow.log_assessment(trace_id=trace_id, assessment=feedback)
    assessments = mlflow.get_trace(trace_id).info.assessments
    assert {a.create_time_ms for a in assessments} == {same_ms}  # all tied
    assert [a.name for a in assessments] == names
