"""Leaf spans built on the export thread (:mod:`ardea.tracing.deferred`) through ``LLMCall``."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider

import ardea
from ardea.autolog._llm_call import LLMCall
from ardea.tracing import provider
from ardea.tracing.testing import CapturedTraces, capture_traces


@pytest.fixture
def captured() -> Iterator[CapturedTraces]:
    with capture_traces() as cap:
        yield cap


def _leaf(messages: list[dict[str, str]], **attrs: Any) -> LLMCall:
    inputs = {"model": "m", "messages": messages}
    return LLMCall("test", "Completions", "CHAT_MODEL", inputs, {"mlflow.llm.model": "m", **attrs},
                   leaf=True)  # fmt: skip


def test_a_leaf_is_deferred_and_built_with_its_own_times(captured: CapturedTraces) -> None:
    before = time.time_ns()
    call = _leaf([{"role": "user", "content": "hi"}])
    assert call._parent is not None  # deferred: no OTel span exists yet
    time.sleep(0.002)
    call.finish({"answer": 42}, lambda: {"mlflow.chat.tokenUsage": {"input_tokens": 3}})
    after = time.time_ns()
    (span,) = captured.spans()
    assert (span.name, span.span_type, span.parent_span_id) == ("Completions", "CHAT_MODEL", None)
    assert span.inputs == {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    assert span.outputs == {"answer": 42}
    assert span.attributes["mlflow.llm.model"] == "m"
    assert span.attributes["mlflow.chat.tokenUsage"] == {"input_tokens": 3}
    assert span.status_code == "OK"
    assert span.end_time_ns is not None
    assert before <= span.start_time_ns < span.end_time_ns <= after
    assert span.end_time_ns - span.start_time_ns >= 2_000_000  # the call's time, not the build's


def test_the_last_trace_id_is_known_before_the_span_is_built(captured: CapturedTraces) -> None:
    _leaf([]).finish("ok")
    trace_id = ardea.get_last_active_trace_id()  # no flush yet
    (trace,) = captured.traces()
    assert trace.trace_id == trace_id


def test_inputs_are_recorded_as_sent_when_the_caller_appends_later(
    captured: CapturedTraces,
) -> None:
    messages = [{"role": "user", "content": "hi"}]
    call = _leaf(messages)
    call.finish("hello")
    messages.append({"role": "assistant", "content": "hello"})  # before the export thread runs
    (span,) = captured.spans()
    assert span.inputs["messages"] == [{"role": "user", "content": "hi"}]


def test_a_leaf_nests_under_the_open_span_and_precedes_its_root(captured: CapturedTraces) -> None:
    with ardea.start_span("agent", span_type="AGENT") as agent:
        _leaf([]).finish("inner")
    spans = {s.name: s for s in captured.spans()}
    assert spans["Completions"].parent_span_id == agent.span_id
    assert spans["Completions"].trace_id == spans["agent"].trace_id == agent.trace_id
    (trace,) = captured.traces()
    assert trace.trace_id == agent.trace_id
    names = [s.name for s in captured.otel_spans()]
    assert names.index("Completions") < names.index("agent")  # in the queue's order


def test_a_failure_is_recorded_at_its_time(captured: CapturedTraces) -> None:
    call = _leaf([])
    call.fail(ValueError("provider down"))
    failed_at = time.time_ns()
    (span,) = captured.spans()
    assert span.status_code == "ERROR" and "provider down" in span.status_message
    (event,) = span.events
    assert event.name == "exception" and event.time_ns <= failed_at


def test_threads_keep_their_own_parents(captured: CapturedTraces) -> None:
    def work(i: int) -> None:
        with ardea.start_span(f"root-{i}"):
            _leaf([{"role": "user", "content": str(i)}]).finish(i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    spans = captured.spans()
    by_id = {s.span_id: s for s in spans}
    leaves = [s for s in spans if s.name == "Completions"]
    assert len(leaves) == 4
    for leaf in leaves:
        parent = by_id[leaf.parent_span_id]  # type: ignore[index]
        assert parent.name == f"root-{leaf.outputs}"


def test_sampling_builds_in_line() -> None:
    with capture_traces(sampling_ratio=0.5):
        call = _leaf([])
        call.finish("x")
        assert call._parent is None


def test_a_joined_provider_builds_in_line() -> None:
    provider.configure(tracer_provider=TracerProvider())
    try:
        call = _leaf([])
        try:
            assert call._parent is None
            assert call.span.otel_span.get_span_context().is_valid  # a real span, now
        finally:
            call.finish("x")
    finally:
        provider.reset()


def test_a_broken_builder_surfaces_at_flush_in_strict_mode(captured: CapturedTraces) -> None:
    def broken() -> dict[str, Any]:
        raise RuntimeError("usage parser broke")

    _leaf([]).finish("x", broken)
    with pytest.raises(ardea.UnavailableError, match="usage parser broke"):
        captured.spans()
    (span,) = captured.spans()  # the span itself was still exported, without the outputs
    assert span.end_time_ns is not None
