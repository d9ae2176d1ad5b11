"""Evaluation read answers match the response schemas of the OpenAPI document.

An app is driven through every ``/ardea/evaluations`` and ``/ardea/judges`` operation (success
and error answers), each answer checked by :class:`CheckedClient` against the app's own
document; the judge preview asks the fake LLM provider over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fixtures.evaluation_seed import SeededEvaluations, seed_evaluations
from fixtures.fake_llm_server import FakeLLMServer, fake_llm  # noqa: F401

from .openapi_check import CheckedClient, checked_app, evaluations_module_path

BASE = "/api/3.0/ardea/evaluations"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckedClient]:
    with checked_app(Path(tmp_path_factory.mktemp("openapi-evals"))) as checked:
        yield checked


@pytest.fixture(scope="module")
def seeded(api: CheckedClient) -> SeededEvaluations:
    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = api.client.post(path, json=body)
        assert r.status_code == 200, r.text
        answer: dict[str, Any] = r.json()
        return answer

    exp = post("/api/2.0/mlflow/experiments/create", {"name": "evals"})["experiment_id"]
    return seed_evaluations(post, str(exp))


def test_evaluation_operations(api: CheckedClient, seeded: SeededEvaluations) -> None:
    run = {"run_id": seeded.candidate_run}
    api.json("GET", BASE + "/summary", params=run)
    api.json("GET", BASE + "/summary", params={**run, "statistics": "mean"})
    api.call("GET", BASE + "/summary", params={**run, "statistics": "avg"}, status=400)
    api.json("GET", BASE + "/results", params=run)
    pair = {"baseline_run_id": seeded.baseline_run, "candidate_run_id": seeded.candidate_run}
    api.json("GET", BASE + "/compare", params=pair)
    missing = {"run_id": "f" * 32}
    api.call("GET", BASE + "/summary", params=missing, status=404)
    api.call("GET", BASE + "/results", params={}, status=400)
    api.call("GET", BASE + "/compare", params={**pair, "alpha": 5}, status=400)


def test_judge_operations(
    api: CheckedClient,
    seeded: SeededEvaluations,
    fake_llm: FakeLLMServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.openai_base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openapi-check")
    monkeypatch.setenv("ARDEA_CREDENTIALS_FILE", str(tmp_path / "credentials.toml"))
    fake_llm.reset()
    api.json("GET", "/api/3.0/ardea/judges/models")
    body = {
        "experiment_id": seeded.experiment_id,
        "name": "correct",
        "instructions": "Is {{ outputs }} right?",
        "model": "openai:/gpt-4.1-mini",
        "feedback_value_type": "boolean",
        "trace_ids": seeded.candidate_traces[:3],
    }
    answer = api.json("POST", "/api/3.0/ardea/judges/preview", json=body)
    assert answer["agreement"] is None or answer["agreement"]["n"] >= 0
    api.call("POST", "/api/3.0/ardea/judges/preview", json={**body, "model": "x"}, status=400)
    api.call(
        "POST", "/api/3.0/ardea/judges/preview", json={**body, "trace_ids": ["tr-" + "0" * 32]},
        status=404,
    )  # fmt: skip


def test_every_evaluation_operation_was_checked(api: CheckedClient) -> None:
    assert api.unchecked(evaluations_module_path) == []
