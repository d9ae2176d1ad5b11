"""Ardea's background threads start outside the caller's span, even when threads inherit it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import trace as otel_trace
from opentelemetry.instrumentation.threading import ThreadingInstrumentor
from opentelemetry.sdk.trace import TracerProvider

from ardea._core.threads import start_daemon


@pytest.fixture
def inheriting_threads() -> Iterator[None]:
    """OTel's ThreadingInstrumentor on (as the Strands SDK leaves it): new threads inherit."""
    instrumentor = ThreadingInstrumentor()
    was_on = instrumentor.is_instrumented_by_opentelemetry
    if not was_on:
        instrumentor.instrument()
    yield
    if not was_on:
        instrumentor.uninstrument()


def _seen_in(start: Any) -> otel_trace.SpanContext:
    seen: list[otel_trace.SpanContext] = []
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("user span"):
        thread = start(lambda: seen.append(otel_trace.get_current_span().get_span_context()))
        thread.join()
    return seen[0]


def test_a_plain_thread_inherits_the_span_under_the_instrumentor(inheriting_threads: None) -> None:
    def plain(target: Any) -> threading.Thread:
        thread = threading.Thread(target=target)
        thread.start()
        return thread

    assert _seen_in(plain).is_valid  # the premise: the patch is active


def test_start_daemon_starts_outside_any_span(inheriting_threads: None) -> None:
    assert not _seen_in(lambda target: start_daemon(target, "t")).is_valid


def test_start_daemon_names_a_daemon_thread() -> None:
    done = threading.Event()
    thread = start_daemon(done.set, "ardea-test-thread")
    thread.join(5)
    assert (thread.name, thread.daemon, done.is_set()) == ("ardea-test-thread", True, True)
