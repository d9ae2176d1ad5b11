"""Every :mod:`ardea.llm` call made inside a trace becomes a span of it.

:func:`observe_llm_call` is registered with :func:`ardea.llm.hooks.add_observer` when
``ardea.tracing`` is imported. A call made while a span is recording gets a child span
(``CHAT_MODEL`` or ``EMBEDDING``) with the OpenAI-shaped request as inputs, the answer as
outputs, ``mlflow.llm.model``/``mlflow.llm.provider``, ``mlflow.chat.tokenUsage`` and
``mlflow.llm.cost`` (the attributes autolog writes), and the OpenTelemetry GenAI attributes
(``gen_ai.operation.name``, ``gen_ai.provider.name``, ``gen_ai.request.model``,
``gen_ai.response.model``, ``gen_ai.usage.input_tokens``/``output_tokens``,
``gen_ai.response.finish_reasons``, ``gen_ai.response.id``). A call outside any trace makes
no span (it does not start a trace of its own). The request's credentials are never part
of what the observer sees.
"""

from __future__ import annotations

import sys
from typing import Any

from ardea.llm.hooks import CallInfo, EndCallback
from ardea.llm.usage import usage_attributes
from ardea.tracing import keys
from ardea.tracing._serialize import dumps
from ardea.tracing.spans import LiveSpan, record_error, runtime

__all__ = ["observe_llm_call"]

MODEL = "mlflow.llm.model"
PROVIDER = "mlflow.llm.provider"
STREAMED = "ardea.llm.stream"
"""True on the span of a streamed call."""
STREAM_PARTIAL = "ardea.llm.stream.partial"
"""True when the stream ended before its answer did (closed early, abandoned or failed): the
usage and cost recorded are what arrived until then."""
STREAM_USAGE_REPORTED = "ardea.llm.stream.usage_reported"
"""False when the provider reported no usage (the token counts are then zeros)."""
TIME_TO_FIRST_CHUNK = "ardea.llm.stream.time_to_first_chunk_s"
"""Seconds from the call to its first chunk."""


def _outputs(result: Any) -> Any:
    if hasattr(result, "vectors"):
        return {"data": [{"index": i, "dimensions": len(v)} for i, v in enumerate(result.vectors)]}
    message: dict[str, Any] = {"role": "assistant", "content": result.text}
    if result.tool_calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function",
             "function": {"name": c.name, "arguments": dumps(c.arguments)}}
            for c in result.tool_calls
        ]  # fmt: skip
    return {
        "id": result.request_id,
        "model": result.model,
        "choices": [{"index": 0, "message": message, "finish_reason": result.finish_reason}],
    }


def observe_llm_call(info: CallInfo) -> EndCallback | None:
    """Open a span for an LLM call made inside a recording span; ``None`` otherwise."""
    if "opentelemetry.trace" not in sys.modules:  # no span was ever opened in this process
        return None
    rt = runtime()
    if not rt.get_current_span().is_recording():
        return None
    embeddings = info.operation == "embeddings"
    attrs = {
        keys.SPAN_TYPE: dumps("EMBEDDING" if embeddings else "CHAT_MODEL"),
        MODEL: dumps(info.model),
        PROVIDER: dumps(info.provider),
    }
    name = f"{info.provider}.{'embeddings' if embeddings else 'chat'}"
    otel_span = rt.get_tracer().start_span(name, attributes=attrs)
    otel_span.set_attributes({
        "gen_ai.operation.name": info.operation,
        "gen_ai.provider.name": info.provider,
        "gen_ai.request.model": info.model,
    })  # fmt: skip
    span = LiveSpan(otel_span)
    span.set_inputs(info.inputs)

    def end(result: Any, error: BaseException | None) -> None:
        try:
            if result is not None:
                _record_result(result)
            if error is not None:
                record_error(otel_span, error)
            else:
                span.set_status("OK")
        finally:
            otel_span.end()

    def _record_result(result: Any) -> None:
        if hasattr(result, "partial"):  # a stream: partial when it did not reach its end
            otel_span.set_attributes({
                STREAMED: True,
                STREAM_PARTIAL: bool(result.partial),
                STREAM_USAGE_REPORTED: bool(result.usage_reported),
            })  # fmt: skip
            if result.time_to_first_chunk_s is not None:
                otel_span.set_attribute(TIME_TO_FIRST_CHUNK, float(result.time_to_first_chunk_s))
        usage = result.usage
        model = result.model or info.model
        span.set_outputs(_outputs(result))
        if not getattr(result, "usage_reported", True):  # no counts rather than zeros
            span.set_attributes({MODEL: model})
            otel_span.set_attribute("gen_ai.response.model", model)
            return
        extra = usage_attributes(
            model, info.provider, usage.input_tokens, usage.output_tokens,
            cached_input_tokens=usage.cached_input_tokens,
            cache_write_input_tokens=usage.cache_write_input_tokens,
        )  # fmt: skip
        if result.cost is not None:  # the client's price (its provider's table section)
            extra["mlflow.llm.cost"] = {
                "input_cost": result.cost.input_cost,
                "output_cost": result.cost.output_cost,
                "total_cost": result.cost.total_cost,
            }
        else:
            extra.pop("mlflow.llm.cost", None)
        span.set_attributes({MODEL: model, **extra})
        gen_ai: dict[str, Any] = {
            "gen_ai.response.model": model,
            "gen_ai.usage.input_tokens": usage.input_tokens,
            "gen_ai.usage.output_tokens": usage.output_tokens,
        }
        if getattr(result, "finish_reason", None):
            gen_ai["gen_ai.response.finish_reasons"] = [result.finish_reason]
        if result.request_id:
            gen_ai["gen_ai.response.id"] = result.request_id
        otel_span.set_attributes(gen_ai)

    return end
