"""The AI gateway's invocation paths in the OpenAPI document.

:mod:`ardea.server.gateway` serves ``/gateway/...``, MLflow's deployments-client paths and
``/metrics`` from a plain ASGI layer (no FastAPI routing on the hot path), so FastAPI does not
see them. :func:`add_gateway_paths` writes them into the document instead: path, method,
summary, and request and answer schemas that name the provider API each path speaks (the
schemas are deliberately open, ``additionalProperties: true``: the gateway passes fields it
does not know through to the provider). Errors are in each API's own shape, not MLflow's
envelope: OpenAI's ``{"error": {...}}``, Anthropic's ``{"type": "error", "error": {...}}``,
Google's ``{"error": {"code", "message", "status"}}``, and MLflow's on its own paths.

Nothing here runs on a request: the document is built only when it is asked for.
"""

from __future__ import annotations

from typing import Any

__all__ = ["GATEWAY_DOC_PREFIXES", "GATEWAY_TAG", "add_gateway_paths", "add_metrics_path"]

GATEWAY_TAG = "AI gateway"
"""The tag of every gateway operation in the document."""

GATEWAY_DOC_PREFIXES = ("/gateway/", "/endpoints/", "/api/2.0/endpoints", "/metrics")
"""Path prefixes of the operations :func:`add_gateway_paths` documents."""

_OPENAI = "https://platform.openai.com/docs/api-reference"
_ANTHROPIC = "https://docs.anthropic.com/en/api/messages"
_GEMINI = "https://ai.google.dev/api/generate-content"
_MLFLOW = "https://mlflow.org/docs/latest/genai/governance/ai-gateway/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _open(description: str, url: str, required: tuple[str, ...] = (), **props: Any) -> Any:
    schema: dict[str, Any] = {
        "type": "object",
        "description": description,
        "additionalProperties": True,
        "properties": props,
        "externalDocs": {"url": url},
    }
    if required:
        schema["required"] = list(required)
    return schema


_STRING = {"type": "string"}
_OBJECT = {"type": "object", "additionalProperties": True}
_OBJECTS = {"type": "array", "items": _OBJECT}

