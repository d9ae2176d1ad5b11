"""AWS Bedrock: the Converse API for chat, InvokeModel for embeddings, signed with SigV4.

``POST <base>/model/<modelId>/converse`` with ``messages`` of content blocks (``text``,
``toolUse``, ``toolResult``), ``system``, ``inferenceConfig`` and ``toolConfig``. Requests are
signed with :mod:`ardea.llm.sigv4` (service ``bedrock``) from the AWS keys, or carry
``Authorization: Bearer`` with a Bedrock API key (``AWS_BEARER_TOKEN_BEDROCK``).

A JSON schema is enforced with a forced tool for the model families whose Converse support
includes ``toolChoice: {"tool": ...}`` (Anthropic Claude, Amazon Nova, Mistral Large); other
models get the schema in the prompt, and the answer is validated (see
:mod:`ardea.llm.structured`). Embeddings: Amazon Titan (one text per request) and Cohere
(batches of 96).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urlsplit

from ardea.llm import sigv4
from ardea.llm.adapters.anthropic import convert_tool_choice
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
from ardea.llm.adapters.bedrock_stream import BedrockStreamParser
from ardea.llm.adapters.parts import Text, UnsupportedPart, read_parts, require_image_type
from ardea.llm.credentials import ProviderConfig
from ardea.llm.types import ToolCall, Usage, text_of

__all__ = ["SIGNING_NAME", "BedrockAdapter"]

SIGNING_NAME = "bedrock"
"""SigV4 service name of ``bedrock-runtime``."""

_TOOL_CHOICE_FAMILIES = re.compile(
    r"^(?:(?:us|eu|apac|global|us-gov)\.)?(?:anthropic|amazon\.nova|mistral)\."
)
_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "content_filtered": "content_filter",
    "guardrail_intervened": "content_filter",
}


def _blocks(content: Any, where: str) -> list[dict[str, Any]]:
    """Text and image parts as Converse content blocks (images as bytes or an S3 location)."""
    blocks: list[dict[str, Any]] = []
    for part in read_parts(content, where, "bedrock"):
        if isinstance(part, Text):
            if part.text:
                blocks.append({"text": part.text})
            continue
        fmt = require_image_type(part, where, "bedrock").split("/", 1)[1]
        if part.data is not None:
            source: dict[str, Any] = {"bytes": part.data}
        elif part.url is not None and part.url.startswith("s3://"):
            source = {"s3Location": {"uri": part.url}}
        else:
            raise UnsupportedPart(
                f"bedrock cannot take the image URL of {where}: Converse takes images as bytes "
                "(pass a data: URL) or as an s3:// location"
            )
        blocks.append({"image": {"format": fmt, "source": source}})
    return blocks


def _content(message: dict[str, Any], where: str = "a message") -> list[dict[str, Any]]:
    if message["role"] == "tool":
        content = message.get("content")
        result = (
            [{"text": text_of(content)}]
            if isinstance(content, str) or content is None
            else _blocks(content, where)
        )
        return [
            {
                "toolResult": {
                    "toolUseId": str(message.get("tool_call_id") or ""),
                    "content": result,
                }
            }
        ]
    blocks = _blocks(message.get("content"), where)
    for call in message.get("tool_calls") or []:
        fn = call.get("function") or {}
        blocks.append(
            {
                "toolUse": {
                    "toolUseId": call.get("id"),
                    "name": fn.get("name"),
                    "input": loads_arguments(fn.get("arguments")),
                }
            }
        )
    return blocks


class BedrockAdapter:
    """Bedrock Converse / InvokeModel, SigV4-signed.

    Args:
        now: Signing clock (tests pin it); UTC now by default.
    """

    name = "bedrock"
    embed_batch_size = 96

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self._now = now or (lambda: datetime.now(timezone.utc))

    def structured_mode(self, model: str) -> StructuredMode:
        """``tool`` for Claude, Nova and Mistral models; ``prompt`` for the others."""
        return "tool" if _TOOL_CHOICE_FAMILIES.match(model) else "prompt"

    def batch_size(self, model: str) -> int:
        """Texts per embeddings request: 1 for Titan, 96 for Cohere."""
        return 1 if "titan" in model else self.embed_batch_size

    def _signed(
        self, cfg: ProviderConfig, url: str, body: bytes, *, stream: bool = False
    ) -> HttpRequest:
        accept = "application/vnd.amazon.eventstream" if stream else "application/json"
        headers = {"Content-Type": "application/json", "Accept": accept}
        headers.update({k: v.reveal() for k, v in cfg.headers})
        if cfg.bearer:
            headers["Authorization"] = f"Bearer {cfg.bearer.reveal()}"
        elif cfg.aws_access_key_id and cfg.aws_secret_access_key:
            headers["Host"] = urlsplit(url).netloc
            headers.update(
                sigv4.sign(
                    "POST",
                    url,
                    headers,
                    body,
                    access_key=cfg.aws_access_key_id,
                    secret_key=cfg.aws_secret_access_key.reveal(),
                    session_token=cfg.aws_session_token.reveal() if cfg.aws_session_token else None,
                    region=cfg.region or "us-east-1",
                    service=SIGNING_NAME,
                    now=self._now(),
                )
            )
        return HttpRequest("POST", url, headers, body)

    def chat_request(self, cfg: ProviderConfig, params: ChatParams) -> HttpRequest:
        """``POST <base>/model/<modelId>/converse``, signed."""
        system = [
            text_of(m.get("content"))
            for m in params.messages
            if m["role"] in ("system", "developer")
        ]
        turns: list[dict[str, Any]] = []
        for i, m in enumerate(params.messages):
            if m["role"] in ("system", "developer"):
                continue
            role = "assistant" if m["role"] == "assistant" else "user"
            if turns and turns[-1]["role"] == role:
                turns[-1]["content"].extend(_content(m, f"messages[{i}]"))
            else:
                turns.append({"role": role, "content": _content(m, f"messages[{i}]")})
        body: dict[str, Any] = {"messages": turns}
        if any(system):
            body["system"] = [{"text": s} for s in system if s]
        inference: dict[str, Any] = {}
        if params.max_tokens is not None:
            inference["maxTokens"] = params.max_tokens
        if params.temperature is not None:
            inference["temperature"] = params.temperature
        if params.stop:
            inference["stopSequences"] = params.stop
        if inference:
            body["inferenceConfig"] = inference
        tools = [
            {
                "toolSpec": {
                    "name": t["function"]["name"],
                    "description": t["function"].get("description") or t["function"]["name"],
                    "inputSchema": {"json": t["function"].get("parameters") or {"type": "object"}},
                }
            }
            for t in params.tools or []
            if isinstance(t, dict) and "function" in t
        ]
        choice = convert_tool_choice(params.tool_choice)
        if params.response_schema is not None:
            tools.append(
                {
                    "toolSpec": {
                        "name": params.schema_name,
                        "description": "Give the answer, in this exact structure.",
                        "inputSchema": {"json": params.response_schema},
                    }
                }
            )
            choice = {"type": "tool", "name": params.schema_name}
        if tools:
            config: dict[str, Any] = {"tools": tools}
            if choice and choice["type"] != "none":
                kind = choice["type"]
                config["toolChoice"] = (
                    {"tool": {"name": choice["name"]}} if kind == "tool" else {kind: {}}
                )
            body["toolConfig"] = config
        if params.extra_body:
            body.update(params.extra_body)
        action = "converse-stream" if params.stream else "converse"
        url = f"{cfg.base_url}/model/{quote(params.model, safe='')}/{action}"
        return self._signed(cfg, url, dumps(body), stream=params.stream)

    def stream_parser(self, params: ChatParams) -> BedrockStreamParser:
        """A parser of ConverseStream event-stream messages."""
        schema_tool = params.schema_name if params.response_schema is not None else None
        return BedrockStreamParser(params.model, schema_tool)

    def parse_chat(self, body: Any, params: ChatParams) -> ParsedChat:
        """Read ``output.message.content``, ``stopReason`` and ``usage``."""
        texts: list[str] = []
        calls: list[ToolCall] = []
        parsed: Any = None
        has_parsed = False
        for block in ((body.get("output") or {}).get("message") or {}).get("content") or []:
            if isinstance(block.get("text"), str):
                texts.append(block["text"])
            use = block.get("toolUse")
            if isinstance(use, dict):
                if params.response_schema is not None and use.get("name") == params.schema_name:
                    parsed, has_parsed = use.get("input"), True
                else:
                    calls.append(
                        ToolCall(
                            str(use.get("toolUseId") or ""),
                            str(use.get("name")),
                            loads_arguments(use.get("input")),
                        )
                    )
        usage = body.get("usage") or {}
        read = as_int(usage.get("cacheReadInputTokens"))
        written = as_int(usage.get("cacheWriteInputTokens"))
        reason = body.get("stopReason")
        finish = _FINISH.get(reason or "", reason)
        if has_parsed and finish == "tool_calls":
            finish = "stop"
        return ParsedChat(
            text=json.dumps(parsed, ensure_ascii=False) if has_parsed else "".join(texts),
            finish_reason=finish,
            tool_calls=tuple(calls),
            usage=Usage(
                as_int(usage.get("inputTokens")) + read + written,
                as_int(usage.get("outputTokens")),
                read,
                written,
            ),
            model=params.model,
            parsed=parsed,
            has_parsed=has_parsed,
        )

    def embed_request(self, cfg: ProviderConfig, model: str, texts: list[str]) -> HttpRequest:
        """``POST <base>/model/<modelId>/invoke``: Titan (one text) or Cohere (a batch)."""
        if "titan" in model:
            payload: dict[str, Any] = {"inputText": texts[0]}
        else:
            payload = {"texts": texts, "input_type": "search_document"}
        url = f"{cfg.base_url}/model/{quote(model, safe='')}/invoke"
        return self._signed(cfg, url, dumps(payload))

    def parse_embeddings(self, body: Any, model: str) -> ParsedEmbeddings:
        """Read Titan's ``embedding`` or Cohere's ``embeddings``."""
        if isinstance(body.get("embedding"), list):
            tokens = as_int(body.get("inputTextTokenCount"))
            return ParsedEmbeddings([[float(x) for x in body["embedding"]]], Usage(tokens), model)
        raw = body.get("embeddings")
        if isinstance(raw, dict):  # Cohere v4 answers {"float": [...]}
            raw = raw.get("float")
        vectors = [[float(x) for x in v] for v in raw or []]
        return ParsedEmbeddings(vectors, Usage(), model)
