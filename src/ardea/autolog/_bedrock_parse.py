"""Read Bedrock runtime requests and responses (Converse, InvokeModel) into span data.

Converse's ``inputTokens`` leaves out the cache reads and writes; the span's token usage
counts the whole prompt (OpenAI's convention, as :func:`ardea.llm.pricing.compute_cost`
expects). The cost is looked up under the model's vendor (``anthropic.claude-...`` is priced
as Anthropic's Claude); a vendor the price table does not know gives no cost.
InvokeModel bodies are the vendor's own JSON: Anthropic Messages, Titan, Cohere, Llama and
Mistral shapes are read for usage; Bedrock's token-count headers are the fallback.
"""

from __future__ import annotations

import json
from typing import Any

from ardea.autolog._anthropic_parse import MessageAccumulator
from ardea.autolog._llm_call import MODEL, TOOLS, field, positive_int, usage_attributes

__all__ = [
    "ConverseStreamAccumulator",
    "converse_attributes",
    "invoke_attributes",
    "invoke_span_type",
    "json_body",
    "vendor",
]

PROVIDER = "bedrock"

_ANTHROPIC_EVENTS = frozenset({
    "message_start", "content_block_start", "content_block_delta", "content_block_stop",
    "message_delta", "message_stop", "ping",
})  # fmt: skip
_REGION_PREFIXES = frozenset({"us", "eu", "apac", "global", "us-gov", "ca", "jp", "au"})


def vendor(model_id: str | None) -> str | None:
    """The model's vendor (``anthropic`` for ``us.anthropic.claude-...``), or ``None``."""
    if not isinstance(model_id, str) or "." not in model_id:
        return None
    parts = model_id.rsplit("/", 1)[-1].split(".")
    if parts[0] in _REGION_PREFIXES and len(parts) > 2:
        parts = parts[1:]
    return parts[0]


def _usage(model_id: str | None, inp: int, out: int, read: int = 0, written: int = 0) -> Any:
    priced = vendor(model_id)
    model = model_id if priced in ("anthropic", "mistral", "google") else None
    return usage_attributes(model, priced or PROVIDER, inp, out, None, read, written)


def tools_attrs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``{"mlflow.chat.tools": [...]}`` in Chat Completions form from a ``toolConfig``."""
    out = []
    for tool in field(kwargs.get("toolConfig"), "tools") or []:
        spec = field(tool, "toolSpec")
        if spec is None:
            continue
        fn: dict[str, Any] = {"name": field(spec, "name")}
        if field(spec, "description"):
            fn["description"] = field(spec, "description")
        schema = field(field(spec, "inputSchema"), "json")
        if schema is not None:
            fn["parameters"] = schema
        out.append({"type": "function", "function": fn})
    return {TOOLS: out} if out else {}


def converse_attributes(usage: Any, model_id: str | None) -> dict[str, Any]:
    """Model, token usage and cost of a Converse answer's ``usage``."""
    attrs: dict[str, Any] = {MODEL: model_id} if model_id else {}
    if usage is None:
        return attrs
    read = positive_int(field(usage, "cacheReadInputTokens"))
    written = positive_int(field(usage, "cacheWriteInputTokens"))
    inp = positive_int(field(usage, "inputTokens")) + read + written
    attrs.update(_usage(model_id, inp, positive_int(field(usage, "outputTokens")), read, written))
    return attrs


def json_body(raw: Any) -> Any:
    """An InvokeModel body (bytes, str or file) as JSON data, else as it is."""
    if hasattr(raw, "read"):
        return "<stream>"
    try:
        return json.loads(raw) if isinstance(raw, bytes | bytearray | str) else raw
    except ValueError:
        return raw


def invoke_span_type(model_id: str | None, body: Any) -> str:
    """``EMBEDDING`` for embedding models, ``CHAT_MODEL`` for message bodies, else ``LLM``."""
    if isinstance(model_id, str) and "embed" in model_id:
        return "EMBEDDING"
    return "CHAT_MODEL" if isinstance(body, dict) and "messages" in body else "LLM"


