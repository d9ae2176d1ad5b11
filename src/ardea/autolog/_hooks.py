"""Patch a library when the user's code first imports it, never before.

``when_imported(library, enable)`` runs ``enable`` at once when ``library`` is already in
``sys.modules``, else right after its first import completes (wrapt's post-import hooks, an
import-system finder that is installed on the first registration). Ardea never imports the
library itself, so ``ardea.autolog()`` costs nothing for the libraries a program never uses.

A hook stays registered for the life of the process (the import system has no way to take
one back); :func:`cancel` makes a pending one do nothing.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

from ardea._core.safety import report_failure

__all__ = ["cancel", "pending", "when_imported"]

_lock = threading.Lock()
_wanted: dict[str, Callable[[Any], None]] = {}
_registered: set[str] = set()


def when_imported(library: str, enable: Callable[[Any], None]) -> bool:
    """Run ``enable(module)`` now if ``library`` is imported, else right after its import.

    Args:
        library: Import name of the library (dotted names work: ``"google.genai"``).
        enable: Patches the library; gets the imported module. Its failures are reported
            (logged, or raised under ``ARDEA_STRICT=1`` when it runs now), never raised
            into the user's import.

    Returns:
        Whether ``enable`` ran now (the library was already imported).
    """
    with _lock:
        _wanted[library] = enable
        already = library in sys.modules
        register = not already and library not in _registered
        if register:
            _registered.add(library)
    if already:
        _fire(library, sys.modules[library], now=True)
        return True
    if register:
        import wrapt

        wrapt.register_post_import_hook(lambda module: _fire(library, module), library)
    return False


def cancel(library: str) -> None:
    """Make a pending hook for ``library`` do nothing when the library is imported."""
    with _lock:
        _wanted.pop(library, None)


def pending() -> list[str]:
    """Libraries whose hook waits for their first import."""
    with _lock:
        return sorted(lib for lib in _wanted if lib not in sys.modules)


def _fire(library: str, module: Any, now: bool = False) -> None:
    with _lock:
        enable = _wanted.pop(library, None)
    if enable is None:
        return
    try:
        enable(module)
    except Exception as exc:
        # Inside the user's import statement: never raise there, even in strict mode.
        report_failure(f"{library} autolog (enabling)", exc, raise_in_strict=now)
