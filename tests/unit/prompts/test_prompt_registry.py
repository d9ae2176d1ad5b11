"""The prompt registry SDK on an embedded store: register, load, alias, search, delete."""

from __future__ import annotations

import json

import pytest

import ardea
from ardea import InvalidArgumentError, NotFoundError
from ardea.prompts import PromptVersion

CHAT = [
    {"role": "system", "content": "You answer about {{ product }}."},
    {"role": "user", "content": "{{ question }}"},
]


def test_register_stores_what_mlflow_stores(tracking_uri: str) -> None:
    v1 = ardea.register_prompt(
        "support", "Hi {{ name }}", commit_message="first", tags={"team": "cx"}
    )
    assert (v1.name, v1.version, v1.commit_message, v1.tags) == (
        "support",
        1,
        "first",
        {"team": "cx"},
    )
    client = ardea.get_client()
    model = client.get_registered_model("support")
    assert model.tags == {"mlflow.prompt.is_prompt": "true", "team": "cx"}
    assert model.description == "first"
    mv = client.get_model_version("support", 1)
    assert mv.source == "dummy-source"
    assert mv.description == "first"
    assert mv.tags == {
        "mlflow.prompt.is_prompt": "true",
        "mlflow.prompt.text": "Hi {{ name }}",
        "_mlflow_prompt_type": "text",
        "team": "cx",
    }
    v2 = ardea.register_prompt(
        "support", CHAT, response_format={"type": "object"}, model_config={"temperature": 0.2}
    )
    mv2 = client.get_model_version("support", 2)
    assert json.loads(mv2.tags["mlflow.prompt.text"]) == CHAT
    assert mv2.tags["_mlflow_prompt_type"] == "chat"
    assert json.loads(mv2.tags["_mlflow_prompt_response_format"]) == {"type": "object"}
    assert json.loads(mv2.tags["_mlflow_prompt_model_config"]) == {"temperature": 0.2}
    assert (v2.version, v2.template, v2.response_format) == (2, CHAT, {"type": "object"})
    assert v2.model_config == {"temperature": 0.2}


def test_load_by_version_alias_and_latest(tracking_uri: str) -> None:
    ardea.register_prompt("qa", "v1 {{ q }}")
    ardea.register_prompt("qa", "v2 {{ q }}")
    ardea.set_prompt_alias("qa", "production", 1)
    assert ardea.load_prompt("prompts:/qa/2").template == "v2 {{ q }}"
    prod = ardea.load_prompt("prompts:/qa@production")
    assert (prod.version, prod.aliases) == (1, ["production"])
    assert ardea.load_prompt("prompts:/qa@latest").version == 2
    assert ardea.load_prompt("qa").version == 2
    assert ardea.load_prompt("qa", version=1).format(q="?") == "v1 ?"
    assert ardea.load_prompt("qa", version="production").version == 1


def test_alias_moves_are_seen_at_once_through_the_same_client(tracking_uri: str) -> None:
    ardea.register_prompt("qa", "a")
    ardea.register_prompt("qa", "b")
    ardea.set_prompt_alias("qa", "prod", 1)
    assert ardea.load_prompt("prompts:/qa@prod").version == 1
    ardea.set_prompt_alias("qa", "prod", 2)  # invalidates this client's cache
    assert ardea.load_prompt("prompts:/qa@prod").version == 2
    ardea.delete_prompt_alias("qa", "prod")
    with pytest.raises(InvalidArgumentError):
        ardea.load_prompt("prompts:/qa@prod")
    ardea.register_prompt("qa", "c")
    assert ardea.load_prompt("prompts:/qa@latest").version == 3


def test_cache_serves_alias_lookups_until_ttl(tracking_uri: str) -> None:
    ardea.register_prompt("qa", "a")
    ardea.register_prompt("qa", "b")
    ardea.set_prompt_alias("qa", "prod", 1)
    first = ardea.load_prompt("prompts:/qa@prod")
    other = ardea.ArdeaClient(tracking_uri)  # another process, as far as the cache knows
    other.set_prompt_alias("qa", "prod", 2)
    assert ardea.load_prompt("prompts:/qa@prod") is first  # cached
    assert ardea.load_prompt("prompts:/qa@prod", use_cache=False).version == 2


