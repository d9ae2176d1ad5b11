"""OTLP ingest: protobuf, JSON, compression, GenAI/OpenInference mapping, bad payloads."""

from __future__ import annotations

import gzip
import json
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ardea._core.errors import InvalidArgumentError
from ardea.services.ingest_otlp import (
    KNOWN_SERVICE_NAMES,
    MAX_DECOMPRESSED_BYTES,
    NO_SPANS_MESSAGE,
    SERVER_MANAGED_TRACE_TAGS,
    SpanConversionError,
    decompress,
    parse_export,
    parse_otlp_json,
    parse_otlp_protobuf,
)
from fixtures.otlp_payloads import json_request, protobuf_request, span

T1 = "0af7651916cd43dd8448eb211c80319c"
T2 = "4bf92f3577b34da6a3ce929d0e0e4736"
ROOT, CHILD = "b7ad6b7169203331", "00f067aa0ba902b7"

MLFLOW_ATTRS = {
    "mlflow.spanType": json.dumps("LLM"),
    "mlflow.spanInputs": json.dumps({"question": "hi", "n": 2}),
    "mlflow.spanOutputs": json.dumps("hello"),
    "mlflow.traceRequestId": json.dumps("tr-forged"),
    "custom": json.dumps({"also": "decoded"}),
    "number": "5",
}


def _both(spans: list[dict], resource: dict | None = None) -> list:
    pb = parse_otlp_protobuf(protobuf_request(spans, resource))
    js = parse_otlp_json(json.dumps(json_request(spans, resource)).encode())
    return [pb, js]


@pytest.mark.parametrize("fmt", ["protobuf", "json"])
def test_spans_are_grouped_by_trace_with_hex_ids(fmt: str) -> None:
    spans = [
        span(T1, ROOT, "root", status=2),
        span(T1, CHILD, "child", parent_hex=ROOT),
        span(T2, ROOT, "other"),
    ]
    export = _both(spans, {"service.name": "svc"})[0 if fmt == "protobuf" else 1]
    assert list(export.traces) == ["tr-" + T1, "tr-" + T2]
    root, child = export.traces["tr-" + T1]
    assert (root.span_id, root.parent_span_id, root.status_code) == (ROOT, None, "ERROR")
    assert (child.parent_span_id, child.status_code, child.name) == (ROOT, "OK", "child")
    assert root.start_time_ns == 1_700_000_000_000_000_000
    assert root.end_time_ns == 1_700_000_000_500_000_000
    assert root.attributes["mlflow.traceRequestId"] == "tr-" + T1
    assert export.resource_attributes == {"service.name": "svc"}
    assert len(export.spans) == 3


def test_attributes_lose_their_json_layer_and_the_request_id_is_recomputed() -> None:
    for export in _both([span(T1, ROOT, "llm", attributes=MLFLOW_ATTRS)]):
        (s,) = export.spans
        assert s.span_type == "LLM"
        assert s.inputs == {"question": "hi", "n": 2}
        assert s.outputs == "hello"
        assert s.attributes["mlflow.traceRequestId"] == "tr-" + T1
        # Other keys: a JSON object, array or string is decoded, "5" stays text (MLflow).
        assert s.attributes["custom"] == {"also": "decoded"}
        assert s.attributes["number"] == "5"


def test_typed_any_values_are_decoded() -> None:
    attrs = {"i": 7, "f": 1.5, "b": True, "s": "x", "l": [1, "a"], "d": {"k": [True]}}
    for export in _both([span(T1, ROOT, "s", attributes=attrs)]):
        got = export.spans[0].attributes
        assert {k: got[k] for k in attrs} == attrs


def test_events_keep_their_attributes() -> None:
    ev = ("exception", 1_700_000_000_100_000_000, {"exception.type": "ValueError"})
    for export in _both([span(T1, ROOT, "s", status=2, events=[ev])]):
        (event,) = export.spans[0].events
        assert (event.name, event.time_ns) == ("exception", ev[1])
        assert event.attributes == {"exception.type": "ValueError"}


