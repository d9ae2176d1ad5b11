"""Joining the application's TracerProvider, the private provider, sampling."""

from __future__ import annotations

import subprocess
import sys

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import ardea
from ardea.tracing import flush, provider, start_span, trace
from ardea.tracing.exporters import InMemoryExporter


def _run(code: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return out.stdout.split()


def test_joins_a_given_provider_and_exports_its_spans() -> None:
    app_exporter = InMemorySpanExporter()
    app_provider = TracerProvider()
    app_provider.add_span_processor(SimpleSpanProcessor(app_exporter))
    ours = InMemoryExporter()
    provider.configure(exporter=ours, tracer_provider=app_provider)

    @trace
    def handler() -> None:
        with app_provider.get_tracer("app").start_as_current_span("db-query"):
            pass

    handler()
    flush()
    assert sorted(s.name for s in app_exporter.get_finished_spans()) == ["db-query", "handler"]
    spans = {s.name: s for s in ours.spans}
    assert sorted(spans) == ["db-query", "handler"]
    assert spans["db-query"].parent.span_id == spans["handler"].context.span_id
    entities = {s.name: s for s in ours.entity_spans()}
    assert entities["db-query"].trace_id == entities["handler"].trace_id
    assert entities["db-query"].attributes["mlflow.traceRequestId"].startswith("tr-")


def test_reset_makes_a_joined_processor_inert() -> None:
    app_provider = TracerProvider()
    first = InMemoryExporter()
    provider.configure(exporter=first, tracer_provider=app_provider)
    with start_span("one"):
        pass
    flush()
    provider.reset()
    with app_provider.get_tracer("app").start_as_current_span("later"):
        pass
    assert [s.name for s in first.spans] == ["one"]


_GLOBAL_JOIN = """
from opentelemetry import trace as t
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
import ardea
from ardea.tracing import provider
from ardea.tracing.exporters import InMemoryExporter
app = TracerProvider(); mem = InMemorySpanExporter()
app.add_span_processor(SimpleSpanProcessor(mem)); t.set_tracer_provider(app)
ours = InMemoryExporter(); provider.configure(exporter=ours)
@ardea.trace
def f(): return 1
f(); provider.flush()
print(t.get_tracer_provider() is app, [s.name for s in mem.get_finished_spans()], len(ours.spans))
"""

_PRIVATE = """
from opentelemetry import trace as t
from opentelemetry.sdk.trace import TracerProvider
import ardea
from ardea.tracing import provider
from ardea.tracing.exporters import InMemoryExporter
ours = InMemoryExporter(); provider.configure(exporter=ours)
@ardea.trace
def f(): return 1
f(); provider.flush()
print(isinstance(t.get_tracer_provider(), TracerProvider), len(ours.spans))
"""


def test_joins_the_global_sdk_provider_without_replacing_it() -> None:
    assert _run(_GLOBAL_JOIN) == ["True", "['f']", "1"]


def test_without_a_global_sdk_provider_ardea_keeps_its_own() -> None:
    assert _run(_PRIVATE) == ["False", "1"]


_MLFLOW_GLOBAL = """
import os, tempfile
os.environ["MLFLOW_TRACKING_URI"] = "sqlite:///" + tempfile.mkdtemp() + "/mlflow.db"
os.environ["MLFLOW_USE_DEFAULT_TRACER_PROVIDER"] = "false"  # MLflow sets the global provider
import mlflow
from opentelemetry import trace as t
from opentelemetry.sdk.trace import TracerProvider
@mlflow.trace
def g(): return 0
g()
import ardea
from ardea.tracing import provider
from ardea.tracing.exporters import InMemoryExporter
ours = InMemoryExporter(); provider.configure(exporter=ours)
@ardea.trace(span_type="AGENT")
def f(): return 1
f(); provider.flush()
(span,) = ours.entity_spans()
print(isinstance(t.get_tracer_provider(), TracerProvider), provider._state.joined, span.span_type)
"""


def test_mlflows_global_provider_is_not_joined() -> None:
    # Joined, MLflow's span processor would reset the span type of every Ardea span.
    assert _run(_MLFLOW_GLOBAL) == ["True", "False", "AGENT"]


def test_sampling_zero_exports_nothing() -> None:
    ours = InMemoryExporter()
    provider.configure(exporter=ours, sampling_ratio=0.0)

    @trace
    def f(x: int) -> int:
        return x

    assert [f(i) for i in range(20)] == list(range(20))
    with start_span("manual") as span:
        span.set_inputs({"a": 1})
        assert ardea.get_current_active_span() is None
    flush()
    assert ours.spans == [] and ours.trace_infos == []


def test_sampling_ratio_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARDEA_TRACE_SAMPLING_RATIO", "0")
    ours = InMemoryExporter()
    provider.configure(exporter=ours)
    with start_span("dropped"):
        pass
    flush()
    assert ours.spans == []
    monkeypatch.setenv("ARDEA_TRACE_SAMPLING_RATIO", "1")
    provider.configure(exporter=ours)
    with start_span("kept"):
        pass
    flush()
    assert [s.name for s in ours.spans] == ["kept"]


@pytest.mark.parametrize("bad", ["1.5", "-0.1", "half"])
def test_bad_sampling_ratio_is_invalid_argument(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv("ARDEA_TRACE_SAMPLING_RATIO", bad)
    with pytest.raises(ardea.InvalidArgumentError):
        provider.sampling_ratio()
    with pytest.raises(ardea.InvalidArgumentError):
        provider.configure(sampling_ratio=float("nan") if bad == "half" else float(bad))


def test_bad_queue_options_are_invalid_argument() -> None:
    with pytest.raises(ardea.InvalidArgumentError):
        provider.configure(max_queue_size=0)
