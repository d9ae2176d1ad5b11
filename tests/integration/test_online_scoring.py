"""Online scoring end to end: real ``ardea server`` processes, the fake LLM provider over HTTP.

- a judge registered with an online config scores traces sent over OTLP: LLM_JUDGE
  assessments with the judge's rationale, tokens and cost, on the root span;
- a SIGKILL of the server while it scores, then a restart: every sampled trace is scored
  exactly once;
- two servers on one PostgreSQL database share the work: no trace is scored twice;
- ``ardea scorer-worker`` runs a code scorer; one that kills its process on one trace fails
  that row (attempts counted) and the other traces are scored;
- backfill enqueues past traces of a time range;
- the stock ``mlflow`` client's ``register()`` + ``start(sampling_config)``, then a traced
  call, leads to an assessment.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fixtures.fake_llm_server import FakeLLMServer
from fixtures.otlp_payloads import protobuf_request, span

pytestmark = pytest.mark.slow

JUDGE = {
    "name": "polite",
    "instructions_judge_pydantic_data": {
        "instructions": "Is {{ outputs }} a polite answer to {{ inputs }}?",
        "model": "openai:/gpt-4.1-mini",
        "feedback_value_type": {"type": "boolean"},
    },
}
_ONLINE = "/api/3.0/ardea/online-scoring"


@pytest.fixture
def llm() -> Iterator[FakeLLMServer]:
    server = FakeLLMServer().start()
    yield server
    server.stop()


def _env(llm: FakeLLMServer, **extra: str) -> dict[str, str]:
    return {
        "OPENAI_BASE_URL": llm.openai_base_url,
        "OPENAI_API_KEY": "sk-online-test",
        "ARDEA_ONLINE_SCORING_POLL_SECONDS": "0.1",
        **extra,
    }


def _experiment(c: httpx.Client, name: str = "online") -> str:
    r = c.post("/api/2.0/mlflow/experiments/create", json={"name": name})
    assert r.status_code == 200, r.text
    return str(r.json()["experiment_id"])


def _register(
    c: httpx.Client, exp: str, serialized: dict[str, Any], rate: float, filter_string: str = ""
) -> None:
    name = serialized["name"]
    body = {"experiment_id": exp, "name": name, "serialized_scorer": json.dumps(serialized)}
    r = c.post("/api/3.0/mlflow/scorers/register", json=body)
    assert r.status_code == 200, r.text
    config = {"experiment_id": exp, "name": name, "sample_rate": rate}
    if filter_string:
        config["filter_string"] = filter_string
    r = c.put("/api/3.0/mlflow/scorers/online-config", json=config)
    assert r.status_code == 200, r.text


def _send(c: httpx.Client, exp: str, first: int, count: int, answer: str = "Hello!") -> list[str]:
    spans = []
    for n in range(first, first + count):
        attrs = {
            "mlflow.spanType": "CHAIN",
            "mlflow.spanInputs": json.dumps({"question": f"q{n}"}),
            "mlflow.spanOutputs": json.dumps(answer),
        }
        spans.append(span(f"{n:032x}", f"{n:016x}", "root", attributes=attrs))
    r = c.post(
        "/v1/traces",
        content=protobuf_request(spans),
        headers={"content-type": "application/x-protobuf", "x-mlflow-experiment-id": exp},
    )
    assert r.status_code == 200, r.text
    return [f"tr-{n:032x}" for n in range(first, first + count)]


def _counts(c: httpx.Client, exp: str) -> dict[str, int]:
    r = c.get(f"{_ONLINE}/status", params={"experiment_id": exp})
    assert r.status_code == 200, r.text
    return dict(r.json()["counts"])


def _wait(check: Callable[[], bool], timeout: float = 90, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or check}")


def _assessments(c: httpx.Client, trace_id: str, name: str) -> list[dict[str, Any]]:
    r = c.get(f"/api/3.0/mlflow/traces/{trace_id}")
    assert r.status_code == 200, r.text
    found = r.json()["trace"]["trace_info"].get("assessments") or []
    return [a for a in found if a["assessment_name"] == name]


def test_judge_scores_traces_over_http(live_server_factory: Any, llm: FakeLLMServer) -> None:
    server = live_server_factory(env=_env(llm))
    c = httpx.Client(base_url=server.url, timeout=30)
    exp = _experiment(c)
    _register(c, exp, JUDGE, 1.0)
    traces = _send(c, exp, 1, 5)
    _wait(lambda: _counts(c, exp)["done"] == 5, what="5 traces scored")
    for trace_id in traces:
        [a] = _assessments(c, trace_id, "polite")
        assert a["source"] == {"source_type": "LLM_JUDGE", "source_id": "openai:/gpt-4.1-mini"}
        assert a["rationale"] and a["feedback"]["value"] in (True, False)
        assert a["span_id"] == trace_id[-16:]
        meta = a["metadata"]
        assert int(meta["ardea.judge.input_tokens"]) > 0
        assert int(meta["ardea.judge.output_tokens"]) > 0
        assert float(meta["ardea.judge.cost_usd"]) > 0
    judged = [r for r in llm.requests if "chat/completions" in r.path]
    assert len(judged) == 5
    assert _counts(c, exp) == {"pending": 0, "claimed": 0, "done": 5, "failed": 0}


def test_filter_and_rate_zero_enqueue_nothing_else(
    live_server_factory: Any, llm: FakeLLMServer
) -> None:
    server = live_server_factory(env=_env(llm))
    c = httpx.Client(base_url=server.url, timeout=30)
    exp = _experiment(c)
    _register(c, exp, JUDGE, 1.0, "trace.name = 'picked'")
    _send(c, exp, 1, 3)  # named "root": filtered out
    attrs = {"mlflow.spanInputs": json.dumps({"q": 1}), "mlflow.spanOutputs": '"ok"'}
    r = c.post(
        "/v1/traces",
        content=protobuf_request([span(f"{99:032x}", f"{99:016x}", "picked", attributes=attrs)]),
        headers={"content-type": "application/x-protobuf", "x-mlflow-experiment-id": exp},
    )
    assert r.status_code == 200
    _wait(lambda: _counts(c, exp)["done"] == 1, what="the picked trace scored")
    assert sum(_counts(c, exp).values()) == 1
    assert len(_assessments(c, f"tr-{99:032x}", "polite")) == 1


def test_sigkill_mid_scoring_then_restart_scores_each_trace_once(
    live_server_factory: Any, llm: FakeLLMServer
) -> None:
    llm.latency = 0.3
    env = _env(
        llm,
        ARDEA_ONLINE_SCORING_CONCURRENCY="2",
        ARDEA_ONLINE_SCORING_LEASE_SECONDS="2",
    )
    server = live_server_factory(env=env)
    c = httpx.Client(base_url=server.url, timeout=30)
    exp = _experiment(c)
    _register(c, exp, JUDGE, 1.0)
    traces = _send(c, exp, 1, 20)
    _wait(lambda: _counts(c, exp)["done"] >= 3, what="some traces scored")
    before = _counts(c, exp)
    server.kill()  # SIGKILL while rows are claimed and judge calls in flight
    assert before["done"] < 20
    server.start()
    _wait(lambda: _counts(c, exp)["done"] == 20, timeout=120, what="every trace scored")
    for trace_id in traces:
        assert len(_assessments(c, trace_id, "polite")) == 1, trace_id


@pytest.mark.postgres
def test_two_servers_on_postgres_never_score_a_trace_twice(
    live_server_factory: Any, llm: FakeLLMServer, postgres_uri: str
) -> None:
    import sqlalchemy as sa

    from ardea.store.sql._db.engine import normalize_uri

    engine = sa.create_engine(normalize_uri(postgres_uri), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    llm.latency = 0.05
    env = _env(llm, ARDEA_ONLINE_SCORING_CONCURRENCY="4")
    one = live_server_factory("--backend-store-uri", postgres_uri, env=env)
    two = live_server_factory("--backend-store-uri", postgres_uri, env=env)
    a = httpx.Client(base_url=one.url, timeout=30)
    b = httpx.Client(base_url=two.url, timeout=30)
    exp = _experiment(a)
    _register(a, exp, JUDGE, 1.0)
    traces: list[str] = []
    for batch in range(6):
        traces += _send(a if batch % 2 else b, exp, 1 + batch * 10, 10)
    _wait(lambda: _counts(a, exp)["done"] == 60, timeout=120, what="60 traces scored")
    for trace_id in traces:
        assert len(_assessments(b, trace_id, "polite")) == 1, trace_id
    assert len([r for r in llm.requests if "chat/completions" in r.path]) == 60


CODE_SCORERS = """
import os