def test_search_lists_prompts_only(tracking_uri: str) -> None:
    ardea.register_prompt("support-a", "a")
    ardea.register_prompt("support-b", "b")
    ardea.register_prompt("other", "c")
    ardea.get_client().create_registered_model("support-model")
    names = sorted(p.name for p in ardea.search_prompts())
    assert names == ["other", "support-a", "support-b"]
    assert sorted(p.name for p in ardea.search_prompts("name LIKE 'support%'")) == [
        "support-a",
        "support-b",
    ]
    models = ardea.get_client().search_registered_models()
    assert [m.name for m in models] == ["support-model"]
    page = ardea.search_prompts(max_results=2)
    assert len(page) == 2 and page.token
    rest = ardea.search_prompts(max_results=2, page_token=page.token)
    assert len(rest) == 1


def test_delete_version_and_prompt(tracking_uri: str) -> None:
    ardea.register_prompt("qa", "a")
    ardea.register_prompt("qa", "b")
    ardea.load_prompt("prompts:/qa/2")
    ardea.delete_prompt_version("qa", 2)
    with pytest.raises(NotFoundError):
        ardea.load_prompt("prompts:/qa/2")
    assert ardea.load_prompt("prompts:/qa@latest").version == 1
    ardea.delete_prompt("qa")
    with pytest.raises(NotFoundError):
        ardea.load_prompt("qa", 1)


def test_models_and_prompts_do_not_mix(tracking_uri: str) -> None:
    client = ardea.get_client()
    client.create_registered_model("fraud")
    with pytest.raises(InvalidArgumentError):
        ardea.register_prompt("fraud", "x")
    with pytest.raises(NotFoundError):
        ardea.load_prompt("fraud")
    with pytest.raises(NotFoundError):
        ardea.delete_prompt("fraud")
    assert client.get_registered_model("fraud").name == "fraud"


@pytest.mark.parametrize(
    ("name", "template"),
    [
        ("bad name", "x"),
        ("ok", 42),
        ("ok", [{"role": "user"}]),
        ("ok", "x" * 100_001),
    ],
)
def test_bad_input_is_rejected_and_stores_nothing(
    tracking_uri: str, name: str, template: object
) -> None:
    with pytest.raises(InvalidArgumentError):
        ardea.register_prompt(name, template)  # type: ignore[arg-type]
    assert list(ardea.search_prompts()) == []


def test_bad_tags_and_settings_are_rejected(tracking_uri: str) -> None:
    with pytest.raises(InvalidArgumentError):
        ardea.register_prompt("ok", "x", tags=["not", "a", "dict"])  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        ardea.register_prompt("ok", "x", model_config="hot")  # type: ignore[arg-type]
    assert list(ardea.search_prompts()) == []


def test_format_and_partial(tracking_uri: str) -> None:
    v = ardea.register_prompt("qa", "{{ a }} and {{ b }}")
    assert v.variables == {"a", "b"}
    partial = v.format(allow_partial=True, a=1)
    assert isinstance(partial, PromptVersion)
    assert partial.template == "1 and {{ b }}"
    assert partial.format(b=2) == "1 and 2"
    assert v.to_single_brace_format() == "{a} and {b}"
    assert v.uri == "prompts:/qa/1"


def test_active_experiment_is_recorded_on_the_prompt(tracking_uri: str) -> None:
    ardea.register_prompt("qa", "x")
    client = ardea.get_client()
    assert "_mlflow_experiment_ids" not in client.get_registered_model("qa").tags
    first = ardea.set_experiment("prompts-a").experiment_id
    ardea.load_prompt("qa")
    second = ardea.set_experiment("prompts-b").experiment_id
    ardea.register_prompt("qa", "y")
    ardea.load_prompt("qa")
    tags = client.get_registered_model("qa").tags
    assert tags["_mlflow_experiment_ids"] == f",{first},{second},"
    assert "_mlflow_experiment_ids" not in ardea.load_prompt("qa").tags
