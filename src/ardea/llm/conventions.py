"""The OpenTelemetry attribute conventions Ardea understands, as data.

Each :class:`Convention` names where one instrumentation family keeps a span's kind, inputs,
outputs, token counts, model and provider. :mod:`ardea.llm.semconv` reads them in the order of
:data:`CONVENTIONS` (MLflow 3.18's order: OpenInference first, then the GenAI semantic
conventions, Traceloop/OpenLLMetry, ...); for each normalized key the first convention that
has a value wins.

Covered: OpenInference, the OpenTelemetry GenAI semantic conventions (and Spring AI, which
follows them), Gemini CLI and Claude Code span kinds, Traceloop/OpenLLMetry, Google ADK, the
Vercel AI SDK, Laminar and Langfuse. Values are read after
:func:`ardea.llm.semconv.decode_attribute_values`, so a JSON-encoded string attribute is
already a string, list or dict here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

__all__ = [
    "CONVENTIONS",
    "GEN_AI_OPERATION_TYPES",
    "OPENINFERENCE_KINDS",
    "SESSION_KEYS",
    "TRACELOOP_KINDS",
    "TRACELOOP_REQUEST_TYPES",
    "USER_KEYS",
    "Convention",
    "KeyPattern",
]

KeyPattern = str | re.Pattern[str]
"""An attribute key, or a pattern a key must match in full (``gen_ai.prompt.0.content``)."""

GEN_AI_OPERATION_TYPES: dict[str, str] = {
    "chat": "CHAT_MODEL",
    "create_agent": "AGENT",
    "embeddings": "EMBEDDING",
    "execute_tool": "TOOL",
    "generate_content": "LLM",
    "invoke_agent": "AGENT",
    "text_completion": "LLM",
    "response": "LLM",
    # Ardea's additions (the GenAI conventions' retrieval and rerank operations):
    "retrieval": "RETRIEVER",
    "rerank": "RERANKER",
}
"""``gen_ai.operation.name`` -> span type."""

OPENINFERENCE_KINDS: dict[str, str] = {
    "LLM": "LLM",
    "CHAIN": "CHAIN",
    "TOOL": "TOOL",
    "RETRIEVER": "RETRIEVER",
    "EMBEDDING": "EMBEDDING",
    "AGENT": "AGENT",
    "RERANKER": "RERANKER",
    "GUARDRAIL": "GUARDRAIL",
    "EVALUATOR": "EVALUATOR",
    "UNKNOWN": "UNKNOWN",
}
"""``openinference.span.kind`` -> span type (any other kind is kept, upper-cased)."""

TRACELOOP_KINDS: dict[str, str] = {
    "workflow": "WORKFLOW",
    "task": "TASK",
    "agent": "AGENT",
    "tool": "TOOL",
    "unknown": "UNKNOWN",
}
"""``traceloop.span.kind`` -> span type."""

TRACELOOP_REQUEST_TYPES: dict[str, str] = {
    "chat": "CHAT_MODEL",
    "completion": "LLM",
    "embedding": "EMBEDDING",
    "rerank": "RERANKER",
}
"""OpenLLMetry's ``llm.request.type`` (before it set ``gen_ai.operation.name``) -> span type."""

SESSION_KEYS: tuple[str, ...] = (
    "session.id",  # OpenInference, OpenTelemetry's session conventions, MLflow
    "gen_ai.conversation.id",  # OpenTelemetry GenAI
    "traceloop.association.properties.session_id",  # OpenLLMetry (traceloop-sdk)
    "langfuse.session.id",
)
"""Where a span names its session (conversation); the first present wins. Ingest copies it to
``session.id``, which a root span gives its trace (``mlflow.trace.session``)."""

