"""Prompt and PromptVersion: prompts as the registry stores them, seen as prompts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities import ModelVersion, RegisteredModel
from ardea.prompts import _template
from ardea.prompts._candidates import template_for
from ardea.prompts._constants import (
    IS_PROMPT_TAG,
    MODEL_CONFIG_TAG,
    PROMPT_TYPE_CHAT,
    PROMPT_TYPE_TAG,
    RESPONSE_FORMAT_TAG,
    TEXT_TAG,
    is_reserved_tag,
)
from ardea.prompts._template import Template

__all__ = ["Prompt", "PromptVersion", "prompt_from_model", "prompt_version_from_model_version"]


def _user_tags(tags: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in tags.items() if not is_reserved_tag(k)}


def _json_tag(tags: dict[str, str], key: str) -> dict[str, Any] | None:
    raw = tags.get(key)
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@dataclass(slots=True)
class PromptVersion:
    """One immutable version of a prompt.

    Attributes:
        name: The prompt's name.
        version: 1, 2, ... per prompt.
        template: The text, or the chat messages (``[{"role", "content"}, ...]``).
        commit_message: What changed in this version.
        tags: User tags of the version (the registry's own tags left out).
        aliases: Aliases of the prompt that point at this version.
        creation_timestamp: Epoch milliseconds.
        last_updated_timestamp: Epoch milliseconds.
        response_format: JSON schema of the expected response, if any.
        model_config: Model settings (model name, temperature, ...), if any.
        user_id: Who registered it.
    """

    name: str
    version: int
    template: Template
    commit_message: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    creation_timestamp: int = 0
    last_updated_timestamp: int = 0
    response_format: dict[str, Any] | None = None
    model_config: dict[str, Any] | None = None
    user_id: str | None = None

    @property
    def uri(self) -> str:
        """``prompts:/<name>/<version>``."""
        return f"prompts:/{self.name}/{self.version}"

    @property
    def is_text_prompt(self) -> bool:
        """Whether the template is a single text (not chat messages)."""
        return isinstance(self.template, str)

    @property
    def prompt_type(self) -> str:
        """``text`` or ``chat``."""
        return "text" if self.is_text_prompt else PROMPT_TYPE_CHAT

    @property
    def variables(self) -> set[str]:
        """The variables :meth:`format` needs."""
        return _template.template_variables(self.template)

    def format(self, allow_partial: bool = False, **values: Any) -> Any:
        """Fill in the template.

        Called inside an active run or trace of the fluent API, this also links the version
        to that run (run tag ``mlflow.linkedPrompts``) or trace (same trace tag), once.

        Args:
            allow_partial: Leave missing variables in place and return a :class:`PromptVersion`
                with the partly filled template, instead of raising.
            **values: The variables.

        Returns:
            The text (text prompts) or the list of messages (chat prompts); with
            ``allow_partial`` and variables still missing, a new :class:`PromptVersion`.

        Raises:
            PromptRenderError: Variables are missing (every one is named), or a Jinja2
                template is invalid or was refused by the sandbox.
        """
        template = template_for(self.name, self.template)
        rendered = _template.render(template, values, allow_partial=allow_partial)
        from ardea.prompts._autolink import link_on_use

        link_on_use(self)
        partial = allow_partial and not _template.is_jinja(template)
        if partial and _template.template_variables(template) - set(values):
            return replace(self, template=rendered)
        return rendered

    def to_single_brace_format(self) -> Template:
        """The template with ``{{ name }}`` turned into ``{name}`` (for LangChain and others)."""
        return _template.to_single_brace(self.template)


@dataclass(slots=True)
class Prompt:
    """A named prompt: its versions are :class:`PromptVersion`.

    Attributes:
        name: Unique name (``[a-zA-Z0-9_.-]+``).
        description: The first version's commit message (or as updated).
        creation_timestamp: Epoch milliseconds.
        last_updated_timestamp: Epoch milliseconds.
        tags: User tags of the prompt.
        aliases: Alias name to version number.
    """

    name: str
    description: str | None = None
    creation_timestamp: int = 0
    last_updated_timestamp: int = 0
    tags: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, int] = field(default_factory=dict)


def prompt_from_model(model: RegisteredModel) -> Prompt:
    """A registered model tagged as a prompt, as a :class:`Prompt`.

    Raises:
        InvalidArgumentError: The model is not a prompt.
    """
    if not model.is_prompt:
        raise InvalidArgumentError(f"Registered model {model.name!r} is not a prompt.")
    return Prompt(
        name=model.name,
        description=model.description,
        creation_timestamp=model.creation_timestamp,
        last_updated_timestamp=model.last_updated_timestamp,
        tags=_user_tags(model.tags),
        aliases={a.alias: a.version for a in model.aliases},
    )


def prompt_version_from_model_version(version: ModelVersion) -> PromptVersion:
    """A model version holding a prompt template, as a :class:`PromptVersion`.

    Raises:
        InvalidArgumentError: The version holds no prompt template.
    """
    tags = version.tags
    if TEXT_TAG not in tags or tags.get(IS_PROMPT_TAG, "true").lower() != "true":
        raise InvalidArgumentError(
            f"Version {version.version} of {version.name!r} is not a prompt version."
        )
    text = tags[TEXT_TAG]
    template: Template = text
    if tags.get(PROMPT_TYPE_TAG) == PROMPT_TYPE_CHAT:
        try:
            template = _template.check_template(json.loads(text))
        except ValueError:
            template = text
    return PromptVersion(
        name=version.name,
        version=int(version.version),
        template=template,
        commit_message=version.description,
        tags=_user_tags(tags),
        aliases=list(version.aliases),
        creation_timestamp=version.creation_timestamp,
        last_updated_timestamp=version.last_updated_timestamp,
        response_format=_json_tag(tags, RESPONSE_FORMAT_TAG),
        model_config=_json_tag(tags, MODEL_CONFIG_TAG),
        user_id=version.user_id,
    )
