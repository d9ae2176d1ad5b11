"""Prompt lineage on an embedded store: automatic links from format(), explicit links, reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import ardea
from ardea import NotFoundError
from ardea.tracing import provider


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[str]:
    provider.reset()
    ardea.set_tracking_uri(f"sqlite:///{tmp_path}/lineage.db")
    ardea.set_experiment("lineage")
    yield ardea.get_tracking_uri()
    while ardea.active_run() is not None:
        ardea.end_run()
    provider.reset()
    ardea.set_tracking_uri(None)


def _linked(tags: dict[str, str]) -> list[dict[str, str]]:
    return json.loads(tags.get("mlflow.linkedPrompts", "[]"))


def test_format_in_a_run_links_the_run_once(embedded: str) -> None:
    v1 = ardea.register_prompt("qa", "Q: {{ q }}")
    v2 = ardea.register_prompt("qa", "Question: {{ q }}")
    with ardea.start_run() as run:
        v1.format(q="a")
        v1.format(q="b")
        v2.format(q="c")
    tags = ardea.get_run(run.info.run_id).data.tags
    assert _linked(tags) == [{"name": "qa", "version": "1"}, {"name": "qa", "version": "2"}]


def test_format_outside_runs_and_traces_links_nothing(embedded: str) -> None:
    v1 = ardea.register_prompt("qa", "Q: {{ q }}")
    assert v1.format(q="x") == "Q: x"
    lineage = ardea.get_prompt_lineage("qa", 1)
    assert (lineage.runs, lineage.traces) == ([], [])


def test_format_in_a_trace_links_the_trace(embedded: str) -> None:
    v1 = ardea.register_prompt("qa", "Q: {{ q }}")

    @ardea.trace
    def answer(q: str) -> str:
        return v1.format(q=q)

    answer("hello")
    trace_id = ardea.get_last_active_trace_id()
    assert trace_id is not None
    trace = ardea.get_trace(trace_id)
    assert _linked(trace.info.tags) == [{"name": "qa", "version": "1"}]


def test_lineage_reads_runs_and_traces(embedded: str) -> None:
    v1 = ardea.register_prompt("qa", "Q: {{ q }}")
    ardea.register_prompt("qa-other", "x")
    with ardea.start_run() as used, ardea.start_span("call"):
        v1.format(q="a")
    with ardea.start_run():
        pass
    explicit = ardea.get_client().create_run(used.info.experiment_id)
    ardea.link_prompt_version_to_run(explicit.info.run_id, "prompts:/qa/1")
    other = ardea.get_client().create_run(used.info.experiment_id)
    ardea.link_prompt_version_to_run(other.info.run_id, "prompts:/qa-other/1")
    trace_id = ardea.get_last_active_trace_id()
    lineage = ardea.get_prompt_lineage("qa", 1)
    assert sorted(lineage.runs) == sorted([used.info.run_id, explicit.info.run_id])
    assert lineage.traces == [trace_id]
    assert ardea.get_prompt_lineage("qa-other", 1).runs == [other.info.run_id]


def test_explicit_trace_link_merges(embedded: str) -> None:
    v1 = ardea.register_prompt("qa", "Q")
    v2 = ardea.register_prompt("qa", "Q2")
    with ardea.start_span("call"):
        pass
    trace_id = ardea.get_last_active_trace_id()
    assert trace_id is not None
    ardea.get_trace(trace_id)  # exported
    client = ardea.get_client()
    client.link_prompt_versions_to_trace(trace_id, [v1])
    client.link_prompt_versions_to_trace(trace_id, [v1, "prompts:/qa/2"])
    tags = ardea.get_trace(trace_id).info.tags
    assert _linked(tags) == [{"name": "qa", "version": "1"}, {"name": "qa", "version": "2"}]
    assert ardea.get_prompt_lineage("qa", v2.version).traces == [trace_id]


def test_lineage_of_a_missing_version_is_not_found(embedded: str) -> None:
    ardea.register_prompt("qa", "Q")
    with pytest.raises(NotFoundError):
        ardea.get_prompt_lineage("qa", 9)