USER_KEYS: tuple[str, ...] = (
    "user.id",  # OpenInference, OpenTelemetry, MLflow
    "enduser.id",  # OpenTelemetry's earlier name
    "traceloop.association.properties.user_id",  # OpenLLMetry (traceloop-sdk)
    "langfuse.user.id",
)
"""Where a span names its end user; copied to ``user.id`` (``mlflow.trace.user``)."""


def _is_gemini_cli(attributes: Mapping[str, Any]) -> bool:
    return attributes.get("gen_ai.agent.name") == "gemini-cli"


def _claude_code_kind(value: str) -> str:
    return value if value.startswith("claude_code.") else "claude_code." + value


_VERCEL_CHAT_OPERATIONS = ("ai.generateText.doGenerate", "ai.streamText.doStream")


def _json_deep(value: Any, depth: int = 2) -> Any:
    """``value`` with JSON text decoded, up to ``depth`` nested encodings."""
    while depth >= 0 and isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            break
        depth -= 1
    return value


def _prefixed(attributes: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {
        key[len(prefix) :]: _json_deep(value)
        for key, value in attributes.items()
        if key.startswith(prefix)
    }


def _vercel_chat_inputs(attributes: Mapping[str, Any]) -> Any:
    """A Vercel AI chat call's ``ai.prompt.*`` attributes as one object (else no opinion)."""
    if attributes.get("ai.operationId") not in _VERCEL_CHAT_OPERATIONS:
        return NotImplemented
    inputs = _prefixed(attributes, "ai.prompt.")
    tools = inputs.get("tools")
    if isinstance(tools, list):
        inputs["tools"] = [_json_deep(tool) for tool in tools]
    return inputs or None


def _vercel_chat_outputs(attributes: Mapping[str, Any]) -> Any:
    """A Vercel AI chat call's ``ai.response.*`` attributes as one object (else no opinion)."""
    if attributes.get("ai.operationId") not in _VERCEL_CHAT_OPERATIONS:
        return NotImplemented
    return _prefixed(attributes, "ai.response.") or None


@dataclass(frozen=True, slots=True)
class Convention:
    """Where one instrumentation family keeps what Ardea normalizes.

    Attributes:
        name: A label (tests and docs).
        kind_key: The attribute naming the span's kind.
        kinds: Kind value -> span type. Values not listed give no type, unless
            ``keep_unknown_kinds``.
        case_insensitive_kinds: Compare kinds upper-cased (OpenInference).
        keep_unknown_kinds: An unlisted kind becomes the span type as it is (upper-cased).
        kind_of: Turns the kind value into a key of ``kinds`` (Claude Code's short names).
        applies: When set, the convention is used only for spans it accepts.
        inputs: Keys (or full-match patterns) of the span's inputs, first present wins.
        outputs: Likewise for the outputs.
        input_tokens: Keys of the input token count.
        output_tokens: Keys of the output token count.
        total_tokens: Keys of the total token count.
        cache_read_tokens: Keys of the cached (read) input token count.
        cache_creation_tokens: Keys of the cache-creation input token count.
        models: Keys of the model name.
        providers: Keys of the model provider.
        tools: Keys of the tool definitions offered to the model.
        message_format: Gives ``mlflow.message.format`` (a hint for chat rendering) for the
            spans it recognizes.
        inputs_of: Reads the inputs itself; ``NotImplemented`` falls back to ``inputs``.
        outputs_of: Likewise for the outputs.
    """

    name: str
    kind_key: str | None = None
    kinds: Mapping[str, str] = field(default_factory=dict)
    case_insensitive_kinds: bool = False
    keep_unknown_kinds: bool = False
    kind_of: Callable[[str], str] | None = None
    applies: Callable[[Mapping[str, Any]], bool] | None = None
    inputs: tuple[KeyPattern, ...] = ()
    outputs: tuple[KeyPattern, ...] = ()
    input_tokens: tuple[str, ...] = ()
    output_tokens: tuple[str, ...] = ()
    total_tokens: tuple[str, ...] = ()
    cache_read_tokens: tuple[str, ...] = ()
    cache_creation_tokens: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    message_format: Callable[[Mapping[str, Any]], str | None] | None = None
    inputs_of: Callable[[Mapping[str, Any]], Any] | None = None
    outputs_of: Callable[[Mapping[str, Any]], Any] | None = None

    def span_type(self, attributes: Mapping[str, Any]) -> str | None:
        """The span type this convention reads from ``attributes``, if any."""
        if self.kind_key is None or (self.applies is not None and not self.applies(attributes)):
            return None
        kind = attributes.get(self.kind_key)
        if not isinstance(kind, str) or not kind:
            return None
        if self.kind_of is not None:
            kind = self.kind_of(kind)
        if self.case_insensitive_kinds:
            kind = kind.upper()
        found = self.kinds.get(kind)
        if found is None and self.keep_unknown_kinds:
            return kind
        return found


OPENINFERENCE = Convention(
    "OpenInference",
    kind_key="openinference.span.kind",
    kinds=OPENINFERENCE_KINDS,
    case_insensitive_kinds=True,
    keep_unknown_kinds=True,
    inputs=("input.value",),
    outputs=("output.value",),
    input_tokens=("llm.token_count.prompt",),
    output_tokens=("llm.token_count.completion",),
    total_tokens=("llm.token_count.total",),
    cache_read_tokens=("llm.token_count.prompt_details.cache_read",),
    cache_creation_tokens=("llm.token_count.prompt_details.cache_write",),
    models=(
        "llm.response.model_name",
        "llm.model_name",
        "llm.request.model_name",
        "embedding.model_name",
    ),
    providers=("llm.provider", "llm.system"),
)

GEMINI_CLI = Convention(
    "Gemini CLI",
    kind_key="gen_ai.operation.name",
    kinds={"llm_call": "LLM", "tool_call": "TOOL", "agent_call": "AGENT"},
    applies=_is_gemini_cli,
)

CLAUDE_CODE = Convention(
    "Claude Code",
    kind_key="span.type",
    kinds={
        "claude_code.interaction": "AGENT",
        "claude_code.llm_request": "LLM",
        "claude_code.tool": "TOOL",
    },
    kind_of=_claude_code_kind,
)

GEN_AI = Convention(
    "OpenTelemetry GenAI",
    kind_key="gen_ai.operation.name",
    kinds=GEN_AI_OPERATION_TYPES,
    kind_of=str.lower,
    inputs=(
        "gen_ai.input.messages",
        "gen_ai.tool.call.arguments",
        "gen_ai.prompt",  # the conventions' earlier name
    ),
    outputs=("gen_ai.output.messages", "gen_ai.tool.call.result", "gen_ai.completion"),
    # the conventions' earlier names (before 1.27): prompt_tokens / completion_tokens
    input_tokens=("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"),
    output_tokens=("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"),
    total_tokens=("gen_ai.usage.total_tokens", "llm.usage.total_tokens"),
    cache_read_tokens=(
        "gen_ai.usage.cache_read.input_tokens",
        "gen_ai.usage.cache_read_input_tokens",
    ),
    cache_creation_tokens=(
        "gen_ai.usage.cache_write.input_tokens",
        "gen_ai.usage.cache_creation.input_tokens",
    ),
    models=("gen_ai.response.model", "gen_ai.request.model"),
    providers=("gen_ai.provider.name", "gen_ai.system"),  # gen_ai.system: before 1.37
    tools=("gen_ai.tool.definitions",),
)

TRACELOOP = Convention(
    "Traceloop",
    kind_key="traceloop.span.kind",
    kinds=TRACELOOP_KINDS,
    inputs=(
        "traceloop.entity.input",
        re.compile(r"gen_ai\.prompt\.\d+\.content"),
        re.compile(r"gen_ai\.completion\.\d+\.tool_calls\.\d+\.arguments"),
    ),
    outputs=("traceloop.entity.output", re.compile(r"gen_ai\.completion\.\d+\.content")),
    input_tokens=("gen_ai.usage.prompt_tokens",),
    output_tokens=("gen_ai.usage.completion_tokens",),
    total_tokens=("llm.usage.total_tokens",),
    providers=("gen_ai.system",),
)

OPENLLMETRY_REQUEST = Convention(
    "OpenLLMetry request type",
    kind_key="llm.request.type",
    kinds=TRACELOOP_REQUEST_TYPES,
    kind_of=str.lower,
)

GOOGLE_ADK = Convention(
    "Google ADK",
    inputs=("gcp.vertex.agent.llm_request", "gcp.vertex.agent.tool_call_args"),
    outputs=("gcp.vertex.agent.llm_response", "gcp.vertex.agent.tool_response"),
)

VERCEL_AI = Convention(
    "Vercel AI SDK",
    kind_key="ai.operationId",
    kinds={
        "ai.generateText": "LLM",
        "ai.generateText.doGenerate": "LLM",
        "ai.toolCall": "TOOL",
        "ai.streamText": "LLM",
        "ai.streamText.doStream": "LLM",
        "ai.generateObject": "LLM",
        "ai.generateObject.doGenerate": "LLM",
        "ai.streamObject": "LLM",
        "ai.streamObject.doStream": "LLM",
        "ai.embed": "EMBEDDING",
        "ai.embed.doEmbed": "EMBEDDING",
        "ai.embedMany": "EMBEDDING",
    },
    inputs=("ai.prompt", "ai.toolCall.args", "ai.value", "ai.values"),
    outputs=(
        "ai.response.text",
        "ai.toolCall.result",
        "ai.response.object",
        "ai.embedding",
        "ai.embeddings",
    ),
    inputs_of=_vercel_chat_inputs,
    outputs_of=_vercel_chat_outputs,
    message_format=lambda attributes: (
        "vercel_ai" if attributes.get("ai.operationId") in _VERCEL_CHAT_OPERATIONS else None
    ),
)

LAMINAR = Convention(
    "Laminar",
    kind_key="lmnr.span.type",
    kinds={
        "LLM": "LLM",
        "TOOL": "TOOL",
        "DEFAULT": "CHAIN",
        "PIPELINE": "CHAIN",
        "EXECUTOR": "AGENT",
        "EVALUATOR": "EVALUATOR",
        "HUMAN_EVALUATOR": "EVALUATOR",
        "EVALUATION": "EVALUATOR",
        "CACHED": "LLM",
    },
    inputs=("lmnr.span.input",),
    outputs=("lmnr.span.output",),
    input_tokens=("gen_ai.usage.input_tokens",),
    output_tokens=("gen_ai.usage.output_tokens",),
    models=("gen_ai.response.model", "gen_ai.request.model"),
    providers=("gen_ai.system",),
    message_format=lambda attributes: "openai" if "lmnr.span.type" in attributes else None,
)

LANGFUSE = Convention(
    "Langfuse",
    kind_key="langfuse.observation.type",
    kinds={
        "generation": "LLM",
        "embedding": "EMBEDDING",
        "tool": "TOOL",
        "retriever": "RETRIEVER",
        "agent": "AGENT",
        "chain": "CHAIN",
        "evaluator": "EVALUATOR",
        "guardrail": "GUARDRAIL",
        "span": "UNKNOWN",
    },
    inputs=("langfuse.observation.input",),
    outputs=("langfuse.observation.output",),
)

CONVENTIONS: tuple[Convention, ...] = (
    OPENINFERENCE,
    GEMINI_CLI,
    CLAUDE_CODE,
    GEN_AI,
    TRACELOOP,
    OPENLLMETRY_REQUEST,
    GOOGLE_ADK,
    VERCEL_AI,
    LAMINAR,
    LANGFUSE,
)
"""Every convention, in the order they are consulted."""
