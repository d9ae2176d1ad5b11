"""Trace retention through a live ``ardea server``: the real ``mlflow`` client logs traces,
``ArdeaClient`` sets the policy over REST, and the server's own sweep deletes the oldest.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from ardea._core.errors import FailedPreconditionError, InvalidArgumentError
from ardea.client import ArdeaClient

mlflow = pytest.importorskip("mlflow")

pytestmark = pytest.mark.slow

WAIT_S = 60.0


def _until(what: str, check: Callable[[], Any]) -> Any:
    deadline = time.monotonic() + WAIT_S
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"never: {what}")
        time.sleep(0.1)


@mlflow.trace
def ask(question: str) -> str:
    return question.upper()


def test_the_server_sweeps_by_the_policy_set_over_rest(
    live_server_factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = live_server_factory(env={"ARDEA_RETENTION_INTERVAL_SECONDS": "0.5"})
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server.url)
    mlflow.set_tracking_uri(server.url)
    try:
        experiment_id = mlflow.set_experiment("retention-http").experiment_id
        made = []
        for i in range(5):
            ask(f"q{i}")
            made.append(mlflow.get_last_active_trace_id())
            time.sleep(0.01)  # distinct request times, in order
        mlflow.flush_trace_async_logging()
        _until("5 traces", lambda: len(mlflow.search_traces(
            locations=[experiment_id], return_type="list")) == 5)  # fmt: skip

        client = ArdeaClient(server.url)
        try:
            with pytest.raises(InvalidArgumentError, match="max_traces"):
                client.set_trace_retention(experiment_id, max_traces=-2)
            got = client.set_trace_retention(experiment_id, max_traces=2)
            assert got.effective.max_traces == 2
            assert client.get_trace_retention(experiment_id).policy.max_traces == 2
            with pytest.raises(FailedPreconditionError, match="sweeps its own database"):
                client.apply_trace_retention()
        finally:
            client.close()

        def left() -> list[str] | None:
            found = mlflow.search_traces(locations=[experiment_id], return_type="list")
            ids = [t.info.trace_id for t in found]
            return ids if len(ids) == 2 else None

        assert sorted(_until("the sweep", left)) == sorted(made[-2:])
        assert mlflow.get_experiment(experiment_id).tags["ardea.retention.max_traces"] == "2"
    finally:
        mlflow.set_tracking_uri(None)
