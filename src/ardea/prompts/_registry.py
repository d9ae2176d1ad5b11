"""Prompt registry operations over a :class:`~ardea.store.registry.RegistryStore`.

Stored exactly as MLflow stores them (see :mod:`ardea.prompts._constants`), so prompts written
here load with ``mlflow.genai.load_prompt`` and the other way round. Works over any registry
store: the SQL one (embedded) or the REST one (a server, Ardea's or MLflow's).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ardea._core.errors import AlreadyExistsError, InvalidArgumentError, NotFoundError
from ardea.entities import PagedList
from ardea.prompts._constants import (
    CLIENT_SOURCE,
    IS_PROMPT_TAG,
    MAX_TEMPLATE_CHARS,
    MODEL_CONFIG_TAG,
    PROMPT_TYPE_CHAT,
    PROMPT_TYPE_TAG,
    PROMPT_TYPE_TEXT,
    RESPONSE_FORMAT_TAG,
    TEXT_TAG,
)
from ardea.prompts._entities import (
    Prompt,
    PromptVersion,
    prompt_from_model,
    prompt_version_from_model_version,
)
from ardea.prompts._template import check_template
from ardea.prompts._uri import PromptRef, check_prompt_name
from ardea.store.registry import RegistryStore

__all__ = [
    "PROMPT_FILTER",
    "delete_prompt",
    "delete_prompt_alias",
    "delete_prompt_version",
    "get_prompt",
    "load_prompt_ref",
    "register_prompt",
    "search_prompts",
    "set_prompt_alias",
]

PROMPT_FILTER = f"tags.`{IS_PROMPT_TAG}` = 'true'"
"""The registered-model filter that selects prompts."""


def _json_object(value: Any, what: str) -> str:
    if hasattr(value, "model_json_schema"):  # a pydantic model class
        value = value.model_json_schema()
    if not isinstance(value, Mapping):
        raise InvalidArgumentError(f"{what} must be a dict (or a pydantic model for a schema).")
    try:
        return json.dumps(dict(value))
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"{what} is not JSON-serializable: {exc}") from None


def _str_tags(tags: Mapping[str, Any] | None) -> dict[str, str]:
    if tags is None:
        return {}
    if not isinstance(tags, Mapping):
        raise InvalidArgumentError("Prompt tags must be a dict of str to str.")
    return {str(k): str(v) for k, v in tags.items()}


def get_prompt(registry: RegistryStore, name: str) -> Prompt:
    """The prompt called ``name``.

    Raises:
        NotFoundError: No prompt has this name (a registered *model* of that name included).
    """
    model = registry.get_registered_model(check_prompt_name(name))
    if not model.is_prompt:
        raise NotFoundError(f"Prompt {name!r} not found (a registered model has that name).")
    return prompt_from_model(model)


def register_prompt(
    registry: RegistryStore,
    name: str,
    template: Any,
    commit_message: str | None = None,
    tags: Mapping[str, Any] | None = None,
    response_format: Any = None,
    model_config: Mapping[str, Any] | None = None,
) -> PromptVersion:
    """Create the next version of prompt ``name`` (creating the prompt on first use).

    Args:
        registry: Where to store it.
        name: The prompt's name (``[a-zA-Z0-9_.-]+``).
        template: Text with ``{{ var }}`` placeholders (or Jinja2), or chat messages
            ``[{"role": ..., "content": ...}]``.
        commit_message: What changed; the first one is also the prompt's description.
        tags: Version tags (on first registration they are also the prompt's tags).
        response_format: JSON schema (dict or pydantic model class) of the expected response.
        model_config: Model settings (dict), stored as JSON.

    Returns:
        The new version.

    Raises:
        InvalidArgumentError: A bad name, template, tag or setting; or ``name`` is a registered
            model that is not a prompt.
    """
    check_prompt_name(name)
    template = check_template(template)
    text = template if isinstance(template, str) else json.dumps(template)
    if len(text) > MAX_TEMPLATE_CHARS:
        raise InvalidArgumentError(
            f"The template is {len(text)} characters long; at most {MAX_TEMPLATE_CHARS} fit."
        )
    user_tags = _str_tags(tags)
    version_tags = {
        IS_PROMPT_TAG: "true",
        TEXT_TAG: text,
        PROMPT_TYPE_TAG: PROMPT_TYPE_TEXT if isinstance(template, str) else PROMPT_TYPE_CHAT,
    }
    if response_format is not None:
        version_tags[RESPONSE_FORMAT_TAG] = _json_object(response_format, "response_format")
    if model_config is not None:
        version_tags[MODEL_CONFIG_TAG] = _json_object(model_config, "model_config")
    version_tags.update(user_tags)
    try:
        model = registry.get_registered_model(name)
    except NotFoundError:
        model = None
    if model is None:
        try:
            registry.create_registered_model(
                name, tags={IS_PROMPT_TAG: "true", **user_tags}, description=commit_message
            )
        except AlreadyExistsError:  # registered concurrently
            model = registry.get_registered_model(name)
    if model is not None and not model.is_prompt:
        raise InvalidArgumentError(
            f"{name!r} is a registered model, not a prompt: choose another prompt name."
        )
    created = registry.create_model_version(
        name, CLIENT_SOURCE, tags=version_tags, description=commit_message
    )
    return prompt_version_from_model_version(created)


def load_prompt_ref(registry: RegistryStore, ref: PromptRef) -> PromptVersion:
    """The prompt version ``ref`` names.

    Raises:
        NotFoundError: No such prompt, version, or (``@latest``) no versions at all.
        InvalidArgumentError: The alias is not set.
    """
    get_prompt(registry, ref.name)  # checks that it is a prompt
    if ref.version is not None:
        found = registry.get_model_version(ref.name, ref.version)
    else:
        assert ref.alias is not None
        found = registry.get_model_version_by_alias(ref.name, ref.alias)
    return prompt_version_from_model_version(found)


def search_prompts(
    registry: RegistryStore,
    filter_string: str | None = None,
    max_results: int = 100,
    page_token: str | None = None,
) -> PagedList[Prompt]:
    """Prompts (never models) matching a registered-model filter (``name LIKE 'qa-%'``...).

    Args:
        registry: The registry.
        filter_string: Extra clauses, ANDed with the prompt filter.
        max_results: Page size (at most 1000).
        page_token: Continue a previous search.
    """
    if filter_string is not None and not isinstance(filter_string, str):
        raise InvalidArgumentError("filter_string must be a str.")
    query = f"{PROMPT_FILTER} AND {filter_string}" if filter_string else PROMPT_FILTER
    page = registry.search_registered_models(query, max_results, (), page_token)
    return PagedList([prompt_from_model(m) for m in page if m.is_prompt], page.token)


def set_prompt_alias(registry: RegistryStore, name: str, alias: str, version: int | str) -> None:
    """Point ``alias`` of prompt ``name`` at ``version`` (moving it if set elsewhere)."""
    get_prompt(registry, name)
    registry.get_model_version(name, version)
    registry.set_registered_model_alias(name, alias, version)


def delete_prompt_alias(registry: RegistryStore, name: str, alias: str) -> None:
    """Remove an alias of prompt ``name``."""
    get_prompt(registry, name)
    registry.delete_registered_model_alias(name, alias)


def delete_prompt_version(registry: RegistryStore, name: str, version: int | str) -> None:
    """Delete one version (aliases pointing at it go too; its number is not reused)."""
    get_prompt(registry, name)
    registry.delete_model_version(name, version)


def delete_prompt(registry: RegistryStore, name: str) -> None:
    """Delete a prompt with all its versions, tags and aliases."""
    get_prompt(registry, name)
    registry.delete_registered_model(name)
