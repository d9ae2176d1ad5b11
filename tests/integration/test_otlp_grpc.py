"""OTLP/gRPC ingest (``ardea server --otlp-grpc-port``) against a real server process.

The official OTLP gRPC exporter sends spans that come back through the REST API, mapped as
over HTTP; raw gRPC calls check the bad-input statuses (malformed protobuf, oversized
message, unknown or missing experiment, missing or wrong credentials, a caller who may not
edit the experiment) and that a refused export stores nothing.
"""

from __future__ import annotations

import base64
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from fixtures.server_process import ServerProcess, free_port

pytestmark = pytest.mark.slow

EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
MAX_MESSAGE = 64 * 1024
ADMIN_PASSWORD = "first admin password"
BOB_PASSWORD = "bob's long password"


class GrpcServer:
    """A :class:`ServerProcess` with its OTLP/gRPC port."""

    def __init__(self, tmp: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.grpc_port = free_port()
        self.process = ServerProcess(tmp, "--otlp-grpc-port", str(self.grpc_port), *args, env=env)
        self.url = self.process.url
        self.target = f"127.0.0.1:{self.grpc_port}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GrpcServer]:
    env = {"ARDEA_OTLP_GRPC_MAX_MESSAGE_BYTES": str(MAX_MESSAGE)}
    srv = GrpcServer(tmp_path_factory.mktemp("grpc"), env=env)
    yield srv
    srv.process.kill()


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GrpcServer]:
    srv = GrpcServer(
        tmp_path_factory.mktemp("grpc-auth"), "--auth", env={"ARDEA_ADMIN_PASSWORD": ADMIN_PASSWORD}
    )
    yield srv
    srv.process.kill()


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _experiment(url: str, name: str, auth: str | None = None) -> str:
    headers = {"authorization": auth} if auth else {}
    r = httpx.post(f"{url}/api/2.0/mlflow/experiments/create", json={"name": name}, headers=headers)
    assert r.status_code == 200, r.text
    return str(r.json()["experiment_id"])


