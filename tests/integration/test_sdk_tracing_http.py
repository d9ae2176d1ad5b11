"""Ardea's tracing SDK against a live ``ardea server``: OTLP export, trace records, outages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import ardea
from ardea.tracing import provider


@pytest.fixture
def remote(live_server: Any) -> Iterator[Any]:
    ardea.set_tracking_uri(live_server.url)
    provider.reset()
    provider.configure(schedule_delay=0.05)
    yield live_server
    provider.reset()
    ardea.set_tracking_uri(None)


def _get_trace(url: str, trace_id: str) -> dict[str, Any]:
    response = httpx.get(f"{url}/api/3.0/mlflow/traces/get", params={"trace_id": trace_id})
    assert response.status_code == 200, response.text
    return response.json()["trace"]


def test_decorated_app_lands_on_the_server(remote: Any) -> None:
    exp = ardea.set_experiment("sdk-traces")

    @ardea.trace(span_type="TOOL")
    def tool(city: str) -> dict[str, str]:
        return {"city": city, "weather": "sun"}

    @ardea.trace(span_type="AGENT")
    def agent(question: str) -> str:
        ardea.update_current_trace(tags={"team": "x"}, session_id="s-7", user_id="u-1")
        return tool("Oslo")["weather"]

    with ardea.start_run() as run:
        assert agent("weather?") == "sun"
    trace_id = ardea.get_last_active_trace_id()
    ardea.flush()
    got = _get_trace(remote.url, trace_id)
    info = got["trace_info"]
    assert info["trace_location"]["mlflow_experiment"]["experiment_id"] == exp.experiment_id
    assert info["state"] == "OK"
    assert info["tags"]["team"] == "x"
    assert info["tags"]["mlflow.traceName"] == "agent"
    assert info["trace_metadata"]["mlflow.sourceRun"] == run.info.run_id
    assert info["trace_metadata"]["mlflow.trace.session"] == "s-7"
    assert sorted(s["name"] for s in got["spans"]) == ["agent", "tool"]


def test_killing_the_server_does_not_break_the_app(remote: Any) -> None:
    @ardea.trace
    def step(i: int) -> int:
        return i + 1

    assert step(0) == 1
    ardea.flush()
    remote.kill()
    assert [step(i) for i in range(500)] == list(range(1, 501))
    with pytest.raises(ardea.UnavailableError):
        ardea.tracing.flush(timeout=60)
    queue = provider._state.processor.queue
    assert queue.dropped + queue.failed == 500  # every span after the kill, none blocked
    remote.restart()
    assert step(41) == 42
    trace_id = ardea.get_last_active_trace_id()
    ardea.tracing.flush()  # the exporter recovers: nothing new failed
    assert _get_trace(remote.url, trace_id)["spans"][0]["name"] == "step"


def test_read_traces_back_over_rest(remote: Any) -> None:
    from ardea.entities import Assessment
    from ardea.store.rest.traces import RestTraceStore

    exp = ardea.set_experiment("rest-read")

    @ardea.trace(span_type="RETRIEVER")
    def fetch(q: str) -> list[dict[str, Any]]:
        return [{"page_content": q, "metadata": {"doc_uri": "u"}}]

    @ardea.trace
    def pipeline(q: str, env: str) -> int:
        ardea.update_current_trace(tags={"env": env})
        return len(fetch(q))

    for i in range(12):
        pipeline(f"q{i}", "prod" if i % 2 else "dev")
    last = ardea.get_last_active_trace_id()

    got = ardea.get_trace(last)
    spans = {s.name: s for s in got.spans}
    assert spans["fetch"].span_type == "RETRIEVER"
    assert spans["fetch"].inputs == {"q": "q11"}
    assert spans["fetch"].outputs == [{"page_content": "q11", "metadata": {"doc_uri": "u"}}]
    assert spans["fetch"].parent_span_id == spans["pipeline"].span_id

    prod = ardea.search_traces(filter_string="tags.env = 'prod'", return_type="list")
    assert len(prod) == 6 and all(len(t.spans) == 2 for t in prod)  # > 10: two batchGets
    frame = ardea.search_traces(experiment_ids=[exp.experiment_id], max_results=5)
    assert len(frame) == 5

    store = RestTraceStore(remote.url)
    try:
        store.set_trace_tag(last, "reviewed", "yes")
        assert store.get_trace_info(last).tags["reviewed"] == "yes"
        store.delete_trace_tag(last, "reviewed")
        assert "reviewed" not in store.get_trace_info(last).tags
        page = store.get_spans(last, roots_only=True)
        assert [s.name for s in page] == ["pipeline"]
        created = store.create_assessment(
            Assessment(assessment_id="", trace_id=last, name="correct", kind="feedback", value=True)
        )
        assert created.assessment_id.startswith("a-")
        updated = store.update_assessment(last, created.assessment_id, {"value": False})
        assert updated.value is False
        store.delete_assessment(last, created.assessment_id)
        with pytest.raises(ardea.NotFoundError):
            store.get_assessment(last, created.assessment_id)
        assert store.delete_traces(exp.experiment_id, trace_ids=[last]) == 1
        with pytest.raises(ardea.NotFoundError):
            store.get_trace_info(last)
    finally:
        store.close()
