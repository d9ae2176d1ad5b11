"""A Haystack ``Tracer`` whose spans are Ardea spans.

Haystack opens a span (``tracer.trace(operation, tags, parent_span)``) around each pipeline
run, component run, agent run, agent step, agent LLM call and agent tool call, and reports
inputs and outputs as *content tags*. This tracer turns each into an Ardea span of the right
type (from the operation and the component's class), always records the content tags as the
span's inputs and outputs (Haystack's own content-tracing switch is for third-party
backends), and reads the model, token usage and cost of generators and embedders from the
``meta`` of their outputs. Model spans are registered as framework LLM spans, so the OpenAI
SDK call a generator makes adds no second span when OpenAI autologging is on too.

Imported only by :func:`ardea.autolog.haystack.autolog` (it subclasses Haystack's classes).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from haystack.tracing.tracer import NullSpan, Span, Tracer

from ardea._core.safety import swallow_failures
from ardea.autolog._llm_call import (
    MODEL,
    PROVIDER,
    field,
    framework_llm_spans,
    positive_int,
    usage_attributes,
)
from ardea.tracing import keys
from ardea.tracing._serialize import dumps
from ardea.tracing.spans import LiveSpan, record_error, runtime

__all__ = ["ArdeaSpan", "ArdeaTracer"]

_WHAT = "haystack autolog"
_INPUT_SUFFIXES = (".input", ".input_data")
_OUTPUT_SUFFIXES = (".output", ".output_data")
_KEPT_TAGS = frozenset({
    "haystack.component.name", "haystack.component.type", "haystack.agent.max_steps",
    "haystack.agent.steps_taken", "haystack.tool.name", "haystack.tool.error",
    "haystack.pipeline.max_runs_per_component",
})  # fmt: skip
_MODEL_TYPES = frozenset({"CHAT_MODEL", "LLM", "EMBEDDING"})

_current: ContextVar[ArdeaSpan | None] = ContextVar("ardea_haystack_span", default=None)


def _component_type(class_name: str) -> str:
    """The span type of a component from its class name (Haystack's naming conventions)."""
    if class_name == "Agent":
        return "AGENT"
    if class_name.endswith("ChatGenerator"):
        return "CHAT_MODEL"
    if class_name.endswith("Generator"):
        return "LLM"
    if "Retriever" in class_name:
        return "RETRIEVER"
    if class_name.endswith("Embedder"):
        return "EMBEDDING"
    if "Ranker" in class_name:
        return "RERANKER"
    if class_name == "ToolInvoker":
        return "TOOL"
    return "CHAIN"


def _provider(class_name: str) -> str:
    """``openai`` for ``OpenAIChatGenerator``, ``azure-openai`` ... (empty when unknown)."""
    lowered = class_name.lower()
    for prefix, provider in (("azureopenai", "azure-openai"), ("openai", "openai"),
                             ("anthropic", "anthropic"), ("googlegenai", "gemini"),
                             ("ollama", "ollama"), ("mistral", "mistral")):  # fmt: skip
        if lowered.startswith(prefix):
            return provider
    return ""


def _name_and_type(operation: str, tags: dict[str, Any]) -> tuple[str, str]:
    if operation == "haystack.component.run":
        kind = str(tags.get("haystack.component.type") or "")
        return str(tags.get("haystack.component.name") or kind or operation), _component_type(kind)
    if operation == "haystack.pipeline.run":
        return "Pipeline.run", "CHAIN"
    if operation == "haystack.agent.run":
        return "Agent", "AGENT"
    if operation == "haystack.agent.step":
        return f"step {tags.get('haystack.agent.step', '')}".strip(), "CHAIN"
    if operation == "haystack.agent.step.llm":
        return "chat_generator", "CHAT_MODEL"
    if operation == "haystack.agent.step.tool":
        return str(tags.get("haystack.tool.name") or "tool"), "TOOL"
    return operation, "UNKNOWN"


def documents(docs: Any) -> list[dict[str, Any]]:
    """Haystack ``Document`` items as MLflow's retriever documents (score in the metadata)."""
    out = []
    for doc in docs or []:
        metadata = dict(getattr(doc, "meta", None) or {})
        score = getattr(doc, "score", None)
        if score is not None:
            metadata["score"] = score
        out.append({"page_content": getattr(doc, "content", None), "metadata": metadata,
                    "id": getattr(doc, "id", None)})  # fmt: skip
    return out


def _plain(value: Any, depth: int = 0) -> Any:
    """``value`` with Haystack dataclasses (``ChatMessage``, ``Document``) as their dicts."""
    if depth > 6:
        return value
    if isinstance(value, dict):
        return {k: _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1) for v in value]
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict) and type(value).__module__.startswith("haystack.dataclasses"):
        try:
            return to_dict()
        except Exception:
            return value
    return value


def _outputs(span_type: str, value: Any) -> Any:
    docs = value.get("documents") if isinstance(value, dict) else None
    if span_type in ("RETRIEVER", "RERANKER") and isinstance(docs, list):
        return documents(docs)
    if span_type == "EMBEDDING" and isinstance(value, dict) and "embedding" in value:
        vector = value.get("embedding")
        summary = {"dimensions": len(vector) if isinstance(vector, list) else None}
        return {**{k: v for k, v in value.items() if k != "embedding"}, "embedding": summary}
    return _plain(value)


