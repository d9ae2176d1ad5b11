"""Revertible method patches shared by the GenAI integrations (OpenAI, Anthropic).

A :class:`Patcher` replaces methods on SDK classes with wrappers and remembers the
originals, so ``revert()`` restores them exactly. A failure to patch one method is reported
through :func:`ardea._core.safety.report_failure` (logged, or raised under
``ARDEA_STRICT=1``) and never stops the other patches.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

from ardea._core.safety import report_failure

__all__ = ["ORIGINAL_ATTR", "Patcher"]

ORIGINAL_ATTR = "__ardea_original__"
"""Attribute set on every wrapper: the function it replaced."""


class Patcher:
    """The set of methods one integration patched, and their originals.

    Args:
        integration: Integration name used in log lines, e.g. ``"openai"``.

    Attributes:
        enabled: Whether the integration is on (wrappers check it on every call).
        log_traces: Whether calls make spans.
    """

    def __init__(self, integration: str) -> None:
        self.integration = integration
        self.enabled = False
        self.log_traces = True
        self._lock = threading.Lock()
        self._originals: dict[tuple[Any, str], Any] = {}

    @property
    def active(self) -> bool:
        """Whether wrappers should trace calls now."""
        return self.enabled and self.log_traces

    def patch(self, module: str, cls: str, attr: str, wrap: Callable[[Any], Any]) -> None:
        """Replace ``module.cls.attr`` with ``wrap(original)`` (no-op when already patched).

        Args:
            module: Import path of the module defining the class.
            cls: Class name; ``""`` patches the module's own function ``module.attr``.
            attr: Method name.
            wrap: Builds the wrapper from the original function.
        """
        try:
            owner = importlib.import_module(module)
            owner = getattr(owner, cls) if cls else owner
            with self._lock:
                if (owner, attr) in self._originals:
                    return
                original = owner.__dict__[attr]
                if hasattr(original, ORIGINAL_ATTR):
                    return
                wrapper = wrap(original)
                setattr(wrapper, ORIGINAL_ATTR, original)
                setattr(owner, attr, wrapper)
                self._originals[(owner, attr)] = original
        except Exception as exc:
            where = cls or module
            report_failure(f"{self.integration} autolog (patching {where}.{attr})", exc)

    def revert(self) -> None:
        """Restore every original method and turn the integration off."""
        with self._lock:
            self.enabled = False
            for (owner, attr), original in self._originals.items():
                setattr(owner, attr, original)
            self._originals.clear()

    def patched(self) -> list[str]:
        """``Class.method`` names currently patched (for tests and diagnostics)."""
        with self._lock:
            return sorted(f"{owner.__name__}.{attr}" for owner, attr in self._originals)
