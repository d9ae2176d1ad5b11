"""The ``mlflow`` client's trace reads against a live ``ardea server``.

``mlflow.search_traces(..., return_type="list", include_spans=False)`` (what
``mlflow.genai.evaluate`` calls), ``mlflow.get_trace`` and ``MlflowClient.search_traces``,
for traces the ``mlflow`` client sent and for traces Ardea's SDK sent (record on the root span).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

mlflow = pytest.importorskip("mlflow")

from mlflow.tracking import MlflowClient  # noqa: E402

import ardea  # noqa: E402
from ardea.tracing import provider  # noqa: E402

pytestmark = pytest.mark.slow

WAIT_S = 60.0


@pytest.fixture
def server(mlflow_env: str, live_server_module: Any) -> Iterator[Any]:
    yield live_server_module
    mlflow.flush_trace_async_logging()
    mlflow.set_tracking_uri(None)


def _wait_spans(trace_id: str, n_spans: int) -> Any:
    mlflow.flush_trace_async_logging()
    deadline = time.monotonic() + WAIT_S
    while True:
        trace = mlflow.get_trace(trace_id)
        if trace is not None and len(trace.data.spans) >= n_spans:
            return trace
        if time.monotonic() > deadline:
            raise AssertionError(f"trace {trace_id} never reached {n_spans} spans: {trace}")
        time.sleep(0.1)


@mlflow.trace(span_type="TOOL")
def _tool(x: int) -> int:
    return x * 2


@mlflow.trace(name="pipeline", span_type="CHAIN")
def _pipeline(x: int) -> int:
    mlflow.update_current_trace(tags={"suite": "reads"}, metadata={"batch": "b1"})
    return _tool(x) + 1


def test_search_traces_without_spans_and_get_trace(server: Any) -> None:
    exp = mlflow.set_experiment("mlflow-reads")
    ids = []
    for i in range(3):
        assert _pipeline(i) == 2 * i + 1
        ids.append(mlflow.get_last_active_trace_id())
    for trace_id in ids:
        _wait_spans(trace_id, 2)

    found = mlflow.search_traces(
        locations=[exp.experiment_id], return_type="list", include_spans=False
    )
    assert sorted(t.info.trace_id for t in found) == sorted(ids)
    for trace in found:
        assert trace.data.spans == []
        assert trace.info.tags["suite"] == "reads"
        assert trace.info.trace_metadata["batch"] == "b1"
        assert trace.info.state.value == "OK"
    newest = mlflow.search_traces(
        locations=[exp.experiment_id],
        filter_string="tags.suite = 'reads'",
        order_by=["timestamp_ms DESC"],
        max_results=2,
        return_type="list",
        include_spans=False,
    )
    assert len(newest) == 2

    trace = mlflow.get_trace(ids[0])
    assert trace.info.trace_id == ids[0]
    assert trace.info.experiment_id == exp.experiment_id
    by_name = {s.name: s for s in trace.data.spans}
    assert set(by_name) == {"pipeline", "_tool"}
    assert by_name["_tool"].inputs == {"x": 0}
    assert by_name["pipeline"].outputs == 1
    assert mlflow.get_trace("tr-" + "0" * 31 + "1") is None

    client = MlflowClient(server.url)
    paged = client.search_traces(locations=[exp.experiment_id], max_results=2)
    assert len(paged) == 2 and paged.token
    rest = client.search_traces(
        locations=[exp.experiment_id], max_results=2, page_token=paged.token
    )
    assert {t.info.trace_id for t in [*paged, *rest]} == set(ids)


def test_mlflow_reads_traces_sent_by_ardeas_sdk(server: Any) -> None:
    ardea.set_tracking_uri(server.url)
    provider.reset()
    provider.configure(schedule_delay=0.05)
    try:
        exp = ardea.set_experiment("ardea-sent")

        @ardea.trace(span_type="RETRIEVER")
        def fetch(q: str) -> list[str]:
            return [q]

        @ardea.trace(span_type="AGENT")
        def agent(q: str) -> int:
            ardea.update_current_trace(tags={"origin": "ardea"}, metadata={"m": "1"})
            return len(fetch(q))

        agent("hi")
        trace_id = ardea.get_last_active_trace_id()
        ardea.flush()
    finally:
        provider.reset()
        ardea.set_tracking_uri(None)

    (info_only,) = mlflow.search_traces(
        locations=[exp.experiment_id],
        filter_string="tags.origin = 'ardea'",
        return_type="list",
        include_spans=False,
    )
    assert info_only.info.trace_id == trace_id
    assert info_only.info.trace_metadata["m"] == "1"
    trace = mlflow.get_trace(trace_id)
    assert trace is not None
    assert sorted(s.name for s in trace.data.spans) == ["agent", "fetch"]
    assert trace.info.tags["origin"] == "ardea"
