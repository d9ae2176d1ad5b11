"""The prompt registry half of ArdeaClient: register, load (cached), alias, search, lineage."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ardea.client._base import ClientBase
from ardea.entities import PagedList

if TYPE_CHECKING:
    from ardea.prompts import Prompt, PromptCache, PromptLineage, PromptVersion

__all__ = ["PromptsMixin"]


class PromptsMixin(ClientBase):
    """Prompt registry methods of :class:`ArdeaClient` (over its model registry)."""

    @property
    def prompt_cache(self) -> PromptCache:
        """This client's cache of loaded prompts (TTL from ``ARDEA_PROMPT_CACHE_TTL_SECONDS``)."""
        with self._lock:
            cache = getattr(self, "_prompt_cache", None)
            if cache is None:
                from ardea.prompts import PromptCache

                cache = PromptCache()
                self._prompt_cache = cache
            return cache

    def _forget(self, name: str) -> None:
        self.prompt_cache.invalidate(self.tracking_uri, name)

    def register_prompt(
        self,
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
            response_format: JSON schema (dict or pydantic model class) of the response.
            model_config: Model settings (dict).

        Returns:
            The new :class:`~ardea.prompts.PromptVersion`.
        """
        from ardea.prompts._registry import register_prompt

        version = register_prompt(
            self.registry, name, template, commit_message, tags, response_format, model_config
        )
        self._forget(name)  # @latest moved
        return version

    def load_prompt(
        self, name_or_uri: str, version: int | str | None = None, use_cache: bool = True
    ) -> PromptVersion:
        """Load a prompt version, from the client-side cache when fresh.

        Args:
            name_or_uri: ``prompts:/name/3``, ``prompts:/name@alias``, ``prompts:/name@latest``
                or a bare name.
            version: With a bare name: the version number or an alias (None: latest).
            use_cache: Read from and fill the cache (see :class:`~ardea.prompts.PromptCache`).

        Raises:
            NotFoundError: No such prompt or version.
            InvalidArgumentError: A malformed reference, or an alias that is not set.
        """
        from ardea.prompts._registry import load_prompt_ref
        from ardea.prompts._uri import parse_prompt_ref

        ref = parse_prompt_ref(name_or_uri, version)
        cache = self.prompt_cache
        scope = self.tracking_uri
        if use_cache:
            hit = cache.get(scope, ref.key)
            if hit is not None:
                return hit
        loaded = load_prompt_ref(self.registry, ref)
        if use_cache:
            cache.put(scope, ref.key, loaded)
        return loaded

    def get_prompt(self, name: str) -> Prompt:
        """The prompt (name, description, tags, aliases); NotFoundError if none."""
        from ardea.prompts._registry import get_prompt

        return get_prompt(self.registry, name)

    def search_prompts(
        self,
        filter_string: str | None = None,
        max_results: int = 100,
        page_token: str | None = None,
    ) -> PagedList[Prompt]:
        """One page of prompts (never models) matching a registered-model filter."""
        from ardea.prompts._registry import search_prompts

        return search_prompts(self.registry, filter_string, max_results, page_token)

    def set_prompt_alias(self, name: str, alias: str, version: int | str) -> None:
        """Point ``alias`` of a prompt at a version."""
        from ardea.prompts._registry import set_prompt_alias

        set_prompt_alias(self.registry, name, alias, version)
        self._forget(name)

    def delete_prompt_alias(self, name: str, alias: str) -> None:
        """Remove an alias of a prompt."""
        from ardea.prompts._registry import delete_prompt_alias

        delete_prompt_alias(self.registry, name, alias)
        self._forget(name)

    def delete_prompt_version(self, name: str, version: int | str) -> None:
        """Delete one version of a prompt."""
        from ardea.prompts._registry import delete_prompt_version

        delete_prompt_version(self.registry, name, version)
        self._forget(name)

    def delete_prompt(self, name: str) -> None:
        """Delete a prompt with all its versions."""
        from ardea.prompts._registry import delete_prompt

        delete_prompt(self.registry, name)
        self._forget(name)

    def link_prompt_version_to_run(self, run_id: str, prompt: PromptVersion | str) -> None:
        """Record in the run's ``mlflow.linkedPrompts`` tag that it used this prompt version.

        Args:
            run_id: The run.
            prompt: A :class:`~ardea.prompts.PromptVersion` or a ``prompts:/`` URI.
        """
        from ardea.prompts._lineage import link_prompt_version_to_run

        version = self.load_prompt(prompt) if isinstance(prompt, str) else prompt
        link_prompt_version_to_run(self.store, run_id, [version])

    def link_prompt_versions_to_trace(
        self, trace_id: str, prompts: Sequence[PromptVersion | str]
    ) -> None:
        """Record in a stored trace's ``mlflow.linkedPrompts`` tag that it used these versions."""
        from ardea.prompts._lineage import link_prompt_versions_to_trace

        versions = [self.load_prompt(p) if isinstance(p, str) else p for p in prompts]
        link_prompt_versions_to_trace(self.trace_store, trace_id, versions)

    def get_prompt_lineage(self, name: str, version: int | str) -> PromptLineage:
        """The runs and traces (of all active experiments) that used a prompt version.

        Returns:
            A :class:`~ardea.prompts.PromptLineage` with ``runs`` and ``traces`` (ids).
        """
        from ardea.prompts._lineage import find_prompt_lineage

        self.load_prompt(name, str(version), use_cache=False)  # NotFoundError if missing
        if "ardea.tracing.provider" in sys.modules:  # read our own traces: export queued spans
            from ardea.tracing.provider import flush

            flush()
        return find_prompt_lineage(self.store, self.trace_store, name, version)
