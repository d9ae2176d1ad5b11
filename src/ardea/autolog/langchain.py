"""LangChain autologging: chains, chat models, LLMs, tools and retrievers become spans.

``ardea.langchain.autolog()`` registers one callback handler with langchain-core's configure
hook, so every run gets it without passing ``callbacks=``: LangChain Expression Language
chains, agents and LangGraph graphs (which run as chains) become nested spans of types
``CHAIN``, ``CHAT_MODEL``, ``LLM``, ``TOOL`` and ``RETRIEVER``, with inputs, outputs and, on
model spans, ``mlflow.llm.model``, ``mlflow.llm.provider``, ``mlflow.chat.tools``,
``mlflow.chat.tokenUsage`` and ``mlflow.llm.cost``. Provider SDK calls made by a traced chat
model (``ChatOpenAI`` calling ``openai``) make no second span when OpenAI autologging is on
too. Handler errors are logged and swallowed (raised under ``ARDEA_STRICT=1``). During
``ardea.replay`` recorded chat model answers are served in place of the provider
(:mod:`ardea.autolog._langchain_replay`).
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["autolog", "is_enabled", "revert"]

_lock = threading.Lock()
_registered = False


class _HandlerSlot:
    """What langchain-core's configure hook reads: the handler while autolog is on, else None.

    A plain object rather than a ``ContextVar``, so every thread and task sees the same value.
    """

    def get(self) -> Any:
        """The handler to add to each run's callbacks, or None."""
        from ardea.autolog._langchain_handler import handler

        return handler if handler.enabled else None


def autolog(disable: bool = False, log_traces: bool = True) -> None:
    """Turn LangChain autologging on (or off with ``disable=True``).

    Args:
        disable: Stop tracing instead.
        log_traces: Make spans (``False`` turns tracing off).
    """
    global _registered
    if disable or not log_traces:
        revert()
        return
    from langchain_core.tracers.context import register_configure_hook

    from ardea.autolog import _langchain_replay
    from ardea.autolog._langchain_handler import handler

    _langchain_replay.patch()
    with _lock:
        if not _registered:
            # Not a ContextVar but duck-typed as one: langchain-core only calls its get().
            register_configure_hook(_HandlerSlot(), True)  # type: ignore[arg-type]
            _registered = True
        handler.enabled = True


def revert() -> None:
    """Stop tracing LangChain runs (the configure hook then adds nothing)."""
    import sys

    module = sys.modules.get("ardea.autolog._langchain_handler")
    if module is not None:
        module.handler.enabled = False
    replay = sys.modules.get("ardea.autolog._langchain_replay")
    if replay is not None:
        replay.revert()


def is_enabled() -> bool:
    """Whether LangChain autologging is on."""
    import sys

    module = sys.modules.get("ardea.autolog._langchain_handler")
    return bool(module is not None and module.handler.enabled)