def test_gen_ai_attributes_map_to_normalized_keys() -> None:
    attrs = {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.response.model": "gpt-4o-2024-08-06",
        "gen_ai.provider.name": "openai",
        "gen_ai.usage.input_tokens": 12,
        "gen_ai.usage.output_tokens": 30,
        "gen_ai.input.messages": json.dumps([{"role": "user", "content": "hi"}]),
        "gen_ai.output.messages": json.dumps([{"role": "assistant", "content": "yo"}]),
    }
    for export in _both([span(T1, ROOT, "chat gpt-4o", attributes=attrs)]):
        s = export.spans[0]
        assert s.span_type == "CHAT_MODEL"
        assert s.attributes["mlflow.llm.model"] == "gpt-4o-2024-08-06"
        assert s.attributes["mlflow.llm.provider"] == "openai"
        assert s.attributes["mlflow.chat.tokenUsage"] == {
            "input_tokens": 12,
            "output_tokens": 30,
            "total_tokens": 42,
        }
        assert s.inputs == [{"role": "user", "content": "hi"}]
        assert s.outputs == [{"role": "assistant", "content": "yo"}]
        assert s.attributes["gen_ai.usage.input_tokens"] == 12  # originals kept


@pytest.mark.parametrize(
    ("operation", "span_type"),
    [
        ("invoke_agent", "AGENT"),
        ("execute_tool", "TOOL"),
        ("embeddings", "EMBEDDING"),
        ("text_completion", "LLM"),
        ("generate_content", "LLM"),
    ],
)
def test_gen_ai_operation_names_give_span_types(operation: str, span_type: str) -> None:
    export = parse_otlp_protobuf(
        protobuf_request([span(T1, ROOT, "op", attributes={"gen_ai.operation.name": operation})])
    )
    assert export.spans[0].span_type == span_type


def test_gen_ai_events_become_inputs_and_outputs() -> None:
    events = [
        ("gen_ai.system.message", 1, {"content": "be brief"}),
        ("gen_ai.user.message", 2, {"content": "hi"}),
        ("gen_ai.choice", 3, {"index": 0, "message": json.dumps({"content": "yo"})}),
    ]
    attrs = {"gen_ai.operation.name": "chat", "gen_ai.system": "anthropic"}
    (export, _) = _both([span(T1, ROOT, "chat", attributes=attrs, events=events)])
    s = export.spans[0]
    assert s.inputs == {
        "messages": [{"content": "be brief", "role": "system"}, {"content": "hi", "role": "user"}]
    }
    assert s.outputs == {"choices": [{"index": 0, "message": {"content": "yo"}}]}
    assert s.attributes["mlflow.llm.provider"] == "anthropic"
    assert "mlflow.chat.tokenUsage" not in s.attributes


def test_openinference_attributes_map_to_normalized_keys() -> None:
    attrs = {
        "openinference.span.kind": "LLM",
        "llm.model_name": "claude-3-5-sonnet",
        "llm.provider": "anthropic",
        "llm.token_count.prompt": 5,
        "llm.token_count.completion": 7,
        "llm.token_count.total": 12,
        "input.value": json.dumps({"q": "hi"}),
        "output.value": "plain text",
    }
    for export in _both([span(T1, ROOT, "llm", attributes=attrs)]):
        s = export.spans[0]
        assert s.span_type == "LLM"
        assert s.attributes["mlflow.llm.model"] == "claude-3-5-sonnet"
        assert s.attributes["mlflow.chat.tokenUsage"] == {
            "input_tokens": 5,
            "output_tokens": 7,
            "total_tokens": 12,
        }
        assert s.inputs == {"q": "hi"}
        assert s.outputs == "plain text"


def test_explicit_mlflow_keys_win_over_conventions() -> None:
    attrs = {"gen_ai.operation.name": "chat", "mlflow.spanType": json.dumps("AGENT")}
    export = parse_otlp_protobuf(protobuf_request([span(T1, ROOT, "a", attributes=attrs)]))
    assert export.spans[0].span_type == "AGENT"


def test_spans_without_conventions_are_unknown() -> None:
    export = parse_otlp_protobuf(protobuf_request([span(T1, ROOT, "plain")]))
    assert export.spans[0].span_type == "UNKNOWN"
    assert "mlflow.chat.tokenUsage" not in export.spans[0].attributes


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_bodies_are_accepted(encoding: str) -> None:
    raw = protobuf_request([span(T1, ROOT, "root")])
    body = gzip.compress(raw) if encoding == "gzip" else zlib.compress(raw)
    export = parse_export(body, "application/x-protobuf", encoding)
    assert export.spans[0].name == "root"


