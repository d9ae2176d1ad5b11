"""``ardea models serve`` as a real process: MLflow's scoring protocol over HTTP (httpx and
MLflow's own client), bad inputs, streaming (SSE), workers and the Prometheus metrics."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from tests.fixtures.server_process import ChildServer, free_port

import ardea

FRAME = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [0.5, 1.5, 2.5, 3.5], "c": [3.0, 1, 4, 1]})


class ModelServer(ChildServer):
    """``ardea models serve`` in its own process group, healthy on construction."""

    def __init__(
        self,
        model: Path,
        log_dir: Path,
        *args: str,
        workers: int = 1,
        env: dict[str, str] | None = None,
        command: list[str] | None = None,
        port: int | None = None,
    ) -> None:
        port = port or free_port()
        argv = command or [
            sys.executable, "-m", "ardea.cli.main", "models", "serve", "-m", str(model),
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
            "--allow-pickle", *args,
        ]  # fmt: skip
        log_path = log_dir / f"serve-{port}.log"
        super().__init__(argv, port, log_path, env=env, health_path="/ping")

    def post(self, body: Any, content_type: str = "application/json") -> httpx.Response:
        """POST ``body`` (JSON-encoded unless bytes or str) to ``/invocations``."""
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        return httpx.post(
            f"{self.url}/invocations",
            content=data,
            headers={"Content-Type": content_type},
            timeout=60,
        )


def _sklearn_model(folder: Path) -> Any:
    from sklearn.linear_model import LinearRegression

    model = LinearRegression().fit(FRAME, FRAME["a"] * 2 + FRAME["b"] - FRAME["c"])
    ardea.sklearn.save_model(model, folder, input_example=FRAME.head(2))
    return model


def _stream_model(folder: Path) -> None:
    class Words:
        def predict(self, texts: list[str]) -> list[int]:
            return [len(t.split()) for t in texts]

        def predict_stream(self, texts: list[str]) -> Iterator[str]:
            for text in texts:
                if text == "boom":
                    raise RuntimeError("boom")
                yield from text.split()

    ardea.pyfunc.save_model(folder, python_model=Words, input_example=["one two"])


@pytest.fixture(scope="module")
def sklearn_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModelServer, Any]]:
    root = tmp_path_factory.mktemp("sk")
    estimator = _sklearn_model(root / "model")
    server = ModelServer(root / "model", root, "--max-body-bytes", "4096")
    yield server, estimator
    server.stop()


@pytest.fixture(scope="module")
def stream_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModelServer]:
    root = tmp_path_factory.mktemp("stream")
    _stream_model(root / "model")
    server = ModelServer(root / "model", root)
    yield server
    server.stop()


def test_mlflow_request_formats(sklearn_server: tuple[ModelServer, Any]) -> None:
    server, estimator = sklearn_server
    expected = pytest.approx(estimator.predict(FRAME.head(2)).tolist())
    # The request examples of MLflow's "Deploy MLflow models" docs, on this model's columns.
    bodies: list[Any] = [
        {"dataframe_split": {"columns": ["a", "b", "c"], "data": [[1, 0.5, 3], [2, 1.5, 1]]}},
        {"dataframe_split": FRAME.head(2).to_dict(orient="split")},
        {"dataframe_records": [{"a": 1, "b": 0.5, "c": 3}, {"a": 2, "b": 1.5, "c": 1}]},
        {"instances": [{"a": 1, "b": 0.5, "c": 3}, {"a": 2, "b": 1.5, "c": 1}]},
        {"inputs": {"a": [1, 2], "b": [0.5, 1.5], "c": [3, 1]}},
        {"inputs": {"a": [1, 2], "b": [0.5, 1.5], "c": [3, 1]}, "params": {"ignored": 1}},
    ]
    for body in bodies:
        response = server.post(body)
        assert response.status_code == 200, (body, response.text)
        assert response.json() == {"predictions": expected}
    csv = server.post("a,b,c\n1,0.5,3\n2,1.5,1\n", "text/csv; charset=utf-8")
    assert csv.status_code == 200, csv.text
    assert csv.json() == {"predictions": expected}


def test_mlflow_client_and_serving_example(sklearn_server: tuple[ModelServer, Any]) -> None:
    from mlflow.models import convert_input_example_to_serving_input
    from mlflow.pyfunc.scoring_server.client import ScoringServerClient

    server, estimator = sklearn_server
    client = ScoringServerClient("127.0.0.1", server.port)
    client.wait_server_ready(timeout=30)
    answer = client.invoke(FRAME)
    assert answer.get_predictions().iloc[:, 0].tolist() == pytest.approx(
        estimator.predict(FRAME).tolist()
    )
    payload = convert_input_example_to_serving_input(FRAME.head(3))
    assert payload is not None
    response = server.post(payload)
    assert response.status_code == 200, response.text
    assert response.json()["predictions"] == pytest.approx(estimator.predict(FRAME.head(3)))


@pytest.mark.parametrize(
    ("body", "content_type", "status", "words"),
    [
        ({"dataframe_records": [{"a": 1, "c": 3}]}, None, 400, ["'b'", "double"]),
        ({"dataframe_records": [{"a": "x", "b": 1, "c": 3}]}, None, 400, ["'a'", "double", "x"]),
        ('{"dataframe_split": {"columns": ["a"', None, 400, ["not valid JSON"]),
        ({"dataframe_rows": [{"a": 1}]}, None, 400, ["dataframe_rows", "dataframe_split"]),
        ({"inputs": [1], "instances": [1]}, None, 400, ["exactly one"]),
        ([{"a": 1}], None, 400, ["JSON object", "list"]),
        ({"dataframe_split": {"rows": []}}, None, 400, ["dataframe_split", "'data'"]),
        ({"inputs": {"a": [1]}, "stream": "yes"}, None, 400, ["'stream'"]),
        ("a,b,c\n1,0.5,3\n", "application/xml", 415, ["text/csv", "application/xml"]),
        ("a,b,c\n1,0.5,3\n", "text/csv; charset=latin-1", 415, ["UTF-8"]),
        ("a,b\n\x00\n1,2,3,4\n", "text/csv", 400, ["CSV"]),
        ({"inputs": {"a": [0.0] * 2000}}, None, 413, ["4096 bytes"]),
    ],
)
def test_bad_input_is_a_clear_4xx(
    sklearn_server: tuple[ModelServer, Any],
    body: Any,
    content_type: str | None,
    status: int,
    words: list[str],
) -> None:
    server, _ = sklearn_server
    response = server.post(body, content_type or "application/json")
    assert response.status_code == status, response.text
    error = response.json()
    assert error["error_code"] == "BAD_REQUEST"
    for word in words:
        assert word in error["message"], error["message"]


def test_health_version_and_metrics(sklearn_server: tuple[ModelServer, Any]) -> None:
    server, _ = sklearn_server
    assert httpx.get(f"{server.url}/ping").status_code == 200
    assert httpx.get(f"{server.url}/health").status_code == 200
    assert httpx.get(f"{server.url}/version").text == ardea.__version__

    def count(text: str, status: str) -> float:
        prefix = f'ardea_model_requests_total{{route="/invocations",status="{status}"}} '
        lines = [line for line in text.splitlines() if line.startswith(prefix)]
        return float(lines[0].removeprefix(prefix)) if lines else 0.0

    before = httpx.get(f"{server.url}/metrics").text
    assert server.post({"inputs": {"a": [1], "b": [2], "c": [3]}}).status_code == 200
    assert server.post({"inputs": {"a": [1]}}).status_code == 400
    after = httpx.get(f"{server.url}/metrics")
    assert after.headers["content-type"].startswith("text/plain")
    assert count(after.text, "200") == count(before, "200") + 1
    assert count(after.text, "400") == count(before, "400") + 1
    assert 'ardea_model_request_duration_seconds_count{route="/invocations"}' in after.text


def _events(server: ModelServer, body: Any) -> tuple[int, str, list[str]]:
    with httpx.stream("POST", f"{server.url}/invocations", json=body, timeout=60) as response:
        text = response.read().decode()
    events = [block for block in text.split("\n\n") if block]
    return response.status_code, response.headers.get("content-type", ""), events


def test_streaming_sse(stream_server: ModelServer) -> None:
    plain = stream_server.post({"inputs": ["one two three", "four"]})
    assert plain.json() == {"predictions": [3, 1]}
    status, content_type, events = _events(
        stream_server, {"inputs": ["one two", "three"], "stream": True}
    )
    assert status == 200
    assert content_type.startswith("text/event-stream")
    assert events == ['data: "one"', 'data: "two"', 'data: "three"', "data: [DONE]"]


def test_streaming_errors(
    stream_server: ModelServer, sklearn_server: tuple[ModelServer, Any]
) -> None:
    # Input checked before the stream starts: a plain 400 naming the expected type.
    bad = stream_server.post({"inputs": [1, 2], "stream": True})
    assert bad.status_code == 400
    assert "string" in bad.json()["message"]
    # A failure mid-stream ends it with an error event (the 200 is already out).
    status, _, events = _events(stream_server, {"inputs": ["a b", "boom"], "stream": True})
    assert status == 200
    assert events[:2] == ['data: "a"', 'data: "b"']
    assert events[-1].startswith("event: error\ndata: ")
    assert json.loads(events[-1].split("data: ", 1)[1])["error_code"] == "BAD_REQUEST"
    # A model without predict_stream refuses to stream.
    server, _ = sklearn_server
    refused = server.post({"inputs": {"a": [1], "b": [2], "c": [3]}, "stream": True})
    assert refused.status_code == 400
    assert "predict_stream" in refused.json()["message"]


def test_two_workers(tmp_path: Path) -> None:
    estimator = _sklearn_model(tmp_path / "model")
    server = ModelServer(tmp_path / "model", tmp_path, workers=2)
    try:
        for _ in range(4):
            response = server.post({"dataframe_records": FRAME.to_dict(orient="records")})
            assert response.json() == {"predictions": pytest.approx(estimator.predict(FRAME))}
    finally:
        server.stop()


def test_untrusted_pickle_needs_opt_in(tmp_path: Path) -> None:
    _stream_model(tmp_path / "model")
    result = subprocess.run(
        [sys.executable, "-m", "ardea.cli.main", "models", "serve", "-m", str(tmp_path / "model"),
         "--port", str(free_port())],
        capture_output=True, text=True, timeout=120, env={**os.environ, "ARDEA_ALLOW_PICKLE": ""},
    )  # fmt: skip
    assert result.returncode != 0
    assert "--allow-pickle" in result.stderr
    assert "Traceback" not in result.stderr


def _batch_count(server: ModelServer) -> tuple[float, float]:
    """(joint model calls, requests they scored) from ``/metrics``."""
    values = {}
    for line in httpx.get(f"{server.url}/metrics").text.splitlines():
        name, _, value = line.partition(" ")
        if name in ("ardea_model_batch_requests_count", "ardea_model_batch_requests_sum"):
            values[name] = float(value)
    return values["ardea_model_batch_requests_count"], values["ardea_model_batch_requests_sum"]


def test_batching_window(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    estimator = _sklearn_model(tmp_path / "model")
    # A long window: requests sent together surely arrive within it.
    server = ModelServer(tmp_path / "model", tmp_path, "--batch-window-ms", "3000")
    rows = [FRAME.iloc[[i % 4]].to_dict(orient="split") for i in range(8)]
    bodies: list[Any] = [
        {"dataframe_split": {"columns": r["columns"], "data": r["data"]}} for r in rows
    ]
    # One bad row among them: the joint call fails, each request is then scored on its own.
    bodies[3] = {"dataframe_split": {"columns": ["a", "b", "c"], "data": [["x", 1.0, 2.0]]}}
    try:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(server.post, bodies))
        for i, answer in enumerate(answers):
            if i == 3:
                assert answer.status_code == 400
                assert "'a'" in answer.json()["message"]
                continue
            assert answer.status_code == 200, answer.text
            expected = estimator.predict(FRAME.iloc[[i % 4]]).tolist()
            assert answer.json() == {"predictions": pytest.approx(expected)}
        before = _batch_count(server)
        # All good: one model call scores them together, each gets its own row back.
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(server.post, bodies[:3] + bodies[4:]))
        for i, answer in zip([0, 1, 2, 4, 5, 6, 7], answers, strict=True):
            expected = estimator.predict(FRAME.iloc[[i % 4]]).tolist()
            assert answer.json() == {"predictions": pytest.approx(expected)}
        calls, requests = _batch_count(server)
        assert calls >= before[0] + 1
        assert requests >= before[1] + 2
    finally:
        server.stop()


def test_unwrapped_chat_body(tmp_path: Path) -> None:
    def echo(request: dict[str, Any]) -> dict[str, Any]:
        last = request["messages"][-1]["content"]
        return {"choices": [{"message": {"role": "assistant", "content": last.upper()}}]}

    ardea.pyfunc.save_model(tmp_path / "model", python_model=echo)
    server = ModelServer(tmp_path / "model", tmp_path)
    try:
        response = server.post({"messages": [{"role": "user", "content": "hi"}]})
        assert response.status_code == 200, response.text
        # No "predictions" wrapper, as MLflow answers chat-format requests.
        assert response.json() == {"choices": [{"message": {"role": "assistant", "content": "HI"}}]}
    finally:
        server.stop()


def test_requests_traced_to_an_experiment(tmp_path: Path) -> None:
    estimator = _sklearn_model(tmp_path / "model")
    store = tmp_path / "store"
    server = ModelServer(
        tmp_path / "model",
        tmp_path,
        "--trace-experiment",
        "scoring",
        env={"ARDEA_TRACKING_URI": str(store)},
    )
    try:
        assert server.post({"dataframe_records": [{"a": 1, "b": 0.5, "c": 3}]}).status_code == 200
        assert server.post({"dataframe_records": [{"a": "x", "b": 0.5, "c": 3}]}).status_code == 400
    finally:
        server.stop()  # a graceful exit flushes the traces
    ardea.set_tracking_uri(str(store))
    try:
        experiment = ardea.get_experiment_by_name("scoring")
        assert experiment is not None
        traces = ardea.search_traces(experiment_ids=[experiment.experiment_id], return_type="list")
    finally:
        ardea.set_tracking_uri(None)
    by_state = {t.info.state: t for t in traces}
    assert len(traces) == 2, [t.info.state for t in traces]
    ok = by_state["OK"]
    assert ok.spans[0].name == "invocations"
    assert ok.spans[0].inputs == [{"a": 1, "b": 0.5, "c": 3}]
    assert ok.spans[0].outputs == pytest.approx(
        estimator.predict(pd.DataFrame([{"a": 1, "b": 0.5, "c": 3}])).tolist()
    )
    assert "ERROR" in by_state


def test_the_generated_container_command_serves(tmp_path: Path) -> None:
    """The command ``build-docker`` and ``generate-k8s`` write, run outside a container."""
    from ardea.cli._model_deploy import IMAGE_MODEL_DIR, SERVE_PORT, model_dockerfile

    model = _sklearn_model(tmp_path / "model")
    dockerfile = model_dockerfile(
        str(tmp_path / "model"), local_model=True, workers=1, base_image="python:3.12-slim"
    )
    cmd_line = next(x for x in dockerfile.splitlines() if x.startswith("CMD "))
    command = json.loads(cmd_line.removeprefix("CMD "))
    assert command[:3] == ["ardea", "models", "serve"] and "--allow-pickle" not in command
    port = free_port()
    swaps = {IMAGE_MODEL_DIR: str(tmp_path / "model"), "0.0.0.0": "127.0.0.1"}
    swaps[str(SERVE_PORT)] = str(port)
    argv = [sys.executable, "-m", "ardea.cli.main", *(swaps.get(x, x) for x in command[1:])]
    server = ModelServer(
        tmp_path / "model", tmp_path, command=argv, port=port, env={"ARDEA_ALLOW_PICKLE": ""}
    )
    try:
        response = server.post({"dataframe_split": FRAME.to_dict(orient="split")})
        assert response.status_code == 200, response.text
        assert response.json() == {"predictions": pytest.approx(list(model.predict(FRAME)))}
    finally:
        server.stop()
