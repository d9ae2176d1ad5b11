"""Anthropic Messages (``POST /v1/messages``).

System and developer messages become ``system``; assistant tool calls ``tool_use`` blocks;
``tool`` messages ``tool_result`` blocks in a user turn (consecutive turns of one role are
merged, as the API requires). A JSON schema is enforced with a forced tool whose input schema
it is; the tool's input is the parsed answer. Anthropic has no embeddings API.
"""

from __future__ import annotations

import json
from typing import Any

from ardea._core.errors import NotImplementedFeatureError
from ardea.llm.adapters.anthropic_stream import AnthropicStreamParser
from ardea.llm.adapters.base import (
    ChatParams,
    HttpRequest,
    ParsedChat,
    ParsedEmbeddings,
    StructuredMode,
    as_int,
    dumps,
    loads_arguments,
)
from ardea.llm.adapters.parts import Text, read_parts, require_image_type
from ardea.llm.credentials import ProviderConfig
from ardea.llm.types import ToolCall, Usage, text_of

__all__ = ["ANTHROPIC_VERSION", "DEFAULT_MAX_TOKENS", "AnthropicAdapter", "convert_tool_choice"]

ANTHROPIC_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 4096
"""``max_tokens`` when the call sets none (the API requires one)."""

_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
    "pause_turn": "stop",
}


def convert_tool_choice(choice: Any) -> dict[str, Any] | None:
    """OpenAI's ``tool_choice`` in Anthropic's (and Bedrock's) vocabulary: auto/any/none/tool."""
    if choice is None:
        return None
    if choice == "auto":
        return {"type": "auto"}
    if choice == "required":
        return {"type": "any"}
    if choice == "none":
        return {"type": "none"}
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name") or choice.get("name")
        if name:
            return {"type": "tool", "name": name}
    return None


def _content_blocks(content: Any, where: str) -> list[dict[str, Any]]:
    """Text and image parts as Anthropic content blocks."""
    blocks: list[dict[str, Any]] = []
    for part in read_parts(content, where, "anthropic"):
        if isinstance(part, Text):
            if part.text:
                blocks.append({"type": "text", "text": part.text})
        elif part.data is not None:
            media_type = require_image_type(part, where, "anthropic")
            source = {"type": "base64", "media_type": media_type, "data": part.data}
            blocks.append({"type": "image", "source": source})
        else:
            blocks.append({"type": "image", "source": {"type": "url", "url": part.url}})
    return blocks


def _blocks(message: dict[str, Any], where: str = "a message") -> list[dict[str, Any]]:
    role = message["role"]
    if role == "tool":
        content = message.get("content")
        result: Any = (
            text_of(content) if isinstance(content, str) else _content_blocks(content, where)
        )
        return [
            {
                "type": "tool_result",
                "tool_use_id": str(message.get("tool_call_id") or ""),
                "content": result,
            }
        ]
    blocks = _content_blocks(message.get("content"), where)
    for call in message.get("tool_calls") or []:
        fn = call.get("function") or {}
        blocks.append(
            {
                "type": "tool_use",
                "id": call.get("id"),
                "name": fn.get("name"),
                "input": loads_arguments(fn.get("arguments")),
            }
        )
    return blocks


