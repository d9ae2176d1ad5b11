"""Real OpenTelemetry instrumentors of the OpenAI SDK, exporting over OTLP to a live server.

OpenInference (``openinference-instrumentation-openai``), OpenLLMetry (traceloop's
``opentelemetry-instrumentation-openai``) and the official GenAI one
(``opentelemetry-instrumentation-openai-v2``, in its default conventions, v1.30, and the
latest ones via ``OTEL_SEMCONV_STABILITY_OPT_IN``) each trace the real ``openai`` SDK against
the fake provider in a child process (:mod:`fixtures.otel_instrumented_openai`) that exports
over OTLP/HTTP or OTLP/gRPC. The trace is read back through the REST API: span types,
inputs/outputs, token usage, cost, model/provider and the trace's session and user.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fixtures.fake_llm_server import FakeLLMServer
from fixtures.server_process import ServerProcess, free_port

pytestmark = pytest.mark.slow

TESTS = Path(__file__).resolve().parents[1]
USAGE_CHAT = {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5}  # the fake's counts


class Setup:
    """A server with OTLP/gRPC on, and the fake provider."""

    def __init__(self, tmp: Path, fake: FakeLLMServer) -> None:
        self.grpc_port = free_port()
        self.server = ServerProcess(tmp, "--otlp-grpc-port", str(self.grpc_port))
        self.fake = fake

    def run(self, instrumentor: str, transport: str, **env: str) -> str:
        """Run the instrumented app; the Ardea trace id of its trace."""
        r = httpx.post(
            f"{self.server.url}/api/2.0/mlflow/experiments/create",
            json={"name": f"{instrumentor}-{transport}-{len(env)}"},
        )
        assert r.status_code == 200, r.text
        self.experiment_id = str(r.json()["experiment_id"])
        endpoint = self.server.url if transport == "http" else f"127.0.0.1:{self.grpc_port}"
        child_env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OPENAI_"))}
        child_env["PYTHONPATH"] = str(TESTS)
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "fixtures.otel_instrumented_openai",
                instrumentor,
                transport,
                endpoint,
                self.experiment_id,
                self.fake.openai_base_url,
            ],
            capture_output=True,
            text=True,
            env={**child_env, **env},
            timeout=120,
        )
        assert out.returncode == 0, out.stderr[-3000:]
        return "tr-" + out.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    with FakeLLMServer() as fake:
        s = Setup(tmp_path_factory.mktemp("instrumentors"), fake)
        yield s
        s.server.kill()


def _value(v: dict[str, Any]) -> Any:
    if "kvlist_value" in v:
        return {kv["key"]: _value(kv["value"]) for kv in v["kvlist_value"]["values"]}
    if "array_value" in v:
        return [_value(x) for x in v["array_value"]["values"]]
    return next(iter(v.values()), None)


def _trace(setup: Setup, trace_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The trace's info and its spans' attributes (with ``name``), in start order."""
    r = httpx.get(f"{setup.server.url}/api/3.0/mlflow/traces/get", params={"trace_id": trace_id})
    assert r.status_code == 200, r.text
    trace = r.json()["trace"]
    spans = sorted(trace["spans"], key=lambda s: int(s["start_time_unix_nano"]))
    out = []
    for span in spans:
        attrs = {kv["key"]: _value(kv["value"]) for kv in span["attributes"]}
        attrs["name"] = span["name"]
        out.append(attrs)
    return trace["trace_info"], out


def _check_common(info: dict[str, Any], spans: list[dict[str, Any]]) -> None:
    root, chat, stream, embed = spans
    assert root["name"] == "app"
    usage = chat["mlflow.chat.tokenUsage"]
    assert {k: usage[k] for k in USAGE_CHAT} == USAGE_CHAT  # (+ cache counts when reported)
    assert chat["mlflow.llm.model"] == "gpt-4o-mini"
    assert chat["mlflow.llm.provider"] == "openai"
    assert chat["mlflow.llm.cost"]["total_cost"] > 0
    assert stream["mlflow.chat.tokenUsage"]["output_tokens"] > 0
    assert embed["mlflow.spanType"] == "EMBEDDING"
    assert embed["mlflow.chat.tokenUsage"]["input_tokens"] > 0
    assert embed["mlflow.llm.model"] == "text-embedding-3-small"
    meta = info["trace_metadata"]
    assert meta["mlflow.trace.session"] == "sess-1"
    assert meta["mlflow.trace.user"] == "user-1"
    assert json.loads(meta["mlflow.trace.cost"])["total_cost"] > 0


def test_openinference_over_http(setup: Setup) -> None:
    info, spans = _trace(setup, setup.run("openinference", "http"))
    _check_common(info, spans)
    _, chat, stream, _ = spans
    assert chat["mlflow.spanType"] == "LLM"  # OpenInference's kind, as MLflow maps it
    assert chat["mlflow.spanInputs"]["messages"][1] == {"role": "user", "content": "hello"}
    assert chat["mlflow.spanOutputs"]["choices"][0]["message"]["content"] == "echo: hello"
    assert stream["mlflow.spanOutputs"]["choices"][0]["message"]["content"] == "echo: stream please"


def test_openllmetry_over_grpc(setup: Setup) -> None:
    info, spans = _trace(setup, setup.run("openllmetry", "grpc"))
    _check_common(info, spans)
    root, chat, stream, _ = spans
    assert root["mlflow.spanType"] == "WORKFLOW"
    assert root["mlflow.spanInputs"] == {"question": "hello"}
    assert chat["mlflow.spanType"] == "CHAT_MODEL"
    assert chat["mlflow.spanInputs"][1]["parts"][0]["content"] == "hello"
    assert chat["mlflow.spanOutputs"][0]["parts"][0]["content"] == "echo: hello"
    assert stream["mlflow.spanType"] == "CHAT_MODEL"


def test_genai_latest_conventions_over_grpc(setup: Setup) -> None:
    trace_id = setup.run(
        "genai",
        "grpc",
        OTEL_SEMCONV_STABILITY_OPT_IN="gen_ai_latest_experimental",
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT="SPAN_ONLY",
    )
    info, spans = _trace(setup, trace_id)
    _check_common(info, spans)
    root, chat, _, _ = spans
    assert root["mlflow.spanType"] == "AGENT"
    assert chat["mlflow.spanType"] == "CHAT_MODEL"
    assert chat["mlflow.spanInputs"][0] == {
        "role": "system",
        "parts": [{"content": "be brief", "type": "text"}],
    }
    assert chat["mlflow.spanOutputs"][0]["parts"][0]["content"] == "echo: hello"


def test_genai_previous_conventions_over_http(setup: Setup) -> None:
    # v1.30 (the instrumentor's default): gen_ai.system names the provider; message content
    # goes to OpenTelemetry log events, not onto spans, so the spans carry no inputs/outputs.
    trace_id = setup.run("genai", "http", OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT="true")
    info, spans = _trace(setup, trace_id)
    _check_common(info, spans)
    _, chat, _, _ = spans
    assert chat["gen_ai.system"] == "openai" and "gen_ai.provider.name" not in chat
    assert chat["mlflow.spanType"] == "CHAT_MODEL"
    assert "mlflow.spanInputs" not in chat
