"""The plain values of :mod:`ardea.llm`: messages in, :class:`ChatResult`/:class:`EmbedResult` out.

Messages are OpenAI chat messages (the lingua franca every adapter translates from)::

    {"role": "system" | "user" | "assistant" | "tool", "content": "text" or [parts],
     "tool_calls": [...], "tool_call_id": "..."}

A bare string is one user message. Tools are OpenAI function tools
(``{"type": "function", "function": {"name", "description", "parameters"}}``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from ardea._core.errors import InvalidArgumentError

__all__ = [
    "ChatResult",
    "Cost",
    "EmbedResult",
    "Message",
    "Messages",
    "StreamResult",
    "ToolCall",
    "Usage",
    "loads_arguments",
    "normalize_messages",
    "text_of",
]

Message = Mapping[str, Any]
"""One chat message, in OpenAI's shape."""
Messages = Union[str, Sequence[Message]]  # noqa: UP007 - a runtime alias on Python 3.10
"""What :meth:`LLMClient.chat <ardea.llm.LLMClient.chat>` takes: a user text or messages."""

_ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens of one call (all its attempts that the provider billed).

    Attributes:
        input_tokens: The whole prompt, cache reads and writes included (OpenAI's convention).
        output_tokens: Completion tokens (reasoning included).
        cached_input_tokens: Part of ``input_tokens`` read from the provider's prompt cache.
        cache_write_input_tokens: Part of ``input_tokens`` written to the cache (Anthropic).
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_input_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """``input_tokens + output_tokens``."""
        return self.input_tokens + self.output_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cached_input_tokens + other.cached_input_tokens,
            self.cache_write_input_tokens + other.cache_write_input_tokens,
        )


@dataclass(frozen=True, slots=True)
class Cost:
    """The USD cost of a call, from the price table (:mod:`ardea.llm.pricing`)."""

    input_cost: float
    output_cost: float
    total_cost: float

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            self.input_cost + other.input_cost,
            self.output_cost + other.output_cost,
            self.total_cost + other.total_cost,
        )


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool call the model asked for.

    Attributes:
        id: The provider's call id (needed to send the tool's result back).
        name: The tool name.
        arguments: The parsed arguments (``{}`` when the model sent none).
    """

    id: str
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ChatResult:
    """What one :meth:`chat` call answered.

    Attributes:
        text: The assistant's text (``""`` when it only called tools).
        parsed: The JSON value of the reply, validated against ``response_schema`` when one
            was given; ``None`` otherwise.
        finish_reason: ``stop``, ``length``, ``tool_calls``, ``content_filter`` or the
            provider's own word when it has no equivalent.
        tool_calls: The tool calls the model asked for.
        usage: Tokens of every attempt the provider answered (a structured-output repair
            counts too).
        cost: USD cost from the price table; ``None`` when the model is not priced.
        model: The model the provider says answered (else the one asked for).
        provider: The canonical provider name (``openai``, ``anthropic``, ...).
        latency_s: Seconds from the call to its result, retries and waits included.
        attempts: HTTP requests made (1 when the first one succeeded).
        request_id: The provider's request id of the answering request, when sent.
        raw: The provider's JSON body of the last answer.
    """

    text: str
    parsed: Any = None
    finish_reason: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage = field(default_factory=Usage)
    cost: Cost | None = None
    model: str = ""
    provider: str = ""
    latency_s: float = 0.0
    attempts: int = 1
    request_id: str | None = None
    raw: Any = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class StreamResult(ChatResult):
    """What a streamed chat answered, once the stream is over (a :class:`ChatResult`).

    Attributes:
        partial: The stream did not reach its end (closed early, abandoned, or failed): the
            text and usage are what arrived until then.
        usage_reported: Whether the provider reported any usage (an OpenAI-compatible server
            may not); when not, ``usage`` is zeros and ``cost`` is ``None``.
        time_to_first_chunk_s: Seconds from the call to its first chunk.
        chunks: Chunks received.
    """

    partial: bool = False
    usage_reported: bool = True
    time_to_first_chunk_s: float | None = None
    chunks: int = 0


@dataclass(frozen=True, slots=True)
class EmbedResult:
    """What one :meth:`embed` call answered.

    Attributes:
        vectors: One vector per input text, in order.
        usage: Input tokens (``output_tokens`` is 0).
        cost: USD cost, when the model is priced.
        model: The model that answered.
        provider: The canonical provider name.
        latency_s: Seconds from the call to its result.
        attempts: HTTP requests made.
        request_id: The provider's request id, when sent.
    """

    vectors: list[list[float]]
    usage: Usage = field(default_factory=Usage)
    cost: Cost | None = None
    model: str = ""
    provider: str = ""
    latency_s: float = 0.0
    attempts: int = 1
    request_id: str | None = None


def normalize_messages(messages: Messages) -> list[dict[str, Any]]:
    """``messages`` as a list of OpenAI message dicts, checked.

    Raises:
        InvalidArgumentError: Not a string nor a non-empty list of ``{"role", ...}`` dicts.
    """
    if isinstance(messages, str):
        return [{"role": "user", "content": messages}]
    if not isinstance(messages, Sequence) or not messages:
        raise InvalidArgumentError("messages must be a string or a non-empty list of messages")
    out = []
    for i, message in enumerate(messages):
        if not isinstance(message, Mapping) or message.get("role") not in _ROLES:
            raise InvalidArgumentError(
                f"messages[{i}] must be a dict with a role in {sorted(_ROLES)}, got {message!r:.80}"
            )
        out.append(dict(message))
    return out


def text_of(content: Any) -> str:
    """The text of a message ``content``: a string, or the ``text`` of its parts, joined."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, Mapping) and isinstance(part.get("text"), str):
                parts.append(part["text"])
        return "\n".join(parts)
    return str(content)


def loads_arguments(raw: Any) -> dict[str, Any]:
    """Tool-call arguments as a dict: parsed JSON text, a dict as is, else ``{}``.

    Arguments that are not a JSON object are kept under ``"_raw"``.
    """
    if isinstance(raw, dict):
        return raw
    if not isinstance(raw, str) or not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {"_raw": raw}
    return value if isinstance(value, dict) else {"_raw": raw}
