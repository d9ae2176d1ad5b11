"""The run context below every layer: per-context run stacks, process-wide experiment and URI,
and work handed to other threads with ``run_in_context``."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from ardea._core import context


@dataclass(frozen=True)
class _Info:
    run_id: str
    experiment_id: str


@dataclass(frozen=True)
class _Run:
    info: _Info


@pytest.fixture(autouse=True)
def _clean() -> None:
    for run in context.run_stack():
        context.remove_run(run.info.run_id)
    context.set_active_experiment_id(None)
    context.set_last_run_id(None)


def test_push_remove_and_last_run() -> None:
    assert context.active_run_id() is None and context.active_run() is None
    context.push_run(_Run(_Info("r1", "1")))
    context.push_run(_Run(_Info("r2", "2")))
    assert context.active_run_id() == "r2"
    assert [r.info.run_id for r in context.run_stack()] == ["r1", "r2"]
    assert context.active_run_experiment_id() == "2"
    context.remove_run("r2")
    assert context.active_run_id() == "r1" and context.last_run_id() == "r2"
    context.remove_run("r1")
    context.set_active_experiment_id("7")
    assert context.active_run_experiment_id() == "7"  # no run: the active experiment


def test_a_plain_thread_starts_with_no_run_but_the_same_experiment() -> None:
    context.push_run(_Run(_Info("main", "1")))
    context.set_active_experiment_id("5")
    seen: list[object] = []
    thread = threading.Thread(
        target=lambda: seen.extend([context.active_run_id(), context.active_experiment_id()])
    )
    thread.start()
    thread.join()
    assert seen == [None, "5"]  # the run stack is per context, the experiment process-wide


def test_run_in_context_carries_the_run_into_pool_threads_concurrently() -> None:
    context.push_run(_Run(_Info("outer", "1")))
    barrier = threading.Barrier(4)

    def work(i: int) -> tuple[int, str | None]:
        barrier.wait(5)  # all four run the same bound function at once
        return i, context.active_run_id()

    bound = context.run_in_context(work)
    context.remove_run("outer")  # what was captured is what counts
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(bound, range(4)))
    assert results == [(i, "outer") for i in range(4)]
    assert context.active_run_id() is None


def test_a_worker_s_own_runs_do_not_leak_back() -> None:
    context.push_run(_Run(_Info("outer", "1")))

    def nested() -> str | None:
        context.push_run(_Run(_Info("inner", "1")))
        return context.active_run_id()

    assert context.run_in_context(nested)() == "inner"
    assert context.active_run_id() == "outer"


def test_asyncio_tasks_inherit_and_isolate_runs() -> None:
    async def child(name: str) -> str | None:
        context.push_run(_Run(_Info(name, "1")))
        await asyncio.sleep(0)
        return context.active_run_id()

    async def main() -> tuple[list[str | None], str | None]:
        context.push_run(_Run(_Info("parent", "1")))
        results = await asyncio.gather(child("a"), child("b"))
        return list(results), context.active_run_id()

    assert asyncio.run(main()) == (["a", "b"], "parent")


def test_configured_tracking_uri() -> None:
    context.set_configured_tracking_uri("sqlite:///x.db")
    try:
        assert context.configured_tracking_uri() == "sqlite:///x.db"
    finally:
        context.set_configured_tracking_uri(None)
