"""A :class:`~ardea.gateway.config.GatewaySource` held in memory.

For tests, benchmarks and embedding: endpoints and credentials are given as Python objects;
:meth:`StaticSource.set` replaces them and bumps the generation (the request path then
rebuilds its routers). It is also the server's source when no other one is configured (empty:
every endpoint is unknown).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence

from ardea.gateway.config import Endpoint, ModelTarget

__all__ = ["StaticSource"]


class StaticSource:
    """Endpoints and secrets in memory.

    Args:
        endpoints: The endpoints (each in its own ``workspace``).
        secrets: ``secret_ref -> credentials`` (e.g. ``{"s-1": {"api_key": "..."}}``).
    """

    def __init__(
        self,
        endpoints: Iterable[Endpoint] = (),
        secrets: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._generation = 0
        self._endpoints: dict[tuple[str, str], Endpoint] = {}
        self._secrets: dict[str, Mapping[str, str]] = {}
        self.set(endpoints, secrets)
        self._generation = 0

    @property
    def generation(self) -> int:
        """Bumped by every :meth:`set`."""
        return self._generation

    def set(
        self,
        endpoints: Iterable[Endpoint],
        secrets: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        """Replace the configuration (secrets are kept when ``secrets`` is None)."""
        with self._lock:
            self._endpoints = {(e.workspace, e.name): e for e in endpoints}
            if secrets is not None:
                self._secrets = {k: dict(v) for k, v in secrets.items()}
            self._generation += 1

    def endpoint(self, workspace: str, name: str) -> Endpoint | None:
        """The endpoint called ``name`` in ``workspace``, or None."""
        return self._endpoints.get((workspace, name))

    def endpoints(self, workspace: str) -> Sequence[Endpoint]:
        """Every endpoint of ``workspace``, by name."""
        found = [e for (ws, _), e in self._endpoints.items() if ws == workspace]
        return sorted(found, key=lambda e: e.name)

    def credentials(self, target: ModelTarget) -> Mapping[str, str]:
        """The credentials of ``target``'s secret (``{}`` without one)."""
        if target.secret_ref is None:
            return {}
        return self._secrets.get(target.secret_ref, {})
