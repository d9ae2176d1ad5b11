"""W3C ``traceparent`` propagation, so one trace can span several services.

The caller injects its current span into outgoing request headers; the callee opens the
incoming context around its handler, and its spans join the caller's trace::

    headers = inject_traceparent({})          # client side
    with extract(request.headers):            # server side
        handle(request)                       # @ardea.trace spans nest under the caller's
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any

__all__ = ["extract", "inject_traceparent"]


def _propagator() -> Any:
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    return TraceContextTextMapPropagator()


def inject_traceparent(headers: MutableMapping[str, str] | None = None) -> MutableMapping[str, str]:
    """Add ``traceparent`` (and ``tracestate``) for the current span to ``headers``.

    Args:
        headers: Outgoing HTTP headers, changed in place (None: a new dict).

    Returns:
        The headers; unchanged when no span is active.
    """
    carrier: MutableMapping[str, str] = {} if headers is None else headers
    _propagator().inject(carrier)
    return carrier


@contextmanager
def extract(headers: Mapping[str, str]) -> Iterator[None]:
    """Make the span described by incoming ``traceparent`` the parent of spans in the block.

    Header names are matched case-insensitively. Without a valid ``traceparent`` the block
    runs in the current context.

    Args:
        headers: Incoming HTTP headers.
    """
    from opentelemetry import context

    lowered = {str(k).lower(): v for k, v in headers.items()}
    ctx = _propagator().extract(lowered)
    token = context.attach(ctx)
    try:
        yield
    finally:
        context.detach(token)