def test_json_content_type_selects_the_json_parser() -> None:
    body = json.dumps(json_request([span(T1, ROOT, "root")])).encode()
    export = parse_export(gzip.compress(body), "application/json; charset=utf-8", "gzip")
    assert export.spans[0].trace_id == "tr-" + T1


def test_json_accepts_snake_case_and_base64_ids() -> None:
    doc = {
        "resource_spans": [
            {
                "scope_spans": [
                    {
                        "spans": [
                            {
                                "trace_id": "CvdlGRbNQ92ESOshHIAxnA==",
                                "span_id": "t61rcWkgMzE=",
                                "name": "s",
                                "start_time_unix_nano": 5,
                                "status": {"code": "STATUS_CODE_ERROR", "message": "boom"},
                            }
                        ]
                    }
                ]
            }
        ]
    }
    (s,) = parse_otlp_json(json.dumps(doc).encode()).spans
    assert (s.trace_id, s.span_id) == ("tr-" + T1, ROOT)
    assert (s.status_code, s.status_message, s.end_time_ns) == ("ERROR", "boom", None)


@pytest.mark.parametrize(
    ("body", "content_type", "encoding"),
    [
        (b"\xff\xff\xff\x01garbage", "application/x-protobuf", None),
        (b"{not json", "application/json", None),
        (b"[1, 2]", "application/json", None),
        (b'{"resourceSpans": {"a": 1}}', "application/json", None),
        (b"not gzip", "application/x-protobuf", "gzip"),
        (b"x", "application/x-protobuf", "br"),
        (b"x", "text/plain", None),
    ],
)
def test_malformed_bodies_are_invalid_argument(
    body: bytes, content_type: str, encoding: str | None
) -> None:
    with pytest.raises(InvalidArgumentError):
        parse_export(body, content_type, encoding)


def test_all_zero_ids_are_ids() -> None:
    """MLflow accepts all-zero trace, span and parent ids; only an empty id is missing."""
    zero_trace, zero_span = "00" * 16, "00" * 8
    spans = [
        span(zero_trace, zero_span, "root"),
        span(zero_trace, ROOT, "child", parent_hex=zero_span),
    ]
    for export in _both(spans):
        root, child = export.traces["tr-" + zero_trace]
        assert (root.span_id, root.parent_span_id) == (zero_span, None)
        assert child.parent_span_id == zero_span


@pytest.mark.parametrize(
    ("trace_hex", "span_hex", "message"),
    [
        ("", ROOT, "traceId is required but was empty"),
        (T1, "", "spanId is required but was empty"),
        (T1[:20], ROOT, "traceId has 10 bytes"),
        (T1, ROOT + "00", "spanId has 9 bytes"),
    ],
)
def test_missing_or_wrong_sized_ids_cannot_be_converted(
    trace_hex: str, span_hex: str, message: str
) -> None:
    doc = json_request([span(T1, ROOT, "s")])
    raw = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    raw["traceId"], raw["spanId"] = trace_hex, span_hex
    with pytest.raises(SpanConversionError, match=message):
        parse_otlp_json(json.dumps(doc).encode())


@pytest.mark.parametrize("bad", ["zz" * 15 + "!!", 12345, ["x"]])
def test_ids_that_are_no_hex_make_the_json_body_malformed(bad: object) -> None:
    doc = json_request([span(T1, ROOT, "s")])
    doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"] = bad
    with pytest.raises(InvalidArgumentError) as caught:
        parse_otlp_json(json.dumps(doc).encode())
    assert not isinstance(caught.value, SpanConversionError)


