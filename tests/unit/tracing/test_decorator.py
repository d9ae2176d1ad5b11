"""``@trace`` on the four kinds of functions: inputs, outputs, nesting, errors."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import Any

import pytest
from opentelemetry.trace import StatusCode

import ardea
from ardea.tracing import flush, start_span, trace
from ardea.tracing.exporters import InMemoryExporter


def attr(span: Any, key: str) -> Any:
    return json.loads(span.attributes[key])


def test_sync_function_records_inputs_outputs_type_and_name(
    exporter: InMemoryExporter, by_name: Any
) -> None:
    @ardea.trace(name="adder", span_type="TOOL", attributes={"team": "x"})
    def add(a: int, b: int = 2, *, scale: int = 1) -> int:
        return (a + b) * scale

    assert add(1, scale=3) == 9
    span = by_name(exporter)["adder"]
    assert attr(span, "mlflow.spanInputs") == {"a": 1, "b": 2, "scale": 3}
    assert attr(span, "mlflow.spanOutputs") == 9
    assert attr(span, "mlflow.spanType") == "TOOL"
    assert attr(span, "mlflow.spanFunctionName") == "add"
    assert attr(span, "team") == "x"
    trace_id = f"tr-{span.context.trace_id:032x}"
    (entity,) = exporter.entity_spans()
    assert entity.attributes["mlflow.traceRequestId"] == trace_id
    assert entity.inputs == {"a": 1, "b": 2, "scale": 3}
    assert ardea.get_last_active_trace_id() == trace_id


def test_bare_decorator_keeps_function_metadata(exporter: InMemoryExporter, by_name: Any) -> None:
    @trace
    def documented(x: int) -> int:
        """Doc."""
        return x

    assert documented.__name__ == "documented"
    assert documented.__doc__ == "Doc."
    documented(4)
    assert attr(by_name(exporter)["documented"], "mlflow.spanType") == "UNKNOWN"


def test_methods_drop_self_and_cls(exporter: InMemoryExporter, by_name: Any) -> None:
    class Agent:
        @trace
        def act(self, goal: str) -> str:
            return goal.upper()

        @classmethod
        @trace
        def make(cls, n: int) -> int:
            return n

    assert Agent().act("go") == "GO"
    Agent.make(3)
    spans = by_name(exporter)
    assert attr(spans["act"], "mlflow.spanInputs") == {"goal": "go"}
    assert attr(spans["make"], "mlflow.spanInputs") == {"n": 3}


def test_varargs_are_bound(exporter: InMemoryExporter, by_name: Any) -> None:
    @trace
    def many(first: int, *rest: int, **extra: str) -> int:
        return first + sum(rest)

    assert many(1, 2, 3, tag="t") == 6
    inputs = attr(by_name(exporter)["many"], "mlflow.spanInputs")
    assert inputs == {"first": 1, "rest": [2, 3], "extra": {"tag": "t"}}


def test_unserializable_values_fall_back(exporter: InMemoryExporter, by_name: Any) -> None:
    @dataclasses.dataclass
    class Point:
        x: int

    class Opaque:
        def __repr__(self) -> str:
            return "<opaque>"

    class Model:
        def model_dump(self) -> dict[str, int]:
            return {"m": 1}

    @trace
    def f(p: Point, o: Opaque, m: Model, s: set[int]) -> Opaque:
        return o

    f(Point(1), Opaque(), Model(), {5})
    span = by_name(exporter)["f"]
    assert attr(span, "mlflow.spanInputs") == {
        "p": {"x": 1},
        "o": "<opaque>",
        "m": {"m": 1},
        "s": [5],
    }
    assert attr(span, "mlflow.spanOutputs") == "<opaque>"


def test_nesting_gives_parent_child_links(exporter: InMemoryExporter, by_name: Any) -> None:
    @trace
    def child() -> int:
        return 1

    @trace
    def parent() -> int:
        with start_span("manual") as manual:
            manual.set_outputs("m")
        return child() + 1

    parent()
    spans = by_name(exporter)
    root = spans["parent"]
    assert root.parent is None
    assert spans["child"].parent.span_id == root.context.span_id
    assert spans["manual"].parent.span_id == root.context.span_id
    assert {s.context.trace_id for s in spans.values()} == {root.context.trace_id}
    assert len(exporter.trace_infos) == 1
    assert exporter.trace_infos[0].name == "parent"


def test_exception_is_reraised_unchanged_and_recorded(
    exporter: InMemoryExporter, by_name: Any
) -> None:
    error = KeyError("missing")

    @trace
    def fails() -> None:
        raise error

    with pytest.raises(KeyError) as info:
        fails()
    assert info.value is error
    span = by_name(exporter)["fails"]
    assert span.status.status_code is StatusCode.ERROR
    assert "KeyError" in span.status.description
    (event,) = span.events
    assert event.name == "exception"
    assert event.attributes["exception.type"] == "KeyError"
    assert exporter.trace_infos[0].state == "ERROR"


def test_async_function(exporter: InMemoryExporter, by_name: Any) -> None:
    @trace(span_type="LLM")
    async def ask(q: str) -> str:
        await asyncio.sleep(0)
        return q + "!"

    assert asyncio.run(ask("hi")) == "hi!"
    span = by_name(exporter)["ask"]
    assert attr(span, "mlflow.spanOutputs") == "hi!"
    assert attr(span, "mlflow.spanType") == "LLM"


def test_async_exception(exporter: InMemoryExporter, by_name: Any) -> None:
    @trace
    async def bad() -> None:
        raise ValueError("nope")

    with pytest.raises(ValueError, match="nope"):
        asyncio.run(bad())
    assert by_name(exporter)["bad"].status.status_code is StatusCode.ERROR


def test_generator_collects_items_and_nests_inner_spans(
    exporter: InMemoryExporter, by_name: Any
) -> None:
    @trace
    def inner(i: int) -> int:
        return i

    @trace
    def stream(n: int) -> Any:
        for i in range(n):
            yield inner(i)

    assert list(stream(3)) == [0, 1, 2]
    flush()
    gen_span = next(s for s in exporter.spans if s.name == "stream")
    inner_spans = [s for s in exporter.spans if s.name == "inner"]
    assert len(inner_spans) == 3
    assert all(s.parent.span_id == gen_span.context.span_id for s in inner_spans)
    assert attr(gen_span, "mlflow.spanOutputs") == [0, 1, 2]


def test_generator_consumer_is_outside_the_span(exporter: InMemoryExporter, by_name: Any) -> None:
    @trace
    def stream() -> Any:
        yield 1
        yield 2

    seen = []
    for _ in stream():
        seen.append(ardea.get_current_active_span())
    assert seen == [None, None]


def test_generator_closed_early_is_not_an_error(exporter: InMemoryExporter, by_name: Any) -> None:
    @trace(output_reducer=lambda items: "".join(items))
    def words() -> Any:
        yield "a"
        yield "b"
        yield "c"

    gen = words()
    assert next(gen) == "a"
    gen.close()
    span = by_name(exporter)["words"]
    assert span.status.status_code is not StatusCode.ERROR
    assert attr(span, "mlflow.spanOutputs") == "a"


def test_generator_exception(exporter: InMemoryExporter, by_name: Any) -> None:
    @trace
    def broken() -> Any:
        yield 1
        raise RuntimeError("mid-stream")

    with pytest.raises(RuntimeError, match="mid-stream"):
        list(broken())
    span = by_name(exporter)["broken"]
    assert span.status.status_code is StatusCode.ERROR
    assert [e.name for e in span.events] == ["exception"]


def test_async_generator(exporter: InMemoryExporter, by_name: Any) -> None:
    @trace(output_reducer=sum)
    async def numbers(n: int) -> Any:
        for i in range(n):
            await asyncio.sleep(0)
            yield i

    async def consume() -> list[int]:
        return [i async for i in numbers(4)]

    assert asyncio.run(consume()) == [0, 1, 2, 3]
    span = by_name(exporter)["numbers"]
    assert attr(span, "mlflow.spanOutputs") == 6
    assert attr(span, "mlflow.spanInputs") == {"n": 4}


def test_decorating_imports_no_otel_sdk() -> None:
    import subprocess
    import sys

    code = (
        "import sys, ardea\n"
        "@ardea.trace\n"
        "def f(x): return x\n"
        "print(any(m.startswith('opentelemetry') for m in sys.modules))\n"
        "f(1)\n"
        "print('opentelemetry.sdk.trace' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.split() == ["False", "True"]


def test_async_generator_abandoned_by_its_consumer_is_not_an_error(
    exporter: InMemoryExporter, by_name: Any
) -> None:
    @trace
    async def endless() -> Any:
        i = 0
        while True:
            yield i
            i += 1

    async def consume() -> list[int]:
        got = []
        async for i in endless():
            got.append(i)
            if i == 2:
                break
        return got

    assert asyncio.run(consume()) == [0, 1, 2]
    span = by_name(exporter)["endless"]
    assert span.status.status_code is not StatusCode.ERROR
    assert attr(span, "mlflow.spanOutputs") == [0, 1, 2]
