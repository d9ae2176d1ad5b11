"""``@ardea.trace``: one span per call of a sync, async, generator or async-generator function.

Decorating is cheap and imports nothing heavy: the signature is read once, here; OTel is
imported on the first call. Per call the wrapper binds arguments by position (no
``inspect.signature`` call), serializes inputs and outputs with orjson, and leaves everything
else (conversion, batching, I/O) to the export thread.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import sys
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

from ardea.entities import SpanType
from ardea.tracing import cassette, keys
from ardea.tracing._serialize import dumps
from ardea.tracing.spans import end_span, record_error, runtime, span_type_value

__all__ = ["trace"]

F = TypeVar("F", bound=Callable[..., Any])

_DROPPED = ("self", "cls")
_SIMPLE_KINDS = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


class _Plan:
    """What a decorated function needs per call, computed once at decoration."""

    __slots__ = (
        "attrs", "defaults", "drop", "fast", "name", "names", "reducer", "signature", "tool",
    )  # fmt: skip

    def __init__(
        self,
        func: Callable[..., Any],
        name: str | None,
        span_type: SpanType | str | None,
        attributes: Mapping[str, Any] | None,
        reducer: Callable[[list[Any]], Any] | None,
    ) -> None:
        func_name: str = getattr(func, "__name__", "span")
        self.name = name or func_name
        self.reducer = reducer
        self.tool = span_type_value(span_type) == SpanType.TOOL.value
        self.attrs = {
            keys.SPAN_TYPE: dumps(span_type_value(span_type)),
            keys.SPAN_FUNCTION_NAME: dumps(getattr(func, "__name__", self.name)),
        }
        for key, value in (attributes or {}).items():
            self.attrs[str(key)] = dumps(value)
        try:
            self.signature: inspect.Signature | None = inspect.signature(func)
        except (TypeError, ValueError):  # some builtins have none
            self.signature = None
        params = list(self.signature.parameters.values()) if self.signature else []
        self.fast = bool(self.signature) and all(p.kind in _SIMPLE_KINDS for p in params)
        self.names = tuple(
            p.name for p in params if p.kind == inspect.Parameter.POSITIONAL_OR_KEYWORD
        )
        self.defaults = tuple(
            (p.name, p.default) for p in params if p.default is not inspect.Parameter.empty
        )
        self.drop = tuple(n for n in _DROPPED if params and params[0].name == n)

    def inputs(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """The call's arguments by parameter name, defaults included, ``self``/``cls`` dropped."""
        if self.fast and len(args) <= len(self.names):
            bound = dict(zip(self.names, args, strict=False))
            if kwargs:
                bound.update(kwargs)
            for key, default in self.defaults:
                if key not in bound:
                    bound[key] = default
        elif self.signature is not None:
            try:
                ba = self.signature.bind(*args, **kwargs)
            except TypeError:
                return {"args": list(args), "kwargs": kwargs}
            ba.apply_defaults()
            bound = dict(ba.arguments)
        else:
            return {"args": list(args), "kwargs": kwargs}
        for key in self.drop:
            bound.pop(key, None)
        return bound

    def start(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Start the span of one call, inputs set (not yet the current span)."""
        attrs = self.attrs.copy()  # one attribute build instead of a locked set per key
        attrs[keys.SPAN_INPUTS] = dumps(self.inputs(args, kwargs))
        return runtime().get_tracer().start_span(self.name, attributes=attrs)

    def served(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """A replayed tool's recorded outputs, or :data:`cassette.LIVE` to run the function."""
        if not self.tool:
            return cassette.LIVE
        playing = cassette.active()
        if playing is None:
            return cassette.LIVE
        import orjson

        inputs = orjson.loads(dumps(self.inputs(args, kwargs)))
        return playing.serve(cassette.TOOL, self.name, inputs)

    def outputs(self, span: Any, value: Any) -> None:
        """Set the span's outputs (the return value or the streamed items)."""
        if span.is_recording():
            span.set_attribute(keys.SPAN_OUTPUTS, dumps(value))

    def streamed(self, span: Any, items: list[Any]) -> None:
        """Set a generator's outputs: its items, or the reducer's result."""
        if self.reducer is not None:
            try:
                self.outputs(span, self.reducer(items))
                return
            except Exception as exc:  # a failing reducer must not break the app
                span.add_event("output_reducer_failed", {"error": repr(exc)})
        self.outputs(span, items)


def _wrap_sync(func: Callable[..., Any], plan: _Plan) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        rt = runtime()
        span = plan.start(args, kwargs)
        token = rt.attach(rt.set_span_in_context(span))
        try:
            result = plan.served(args, kwargs) if plan.tool else cassette.LIVE
            if result is cassette.LIVE:
                result = func(*args, **kwargs)
        except BaseException as exc:
            rt.detach(token)
            record_error(span, exc)
            end_span(span)
            raise
        rt.detach(token)
        plan.outputs(span, result)
        end_span(span)
        return result

    return wrapper


def _wrap_async(func: Callable[..., Any], plan: _Plan) -> Callable[..., Any]:
    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        rt = runtime()
        span = plan.start(args, kwargs)
        token = rt.attach(rt.set_span_in_context(span))
        try:
            result = plan.served(args, kwargs) if plan.tool else cassette.LIVE
            if result is cassette.LIVE:
                result = await func(*args, **kwargs)
        except BaseException as exc:
            rt.detach(token)
            record_error(span, exc)
            end_span(span)
            raise
        rt.detach(token)
        plan.outputs(span, result)
        end_span(span)
        return result

    return wrapper


def _wrap_generator(func: Callable[..., Any], plan: _Plan) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        rt = runtime()
        span = plan.start(args, kwargs)
        ctx = rt.set_span_in_context(span)
        items: list[Any] = []
        gen = None
        try:
            token = rt.attach(ctx)
            try:
                gen = func(*args, **kwargs)
            finally:
                rt.detach(token)
            while True:
                token = rt.attach(ctx)  # the body runs inside the span, the consumer outside
                try:
                    item = next(gen)
                except StopIteration:
                    break
                finally:
                    rt.detach(token)
                items.append(item)
                yield item
        except GeneratorExit:  # consumer stopped early: not an error
            if gen is not None:
                gen.close()
            plan.streamed(span, items)
            end_span(span)
            raise
        except BaseException as exc:
            record_error(span, exc)
            end_span(span)
            raise
        plan.streamed(span, items)
        end_span(span)

    return wrapper


def _is_cancellation(exc: BaseException) -> bool:
    """Whether ``exc`` is asyncio's CancelledError (without importing asyncio)."""
    aio = sys.modules.get("asyncio")
    return aio is not None and isinstance(exc, aio.CancelledError)


def _wrap_async_generator(func: Callable[..., Any], plan: _Plan) -> Callable[..., Any]:
    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        rt = runtime()
        span = plan.start(args, kwargs)
        ctx = rt.set_span_in_context(span)
        items: list[Any] = []
        agen = None
        try:
            token = rt.attach(ctx)
            try:
                agen = func(*args, **kwargs)
            finally:
                rt.detach(token)
            while True:
                token = rt.attach(ctx)
                try:
                    item = await agen.__anext__()
                except StopAsyncIteration:
                    break
                finally:
                    rt.detach(token)
                items.append(item)
                yield item
        except BaseException as exc:
            if isinstance(exc, GeneratorExit) or _is_cancellation(exc):  # consumer went away
                if agen is not None:
                    with contextlib.suppress(Exception):
                        await agen.aclose()
                plan.streamed(span, items)
            else:
                record_error(span, exc)
            end_span(span)
            raise
        plan.streamed(span, items)
        end_span(span)

    return wrapper


@overload
def trace(func: F) -> F: ...


@overload
def trace(
    func: None = None,
    *,
    name: str | None = None,
    span_type: SpanType | str | None = SpanType.UNKNOWN,
    attributes: Mapping[str, Any] | None = None,
    output_reducer: Callable[[list[Any]], Any] | None = None,
) -> Callable[[F], F]: ...


def trace(
    func: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    span_type: SpanType | str | None = SpanType.UNKNOWN,
    attributes: Mapping[str, Any] | None = None,
    output_reducer: Callable[[list[Any]], Any] | None = None,
) -> Any:
    """Trace every call of a function: one span per call, nested under the current span.

    Works on sync and async functions, generators and async generators. Inputs are the bound
    arguments (``self``/``cls`` left out), outputs the return value or the list of streamed
    items (or ``output_reducer(items)``). An exception is recorded as an ``exception`` event,
    the span is marked ERROR, and the exception is re-raised unchanged.

    Args:
        func: The function (when used bare: ``@ardea.trace``).
        name: Span name (default: the function's name).
        span_type: A :class:`SpanType` or any string.
        attributes: Extra span attributes (stored as JSON).
        output_reducer: For generators, turns the streamed items into the span's outputs.

    Returns:
        The wrapped function, or a decorator when called with options only.

    Example::

        @ardea.trace(span_type="TOOL")
        def lookup(city: str) -> dict: ...
    """
    if func is None:
        return functools.partial(
            trace,
            name=name,
            span_type=span_type,
            attributes=attributes,
            output_reducer=output_reducer,
        )
    plan = _Plan(func, name, span_type, attributes, output_reducer)
    if inspect.isasyncgenfunction(func):
        return _wrap_async_generator(func, plan)
    if inspect.iscoroutinefunction(func):
        return _wrap_async(func, plan)
    if inspect.isgeneratorfunction(func):
        return _wrap_generator(func, plan)
    return _wrap_sync(func, plan)
