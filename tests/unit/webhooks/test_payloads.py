"""Registry changes -> webhook events and payloads (model vs prompt), and test samples."""

from __future__ import annotations

from ardea.entities.webhook import ALLOWED_EVENTS, WebhookEvent
from ardea.webhooks.payloads import (
    ALIAS_DELETED,
    ALIAS_SET,
    MODEL_TAG_SET,
    MODEL_VERSION_CREATED,
    REGISTERED_MODEL_CREATED,
    VERSION_TAG_DELETED,
    RegistryChange,
    example_payload,
    resolve,
)


def _never(_: str) -> bool:
    return False


def _always(_: str) -> bool:
    return True


def test_model_version_vs_prompt_version() -> None:
    change = RegistryChange(
        MODEL_VERSION_CREATED, "m", {"version": 2, "source": "s", "run_id": "r", "tags": {"a": "b"}}
    )
    event, data = resolve(change, _never)
    assert event == WebhookEvent("MODEL_VERSION", "CREATED")
    assert data == {"name": "m", "version": "2", "source": "s", "run_id": "r",
                    "tags": {"a": "b"}, "description": None}  # fmt: skip
    tags = {"mlflow.prompt.is_prompt": "true", "mlflow.prompt.text": "Hi", "x": "y"}
    event, data = resolve(RegistryChange(MODEL_VERSION_CREATED, "p", {"version": 1, "tags": tags}),
                          _never)  # fmt: skip
    assert event == WebhookEvent("PROMPT_VERSION", "CREATED")
    assert data["template"] == "Hi" and data["tags"] == {"x": "y"}


def test_aliases_follow_the_models_kind() -> None:
    set_ = RegistryChange(ALIAS_SET, "m", {"alias": "a", "version": "3"})
    assert resolve(set_, _never) == (
        WebhookEvent("MODEL_VERSION_ALIAS", "CREATED"),
        {"name": "m", "alias": "a", "version": "3"},
    )
    assert resolve(set_, _always)[0] == WebhookEvent("PROMPT_ALIAS", "CREATED")
    gone = RegistryChange(ALIAS_DELETED, "m", {"alias": "a"})
    assert resolve(gone, _always) == (
        WebhookEvent("PROMPT_ALIAS", "DELETED"),
        {"name": "m", "alias": "a"},
    )


def test_registered_model_vs_prompt() -> None:
    plain = RegistryChange(REGISTERED_MODEL_CREATED, "m", {"tags": {"t": "1"}, "description": "d"})
    assert resolve(plain, _never) == (
        WebhookEvent("REGISTERED_MODEL", "CREATED"),
        {"name": "m", "tags": {"t": "1"}, "description": "d"},
    )
    prompt = RegistryChange(
        REGISTERED_MODEL_CREATED, "p", {"tags": {"mlflow.prompt.is_prompt": "true"}}
    )
    assert resolve(prompt, _never)[0] == WebhookEvent("PROMPT", "CREATED")
    assert resolve(prompt, _never)[1]["tags"] == {}


def test_every_allowed_event_has_a_sample() -> None:
    for entity, actions in ALLOWED_EVENTS.items():
        for action in actions:
            data = example_payload(WebhookEvent(entity, action))
            assert data and all(isinstance(k, str) for k in data)


def test_tag_events() -> None:
    model_tag = RegistryChange(MODEL_TAG_SET, "m", {"key": "k", "value": "v"})
    assert resolve(model_tag, _never)[0] is None  # MLflow raises nothing for a model's tag
    assert resolve(model_tag, _always) == (
        WebhookEvent("PROMPT_TAG", "SET"),
        {"name": "m", "key": "k", "value": "v"},
    )
    gone = RegistryChange(VERSION_TAG_DELETED, "m", {"version": 4, "key": "k"})
    assert resolve(gone, _never) == (
        WebhookEvent("MODEL_VERSION_TAG", "DELETED"),
        {"name": "m", "version": "4", "key": "k"},
    )
    assert resolve(gone, _always)[0] == WebhookEvent("PROMPT_VERSION_TAG", "DELETED")
