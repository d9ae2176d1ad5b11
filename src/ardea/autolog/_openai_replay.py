"""Recorded OpenAI span outputs back into ``openai`` SDK objects (deterministic replay).

Chat completions replay as ``ChatCompletion`` or, for ``stream=True``, as a stream of
``ChatCompletionChunk`` items rebuilt from the recorded (assembled) completion: the text in
one chunk per choice, each tool call in one delta, then the finish reasons and the usage
chunk. Responses and legacy completions replay unstreamed. Embeddings cannot replay: their
spans record the vector sizes, not the vectors.
"""

from __future__ import annotations

from typing import Any

from ardea._core.errors import NotImplementedFeatureError
from ardea.autolog._replay_streams import AsyncReplayStream, ReplayStream

__all__ = ["reviver"]


def reviver(module: str, is_async: bool) -> Any:
    """The ``revive(outputs, kwargs)`` function for one patched SDK module.

    Args:
        module: The patched ``openai.resources...`` module.
        is_async: Whether streams must be async.

    Returns:
        The function.
    """

    def revive(outputs: Any, kwargs: dict[str, Any]) -> Any:
        if not isinstance(outputs, dict):
            raise NotImplementedFeatureError(
                f"the recording of this {module} call has no response object to replay"
            )
        headers = kwargs.get("extra_headers") or {}
        if any(str(k).lower() == "x-stainless-raw-response" for k in headers):
            raise NotImplementedFeatureError(
                "with_raw_response / with_streaming_response calls cannot be replayed"
            )
        stream = kwargs.get("stream") is True
        if module.endswith("chat.completions"):
            if stream:
                items = _chunks(outputs, kwargs)
                return AsyncReplayStream(items) if is_async else ReplayStream(items)
            from openai.types.chat import ChatCompletion

            return ChatCompletion.model_validate(outputs)
        if stream:
            raise NotImplementedFeatureError(
                f"replaying a streamed {module} call is not supported (chat completions are)"
            )
        if module.endswith("responses"):
            from openai.types.responses import Response

            return Response.model_validate(outputs)
        if module.endswith(".completions"):
            from openai.types import Completion

            return Completion.model_validate(outputs)
        raise NotImplementedFeatureError(
            "embeddings cannot be replayed: their spans record vector sizes, not vectors"
        )

    return revive


def _chunks(outputs: dict[str, Any], kwargs: dict[str, Any]) -> list[Any]:
    """``chat.completion.chunk`` items that assemble into the recorded completion."""
    from openai.types.chat import ChatCompletionChunk

    head = {
        "id": outputs.get("id") or "chatcmpl-replay",
        "object": "chat.completion.chunk",
        "created": outputs.get("created") or 0,
        "model": outputs.get("model") or kwargs.get("model") or "",
    }
    deltas, ends = [], []
    for choice in outputs.get("choices") or []:
        message = choice.get("message") or {}
        delta: dict[str, Any] = {"role": message.get("role") or "assistant"}
        if message.get("content") is not None:
            delta["content"] = message["content"]
        calls = message.get("tool_calls") or []
        if calls:
            delta["tool_calls"] = [
                {"index": i, "id": c.get("id"), "type": "function", "function": c.get("function")}
                for i, c in enumerate(calls)
            ]
        index = choice.get("index", 0)
        deltas.append({"index": index, "delta": delta, "finish_reason": None})
        ends.append({"index": index, "delta": {}, "finish_reason": choice.get("finish_reason")})
    docs = [{**head, "choices": deltas}, {**head, "choices": ends}]
    if outputs.get("usage") is not None:
        docs.append({**head, "choices": [], "usage": outputs["usage"]})
    return [ChatCompletionChunk.model_validate(d) for d in docs]
