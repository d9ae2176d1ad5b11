"""The OTLP/gRPC bridge in-process: an export handed to a real app as ``POST /v1/traces``.

The gRPC transport itself (the official exporter, statuses on the wire, auth, stopping) is
tested against a server process in tests/integration/test_otlp_grpc.py.
"""

from __future__ import annotations

import asyncio

import grpc
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from ardea.server.app import create_app
from ardea.server.deps import ServerDeps, ServerSettings
from ardea.server.otlp_grpc import (
    DEFAULT_MAX_MESSAGE_BYTES,
    OtlpGrpcReceiver,
    grpc_status,
    max_message_bytes,
)


def _body(name: str = "bridged") -> bytes:
    req = ExportTraceServiceRequest()
    span = req.resource_spans.add().scope_spans.add().spans.add()
    span.trace_id = b"\x0a" * 16
    span.span_id = b"\x0b" * 8
    span.name = name
    span.start_time_unix_nano = 1_700_000_000_000_000_000
    span.end_time_unix_nano = 1_700_000_000_500_000_000
    return req.SerializeToString()


@pytest.mark.parametrize(
    ("http", "code"),
    [
        (200, grpc.StatusCode.OK),
        (400, grpc.StatusCode.INVALID_ARGUMENT),
        (401, grpc.StatusCode.UNAUTHENTICATED),
        (403, grpc.StatusCode.PERMISSION_DENIED),
        (404, grpc.StatusCode.NOT_FOUND),
        (413, grpc.StatusCode.RESOURCE_EXHAUSTED),
        (422, grpc.StatusCode.INVALID_ARGUMENT),
        (429, grpc.StatusCode.RESOURCE_EXHAUSTED),
        (500, grpc.StatusCode.INTERNAL),
        (501, grpc.StatusCode.UNIMPLEMENTED),
        (503, grpc.StatusCode.UNAVAILABLE),
        (418, grpc.StatusCode.INTERNAL),
    ],
)
def test_http_statuses_map_to_grpc_codes(http: int, code: grpc.StatusCode) -> None:
    assert grpc_status(http) is code


def test_max_message_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARDEA_OTLP_GRPC_MAX_MESSAGE_BYTES", raising=False)
    assert max_message_bytes() == DEFAULT_MAX_MESSAGE_BYTES == 64 * 1024 * 1024
    monkeypatch.setenv("ARDEA_OTLP_GRPC_MAX_MESSAGE_BYTES", "1024")
    assert max_message_bytes() == 1024
    for bad in ("0", "-5", "1k"):
        monkeypatch.setenv("ARDEA_OTLP_GRPC_MAX_MESSAGE_BYTES", bad)
        with pytest.raises(ValueError, match="ARDEA_OTLP_GRPC_MAX_MESSAGE_BYTES"):
            max_message_bytes()


def test_an_export_is_served_by_the_otlp_route(deps: ServerDeps) -> None:
    exp_id = deps.backend.tracking.create_experiment("bridge")
    app = create_app(deps)
    receiver = OtlpGrpcReceiver(app, ("127.0.0.1", 5000))

    async def run() -> list[tuple[int, str]]:
        out = []
        for body, metadata in [
            (_body(), [("x-mlflow-experiment-id", exp_id), ("grpc-accept-encoding", "gzip")]),
            (b"\x00garbage", [("x-mlflow-experiment-id", exp_id)]),
            (_body("other"), [("x-mlflow-experiment-id", "424242")]),
            # metadata that is no HTTP header is left out, not an error
            (_body(), [("x-mlflow-experiment-id", exp_id), ("trace-bin", b"\x00\x01")]),
        ]:
            answer = await receiver.forward(body, metadata, "ipv4:127.0.0.1:40000")
            out.append((answer.status, answer.message()))
        return out

    answers = asyncio.run(run())
    assert [status for status, _ in answers] == [200, 400, 404, 200]
    assert "Malformed OTLP protobuf body" in answers[1][1]
    assert "424242" in answers[2][1]
    (info,) = deps.backend.traces.search_traces([exp_id])
    assert info.trace_id == "tr-" + "0a" * 16 and info.name == "bridged"


def test_the_host_allow_list_does_not_apply_to_grpc(deps: ServerDeps) -> None:
    settings = ServerSettings(allowed_hosts=("ardea.example.com",))
    app = create_app(ServerDeps(deps.backend, settings))
    exp_id = deps.backend.tracking.create_experiment("hosts")
    receiver = OtlpGrpcReceiver(app, ("127.0.0.1", 5000))
    answer = asyncio.run(receiver.forward(_body(), [("x-mlflow-experiment-id", exp_id)]))
    assert answer.status == 200, answer.message()