def _traces(url: str, experiment_id: str, auth: str | None = None) -> list[dict[str, Any]]:
    body = {
        "locations": [
            {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": experiment_id}}
        ]
    }
    headers = {"authorization": auth} if auth else {}
    r = httpx.post(f"{url}/api/3.0/mlflow/traces/search", json=body, headers=headers)
    assert r.status_code == 200, r.text
    return list(r.json().get("traces", []))


def _spans(url: str, trace_id: str) -> dict[str, dict[str, Any]]:
    r = httpx.get(f"{url}/api/3.0/mlflow/traces/get", params={"trace_id": trace_id})
    assert r.status_code == 200, r.text

    def value(v: dict[str, Any]) -> Any:
        if "kvlist_value" in v:
            return {kv["key"]: value(kv["value"]) for kv in v["kvlist_value"]["values"]}
        if "array_value" in v:
            return [value(x) for x in v["array_value"]["values"]]
        return next(iter(v.values()), None)

    return {
        s["name"]: {kv["key"]: value(kv["value"]) for kv in s["attributes"]}
        for s in r.json()["trace"]["spans"]
    }


def _request(trace_byte: int = 1, name: str = "raw", attribute: str = "") -> bytes:
    req = ExportTraceServiceRequest()
    span = req.resource_spans.add().scope_spans.add().spans.add()
    span.trace_id = bytes([trace_byte]) * 16
    span.span_id = b"\x02" * 8
    span.name = name
    span.start_time_unix_nano = 1_700_000_000_000_000_000
    span.end_time_unix_nano = 1_700_000_001_000_000_000
    if attribute:
        kv = span.attributes.add()
        kv.key = "payload"
        kv.value.string_value = attribute
    return req.SerializeToString()


def _call(target: str, body: bytes, metadata: tuple[tuple[str, str], ...]) -> grpc.StatusCode:
    with grpc.insecure_channel(target) as channel:
        export = channel.unary_unary(EXPORT)
        try:
            answer = export(body, metadata=metadata, timeout=30)
        except grpc.RpcError as exc:
            return exc.code()  # type: ignore[no-any-return]
    assert answer == b""  # an empty ExportTraceServiceResponse
    return grpc.StatusCode.OK


def test_the_official_exporter_sends_traces_over_grpc(server: GrpcServer) -> None:
    exp_id = _experiment(server.url, "grpc-exporter")
    provider = TracerProvider(resource=Resource.create({"service.name": "grpc-app"}))
    exporter = OTLPSpanExporter(
        endpoint=server.target,
        insecure=True,
        headers={"x-mlflow-experiment-id": exp_id},
        compression=grpc.Compression.Gzip,
    )
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("grpc-test")
    with tracer.start_as_current_span("invoke_agent helper") as agent:
        agent.set_attribute("gen_ai.operation.name", "invoke_agent")
        with tracer.start_as_current_span("chat gpt-4o-mini") as chat:
            chat.set_attribute("gen_ai.operation.name", "chat")
            chat.set_attribute("gen_ai.request.model", "gpt-4o-mini")
            chat.set_attribute("gen_ai.usage.input_tokens", 12)
            chat.set_attribute("gen_ai.usage.output_tokens", 3)
    provider.shutdown()

    (info,) = _traces(server.url, exp_id)
    assert info["trace_id"] == f"tr-{agent.get_span_context().trace_id:032x}"
    assert info["tags"]["mlflow.traceName"] == "invoke_agent helper"
    assert info["trace_metadata"]["ardea.service.name"] == "grpc-app"
    spans = _spans(server.url, info["trace_id"])
    assert spans["invoke_agent helper"]["mlflow.spanType"] == "AGENT"
    assert spans["chat gpt-4o-mini"]["mlflow.spanType"] == "CHAT_MODEL"
    assert spans["chat gpt-4o-mini"]["mlflow.chat.tokenUsage"] == {
        "input_tokens": 12,
        "output_tokens": 3,
        "total_tokens": 15,
    }
    assert spans["chat gpt-4o-mini"]["mlflow.llm.cost"]["total_cost"] > 0


def test_bad_input_gets_the_right_status_and_stores_nothing(server: GrpcServer) -> None:
    exp_id = _experiment(server.url, "grpc-bad-input")
    md = (("x-mlflow-experiment-id", exp_id),)
    assert _call(server.target, _request(1, "kept"), md) == grpc.StatusCode.OK
    before = _traces(server.url, exp_id)
    assert [t["tags"]["mlflow.traceName"] for t in before] == ["kept"]

    cases = [
        (b"\xff\xff\xff", md, grpc.StatusCode.INVALID_ARGUMENT),  # malformed protobuf
        (ExportTraceServiceRequest().SerializeToString(), md, grpc.StatusCode.INVALID_ARGUMENT),
        (_request(1, "kept", "x" * (MAX_MESSAGE + 1)), md, grpc.StatusCode.RESOURCE_EXHAUSTED),
        (_request(3), (("x-mlflow-experiment-id", "987654"),), grpc.StatusCode.NOT_FOUND),
        (_request(3), (), grpc.StatusCode.INVALID_ARGUMENT),  # no experiment named
        (_request(3), (*md, ("x-mlflow-run-id", "nope")), grpc.StatusCode.NOT_FOUND),
        (_request(3), (*md, ("x-mlflow-workspace", "team")), grpc.StatusCode.INVALID_ARGUMENT),
        (_request(0, "overwrite", "y"), md, grpc.StatusCode.OK),  # a new trace still lands
    ]
    for body, metadata, expected in cases:
        assert _call(server.target, body, metadata) == expected, (metadata, len(body))

    after = _traces(server.url, exp_id)
    assert sorted(t["tags"]["mlflow.traceName"] for t in after) == ["kept", "overwrite"]
    kept = next(t for t in after if t["tags"]["mlflow.traceName"] == "kept")
    assert "payload" not in _spans(server.url, kept["trace_id"])["kept"]  # unchanged


def test_with_auth_grpc_calls_pass_the_same_door(auth_server: GrpcServer) -> None:
    admin = _basic("admin", ADMIN_PASSWORD)
    exp_id = _experiment(auth_server.url, "grpc-auth", admin)
    r = httpx.post(
        f"{auth_server.url}/api/2.0/mlflow/users/create",
        json={"username": "bob", "password": BOB_PASSWORD},
        headers={"authorization": admin},
    )
    assert r.status_code == 200, r.text
    md = ("x-mlflow-experiment-id", exp_id)
    target = auth_server.target
    assert _call(target, _request(5), (md,)) == grpc.StatusCode.UNAUTHENTICATED
    wrong = ("authorization", _basic("admin", "not the password"))
    assert _call(target, _request(5), (md, wrong)) == grpc.StatusCode.UNAUTHENTICATED
    bob = ("authorization", _basic("bob", BOB_PASSWORD))  # READ by default: may not write
    assert _call(target, _request(5), (md, bob)) == grpc.StatusCode.PERMISSION_DENIED
    assert _traces(auth_server.url, exp_id, admin) == []

    provider = TracerProvider()
    exporter = OTLPSpanExporter(
        endpoint=target,
        insecure=True,
        headers={"x-mlflow-experiment-id": exp_id, "authorization": admin},
    )
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer("t").start_as_current_span("authenticated"):
        pass
    provider.shutdown()
    names = [t["tags"]["mlflow.traceName"] for t in _traces(auth_server.url, exp_id, admin)]
    assert names == ["authenticated"]


def test_the_receiver_stops_with_the_server(tmp_path: Path) -> None:
    srv = GrpcServer(tmp_path)
    exp_id = _experiment(srv.url, "grpc-stop")
    md = (("x-mlflow-experiment-id", exp_id),)
    assert _call(srv.target, _request(7), md) == grpc.StatusCode.OK
    srv.process.stop()
    # uvicorn re-raises SIGTERM once shut down; a hung shutdown would have needed SIGKILL
    assert srv.process.proc.returncode in (0, -signal.SIGTERM)
    assert _call(srv.target, _request(8), md) == grpc.StatusCode.UNAVAILABLE


def test_the_app_never_loads_grpc() -> None:
    code = (
        "import sys, ardea.server.app, ardea.server.factory, ardea.cli.server\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'grpc'], 'grpc loaded'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