@pytest.mark.parametrize(
    ("trace_id", "span_id", "message"),
    [
        (b"\x01" * 8, b"\x01" * 8, "trace_id has 8 bytes"),
        (b"\x01" * 16, b"", "span_id is required but was empty"),
        (b"", b"\x01" * 8, "trace_id is required but was empty"),
    ],
)
def test_protobuf_spans_with_missing_or_short_ids_cannot_be_converted(
    trace_id: bytes, span_id: bytes, message: str
) -> None:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    req = ExportTraceServiceRequest()
    s = req.resource_spans.add().scope_spans.add().spans.add()
    s.trace_id, s.span_id = trace_id, span_id
    with pytest.raises(SpanConversionError, match=message):
        parse_otlp_protobuf(req.SerializeToString())


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", "application/x-protobuf"),
        (b"{}", "application/json"),
        (b'{"resourceSpans": []}', "application/json"),
    ],
)
def test_requests_without_resource_spans_have_no_spans(body: bytes, content_type: str) -> None:
    with pytest.raises(InvalidArgumentError, match=NO_SPANS_MESSAGE) as caught:
        parse_export(body, content_type)
    assert not isinstance(caught.value, SpanConversionError)


def test_resource_spans_without_spans_are_an_empty_export() -> None:
    export = parse_otlp_protobuf(protobuf_request([]))
    assert export.spans == []


@pytest.mark.parametrize("content_type", [None, "", "text/plain", "application/xml"])
def test_other_content_types_are_invalid(content_type: str | None) -> None:
    body = protobuf_request([span(T1, ROOT, "s")])
    with pytest.raises(InvalidArgumentError, match="Invalid Content-Type"):
        parse_export(body, content_type)


def test_compression_bombs_are_refused() -> None:
    bomb = gzip.compress(b"\0" * (MAX_DECOMPRESSED_BYTES + 1024))
    with pytest.raises(InvalidArgumentError, match="exceeds"):
        decompress(bomb, "gzip")


def test_truncated_gzip_is_refused() -> None:
    body = gzip.compress(protobuf_request([span(T1, ROOT, "root")]))
    with pytest.raises(InvalidArgumentError):
        decompress(body[: len(body) // 2], "gzip")


def test_known_models_get_a_cost_and_unknown_ones_none() -> None:
    usage = {"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 500}
    known = {"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini", **usage}
    unknown = {**known, "gen_ai.request.model": "my-private-model"}
    export = parse_otlp_protobuf(
        protobuf_request(
            [span(T1, ROOT, "a", attributes=known), span(T2, ROOT, "b", attributes=unknown)]
        )
    )
    priced, unpriced = export.spans
    cost = priced.attributes["mlflow.llm.cost"]
    assert set(cost) == {"input_cost", "output_cost", "total_cost"}
    assert cost["total_cost"] == pytest.approx(cost["input_cost"] + cost["output_cost"])
    assert cost["total_cost"] > 0
    assert "mlflow.llm.cost" not in unpriced.attributes


_json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40))
_json_any = st.recursive(
    _json_leaf,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
_keys = st.sampled_from(
    [
        "resourceSpans",
        "scopeSpans",
        "spans",
        "traceId",
        "spanId",
        "parentSpanId",
        "attributes",
        "key",
        "value",
        "stringValue",
        "intValue",
        "doubleValue",
        "arrayValue",
        "kvlistValue",
        "values",
        "events",
        "status",
        "code",
        "name",
        "startTimeUnixNano",
        "resource",
    ]
)
_otlp_like = st.recursive(
    _json_leaf | st.just(T1) | st.just(ROOT),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(_keys, children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(doc=st.one_of(_json_any, _otlp_like))
def test_arbitrary_json_is_parsed_or_refused_cleanly(doc: object) -> None:
    try:
        body = json.dumps(doc).encode()
    except ValueError:
        return
    try:
        export = parse_otlp_json(body)
    except InvalidArgumentError:
        return
    assert all(s.trace_id.startswith("tr-") for s in export.spans)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=200))
def test_arbitrary_bytes_are_parsed_or_refused_cleanly(data: bytes) -> None:
    try:
        parse_otlp_protobuf(data)
    except InvalidArgumentError:
        pass


# ------------------------------------------------------------------ kinds, links, root touches


def _json_doc(**span_fields: object) -> bytes:
    doc = json_request([span(T1, ROOT, "s")])
    doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0].update(span_fields)
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("kind", "name"),
    [(0, "INTERNAL"), (1, "INTERNAL"), (3, "CLIENT"), (5, "CONSUMER"), (9, "INTERNAL")],
)
def test_protobuf_span_kinds(kind: int, name: str) -> None:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    req = ExportTraceServiceRequest()
    req.ParseFromString(protobuf_request([span(T1, ROOT, "s")]))
    req.resource_spans[0].scope_spans[0].spans[0].kind = kind
    (s,) = parse_otlp_protobuf(req.SerializeToString()).spans
    assert s.kind == name