def invoke_attributes(model_id: str | None, body: Any, headers: Any) -> dict[str, Any]:
    """Model, token usage and cost of an InvokeModel answer (its parsed body and headers)."""
    attrs: dict[str, Any] = {MODEL: model_id} if model_id else {}
    usage = field(body, "usage") if isinstance(body, dict) else None
    read = written = 0
    if usage is not None and field(usage, "input_tokens") is not None:  # Anthropic
        read = positive_int(field(usage, "cache_read_input_tokens"))
        written = positive_int(field(usage, "cache_creation_input_tokens"))
        inp = positive_int(field(usage, "input_tokens")) + read + written
        out = positive_int(field(usage, "output_tokens"))
    elif isinstance(body, dict) and "inputTextTokenCount" in body:  # Titan
        inp = positive_int(body["inputTextTokenCount"])
        out = sum(positive_int(field(r, "tokenCount")) for r in body.get("results") or [])
    elif isinstance(body, dict) and "prompt_token_count" in body:  # Llama
        inp = positive_int(body["prompt_token_count"])
        out = positive_int(body.get("generation_token_count"))
    else:
        headers = headers if isinstance(headers, dict) else {}
        inp = positive_int(_int(headers.get("x-amzn-bedrock-input-token-count")))
        out = positive_int(_int(headers.get("x-amzn-bedrock-output-token-count")))
        if not inp and not out:
            return attrs
    attrs.update(_usage(model_id, inp, out, read, written))
    return attrs


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def summarize_embeddings(body: Any) -> Any:
    """An embeddings answer with each vector replaced by its dimensions."""
    if not isinstance(body, dict):
        return body
    out = dict(body)
    if isinstance(out.get("embedding"), list):
        out["embedding"] = {"dimensions": len(out["embedding"])}
    if isinstance(out.get("embeddings"), list):
        out["embeddings"] = [
            {"dimensions": len(v)} if isinstance(v, list) else v for v in out["embeddings"]
        ]
    return out


class ConverseStreamAccumulator:
    """Assembles ConverseStream events into a Converse-shaped answer.

    Args:
        kwargs: The request arguments (for the model id).
    """

    def __init__(self, kwargs: dict[str, Any]) -> None:
        model_id = kwargs.get("modelId")
        self.model_id: str | None = model_id if isinstance(model_id, str) else None
        self.blocks: dict[int, dict[str, Any]] = {}
        self.tool_input: dict[int, str] = {}
        self.stop_reason: Any = None
        self.usage: Any = None
        self.role = "assistant"

    def add(self, item: Any) -> None:
        """Take one event (``{"contentBlockDelta": {...}}``, ...)."""
        if not isinstance(item, dict):
            return
        if "messageStart" in item:
            self.role = item["messageStart"].get("role") or self.role
        elif "contentBlockStart" in item:
            event = item["contentBlockStart"]
            use = (event.get("start") or {}).get("toolUse")
            if use is not None:
                self.blocks[event.get("contentBlockIndex", 0)] = {"toolUse": dict(use)}
        elif "contentBlockDelta" in item:
            self._delta(item["contentBlockDelta"])
        elif "messageStop" in item:
            self.stop_reason = item["messageStop"].get("stopReason")
        elif "metadata" in item:
            self.usage = item["metadata"].get("usage")

    def _delta(self, event: dict[str, Any]) -> None:
        index = event.get("contentBlockIndex", 0)
        delta = event.get("delta") or {}
        if "text" in delta:
            block = self.blocks.setdefault(index, {"text": ""})
            block["text"] = block.get("text", "") + delta["text"]
        elif "toolUse" in delta:
            self.tool_input[index] = self.tool_input.get(index, "") + (
                delta["toolUse"].get("input") or ""
            )
        elif "reasoningContent" in delta:
            block = self.blocks.setdefault(index, {"reasoningContent": {"text": ""}})
            reasoning = block.setdefault("reasoningContent", {"text": ""})
            reasoning["text"] = reasoning.get("text", "") + (
                delta["reasoningContent"].get("text") or ""
            )

    def result(self) -> tuple[Any, dict[str, Any]]:
        """The assembled answer and the span attributes."""
        for index, text in self.tool_input.items():
            use = self.blocks.setdefault(index, {"toolUse": {}})["toolUse"]
            try:
                use["input"] = json.loads(text) if text else {}
            except ValueError:
                use["input"] = text
        content = [self.blocks[i] for i in sorted(self.blocks)]
        out: dict[str, Any] = {"output": {"message": {"role": self.role, "content": content}},
                               "stopReason": self.stop_reason}  # fmt: skip
        if self.usage is not None:
            out["usage"] = self.usage
        return out, converse_attributes(self.usage, self.model_id)


class InvokeStreamAccumulator:
    """Assembles ``invoke_model_with_response_stream`` chunks (Anthropic bodies as a message).

    Args:
        kwargs: The request arguments (for the model id).
    """

    def __init__(self, kwargs: dict[str, Any]) -> None:
        model_id = kwargs.get("modelId")
        self.model_id: str | None = model_id if isinstance(model_id, str) else None
        self.anthropic = MessageAccumulator({})
        self.chunks: list[Any] = []

    def add(self, item: Any) -> None:
        """Take one ``{"chunk": {"bytes": ...}}`` event."""
        raw = field(field(item, "chunk"), "bytes")
        if raw is None:
            return
        data = json_body(raw)
        if isinstance(data, dict) and data.get("type") in _ANTHROPIC_EVENTS:
            self.anthropic.add(data)
        else:
            self.chunks.append(data)

    def result(self) -> tuple[Any, dict[str, Any]]:
        """The assembled answer and the span attributes."""
        if self.chunks:
            return self.chunks, {MODEL: self.model_id} if self.model_id else {}
        message, _ = self.anthropic.result()
        return message, invoke_attributes(self.model_id, message, None)
