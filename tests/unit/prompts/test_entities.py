"""Model versions and registered models seen as prompt versions and prompts."""

from __future__ import annotations

import json

import pytest

from ardea import InvalidArgumentError
from ardea.entities import ModelVersion, RegisteredModel, RegisteredModelAlias
from ardea.prompts._entities import prompt_from_model, prompt_version_from_model_version


def _mv(tags: dict[str, str]) -> ModelVersion:
    return ModelVersion(
        name="qa", version=3, creation_timestamp=1, last_updated_timestamp=2,
        source="dummy-source", description="msg", tags=tags, aliases=["prod"],
    )  # fmt: skip


def test_text_version() -> None:
    pv = prompt_version_from_model_version(
        _mv(
            {
                "mlflow.prompt.is_prompt": "true",
                "mlflow.prompt.text": "Hi {{ x }}",
                "_mlflow_prompt_type": "text",
                "_mlflow_prompt_model_config": '{"temperature": 1}',
                "owner": "me",
            }
        )
    )
    assert (pv.name, pv.version, pv.template, pv.commit_message) == ("qa", 3, "Hi {{ x }}", "msg")
    assert pv.tags == {"owner": "me"}
    assert pv.aliases == ["prod"] and pv.model_config == {"temperature": 1}
    assert pv.response_format is None and pv.is_text_prompt and pv.uri == "prompts:/qa/3"


def test_chat_version() -> None:
    messages = [{"role": "user", "content": "{{ q }}"}]
    pv = prompt_version_from_model_version(
        _mv({"mlflow.prompt.text": json.dumps(messages), "_mlflow_prompt_type": "chat"})
    )
    assert pv.template == messages and pv.prompt_type == "chat"


def test_a_model_version_is_not_a_prompt_version() -> None:
    with pytest.raises(InvalidArgumentError):
        prompt_version_from_model_version(_mv({"flavor": "sklearn"}))


def test_prompt_hides_registry_tags() -> None:
    model = RegisteredModel(
        name="qa", creation_timestamp=1, last_updated_timestamp=2, description="first",
        tags={"mlflow.prompt.is_prompt": "true", "_mlflow_experiment_ids": ",1,", "team": "cx"},
        aliases=[RegisteredModelAlias("prod", 2)],
    )  # fmt: skip
    prompt = prompt_from_model(model)
    assert (prompt.tags, prompt.aliases, prompt.description) == (
        {"team": "cx"},
        {"prod": 2},
        "first",
    )
    model.tags = {}
    with pytest.raises(InvalidArgumentError):
        prompt_from_model(model)
