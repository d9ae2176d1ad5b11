"""LlamaIndex instrumentation handlers that turn dispatcher spans and events into Ardea spans.

One span handler and one event handler sit on LlamaIndex's root dispatcher. Each dispatcher
span (``RetrieverQueryEngine.query``, ``VectorIndexRetriever.retrieve``, ``OpenAI.chat``, a
workflow run or step, ...) becomes an Ardea span whose parent is the span of its LlamaIndex
parent (else the current span); it is the current span while it runs, so provider SDK calls
and ``@ardea.trace`` functions nest under it. Events fill in what spans lack: model, token
usage and cost of LLM calls, retrieved nodes. A streamed LLM call's span stays open until
its end event (the stream was read); a query engine's streamed response keeps its span open
until its generator is exhausted.

Imported only by :func:`ardea.autolog.llama_index.autolog` (it subclasses LlamaIndex's base
classes).
"""

from __future__ import annotations

import inspect
import threading
import weakref
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar
from typing import Any

from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.span_handlers import BaseSpanHandler

from ardea._core.safety import swallow_failures
from ardea.autolog import _llama_index_parse as parse
from ardea.autolog._current_span import CurrentSpan
from ardea.autolog._llm_call import COST, MODEL, TOKEN_USAGE, framework_llm_spans
from ardea.tracing import keys
from ardea.tracing._serialize import dumps
from ardea.tracing.spans import LiveSpan, record_error, runtime

__all__ = ["ArdeaEventHandler", "ArdeaSpanHandler", "state"]

_WHAT = "llama_index autolog"
_CHAT_METHODS = frozenset({"chat", "achat", "stream_chat", "astream_chat"})
_COMPLETE_METHODS = frozenset({"complete", "acomplete", "stream_complete", "astream_complete"})

_attached: ContextVar[object | None] = ContextVar("ardea_llama_index_attached", default=None)


class _Open:
    """One open span and what is needed to end it."""

    __slots__ = ("current", "ended", "inner_llm", "llm", "mark", "marker", "model", "partial",
                 "provider", "span", "streaming", "token")  # fmt: skip

    def __init__(self, span: Any, current: CurrentSpan, token: Any) -> None:
        self.span = span
        self.current = current
        self.token = token
        self.mark = object()
        self.marker = _attached.set(self.mark)
        self.llm = False
        self.model: str | None = None
        self.provider = ""
        self.streaming = False
        self.partial: Any = None
        self.ended = False
        self.inner_llm = False  # an LLM span inside this one reports the usage


class _State:
    """Open spans by LlamaIndex span id, shared by the two handlers."""

    def __init__(self) -> None:
        self.enabled = False
        self.lock = threading.Lock()
        self.open: dict[str, _Open] = {}


state = _State()
"""The process-wide state of the handlers (``enabled`` is flipped by autolog/revert)."""


def _classify(instance: Any, name: str) -> str:
    """The span type of a dispatcher span from its instance's class and method name."""
    method = name.rpartition(".")[2]
    for cls in type(instance).__mro__ if instance is not None else ():
        kind = cls.__name__
        if kind == "BaseLLM" or kind == "MultiModalLLM":
            if method in _CHAT_METHODS:
                return "CHAT_MODEL"
            return "LLM" if method in _COMPLETE_METHODS else "CHAIN"
        if kind == "BaseRetriever":
            return "RETRIEVER"
        if kind in ("BaseEmbedding", "BaseSparseEmbedding"):
            return "EMBEDDING"
        if kind == "BaseNodePostprocessor":
            return "RERANKER"
        if kind == "BaseTool":
            return "TOOL"
        if kind in ("Workflow", "BaseAgent", "BaseWorkflowAgent", "AgentRunner"):
            return "AGENT"
    return "CHAIN"


def _start(
    id_: str, bound_args: Any, instance: Any, parent_id: str | None, tags: dict[str, Any] | None
) -> None:
    rt = runtime()
    with state.lock:
        parent_open = state.open.get(parent_id) if parent_id else None
    parent = parent_open.span if parent_open is not None else rt.get_current_span()
    name = parse.span_name(id_)
    span_type = _classify(instance, name)
    if span_type == "TOOL":
        name = str(getattr(getattr(instance, "metadata", None), "name", None) or name)
    if span_type == "AGENT" and name.endswith(".run") and bound_args is not None:
        inputs: Any = bound_args.arguments.get("start_event")
    else:
        inputs = parse.inputs(bound_args)
    attrs = {keys.SPAN_TYPE: dumps(span_type), keys.SPAN_INPUTS: dumps(inputs)}
    if tags:
        attrs.update({str(k): dumps(v) for k, v in tags.items()})
    span = rt.get_tracer().start_span(
        name, context=rt.set_span_in_context(parent), attributes=attrs
    )
    current = CurrentSpan(span, rt.get_current_span())
    token = rt.attach(rt.set_span_in_context(current))
    entry = _Open(span, current, token)
    if span_type in ("CHAT_MODEL", "LLM", "EMBEDDING"):
        entry.provider = parse.provider(instance)
    if span_type in ("CHAT_MODEL", "LLM"):
        entry.llm = True
        if parent_open is not None and parent_open.llm:
            parent_open.inner_llm = True  # chat() implemented by complete(): count tokens once
        framework_llm_spans.add(span.get_span_context().span_id)
    with state.lock:
        state.open[id_] = entry


