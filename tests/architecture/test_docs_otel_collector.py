"""docs/opentelemetry.md's OpenTelemetry Collector recipe has the shape Ardea's routes expect.

The Collector binary is not installable here, so the YAML is parsed and checked, not run: an
OTLP receiver, one pipeline that uses it, and exporters whose endpoints and headers match the
OTLP/HTTP route (the ``otlphttp`` exporter appends ``/v1/traces``), the gRPC receiver's service
and the headers the server reads (experiment, authorization).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from ardea.server.routers.otlp import EXPERIMENT_HEADERS, router

DOC = Path(__file__).resolve().parents[2] / "docs" / "opentelemetry.md"
YAML_BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.DOTALL | re.MULTILINE)
OTLPHTTP_SUFFIX = "/v1/traces"  # what the Collector's otlphttp exporter appends for traces


def _recipe() -> dict[str, Any]:
    (block,) = YAML_BLOCK.findall(DOC.read_text(encoding="utf-8"))
    config = yaml.safe_load(block)
    assert isinstance(config, dict)
    return config


def test_the_recipe_receives_otlp_and_forwards_it_to_ardea() -> None:
    config = _recipe()
    protocols = config["receivers"]["otlp"]["protocols"]
    assert set(protocols) == {"grpc", "http"}
    (pipeline,) = config["service"]["pipelines"].values()
    assert pipeline["receivers"] == ["otlp"]
    assert set(pipeline.get("processors", [])) <= set(config.get("processors", {}))
    (exporter,) = pipeline["exporters"]  # one: two Ardea exporters would store two copies
    assert exporter in config["exporters"]


def test_the_exporters_match_ardeas_routes_and_headers() -> None:
    exporters = _recipe()["exporters"]
    http = exporters["otlphttp/ardea"]
    url = urlsplit(http["endpoint"])
    assert url.scheme in ("http", "https") and url.path in ("", "/")
    paths = {route.path for route in router.routes}  # type: ignore[attr-defined]
    assert OTLPHTTP_SUFFIX in paths
    grpc = exporters["otlp/ardea"]
    host, _, port = grpc["endpoint"].rpartition(":")
    assert host and not host.startswith("http") and port == "4317"
    assert grpc["tls"] == {"insecure": True}
    for exporter in (http, grpc):
        headers = {k.lower(): v for k, v in exporter["headers"].items()}
        assert headers[EXPERIMENT_HEADERS[0]].isdigit()
        assert headers["authorization"].startswith("Bearer ${env:")


def test_the_grpc_service_is_otlps_trace_service() -> None:
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

    from ardea.server.otlp_grpc import EXPORT_METHOD, SERVICE_NAME

    service = trace_service_pb2.DESCRIPTOR.services_by_name["TraceService"]
    assert service.full_name == SERVICE_NAME
    assert f"/{service.full_name}/{service.methods_by_name['Export'].name}" == EXPORT_METHOD
