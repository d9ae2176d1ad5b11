"""A plain OpenTelemetry SDK with the OTLP/HTTP exporter sends ``gen_ai.*`` spans to a live
``ardea server``: they show up as an Ardea trace with span types, model and token usage."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

pytest.importorskip("opentelemetry.exporter.otlp.proto.http")

from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import StatusCode

pytestmark = pytest.mark.slow


def _provider(url: str, headers: dict[str, str], resource: dict[str, Any]) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create(resource))
    exporter = OTLPSpanExporter(
        endpoint=f"{url}/v1/traces", headers=headers, compression=Compression.Gzip
    )
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def _experiment(http: httpx.Client, name: str) -> str:
    r = http.post("/api/2.0/mlflow/experiments/create", json={"name": name})
    assert r.status_code == 200, r.text
    return str(r.json()["experiment_id"])


def _search(http: httpx.Client, experiment_id: str, filter_string: str = "") -> list[dict]:
    body = {
        "locations": [
            {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": experiment_id}}
        ],
        "filter": filter_string,
    }
    r = http.post("/api/3.0/mlflow/traces/search", json=body)
    assert r.status_code == 200, r.text
    return list(r.json().get("traces", []))


def _attrs(span: dict[str, Any]) -> dict[str, Any]:
    def value(v: dict[str, Any]) -> Any:
        if "kvlist_value" in v:
            return {kv["key"]: value(kv["value"]) for kv in v["kvlist_value"]["values"]}
        if "array_value" in v:
            return [value(x) for x in v["array_value"]["values"]]
        return next(iter(v.values()), None)

    return {kv["key"]: value(kv["value"]) for kv in span["attributes"]}


def test_gen_ai_spans_become_a_trace_with_model_and_tokens(live_server: Any) -> None:
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        exp_id = _experiment(http, "otel-genai")
        provider = _provider(
            live_server.url, {"x-mlflow-experiment-id": exp_id}, {"service.name": "genai-app"}
        )
        tracer = provider.get_tracer("test-genai")
        with tracer.start_as_current_span("invoke_agent helper") as agent:
            agent.set_attribute("gen_ai.operation.name", "invoke_agent")
            with tracer.start_as_current_span("chat gpt-4o-mini") as chat:
                chat.set_attribute("gen_ai.operation.name", "chat")
                chat.set_attribute("gen_ai.provider.name", "openai")
                chat.set_attribute("gen_ai.request.model", "gpt-4o-mini")
                chat.set_attribute("gen_ai.response.model", "gpt-4o-mini-2024-07-18")
                chat.set_attribute("gen_ai.usage.input_tokens", 21)
                chat.set_attribute("gen_ai.usage.output_tokens", 9)
                chat.set_attribute(
                    "gen_ai.input.messages", json.dumps([{"role": "user", "content": "hi"}])
                )
            with tracer.start_as_current_span("execute_tool search") as tool:
                tool.set_attribute("gen_ai.operation.name", "execute_tool")
                tool.set_status(StatusCode.ERROR, "tool failed")
        trace_hex = format(agent.get_span_context().trace_id, "032x")
        assert provider.force_flush()
        provider.shutdown()

        (info,) = _search(http, exp_id)
        trace_id = "tr-" + trace_hex
        assert info["trace_id"] == trace_id
        assert info["tags"]["mlflow.traceName"] == "invoke_agent helper"
        assert info["state"] == "OK"
        assert json.loads(info["trace_metadata"]["mlflow.trace.cost"])["total_cost"] > 0
        assert json.loads(info["trace_metadata"]["mlflow.trace.tokenUsage"]) == {
            "input_tokens": 21,
            "output_tokens": 9,
            "total_tokens": 30,
        }

        r = http.get("/api/3.0/mlflow/traces/get", params={"trace_id": trace_id})
        assert r.status_code == 200, r.text
        spans = {s["name"]: _attrs(s) for s in r.json()["trace"]["spans"]}
        assert spans["invoke_agent helper"]["mlflow.spanType"] == "AGENT"
        chat_attrs = spans["chat gpt-4o-mini"]
        assert chat_attrs["mlflow.spanType"] == "CHAT_MODEL"
        assert chat_attrs["mlflow.llm.model"] == "gpt-4o-mini-2024-07-18"
        assert chat_attrs["mlflow.llm.provider"] == "openai"
        assert chat_attrs["mlflow.chat.tokenUsage"] == {
            "input_tokens": 21,
            "output_tokens": 9,
            "total_tokens": 30,
        }
        assert chat_attrs["mlflow.spanInputs"] == [{"role": "user", "content": "hi"}]
        assert chat_attrs["mlflow.llm.cost"]["total_cost"] > 0
        assert spans["execute_tool search"]["mlflow.spanType"] == "TOOL"

        assert [t["trace_id"] for t in _search(http, exp_id, "span.type = 'CHAT_MODEL'")] == [
            trace_id
        ]


def test_experiment_from_resource_attribute_and_unknown_experiment(live_server: Any) -> None:
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        exp_id = _experiment(http, "otel-resource")
        provider = _provider(live_server.url, {}, {"ardea.experiment_id": exp_id})
        with provider.get_tracer("t").start_as_current_span("plain"):
            pass
        assert provider.force_flush()
        provider.shutdown()
        assert [t["tags"]["mlflow.traceName"] for t in _search(http, exp_id)] == ["plain"]

        empty = ExportTraceServiceRequest()
        empty.resource_spans.add()  # resource spans without spans: nothing to store
        r = http.post(
            "/v1/traces",
            content=empty.SerializeToString(),
            headers={"content-type": "application/x-protobuf", "x-mlflow-experiment-id": "999"},
        )
        assert r.status_code == 404
        assert r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
