"""Make a span current from a framework callback, and undo it only where that is possible.

Frameworks with their own tracing hooks (the OpenAI Agents SDK's trace processors, ...)
report a span's start and end through callbacks. Usually both run in the same context (a
``with`` block), but an asyncio task or a garbage-collected generator may end a span from
another one, where the OpenTelemetry attach made at start cannot be undone (OpenTelemetry
would log an error). :func:`enter` therefore attaches a :class:`CurrentSpan` proxy and a
marker: :meth:`Scope.exit` detaches in the attaching context and otherwise only releases the
proxy, which from then on stands for the previously current span there.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import Any

from ardea.autolog._current_span import CurrentSpan
from ardea.tracing.spans import runtime

__all__ = ["Scope", "current_otel_span", "enter"]

_marker: ContextVar[object | None] = ContextVar("ardea_scoped_attach", default=None)


class Scope:
    """One span made current by :func:`enter`.

    Args:
        current: The proxy made current.
        token: The OpenTelemetry attach token.
        marker: The marker's reset token (valid only in the attaching context).
    """

    __slots__ = ("_marker", "_token", "current")

    def __init__(self, current: CurrentSpan, token: Any, marker: Token[object | None]) -> None:
        self.current = current
        self._token = token
        self._marker = marker

    def exit(self) -> None:
        """Stop being the current span (detaches when called in the attaching context)."""
        if self._token is None:
            return
        token, self._token = self._token, None
        self.current.release()
        try:
            _marker.reset(self._marker)
        except (ValueError, RuntimeError):  # another context: the released proxy stays
            return
        runtime().detach(token)


def current_otel_span() -> Any:
    """The current OpenTelemetry span, looking through proxies (released or not)."""
    span = runtime().get_current_span()
    while isinstance(span, CurrentSpan):
        span = span.target
    return span


def enter(span: Any) -> Scope:
    """Make ``span`` (an OTel SDK span) the current span; returns the scope to exit."""
    rt = runtime()
    current = CurrentSpan(span, rt.get_current_span())
    token = rt.attach(rt.set_span_in_context(current))
    return Scope(current, token, _marker.set(object()))
