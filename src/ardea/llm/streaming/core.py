"""The state of one stream, shared by the sync and async stream objects.

:class:`StreamCore` splits the provider's bytes into events (SSE or AWS event stream), has
the adapter's parser turn them into :class:`~ardea.llm.streaming.chunks.ChatChunk`, adds the
chunks up, and ends the stream exactly once: the limiter slot is given back, the deadline
watchdog is stopped, and the observers (the LLM span) get the result, marked ``partial``
when the stream did not reach its end.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from ardea.llm import hooks
from ardea.llm.errors import StreamError, Timeout, mask
from ardea.llm.retry import Deadline
from ardea.llm.streaming.chunks import Accumulator, ChatChunk, StreamParser
from ardea.llm.streaming.eventstream import EventStreamDecoder, EventStreamError
from ardea.llm.streaming.sse import SSEDecoder
from ardea.llm.types import StreamResult, Usage

__all__ = ["StreamCore"]


class StreamCore:
    """Decoding, accounting and the single end of one stream.

    Args:
        client: The :class:`~ardea.llm.client.LLMClient` that opened the stream (typed
            ``Any``: the client imports this package, not the other way round).
        params: The :class:`~ardea.llm.adapters.base.ChatParams` (``stream=True``).
        deadline: The call's one deadline.
        idle_timeout: Seconds allowed between two reads of the body (``None``: no limit but
            the deadline).
        ends: The observers' end callbacks.
    """

    def __init__(
        self,
        client: Any,
        params: Any,
        deadline: Deadline,
        idle_timeout: float | None,
        ends: list[hooks.EndCallback],
    ) -> None:
        self.client = client
        self.params = params
        self.deadline = deadline
        self.idle_timeout = idle_timeout
        self.parser: StreamParser = client.adapter.stream_parser(params)
        self._sse = SSEDecoder() if self.parser.framing == "sse" else None
        self._es = EventStreamDecoder() if self.parser.framing == "eventstream" else None
        self.acc = Accumulator()
        self.ends = ends
        self.attempts = 0
        self.request_id: str | None = None
        self.status_code = 0
        self.headers: dict[str, str] = {}
        self.end_marker = False
        self.first_chunk_s: float | None = None
        self.result: StreamResult | None = None
        self.error: BaseException | None = None
        self.holds_slot = False
        self.on_close: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self._ended = False
        self._timer: threading.Timer | None = None
        self.timed_out = False

    def reset(self) -> None:
        """Start decoding anew (a retry before the first chunk)."""
        self.cancel_watch()
        self.timed_out = False
        self.parser = self.client.adapter.stream_parser(self.params)
        self._sse = SSEDecoder() if self.parser.framing == "sse" else None
        self._es = EventStreamDecoder() if self.parser.framing == "eventstream" else None
        self.acc = Accumulator()
        self.end_marker = False
        self.first_chunk_s = None

    def fail_open(self, error: BaseException) -> None:
        """End a stream that failed before its first chunk: slot back, observers told."""
        with self._lock:
            if self._ended:
                return
            self._ended = True
        self.cancel_watch()
        self.error = error
        if self.holds_slot:
            self.holds_slot = False
            self.client.limiter.release()
        hooks.ended(self.ends, None, error)

    # ------------------------------------------------------------------ decoding

    def decode(self, data: bytes) -> list[ChatChunk]:
        """The chunks completed by ``data``.

        Raises:
            StreamError: An error event, or a corrupt frame.
        """
        chunks: list[ChatChunk] = []
        for event, payload in self._events(data):
            if self.end_marker:
                break
            if self.parser.done(event, payload):
                self.end_marker = True
            try:
                chunks.extend(self.parser.on_event(event, payload))
            except StreamError as exc:
                exc.partial_usage = self.acc.usage
                exc.request_id = exc.request_id or self.request_id
                raise
        for chunk in chunks:
            if self.first_chunk_s is None:
                self.first_chunk_s = self.deadline.elapsed()
            self.acc.add(chunk)
        return chunks

    def _events(self, data: bytes) -> list[tuple[str | None, bytes | str]]:
        if self._sse is not None:
            events = self._sse.feed(data) if data else self._sse.flush()
            return [(e.event, e.data) for e in events]
        assert self._es is not None
        try:
            messages = self._es.feed(data)
        except EventStreamError as exc:
            raise StreamError(
                f"{self.client.uri}: {exc}", provider=self.client.provider, partial_usage=None
            ) from None
        out: list[tuple[str | None, bytes | str]] = []
        for m in messages:
            name = m.event_type
            out.append((f"!{name or 'exception'}" if m.is_error else name, m.payload))
        return out

    def at_eof(self) -> list[ChatChunk]:
        """The chunks of what was buffered when the body ended; checks the end was reached.

        Raises:
            StreamError: The body ended before the answer did (no end marker, no finish
                reason).
        """
        chunks = self.decode(b"") if self._sse is not None else []
        if self._es is not None and self._es.pending:
            raise self.broken("the stream ended inside an event-stream message")
        if not self.end_marker and self.acc.finish_reason is None:
            raise self.broken("the stream ended before the answer did")
        return chunks

    def broken(self, what: str, cause: BaseException | None = None) -> StreamError:
        """The :class:`StreamError` of a stream that broke after its first chunk."""
        detail = f" ({type(cause).__name__})" if cause is not None else ""
        return StreamError(
            f"{self.client.uri}: {what}{detail}",
            provider=self.client.provider,
            request_id=self.request_id,
            partial_usage=self.acc.usage,
        )

    def timeout_error(self) -> Timeout:
        """The :class:`Timeout` of the deadline, or of the idle timeout when that came first."""
        if self.deadline.expired or self.timed_out or self.idle_timeout is None:
            return Timeout(
                f"{self.client.uri}: the stream's deadline of {self.deadline.seconds}s passed",
                provider=self.client.provider,
            )
        return Timeout(
            f"{self.client.uri}: no data for idle_timeout={self.idle_timeout}s",
            provider=self.client.provider,
        )

    def read_timeout(self) -> float | None:
        """Seconds one read of the body may wait: the idle timeout, within the deadline."""
        left = self.deadline.remaining()
        limits = [t for t in (self.idle_timeout, left) if t is not None and t != float("inf")]
        return max(0.001, min(limits)) if limits else None

    # ------------------------------------------------------------------ deadline watchdog

    def watch(self, kill: Callable[[], None]) -> None:
        """Call ``kill`` (under the end lock) when the deadline passes (sync streams)."""
        left = self.deadline.remaining()
        if left == float("inf"):
            return

        def fire() -> None:
            with self._lock:
                if self._ended:
                    return
                self.timed_out = True
                try:
                    kill()
                except Exception:  # pragma: no cover - the socket was already gone
                    pass

        self._timer = threading.Timer(left, fire)
        self._timer.daemon = True
        self._timer.start()

    def cancel_watch(self) -> None:
        """Stop the deadline watchdog."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # ------------------------------------------------------------------ the end

    def build(self, partial: bool) -> StreamResult:
        """The result from what arrived."""
        acc, client = self.acc, self.client
        usage = acc.usage or Usage()
        model = self.parser.model or client.model
        text = "".join(acc.text)
        parsed: Any = None
        if self.params.response_schema is not None or self.params.structured == "prompt":
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
        return StreamResult(
            text=text,
            parsed=parsed,
            finish_reason=acc.finish_reason,
            tool_calls=acc.tool_calls(),
            usage=usage,
            cost=client._cost(model, usage) if acc.usage is not None else None,
            model=model,
            provider=client.provider,
            latency_s=self.deadline.elapsed(),
            attempts=self.attempts,
            request_id=self.request_id or self.parser.response_id,
            partial=partial,
            usage_reported=acc.usage is not None,
            time_to_first_chunk_s=self.first_chunk_s,
            chunks=acc.chunks,
        )

    def end(self, error: BaseException | None, partial: bool) -> StreamResult:
        """End the stream once: slot back, watchdog off, body closed, observers told."""
        with self._lock:
            if self._ended:
                assert self.result is not None
                return self.result
            self._ended = True
            if self._timer is not None:
                self._timer.cancel()
        result = self.build(partial or error is not None)
        self.result, self.error = result, error
        if self.holds_slot:
            self.holds_slot = False
            self.client.limiter.release()
        if self.on_close is not None:
            try:
                self.on_close()
            except Exception:  # pragma: no cover - closing a broken connection
                pass
        hooks.ended(self.ends, result, error)
        return result

    @property
    def complete(self) -> bool:
        """Whether the answer's end arrived.

        The end marker, or (for APIs without one) the finish reason and the usage.
        """
        acc = self.acc
        return self.end_marker or (acc.finish_reason is not None and acc.usage is not None)

    @property
    def ended(self) -> bool:
        """Whether :meth:`end` ran."""
        return self._ended

    def excerpt(self, content: bytes) -> str:
        """The start of an error body, secrets masked."""
        return mask(content[:2000].decode("utf-8", errors="replace"), self.client.config.secrets())
