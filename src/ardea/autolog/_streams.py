"""Proxies around SDK stream objects that keep an LLM span open until the stream is read.

The proxy forwards iteration, ``with`` blocks, ``close()`` and every other attribute to the
SDK's stream, hands each item to an accumulator, and ends the span when the stream is
exhausted, fails, is closed, or is garbage-collected unread. The items the caller sees are
the SDK's own, unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ardea._core.safety import swallow_failures
from ardea.autolog._llm_call import LLMCall

__all__ = ["Accumulator", "AsyncTracedStream", "TracedStream"]


class Accumulator(Protocol):
    """Assembles a streamed response from its items."""

    def add(self, item: Any) -> None:
        """Take one streamed item."""

    def result(self) -> tuple[Any, dict[str, Any]]:
        """``(outputs, attributes)`` of the span once the stream ended."""


class _Base:
    """State and span ending shared by the sync and async proxies."""

    def __init__(self, stream: Any, call: LLMCall, acc: Accumulator) -> None:
        self._ardea_stream = stream
        self._ardea_call = call
        self._ardea_acc = acc

    def _ardea_add(self, item: Any) -> None:
        with swallow_failures(f"{self._ardea_call.integration} autolog (reading a stream)"):
            self._ardea_acc.add(item)

    def _ardea_end(self, exc: BaseException | None) -> None:
        call = self._ardea_call
        if call.ended:
            return
        if exc is not None and not isinstance(exc, GeneratorExit | StopIteration):
            call.fail(exc)
            return
        outputs: Any = None
        attributes: dict[str, Any] = {}
        with swallow_failures(f"{call.integration} autolog (assembling a stream)"):
            outputs, attributes = self._ardea_acc.result()
        call.finish(outputs, attributes)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_ardea_"):  # not set yet (a failed __init__)
            raise AttributeError(name)
        return getattr(self._ardea_stream, name)

    def __del__(self) -> None:
        try:
            self._ardea_end(None)
        except Exception:  # nothing can be reported during garbage collection
            pass


class TracedStream(_Base):
    """A sync SDK stream (``openai.Stream``, ``anthropic.Stream``) that feeds a span."""

    def __init__(self, stream: Any, call: LLMCall, acc: Accumulator) -> None:
        super().__init__(stream, call, acc)
        self._ardea_iter: Any = None

    def __iter__(self) -> TracedStream:
        return self

    def __next__(self) -> Any:
        if self._ardea_iter is None:
            self._ardea_iter = iter(self._ardea_stream)
        try:
            item = next(self._ardea_iter)
        except StopIteration:
            self._ardea_end(None)
            raise
        except BaseException as exc:
            self._ardea_end(exc)
            raise
        self._ardea_add(item)
        return item

    def __enter__(self) -> TracedStream:
        enter: Callable[[], Any] | None = getattr(self._ardea_stream, "__enter__", None)
        if enter is not None:
            enter()
        return self

    def __exit__(self, et: Any, ev: Any, tb: Any) -> Any:
        try:
            exit_ = getattr(self._ardea_stream, "__exit__", None)
            return exit_(et, ev, tb) if exit_ is not None else None
        finally:
            self._ardea_end(ev)

    def close(self) -> None:
        """Close the SDK stream and end the span with what was read."""
        try:
            self._ardea_stream.close()
        finally:
            self._ardea_end(None)


class AsyncTracedStream(_Base):
    """An async SDK stream (``openai.AsyncStream``, ``anthropic.AsyncStream``)."""

    def __init__(self, stream: Any, call: LLMCall, acc: Accumulator) -> None:
        super().__init__(stream, call, acc)
        self._ardea_iter: Any = None

    def __aiter__(self) -> AsyncTracedStream:
        return self

    async def __anext__(self) -> Any:
        if self._ardea_iter is None:
            self._ardea_iter = self._ardea_stream.__aiter__()
        try:
            item = await self._ardea_iter.__anext__()
        except StopAsyncIteration:
            self._ardea_end(None)
            raise
        except BaseException as exc:
            self._ardea_end(exc)
            raise
        self._ardea_add(item)
        return item

    async def __aenter__(self) -> AsyncTracedStream:
        enter = getattr(self._ardea_stream, "__aenter__", None)
        if enter is not None:
            await enter()
        return self

    async def __aexit__(self, et: Any, ev: Any, tb: Any) -> Any:
        try:
            exit_ = getattr(self._ardea_stream, "__aexit__", None)
            return await exit_(et, ev, tb) if exit_ is not None else None
        finally:
            self._ardea_end(ev)

    async def close(self) -> None:
        """Close the SDK stream and end the span with what was read."""
        try:
            await self._ardea_stream.close()
        finally:
            self._ardea_end(None)
