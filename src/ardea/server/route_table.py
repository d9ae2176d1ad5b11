"""Which methods a path answers: for 405 answers and their ``Allow`` header.

Every RPC is registered as one route per method, so the route Starlette happens to match first
knows only its own method; this table holds the union per path. A path the table knows only
through a path-parameter route (``/traces/{trace_id}``) is not treated as known under the API
prefixes: there, ``POST /api/3.0/mlflow/traces/<an RPC this server lacks>`` must answer 404
``ENDPOINT_NOT_FOUND`` (which MLflow clients take as "fall back"), not 405 because the RPC's
name happens to fit ``{trace_id}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from starlette.routing import compile_path

__all__ = ["API_PREFIXES", "RouteTable"]

API_PREFIXES = ("/api/", "/ajax-api/")
"""Paths under which an unknown endpoint is always a 404 ``ENDPOINT_NOT_FOUND``."""


class RouteTable:
    """Methods per exact path, and per path-parameter pattern.

    Args:
        mounts: ``(prefix, router)`` pairs as ``create_app`` included them.
    """

    def __init__(self, mounts: Iterable[tuple[str, Any]]) -> None:
        self._exact: dict[str, set[str]] = {}
        patterns: dict[str, tuple[re.Pattern[str], set[str], str]] = {}
        for prefix, router in mounts:
            for route in router.routes:
                path = prefix + getattr(route, "path", "")
                methods = set(getattr(route, "methods", None) or ())
                if not methods:
                    continue
                if "{" in path:
                    regex = patterns.setdefault(path, (compile_path(path)[0], set(), path))
                    regex[1].update(methods)
                else:
                    self._exact.setdefault(path, set()).update(methods)
        self._patterns = list(patterns.values())

    def allowed(self, path: str) -> set[str] | None:
        """The methods ``path`` answers, or None when it is no known endpoint.

        An exact path counts everywhere; a path-parameter match counts outside the API
        prefixes only (see the module docstring).
        """
        exact = self._exact.get(path)
        if exact:
            return _with_implied(exact)
        if path.startswith(API_PREFIXES):
            return None
        found: set[str] = set()
        for regex, methods, _ in self._patterns:
            if regex.match(path):
                found |= methods
        return _with_implied(found) if found else None

    def template(self, path: str) -> str | None:
        """The route path ``path`` is served by (``/api/3.0/mlflow/traces/{trace_id}``), or None.

        An exact path is its own template; otherwise the first path-parameter route that
        matches. The answer is bounded by the routes, never by what a client sends (for
        request metrics).
        """
        if path in self._exact:
            return path
        for regex, _, template in self._patterns:
            if regex.match(path):
                return template
        return None


def _with_implied(methods: set[str]) -> set[str]:
    """``GET`` implies ``HEAD``, as Starlette answers it."""
    return methods | {"HEAD"} if "GET" in methods else set(methods)