SCHEMAS: dict[str, Any] = {
    "GatewayOpenAIError": {
        "type": "object",
        "description": "OpenAI's error body (the gateway's errors on its OpenAI-compatible paths).",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["message", "type"],
                "properties": {
                    "message": _STRING,
                    "type": _STRING,
                    "param": {"anyOf": [_STRING, {"type": "null"}]},
                    "code": {"anyOf": [_STRING, {"type": "null"}]},
                },
            }
        },
    },
    "GatewayAnthropicError": {
        "type": "object",
        "description": "Anthropic's error body (the gateway's errors on its Anthropic path).",
        "required": ["type", "error"],
        "properties": {
            "type": {"type": "string", "enum": ["error"]},
            "error": {
                "type": "object",
                "required": ["type", "message"],
                "properties": {"type": _STRING, "message": _STRING},
            },
        },
    },
    "GatewayGeminiError": {
        "type": "object",
        "description": "Google's error body (the gateway's errors on its Gemini passthrough).",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "status"],
                "properties": {"code": {"type": "integer"}, "message": _STRING, "status": _STRING},
            }
        },
    },
    "GatewayChatRequest": _open(
        "An OpenAI Chat Completions request; `model` names a gateway endpoint "
        "(`<endpoint>/<target>` picks a target where the endpoint allows it). With "
        "`stream: true` the answer is SSE `chat.completion.chunk` frames.",
        f"{_OPENAI}/chat/create",
        ("model", "messages"),
        model=_STRING,
        messages=_OBJECTS,
        stream={"type": "boolean"},
        stream_options=_OBJECT,
    ),
    "GatewayChatCompletion": _open(
        "An OpenAI chat completion.",
        f"{_OPENAI}/chat/object",
        ("choices",),
        id=_STRING,
        object=_STRING,
        model=_STRING,
        choices=_OBJECTS,
        usage=_OBJECT,
    ),
    "GatewayEmbeddingsRequest": _open(
        "An OpenAI Embeddings request; `model` names a gateway endpoint.",
        f"{_OPENAI}/embeddings/create",
        ("model", "input"),
        model=_STRING,
        input={},
    ),
    "GatewayEmbeddings": _open(
        "OpenAI's embeddings list.", f"{_OPENAI}/embeddings/object", ("data",), data=_OBJECTS
    ),
    "GatewayResponsesRequest": _open(
        "An OpenAI Responses request; `model` names a gateway endpoint.",
        f"{_OPENAI}/responses/create",
        ("model",),
        model=_STRING,
        input={},
        stream={"type": "boolean"},
    ),
    "GatewayResponse": _open("An OpenAI response object.", f"{_OPENAI}/responses/object"),
    "GatewayProxyRequest": _open(
        "Any JSON body of the provider API the path names (sent as it is).",
        "https://mlflow.org/docs/latest/genai/governance/ai-gateway/",
    ),
    "GatewayProxyAnswer": _open(
        "The provider's answer, as it is.",
        "https://mlflow.org/docs/latest/genai/governance/ai-gateway/",
    ),
    "GatewayCompactRequest": _open(
        "An OpenAI Responses compaction request (unary); `model` names a gateway endpoint.",
        f"{_OPENAI}/responses/compact",
        ("model",),
        model=_STRING,
        input={},
    ),
    "GatewayCompactedResponse": _open(
        "OpenAI's compacted response (`response.compaction`).",
        f"{_OPENAI}/responses/compact",
        ("output",),
        output=_OBJECTS,
    ),
    "GatewayModelList": _open(
        "OpenAI's model list: one entry per gateway endpoint of the workspace.",
        f"{_OPENAI}/models/list",
        ("object", "data"),
        object=_STRING,
        data=_OBJECTS,
    ),
    "GatewayMessagesRequest": _open(
        "An Anthropic Messages request; `model` names a gateway endpoint. With `stream: true` "
        "the answer is Anthropic's SSE events (`message_start` ... `message_stop`).",
        _ANTHROPIC,
        ("model", "messages", "max_tokens"),
        model=_STRING,
        messages=_OBJECTS,
        max_tokens={"type": "integer"},
        stream={"type": "boolean"},
    ),
    "GatewayMessage": _open(
        "An Anthropic message.", _ANTHROPIC, ("content",), content=_OBJECTS, usage=_OBJECT
    ),
    "GatewayGenerateContentRequest": _open(
        "A Gemini generateContent request.", _GEMINI, ("contents",), contents=_OBJECTS
    ),
    "GatewayGenerateContentResponse": _open(
        "A Gemini generateContent answer.", _GEMINI, candidates=_OBJECTS, usageMetadata=_OBJECT
    ),
    "GatewayInvocationsRequest": _open(
        "MLflow's unified invocation: `messages` (a chat, OpenAI-shaped) or `input` "
        "(embeddings), with the provider's other parameters.",
        _MLFLOW,
        messages=_OBJECTS,
        input={},
    ),
    "GatewayInvocationsAnswer": _open(
        "A chat completion or an embeddings list, in OpenAI's shape (MLflow's chat schema).",
        _MLFLOW,
    ),
    "GatewayDeploymentsEndpoint": {
        "type": "object",
        "description": "An endpoint as MLflow's deployments client reads it.",
        "required": ["name", "endpoint_type", "model", "endpoint_url"],
        "properties": {
            "name": _STRING,
            "endpoint_type": _STRING,
            "model": {
                "type": "object",
                "properties": {"name": _STRING, "provider": _STRING},
            },
            "endpoint_url": _STRING,
            "limit": {"anyOf": [_OBJECT, {"type": "null"}]},
        },
    },
    "GatewayDeploymentsEndpointList": {
        "type": "object",
        "description": "Every endpoint of the workspace, in one page.",
        "required": ["endpoints"],
        "properties": {
            "endpoints": {"type": "array", "items": _ref("GatewayDeploymentsEndpoint")},
            "next_page_token": _STRING,
        },
    },
}
"""The component schemas the gateway's operations refer to."""

