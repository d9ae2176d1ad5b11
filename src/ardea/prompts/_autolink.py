"""Automatic lineage: a prompt formatted inside an active run or trace is linked to it.

Only the fluent API's context counts: its active run (read from :mod:`ardea._core.context`)
and the tracing SDK's current trace (only when tracing is already loaded: formatting a prompt
never imports it). The run link is written through the hook the fluent API registers with
:func:`set_run_linker` (there is no active run without it); it is one tag write per (run,
prompt version), remembered in this process. The trace link merges into the open trace's
tags, which are written with the trace. Failures are logged, never raised: formatting must
not fail because lineage could not be recorded.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from typing import Any, Protocol

from ardea._core import context
from ardea.prompts._constants import LINKED_PROMPTS_TAG
from ardea.prompts._lineage import merge_linked_prompts

__all__ = ["LinkedPrompt", "RunLinker", "link_on_use", "set_run_linker"]

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_linked_runs: set[tuple[str, str, int]] = set()
_MAX_REMEMBERED = 10_000


class LinkedPrompt(Protocol):
    """What linking needs of a prompt version (:class:`~ardea.prompts.PromptVersion` has it)."""

    @property
    def name(self) -> str:
        """The prompt's name."""
        ...

    @property
    def version(self) -> int:
        """The version number."""
        ...

    @property
    def uri(self) -> str:
        """``prompts:/<name>/<version>``."""
        ...


RunLinker = Callable[[str, Any], None]
"""Records that run ``run_id`` used a prompt version (the fluent API's client writes the tag)."""

_run_linker: RunLinker | None = None


def set_run_linker(linker: RunLinker | None) -> None:
    """Register how a prompt version is linked to the active run (the fluent API does)."""
    global _run_linker
    _run_linker = linker


def _link_run(run_id: str, prompt: LinkedPrompt) -> None:
    key = (run_id, prompt.name, prompt.version)
    with _lock:
        if key in _linked_runs:
            return
    linker = _run_linker
    if linker is None:
        return
    linker(run_id, prompt)
    with _lock:
        if len(_linked_runs) >= _MAX_REMEMBERED:
            _linked_runs.clear()
        _linked_runs.add(key)


def _link_trace(prompt: LinkedPrompt) -> None:
    if "ardea.tracing.context" not in sys.modules:
        return
    from ardea.tracing.context import current_meta, registry

    meta = current_meta()
    if meta is None:
        return
    with registry.lock:
        merged = merge_linked_prompts(
            meta.tags.get(LINKED_PROMPTS_TAG), [(prompt.name, prompt.version)]
        )
        if merged is not None:
            meta.tags[LINKED_PROMPTS_TAG] = merged


def link_on_use(prompt: LinkedPrompt) -> None:
    """Link ``prompt`` to the active run and the current trace, if there are any."""
    try:
        run_id = context.active_run_id()
        if run_id is not None:
            _link_run(run_id, prompt)
        _link_trace(prompt)
    except Exception as exc:  # lineage is best effort; formatting must succeed
        logger.warning(
            "Ardea: could not link prompt %s to the active run/trace: %s", prompt.uri, exc
        )