def _detach(entry: _Open) -> None:
    # Only the context that attached can detach, and only while no later attach sits on top;
    # otherwise (a future's callback, a stream read later) the released proxy stays behind,
    # standing for the previously current span.
    entry.current.release()
    if _attached.get() is not entry.mark:
        return
    try:
        _attached.reset(entry.marker)
    except (ValueError, RuntimeError):
        return
    runtime().detach(entry.token)


def _finish(entry: _Open, outputs: Any = None, error: BaseException | None = None) -> None:
    if entry.ended:
        return
    entry.ended = True
    try:
        with swallow_failures(f"{_WHAT} (ending a span)"):
            if error is not None:
                record_error(entry.span, error)
            else:
                live = LiveSpan(entry.span)
                live.set_outputs(parse.outputs(outputs))
                live.set_status("OK")
    finally:
        framework_llm_spans.discard(entry.span.get_span_context().span_id)
        entry.span.end()


def _is_stream(result: Any) -> bool:
    return inspect.isgenerator(result) or inspect.isasyncgen(result)


def _exit(id_: str, result: Any) -> None:
    with state.lock:
        entry = state.open.get(id_)
        if entry is None:
            return
        if entry.llm and _is_stream(result):
            # Ended by the LLM's end event once the stream was read. It stays the current
            # span meanwhile: the provider request is only sent on the first read. A stream
            # dropped before its end ends the span when it is garbage-collected.
            entry.streaming = True
            weakref.finalize(result, _abandon, id_)
            return
        del state.open[id_]
    _detach(entry)
    if _wrap_streaming_response(entry, result):
        return
    _finish(entry, result)


def _wrap_streaming_response(entry: _Open, result: Any) -> bool:
    """Keep a query engine's span open until its ``StreamingResponse`` has been read."""
    gen = getattr(result, "response_gen", None)
    kind = type(result).__name__
    if kind == "StreamingResponse" and inspect.isgenerator(gen):
        result.response_gen = _traced_gen(entry, gen, result.source_nodes)
    elif kind == "AsyncStreamingResponse" and inspect.isasyncgen(gen):
        result.response_gen = _traced_agen(entry, gen, result.source_nodes)
    else:
        return False
    # A response never read ends its span when it is garbage-collected.
    weakref.finalize(result.response_gen, _finish, entry)
    return True


def _traced_gen(entry: _Open, gen: Iterator[Any], nodes: Any) -> Iterator[Any]:
    """``gen``, read with the query's span current (the LLM call happens on the first read)."""
    rt = runtime()
    pieces: list[str] = []
    while True:
        token = rt.attach(rt.set_span_in_context(entry.span))
        try:
            piece = next(gen)
        except StopIteration:
            break
        except BaseException as exc:
            _finish(entry, error=exc)
            raise
        finally:
            rt.detach(token)
        if isinstance(piece, str):
            pieces.append(piece)
        try:
            yield piece
        except GeneratorExit:
            _finish(entry, {"response": "".join(pieces)})
            raise
    _finish(entry, _streamed(pieces, nodes))


async def _traced_agen(entry: _Open, agen: AsyncIterator[Any], nodes: Any) -> AsyncIterator[Any]:
    """The async twin of :func:`_traced_gen`."""
    rt = runtime()
    pieces: list[str] = []
    while True:
        token = rt.attach(rt.set_span_in_context(entry.span))
        try:
            piece = await agen.__anext__()
        except StopAsyncIteration:
            break
        except BaseException as exc:
            _finish(entry, error=exc)
            raise
        finally:
            rt.detach(token)
        if isinstance(piece, str):
            pieces.append(piece)
        try:
            yield piece
        except GeneratorExit:
            _finish(entry, {"response": "".join(pieces)})
            raise
    _finish(entry, _streamed(pieces, nodes))