_ERROR = {
    "openai": "GatewayOpenAIError",
    "anthropic": "GatewayAnthropicError",
    "gemini": "GatewayGeminiError",
    "mlflow": "ErrorResponse",
}
_STATUS = {
    400: "Malformed body, a missing `model`, a model override the endpoint does not allow, "
    "or the provider's own 400.",
    401: "No valid credentials (a server with `--auth`), or the provider refused its key.",
    403: "The caller lacks USE on the endpoint.",
    404: "No gateway endpoint of that name in the workspace.",
    413: "The body is larger than `ARDEA_GATEWAY_MAX_BODY_BYTES`.",
    429: "The provider's rate limit (its `Retry-After` kept), or a limit or budget.",
    500: "The provider's 5xx.",
    501: "The gateway is not enabled on this server.",
    502: "The provider could not be reached, or answered something unreadable.",
    504: "The endpoint's deadline passed.",
}
_SSE = {
    "text/event-stream": {
        "schema": {"type": "string", "description": "Server-sent events, relayed as they come."}
    }
}


def _operation(
    summary: str,
    dialect: str,
    request: str | None,
    answer: str,
    *,
    stream: bool = False,
    params: tuple[str, ...] = (),
    description: str = "",
) -> dict[str, Any]:
    ok: dict[str, Any] = {"application/json": {"schema": _ref(answer)}}
    if stream:
        ok = {**ok, **_SSE}
    responses: dict[str, Any] = {"200": {"description": "The answer.", "content": ok}}
    for status, text in _STATUS.items():
        error = {"application/json": {"schema": _ref(_ERROR[dialect])}}
        responses[str(status)] = {"description": text, "content": error}
    op: dict[str, Any] = {
        "tags": [GATEWAY_TAG],
        "summary": summary,
        "operationId": "gateway_" + "".join(c if c.isalnum() else "_" for c in summary.lower()),
        "responses": responses,
    }
    if description:
        op["description"] = description
    if request is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(request)}},
        }
    if params:
        op["parameters"] = [
            {"name": p, "in": "path", "required": True, "schema": _STRING} for p in params
        ]
    return op


def _paths() -> dict[str, dict[str, Any]]:
    chat = ("GatewayChatRequest", "GatewayChatCompletion")
    embeddings = ("GatewayEmbeddingsRequest", "GatewayEmbeddings")
    responses = ("GatewayResponsesRequest", "GatewayResponse")
    compact = ("GatewayCompactRequest", "GatewayCompactedResponse")
    invocations = ("GatewayInvocationsRequest", "GatewayInvocationsAnswer")
    gemini = ("GatewayGenerateContentRequest", "GatewayGenerateContentResponse")
    return {
        "/gateway/v1/chat/completions": {
            "post": _operation("OpenAI chat completions", "openai", *chat, stream=True)
        },
        "/gateway/v1/embeddings": {"post": _operation("OpenAI embeddings", "openai", *embeddings)},
        "/gateway/v1/responses": {
            "post": _operation("OpenAI responses", "openai", *responses, stream=True)
        },
        "/gateway/v1/responses/compact": {
            "post": _operation("OpenAI responses compact", "openai", *compact)
        },
        "/gateway/v1/models": {
            "get": _operation("OpenAI model list", "openai", None, "GatewayModelList")
        },
        "/gateway/anthropic/v1/messages": {
            "post": _operation(
                "Anthropic messages",
                "anthropic",
                "GatewayMessagesRequest",
                "GatewayMessage",
                stream=True,
            )
        },
        "/gateway/mlflow/v1/chat/completions": {
            "post": _operation("MLflow chat completions", "openai", *chat, stream=True)
        },
        "/gateway/mlflow/v1/embeddings": {
            "post": _operation("MLflow embeddings", "openai", *embeddings)
        },
        "/gateway/mlflow/v1/models": {
            "get": _operation("MLflow model list", "openai", None, "GatewayModelList")
        },
        "/gateway/openai/v1/chat/completions": {
            "post": _operation("OpenAI passthrough chat completions", "openai", *chat, stream=True)
        },
        "/gateway/openai/v1/embeddings": {
            "post": _operation("OpenAI passthrough embeddings", "openai", *embeddings)
        },
        "/gateway/openai/v1/responses": {
            "post": _operation("OpenAI passthrough responses", "openai", *responses, stream=True)
        },
        "/gateway/openai/v1/responses/compact": {
            "post": _operation("OpenAI passthrough responses compact", "openai", *compact)
        },
        "/gateway/openai/v1/models": {
            "get": _operation("OpenAI passthrough model list", "openai", None, "GatewayModelList")
        },
        "/gateway/{endpoint}/mlflow/invocations": {
            "post": _operation(
                "MLflow unified invocations", "mlflow", *invocations, params=("endpoint",)
            )
        },
        "/gateway/proxy/{endpoint}/{path}": {
            "post": _operation(
                "Raw proxy",
                "openai",
                "GatewayProxyRequest",
                "GatewayProxyAnswer",
                stream=True,
                params=("endpoint", "path"),
                description=(
                    "The body, unchanged, to `<target base URL>/<path>` with the endpoint's "
                    "credentials; the provider's answer as it is. `path` may hold `/`."
                ),
            )
        },
        "/gateway/gemini/v1beta/models/{endpoint}:generateContent": {
            "post": _operation("Gemini generateContent", "gemini", *gemini, params=("endpoint",))
        },
        "/gateway/gemini/v1beta/models/{endpoint}:streamGenerateContent": {
            "post": _operation(
                "Gemini streamGenerateContent",
                "gemini",
                *gemini,
                stream=True,
                params=("endpoint",),
            )
        },
        "/endpoints/{endpoint}/invocations": {
            "post": _operation(
                "MLflow deployments predict",
                "mlflow",
                *invocations,
                params=("endpoint",),
                description="`mlflow.deployments.get_deploy_client(<server>).predict(...)`.",
            )
        },
        "/api/2.0/endpoints/": {
            "get": _operation(
                "MLflow deployments list endpoints",
                "mlflow",
                None,
                "GatewayDeploymentsEndpointList",
            )
        },
        "/api/2.0/endpoints/{endpoint}": {
            "get": _operation(
                "MLflow deployments get endpoint",
                "mlflow",
                None,
                "GatewayDeploymentsEndpoint",
                params=("endpoint",),
            )
        },
    }