from ardea.scorers import scorer


@scorer
def short(outputs):
    if "crash" in str(outputs):
        os._exit(3)  # kills the process that runs it
    return len(str(outputs)) < 20
"""


def test_scorer_worker_survives_a_scorer_that_crashes_on_one_trace(
    live_server_factory: Any, llm: FakeLLMServer, tmp_path: Path
) -> None:
    from ardea.evaluation.online_worker import ScorerWorker

    server = live_server_factory(env=_env(llm))
    c = httpx.Client(base_url=server.url, timeout=30)
    exp = _experiment(c)
    module = tmp_path / "my_scorers.py"
    module.write_text(CODE_SCORERS)
    code = {"name": "short", "call_source": "return len(str(outputs)) < 20"}
    _register(c, exp, code, 1.0)
    good = _send(c, exp, 1, 4)
    [bad] = _send(c, exp, 50, 1, answer="please crash")
    time.sleep(0.5)
    assert _counts(c, exp)["pending"] == 5  # the server runs no code scorer
    worker = ScorerWorker(server.url, [exp], [str(module)], batch=2)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            worker.run(until_idle=True)
            counts = _counts(c, exp)
            if counts["pending"] == counts["claimed"] == 0:
                break
            time.sleep(0.5)
    finally:
        worker.close()
    assert _counts(c, exp) == {"pending": 0, "claimed": 0, "done": 4, "failed": 1}
    for trace_id in good:
        [a] = _assessments(c, trace_id, "short")
        assert a["feedback"]["value"] is True and a["source"]["source_type"] == "CODE"
    assert _assessments(c, bad, "short") == []
    r = c.post(
        f"{_ONLINE}/claim",
        json={"worker_id": "x", "experiment_ids": [exp], "kinds": ["nope"]},
    )
    assert r.status_code == 400


def test_backfill_enqueues_past_traces(live_server_factory: Any, llm: FakeLLMServer) -> None:
    server = live_server_factory(env=_env(llm))
    c = httpx.Client(base_url=server.url, timeout=30)
    exp = _experiment(c)
    traces = _send(c, exp, 1, 4)  # before any scorer: nothing enqueued
    _register(c, exp, JUDGE, 1.0)
    assert sum(_counts(c, exp).values()) == 0
    body = {"experiment_id": exp, "start_time_ms": 0, "end_time_ms": 2_000_000_000_000}
    r = c.post(f"{_ONLINE}/backfill", json=body)
    assert r.status_code == 200, r.text
    assert r.json() == {"traces": 4, "enqueued": 4}
    _wait(lambda: _counts(c, exp)["done"] == 4, what="backfilled traces scored")
    assert all(len(_assessments(c, t, "polite")) == 1 for t in traces)
    again = c.post(f"{_ONLINE}/backfill", json=body)
    assert again.json() == {"traces": 4, "enqueued": 0}
    bad = c.post(f"{_ONLINE}/backfill", json={**body, "end_time_ms": -1})
    assert bad.status_code == 400


def test_mlflow_client_register_start_then_traced_call(
    live_server_factory: Any, llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    mlflow = pytest.importorskip("mlflow")
    from mlflow.genai.judges import make_judge
    from mlflow.genai.scorers import ScorerSamplingConfig

    server = live_server_factory(env=_env(llm))
    for name, value in (
        ("MLFLOW_TRACKING_URI", server.url),
        ("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0"),
        ("MLFLOW_DISABLE_TELEMETRY", "true"),
    ):
        monkeypatch.setenv(name, value)
    mlflow.set_tracking_uri(server.url)
    exp = mlflow.create_experiment("online-mlflow")
    mlflow.set_experiment(experiment_id=exp)
    judge = make_judge(
        name="helpful",
        instructions="Is {{ outputs }} a helpful answer to {{ inputs }}?",
        model="openai:/gpt-4.1-mini",
        feedback_value_type=bool,
    )
    registered = judge.register(experiment_id=exp)
    registered.start(experiment_id=exp, sampling_config=ScorerSamplingConfig(sample_rate=1.0))

    @mlflow.trace
    def answer(question: str) -> str:
        return f"Here is help with {question}."

    answer("taxes")
    mlflow.flush_trace_async_logging()
    c = httpx.Client(base_url=server.url, timeout=30)
    _wait(lambda: _counts(c, exp)["done"] == 1, what="the traced call scored")
    [info] = mlflow.search_traces(experiment_ids=[exp], return_type="list")
    found = [a for a in info.info.assessments if a.name == "helpful"]
    assert len(found) == 1 and found[0].source.source_type == "LLM_JUDGE"
    mlflow.set_tracking_uri(None)


def test_a_long_backlog_degrades_the_sample_rate_and_says_so(
    live_server_factory: Any, llm: FakeLLMServer
) -> None:
    # The loop is off: rows pile up. Beyond 20 unfinished rows, new traces are sampled at
    # rate * 20 / backlog; ingest answers as before.
    env = _env(llm, ARDEA_ONLINE_SCORING="0", ARDEA_ONLINE_SCORING_MAX_BACKLOG="20")
    server = live_server_factory(env=env)
    c = httpx.Client(base_url=server.url, timeout=30)
    exp = _experiment(c)
    _register(c, exp, JUDGE, 1.0)
    _send(c, exp, 1, 80)
    status = c.get(f"{_ONLINE}/status", params={"experiment_id": exp}).json()
    assert status["counts"]["pending"] == 80 and status["running"] is False

    def degraded() -> bool:
        doc = c.get(f"{_ONLINE}/status", params={"experiment_id": exp}).json()
        return bool(doc["degraded"]) and doc["degrade_factor"] == 0.25

    _wait(degraded, timeout=30, what="the degraded status")  # the backlog is counted every 2 s
    for first in range(1000, 1400, 100):
        _send(c, exp, first, 100)
    taken = _counts(c, exp)["pending"] - 80
    assert 0 < taken < 400  # 400 traces, not all of them; at 0.25 (or lower as it grows)
    assert taken <= 100 + 4 * 4.5 * math.sqrt(100 * 0.25 * 0.75)
    assert [r for r in llm.requests if "chat/completions" in r.path] == []


def test_a_session_is_scored_once_it_goes_quiet(
    live_server_factory: Any, llm: FakeLLMServer
) -> None:
    server = live_server_factory(env=_env(llm, ARDEA_ONLINE_SCORING_SESSION_QUIET_SECONDS="1"))
    c = httpx.Client(base_url=server.url, timeout=30)
    exp = _experiment(c)
    session_judge = {
        "name": "frustrated",
        "is_session_level_scorer": True,
        "instructions_judge_pydantic_data": {
            "instructions": "Is the user frustrated in {{ conversation }}?",
            "model": "openai:/gpt-4.1-mini",
            "feedback_value_type": {"type": "boolean"},
        },
    }
    _register(c, exp, session_judge, 1.0)

    def send(n: int, session: str | None) -> str:
        attrs = {
            "mlflow.spanInputs": json.dumps({"question": f"question-{n}"}),
            "mlflow.spanOutputs": json.dumps(f"answer-{n}"),
        }
        if session:
            attrs["session.id"] = session
        body = protobuf_request(
            [span(f"{n:032x}", f"{n:016x}", "chat", attributes=attrs, start_ns=n * 10**9)]
        )
        headers = {"content-type": "application/x-protobuf", "x-mlflow-experiment-id": exp}
        assert c.post("/v1/traces", content=body, headers=headers).status_code == 200
        return f"tr-{n:032x}"

    first = send(1, "s-1")
    send(2, "s-1")  # re-arms s-1's row (same key: its first trace)
    other = send(3, "s-2")
    lone = send(4, None)
    assert _counts(c, exp)["pending"] == 2
    _wait(lambda: _counts(c, exp)["done"] == 2, what="both sessions scored")
    for trace_id in (first, other):
        [a] = _assessments(c, trace_id, "frustrated")
        assert a["source"]["source_type"] == "LLM_JUDGE" and a["rationale"]
    assert _assessments(c, f"tr-{2:032x}", "frustrated") == []
    assert _assessments(c, lone, "frustrated") == []
    prompts = [json.dumps(r.body) for r in llm.requests if "chat/completions" in r.path]
    assert len(prompts) == 2
    s1 = next(p for p in prompts if "question-1" in p)
    assert "question-2" in s1 and "question-3" not in s1