def split_messages(messages: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """``(system text, user/assistant turns of content blocks)``, same-role turns merged."""
    system = [text_of(m.get("content")) for m in messages if m["role"] in ("system", "developer")]
    turns: list[dict[str, Any]] = []
    for i, message in enumerate(messages):
        if message["role"] in ("system", "developer"):
            continue
        role = "assistant" if message["role"] == "assistant" else "user"
        blocks = _blocks(message, f"messages[{i}]")
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    return "\n\n".join(s for s in system if s), turns


class AnthropicAdapter:
    """Anthropic's Messages API."""

    name = "anthropic"
    embed_batch_size = 0

    def batch_size(self, model: str) -> int:
        """Texts per embeddings request."""
        return self.embed_batch_size

    def structured_mode(self, model: str) -> StructuredMode:
        """``tool``: a forced tool whose input schema is the JSON schema."""
        return "tool"

    def chat_request(self, cfg: ProviderConfig, params: ChatParams) -> HttpRequest:
        """``POST <base>/v1/messages``."""
        system, turns = split_messages(params.messages)
        body: dict[str, Any] = {
            "model": params.model,
            "max_tokens": params.max_tokens or DEFAULT_MAX_TOKENS,
            "messages": turns,
        }
        if system:
            body["system"] = system
        if params.temperature is not None:
            body["temperature"] = params.temperature
        if params.stop:
            body["stop_sequences"] = params.stop
        tools = [
            {
                "name": t["function"]["name"],
                "description": t["function"].get("description", ""),
                "input_schema": t["function"].get("parameters") or {"type": "object"},
            }
            for t in params.tools or []
            if isinstance(t, dict) and "function" in t
        ]
        choice = convert_tool_choice(params.tool_choice)
        if params.response_schema is not None:
            tools.append(
                {
                    "name": params.schema_name,
                    "description": "Give the answer, in this exact structure.",
                    "input_schema": params.response_schema,
                }
            )
            choice = {"type": "tool", "name": params.schema_name}
        if tools:
            body["tools"] = tools
        if choice is not None:
            body["tool_choice"] = choice
        if params.stream:
            body["stream"] = True
        if params.extra_body:
            body.update(params.extra_body)
        headers = {"Content-Type": "application/json", "anthropic-version": ANTHROPIC_VERSION}
        if params.stream:
            headers["Accept"] = "text/event-stream"
        if cfg.api_key:
            headers["x-api-key"] = cfg.api_key.reveal()
        elif cfg.bearer:
            headers["Authorization"] = f"Bearer {cfg.bearer.reveal()}"
        headers.update({k: v.reveal() for k, v in cfg.headers})
        return HttpRequest("POST", f"{cfg.base_url}/v1/messages", headers, dumps(body))

    def stream_parser(self, params: ChatParams) -> AnthropicStreamParser:
        """A parser of Messages stream events."""
        return AnthropicStreamParser(
            params.schema_name if params.response_schema is not None else None
        )

    def parse_chat(self, body: Any, params: ChatParams) -> ParsedChat:
        """Read the ``content`` blocks, ``stop_reason`` and ``usage`` (cache reads/writes)."""
        texts: list[str] = []
        calls: list[ToolCall] = []
        parsed: Any = None
        has_parsed = False
        for block in body.get("content") or []:
            kind = block.get("type")
            if kind == "text":
                texts.append(str(block.get("text") or ""))
            elif kind == "tool_use":
                if params.response_schema is not None and block.get("name") == params.schema_name:
                    parsed, has_parsed = block.get("input"), True
                else:
                    calls.append(
                        ToolCall(
                            str(block.get("id") or ""),
                            str(block.get("name") or ""),
                            loads_arguments(block.get("input")),
                        )
                    )
        usage = body.get("usage") or {}
        read = as_int(usage.get("cache_read_input_tokens"))
        written = as_int(usage.get("cache_creation_input_tokens"))
        finish = _FINISH.get(body.get("stop_reason") or "", body.get("stop_reason"))
        if has_parsed and finish == "tool_calls":
            finish = "stop"
        text = "".join(texts)
        if has_parsed:
            text = json.dumps(parsed, ensure_ascii=False)
        return ParsedChat(
            text=text,
            finish_reason=finish,
            tool_calls=tuple(calls),
            usage=Usage(
                as_int(usage.get("input_tokens")) + read + written,
                as_int(usage.get("output_tokens")),
                read,
                written,
            ),
            model=body.get("model") or None,
            parsed=parsed,
            has_parsed=has_parsed,
            response_id=body.get("id"),
        )

    def embed_request(self, cfg: ProviderConfig, model: str, texts: list[str]) -> HttpRequest:
        """Anthropic has no embeddings API.

        Raises:
            NotImplementedFeatureError: Always.
        """
        raise NotImplementedFeatureError(
            "Anthropic has no embeddings API; use an openai:/, gemini:/, mistral:/ or "
            "bedrock:/ embedding model"
        )

    def parse_embeddings(self, body: Any, model: str) -> ParsedEmbeddings:  # pragma: no cover
        """Never called (see :meth:`embed_request`)."""
        raise NotImplementedFeatureError("Anthropic has no embeddings API")
