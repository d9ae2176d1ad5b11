"""LlamaIndex autologging: query engines, retrievers, LLMs, embeddings, tools and agents.

``ardea.llama_index.autolog()`` adds a span handler and an event handler to LlamaIndex's root
instrumentation dispatcher (:mod:`llama_index.core.instrumentation`), so every instrumented
call becomes a nested span: query engines and synthesizers (``CHAIN``), retrievers
(``RETRIEVER``, the retrieved nodes as documents), LLM chat and completion calls
(``CHAT_MODEL`` / ``LLM`` with ``mlflow.llm.model``, ``mlflow.llm.provider``,
``mlflow.chat.tokenUsage`` and ``mlflow.llm.cost``), embeddings (``EMBEDDING``), node
postprocessors such as rerankers (``RERANKER``), tools (``TOOL``, named after the tool) and
workflows and workflow agents such as ``FunctionAgent`` (``AGENT``; their steps are
``CHAIN`` spans). Nothing is monkeypatched: LlamaIndex's dispatcher reports all of it.

Streaming: a streamed LLM call's span stays open until the stream has been read; a query
engine's ``StreamingResponse`` keeps the query span open until its ``response_gen`` is
exhausted. Async calls and workflows nest the same way. Provider SDK calls made by a traced
LLM (``llama_index.llms.openai`` calling ``openai``) make no second span when OpenAI
autologging is on too. Tested with llama-index-core 0.14 (supported: 0.12 to 0.14).
"""

from __future__ import annotations

import threading
from typing import Any

from ardea._core.safety import report_failure

__all__ = ["autolog", "is_enabled", "revert"]

_lock = threading.Lock()
_handlers: list[Any] = []


def autolog(disable: bool = False, log_traces: bool = True) -> None:
    """Turn LlamaIndex autologging on (or off with ``disable=True``).

    The handlers are added to the root dispatcher once; a LlamaIndex whose instrumentation
    API changed shape is reported (a warning, once) and left untraced.

    Args:
        disable: Stop tracing instead.
        log_traces: Make spans (``False`` turns tracing off).
    """
    if disable or not log_traces:
        revert()
        return
    try:
        from ardea.autolog import _llama_index_handler as handler

        with _lock:
            if not _handlers:
                from llama_index_instrumentation import get_dispatcher

                root = get_dispatcher()
                spans, events = handler.ArdeaSpanHandler(), handler.ArdeaEventHandler()
                root.add_span_handler(spans)
                root.add_event_handler(events)
                _handlers.extend((spans, events))
    except Exception as exc:
        report_failure("llama_index autolog (adding the dispatcher handlers)", exc)
        return
    handler.state.enabled = True


def revert() -> None:
    """Stop tracing LlamaIndex (the handlers stay registered but make no spans)."""
    import sys

    module = sys.modules.get("ardea.autolog._llama_index_handler")
    if module is not None:
        module.state.enabled = False


def is_enabled() -> bool:
    """Whether LlamaIndex autologging is on."""
    import sys

    module = sys.modules.get("ardea.autolog._llama_index_handler")
    return bool(module is not None and module.state.enabled)