def _streamed(pieces: list[str], nodes: Any) -> Any:
    docs: Any = None
    with swallow_failures(f"{_WHAT} (reading a stream)"):
        docs = parse.documents(nodes)
    return {"response": "".join(pieces), "source_nodes": docs}


def _abandon(id_: str) -> None:
    """A stream was dropped unread or half-read: end its span with what arrived."""
    with state.lock:
        entry = state.open.pop(id_, None)
    if entry is not None:
        with swallow_failures(f"{_WHAT} (ending an abandoned stream)"):
            _detach(entry)
            _finish(entry, entry.partial)


def _drop(id_: str, err: BaseException | None) -> None:
    with state.lock:
        entry = state.open.pop(id_, None)
    if entry is None:
        return
    _detach(entry)
    _finish(entry, error=err or RuntimeError("span dropped"))


class ArdeaSpanHandler(BaseSpanHandler[Any]):
    """Opens an Ardea span on each dispatcher span enter; ends it on exit or drop."""

    @classmethod
    def class_name(cls) -> str:
        """Name LlamaIndex shows for this handler."""
        return "ArdeaSpanHandler"

    def span_enter(
        self,
        id_: str,
        bound_args: inspect.BoundArguments,
        instance: Any | None = None,
        parent_id: str | None = None,
        tags: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Open the span of ``id_``."""
        if state.enabled:
            with swallow_failures(f"{_WHAT} (starting a span)"):
                _start(id_, bound_args, instance, parent_id, tags)

    def span_exit(
        self,
        id_: str,
        bound_args: inspect.BoundArguments,
        instance: Any | None = None,
        result: Any | None = None,
        **kwargs: Any,
    ) -> None:
        """End the span of ``id_`` with its result (a stream keeps it open)."""
        with swallow_failures(f"{_WHAT} (ending a span)"):
            _exit(id_, result)

    def span_drop(
        self,
        id_: str,
        bound_args: inspect.BoundArguments,
        instance: Any | None = None,
        err: BaseException | None = None,
        **kwargs: Any,
    ) -> None:
        """End the span of ``id_`` as ERROR."""
        with swallow_failures(f"{_WHAT} (ending a span)"):
            _drop(id_, err)

    def new_span(self, *args: Any, **kwargs: Any) -> None:
        """Unused: :meth:`span_enter` keeps its own state."""
        return None

    def prepare_to_exit_span(self, *args: Any, **kwargs: Any) -> None:
        """Unused: :meth:`span_exit` keeps its own state."""
        return None

    def prepare_to_drop_span(self, *args: Any, **kwargs: Any) -> None:
        """Unused: :meth:`span_drop` keeps its own state."""
        return None


class ArdeaEventHandler(BaseEventHandler):
    """Adds model, token usage, cost and retrieved nodes to the spans the events belong to."""

    @classmethod
    def class_name(cls) -> str:
        """Name LlamaIndex shows for this handler."""
        return "ArdeaEventHandler"

    def handle(self, event: Any, **kwargs: Any) -> None:
        """Record what ``event`` says on its span."""
        span_id = getattr(event, "span_id", None)
        if not span_id or not state.open:
            return
        with state.lock:
            entry = state.open.get(span_id)
        if entry is None:
            return
        with swallow_failures(f"{_WHAT} (reading an event)"):
            _on_event(type(event).__name__, event, entry, span_id)


def _on_event(kind: str, event: Any, entry: _Open, span_id: str) -> None:
    live = LiveSpan(entry.span)
    if kind in ("LLMChatStartEvent", "LLMCompletionStartEvent", "EmbeddingStartEvent"):
        attrs = parse.llm_attributes(getattr(event, "model_dict", None), entry.provider)
        entry.model = attrs.get(MODEL)
        live.set_attributes(attrs)
    elif kind in ("LLMChatEndEvent", "LLMCompletionEndEvent"):
        response = getattr(event, "response", None)
        attrs = parse.usage(response, entry.model, entry.provider)
        if entry.inner_llm:
            attrs = {k: v for k, v in attrs.items() if k not in (TOKEN_USAGE, COST)}
        live.set_attributes(attrs)
        if entry.streaming:
            with state.lock:
                state.open.pop(span_id, None)
            _detach(entry)
            _finish(entry, response)
    elif kind == "LLMChatInProgressEvent" or kind == "LLMCompletionInProgressEvent":
        entry.partial = getattr(event, "response", None)
    elif kind == "ExceptionEvent" and entry.streaming:
        with state.lock:
            state.open.pop(span_id, None)
        _detach(entry)
        _finish(entry, error=getattr(event, "exception", None) or RuntimeError("stream failed"))
