"""What one gateway request leaves behind, and the caller's ``traceparent``.

A record is plain data: the request path fills it, the trace recorder queues it, and the
trace writer (in this process or in its own, :mod:`ardea.gateway.trace_process`) turns it
into a trace. It pickles, so it can cross to the writer process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["GatewayRecord", "trace_parent"]


@dataclass(slots=True)
class GatewayRecord:
    """What one gateway request leaves behind.

    Attributes:
        experiment_id: The endpoint's experiment.
        endpoint_id: The endpoint's id.
        endpoint: The endpoint's name.
        request_type: MLflow's request type (``unified/chat``, ``passthrough/model/...``).
        caller: ``X-MLflow-Gateway-Caller``, else the User-Agent's product token.
        user: The authenticated user's name, if any.
        user_id: The authenticated user's id, if any.
        key_id: The API key (token) id, if the caller used one.
        provider: The provider of the target that answered (or was tried last).
        model: Its model.
        start_ns: Wall-clock start (epoch ns).
        end_ns: Wall-clock end (epoch ns).
        status: The HTTP status answered.
        error: The error message, if any.
        stream: Whether the answer was streamed.
        ttft_ms: Time to the first chunk (streams), ms.
        input_tokens: Prompt tokens.
        output_tokens: Completion tokens.
        cost: USD cost, None when unpriced.
        cache_hit: Served from the response cache.
        attempts: Targets tried (1 + fallbacks).
        overhead_ms: The gateway's own time.
        request: The request body (kept as the span's inputs).
        response: The answer (non-streamed), else None: the provider's JSON bytes as
            answered (the writer parses them, off the request path), or the parsed value.
        parent: ``(trace id hex, span id hex)`` from the caller's ``traceparent``.
        attributes: More span attributes: the limits', budgets' and guardrails' decisions.
        workspace: The endpoint's workspace (the usage rollup's key).
        trace_id: The trace's id when the request path chose it (``X-Ardea-Trace-Id``),
            else ``""``: a new one is made.
    """

    experiment_id: str
    endpoint_id: str
    endpoint: str
    request_type: str
    caller: str | None
    user: str | None
    user_id: str | None
    key_id: str | None
    provider: str
    model: str
    start_ns: int
    end_ns: int
    status: int
    error: str | None = None
    stream: bool = False
    ttft_ms: float | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float | None = None
    cache_hit: bool = False
    attempts: int = 1
    overhead_ms: float = 0.0
    request: Any = None
    response: Any = None
    parent: tuple[str, str] | None = field(default=None)
    attributes: dict[str, object] = field(default_factory=dict)
    workspace: str = "default"
    trace_id: str = ""


def trace_parent(value: str | None) -> tuple[str, str] | None:
    """``(trace id, parent span id)`` of a W3C ``traceparent`` header, or None if invalid."""
    if not value:
        return None
    parts = value.strip().split("-")
    if len(parts) < 4 or len(parts[1]) != 32 or len(parts[2]) != 16:
        return None
    trace_id, span_id = parts[1].lower(), parts[2].lower()
    try:
        int(trace_id, 16), int(span_id, 16)
    except ValueError:
        return None
    if trace_id == "0" * 32 or span_id == "0" * 16:
        return None
    return trace_id, span_id
