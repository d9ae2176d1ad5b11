"""Haystack autologging: pipelines, components, agents and tool calls become spans.

``ardea.haystack.autolog()`` installs an Ardea tracer through Haystack's tracing API
(``haystack.tracing.enable_tracing``): ``Pipeline.run`` / ``run_async``
(``CHAIN``) and each component run become nested spans typed from the component's class:
chat generators ``CHAT_MODEL`` and generators ``LLM`` (with ``mlflow.llm.model``,
``mlflow.llm.provider``, ``mlflow.chat.tokenUsage`` and ``mlflow.llm.cost`` from the replies'
``meta``), retrievers ``RETRIEVER`` (documents as outputs), embedders ``EMBEDDING``, rankers
``RERANKER``, ``ToolInvoker`` ``TOOL`` and ``Agent`` ``AGENT`` (its steps ``CHAIN``, its LLM
calls ``CHAT_MODEL``, its tool calls ``TOOL``). Inputs and outputs are always recorded,
whatever ``HAYSTACK_CONTENT_TRACING_ENABLED`` says. A streamed generator run
(``streaming_callback``) is one span covering the whole stream; async pipelines nest the
same way. The OpenAI SDK call a generator makes adds no second span when OpenAI autologging
is on too. Tested with haystack-ai 3.4 (supported: 2.10 and later).

``revert()`` puts back the tracer that was installed before.
"""

from __future__ import annotations

import threading
from typing import Any

from ardea._core.safety import report_failure

__all__ = ["autolog", "is_enabled", "revert"]

_lock = threading.Lock()
_installed: dict[str, Any] = {}


def autolog(disable: bool = False, log_traces: bool = True) -> None:
    """Turn Haystack autologging on (or off with ``disable=True``).

    Args:
        disable: Put back the previous tracer instead.
        log_traces: Make spans (``False`` turns tracing off).
    """
    if disable or not log_traces:
        revert()
        return
    try:
        import importlib

        from ardea.autolog._haystack_tracer import ArdeaTracer

        tracing = importlib.import_module("haystack.tracing.tracer")
        with _lock:
            if "tracer" in _installed:
                return
            previous = tracing.tracer.actual_tracer
            ours = ArdeaTracer()
            tracing.enable_tracing(ours)
            _installed.update(tracer=ours, previous=previous)
    except Exception as exc:
        report_failure("haystack autolog (installing the tracer)", exc)


def revert() -> None:
    """Stop tracing Haystack: the tracer installed before autolog is put back."""
    import sys

    with _lock:
        ours = _installed.pop("tracer", None)
        previous = _installed.pop("previous", None)
    if ours is None:
        return
    ours.enabled = False
    tracing = sys.modules.get("haystack.tracing.tracer")
    if tracing is not None and tracing.tracer.actual_tracer is ours:
        tracing.tracer.actual_tracer = previous


def is_enabled() -> bool:
    """Whether Haystack autologging is on."""
    return "tracer" in _installed
