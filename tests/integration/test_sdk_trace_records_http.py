"""Ardea's SDK against a live ``ardea server``: a trace's record travels on its root span.

Tags and metadata set with ``ardea.update_current_trace`` must be searchable although the
SDK called nothing but ``/v1/traces`` (no StartTraceV3).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import ardea
from ardea.tracing import provider
from ardea.tracing.otlp import OtlpHttpExporter


@pytest.fixture
def paths(live_server: Any) -> Iterator[list[str]]:
    """Send traces to the live server with the default exporter; yield the paths it posts."""
    ardea.set_tracking_uri(live_server.url)
    provider.reset()
    exporter = OtlpHttpExporter(live_server.url)
    seen: list[str] = []
    exporter._http.event_hooks = {"request": [lambda request: seen.append(request.url.path)]}
    provider.configure(exporter=exporter, schedule_delay=0.05)
    yield seen
    provider.reset()
    ardea.set_tracking_uri(None)


def _search(url: str, experiment_id: str, flt: str) -> list[dict[str, Any]]:
    body = {"experiment_ids": [experiment_id], "filter": flt}
    response = httpx.post(f"{url}/api/3.0/mlflow/traces/search", json=body)
    assert response.status_code == 200, response.text
    traces: list[dict[str, Any]] = response.json().get("traces", [])
    return traces


def test_tags_and_metadata_are_searchable_with_only_otlp(
    live_server: Any, paths: list[str]
) -> None:
    exp = ardea.set_experiment("records-on-root-spans")

    @ardea.trace(span_type="TOOL")
    def lookup(city: str) -> str:
        return f"sun in {city}"

    @ardea.trace(span_type="AGENT")
    def agent(question: str, env: str) -> str:
        ardea.update_current_trace(
            tags={"env": env, "team": "search"}, metadata={"release": "2026.11"}
        )
        return lookup("Oslo")

    @ardea.trace
    def plain() -> int:
        return 1

    assert agent("weather?", "prod") == "sun in Oslo"
    prod_id = ardea.get_last_active_trace_id()
    agent("weather?", "dev")
    plain()
    plain_id = ardea.get_last_active_trace_id()
    ardea.flush()

    assert paths and set(paths) == {"/v1/traces"}  # no StartTraceV3, no other call
    found = _search(live_server.url, exp.experiment_id, "tags.env = 'prod'")
    assert [t["trace_id"] for t in found] == [prod_id]
    info = found[0]
    assert info["tags"]["team"] == "search"
    assert info["tags"]["mlflow.traceName"] == "agent"
    assert info["trace_metadata"]["release"] == "2026.11"
    assert info["state"] == "OK"
    assert json.loads(info["request_preview"]) == {"question": "weather?", "env": "prod"}
    both = _search(live_server.url, exp.experiment_id, "metadata.release = '2026.11'")
    assert len(both) == 2
    everything = {t["trace_id"] for t in _search(live_server.url, exp.experiment_id, "")}
    assert plain_id in everything and prod_id in everything
    prod = ardea.search_traces(
        experiment_ids=[exp.experiment_id], filter_string="tags.team = 'search'", return_type="list"
    )
    assert {t.info.trace_id for t in prod} == {t["trace_id"] for t in both}
