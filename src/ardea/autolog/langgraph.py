"""LangGraph autologging: graphs as graph nodes, on top of LangChain autologging.

LangGraph runs its graphs through LangChain's callbacks, so ``ardea.langgraph.autolog()``
turns LangChain autologging on (:mod:`ardea.autolog.langchain`) and adds the node treatment:

- each node run is a ``CHAIN`` span named after the node, with ``langgraph.node``,
  ``langgraph.step`` and ``langgraph.triggers`` (from LangGraph's callback metadata);
- LangGraph's plumbing makes no span (channel writes, ``__start__``, a ``RunnableSequence`` or
  ``RunnableParallel`` inside a node): what runs inside hangs from the node's span;
- the graph's root span is ``AGENT`` for a prebuilt tool-calling agent
  (``create_react_agent``, LangChain's ``create_agent``: a model node and a ``tools`` node),
  ``CHAIN`` otherwise;
- chat models, tools and retrievers inside nodes are LangChain's ``CHAT_MODEL`` (tokens,
  cost), ``TOOL`` and ``RETRIEVER`` spans; conditional-edge functions are ``CHAIN`` spans.

``invoke``/``stream`` and their async forms alike. Supported: LangGraph 1.x (tested 1.2).
"""

from __future__ import annotations

import sys

__all__ = ["autolog", "is_enabled", "revert"]

_state = {"owns_langchain": False}


def autolog(disable: bool = False, log_traces: bool = True) -> None:
    """Turn LangGraph autologging on (or off with ``disable=True``).

    Args:
        disable: Stop the node treatment (and LangChain autologging if this turned it on).
        log_traces: Make spans (``False`` turns tracing off).
    """
    if disable or not log_traces:
        revert()
        return
    from ardea._core.safety import swallow_failures
    from ardea.autolog import langchain

    with swallow_failures("langgraph autolog (enabling LangChain tracing)"):
        if not langchain.is_enabled():
            langchain.autolog()
            _state["owns_langchain"] = True
    from ardea.autolog._langchain_handler import handler

    handler.langgraph = True


def revert() -> None:
    """Stop the node treatment; LangChain autologging stays on unless this turned it on."""
    module = sys.modules.get("ardea.autolog._langchain_handler")
    if module is not None:
        module.handler.langgraph = False
    if _state["owns_langchain"]:
        _state["owns_langchain"] = False
        from ardea.autolog import langchain

        langchain.revert()


def is_enabled() -> bool:
    """Whether LangGraph autologging (LangChain's tracing plus the node treatment) is on."""
    module = sys.modules.get("ardea.autolog._langchain_handler")
    return bool(module is not None and module.handler.enabled and module.handler.langgraph)
