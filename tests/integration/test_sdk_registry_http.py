"""The Ardea SDK's model and prompt registry against a live ``ardea server``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ardea
from ardea import InvalidArgumentError, NotFoundError
from ardea.tracing import provider

pytestmark = pytest.mark.slow


@pytest.fixture
def remote(live_server_module: Any) -> Iterator[str]:
    provider.reset()
    ardea.set_tracking_uri(live_server_module.url)
    yield live_server_module.url
    while ardea.active_run() is not None:
        ardea.end_run()
    provider.reset()
    ardea.set_tracking_uri(None)


def test_register_and_download_model_over_http(remote: str, tmp_path: Path) -> None:
    ardea.set_experiment("http-models")
    src = tmp_path / "model"
    src.mkdir()
    (src / "weights.bin").write_bytes(b"\x00\x01")
    with ardea.start_run() as run:
        ardea.log_artifacts(str(src), "model")
    v1 = ardea.register_model(f"runs:/{run.info.run_id}/model", "http-fraud", tags={"a": "1"})
    assert (v1.version, v1.run_id, v1.tags) == (1, run.info.run_id, {"a": "1"})
    client = ardea.get_client()
    client.set_registered_model_alias("http-fraud", "champion", 1)
    assert client.get_model_version_by_alias("http-fraud", "champion").version == 1
    out = Path(ardea.download_model("models:/http-fraud@champion", str(tmp_path / "dl")))
    assert (out / "weights.bin").read_bytes() == b"\x00\x01"
    renamed = client.rename_registered_model("http-fraud", "http-fraud-2")
    assert renamed.name == "http-fraud-2"
    assert [v.version for v in client.search_model_versions("name = 'http-fraud-2'")] == [1]
    client.delete_registered_model("http-fraud-2")
    with pytest.raises(NotFoundError):
        client.get_registered_model("http-fraud-2")


def test_prompts_over_http(remote: str) -> None:
    v1 = ardea.register_prompt("http-qa", "Q: {{ q }}", commit_message="one")
    ardea.register_prompt("http-qa", [{"role": "user", "content": "{{ q }}"}])
    ardea.set_prompt_alias("http-qa", "prod", 1)
    assert ardea.load_prompt("prompts:/http-qa@prod") == ardea.load_prompt("prompts:/http-qa/1")
    assert ardea.load_prompt("prompts:/http-qa@latest").format(q="?") == [
        {"role": "user", "content": "?"}
    ]
    assert v1.format(q="x") == "Q: x"
    assert [p.name for p in ardea.search_prompts("name = 'http-qa'")] == ["http-qa"]
    assert "http-qa" not in {m.name for m in ardea.get_client().search_registered_models()}
    with pytest.raises(InvalidArgumentError):
        ardea.set_prompt_alias("http-qa", "latest", 1)
    ardea.delete_prompt_version("http-qa", 2)
    assert ardea.load_prompt("prompts:/http-qa@latest", use_cache=False).version == 1
    ardea.delete_prompt("http-qa")
    with pytest.raises(NotFoundError):
        ardea.load_prompt("prompts:/http-qa/1", use_cache=False)


def test_prompt_lineage_over_http(remote: str) -> None:
    version = ardea.register_prompt("http-linked", "Q: {{ q }}")
    ardea.set_experiment("http-lineage")
    with ardea.start_run() as run, ardea.start_span("answer"):
        version.format(q="a")
    trace_id = ardea.get_last_active_trace_id()
    tags = ardea.get_run(run.info.run_id).data.tags
    assert json.loads(tags["mlflow.linkedPrompts"]) == [{"name": "http-linked", "version": "1"}]
    lineage = ardea.get_prompt_lineage("http-linked", 1)
    assert lineage.runs == [run.info.run_id]
    assert lineage.traces == [trace_id]


def test_explicit_trace_link_over_http(remote: str) -> None:
    version = ardea.register_prompt("http-trace-linked", "x")
    ardea.set_experiment("http-trace-link")
    with ardea.start_span("plain"):
        pass
    trace_id = ardea.get_last_active_trace_id()
    assert trace_id is not None
    ardea.get_trace(trace_id)  # exported
    client = ardea.get_client()
    client.link_prompt_versions_to_trace(trace_id, [version, "prompts:/http-trace-linked/1"])
    tags = ardea.get_trace(trace_id).info.tags
    assert json.loads(tags["mlflow.linkedPrompts"]) == [
        {"name": "http-trace-linked", "version": "1"}
    ]
    assert ardea.get_prompt_lineage("http-trace-linked", 1).traces == [trace_id]
