"""AWS Bedrock autologging: ``bedrock-runtime`` clients of ``boto3`` / ``botocore`` make spans.

``ardea.bedrock.autolog()`` patches ``botocore.client.ClientCreator.create_client``: every
``bedrock-runtime`` client created afterwards has its ``converse`` and ``converse_stream``
(``CHAT_MODEL``), ``invoke_model`` and ``invoke_model_with_response_stream`` (``CHAT_MODEL``
for message bodies such as Anthropic's, ``EMBEDDING`` for embedding models, else ``LLM``)
traced. Clients created before ``autolog()`` are not. Span inputs are the request arguments
(an InvokeModel body parsed from its JSON); outputs are the answer without
``ResponseMetadata`` (embedding vectors summarized as their dimensions). Credentials, SigV4
signatures and HTTP headers never reach a span. A streamed answer keeps its span open until
the ``stream`` / ``body`` event stream is read and records the assembled message.

Each span carries ``mlflow.llm.model`` (the model id), ``mlflow.llm.provider``
(``"bedrock"``), ``mlflow.chat.tokenUsage`` (cache reads and writes counted in the prompt),
``mlflow.llm.cost`` (priced as the vendor's model when the price table knows it, e.g.
Anthropic's Claude) and ``mlflow.chat.tools`` (Converse ``toolConfig``).

Supports ``boto3`` / ``botocore`` 1.34 and later (tested with 1.44). Errors in the tracing
code are logged and swallowed (raised under ``ARDEA_STRICT=1``); botocore's own errors
(``ClientError`` ...) end the span as ERROR and propagate unchanged. Replay is not supported.
"""

from __future__ import annotations

import functools
import io
import types
from typing import Any

from ardea._core.safety import safe_call, swallow_failures
from ardea.autolog import _bedrock_parse as parse
from ardea.autolog._llm_call import MODEL, PROVIDER, LLMCall, field
from ardea.autolog._patching import Patcher
from ardea.autolog._streams import TracedStream
from ardea.autolog._wrappers import wrap_method

__all__ = ["autolog", "is_enabled", "revert"]

_patcher = Patcher("bedrock")
_SERVICE = "bedrock-runtime"
_METHODS = ("converse", "converse_stream", "invoke_model", "invoke_model_with_response_stream")


def autolog(disable: bool = False, log_traces: bool = True) -> None:
    """Turn Bedrock autologging on (or off with ``disable=True``).

    Args:
        disable: Remove the patch instead (clients already traced stop making spans).
        log_traces: Make a span for each call (``False`` keeps the patches but traces nothing).
    """
    if disable:
        revert()
        return
    _patcher.log_traces = log_traces
    _patcher.patch("botocore.client", "ClientCreator", "create_client", _wrap_create_client)
    _patcher.enabled = True


def revert() -> None:
    """Remove the patch; later calls (of clients created before too) make no spans."""
    _patcher.revert()


def is_enabled() -> bool:
    """Whether Bedrock autologging is on."""
    return _patcher.enabled


def _wrap_create_client(original: Any) -> Any:
    @functools.wraps(original)
    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        if _patcher.enabled:
            safe_call("bedrock autolog (instrumenting a client)", lambda: _instrument(client), None)
        return client

    return create_client


_streaming_body: Any = None  # botocore.response.StreamingBody, set when a client is instrumented


def _instrument(client: Any) -> None:
    global _streaming_body
    if client.meta.service_model.service_name != _SERVICE:
        return
    if _streaming_body is None:
        from botocore.response import StreamingBody  # type: ignore[import-untyped]

        _streaming_body = StreamingBody
    for method in _METHODS:
        with swallow_failures(f"bedrock autolog (patching {method})"):
            function = getattr(type(client), method)
            wrapper = wrap_method(_patcher, function, _start(method), _handle(method), False)
            setattr(client, method, types.MethodType(wrapper, client))


def _start(method: str) -> Any:
    def start(client: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> LLMCall:
        model_id = kwargs.get("modelId")
        attrs: dict[str, Any] = {PROVIDER: parse.PROVIDER}
        if isinstance(model_id, str):
            attrs[MODEL] = model_id
        inputs = dict(kwargs)
        if method.startswith("converse"):
            span_type = "CHAT_MODEL"
            attrs.update(parse.tools_attrs(kwargs))
        else:
            inputs["body"] = parse.json_body(kwargs.get("body"))
            span_type = parse.invoke_span_type(model_id, inputs["body"])
        return LLMCall("bedrock", f"BedrockRuntime.{method}", span_type, inputs, attrs, leaf=True)

    return start


def _handle(method: str) -> Any:
    def handle(call: LLMCall, result: Any, kwargs: dict[str, Any]) -> Any:
        model_id = kwargs.get("modelId") if isinstance(kwargs.get("modelId"), str) else None
        if method == "converse":
            outputs = {k: v for k, v in result.items() if k != "ResponseMetadata"}
            call.finish(outputs, lambda: parse.converse_attributes(result.get("usage"), model_id))
        elif method == "converse_stream":
            result["stream"] = TracedStream(
                result["stream"], call, parse.ConverseStreamAccumulator(kwargs)
            )
        elif method == "invoke_model_with_response_stream":
            result["body"] = TracedStream(
                result["body"], call, parse.InvokeStreamAccumulator(kwargs)
            )
        else:
            _finish_invoke(call, result, model_id)
        return result

    return handle


def _finish_invoke(call: LLMCall, result: Any, model_id: str | None) -> None:
    """Read the answer body (and put an unread copy back for the caller), end the span."""
    raw = result["body"].read()
    result["body"] = _streaming_body(io.BytesIO(raw), len(raw))
    body = parse.json_body(raw)
    headers = field(result.get("ResponseMetadata"), "HTTPHeaders")
    attrs = parse.invoke_attributes(model_id, body, headers)
    if isinstance(model_id, str) and "embed" in model_id:
        body = parse.summarize_embeddings(body)
    call.finish(body, attrs)
