"""Anthropic autologging: every ``messages.create`` / ``messages.stream`` call becomes a span.

``ardea.anthropic.autolog()`` patches ``Messages.create`` and ``Messages.stream`` and their
async twins. Each call makes a ``CHAT_MODEL`` span named after the resource class
(``Messages`` / ``AsyncMessages``): inputs are the request arguments (never the API key or
headers), outputs the message (``tool_use`` blocks included), and the attributes
``mlflow.llm.model``, ``mlflow.llm.provider`` (``"anthropic"``), ``mlflow.chat.tokenUsage``
(``input_tokens`` counts the whole prompt, cache reads and writes included, with
``cached_input_tokens`` / ``cache_write_input_tokens`` when non-zero), ``mlflow.llm.cost`` and
``mlflow.chat.tools``. A streamed call (``stream=True`` or the ``messages.stream`` context
manager) keeps its span open until the stream is read or its ``with`` block exits.

Errors in the tracing code are logged and swallowed (raised under ``ARDEA_STRICT=1``); the
SDK's own errors (``anthropic.APIError`` ...) end the span as ERROR and propagate unchanged.
"""

from __future__ import annotations

from typing import Any

from ardea._core.safety import safe_call
from ardea.autolog import _anthropic_parse as parse
from ardea.autolog._llm_call import MODEL, PROVIDER, LLMCall, clean_inputs
from ardea.autolog._patching import Patcher
from ardea.autolog._streams import AsyncTracedStream, TracedStream
from ardea.autolog._wrappers import wrap_method

__all__ = ["autolog", "is_enabled", "revert"]

_patcher = Patcher("anthropic")
_MODULE = "anthropic.resources.messages"


def autolog(disable: bool = False, log_traces: bool = True) -> None:
    """Turn Anthropic autologging on (or off with ``disable=True``).

    Args:
        disable: Remove the patches instead.
        log_traces: Make a span for each call (``False`` keeps the patches but traces nothing).
    """
    if disable:
        revert()
        return
    _patcher.log_traces = log_traces
    _patcher.patch(_MODULE, "Messages", "create", lambda f: _wrap_create(f, False))
    _patcher.patch(_MODULE, "AsyncMessages", "create", lambda f: _wrap_create(f, True))
    _patcher.patch(_MODULE, "Messages", "stream", lambda f: _wrap_stream(f, False))
    _patcher.patch(_MODULE, "AsyncMessages", "stream", lambda f: _wrap_stream(f, True))
    _patcher.enabled = True


def revert() -> None:
    """Remove every patch; later calls make no spans."""
    _patcher.revert()


def is_enabled() -> bool:
    """Whether Anthropic autologging is on."""
    return _patcher.enabled


def _start(resource: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> LLMCall:
    attrs: dict[str, Any] = {PROVIDER: parse.PROVIDER}
    if isinstance(kwargs.get("model"), str):
        attrs[MODEL] = kwargs["model"]
    attrs.update(parse.tools_attrs(kwargs))
    return LLMCall(
        "anthropic", type(resource).__name__, "CHAT_MODEL", clean_inputs(kwargs), attrs, leaf=True
    )


def _wrap_create(original: Any, is_async: bool) -> Any:
    def handle(call: LLMCall, result: Any, kwargs: dict[str, Any]) -> Any:
        if kwargs.get("stream") is True:
            proxy = AsyncTracedStream if is_async else TracedStream
            return proxy(result, call, parse.MessageAccumulator(kwargs))
        call.finish(result, lambda: parse.result_attributes(result, kwargs))
        return result

    return wrap_method(_patcher, original, _start, handle, is_async, _revive)


def _revive(outputs: Any, kwargs: dict[str, Any]) -> Any:
    """A recorded ``messages.create`` response as an ``anthropic`` ``Message`` (replay)."""
    from ardea._core.errors import NotImplementedFeatureError

    if kwargs.get("stream") is True or not isinstance(outputs, dict):
        raise NotImplementedFeatureError(
            "replaying a streamed or unrecorded Anthropic call is not supported"
        )
    from anthropic.types import Message

    return Message.model_validate(outputs)


def _wrap_stream(original: Any, is_async: bool) -> Any:
    def handle(call: LLMCall, manager: Any, kwargs: dict[str, Any]) -> Any:
        return _AsyncManager(manager, call) if is_async else _Manager(manager, call)

    # ``AsyncMessages.stream`` itself is sync: it returns an async context manager.
    return wrap_method(_patcher, original, _start, handle, is_async=False)


class _ManagerBase:
    """Ends the span of a ``messages.stream`` call when its ``with`` block exits."""

    def __init__(self, manager: Any, call: LLMCall) -> None:
        self._ardea_manager = manager
        self._ardea_call = call
        self._ardea_stream: Any = None

    def _ardea_end(self, exc: BaseException | None) -> None:
        call = self._ardea_call
        if exc is not None:
            call.fail(exc)
            return
        try:
            message = self._ardea_stream.current_message_snapshot
        except Exception:  # the stream was never read: no message
            call.finish(None)
            return
        attrs: dict[str, Any] = safe_call(
            "anthropic autolog (recording outputs)",
            lambda: parse.result_attributes(message, {}),
            {},
        )
        call.finish(message, attrs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_ardea_"):
            raise AttributeError(name)
        return getattr(self._ardea_manager, name)

    def __del__(self) -> None:
        try:  # a manager that was never entered still ends its span
            if not self._ardea_call.ended:
                self._ardea_call.finish(None)
        except Exception:  # nothing can be reported during garbage collection
            pass


class _Manager(_ManagerBase):
    def __enter__(self) -> Any:
        try:
            self._ardea_stream = self._ardea_manager.__enter__()
        except BaseException as exc:
            self._ardea_call.fail(exc)
            raise
        return self._ardea_stream

    def __exit__(self, et: Any, ev: Any, tb: Any) -> Any:
        try:
            return self._ardea_manager.__exit__(et, ev, tb)
        finally:
            self._ardea_end(ev)


class _AsyncManager(_ManagerBase):
    async def __aenter__(self) -> Any:
        try:
            self._ardea_stream = await self._ardea_manager.__aenter__()
        except BaseException as exc:
            self._ardea_call.fail(exc)
            raise
        return self._ardea_stream

    async def __aexit__(self, et: Any, ev: Any, tb: Any) -> Any:
        try:
            return await self._ardea_manager.__aexit__(et, ev, tb)
        finally:
            self._ardea_end(ev)
