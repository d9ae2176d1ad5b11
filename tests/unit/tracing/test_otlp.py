"""OTLP/HTTP export to a real HTTP server on loopback (stdlib ``http.server``)."""

from __future__ import annotations

import gzip
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

import ardea
from ardea._core import context
from ardea.tracing import flush, provider, start_span, trace
from ardea.tracing.otlp import OtlpHttpExporter


class Capture:
    """A loopback HTTP server that records requests and answers with queued statuses."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        capture = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = capture.statuses.pop(0) if capture.statuses else 200
                capture.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": body,
                        "status": status,
                    }
                )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def ok(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == path and r["status"] == 200]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def capture() -> Iterator[Capture]:
    server = Capture()
    yield server
    server.stop()


def _spans(request: dict[str, Any]) -> list[Any]:
    assert request["headers"]["Content-Encoding"] == "gzip"
    assert request["headers"]["Content-Type"] == "application/x-protobuf"
    message = ExportTraceServiceRequest.FromString(gzip.decompress(request["body"]))
    return [s for rs in message.resource_spans for ss in rs.scope_spans for s in ss.spans]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_http_tracking_uri_exports_gzip_protobuf_and_trace_info(capture: Capture) -> None:
    ardea.set_tracking_uri(capture.url)
    try:
        provider.configure(schedule_delay=0.05)
        context.set_active_experiment_id("7")

        @trace(span_type="AGENT")
        def agent(q: str) -> str:
            ardea.update_current_trace(tags={"env": "test"}, user_id="u1")
            with start_span("tool", span_type="TOOL"):
                pass
            return q.upper()

        assert agent("hi") == "HI"
        flush()
    finally:
        ardea.set_tracking_uri(None)
    (otlp,) = capture.ok("/v1/traces")
    assert otlp["headers"]["x-mlflow-experiment-id"] == "7"
    spans = {s.name: s for s in _spans(otlp)}
    assert sorted(spans) == ["agent", "tool"]
    attrs = {kv.key: kv.value.string_value for kv in spans["agent"].attributes}
    assert json.loads(attrs["mlflow.spanType"]) == "AGENT"
    assert json.loads(attrs["mlflow.spanInputs"]) == {"q": "hi"}
    assert attrs["user.id"] == "u1"
    assert spans["tool"].parent_span_id == spans["agent"].span_id
    # The record rides on the root span; by default no StartTraceV3 is sent.
    assert json.loads(attrs["mlflow.traceTag.env"]) == "test"
    assert json.loads(attrs["mlflow.traceMetadata.mlflow.trace.user"]) == "u1"
    assert capture.ok("/api/3.0/mlflow/traces") == []


def test_send_trace_info_also_sends_start_trace_v3(capture: Capture) -> None:
    provider.configure(
        exporter=OtlpHttpExporter(capture.url, send_trace_info=True), schedule_delay=0.05
    )
    context.set_active_experiment_id("7")

    @trace(span_type="AGENT")
    def agent(q: str) -> str:
        ardea.update_current_trace(tags={"env": "test"}, user_id="u1")
        return q.upper()

    assert agent("hi") == "HI"
    flush()
    (otlp,) = capture.ok("/v1/traces")
    (root,) = _spans(otlp)
    (start,) = capture.ok("/api/3.0/mlflow/traces")
    info = json.loads(start["body"])["trace"]["trace_info"]
    assert info["trace_id"] == f"tr-{root.trace_id.hex()}"
    assert info["trace_location"]["mlflow_experiment"]["experiment_id"] == "7"
    assert info["state"] == "OK"
    assert info["tags"] == {"mlflow.traceName": "agent", "env": "test"}
    assert info["trace_metadata"]["mlflow.trace.user"] == "u1"
    assert info["request_preview"] == '{"q":"hi"}'


def test_retries_on_5xx_and_429(capture: Capture) -> None:
    capture.statuses = [503, 429]
    provider.configure(exporter=OtlpHttpExporter(capture.url, backoff=0.01), schedule_delay=0.05)
    with start_span("retried"):
        pass
    flush()
    statuses = [r["status"] for r in capture.requests if r["path"] == "/v1/traces"]
    assert statuses == [503, 429, 200]
    assert [s.name for s in _spans(capture.ok("/v1/traces")[0])] == ["retried"]


def test_client_errors_are_not_retried(capture: Capture) -> None:
    capture.statuses = [422]
    provider.configure(exporter=OtlpHttpExporter(capture.url, backoff=0.01), schedule_delay=0.05)
    with start_span("rejected"):
        pass
    with pytest.raises(ardea.UnavailableError, match="failed to export"):
        flush()
    assert [r["status"] for r in capture.requests if r["path"] == "/v1/traces"] == [422]


def test_server_down_the_app_keeps_running_and_drops_are_bounded() -> None:
    url = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    provider.configure(
        exporter=OtlpHttpExporter(url, max_retries=1, backoff=0.01),
        max_queue_size=10,
        batch_size=5,
        schedule_delay=0.01,
    )

    @trace
    def work(i: int) -> int:
        return i * 2

    assert [work(i) for i in range(300)] == [i * 2 for i in range(300)]
    queue = provider._state.processor.queue
    assert len(queue) <= 10
    with pytest.raises(ardea.UnavailableError):
        flush()
    assert queue.dropped + queue.failed == 300
    assert queue.dropped > 0


def test_server_killed_mid_run(capture: Capture) -> None:
    provider.configure(
        exporter=OtlpHttpExporter(capture.url, max_retries=1, backoff=0.01),
        max_queue_size=50,
        schedule_delay=0.01,
    )

    @trace
    def step(i: int) -> int:
        return i

    for i in range(10):
        step(i)
    flush()
    assert len(capture.ok("/v1/traces")) >= 1
    capture.stop()
    assert [step(i) for i in range(200)] == list(range(200))
    with pytest.raises(ardea.UnavailableError):
        flush()
    queue = provider._state.processor.queue
    assert queue.dropped + queue.failed == 200


def test_root_span_carries_tags_and_metadata_and_plain_traces_send_no_record(
    capture: Capture,
) -> None:
    provider.configure(
        exporter=OtlpHttpExporter(capture.url, send_trace_info=True), schedule_delay=0.05
    )
    context.set_active_experiment_id("3")

    @trace
    def plain() -> int:
        return 1

    @trace
    def tagged() -> int:
        ardea.update_current_trace(tags={"env": "123"}, metadata={"m": "v"})
        return 2

    plain()
    flush()
    assert capture.ok("/api/3.0/mlflow/traces") == []
    tagged()
    flush()
    spans = {s.name: s for r in capture.ok("/v1/traces") for s in _spans(r)}
    attrs = {kv.key: kv.value.string_value for kv in spans["tagged"].attributes}
    assert json.loads(attrs["mlflow.traceTag.env"]) == "123"
    assert json.loads(attrs["mlflow.traceMetadata.m"]) == "v"
    assert not any(kv.key.startswith("mlflow.trace") for kv in spans["plain"].attributes)
    (start,) = capture.ok("/api/3.0/mlflow/traces")  # only the tagged trace needs a record
    assert json.loads(start["body"])["trace"]["trace_info"]["tags"]["env"] == "123"
