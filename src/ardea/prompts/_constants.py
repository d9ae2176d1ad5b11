"""How MLflow stores a prompt in the model registry: tag keys, placeholders and limits.

A prompt is a registered model tagged ``mlflow.prompt.is_prompt = "true"``; each prompt
version is a model version with ``source = "dummy-source"`` whose tags hold the template
(``mlflow.prompt.text``) and its type (``_mlflow_prompt_type``: ``text`` or ``chat``).
"""

from __future__ import annotations

import re

__all__ = [
    "CLIENT_SOURCE",
    "EXPERIMENT_IDS_TAG",
    "IS_PROMPT_TAG",
    "LINKED_PROMPTS_TAG",
    "MAX_TEMPLATE_CHARS",
    "MODEL_CONFIG_TAG",
    "NAME_RULE",
    "PROMPT_SOURCES",
    "PROMPT_TYPE_CHAT",
    "PROMPT_TYPE_TAG",
    "PROMPT_TYPE_TEXT",
    "RESPONSE_FORMAT_TAG",
    "TEXT_TAG",
    "VARIABLE_PATTERN",
    "is_reserved_tag",
]

IS_PROMPT_TAG = "mlflow.prompt.is_prompt"
"""Model and version tag (``"true"``) that marks a prompt."""

TEXT_TAG = "mlflow.prompt.text"
"""Version tag holding the template (JSON list of messages for chat prompts)."""

PROMPT_TYPE_TAG = "_mlflow_prompt_type"
"""Version tag: ``text`` or ``chat``."""

PROMPT_TYPE_TEXT = "text"
PROMPT_TYPE_CHAT = "chat"

RESPONSE_FORMAT_TAG = "_mlflow_prompt_response_format"
"""Version tag: the JSON schema of the expected response."""

MODEL_CONFIG_TAG = "_mlflow_prompt_model_config"
"""Version tag: JSON model configuration (model name, temperature, ...)."""

EXPERIMENT_IDS_TAG = "_mlflow_experiment_ids"
"""Prompt tag: comma-wrapped ids of linked experiments (``",0,"``)."""

LINKED_PROMPTS_TAG = "mlflow.linkedPrompts"
"""Run / trace tag: JSON list of ``{"name", "version"}`` of the prompt versions used."""

CLIENT_SOURCE = "dummy-source"
"""The ``source`` MLflow's client gives a prompt version."""

PROMPT_SOURCES = frozenset({CLIENT_SOURCE, "prompt-template"})
"""Sources that mark a model version as a prompt version."""

MAX_TEMPLATE_CHARS = 100_000
"""A template is stored in a registry tag value, which holds at most this many characters."""

NAME_RULE = re.compile(r"[a-zA-Z0-9_.-]+")
"""Allowed prompt names (use ``fullmatch``)."""

VARIABLE_PATTERN = re.compile(
    r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*(?:\.[a-zA-Z_][a-zA-Z0-9_]*)*)\s*\}\}"
)
"""A ``{{ variable }}`` placeholder (optional inner spaces, dotted names allowed)."""

_RESERVED = frozenset(
    {IS_PROMPT_TAG, TEXT_TAG, PROMPT_TYPE_TAG, RESPONSE_FORMAT_TAG, MODEL_CONFIG_TAG}
)


def is_reserved_tag(key: str) -> bool:
    """Whether a tag key is one of the prompt registry's own (hidden from user tags)."""
    return key in _RESERVED or key.startswith("_mlflow_") or key.startswith("mlflow.prompt.")
