"""The LangChain callback handler that turns runs into nested Ardea spans.

One process-wide handler (:data:`handler`) receives every run's start and end. Each run
becomes a span whose parent is the span of its parent run (or, for a top-level run, the
current span), and is the current span while it runs (so ``@ardea.trace`` functions called
by a tool nest under it). Runs LangChain hides (tag ``langsmith:hidden``) make no span;
their children hang from the nearest visible ancestor. With LangGraph's node treatment on
(:attr:`ArdeaCallbackHandler.langgraph`, set by ``ardea.langgraph.autolog()``), graph nodes
carry ``langgraph.*`` attributes, LangGraph's plumbing runs are hidden the same way, and a
prebuilt agent's graph is an ``AGENT`` span (:mod:`ardea.autolog._langgraph_nodes`).
"""

from __future__ import annotations

import threading
from contextvars import ContextVar, Token
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler

from ardea._core import env
from ardea._core.safety import swallow_failures
from ardea.autolog import _langchain_parse as parse
from ardea.autolog import _langgraph_nodes as graph
from ardea.autolog._current_span import CurrentSpan
from ardea.autolog._llm_call import MODEL, PROVIDER, framework_llm_spans
from ardea.tracing import keys
from ardea.tracing._serialize import dumps
from ardea.tracing.spans import LiveSpan, record_error, runtime

__all__ = ["ArdeaCallbackHandler", "handler"]

_HIDDEN = "langsmith:hidden"


_attached: ContextVar[object | None] = ContextVar("ardea_langchain_attached", default=None)
"""Set beside each OTel attach: resetting it succeeds only in the context that attached."""


class _Run:
    __slots__ = ("current", "llm", "marker", "model", "provider", "span", "token")

    def __init__(
        self, current: CurrentSpan, token: Any, marker: Token[object | None], llm: bool,
        model: Any, provider: Any,
    ) -> None:  # fmt: skip
        self.current = current
        self.span = current.target
        self.token = token
        self.marker = marker
        self.llm = llm
        self.model = model if isinstance(model, str) else None
        self.provider = provider if isinstance(provider, str) else None


