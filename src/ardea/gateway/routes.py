"""The invocation routes a caller may use, and what each one speaks.

A :class:`Route` says which dialect the request body is in (``api``), which error shape the
caller expects (``dialect``), what the call does (``operation``) and MLflow's request type for
the trace (``mlflow.gateway.requestType``). The server maps URL paths to these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ardea.gateway.errors import Dialect
from ardea.gateway.upstream import Api

__all__ = [
    "ANTHROPIC_MESSAGES",
    "GEMINI_GENERATE",
    "GEMINI_STREAM",
    "MLFLOW_CHAT",
    "MLFLOW_EMBEDDINGS",
    "MLFLOW_INVOKE_CHAT",
    "MLFLOW_INVOKE_EMBEDDINGS",
    "OPENAI_CHAT",
    "OPENAI_EMBEDDINGS",
    "OPENAI_RESPONSES",
    "OPENAI_RESPONSES_COMPACT",
    "RAW_PROXY",
    "Operation",
    "Route",
]

Operation = Literal["chat", "embeddings", "responses", "compact", "messages", "generate", "proxy"]
"""What a call does."""


@dataclass(frozen=True, slots=True)
class Route:
    """One invocation surface.

    Attributes:
        api: The dialect of the request and answer bodies.
        dialect: The error shape answered.
        operation: What the call does.
        request_type: MLflow's ``mlflow.gateway.requestType``.
        stream: Whether the route always streams (Gemini's ``streamGenerateContent``).
    """

    api: Api
    dialect: Dialect
    operation: Operation
    request_type: str
    stream: bool = False


OPENAI_CHAT = Route("openai", "openai", "chat", "passthrough/model/openai-chat")
OPENAI_EMBEDDINGS = Route("openai", "openai", "embeddings", "passthrough/model/openai-embeddings")
OPENAI_RESPONSES = Route("openai", "openai", "responses", "passthrough/model/openai-responses")
OPENAI_RESPONSES_COMPACT = Route(
    "openai", "openai", "compact", "passthrough/model/openai-responses"
)
"""``/responses/compact``: a unary Responses compaction (MLflow's request type for it)."""
RAW_PROXY = Route("openai", "openai", "proxy", "passthrough/raw")
"""``/gateway/proxy/<endpoint>/<path>``: any provider path, body and answer as they are."""
ANTHROPIC_MESSAGES = Route(
    "anthropic", "anthropic", "messages", "passthrough/model/anthropic-messages"
)
GEMINI_GENERATE = Route("gemini", "gemini", "generate", "passthrough/model/gemini-generateContent")
GEMINI_STREAM = Route(
    "gemini", "gemini", "generate", "passthrough/model/gemini-generateContent", stream=True
)
MLFLOW_CHAT = Route("openai", "openai", "chat", "unified/chat")
MLFLOW_EMBEDDINGS = Route("openai", "openai", "embeddings", "unified/embeddings")
MLFLOW_INVOKE_CHAT = Route("openai", "mlflow", "chat", "unified/chat")
MLFLOW_INVOKE_EMBEDDINGS = Route("openai", "mlflow", "embeddings", "unified/embeddings")
