"""Recognize LangGraph's runs among LangChain chain runs: graph nodes and internal plumbing.

LangGraph reports every node, and the machinery around it, as LangChain chain runs whose
callback metadata carries ``langgraph_node``, ``langgraph_step`` and ``langgraph_triggers``.
:func:`classify` tells the LangChain handler which run is a node (its span gets
``langgraph.node`` / ``langgraph.step`` / ``langgraph.triggers``), which is plumbing that
makes no span (channel writes, ``__start__``, a ``RunnableSequence`` inside a node, the
prebuilt agent's ``call_model`` body, which its node's span already describes: their children
hang from the node), and which is neither. :func:`graph_type` types a
graph's root span from the nodes it ran: ``AGENT`` for a prebuilt tool-calling agent
(``create_react_agent``, ``create_agent``: an ``agent``/``model`` node and a ``tools``
node), else ``CHAIN``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["HIDE", "NODE", "STEP", "TRIGGERS", "classify", "graph_type"]

NODE = "langgraph.node"
"""Span attribute: the node's name (on node spans)."""
STEP = "langgraph.step"
"""Span attribute: the superstep the node ran in."""
TRIGGERS = "langgraph.triggers"
"""Span attribute: the channels that triggered the node."""

HIDE: dict[str, Any] = {}
"""Returned by :func:`classify` for a run that makes no span (compare with ``is``)."""

_PLUMBING = frozenset({"__start__", "__end__", "ChannelWrite", "ChannelRead", "_write"})
_WRAPPERS = frozenset({"RunnableSequence", "RunnableSeq"})
_AGENT_MODEL_NODES = frozenset({"agent", "model"})
_PREBUILT_BODIES = frozenset({"call_model", "acall_model"})


def classify(
    name: str, tags: list[str] | None, metadata: Mapping[str, Any] | None, in_node: bool = False
) -> Any:
    """What a chain run is inside a LangGraph graph.

    Args:
        name: The run's name.
        tags: The run's tags (a node run has ``graph:step:<n>``).
        metadata: The run's callback metadata.
        in_node: Whether the parent run is a node run.

    Returns:
        :data:`HIDE` (make no span), a dict of node attributes (a node run), or ``None`` (a
        run LangGraph does not describe: the usual chain span).
    """
    node = metadata.get("langgraph_node") if metadata else None
    if not isinstance(node, str):
        return None
    if name in _PLUMBING or name.startswith("ChannelWrite"):
        return HIDE
    step = metadata.get("langgraph_step") if metadata else None
    if name == node and tags and f"graph:step:{step}" in tags:
        attrs: dict[str, Any] = {NODE: node}
        if isinstance(step, int):
            attrs[STEP] = step
        triggers = metadata.get("langgraph_triggers") if metadata else None
        if isinstance(triggers, list | tuple):
            attrs[TRIGGERS] = [str(t) for t in triggers]
        return attrs
    if name in _WRAPPERS or name.startswith("RunnableParallel<"):
        return HIDE
    if in_node and name in _PREBUILT_BODIES and tags and "seq:step:1" in tags:
        return HIDE  # the prebuilt agent's model node body: the node's span describes it
    return None


def graph_type(nodes: set[str]) -> str:
    """``AGENT`` for a graph that ran a model node and a ``tools`` node, else ``CHAIN``."""
    return "AGENT" if "tools" in nodes and nodes & _AGENT_MODEL_NODES else "CHAIN"
