"""What every provider adapter does: build an HTTP request, read the provider's answer.

Adapters do no I/O and no retries (Bedrock signs each request with the current time, so
every attempt is built anew). :class:`~ardea.llm.client.LLMClient` sends what they build
and reads what the provider answered.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from ardea.llm.credentials import ProviderConfig
from ardea.llm.types import ToolCall, Usage, loads_arguments

if TYPE_CHECKING:
    from ardea.llm.streaming.chunks import StreamParser

__all__ = [
    "Adapter",
    "ChatParams",
    "HttpRequest",
    "ParsedChat",
    "ParsedEmbeddings",
    "StructuredMode",
    "dumps",
    "loads_arguments",
]

StructuredMode = Literal["native", "tool", "prompt"]
"""How a JSON schema is enforced: the provider's schema option, a forced tool, or the prompt."""


@dataclass(frozen=True)
class HttpRequest:
    """One request to send (headers include the credentials: never log it)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes = field(repr=False)

    def __repr__(self) -> str:
        return f"HttpRequest({self.method} {self.url})"


@dataclass(frozen=True)
class ChatParams:
    """A chat call as every adapter receives it.

    Attributes:
        model: The model id (Azure: deployment; gateway: endpoint).
        messages: OpenAI-shaped messages (already normalized).
        temperature: Sampling temperature, if set.
        max_tokens: Output token cap, if set.
        tools: OpenAI function tools, if any.
        tool_choice: OpenAI ``tool_choice`` (``"auto"``, ``"none"``, ``"required"``, or
            ``{"type": "function", "function": {"name": ...}}``).
        stop: Stop sequences.
        response_schema: The JSON schema to enforce natively or by a forced tool (``None``
            in prompt mode: the instruction is in ``messages``).
        schema_name: Name of the schema (OpenAI ``json_schema.name``, the forced tool's name).
        structured: How ``response_schema`` is enforced.
        extra_body: Provider-specific fields merged into the request body last.
        stream: Ask for a streamed answer (the adapter's streaming endpoint or flag).
    """

    model: str
    messages: list[dict[str, Any]]
    temperature: float | None = None
    max_tokens: int | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: Any = None
    stop: list[str] | None = None
    response_schema: dict[str, Any] | None = None
    schema_name: str = "response"
    structured: StructuredMode | None = None
    extra_body: Mapping[str, Any] | None = None
    stream: bool = False


@dataclass(frozen=True)
class ParsedChat:
    """The provider's chat answer, read."""

    text: str
    finish_reason: str | None
    tool_calls: tuple[ToolCall, ...]
    usage: Usage
    model: str | None
    parsed: Any = None
    has_parsed: bool = False
    response_id: str | None = None


@dataclass(frozen=True)
class ParsedEmbeddings:
    """The provider's embeddings answer, read."""

    vectors: list[list[float]]
    usage: Usage
    model: str | None


class Adapter(Protocol):
    """A provider's wire protocol."""

    name: str
    embed_batch_size: int
    """Texts per embeddings request (0: no embeddings API)."""

    def batch_size(self, model: str) -> int:
        """Texts per embeddings request for ``model`` (0: no embeddings API)."""
        ...

    def structured_mode(self, model: str) -> StructuredMode:
        """How this provider enforces a JSON schema for ``model``."""
        ...

    def chat_request(self, cfg: ProviderConfig, params: ChatParams) -> HttpRequest:
        """The HTTP request of a chat call."""
        ...

    def parse_chat(self, body: Any, params: ChatParams) -> ParsedChat:
        """Read a successful chat answer (``body`` is the decoded JSON)."""
        ...

    def stream_parser(self, params: ChatParams) -> StreamParser:
        """A parser of one streamed answer to ``params`` (asked with ``stream=True``)."""
        ...

    def embed_request(self, cfg: ProviderConfig, model: str, texts: list[str]) -> HttpRequest:
        """The HTTP request embedding ``texts``."""
        ...

    def parse_embeddings(self, body: Any, model: str) -> ParsedEmbeddings:
        """Read a successful embeddings answer."""
        ...


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
"""One encoder for every body (``json.dumps`` with options builds one per call)."""


def dumps(value: Any) -> bytes:
    """Compact JSON bytes of a request body."""
    return _ENCODER.encode(value).encode("utf-8")


def as_int(value: Any) -> int:
    """``value`` when it is a non-negative int (bools excluded), else 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
