"""Google Gemini API: ``models/<model>:generateContent`` and ``:batchEmbedContents``.

Messages become ``contents`` (roles ``user``/``model``; system text becomes
``systemInstruction``), tools ``functionDeclarations``, tool results ``functionResponse``
parts. A JSON schema goes to ``generationConfig.responseSchema`` (with
``responseMimeType: application/json``), reduced to the OpenAPI subset Gemini accepts:
``$ref`` inlined, ``["T", "null"]`` types as ``nullable``, ``const`` as a one-value ``enum``,
keywords it rejects (``additionalProperties``, ``$schema``, ``default``, ...) dropped; the
answer is still validated against the full schema.
"""

from __future__ import annotations

import json
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
from ardea.llm.adapters.gemini_stream import GeminiStreamParser
from ardea.llm.adapters.parts import (
    Image,
    Text,
    UnsupportedPart,
    read_parts,
    require_image_type,
)
from ardea.llm.credentials import ProviderConfig
from ardea.llm.types import ToolCall, Usage, text_of

__all__ = ["GeminiAdapter", "gemini_schema"]

_KEEP = frozenset(
    {
        "type",
        "format",
        "title",
        "description",
        "nullable",
        "enum",
        "maxItems",
        "minItems",
        "properties",
        "required",
        "propertyOrdering",
        "items",
        "anyOf",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "pattern",
        "minProperties",
        "maxProperties",
    }
)
_FINISH = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
}


def gemini_schema(schema: Any, defs: dict[str, Any] | None = None, depth: int = 0) -> Any:
    """A JSON schema reduced to Gemini's ``Schema`` (see the module doc)."""
    if not isinstance(schema, dict) or depth > 32:
        return schema
    if defs is None:
        defs = {**(schema.get("definitions") or {}), **(schema.get("$defs") or {})}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.rsplit("/", 1)[-1] in defs:
        return gemini_schema(defs[ref.rsplit("/", 1)[-1]], defs, depth + 1)
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "const":
            out["enum"] = [value]
        elif key == "type" and isinstance(value, list):
            kinds = [t for t in value if t != "null"]
            out["type"] = kinds[0] if kinds else "null"
            if "null" in value:
                out["nullable"] = True
        elif key == "properties" and isinstance(value, dict):
            out[key] = {k: gemini_schema(v, defs, depth + 1) for k, v in value.items()}
        elif key == "items":
            out[key] = gemini_schema(value, defs, depth + 1)
        elif key in ("anyOf", "oneOf") and isinstance(value, list):
            out["anyOf"] = [gemini_schema(v, defs, depth + 1) for v in value]
        elif key in _KEEP:
            out[key] = value
    if isinstance(out.get("type"), str):
        out["type"] = out["type"].upper()
    return out


def _contents(messages: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    system = [text_of(m.get("content")) for m in messages if m["role"] in ("system", "developer")]
    names: dict[str, str] = {}
    contents: list[dict[str, Any]] = []
    for index, m in enumerate(messages):
        role = m["role"]
        if role in ("system", "developer"):
            continue
        parts: list[dict[str, Any]] = []
        where = f"messages[{index}]"
        if role == "tool":
            if any(isinstance(p, Image) for p in read_parts(m.get("content"), where, "gemini")):
                raise UnsupportedPart(
                    f"gemini cannot take an image in a tool result ({where}): a "
                    "functionResponse holds JSON only; send the image in a user message"
                )
            call_id = str(m.get("tool_call_id") or "")
            parts.append(
                {
                    "functionResponse": {
                        "name": names.get(call_id, call_id),
                        "response": {"content": text_of(m.get("content"))},
                    }
                }
            )
        else:
            parts.extend(_parts(m.get("content"), where))
            for call in m.get("tool_calls") or []:
                fn = call.get("function") or {}
                names[str(call.get("id"))] = str(fn.get("name"))
                parts.append(
                    {
                        "functionCall": {
                            "name": fn.get("name"),
                            "args": loads_arguments(fn.get("arguments")),
                        }
                    }
                )
        gem_role = "model" if role == "assistant" else "user"
        if contents and contents[-1]["role"] == gem_role:
            contents[-1]["parts"].extend(parts)
        else:
            contents.append({"role": gem_role, "parts": parts})
    return "\n\n".join(s for s in system if s), contents


def _parts(content: Any, where: str) -> list[dict[str, Any]]:
    """Text and image parts as Gemini parts (``inlineData``, or ``fileData`` for a URL)."""
    out: list[dict[str, Any]] = []
    for part in read_parts(content, where, "gemini"):
        if isinstance(part, Text):
            if part.text:
                out.append({"text": part.text})
        elif part.data is not None:
            media_type = require_image_type(part, where, "gemini")
            out.append({"inlineData": {"mimeType": media_type, "data": part.data}})
        else:
            media_type = require_image_type(part, where, "gemini")
            out.append({"fileData": {"mimeType": media_type, "fileUri": part.url}})
    return out


def _tool_config(choice: Any) -> dict[str, Any] | None:
    if choice is None:
        return None
    modes = {"auto": "AUTO", "required": "ANY", "none": "NONE"}
    if isinstance(choice, str) and choice in modes:
        return {"functionCallingConfig": {"mode": modes[choice]}}
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name")
        if name:
            return {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [name]}}
    return None


