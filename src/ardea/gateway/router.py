"""Which targets a request tries, in order: the weighted split, then the fallbacks.

An :class:`EndpointRouter` is built once per endpoint and configuration generation; the
request path asks it for a :meth:`~EndpointRouter.plan` (one random draw and a list slice).
:class:`Routers` keeps them, and drops them all when the source's ``generation`` moves.
"""

from __future__ import annotations

import bisect
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ardea.gateway.config import Endpoint, GatewaySource, ModelTarget
from ardea.gateway.upstream import Upstream, build_upstream

__all__ = ["EndpointRouter", "Routers"]


class EndpointRouter:
    """The routing state of one endpoint: split weights, fallbacks, ready upstreams.

    Args:
        endpoint: The endpoint.
        credentials: ``source.credentials`` (called once per target, here).
        rng: A random source with ``random()`` (seed one in tests).
    """

    def __init__(
        self,
        endpoint: Endpoint,
        credentials: Callable[[ModelTarget], Mapping[str, str]],
        rng: random.Random,
    ) -> None:
        self.endpoint = endpoint
        self._rng = rng
        primary = [t for t in endpoint.primary if t.weight > 0] or list(endpoint.primary)
        total = 0.0
        self._cumulative: list[float] = []
        for target in primary:
            total += max(target.weight, 0.0) or 1.0
            self._cumulative.append(total)
        self._total = total
        fallback = endpoint.fallback
        self._fallback = list(fallback.targets) if fallback else []
        self._max_attempts = max(1, fallback.max_attempts) if fallback else 1
        self.fallback_on = fallback.on if fallback else frozenset[str]()
        targets = {id(t): t for t in (*endpoint.primary, *self._fallback)}
        self._upstreams = {k: build_upstream(t, credentials(t)) for k, t in targets.items()}
        self._primary = [self._upstreams[id(t)] for t in primary]
        self._fallback_up = [self._upstreams[id(t)] for t in self._fallback]
        self._by_name: dict[str, Upstream] = {}
        for up in self._upstreams.values():
            self._by_name.setdefault(up.target.name, up)
            self._by_name.setdefault(up.target.model, up)

    def choose(self) -> Upstream:
        """One primary target, drawn by weight."""
        if len(self._primary) == 1:
            return self._primary[0]
        point = self._rng.random() * self._total
        return self._primary[
            min(bisect.bisect_right(self._cumulative, point), len(self._primary) - 1)
        ]

    def plan(self, override: str | None = None) -> list[Upstream]:
        """The targets to try in order, at most ``max_attempts``.

        Args:
            override: A target the caller named (its definition name or model); used first
                when the endpoint allows overrides and has such a target.
        """
        first = None
        if override is not None and self.endpoint.allow_model_override:
            first = self._by_name.get(override)
        if first is None:
            first = self.choose()
        if self._max_attempts == 1:
            return [first]
        order = [first, *(u for u in self._fallback_up if u is not first)]
        return order[: self._max_attempts]


@dataclass(frozen=True, slots=True)
class _Entry:
    router: EndpointRouter | None


class Routers:
    """Per-endpoint routers, rebuilt when the source's configuration changes.

    Args:
        source: Where endpoints and credentials come from.
        rng: The random source of every split (default: a fresh ``random.Random``).
    """

    def __init__(self, source: GatewaySource, rng: random.Random | None = None) -> None:
        self.source = source
        self._rng = rng or random.Random()
        self._generation = source.generation
        self._routers: dict[tuple[str, str], _Entry] = {}
        self._lock = threading.Lock()

    def get(self, workspace: str, name: str) -> EndpointRouter | None:
        """The router of endpoint ``name`` in ``workspace``, or None for an unknown one."""
        generation = self.source.generation
        if generation != self._generation:
            with self._lock:
                self._routers = {}
                self._generation = generation
        key = (workspace, name)
        entry = self._routers.get(key)
        if entry is None:
            endpoint = self.source.endpoint(workspace, name)
            router = None
            if endpoint is not None and endpoint.primary:
                router = EndpointRouter(endpoint, self.source.credentials, self._rng)
            entry = _Entry(router)
            if len(self._routers) < 10_000:  # unknown names are cached too, within bounds
                self._routers[key] = entry
        return entry.router
