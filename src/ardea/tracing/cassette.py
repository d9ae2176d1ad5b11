"""The hook through which a replay serves recorded answers to traced calls.

While :func:`playing` is active, the places that make LLM spans (the autolog integrations)
and ``TOOL`` spans (``@ardea.trace(span_type="TOOL")``) ask the active :class:`Cassette`
before running the real call: it answers with the recorded outputs, or :data:`LIVE` to let
the call run. The cassette lives in a ``ContextVar``, so it follows the caller's thread and
asyncio tasks. The replay engine itself sits higher up (``ardea.evaluation.replay``); this
module is the downward hook it hands to tracing and autolog.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

from ardea._core.errors import FailedPreconditionError

__all__ = ["LIVE", "LLM", "TOOL", "Cassette", "ReplayDivergenceError", "active", "playing"]

LIVE: Any = object()
"""What :meth:`Cassette.serve` returns when the real call must run."""

LLM = "llm"
"""Kind of a model call (a ``CHAT_MODEL`` or ``LLM`` span)."""
TOOL = "tool"
"""Kind of a tool call (a ``TOOL`` span)."""


class Cassette(Protocol):
    """Answers traced calls from a recording."""

    def serve(self, kind: str, name: str, inputs: Any) -> Any:
        """The recorded outputs for this call, or :data:`LIVE` to run it for real.

        Args:
            kind: :data:`LLM` or :data:`TOOL`.
            name: The span name the call makes.
            inputs: The span inputs the call records.

        Returns:
            The recorded outputs (decoded JSON), or :data:`LIVE`.
        """


_active: ContextVar[Cassette | None] = ContextVar("ardea_cassette", default=None)


def active() -> Cassette | None:
    """The cassette playing in this context, if any."""
    return _active.get()


@contextmanager
def playing(cassette: Cassette) -> Iterator[Cassette]:
    """Make ``cassette`` answer traced calls for the ``with`` block.

    Args:
        cassette: The cassette.

    Yields:
        The cassette.
    """
    token = _active.set(cassette)
    try:
        yield cassette
    finally:
        _active.reset(token)


class ReplayDivergenceError(FailedPreconditionError):
    """A replayed call the recording cannot answer: the run left the recording here."""
