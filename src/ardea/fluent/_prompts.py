"""The prompt registry, fluent: ``ardea.register_prompt``, ``ardea.load_prompt``, ...

Each function calls the same-named method of the default client (``ardea.get_client()``),
so prompts live in the registry of the fluent tracking URI. As in MLflow, registering or
loading a prompt while an experiment is active (``set_experiment`` or an active run) adds that
experiment to the prompt's ``_mlflow_experiment_ids`` tag (once per prompt and experiment in
this process; failures are logged, not raised).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ardea._core import context
from ardea.entities import PagedList
from ardea.fluent._state import get_client
from ardea.prompts._autolink import set_run_linker

if TYPE_CHECKING:
    from ardea.prompts import Prompt, PromptLineage, PromptVersion

__all__ = [
    "delete_prompt",
    "delete_prompt_alias",
    "delete_prompt_version",
    "get_prompt_lineage",
    "link_prompt_version_to_run",
    "load_prompt",
    "register_prompt",
    "search_prompts",
    "set_prompt_alias",
]

logger = logging.getLogger(__name__)


def _link_to_run(run_id: str, prompt: PromptVersion) -> None:
    get_client().link_prompt_version_to_run(run_id, prompt)


set_run_linker(_link_to_run)  # prompts formatted inside a fluent run are linked to it
_linked_lock = threading.Lock()
_linked_experiments: set[tuple[str, str, str]] = set()


def _link_experiment(name: str) -> None:
    experiment_id = context.active_run_experiment_id()
    if experiment_id is None:
        return
    client = get_client()
    key = (client.tracking_uri, name, experiment_id)
    with _linked_lock:
        if key in _linked_experiments:
            return
    from ardea.prompts._lineage import link_prompt_to_experiment

    try:
        link_prompt_to_experiment(client.registry, name, experiment_id)
    except Exception as exc:  # best effort, as in MLflow
        logger.warning(
            "Ardea: could not link prompt %r to experiment %s: %s", name, experiment_id, exc
        )
        return
    with _linked_lock:
        _linked_experiments.add(key)


def register_prompt(
    name: str,
    template: str | Sequence[Mapping[str, str]],
    commit_message: str | None = None,
    tags: Mapping[str, Any] | None = None,
    response_format: Any = None,
    model_config: Mapping[str, Any] | None = None,
) -> PromptVersion:
    """Register a new version of a prompt (the prompt is created on first use).

    Args:
        name: Prompt name (``[a-zA-Z0-9_.-]+``).
        template: Text with ``{{ var }}`` placeholders (Jinja2 when it contains
            ``{% ... %}``), or chat messages ``[{"role": ..., "content": ...}]``.
        commit_message: What changed in this version.
        tags: Version tags (also the prompt's tags when it is created).
        response_format: JSON schema (dict or pydantic model class) of the expected response.
        model_config: Model settings (dict: model name, temperature, ...).

    Returns:
        The new :class:`~ardea.prompts.PromptVersion`.

    Raises:
        InvalidArgumentError: A bad name, template or tag, or the name is a registered model.
    """
    version = get_client().register_prompt(
        name, template, commit_message, tags, response_format, model_config
    )
    _link_experiment(version.name)
    return version


def load_prompt(
    name_or_uri: str, version: int | str | None = None, use_cache: bool = True
) -> PromptVersion:
    """Load a prompt version (cached client-side for ``ARDEA_PROMPT_CACHE_TTL_SECONDS``, 60).

    Args:
        name_or_uri: ``prompts:/name/3``, ``prompts:/name@alias``, ``prompts:/name@latest``,
            or a bare name (latest version unless ``version`` says).
        version: With a bare name: a version number or an alias.
        use_cache: Read from and fill the client-side cache.

    Returns:
        The :class:`~ardea.prompts.PromptVersion`.

    Raises:
        NotFoundError: No such prompt or version.
        InvalidArgumentError: A malformed reference, or an alias that is not set.
    """
    loaded = get_client().load_prompt(name_or_uri, version, use_cache)
    _link_experiment(loaded.name)
    return loaded


def search_prompts(
    filter_string: str | None = None, max_results: int = 100, page_token: str | None = None
) -> PagedList[Prompt]:
    """One page of prompts (never registered models) matching a filter.

    Args:
        filter_string: Registered-model clauses, e.g. ``"name LIKE 'support-%'"``.
        max_results: Page size (at most 1000).
        page_token: Continue a previous search (``result.token``).

    Returns:
        A :class:`~ardea.entities.PagedList` of :class:`~ardea.prompts.Prompt`.
    """
    return get_client().search_prompts(filter_string, max_results, page_token)


def set_prompt_alias(name: str, alias: str, version: int | str) -> None:
    """Point ``alias`` (e.g. ``production``) of a prompt at a version.

    Args:
        name: The prompt.
        alias: The alias (``latest`` and ``v<digits>`` are reserved).
        version: The version number.
    """
    get_client().set_prompt_alias(name, alias, version)


def delete_prompt_alias(name: str, alias: str) -> None:
    """Remove an alias of a prompt.

    Args:
        name: The prompt.
        alias: The alias.
    """
    get_client().delete_prompt_alias(name, alias)


def delete_prompt_version(name: str, version: int | str) -> None:
    """Delete one version of a prompt (aliases pointing at it are removed).

    Args:
        name: The prompt.
        version: The version number.
    """
    get_client().delete_prompt_version(name, version)


def delete_prompt(name: str) -> None:
    """Delete a prompt with all its versions.

    Args:
        name: The prompt.
    """
    get_client().delete_prompt(name)


def link_prompt_version_to_run(run_id: str, prompt: PromptVersion | str) -> None:
    """Record that a run used a prompt version (run tag ``mlflow.linkedPrompts``).

    ``PromptVersion.format()`` does this by itself inside an active run.

    Args:
        run_id: The run.
        prompt: A :class:`~ardea.prompts.PromptVersion` or a ``prompts:/`` URI.
    """
    get_client().link_prompt_version_to_run(run_id, prompt)


def get_prompt_lineage(name: str, version: int | str) -> PromptLineage:
    """The runs and traces that used a prompt version.

    Args:
        name: The prompt.
        version: The version number.

    Returns:
        A :class:`~ardea.prompts.PromptLineage` with ``runs`` and ``traces`` (ids).
    """
    return get_client().get_prompt_lineage(name, version)
