"""Spans around an agent framework's own methods: agent runs, tasks, steps, tools, model calls.

Shared by the CrewAI and smolagents integrations. :func:`wrap_call` traces a sync or async
method, :func:`wrap_generator` a method returning a generator (the span stays open until the
generator is exhausted or closed, and is the current span only while the generator's own code
runs). Each traced call opens a :class:`FrameworkSpan` through the integration's ``start``
(which may return ``None`` to leave a call untraced) and ends it with what ``finish`` makes
of the result. A model span registers itself in ``framework_llm_spans``, so the provider SDK
call it makes underneath (``openai``) adds no second span. Failures of the telemetry code are
reported through :mod:`ardea._core.safety`; the framework's own exceptions end the span as
ERROR and propagate unchanged.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Generator, Iterator, Mapping
from typing import Any

from ardea._core.safety import report_failure, safe_call
from ardea.autolog._llm_call import LLMCall, framework_llm_spans
from ardea.autolog._patching import Patcher
from ardea.tracing.spans import runtime

__all__ = ["Finish", "FrameworkSpan", "Start", "wrap_call", "wrap_generator"]


class FrameworkSpan(LLMCall):
    """The span of one framework method call (current while the call runs).

    Args:
        integration: Integration name for failure reports (``"crewai"``).
        name: Span name.
        span_type: ``AGENT``, ``CHAIN``, ``TOOL``, ``CHAT_MODEL``, ...
        inputs: The span inputs.
        attributes: Extra attributes set at start.
        llm: The span is a model call: provider SDK calls made inside it make no span.

    Attributes:
        state: Whatever the integration keeps between ``start`` and ``finish``.
    """

    def __init__(
        self,
        integration: str,
        name: str,
        span_type: str,
        inputs: Any,
        attributes: Mapping[str, Any] | None = None,
        llm: bool = False,
    ) -> None:
        super().__init__(integration, name, span_type, inputs, attributes or {})
        self.state: Any = None
        self.llm_span_id = self.span.otel_span.get_span_context().span_id if llm else None
        if self.llm_span_id is not None:
            framework_llm_spans.add(self.llm_span_id)

    def _release(self) -> None:
        if self.llm_span_id is not None:
            framework_llm_spans.discard(self.llm_span_id)

    def fail(self, exc: BaseException) -> None:
        """End the span as ERROR with an ``exception`` event for ``exc``."""
        self._release()
        super().fail(exc)

    def finish(self, outputs: Any, *args: Any, **kwargs: Any) -> None:
        """Set the outputs (and attributes, see :meth:`LLMCall.finish`), then end the span."""
        self._release()
        super().finish(outputs, *args, **kwargs)


Start = Callable[[Any, tuple[Any, ...], dict[str, Any]], FrameworkSpan | None]
"""Opens the span of a call, ``start(self, args, kwargs)``; ``None`` leaves it untraced."""
Finish = Callable[[FrameworkSpan, Any], tuple[Any, Mapping[str, Any] | None]]
"""``(outputs, attributes)`` of the span from the call's result (or the generator's items)."""


def _default_finish(span: FrameworkSpan, result: Any) -> tuple[Any, Mapping[str, Any] | None]:
    return result, None


def _end(patcher: Patcher, span: FrameworkSpan, finish: Finish, result: Any) -> None:
    span.detach()
    outputs: Any = None
    attributes: Mapping[str, Any] | None = None
    try:
        outputs, attributes = finish(span, result)
    except Exception as exc:
        try:
            span.finish(None)
        finally:
            report_failure(f"{patcher.integration} autolog (recording a result)", exc)
        return
    span.finish(outputs, attributes)


def wrap_call(
    patcher: Patcher,
    original: Any,
    start: Start,
    finish: Finish | None = None,
    is_async: bool = False,
) -> Any:
    """A traced version of the framework method ``original`` (sync, or async when ``is_async``).

    Args:
        patcher: The integration (its ``active`` flag is read on every call).
        original: The framework's function.
        start: Opens the span (or returns None).
        finish: Outputs and attributes from the result (default: the result itself).
        is_async: Whether ``original`` is a coroutine function.

    Returns:
        The wrapper function.
    """
    what = f"{patcher.integration} autolog (starting a span)"
    done = finish or _default_finish

    if is_async:

        @functools.wraps(original)
        async def async_wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            if not patcher.active:
                return await original(self, *args, **kwargs)
            span = safe_call(what, lambda: start(self, args, kwargs), None)
            if span is None:
                return await original(self, *args, **kwargs)
            try:
                result = await original(self, *args, **kwargs)
            except BaseException as exc:
                span.fail(exc)
                raise
            _end(patcher, span, done, result)
            return result

        return async_wrapper

    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not patcher.active:
            return original(self, *args, **kwargs)
        span = safe_call(what, lambda: start(self, args, kwargs), None)
        if span is None:
            return original(self, *args, **kwargs)
        try:
            result = original(self, *args, **kwargs)
        except BaseException as exc:
            span.fail(exc)
            raise
        if isinstance(result, types.CoroutineType):  # a sync method handing back a coroutine
            span.detach()
            return _finish_when_awaited(patcher, span, done, result)
        _end(patcher, span, done, result)
        return result

    return wrapper


async def _finish_when_awaited(
    patcher: Patcher, span: FrameworkSpan, finish: Finish, coroutine: Any
) -> Any:
    token = runtime().attach(runtime().set_span_in_context(span.span.otel_span))
    try:
        result = await coroutine
    except BaseException as exc:
        runtime().detach(token)
        span.fail(exc)
        raise
    runtime().detach(token)
    _end(patcher, span, finish, result)
    return result


def wrap_generator(
    patcher: Patcher,
    original: Any,
    start: Start,
    finish: Finish | None = None,
    keep_items: bool = False,
) -> Any:
    """A traced version of ``original``, a method returning a generator.

    Args:
        patcher: The integration.
        original: The framework's function.
        start: Opens the span (or returns None).
        finish: Outputs and attributes from the last item (or the list of every item when
            ``keep_items``); default: the last item.
        keep_items: Hand ``finish`` every item, not only the last one.

    Returns:
        The wrapper function (it returns a generator).
    """
    what = f"{patcher.integration} autolog (starting a span)"

    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not patcher.active:
            return original(self, *args, **kwargs)
        span = safe_call(what, lambda: start(self, args, kwargs), None)
        if span is None:
            return original(self, *args, **kwargs)
        try:
            gen = original(self, *args, **kwargs)
        except BaseException as exc:
            span.fail(exc)
            raise
        span.detach()
        return traced_iterator(patcher, span, gen, finish, keep_items)

    return wrapper


def traced_iterator(
    patcher: Patcher,
    span: FrameworkSpan,
    items: Iterator[Any],
    finish: Finish | None = None,
    keep_items: bool = False,
) -> Generator[Any, None, None]:
    """Yield ``items`` with ``span`` current while each is produced; end it at the end.

    Args:
        patcher: The integration.
        span: An open, detached span.
        items: The framework's generator or iterator.
        finish: As in :func:`wrap_generator`.
        keep_items: As in :func:`wrap_generator`.

    Yields:
        The framework's items, unchanged.
    """
    rt = runtime()
    context = rt.set_span_in_context(span.span.otel_span)
    kept: list[Any] = []
    last: Any = None
    try:
        while True:
            token = rt.attach(context)
            try:
                item = next(items)
            except StopIteration:
                break
            finally:
                rt.detach(token)
            if keep_items:
                kept.append(item)
            last = item
            yield item
    except GeneratorExit:
        try:
            close = getattr(items, "close", None)
            if close is not None:
                close()  # may raise (a generator that yields while closing): passed on
        finally:
            _end(patcher, span, finish or _default_finish, kept if keep_items else last)
        raise
    except BaseException as exc:
        span.fail(exc)
        raise
    _end(patcher, span, finish or _default_finish, kept if keep_items else last)
