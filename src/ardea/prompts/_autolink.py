"""Automatic lineage: a prompt formatted inside an active run or trace is linked to it.

Only the fluent API's context counts (its active run, the tracing SDK's current trace), and
only when those modules are already loaded: formatting a prompt never imports them. The run
link is one tag write per (run, prompt version), remembered in this process; the trace link
merges into the open trace's tags, which are written with the trace. Failures are logged,
never raised: formatting must not fail because lineage could not be recorded.
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import TYPE_CHECKING

from ardea.prompts._constants import LINKED_PROMPTS_TAG
from ardea.prompts._lineage import merge_linked_prompts

if TYPE_CHECKING:
    from ardea.prompts._entities import PromptVersion

__all__ = ["link_on_use"]

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_linked_runs: set[tuple[str, str, int]] = set()
_MAX_REMEMBERED = 10_000


def _active_run_id() -> str | None:
    if "ardea.fluent._runs" not in sys.modules:
        return None
    from ardea.fluent._runs import active_run

    run = active_run()
    return run.info.run_id if run is not None else None


def _link_run(run_id: str, prompt: PromptVersion) -> None:
    key = (run_id, prompt.name, prompt.version)
    with _lock:
        if key in _linked_runs:
            return
    from ardea.fluent._state import get_client

    get_client().link_prompt_version_to_run(run_id, prompt)
    with _lock:
        if len(_linked_runs) >= _MAX_REMEMBERED:
            _linked_runs.clear()
        _linked_runs.add(key)


def _link_trace(prompt: PromptVersion) -> None:
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


def link_on_use(prompt: PromptVersion) -> None:
    """Link ``prompt`` to the active run and the current trace, if there are any."""
    try:
        run_id = _active_run_id()
        if run_id is not None:
            _link_run(run_id, prompt)
        _link_trace(prompt)
    except Exception as exc:  # lineage is best effort; formatting must succeed
        logger.warning(
            "Ardea: could not link prompt %s to the active run/trace: %s", prompt.uri, exc
        )
