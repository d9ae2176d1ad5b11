"""OpenAI Chat Completions and Embeddings, and everything that speaks them.

Used for ``openai``, ``azure`` (deployment URLs, ``api-version``, the ``api-key`` header),
``mistral``, ``gateway`` (the tracking server's ``/gateway/mlflow/v1``) and every
OpenAI-compatible server (vLLM, Ollama, llama.cpp, LM Studio, ...). A JSON schema goes in
``response_format: {"type": "json_schema", ...}``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any
from urllib.parse import quote

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
from ardea.llm.adapters.openai_stream import OpenAIStreamParser
from ardea.llm.credentials import ProviderConfig
from ardea.llm.types import ToolCall, Usage, text_of

__all__ = ["OpenAIAdapter"]


_MISTRAL_ID = re.compile(r"[A-Za-z0-9]{9}")


def _mistral_id(value: Any) -> str:
    """A tool-call id as Mistral requires it (9 letters or digits), stable for one input."""
    raw = str(value or "")
    if _MISTRAL_ID.fullmatch(raw):
        return raw
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return "".join(c if c.isalnum() else "x" for c in digest[:9])


def mistral_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI messages as Mistral takes them.

    Tool-call ids from another provider (``toolu_...``, ``call_...``) become the 9-character
    ids Mistral requires, the same in the assistant's ``tool_calls`` and in the ``tool``
    answers; ``image_url`` parts carry the URL string, as Mistral documents them.
    """
    out = []
    for message in messages:
        m = dict(message)
        if m.get("tool_calls"):
            m["tool_calls"] = [
                {**c, "id": _mistral_id(c.get("id"))} if isinstance(c, dict) else c
                for c in m["tool_calls"]
            ]
        if m.get("role") == "tool" and "tool_call_id" in m:
            m["tool_call_id"] = _mistral_id(m["tool_call_id"])
        content = m.get("content")
        if isinstance(content, list):
            m["content"] = [_mistral_part(p) for p in content]
        out.append(m)
    return out


def _mistral_part(part: Any) -> Any:
    if isinstance(part, dict) and part.get("type") == "image_url":
        url = part.get("image_url")
        if isinstance(url, dict):
            return {"type": "image_url", "image_url": url.get("url")}
    return part


class OpenAIAdapter:
    """OpenAI's wire protocol (``wire`` = ``openai`` or ``azure``)."""

    embed_batch_size = 2048

    def __init__(self, name: str = "openai") -> None:
        self.name = name

    def batch_size(self, model: str) -> int:
        """Texts per embeddings request."""
        return self.embed_batch_size

    def structured_mode(self, model: str) -> StructuredMode:
        """Always ``native``: ``response_format`` with a JSON schema."""
        return "native"

    # ------------------------------------------------------------------ requests

    def _url(self, cfg: ProviderConfig, model: str, path: str) -> str:
        if cfg.wire == "azure":
            deployment = quote(model, safe="")
            version = quote(cfg.api_version or "", safe="")
            return f"{cfg.base_url}/openai/deployments/{deployment}/{path}?api-version={version}"
        return f"{cfg.base_url}/{path}"

    def _headers(self, cfg: ProviderConfig) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if cfg.wire == "azure" and cfg.api_key:
            headers["api-key"] = cfg.api_key.reveal()
        elif cfg.api_key:
            headers["Authorization"] = f"Bearer {cfg.api_key.reveal()}"
        elif cfg.bearer:
            headers["Authorization"] = f"Bearer {cfg.bearer.reveal()}"
        elif cfg.basic_auth:
            raw = f"{cfg.basic_auth[0]}:{cfg.basic_auth[1].reveal()}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(raw).decode()
        headers.update({k: v.reveal() for k, v in cfg.headers})
        return headers

    def chat_request(self, cfg: ProviderConfig, params: ChatParams) -> HttpRequest:
        """``POST <base>/chat/completions`` (Azure: the deployment's URL)."""
        messages = params.messages
        if cfg.provider == "mistral":
            messages = mistral_messages(messages)
        body: dict[str, Any] = {"model": params.model, "messages": messages}
        if params.temperature is not None:
            body["temperature"] = params.temperature
        if params.max_tokens is not None:
            # OpenAI's reasoning models take only max_completion_tokens; other servers
            # mostly know only max_tokens.
            key = "max_completion_tokens" if cfg.provider in ("openai", "azure") else "max_tokens"
            body[key] = params.max_tokens
        if params.stop:
            body["stop"] = params.stop
        if params.tools:
            body["tools"] = params.tools
        if params.tool_choice is not None:
            body["tool_choice"] = params.tool_choice
        if params.response_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": params.schema_name, "schema": params.response_schema},
            }
        if params.stream:
            body["stream"] = True
            if cfg.provider != "mistral":  # Mistral rejects it (and sends the usage anyway)
                body["stream_options"] = {"include_usage": True}
        if params.extra_body:
            body.update(params.extra_body)
        url = self._url(cfg, params.model, "chat/completions")
        headers = self._headers(cfg)
        if params.stream:
            headers["Accept"] = "text/event-stream"
        return HttpRequest("POST", url, headers, dumps(body))

    def stream_parser(self, params: ChatParams) -> OpenAIStreamParser:
        """A parser of ``chat.completion.chunk`` events."""
        return OpenAIStreamParser(self.name)

    def embed_request(self, cfg: ProviderConfig, model: str, texts: list[str]) -> HttpRequest:
        """``POST <base>/embeddings`` with float vectors."""
        body = {"model": model, "input": texts, "encoding_format": "float"}
        return HttpRequest(
            "POST", self._url(cfg, model, "embeddings"), self._headers(cfg), dumps(body)
        )

    # ------------------------------------------------------------------ answers

    def parse_chat(self, body: Any, params: ChatParams) -> ParsedChat:
        """Read ``choices[0]`` and ``usage`` of a ``chat.completion``."""
        choice = (body.get("choices") or [{}])[0]
        message = choice.get("message") or {}
        calls = tuple(
            ToolCall(
                id=str(c.get("id") or f"call_{i}"),
                name=str((c.get("function") or {}).get("name") or ""),
                arguments=loads_arguments((c.get("function") or {}).get("arguments")),
            )
            for i, c in enumerate(message.get("tool_calls") or [])
            if isinstance(c, dict)
        )
        usage = body.get("usage") or {}
        details = usage.get("prompt_tokens_details") or {}
        inp = as_int(usage.get("prompt_tokens"))
        return ParsedChat(
            text=text_of(message.get("content")),
            finish_reason=choice.get("finish_reason"),
            tool_calls=calls,
            usage=Usage(
                input_tokens=inp,
                output_tokens=as_int(usage.get("completion_tokens")),
                cached_input_tokens=min(inp, as_int(details.get("cached_tokens"))),
            ),
            model=body.get("model") or None,
            response_id=body.get("id"),
        )

    def parse_embeddings(self, body: Any, model: str) -> ParsedEmbeddings:
        """Read ``data[].embedding`` (in ``index`` order) and ``usage``."""
        data = sorted(body.get("data") or [], key=lambda d: d.get("index", 0))
        vectors = []
        for item in data:
            emb = item.get("embedding")
            if isinstance(emb, str):  # base64 little-endian float32, if a server insists
                import struct

                raw = base64.b64decode(emb)
                emb = list(struct.unpack(f"<{len(raw) // 4}f", raw))
            vectors.append([float(x) for x in emb or []])
        usage = body.get("usage") or {}
        return ParsedEmbeddings(
            vectors, Usage(input_tokens=as_int(usage.get("prompt_tokens"))), body.get("model")
        )
