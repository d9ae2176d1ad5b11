"""The events registry writes raise, and the ``data`` each delivery carries (as MLflow sends it).

A :class:`RegistryChange` is what the server records after a successful registry write; the
dispatcher turns it into a :class:`WebhookEvent` and its payload with :func:`resolve`, which
needs to know whether the model is a prompt (``mlflow.prompt.is_prompt = "true"``): then the
event is the PROMPT_* one. Payload shapes follow ``mlflow/webhooks/types.py`` (3.17).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ardea.entities.alerts import AlertEvent, AlertRule
from ardea.entities.webhook import WebhookEvent

__all__ = [
    "ALIAS_DELETED",
    "ALIAS_SET",
    "MODEL_TAG_DELETED",
    "MODEL_TAG_SET",
    "MODEL_VERSION_CREATED",
    "REGISTERED_MODEL_CREATED",
    "VERSION_TAG_DELETED",
    "VERSION_TAG_SET",
    "RegistryChange",
    "alert_payload",
    "candidate_events",
    "example_payload",
    "resolve",
]

REGISTERED_MODEL_CREATED = "registered_model_created"
MODEL_VERSION_CREATED = "model_version_created"
ALIAS_SET = "alias_set"
ALIAS_DELETED = "alias_deleted"
MODEL_TAG_SET = "model_tag_set"
MODEL_TAG_DELETED = "model_tag_deleted"
VERSION_TAG_SET = "version_tag_set"
VERSION_TAG_DELETED = "version_tag_deleted"

_PROMPT_TAG = "mlflow.prompt.is_prompt"
_PROMPT_TEXT_TAG = "mlflow.prompt.text"
_PROMPT_TYPE_TAG = "_mlflow_prompt_type"

# kind -> (event for a model, event for a prompt); None: that kind raises nothing for models
_EVENTS: dict[str, tuple[WebhookEvent | None, WebhookEvent]] = {
    REGISTERED_MODEL_CREATED: (
        WebhookEvent("REGISTERED_MODEL", "CREATED"),
        WebhookEvent("PROMPT", "CREATED"),
    ),
    MODEL_VERSION_CREATED: (
        WebhookEvent("MODEL_VERSION", "CREATED"),
        WebhookEvent("PROMPT_VERSION", "CREATED"),
    ),
    ALIAS_SET: (
        WebhookEvent("MODEL_VERSION_ALIAS", "CREATED"),
        WebhookEvent("PROMPT_ALIAS", "CREATED"),
    ),
    ALIAS_DELETED: (
        WebhookEvent("MODEL_VERSION_ALIAS", "DELETED"),
        WebhookEvent("PROMPT_ALIAS", "DELETED"),
    ),
    MODEL_TAG_SET: (None, WebhookEvent("PROMPT_TAG", "SET")),
    MODEL_TAG_DELETED: (None, WebhookEvent("PROMPT_TAG", "DELETED")),
    VERSION_TAG_SET: (
        WebhookEvent("MODEL_VERSION_TAG", "SET"),
        WebhookEvent("PROMPT_VERSION_TAG", "SET"),
    ),
    VERSION_TAG_DELETED: (
        WebhookEvent("MODEL_VERSION_TAG", "DELETED"),
        WebhookEvent("PROMPT_VERSION_TAG", "DELETED"),
    ),
}


@dataclass(frozen=True, slots=True)
class RegistryChange:
    """One successful registry write that may notify webhooks.

    Attributes:
        kind: :data:`REGISTERED_MODEL_CREATED`, :data:`MODEL_VERSION_CREATED`,
            :data:`ALIAS_SET`, :data:`ALIAS_DELETED`, :data:`MODEL_TAG_SET`,
            :data:`MODEL_TAG_DELETED`, :data:`VERSION_TAG_SET` or :data:`VERSION_TAG_DELETED`.
        name: The registered model (or prompt) name.
        fields: The rest of the payload: ``tags`` (dict) and ``description`` for creations,
            ``version``, ``source``, ``run_id`` for versions, ``alias`` (and ``version``) for
            aliases, ``key`` (and ``value``; ``version`` for version tags) for tags.
    """

    kind: str
    name: str
    fields: Mapping[str, Any] = field(default_factory=dict)


def _tags(change: RegistryChange) -> dict[str, str]:
    return dict(change.fields.get("tags") or {})


def _tagged_prompt(change: RegistryChange) -> bool:
    return str(_tags(change).get(_PROMPT_TAG, "false")).lower() == "true"


def candidate_events(change: RegistryChange) -> list[WebhookEvent]:
    """The events ``change`` may raise (for a model, for a prompt)."""
    return [e for e in _EVENTS[change.kind] if e is not None]


def resolve(
    change: RegistryChange, is_prompt_model: Callable[[str], bool]
) -> tuple[WebhookEvent | None, dict[str, Any]]:
    """The event ``change`` raises (None: none, e.g. a plain model's tag) and its ``data``.

    Args:
        change: The registry write.
        is_prompt_model: Whether the named registered model is a prompt (asked only when the
            change's own tags do not already say so).
    """
    model_event, prompt_event = _EVENTS[change.kind]
    prompt = _tagged_prompt(change) or is_prompt_model(change.name)
    event = prompt_event if prompt else model_event
    f, name = change.fields, change.name
    if change.kind == REGISTERED_MODEL_CREATED:
        tags = _tags(change)
        if prompt:
            tags = {k: v for k, v in tags.items() if k not in (_PROMPT_TAG, _PROMPT_TYPE_TAG)}
        return event, {"name": name, "tags": tags, "description": f.get("description")}
    if change.kind == MODEL_VERSION_CREATED:
        tags = _tags(change)
        version = str(f.get("version"))
        description = f.get("description") or None
        if prompt:
            template = tags.pop(_PROMPT_TEXT_TAG, None)
            tags.pop(_PROMPT_TAG, None)
            tags.pop(_PROMPT_TYPE_TAG, None)
            data = {"name": name, "version": version, "template": template, "tags": tags}
            return event, {**data, "description": description}
        return event, {
            "name": name,
            "version": version,
            "source": f.get("source"),
            "run_id": f.get("run_id") or None,
            "tags": tags,
            "description": description,
        }
    if change.kind == ALIAS_SET:
        return event, {"name": name, "alias": f.get("alias"), "version": str(f.get("version"))}
    if change.kind == ALIAS_DELETED:
        return event, {"name": name, "alias": f.get("alias")}
    data = {"name": name}
    if change.kind in (VERSION_TAG_SET, VERSION_TAG_DELETED):
        data["version"] = str(f.get("version"))
    data["key"] = f.get("key")
    if change.kind in (MODEL_TAG_SET, VERSION_TAG_SET):
        data["value"] = f.get("value")
    return event, data


_EXAMPLES: dict[str, dict[str, Any]] = {
    "REGISTERED_MODEL": {
        "name": "example_model",
        "tags": {"example_key": "example_value"},
        "description": "An example registered model",
    },
    "MODEL_VERSION": {
        "name": "example_model",
        "version": "1",
        "source": "models:/123",
        "run_id": "abcd1234abcd5678",
        "tags": {"example_key": "example_value"},
        "description": "An example model version",
    },
    "MODEL_VERSION_ALIAS": {"name": "example_model", "alias": "example_alias", "version": "1"},
    "PROMPT": {
        "name": "example_prompt",
        "tags": {"example_key": "example_value"},
        "description": "An example prompt",
    },
    "PROMPT_VERSION": {
        "name": "example_prompt",
        "version": "1",
        "template": "Hello {{name}}!",
        "tags": {"example_key": "example_value"},
        "description": "An example prompt version",
    },
    "PROMPT_ALIAS": {"name": "example_prompt", "alias": "example_alias", "version": "1"},
}


def example_payload(event: WebhookEvent) -> dict[str, Any]:
    """The sample ``data`` a test delivery of ``event`` carries."""
    if event.entity in _EXAMPLES:
        data = dict(_EXAMPLES[event.entity])
        if event.action == "DELETED":
            data.pop("version", None)
        return data
    name = "example_prompt" if event.entity.startswith("PROMPT") else "example_model"
    data = {"name": name, "key": "example_key"}
    if event.entity.endswith("VERSION_TAG"):
        data["version"] = "1"
    if event.action == "SET":
        data["value"] = "example_value"
    if event.entity == "BUDGET_POLICY":
        data = {"budget_policy_id": "example_policy"}
    if event.entity == "ALERT":
        data = dict(_ALERT_EXAMPLE, event=event.action)
    return data


_ALERT_EXAMPLE: dict[str, Any] = {
    "event_id": "00000000-0000-0000-0000-000000000000",
    "rule_id": "11111111-1111-1111-1111-111111111111",
    "rule_name": "example_rule",
    "experiment_id": "1",
    "kind": "error_rate_above",
    "state": "FIRING",
    "value": 0.25,
    "threshold": 0.1,
    "samples": 40,
    "window_seconds": 3600,
    "time": 0,
    "sequence": 1,
}


def alert_payload(event: AlertEvent, rule: AlertRule) -> dict[str, Any]:
    """The ``data`` of an ``alert.fired`` / ``alert.resolved`` delivery.

    The event (``event`` is ``FIRED`` or ``RESOLVED``, ``value`` the measure, ``threshold``
    the one crossed) with the rule's kind, state, window and judge.
    """
    data: dict[str, Any] = {
        "event_id": event.event_id,
        "event": event.kind,
        "rule_id": rule.rule_id,
        "rule_name": event.rule_name,
        "experiment_id": event.experiment_id,
        "kind": rule.kind,
        "state": rule.state,
        "value": event.value,
        "threshold": event.threshold,
        "samples": event.samples,
        "window_seconds": rule.window_seconds,
        "time": event.time,
        "sequence": event.sequence,
    }
    if rule.judge is not None:
        data["judge"] = rule.judge
    return data
