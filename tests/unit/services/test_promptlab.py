"""The prompt-lab run on a real SQLite store: what it records, and a failed write."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
import yaml

from ardea.entities import Param, RunTag
from ardea.services.promptlab import PromptlabRequest, create_promptlab_run, eval_results_table
from ardea.store.sql.backend import open_sql_backend
from ardea.store.tracking import TrackingStore


@pytest.fixture
def tracking(tmp_path: Path) -> Iterator[TrackingStore]:
    backend = open_sql_backend(f"sqlite:///{tmp_path / 'p.db'}")
    yield backend.tracking
    backend.close()


def _request(experiment_id: str) -> PromptlabRequest:
    return PromptlabRequest(
        experiment_id=experiment_id,
        prompt_template='Say {{ a: b }} "now"\n',
        prompt_parameters=[Param("a: b", "ü"), Param("n", "1")],
        model_route="route",
        model_input="Say ü",
        mlflow_version="3.18.0",
        run_name="pl",
        tags=[RunTag("team", "x")],
        model_parameters=[Param("temperature", "0.1")],
        model_output="ok",
        model_output_parameters=[Param("latency", "5")],
        start_time=7,
    )


def test_records_params_tags_and_files(tracking: TrackingStore) -> None:
    written: dict[str, bytes] = {}

    def write(uri: str, files: Mapping[str, bytes]) -> None:
        written.update(files)

    run = create_promptlab_run(tracking, write, _request("0"))
    assert (run.info.status, run.info.start_time, run.info.run_name) == ("FINISHED", 7, "pl")
    assert run.data.params == {
        "temperature": "0.1",
        "model_route": "route",
        "prompt_template": 'Say {{ a: b }} "now"\n',
    }
    assert run.data.tags["team"] == "x"
    assert run.data.tags["mlflow.runSourceType"] == "PROMPT_ENGINEERING"
    parameters = yaml.safe_load(written["model/parameters.yaml"])
    assert parameters == {
        "prompt_template": 'Say {{ a: b }} "now"\n',
        "prompt_parameters": {"a: b": "ü", "n": "1"},
        "model_parameters": {"temperature": "0.1"},
        "model_route": "route",
    }
    mlmodel = yaml.safe_load(written["model/MLmodel"])
    assert mlmodel["run_id"] == run.info.run_id
    assert json.loads(mlmodel["signature"]["inputs"])[0]["name"] == "a: b"
    for name in ("conda.yaml", "python_env.yaml"):
        assert isinstance(yaml.safe_load(written[f"model/{name}"]), dict)
    assert json.loads(written["eval_results_table.json"]) == json.loads(
        eval_results_table(_request("0"))
    )


def test_a_failed_write_ends_the_run_failed(tracking: TrackingStore) -> None:
    def write(uri: str, files: Mapping[str, bytes]) -> None:
        raise OSError("disk full")

    run = create_promptlab_run(tracking, write, _request("0"))
    assert run.info.status == "FAILED" and run.info.end_time is not None


def test_eval_results_table() -> None:
    assert json.loads(eval_results_table(_request("0"))) == {
        "columns": ["a: b", "n", "prompt", "output", "latency"],
        "data": [["ü", "1", "Say ü", "ok", "5"]],
    }