class ArdeaCallbackHandler(BaseCallbackHandler):
    """Turns chains, chat models, LLMs, tools and retrievers into Ardea spans.

    Attributes:
        enabled: Whether new runs make spans (runs already open still end their spans).
        langgraph: Whether LangGraph runs get the node treatment (see the module docstring).
    """

    run_inline = True  # called in the run's own context (async runs included)

    def __init__(self) -> None:
        super().__init__()
        self.enabled = False
        self.langgraph = False
        self._lock = threading.Lock()
        self._runs: dict[UUID, _Run] = {}
        self._hidden: dict[UUID, UUID | None] = {}
        self._graph_nodes: dict[UUID, set[str]] = {}  # graph run -> the nodes it ran
        self._node_runs: set[UUID] = set()  # open LangGraph node runs

    # A read-only property over the base class's plain attribute: LangChain only reads it.
    @property
    def raise_error(self) -> bool:  # type: ignore[override]
        """Under ``ARDEA_STRICT=1`` LangChain re-raises this handler's failures."""
        return env.strict()

    # ------------------------------------------------------------------ span bookkeeping

    def _parent_span(self, parent_run_id: UUID | None) -> Any:
        with self._lock:
            while parent_run_id is not None and parent_run_id in self._hidden:
                parent_run_id = self._hidden[parent_run_id]
            run = self._runs.get(parent_run_id) if parent_run_id is not None else None
        return run.span if run is not None else None

    def _start(
        self,
        run_id: UUID,
        parent_run_id: UUID | None,
        tags: list[str] | None,
        name: str,
        span_type: str,
        inputs: Any,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        if not self.enabled:
            return
        with swallow_failures("langchain autolog (starting a span)"):
            if (tags and _HIDDEN in tags) or attributes is graph.HIDE:
                with self._lock:
                    self._hidden[run_id] = parent_run_id
                return
            rt = runtime()
            parent = self._parent_span(parent_run_id)
            if parent is None:  # a root run: under the current span, unless that is a run
                parent = rt.get_current_span()
                while isinstance(parent, CurrentSpan):  # of another root (a batch sibling)
                    parent = parent.previous
            context = rt.set_span_in_context(parent)
            attrs = {keys.SPAN_TYPE: dumps(span_type), keys.SPAN_INPUTS: dumps(inputs)}
            attrs.update({k: _value(v) for k, v in (attributes or {}).items()})
            span = rt.get_tracer().start_span(name, context=context, attributes=attrs)
            current = CurrentSpan(span, rt.get_current_span())
            token = rt.attach(rt.set_span_in_context(current))
            marker = _attached.set(object())
            attributes = attributes or {}
            llm = span_type in ("CHAT_MODEL", "LLM")
            run = _Run(current, token, marker, llm, attributes.get(MODEL), attributes.get(PROVIDER))
            with self._lock:
                self._runs[run_id] = run
            if llm:
                framework_llm_spans.add(span.get_span_context().span_id)

    def _end(
        self,
        run_id: UUID,
        outputs: Any = None,
        error: BaseException | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        with self._lock:
            self._hidden.pop(run_id, None)
            run = self._runs.pop(run_id, None)
            nodes = self._graph_nodes.pop(run_id, None)
            self._node_runs.discard(run_id)
        if run is None:
            return
        try:
            with swallow_failures("langchain autolog (ending a span)"):
                self._detach(run)
                live = LiveSpan(run.span)
                if nodes:  # a LangGraph graph: typed from the nodes it ran
                    attributes = {**(attributes or {}), keys.SPAN_TYPE: graph.graph_type(nodes)}
                if attributes:
                    live.set_attributes(attributes)
                if error is not None and not isinstance(error, GeneratorExit):
                    record_error(run.span, error)
                else:
                    live.set_outputs(parse.outputs(outputs))
                    live.set_status("OK")
        finally:
            framework_llm_spans.discard(run.span.get_span_context().span_id)
            run.span.end()

    @staticmethod
    def _detach(run: _Run) -> None:
        # Detach only in the context that attached. A run ended from another one (a shielded
        # task, a generator closed by the garbage collector) cannot undo its attach: the
        # released proxy then stands for the previously current span there.
        run.current.release()
        try:
            _attached.reset(run.marker)
        except (ValueError, RuntimeError):
            return
        runtime().detach(run.token)

    def run_span(self, run_id: UUID) -> Any:
        """The open span of a run (an OTel SDK span), or None when the run makes none."""
        with self._lock:
            run = self._runs.get(run_id)
        return run.span if run is not None else None

    # ------------------------------------------------------------------ chains

    def on_chain_start(
        self,
        serialized: dict[str, Any] | None,
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Open a ``CHAIN`` span (LangGraph graphs and nodes are chains too)."""
        name = parse.run_name(serialized, kwargs, "chain")
        attrs = None
        if self.langgraph and metadata and self.enabled:
            with swallow_failures("langgraph autolog (reading a run)"):
                attrs = graph.classify(name, tags, metadata, parent_run_id in self._node_runs)
                if attrs and parent_run_id is not None:  # a node: its parent run is the graph
                    with self._lock:
                        self._graph_nodes.setdefault(parent_run_id, set()).add(name)
                        self._node_runs.add(run_id)
        self._start(run_id, parent_run_id, tags, name, "CHAIN", inputs, attrs)

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        """End a chain span with its outputs."""
        self._end(run_id, outputs)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        """End a chain span as ERROR."""
        self._end(run_id, error=error)

    # ------------------------------------------------------------------ models

    def on_chat_model_start(
        self,
        serialized: dict[str, Any] | None,
        messages: list[list[Any]],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Open a ``CHAT_MODEL`` span; inputs are the messages."""
        if not self.enabled:
            return
        name = parse.run_name(serialized, kwargs, "chat_model")
        attrs = parse.llm_start_attributes(metadata, kwargs)
        inputs = messages[0] if len(messages) == 1 else messages
        self._start(run_id, parent_run_id, tags, name, "CHAT_MODEL", inputs, attrs)

    def on_llm_start(
        self,
        serialized: dict[str, Any] | None,
        prompts: list[str],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Open an ``LLM`` span; inputs are the prompts."""
        if not self.enabled:
            return
        name = parse.run_name(serialized, kwargs, "llm")
        attrs = parse.llm_start_attributes(metadata, kwargs)
        self._start(run_id, parent_run_id, tags, name, "LLM", {"prompts": prompts}, attrs)

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        """End a model span with the result, model, token usage and cost."""
        with self._lock:
            run = self._runs.get(run_id)
        attrs: dict[str, Any] = {}
        if run is not None:
            with swallow_failures("langchain autolog (reading token usage)"):
                attrs = parse.llm_end_attributes(response, run.model, run.provider)
        self._end(run_id, response, attributes=attrs)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        """End a model span as ERROR."""
        self._end(run_id, error=error)

    # ------------------------------------------------------------------ tools, retrievers

    def on_tool_start(
        self,
        serialized: dict[str, Any] | None,
        input_str: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        inputs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Open a ``TOOL`` span; inputs are the tool arguments."""
        name = parse.run_name(serialized, kwargs, "tool")
        args = inputs if inputs is not None else input_str
        self._start(run_id, parent_run_id, tags, name, "TOOL", args)

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        """End a tool span with its output."""
        self._end(run_id, output)

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        """End a tool span as ERROR."""
        self._end(run_id, error=error)

    def on_retriever_start(
        self,
        serialized: dict[str, Any] | None,
        query: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Open a ``RETRIEVER`` span; inputs are the query."""
        name = parse.run_name(serialized, kwargs, "retriever")
        self._start(run_id, parent_run_id, tags, name, "RETRIEVER", {"query": query})

    def on_retriever_end(self, documents: Any, *, run_id: UUID, **kwargs: Any) -> None:
        """End a retriever span with the documents."""
        outputs = documents
        with swallow_failures("langchain autolog (reading documents)"):
            outputs = parse.documents(documents)
        self._end(run_id, outputs)

    def on_retriever_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        """End a retriever span as ERROR."""
        self._end(run_id, error=error)


def _value(value: Any) -> Any:
    """An attribute value: numbers as themselves (``langgraph.step``), the rest as JSON."""
    return value if isinstance(value, int | float) else dumps(value)


handler = ArdeaCallbackHandler()
"""The process-wide handler the configure hook adds to every LangChain run."""
