"""Token usage read from a provider's answer: a JSON body, or the frames of an SSE stream.

A stream is never buffered whole: :class:`StreamTap` keeps its first and last few kilobytes
(Anthropic sends input tokens in ``message_start``, everyone sends the final counts at the
end: Gemini as a cumulative ``usageMetadata`` on every chunk, complete on the last) and
reads them once the stream is over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from ardea.llm.pricing import compute_cost

__all__ = ["StreamTap", "Tokens", "cost_of", "tokens_of"]

_HEAD = 4096
_TAIL = 16384


@dataclass(slots=True)
class Tokens:
    """Token counts of one call (input includes cached reads and cache writes)."""

    input: int = 0
    output: int = 0
    cached: int = 0
    cache_write: int = 0

    @property
    def total(self) -> int:
        """Input plus output."""
        return self.input + self.output

    def as_usage(self) -> dict[str, int]:
        """MLflow's ``mlflow.chat.tokenUsage`` value."""
        return {
            "input_tokens": self.input,
            "output_tokens": self.output,
            "total_tokens": self.total,
        }


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _merge(tokens: Tokens, usage: Any) -> None:
    """Fold one ``usage`` object (OpenAI chat/responses/embeddings or Anthropic) in."""
    if not isinstance(usage, dict):
        return
    if "prompt_tokens" in usage:  # OpenAI chat / embeddings
        tokens.input = _int(usage.get("prompt_tokens"))
        tokens.output = _int(usage.get("completion_tokens"))
        details = usage.get("prompt_tokens_details")
        if isinstance(details, dict):
            tokens.cached = _int(details.get("cached_tokens"))
        return
    read = _int(usage.get("cache_read_input_tokens"))
    write = _int(usage.get("cache_creation_input_tokens"))
    if "input_tokens" in usage:
        details = usage.get("input_tokens_details")
        if isinstance(details, dict):  # OpenAI Responses: input includes cached
            tokens.input = _int(usage.get("input_tokens"))
            tokens.cached = _int(details.get("cached_tokens"))
        else:  # Anthropic: input_tokens is the uncached rest
            tokens.input = _int(usage.get("input_tokens")) + read + write
            tokens.cached, tokens.cache_write = read, write
    if "output_tokens" in usage:
        tokens.output = _int(usage.get("output_tokens"))


def _merge_gemini(tokens: Tokens, meta: Any) -> None:
    """Fold Gemini's ``usageMetadata`` in (thinking tokens are output; cached are input)."""
    if not isinstance(meta, dict):
        return
    tokens.input = _int(meta.get("promptTokenCount"))
    tokens.output = _int(meta.get("candidatesTokenCount")) + _int(meta.get("thoughtsTokenCount"))
    tokens.cached = min(tokens.input, _int(meta.get("cachedContentTokenCount")))


def tokens_of(body: Any) -> Tokens:
    """The usage of a JSON answer (zeros when it has none)."""
    tokens = Tokens()
    if isinstance(body, dict):
        if "usageMetadata" in body:
            _merge_gemini(tokens, body["usageMetadata"])
        else:
            _merge(tokens, body.get("usage"))
    return tokens


def cost_of(provider: str, model: str, tokens: Tokens) -> float | None:
    """The USD cost of a call from the price table, or None for an unpriced model."""
    try:
        cost = compute_cost(
            model,
            tokens.input,
            tokens.output,
            tokens.cached,
            provider=provider,
            cache_write_input_tokens=tokens.cache_write,
        )
    except Exception:
        return None
    return None if cost is None else cost["total_cost"]


def _frames(data: bytes) -> list[Any]:
    """The JSON payloads of the complete ``data:`` lines in ``data``."""
    found: list[Any] = []
    for line in data.split(b"\n"):
        if line.startswith(b"data:"):
            raw = line[5:].strip()
            if raw and raw != b"[DONE]":
                try:
                    found.append(orjson.loads(raw))
                except orjson.JSONDecodeError:
                    continue
    return found


class StreamTap:
    """Watches an SSE stream go by; :meth:`tokens` reads its usage at the end."""

    __slots__ = ("_head", "_tail", "chunks")

    def __init__(self) -> None:
        self._head = b""
        self._tail = b""
        self.chunks = 0

    def feed(self, chunk: bytes) -> None:
        """See one chunk (kept only within the head and tail windows)."""
        self.chunks += 1
        if len(self._head) < _HEAD:
            self._head += chunk[: _HEAD - len(self._head)]
        tail = self._tail + chunk
        self._tail = tail[-_TAIL:] if len(tail) > _TAIL else tail

    def tokens(self) -> Tokens:
        """The stream's usage, from its first and last frames."""
        tokens = Tokens()
        for payload in _frames(self._head):
            if isinstance(payload, dict) and payload.get("type") == "message_start":
                message = payload.get("message")
                if isinstance(message, dict):
                    _merge(tokens, message.get("usage"))
        for payload in _frames(self._tail):
            if not isinstance(payload, dict):
                continue
            if payload.get("type") == "response.completed":
                response = payload.get("response")
                if isinstance(response, dict):
                    _merge(tokens, response.get("usage"))
            elif payload.get("usage") is not None:
                _merge(tokens, payload.get("usage"))
            elif payload.get("usageMetadata") is not None:  # Gemini: cumulative, last wins
                _merge_gemini(tokens, payload.get("usageMetadata"))
        return tokens
