"""Observers of LLM calls: how tracing (a layer above) records each call as a span.

:mod:`ardea.llm` sits below :mod:`ardea.tracing` and never imports it. A layer above registers
an observer with :func:`add_observer` (``ardea.tracing`` does so when it is imported); every
call then tells each observer when it starts and when it ends. An observer that fails is
reported through :func:`ardea._core.safety.report_failure` and never breaks the call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ardea._core.safety import report_failure

__all__ = ["CallInfo", "CallObserver", "EndCallback", "add_observer", "remove_observer"]


@dataclass(frozen=True)
class CallInfo:
    """What an observer learns when a call starts.

    Attributes:
        operation: ``chat`` or ``embeddings``.
        provider: Canonical provider name.
        model: The model asked for.
        inputs: The call's inputs (messages or texts) and parameters; no credentials.
    """

    operation: str
    provider: str
    model: str
    inputs: dict[str, Any] = field(default_factory=dict)


EndCallback = Callable[[Any, "BaseException | None"], None]
"""Called once when the call ends: ``(result, None)`` or ``(None, error)``; a stream that
failed after its first chunk ends with ``(partial StreamResult, error)``."""
CallObserver = Callable[[CallInfo], "EndCallback | None"]
"""Called when a call starts; returns what to call when it ends (or ``None``)."""

_lock = threading.Lock()
_observers: tuple[CallObserver, ...] = ()


def add_observer(observer: CallObserver) -> None:
    """Register ``observer`` for every later call (once; adding it again does nothing)."""
    global _observers
    with _lock:
        if observer not in _observers:
            _observers = (*_observers, observer)


def remove_observer(observer: CallObserver) -> None:
    """Unregister ``observer``."""
    global _observers
    with _lock:
        _observers = tuple(o for o in _observers if o is not observer)


def started(info: CallInfo) -> list[EndCallback]:
    """Tell every observer a call started; their end callbacks."""
    ends: list[EndCallback] = []
    for observer in _observers:
        try:
            end = observer(info)
        except Exception as exc:
            report_failure("LLM call telemetry (start)", exc)
            continue
        if end is not None:
            ends.append(end)
    return ends


def ended(ends: list[EndCallback], result: Any, error: BaseException | None) -> None:
    """Tell the observers of a call that it ended."""
    for end in ends:
        try:
            end(result, error)
        except Exception as exc:
            report_failure("LLM call telemetry (end)", exc)
