"""Active runs per thread and per asyncio task; background batching and its failures."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest

import ardea


def test_threads_each_have_their_own_run(folder_uri: str) -> None:
    results: dict[int, str] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def work(n: int) -> None:
        try:
            assert ardea.active_run() is None
            with ardea.start_run(run_name=f"t{n}") as run:
                barrier.wait(timeout=30)
                for step in range(20):
                    ardea.log_metric("n", float(n), step=step)
                ardea.log_param("n", n)
                assert ardea.active_run().info.run_id == run.info.run_id
            results[n] = run.info.run_id
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(set(results.values())) == 4
    for n, run_id in results.items():
        run = ardea.get_run(run_id)
        assert run.data.params == {"n": str(n)}
        assert run.info.run_name == f"t{n}"
        history = ardea.get_metric_history(run_id, "n")
        assert [m.value for m in history] == [float(n)] * 20
    assert ardea.active_run() is None


def test_new_thread_does_not_see_parent_run(folder_uri: str) -> None:
    seen: list[object] = []
    with ardea.start_run():
        t = threading.Thread(target=lambda: seen.append(ardea.active_run()))
        t.start()
        t.join(10)
    assert seen == [None]


def test_asyncio_tasks_each_have_their_own_run(folder_uri: str) -> None:
    async def task(n: int) -> str:
        with ardea.start_run(run_name=f"a{n}") as run:
            for step in range(5):
                await asyncio.sleep(0)
                assert ardea.active_run().info.run_id == run.info.run_id
                ardea.log_metric("n", float(n), step=step)
        return run.info.run_id

    async def main() -> list[str]:
        return list(await asyncio.gather(*(task(n) for n in range(5))))

    run_ids = asyncio.run(main())
    assert len(set(run_ids)) == 5
    for n, run_id in enumerate(run_ids):
        assert [m.value for m in ardea.get_metric_history(run_id, "n")] == [float(n)] * 5
        assert ardea.get_run(run_id).info.status == "FINISHED"


def _fail_in_background(n_points: int) -> str:
    """Log points to a run that was deleted meanwhile, so that every background write fails."""
    run = ardea.start_run()
    client = ardea.get_client()
    client.delete_run(run.info.run_id)
    for i in range(n_points):
        ardea.log_metric("m", float(i), step=i)  # never raises
    return run.info.run_id


def test_background_failures_are_logged_not_raised(
    folder_uri: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ARDEA_STRICT", "0")
    caplog.set_level(logging.WARNING, logger="ardea")
    run_id = _fail_in_background(30)
    ardea.flush()  # no exception without strict mode
    assert any("30 metric point(s) could not be logged" in r.getMessage() for r in caplog.records)
    client = ardea.get_client()
    client.restore_run(run_id)
    ardea.end_run()
    assert ardea.get_metric_history(run_id, "m") == []
    assert client.get_run(run_id).info.status == "FINISHED"


def test_background_failure_raises_at_flush_in_strict_mode(folder_uri: str) -> None:
    run_id = _fail_in_background(5)
    with pytest.raises(ardea.InvalidArgumentError):
        ardea.flush()
    ardea.flush()  # the error was reported once
    ardea.get_client().restore_run(run_id)
    ardea.end_run()


def test_strict_failure_surfaces_at_end_run_but_run_still_ends(folder_uri: str) -> None:
    run_id = _fail_in_background(3)
    ardea.get_client().restore_run(run_id)
    # the points were queued while the run was deleted; they may or may not have failed yet,
    # but end_run always terminates the run
    try:
        ardea.end_run()
    except ardea.InvalidArgumentError:
        pass
    assert ardea.active_run() is None
    assert ardea.get_client().get_run(run_id).info.status == "FINISHED"


def test_pool_work_bound_with_run_in_context_logs_and_traces_to_the_run(folder_uri: str) -> None:
    """What evaluation does with judges in a pool: metrics and traces land in the right run."""
    from concurrent.futures import ThreadPoolExecutor

    from ardea._core.context import run_in_context

    @ardea.trace
    def judge(i: int) -> int:
        return i * 2

    def work(i: int) -> int:
        ardea.log_metric("score", float(i), step=i)
        return judge(i)

    with ardea.start_run() as run, ThreadPoolExecutor(4) as pool:
        assert list(pool.map(run_in_context(work), range(8))) == [i * 2 for i in range(8)]
    assert len(ardea.get_metric_history(run.info.run_id, "score")) == 8
    traces = ardea.search_traces(return_type="list")
    assert len(traces) == 8
    assert {t.info.run_id for t in traces} == {run.info.run_id}