_METRICS = {
    "get": {
        "tags": ["Operations"],
        "summary": "Prometheus metrics",
        "operationId": "gateway_prometheus_metrics",  # its name since the gateway served it
        "description": "The server's metrics (requests, ingest, queues, database pools, dropped "
        "spans, the process; the AI gateway's when it is on) in Prometheus' text format "
        "(docs/operations.md). On a server with `--auth` only an admin may read them, unless "
        "`ARDEA_METRICS_PUBLIC=1`.",
        "responses": {
            "200": {
                "description": "The metrics in Prometheus' text format.",
                "content": {"text/plain": {"schema": _STRING}},
            },
            "401": {
                "description": "No valid credentials (a server with `--auth`).",
                "content": {"application/json": {"schema": _ref("ErrorResponse")}},
            },
            "403": {
                "description": "The caller is no admin (a server with `--auth`).",
                "content": {"application/json": {"schema": _ref("ErrorResponse")}},
            },
        },
    }
}


def add_metrics_path(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` (changed in place) with ``GET /metrics``, which every server answers."""
    doc.setdefault("paths", {})["/metrics"] = _METRICS
    tags = doc.setdefault("tags", [])
    if not any(t.get("name") == "Operations" for t in tags):
        tags.append(
            {"name": "Operations", "description": "Running the server (docs/operations.md)."}
        )
    return doc


def add_gateway_paths(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` (changed in place) with the gateway's paths and their component schemas."""
    doc.setdefault("paths", {}).update(_paths())
    components = doc.setdefault("components", {})
    schemas = {**components.get("schemas", {}), **SCHEMAS}
    components["schemas"] = dict(sorted(schemas.items()))
    tags = doc.setdefault("tags", [])
    if not any(t.get("name") == GATEWAY_TAG for t in tags):
        tags.append(
            {
                "name": GATEWAY_TAG,
                "description": "Invocation paths of the AI gateway, served without FastAPI "
                "routing; requests and answers are the provider APIs' own (docs/gateway.md).",
            }
        )
    return doc
