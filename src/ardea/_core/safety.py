"""Telemetry never breaks user code.

Failures inside Ardea's own telemetry machinery (background metric batching, autolog patch
code, exporters) go through :func:`report_failure`: they are logged and swallowed, or raised
when ``ARDEA_STRICT=1`` (the test suite sets it). Errors from the user's own code never pass
through here: they always propagate unchanged.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from ardea._core import env

__all__ = ["report_failure", "safe_call", "swallow_failures"]

logger = logging.getLogger("ardea")

T = TypeVar("T")

_lock = threading.Lock()
_counts: dict[str, int] = {}


def report_failure(what: str, exc: BaseException, *, raise_in_strict: bool = True) -> None:
    """Log a telemetry failure once per ``what`` (with a running count), or raise it.

    Args:
        what: Short description of the operation that failed, e.g. ``"sklearn autolog"``.
        exc: The exception that was caught.
        raise_in_strict: Re-raise ``exc`` when ``ARDEA_STRICT=1``.

    Raises:
        BaseException: ``exc`` itself, under strict mode.
    """
    with _lock:
        count = _counts.get(what, 0) + 1
        _counts[what] = count
    if raise_in_strict and env.strict():
        raise exc
    if count == 1:
        logger.warning("Ardea: %s failed (%s: %s)", what, type(exc).__name__, exc, exc_info=exc)
    elif count in (10, 100, 1000) or count % 10000 == 0:
        logger.warning("Ardea: %s has failed %d times; last error: %s", what, count, exc)


def failure_count(what: str) -> int:
    """How many failures of ``what`` were reported in this process."""
    with _lock:
        return _counts.get(what, 0)


@contextmanager
def swallow_failures(what: str) -> Iterator[None]:
    """Run a block of telemetry code; its exceptions go to :func:`report_failure`.

    Args:
        what: Short description of the block, used in the log line.
    """
    try:
        yield
    except Exception as exc:
        report_failure(what, exc)


def safe_call(what: str, fn: Callable[[], T], default: T) -> T:
    """Call ``fn``; on an exception report it and return ``default``.

    Args:
        what: Short description of the call, used in the log line.
        fn: The telemetry function to call.
        default: Returned when ``fn`` fails outside strict mode.

    Returns:
        ``fn()`` or ``default``.
    """
    try:
        return fn()
    except Exception as exc:
        report_failure(what, exc)
        return default
