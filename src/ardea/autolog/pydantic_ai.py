"""PydanticAI autologging: agent runs, model requests and tool calls become Ardea spans.

``ardea.pydantic_ai.autolog()`` turns on PydanticAI's own OpenTelemetry instrumentation for
every agent that does not set its own (``Agent.instrument_all``), writing to Ardea's tracer
(:mod:`ardea.autolog._pydantic_ai_tracer`). The spans follow the OpenTelemetry GenAI
conventions, which Ardea maps like any OTel source:

- an agent run (``run``, ``run_sync``, ``run_stream``, ``iter``): ``AGENT``, inputs = the
  user prompt, outputs = the final output;
- a model request: ``CHAT_MODEL`` with the messages in and out, ``mlflow.llm.model``,
  ``mlflow.llm.provider``, ``mlflow.chat.tools``, ``mlflow.chat.tokenUsage`` and
  ``mlflow.llm.cost``; a streamed request's span ends when the stream does. The OpenAI SDK
  call underneath makes no second span, whether OpenAI autologging is on or not;
- a tool call: ``TOOL`` (arguments, result).

Sync, async and streamed runs alike. An instrumentation default set before (Logfire's, say)
is replaced while autologging is on and restored by ``revert()``; an agent whose own
``instrument`` is set keeps it. Supported: pydantic-ai 1.x and 2.x (tested 2.31).
"""

from __future__ import annotations

import threading
from typing import Any

from ardea._core.safety import swallow_failures

__all__ = ["autolog", "is_enabled", "revert"]

_lock = threading.Lock()
_state: dict[str, Any] = {"settings": None, "previous": False}


def autolog(disable: bool = False, log_traces: bool = True) -> None:
    """Turn PydanticAI autologging on (or off with ``disable=True``).

    Args:
        disable: Stop tracing instead (restores the instrumentation default found before).
        log_traces: Make spans (``False`` turns tracing off).
    """
    if disable or not log_traces:
        revert()
        return
    with _lock, swallow_failures("pydantic_ai autolog (instrumenting agents)"):
        if _state["settings"] is not None:
            return
        from opentelemetry.metrics import NoOpMeterProvider
        from pydantic_ai import Agent
        from pydantic_ai.models.instrumented import InstrumentationSettings

        from ardea.autolog._pydantic_ai_tracer import TracerProvider

        settings = InstrumentationSettings(
            tracer_provider=TracerProvider(), meter_provider=NoOpMeterProvider()
        )
        previous = getattr(Agent, "_instrument_default", False)
        Agent.instrument_all(settings)
        _state["settings"], _state["previous"] = settings, previous


def revert() -> None:
    """Stop tracing agent runs and restore the previous instrumentation default."""
    with _lock:
        settings, _state["settings"] = _state["settings"], None
        if settings is None:
            return
        with swallow_failures("pydantic_ai autolog (reverting)"):
            from pydantic_ai import Agent

            if getattr(Agent, "_instrument_default", None) is settings:
                Agent.instrument_all(_state["previous"])


def is_enabled() -> bool:
    """Whether PydanticAI autologging is on."""
    return _state["settings"] is not None
