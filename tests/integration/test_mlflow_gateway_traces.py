"""Gateway traces (written whole by the recorder) read with the stock ``mlflow`` client from a
live ``ardea server``: ``search_traces`` and ``get_trace`` give MLflow's gateway metadata, the
root span with its payloads, token usage and state."""

from __future__ import annotations

import time
from typing import Any

from ardea.gateway.recorder import GatewayRecord, TraceRecorder
from ardea.store.sql.backend import open_sql_backend


def _record(experiment_id: str, **kw: Any) -> GatewayRecord:
    now = time.time_ns()
    values: dict[str, Any] = dict(
        experiment_id=experiment_id, endpoint_id="e-1", endpoint="chat",
        request_type="unified/chat", caller="OpenAI", user="ada", user_id="1", key_id=None,
        provider="openai", model="gpt-4o-mini", start_ns=now, end_ns=now + 50_000_000,
        status=200, input_tokens=12, output_tokens=9, cost=0.25,
        request={"model": "chat", "messages": [{"role": "user", "content": "hi"}]},
        response={"choices": [{"message": {"role": "assistant", "content": "hello"}}]},
    )  # fmt: skip
    values.update(kw)
    return GatewayRecord(**values)


def test_stock_client_reads_gateway_traces(live_server: Any) -> None:
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=live_server.url)
    experiment_id = client.create_experiment("gateway-traces")
    backend = open_sql_backend(
        live_server.backend_store_uri, artifacts_destination=str(live_server.artifacts_dir)
    )
    try:
        recorder = TraceRecorder(backend.traces)
        recorder.record(_record(experiment_id))
        recorder.record(_record(experiment_id, status=502, error="openai answered 502"))
        recorder.close()
        assert recorder.written == 2
    finally:
        backend.close()

    found = client.search_traces(locations=[experiment_id])
    assert len(found) == 2
    by_state = {str(t.info.state): t for t in found}
    ok = client.get_trace(by_state["OK"].info.trace_id)
    assert ok.info.trace_metadata["mlflow.gateway.endpointId"] == "e-1"
    assert ok.info.trace_metadata["mlflow.gateway.requestType"] == "unified/chat"
    assert ok.info.trace_metadata["mlflow.gateway.caller"] == "OpenAI"
    assert ok.info.tags["mlflow.traceName"] == "gateway/chat"
    assert ok.info.token_usage is not None and ok.info.token_usage["total_tokens"] == 21
    assert '"hi"' in (ok.info.request_preview or "")
    (root,) = ok.data.spans
    assert root.name == "gateway/chat" and root.span_type == "LLM" and root.parent_id is None
    assert root.inputs["messages"][0]["content"] == "hi"
    assert root.outputs["choices"][0]["message"]["content"] == "hello"
    failed = client.get_trace(by_state["ERROR"].info.trace_id)
    assert failed.data.spans[0].status.description == "openai answered 502"
    filtered = client.search_traces(
        locations=[experiment_id], filter_string="metadata.`mlflow.gateway.endpointId` = 'e-1'"
    )
    assert len(filtered) == 2