@pytest.mark.parametrize(
    ("kind", "name"),
    [(2, "SERVER"), ("4", "PRODUCER"), ("SPAN_KIND_CLIENT", "CLIENT"), ("odd", "INTERNAL")],
)
def test_json_span_kinds(kind: object, name: str) -> None:
    (s,) = parse_otlp_json(_json_doc(kind=kind)).spans
    assert s.kind == name


def test_protobuf_links_keep_their_ids_and_attributes_and_odd_ones_are_left_out() -> None:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    req = ExportTraceServiceRequest()
    req.ParseFromString(protobuf_request([span(T1, ROOT, "s")]))
    pb = req.resource_spans[0].scope_spans[0].spans[0]
    good = pb.links.add()
    good.trace_id, good.span_id = bytes.fromhex(T2), bytes.fromhex(CHILD)
    kv = good.attributes.add()
    kv.key, kv.value.int_value = "n", 3
    wide = pb.links.add()  # some producers send ids wider than OTLP's
    wide.trace_id, wide.span_id = b"\x01" * 20, bytes.fromhex(CHILD)
    pb.links.add()  # no ids at all
    (s,) = parse_otlp_protobuf(req.SerializeToString()).spans
    assert [(k.trace_id, k.span_id, k.attributes) for k in s.links] == [
        ("tr-" + T2, CHILD, {"n": 3})
    ]


def test_json_links_take_hex_or_base64_ids() -> None:
    links = [
        {
            "traceId": T2,
            "spanId": CHILD,
            "attributes": [{"key": "k", "value": {"stringValue": "v"}}],
        },
        {"trace_id": "CvdlGRbNQ92ESOshHIAxnA==", "span_id": "t61rcWkgMzE="},
        {"traceId": T2[:8], "spanId": CHILD},  # too short: left out
        {"spanId": CHILD},  # no trace: left out
    ]
    (s,) = parse_otlp_json(_json_doc(links=links)).spans
    assert [(k.trace_id, k.span_id, k.attributes) for k in s.links] == [
        ("tr-" + T2, CHILD, {"k": "v"}),
        ("tr-" + T1, ROOT, {}),
    ]


def test_json_links_with_ids_that_are_no_hex_make_the_body_malformed() -> None:
    with pytest.raises(InvalidArgumentError, match=r"links\.traceId"):
        parse_otlp_json(_json_doc(links=[{"traceId": "not hex!", "spanId": CHILD}]))


@pytest.mark.parametrize("service", sorted(KNOWN_SERVICE_NAMES))
def test_known_service_names_are_copied_onto_root_spans_only(service: str) -> None:
    spans = [span(T1, ROOT, "root"), span(T1, CHILD, "child", parent_hex=ROOT)]
    for export in _both(spans, {"service.name": service}):
        root, child = export.traces["tr-" + T1]
        assert root.attributes["service.name"] == service
        assert "service.name" not in child.attributes


@pytest.mark.parametrize("service", ["my-app", "unknown_service", "ardea", "Gemini-CLI"])
def test_other_service_names_are_not_copied(service: str) -> None:
    for export in _both([span(T1, ROOT, "root")], {"service.name": service}):
        assert "service.name" not in export.spans[0].attributes


def test_server_managed_trace_tags_are_dropped_from_root_spans() -> None:
    blocked = {f"mlflow.traceTag.{key}": json.dumps("x") for key in SERVER_MANAGED_TRACE_TAGS}
    attrs = {**blocked, "mlflow.traceTag.team": json.dumps("search")}
    spans = [
        span(T1, ROOT, "root", attributes=attrs),
        span(T1, CHILD, "child", parent_hex=ROOT, attributes=attrs),
    ]
    for export in _both(spans):
        root, child = export.traces["tr-" + T1]
        assert {k for k in root.attributes if k.startswith("mlflow.traceTag.")} == {
            "mlflow.traceTag.team"
        }
        assert set(blocked) <= set(child.attributes)  # only the root carries the record
