"""The online scorer loop in a process of its own, on a real SQLite file and the fake LLM
provider over HTTP: which databases get one, a child started by the first stored rows that
scores them at a lower CPU priority, a killed child started again for new work, and a stop
that ends it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Span, TraceInfo
from ardea.server.online_process import LoopSpec, loop_spec_for
from ardea.server.online_scoring import OnlineScoring, OnlineSettings
from ardea.server.online_worker import NICE
from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend
from fixtures.fake_llm_server import FakeLLMServer

JUDGE = {
    "name": "polite",
    "instructions_judge_pydantic_data": {
        "instructions": "Is {{ outputs }} a polite answer to {{ inputs }}?",
        "model": "openai:/gpt-4.1-mini",
        "feedback_value_type": {"type": "boolean"},
    },
}


@pytest.mark.parametrize(
    ("uri", "process"),
    [
        ("sqlite:////tmp/x/ardea.db", True),
        ("postgresql+psycopg://u:p@127.0.0.1/db", True),
        ("mysql://u:p@127.0.0.1/db", True),
        ("sqlite://", False),
        ("sqlite:///:memory:", False),
        ("http://127.0.0.1:5000", False),
    ],
)
def test_only_a_database_another_process_can_open_gets_a_scorer_process(
    uri: str, process: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARDEA_ONLINE_SCORING_LOOP", raising=False)
    spec = loop_spec_for(uri)
    assert (spec is not None) == process
    if spec is not None:
        assert "p@" not in repr(spec)  # the password never shows in a log line
    monkeypatch.setenv("ARDEA_ONLINE_SCORING_LOOP", "server")
    assert loop_spec_for(uri) is None
    monkeypatch.setenv("ARDEA_ONLINE_SCORING_LOOP", "fork")
    with pytest.raises(InvalidArgumentError, match="'process' or 'server'"):
        loop_spec_for(uri)


@pytest.fixture
def llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLLMServer]:
    server = FakeLLMServer().start()
    monkeypatch.setenv("OPENAI_BASE_URL", server.openai_base_url)  # the child inherits it
    monkeypatch.setenv("OPENAI_API_KEY", "sk-online-test")
    monkeypatch.setenv("ARDEA_ONLINE_SCORING_POLL_SECONDS", "0.1")
    yield server
    server.stop()


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    b = open_sql_backend(f"sqlite:///{tmp_path / 'ardea.db'}")
    yield b
    b.close()


def _end(backend: Backend, exp: str, first: int, count: int) -> None:
    for n in range(first, first + count):
        trace_id = f"tr-{n:032x}"
        attrs = {"mlflow.spanInputs": {"question": f"q{n}"}, "mlflow.spanOutputs": "Hello!"}
        span = Span(
            trace_id=trace_id,
            span_id=f"{n:016x}",
            parent_span_id=None,
            name="root",
            start_time_ns=1_000_000,
            end_time_ns=2_000_000,
            attributes=attrs,
        )
        backend.traces.log_spans(exp, [span])
        backend.traces.start_trace(
            TraceInfo(trace_id=trace_id, experiment_id=exp, request_time=1, state="OK")
        )


async def _until(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


def test_a_scorer_process_scores_stored_rows_and_comes_back(
    llm: FakeLLMServer, backend: Backend
) -> None:
    exp = backend.tracking.create_experiment("online")
    backend.scorers.register_scorer(exp, "polite", json.dumps(JUDGE))
    backend.scorers.upsert_online_scoring_config(exp, "polite", 1.0)
    online = OnlineScoring(backend, OnlineSettings(), spec=LoopSpec(backend.uri))
    child = online.child
    assert child is not None

    def done() -> int:
        return backend.online_scoring.counts(exp)["done"]

    async def scenario() -> None:
        online.start()
        assert not child.alive  # nothing to do yet: no process
        _end(backend, exp, 1, 3)  # the stored rows wake it: the child starts
        await _until(lambda: done() == 3, "three traces scored")
        pid = child.pid
        assert pid is not None and pid != os.getpid() and online.status()["running"]
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, ours + NICE)
        os.kill(pid, signal.SIGKILL)
        await _until(lambda: not child.alive, "the child to die")
        _end(backend, exp, 10, 2)  # new work: a new child, after the back-off
        await _until(lambda: done() == 5, "two more traces scored")
        assert child.pid not in (None, pid) and child.starts == 2
        await online.stop()
        assert not child.alive

    asyncio.run(scenario())
    traces = backend.traces.search_traces([exp])
    verdicts = [a for info in traces for a in info.assessments if a.name == "polite"]
    assert len(verdicts) == 5 and {a.source.source_type for a in verdicts} == {"LLM_JUDGE"}
    assert len(llm.requests_to("/chat/completions")) == 5


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARDEA_ONLINE_SCORING_POLL_SECONDS", "0.001")
    monkeypatch.setenv("ARDEA_ONLINE_SCORING_CONCURRENCY", "4.7")
    monkeypatch.setenv("ARDEA_ONLINE_SCORING_MAX_BACKLOG", "lots")
    monkeypatch.setenv("ARDEA_ONLINE_SCORING_PROVIDER_RPS", "0")
    monkeypatch.setenv("ARDEA_ONLINE_SCORING_LEASE_SECONDS", "-3")
    settings = OnlineSettings()
    assert settings.poll_seconds == 0.05  # raised to the minimum
    assert settings.concurrency == 4
    assert settings.max_backlog == 10_000  # bad: the default
    assert settings.provider_rps == 0  # no limit
    assert settings.lease_seconds == 120  # bad: the default
