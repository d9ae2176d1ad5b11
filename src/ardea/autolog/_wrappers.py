"""Wrappers that trace one SDK method: sync or async, plain result or stream.

A wrapper does nothing extra when its integration is off, or inside a framework's LLM span
(a LangChain chat model run already describes the provider call). Otherwise it opens an
:class:`~ardea.autolog._llm_call.LLMCall` (a failure there is reported and the SDK method
runs untraced), calls the SDK, and hands the result to the integration's ``handle`` which
ends the span or returns a stream proxy that will. The SDK's own exceptions end the span as
ERROR and propagate unchanged.

During a replay (:mod:`ardea.tracing.cassette`), the playing cassette may answer instead of
the SDK: the recorded outputs become the SDK's result through the integration's ``revive``
(a stream of the recorded response when ``stream=True``), so no request leaves the process.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ardea._core.safety import report_failure, safe_call
from ardea.autolog._llm_call import LLMCall, inside_framework_llm_span
from ardea.autolog._patching import Patcher
from ardea.tracing import cassette

__all__ = ["Handle", "Revive", "Start", "wrap_method"]

Start = Callable[[Any, tuple[Any, ...], dict[str, Any]], LLMCall]
"""Opens the span of a call: ``start(self, args, kwargs)``."""
Handle = Callable[[LLMCall, Any, dict[str, Any]], Any]
"""Ends the span with the SDK's result (or wraps a stream): returns what the caller gets."""
Revive = Callable[[Any, dict[str, Any]], Any]
"""Turns recorded span outputs into the SDK's result: ``revive(outputs, kwargs)``."""


def _served(call: LLMCall, revive: Revive | None, kwargs: dict[str, Any]) -> Any:
    """The replayed result of ``call``, or ``cassette.LIVE`` when the SDK must answer."""
    playing = cassette.active()
    if playing is None or revive is None:
        return cassette.LIVE
    import orjson

    from ardea.tracing._serialize import dumps

    inputs = orjson.loads(dumps(call.inputs))
    outputs = playing.serve(cassette.LLM, call.name, inputs)
    return outputs if outputs is cassette.LIVE else revive(outputs, kwargs)


def _handled(
    patcher: Patcher, call: LLMCall, handle: Handle, result: Any, kw: dict[str, Any]
) -> Any:
    call.detach()
    try:
        return handle(call, result, kw)
    except Exception as exc:
        try:
            call.finish(None)
        finally:
            report_failure(f"{patcher.integration} autolog (recording a result)", exc)
        return result


def wrap_method(
    patcher: Patcher,
    original: Any,
    start: Start,
    handle: Handle,
    is_async: bool,
    revive: Revive | None = None,
) -> Any:
    """A traced version of the SDK method ``original``.

    Args:
        patcher: The integration (its ``active`` flag is read on every call).
        original: The SDK's function.
        start: Opens the span.
        handle: Ends the span with the result, or wraps a stream.
        is_async: Whether ``original`` returns an awaitable.
        revive: Builds the SDK's result from recorded outputs (for replay); None: never
            replayed.

    Returns:
        The wrapper function.
    """
    what = f"{patcher.integration} autolog (starting a span)"

    if is_async:

        @functools.wraps(original)
        async def async_wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            if not patcher.active or inside_framework_llm_span():
                return await original(self, *args, **kwargs)
            call = safe_call(what, lambda: start(self, args, kwargs), None)
            if call is None:
                return await original(self, *args, **kwargs)
            try:
                result = _served(call, revive, kwargs)
                if result is cassette.LIVE:
                    result = await original(self, *args, **kwargs)
            except BaseException as exc:
                call.fail(exc)
                raise
            return _handled(patcher, call, handle, result, kwargs)

        return async_wrapper

    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not patcher.active or inside_framework_llm_span():
            return original(self, *args, **kwargs)
        call = safe_call(what, lambda: start(self, args, kwargs), None)
        if call is None:
            return original(self, *args, **kwargs)
        try:
            result = _served(call, revive, kwargs)
            if result is cassette.LIVE:
                result = original(self, *args, **kwargs)
        except BaseException as exc:
            call.fail(exc)
            raise
        return _handled(patcher, call, handle, result, kwargs)

    return wrapper
