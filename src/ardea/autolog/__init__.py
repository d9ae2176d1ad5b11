"""Autologging: patches for third-party libraries that log to Ardea without code changes.

``ardea.autolog()`` enables every integration whose library is installed;
``ardea.sklearn.autolog()`` (or ``ardea.autolog.sklearn.autolog()``) enables one. This
package is callable, so ``ardea.autolog()`` works whether ``ardea.autolog`` was reached as
the function or as the package. Each integration gets only the options its ``autolog``
takes (``log_models`` goes to sklearn, ``log_traces`` to the GenAI ones).

==============================  ====================================================
Module                          Integration
==============================  ====================================================
``sklearn``                     runs, params, metrics and models of ``fit`` calls
``openai``                      spans of OpenAI SDK calls (chat, responses, embeddings)
``anthropic``                   spans of Anthropic ``messages`` calls
``langchain``                   spans of LangChain / LangGraph runs (callback handler)
``_patching``, ``_wrappers``    revertible, exception-safe method patches
``_llm_call``, ``_streams``     an LLM call's span; stream proxies keeping it open
==============================  ====================================================
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

__all__ = ["ENTRY_POINT_GROUP", "INTEGRATIONS", "autolog", "integrations", "revert"]

INTEGRATIONS: dict[str, str] = {
    "anthropic": "ardea.autolog.anthropic",
    "langchain_core": "ardea.autolog.langchain",
    "openai": "ardea.autolog.openai",
    "sklearn": "ardea.autolog.sklearn",
}
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
    try:
        return importlib.util.find_spec(library) is not None
    except (ImportError, ValueError):
        return False


def autolog(disable: bool = False, **options: Any) -> list[str]:
    """Enable (or disable) autologging for every installed integration.

    Args:
        disable: Turn autologging off instead.
        **options: Passed to each integration's ``autolog`` (for example ``log_models``).

    Returns:
        The names of the integrations that were enabled or disabled.
    """
    done = []
    for library, module_name in integrations().items():
        if not _installed(library):
            continue
        module = importlib.import_module(module_name)
        module.autolog(disable=disable, **_accepted(module.autolog, options))
        done.append(library)
    return done


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
    """Remove every autolog patch that was installed."""
    for library, module_name in integrations().items():
        if module_name in sys.modules and _installed(library):
            sys.modules[module_name].revert()


class _CallableModule(types.ModuleType):
    """This package, callable as :func:`autolog`."""

    def __call__(self, disable: bool = False, **options: Any) -> list[str]:
        return autolog(disable=disable, **options)


sys.modules[__name__].__class__ = _CallableModule
