"""Autologging: patches for third-party libraries that log to Ardea without code changes.

``ardea.autolog()`` enables every integration whose library is installed;
``ardea.sklearn.autolog()`` (or ``ardea.autolog.sklearn.autolog()``) enables one. This
package is callable, so ``ardea.autolog()`` works whether ``ardea.autolog`` was reached as
the function or as the package. Each integration gets only the options its ``autolog``
takes (``log_models`` goes to sklearn, ``log_traces`` to the GenAI ones).

Each integration patches its library lazily: right after the user's code first imports it
(:mod:`ardea.autolog._hooks`), never by importing it. ``ardea.autolog(exclude=["openai"])``
leaves some out. The table of built-in integrations is :mod:`ardea.autolog._registry`; the
user docs are ``docs/tracing.md`` (autolog). Shared machinery: ``_patching`` and
``_wrappers`` (revertible, exception-safe method patches), ``_llm_call`` and ``_streams`` (an
LLM call's span; stream proxies keeping it open).
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterable
from typing import Any

from ardea.autolog._registry import BUILT_IN

__all__ = ["ENTRY_POINT_GROUP", "INTEGRATIONS", "autolog", "integrations", "revert"]

INTEGRATIONS: dict[str, str] = {row.library: row.module for row in BUILT_IN}
"""Built-in integrations: library import name -> Ardea integration module."""

ENTRY_POINT_GROUP = "ardea.autolog"
"""Entry-point group of third-party integrations: name = library, value = a module with
``autolog(**options)`` and ``revert()``."""


def integrations() -> dict[str, str]:
    """Built-in integrations plus those declared in the ``ardea.autolog`` entry-point group."""
    from importlib.metadata import entry_points

    found = dict(INTEGRATIONS)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep.value.split(":", 1)[0])
    return found


def _installed(library: str) -> bool:
    """Whether ``library`` can be imported, without importing it.

    A dotted name's parent package is not imported either (``find_spec("google.genai")``
    would import ``google``): its folder is looked up on the top package's search path.
    """
    import importlib.util
    import os

    if library in sys.modules:
        return True
    top, _, rest = library.partition(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return False
    if spec is None or not rest:
        return spec is not None
    for location in spec.submodule_search_locations or ():
        base = os.path.join(location, *rest.split("."))
        if os.path.isdir(base) or os.path.isfile(base + ".py"):
            return True
    return False


def _excluded(library: str, module_name: str, exclude: Iterable[str]) -> bool:
    flavor = module_name.rsplit(".", 1)[-1]
    return library in exclude or flavor in exclude


def autolog(
    disable: bool = False,
    exclude: Iterable[str] | None = None,
    exclude_flavors: Iterable[str] | None = None,
    **options: Any,
) -> list[str]:
    """Enable (or disable) autologging for every installed integration.

    An integration whose library is already imported is patched now; the others are patched
    right after the user's code first imports their library. Ardea never imports them itself.

    Args:
        disable: Turn autologging off instead (also cancels patches still waiting for an
            import).
        exclude: Flavors (``"crewai"``) or library import names to leave alone.
        exclude_flavors: MLflow's name for ``exclude``.
        **options: Passed to each integration's ``autolog`` (for example ``log_models``).

    Returns:
        The names (library import names) of the integrations enabled, waiting for their
        library's import, or disabled.
    """
    from ardea.autolog import _hooks

    skip = {*(exclude or ()), *(exclude_flavors or ())}
    done = []
    for library, module_name in integrations().items():
        if _excluded(library, module_name, skip) or not _installed(library):
            continue
        if disable:
            _hooks.cancel(library)
            if module_name in sys.modules:
                sys.modules[module_name].autolog(disable=True)
        else:
            _hooks.when_imported(library, _enabler(module_name, options))
        done.append(library)
    return done


def _enabler(module_name: str, options: dict[str, Any]) -> Any:
    def enable(_library_module: Any) -> None:
        module = importlib.import_module(module_name)
        module.autolog(**_accepted(module.autolog, options))

    return enable


def _accepted(func: Any, options: dict[str, Any]) -> dict[str, Any]:
    """The ``options`` that ``func`` takes (``log_models`` goes to sklearn, not to OpenAI)."""
    import inspect

    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return options
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return options
    return {k: v for k, v in options.items() if k in params}


def revert() -> None:
    """Remove every autolog patch that was installed (and cancel those still waiting)."""
    from ardea.autolog import _hooks

    for library, module_name in integrations().items():
        _hooks.cancel(library)
        if module_name in sys.modules and _installed(library):
            sys.modules[module_name].revert()


class _CallableModule(types.ModuleType):
    """This package, callable as :func:`autolog`."""

    def __call__(
        self,
        disable: bool = False,
        exclude: Iterable[str] | None = None,
        exclude_flavors: Iterable[str] | None = None,
        **options: Any,
    ) -> list[str]:
        return autolog(disable, exclude, exclude_flavors, **options)


sys.modules[__name__].__class__ = _CallableModule
