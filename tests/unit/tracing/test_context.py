"""Span context is per thread and per asyncio task."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ardea.tracing import flush, get_current_active_span, start_span, trace
from ardea.tracing.exporters import InMemoryExporter


def _parents(exporter: InMemoryExporter) -> dict[str, Any]:
    flush()
    ids = {s.context.span_id: s.name for s in exporter.spans}
    return {s.name: (ids.get(s.parent.span_id) if s.parent else None) for s in exporter.spans}


def test_threads_do_not_share_the_current_span(exporter: InMemoryExporter) -> None:
    barrier = threading.Barrier(4)

    @trace
    def leaf(i: int) -> int:
        return i

    def worker(i: int) -> str:
        with start_span(f"root-{i}") as root:
            barrier.wait()  # all four roots open at once
            leaf(i)
            return root.trace_id

    with ThreadPoolExecutor(4) as pool:
        trace_ids = list(pool.map(worker, range(4)))
    assert len(set(trace_ids)) == 4
    flush()
    leaves = [s for s in exporter.spans if s.name == "leaf"]
    roots = {s.name: s for s in exporter.spans if s.name.startswith("root-")}
    for span in leaves:
        i = span.attributes["mlflow.spanInputs"].split(":")[1].rstrip("}")
        assert span.parent.span_id == roots[f"root-{i}"].context.span_id
    assert len(exporter.trace_infos) == 4


def test_a_new_thread_starts_outside_any_span(exporter: InMemoryExporter) -> None:
    seen: list[Any] = []
    with start_span("main"):
        t = threading.Thread(target=lambda: seen.append(get_current_active_span()))
        t.start()
        t.join()
    assert seen == [None]


def test_asyncio_tasks_are_isolated(exporter: InMemoryExporter) -> None:
    @trace
    async def step(name: str) -> str:
        await asyncio.sleep(0.01)
        return name

    @trace
    async def agent(name: str) -> str:
        await step(name + "-a")
        await asyncio.sleep(0)
        return await step(name + "-b")

    async def main() -> None:
        await asyncio.gather(agent("x"), agent("y"), agent("z"))

    asyncio.run(main())
    flush()
    agents = {s.context.span_id: s for s in exporter.spans if s.name == "agent"}
    steps = [s for s in exporter.spans if s.name == "step"]
    assert len(agents) == 3 and len(steps) == 6
    for span in steps:
        parent = agents[span.parent.span_id]
        assert span.context.trace_id == parent.context.trace_id
        agent_name = parent.attributes["mlflow.spanInputs"]
        step_name = span.attributes["mlflow.spanInputs"]
        assert agent_name.split('"')[3] == step_name.split('"')[3].rsplit("-", 1)[0]
    assert len({s.context.trace_id for s in agents.values()}) == 3
