"""What a stream yields (:class:`ChatChunk`) and how chunks add up to a :class:`ChatResult`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from ardea.llm.types import ToolCall, Usage, loads_arguments

__all__ = ["Accumulator", "ChatChunk", "StreamParser", "ToolCallDelta"]


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A piece of a tool call as it streams.

    Attributes:
        index: Which tool call of the answer (0, 1, ...): pieces of one call share it.
        id: The call's id (on its first piece).
        name: The tool's name (on its first piece).
        arguments: The next piece of the JSON arguments text.
    """

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass(frozen=True, slots=True)
class ChatChunk:
    """One step of a streamed answer, in every provider's case.

    Attributes:
        text: The next piece of the assistant's text (``""`` when this chunk has none).
        tool_calls: Pieces of tool calls.
        finish_reason: Set on the chunk that ends the answer (``stop``, ``length``,
            ``tool_calls``, ``content_filter``).
        usage: Token usage when the provider reports it (usually on the last chunk; Anthropic
            sends the input tokens first). The stream's :attr:`~ChatStream.usage` sums it up.
    """

    text: str = ""
    tool_calls: tuple[ToolCallDelta, ...] = ()
    finish_reason: str | None = None
    usage: Usage | None = None


class StreamParser(Protocol):
    """A provider's stream events to :class:`ChatChunk` (one parser per stream)."""

    framing: str
    """``sse`` or ``eventstream``."""
    model: str | None
    response_id: str | None

    def on_event(self, event: str | None, data: bytes | str) -> list[ChatChunk]:
        """The chunks of one event (an error event raises ``StreamError``)."""
        ...

    def done(self, event: str | None, data: bytes | str) -> bool:
        """Whether this event is the last of the answer (``[DONE]``, ``message_stop``...)."""
        ...


@dataclass
class _Call:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


class Accumulator:
    """Sums chunks up: text, tool calls by index, the last finish reason, the usage.

    Usage: providers report it in pieces (Anthropic: input at the start, output at the end)
    or once; each field keeps the largest value seen, which is the total in both cases.
    """

    def __init__(self) -> None:
        self.text: list[str] = []
        self.calls: dict[int, _Call] = {}
        self.finish_reason: str | None = None
        self.usage: Usage | None = None
        self.chunks = 0

    def add(self, chunk: ChatChunk) -> None:
        """Take ``chunk`` into account."""
        self.chunks += 1
        if chunk.text:
            self.text.append(chunk.text)
        for delta in chunk.tool_calls:
            call = self.calls.setdefault(delta.index, _Call())
            call.id = delta.id or call.id
            call.name = delta.name or call.name
            if delta.arguments:
                call.arguments.append(delta.arguments)
        if chunk.finish_reason:
            self.finish_reason = chunk.finish_reason
        if chunk.usage is not None:
            old = self.usage or Usage()
            new = chunk.usage
            self.usage = Usage(
                max(old.input_tokens, new.input_tokens),
                max(old.output_tokens, new.output_tokens),
                max(old.cached_input_tokens, new.cached_input_tokens),
                max(old.cache_write_input_tokens, new.cache_write_input_tokens),
            )

    def tool_calls(self) -> tuple[ToolCall, ...]:
        """The tool calls assembled so far (arguments parsed)."""
        return tuple(
            ToolCall(c.id or f"call_{i}", c.name, loads_arguments("".join(c.arguments)))
            for i, c in sorted(self.calls.items())
        )

    def summary(self) -> dict[str, Any]:
        """Counts for a span (chunks, characters)."""
        return {"chunks": self.chunks, "characters": sum(len(t) for t in self.text)}