def _model_attributes(outputs: Any, provider: str) -> dict[str, Any]:
    """Model, token usage and cost from the ``meta`` of replies (summed) or of an embedder."""
    if not isinstance(outputs, dict):
        return {}
    metas = [field(r, "meta") for r in outputs.get("replies") or []]
    if isinstance(outputs.get("meta"), dict):
        metas.append(outputs["meta"])
    model: str | None = None
    inp = out = total = cached = 0
    seen = False
    for meta in metas:
        if not isinstance(meta, dict):
            continue
        if isinstance(meta.get("model"), str):
            model = meta["model"]
        usage = meta.get("usage")
        if not isinstance(usage, dict):
            continue
        seen = True
        i = positive_int(usage.get("prompt_tokens")) or positive_int(usage.get("input_tokens"))
        o = positive_int(usage.get("completion_tokens")) or positive_int(usage.get("output_tokens"))
        inp, out = inp + i, out + o
        total += positive_int(usage.get("total_tokens")) or i + o
        details = usage.get("prompt_tokens_details")
        cached += positive_int(field(details, "cached_tokens"))
    attrs: dict[str, Any] = {MODEL: model} if model else {}
    if seen:
        attrs.update(usage_attributes(model, provider, inp, out, total, min(cached, inp)))
    return attrs


class ArdeaSpan(Span):
    """One Haystack span: an Ardea span plus the tags and content Haystack reports."""

    def __init__(self, span: Any, span_type: str, provider: str) -> None:
        self.otel_span = span
        self.span_type = span_type
        self.provider = provider
        self.inputs: Any = None
        self.outputs: Any = None
        self.tags: dict[str, Any] = {}

    def set_tag(self, key: str, value: Any) -> None:
        """Keep a tag (the few useful ones become span attributes at the end)."""
        self.tags[key] = value

    def set_content_tag(self, key: str, value: Any) -> None:
        """Record inputs and outputs whatever Haystack's content-tracing switch says."""
        if key.endswith(_INPUT_SUFFIXES):
            self.inputs = value
        elif key.endswith(_OUTPUT_SUFFIXES):
            self.outputs = value
        else:
            self.tags[key] = value

    def raw_span(self) -> Any:
        """The OpenTelemetry span."""
        return self.otel_span

    def get_correlation_data_for_logs(self) -> dict[str, Any]:
        """Trace and span ids for Haystack's log correlation."""
        ctx = self.otel_span.get_span_context()
        return {"trace_id": f"{ctx.trace_id:032x}", "span_id": f"{ctx.span_id:016x}"}

    def finish(self) -> None:
        """Write inputs, outputs, kept tags, model and usage onto the span."""
        live = LiveSpan(self.otel_span)
        if self.inputs is not None:
            live.set_inputs(_plain(self.inputs))
        live.set_outputs(_outputs(self.span_type, self.outputs))
        attrs = {k: v for k, v in self.tags.items() if k in _KEPT_TAGS}
        if self.span_type in _MODEL_TYPES:
            attrs.update(_model_attributes(self.outputs, self.provider))
        if attrs:
            live.set_attributes(attrs)


class ArdeaTracer(Tracer):
    """Haystack's tracer interface, answered with Ardea spans.

    Attributes:
        enabled: Whether new spans are recorded (off: spans are Haystack's no-op spans).
    """

    def __init__(self) -> None:
        self.enabled = True

    @contextlib.contextmanager
    def trace(
        self,
        operation_name: str,
        tags: dict[str, Any] | None = None,
        parent_span: Span | None = None,
    ) -> Iterator[Span]:
        """Open an Ardea span for ``operation_name`` (the current span while it runs)."""
        opened = self._open(operation_name, tags or {}, parent_span) if self.enabled else None
        if opened is None:
            yield _NULL
            return
        span, token, marker = opened
        rt = runtime()
        try:
            yield span
        except BaseException as exc:
            with swallow_failures(f"{_WHAT} (recording an error)"):
                span.finish()
                record_error(span.otel_span, exc)
            raise
        else:
            with swallow_failures(f"{_WHAT} (ending a span)"):
                span.finish()
                LiveSpan(span.otel_span).set_status("OK")
        finally:
            framework_llm_spans.discard(span.otel_span.get_span_context().span_id)
            _current.reset(marker)
            rt.detach(token)
            span.otel_span.end()

    def _open(
        self, operation: str, tags: dict[str, Any], parent_span: Span | None
    ) -> tuple[ArdeaSpan, Any, Any] | None:
        with swallow_failures(f"{_WHAT} (starting a span)"):
            rt = runtime()
            name, span_type = _name_and_type(operation, tags)
            kind = str(tags.get("haystack.component.type") or "")
            attrs = {keys.SPAN_TYPE: dumps(span_type)}
            provider = _provider(kind)
            if span_type in _MODEL_TYPES and provider:
                attrs[PROVIDER] = dumps(provider)
            if operation == "haystack.pipeline.run":
                attrs[keys.SPAN_INPUTS] = dumps(tags.get("haystack.pipeline.input_data"))
            parent = parent_span.otel_span if isinstance(parent_span, ArdeaSpan) else None
            context = rt.set_span_in_context(parent) if parent is not None else None
            otel_span = rt.get_tracer().start_span(name, context=context, attributes=attrs)
            span = ArdeaSpan(otel_span, span_type, provider)
            if span_type in ("CHAT_MODEL", "LLM"):
                framework_llm_spans.add(otel_span.get_span_context().span_id)
            token = rt.attach(rt.set_span_in_context(otel_span))
            return span, token, _current.set(span)
        return None

    def current_span(self) -> Span | None:
        """The innermost open span of this context, if any."""
        return _current.get()


_NULL = NullSpan()
