"""The real ``mlflow`` client's prompt registry against a live ``ardea server``, and interop
with prompts registered by the Ardea SDK (both ways)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

mlflow = pytest.importorskip("mlflow")

from mlflow.exceptions import MlflowException  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

import ardea  # noqa: E402

pytestmark = pytest.mark.slow

CHAT = [
    {"role": "system", "content": "You help with {{ product }}."},
    {"role": "user", "content": "{{ question }}"},
]


@pytest.fixture
def client(live_server_module: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[MlflowClient]:
    url = live_server_module.url
    for var, value in {
        "MLFLOW_TRACKING_URI": url,
        "MLFLOW_REGISTRY_URI": url,
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
        "MLFLOW_HTTP_REQUEST_TIMEOUT": "60",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "true",
        "MLFLOW_ALIAS_PROMPT_CACHE_TTL_SECONDS": "0",
    }.items():
        monkeypatch.setenv(var, value)
    mlflow.set_tracking_uri(url)
    mlflow.set_registry_uri(url)
    ardea.set_tracking_uri(url)
    # mlflow keeps the experiment an earlier test of this process chose (on another server);
    # its register_prompt would tag prompts with that id, which may exist here too.
    mlflow.tracking.fluent._active_experiment_id = None
    yield MlflowClient(url, registry_uri=url)
    while mlflow.active_run():
        mlflow.end_run()
    while ardea.active_run() is not None:
        ardea.end_run()
    mlflow.set_tracking_uri(None)
    ardea.set_tracking_uri(None)


def test_register_load_format_text_prompt(client: MlflowClient) -> None:
    v1 = mlflow.genai.register_prompt(
        name="mf-text", template="Hello {{ name }}!", commit_message="first", tags={"t": "1"}
    )
    v2 = mlflow.genai.register_prompt(name="mf-text", template="Hi {{name}}, {{ mood }}?")
    assert (v1.version, v2.version) == (1, 2)
    loaded = mlflow.genai.load_prompt("prompts:/mf-text/1")
    assert loaded.template == "Hello {{ name }}!" and loaded.commit_message == "first"
    assert loaded.format(name="Ada") == "Hello Ada!"
    latest = mlflow.genai.load_prompt("prompts:/mf-text@latest")
    assert latest.version == 2 and latest.variables == {"name", "mood"}
    with pytest.raises(MlflowException):
        latest.format(name="x")


def test_chat_prompt_and_alias(client: MlflowClient) -> None:
    mlflow.genai.register_prompt(name="mf-chat", template=CHAT, commit_message="chat")
    mlflow.genai.register_prompt(name="mf-chat", template=CHAT[1:])
    mlflow.genai.set_prompt_alias("mf-chat", alias="production", version=1)
    prod = mlflow.genai.load_prompt("prompts:/mf-chat@production")
    assert prod.version == 1 and prod.template == CHAT
    assert prod.format(product="Ardea", question="How?") == [
        {"role": "system", "content": "You help with Ardea."},
        {"role": "user", "content": "How?"},
    ]
    mlflow.genai.set_prompt_alias("mf-chat", alias="production", version=2)
    moved = mlflow.genai.load_prompt("prompts:/mf-chat@production")
    assert (moved.version, moved.template) == (2, CHAT[1:])
    mlflow.genai.delete_prompt_alias("mf-chat", alias="production")
    with pytest.raises(MlflowException):
        mlflow.genai.load_prompt("prompts:/mf-chat@production")


def test_search_prompts_never_lists_models(client: MlflowClient) -> None:
    mlflow.genai.register_prompt(name="mf-search-1", template="a")
    mlflow.genai.register_prompt(name="mf-search-2", template="b")
    client.create_registered_model("mf-search-model")
    names = {p.name for p in mlflow.genai.search_prompts("name LIKE 'mf-search%'")}
    assert names == {"mf-search-1", "mf-search-2"}
    models = {m.name for m in client.search_registered_models("name LIKE 'mf-search%'")}
    assert models == {"mf-search-model"}


def test_ardea_registered_prompt_loads_in_mlflow(client: MlflowClient) -> None:
    ardea.register_prompt("ar-made", "Dear {{ who }}", commit_message="from ardea")
    ardea.register_prompt(
        "ar-made", CHAT, response_format={"type": "object"}, model_config={"temperature": 0.1}
    )
    ardea.set_prompt_alias("ar-made", "prod", 1)
    text = mlflow.genai.load_prompt("prompts:/ar-made@prod")
    assert (text.version, text.commit_message) == (1, "from ardea")
    assert text.format(who="Ada") == "Dear Ada"
    chat = mlflow.genai.load_prompt("prompts:/ar-made/2")
    assert chat.template == CHAT
    assert chat.response_format == {"type": "object"}
    assert chat.model_config == {"temperature": 0.1}
    assert chat.format(product="p", question="q")[1] == {"role": "user", "content": "q"}
    assert "ar-made" in {p.name for p in mlflow.genai.search_prompts("name = 'ar-made'")}


def test_mlflow_registered_prompt_loads_in_ardea(client: MlflowClient) -> None:
    mlflow.genai.register_prompt(name="mf-made", template="Yo {{ x }}", tags={"k": "v"})
    mlflow.genai.register_prompt(name="mf-made", template=CHAT, commit_message="chat")
    mlflow.genai.set_prompt_alias("mf-made", alias="stable", version=1)
    stable = ardea.load_prompt("prompts:/mf-made@stable")
    assert (stable.version, stable.template, stable.tags) == (1, "Yo {{ x }}", {"k": "v"})
    assert stable.format(x=1) == "Yo 1"
    chat = ardea.load_prompt("prompts:/mf-made@latest")
    assert (chat.version, chat.template, chat.commit_message) == (2, CHAT, "chat")
    assert "mf-made" in {p.name for p in ardea.search_prompts("name = 'mf-made'")}


def test_mlflow_links_prompts_to_traces_and_ardea_reads_lineage(client: MlflowClient) -> None:
    version = mlflow.genai.register_prompt(name="mf-linked", template="Q {{ q }}")
    exp = mlflow.set_experiment("mf-prompt-lineage")
    with mlflow.start_span("call") as span:
        trace_id = span.trace_id
    mlflow.flush_trace_async_logging()
    client.link_prompt_versions_to_trace(trace_id=trace_id, prompt_versions=[version])
    info = client.get_trace(trace_id).info
    assert json.loads(info.tags["mlflow.linkedPrompts"]) == [{"name": "mf-linked", "version": "1"}]
    run = client.create_run(exp.experiment_id)
    ardea.link_prompt_version_to_run(run.info.run_id, "prompts:/mf-linked/1")
    lineage = ardea.get_prompt_lineage("mf-linked", 1)
    assert lineage.runs == [run.info.run_id]
    assert lineage.traces == [trace_id]


def test_prompts_of_an_experiment_as_mlflow_lists_them(client: MlflowClient) -> None:
    exp = ardea.set_experiment("ar-prompt-experiment")
    ardea.register_prompt("ar-in-exp", "x {{ y }}")
    ardea.set_experiment("ar-prompt-other-experiment")
    ardea.register_prompt("ar-elsewhere", "z")
    found = mlflow.genai.search_prompts(f"experiment_id = '{exp.experiment_id}'")
    assert [p.name for p in found] == ["ar-in-exp"]