class GeminiAdapter:
    """The Gemini API (``generativelanguage.googleapis.com``), key in ``x-goog-api-key``."""

    name = "gemini"
    embed_batch_size = 100

    def batch_size(self, model: str) -> int:
        """Texts per embeddings request."""
        return self.embed_batch_size

    def structured_mode(self, model: str) -> StructuredMode:
        """``native``: ``responseSchema``."""
        return "native"

    def _headers(self, cfg: ProviderConfig) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if cfg.api_key:
            headers["x-goog-api-key"] = cfg.api_key.reveal()
        headers.update({k: v.reveal() for k, v in cfg.headers})
        return headers

    def _model_url(self, cfg: ProviderConfig, model: str, method: str) -> str:
        name = model.removeprefix("models/")
        return f"{cfg.base_url}/v1beta/models/{quote(name, safe='')}:{method}"

    def chat_request(self, cfg: ProviderConfig, params: ChatParams) -> HttpRequest:
        """``POST <base>/v1beta/models/<model>:generateContent``."""
        system, contents = _contents(params.messages)
        body: dict[str, Any] = {"contents": contents}
        if system:
            body["systemInstruction"] = {"parts": [{"text": system}]}
        config: dict[str, Any] = {}
        if params.temperature is not None:
            config["temperature"] = params.temperature
        if params.max_tokens is not None:
            config["maxOutputTokens"] = params.max_tokens
        if params.stop:
            config["stopSequences"] = params.stop
        if params.response_schema is not None:
            config["responseMimeType"] = "application/json"
            config["responseSchema"] = gemini_schema(params.response_schema)
        if config:
            body["generationConfig"] = config
        if params.tools:
            body["tools"] = [
                {
                    "functionDeclarations": [
                        {
                            k: v
                            for k, v in {
                                "name": t["function"]["name"],
                                "description": t["function"].get("description"),
                                "parameters": gemini_schema(t["function"].get("parameters")),
                            }.items()
                            if v
                        }
                        for t in params.tools
                        if isinstance(t, dict) and "function" in t
                    ]
                }
            ]
        tool_config = _tool_config(params.tool_choice)
        if tool_config:
            body["toolConfig"] = tool_config
        if params.extra_body:
            body.update(params.extra_body)
        if params.stream:
            url = self._model_url(cfg, params.model, "streamGenerateContent") + "?alt=sse"
        else:
            url = self._model_url(cfg, params.model, "generateContent")
        return HttpRequest("POST", url, self._headers(cfg), dumps(body))

    def stream_parser(self, params: ChatParams) -> GeminiStreamParser:
        """A parser of ``streamGenerateContent`` SSE events."""
        return GeminiStreamParser()

    def parse_chat(self, body: Any, params: ChatParams) -> ParsedChat:
        """Read ``candidates[0]``, ``usageMetadata`` and ``modelVersion``."""
        candidate = (body.get("candidates") or [{}])[0]
        texts: list[str] = []
        calls: list[ToolCall] = []
        for i, part in enumerate((candidate.get("content") or {}).get("parts") or []):
            if isinstance(part.get("text"), str) and not part.get("thought"):
                texts.append(part["text"])
            call = part.get("functionCall")
            if isinstance(call, dict):
                calls.append(
                    ToolCall(
                        str(call.get("id") or f"call_{i}"),
                        str(call.get("name")),
                        loads_arguments(call.get("args")),
                    )
                )
        meta = body.get("usageMetadata") or {}
        inp = as_int(meta.get("promptTokenCount"))
        out = as_int(meta.get("candidatesTokenCount")) + as_int(meta.get("thoughtsTokenCount"))
        reason = candidate.get("finishReason")
        finish = "tool_calls" if calls else _FINISH.get(reason or "", reason and reason.lower())
        text = "".join(texts)
        parsed, has_parsed = None, False
        if params.response_schema is not None:
            try:
                parsed, has_parsed = json.loads(text), True
            except ValueError:
                pass
        return ParsedChat(
            text=text,
            finish_reason=finish,
            tool_calls=tuple(calls),
            usage=Usage(inp, out, min(inp, as_int(meta.get("cachedContentTokenCount")))),
            model=body.get("modelVersion") or None,
            parsed=parsed,
            has_parsed=has_parsed,
            response_id=body.get("responseId"),
        )

    def embed_request(self, cfg: ProviderConfig, model: str, texts: list[str]) -> HttpRequest:
        """``POST <base>/v1beta/models/<model>:batchEmbedContents``."""
        name = "models/" + model.removeprefix("models/")
        body = {"requests": [{"model": name, "content": {"parts": [{"text": t}]}} for t in texts]}
        url = self._model_url(cfg, model, "batchEmbedContents")
        return HttpRequest("POST", url, self._headers(cfg), dumps(body))

    def parse_embeddings(self, body: Any, model: str) -> ParsedEmbeddings:
        """Read ``embeddings[].values`` (Gemini reports no token count)."""
        vectors = [[float(x) for x in e.get("values") or []] for e in body.get("embeddings") or []]
        return ParsedEmbeddings(vectors, Usage(), model)
