"""The database-backed :class:`~ardea.gateway.config.GatewaySource` (MLflow's management wire).

:class:`DatabaseGatewaySource` resolves a workspace's endpoints from its
:class:`~ardea.store.gateway.GatewayStore` (all of them in one pass: endpoints, their model
definitions, the secrets' non-secret ``auth_config``, guardrail order) and keeps them for
``ttl_s`` seconds (60 by default, MLflow's ``--secrets-cache-ttl``); decrypted credentials
are kept as long, in this process's memory only.

Freshness:

- a write through this process's stores (any workspace) moves the store's
  :attr:`~ardea.store.gateway.GatewayStore.generation`; the source sees it on its next call,
  drops everything it holds and moves its own :attr:`generation`: this process's changes
  apply to the next request;
- another replica's writes are seen when the cached copy expires: a change made elsewhere
  takes effect here within ``ttl_s`` seconds (cross-replica staleness <= TTL); when a reload
  finds the workspace's endpoints changed, :attr:`generation` moves too.

How a stored endpoint maps onto :class:`~ardea.gateway.config.Endpoint`:

- PRIMARY mappings are :attr:`~ardea.gateway.config.Endpoint.primary` (weights as stored);
  FALLBACK mappings, by ``fallback_order``, are the :class:`FallbackPolicy` targets, with
  ``max_attempts`` from ``fallback_config`` (default: one attempt per target, the primary's
  included);
- a target's provider is normalized to :mod:`ardea.llm`'s name (``amazon-bedrock`` ->
  ``bedrock``); its ``base_url`` is the secret's ``auth_config`` ``api_base`` (or
  ``base_url``), the rest of ``auth_config`` its ``options`` (as strings);
- ``options`` of the endpoint give ``timeout_s``, ``retry`` (a map as in the config file),
  ``allow_model_override``, ``cache_ttl_s`` and rate ``limits``; the endpoint's
  ``ardea.limits`` tag (settable over MLflow's tag REST, see
  :mod:`ardea.gateway.limits.records`), when set, replaces ``options``' limits.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities.gateway import GatewayEndpoint, GatewaySecretInfo, ModelMapping
from ardea.gateway.config import (
    NO_RETRY,
    Endpoint,
    EndpointType,
    FallbackPolicy,
    ModelTarget,
    RateLimit,
    RetryPolicy,
)
from ardea.gateway.limits.records import LIMITS_TAG, rate_limits_of
from ardea.llm.uri import provider_spec
from ardea.store.gateway import GatewayStore

__all__ = ["DEFAULT_TTL_S", "DatabaseGatewaySource", "to_endpoint"]

_log = logging.getLogger(__name__)

DEFAULT_TTL_S = 60.0
"""Seconds a resolved workspace (and a decrypted secret) is reused (MLflow's default)."""

_BASE_URL_KEYS = ("api_base", "base_url")


def _provider(name: str) -> str:
    spec = provider_spec(name)
    return spec.name if spec is not None else name


def _target(mapping: ModelMapping, secrets: Mapping[str, GatewaySecretInfo]) -> ModelTarget:
    definition = mapping.model_definition
    secret = secrets.get(definition.secret_id or "")
    config = dict(secret.auth_config) if secret is not None else {}
    base_url = next((str(config[k]) for k in _BASE_URL_KEYS if config.get(k)), None)
    options = {k: str(v) for k, v in config.items() if k not in _BASE_URL_KEYS and v is not None}
    return ModelTarget(
        definition_id=definition.model_definition_id,
        name=definition.name,
        provider=_provider(definition.provider),
        model=definition.model_name,
        secret_ref=definition.secret_id,
        base_url=base_url,
        options=options,
        weight=mapping.weight,
    )


def to_endpoint(
    stored: GatewayEndpoint,
    workspace: str,
    secrets: Mapping[str, GatewaySecretInfo],
    guardrail_ids: Sequence[str] = (),
) -> Endpoint:
    """The request path's view of a stored endpoint (see the module doc)."""
    primary = tuple(
        _target(m, secrets) for m in stored.model_mappings if m.linkage_type == "PRIMARY"
    )
    fallbacks = sorted(
        (m for m in stored.model_mappings if m.linkage_type == "FALLBACK"),
        key=lambda m: (m.fallback_order is None, m.fallback_order or 0, m.created_at),
    )
    fallback = None
    if fallbacks:
        targets = tuple(_target(m, secrets) for m in fallbacks)
        attempts = stored.fallback_max_attempts or len(targets) + 1
        fallback = FallbackPolicy(targets=targets, max_attempts=attempts)
    options = stored.options
    limits = tuple(
        RateLimit(
            scope=limit["scope"],
            requests_per_minute=limit.get("requests_per_minute"),
            tokens_per_minute=limit.get("tokens_per_minute"),
        )
        for limit in options.get("limits", ())
    )
    tag = stored.tags.get(LIMITS_TAG)
    if tag:
        try:
            limits = rate_limits_of(tag)
        except ValueError:  # refused when set over REST; a bad row written otherwise is ignored
            _log.warning("Endpoint %s: ignoring its malformed %s tag", stored.name, LIMITS_TAG)
    endpoint_type: EndpointType = stored.endpoint_type  # type: ignore[assignment]
    return Endpoint(
        endpoint_id=stored.endpoint_id,
        name=stored.name,
        workspace=workspace,
        endpoint_type=endpoint_type,
        primary=primary,
        fallback=fallback,
        timeout_s=float(options.get("timeout_s", 120.0)),
        retry=_retry(options.get("retry")),
        allow_model_override=bool(options.get("allow_model_override", False)),
        cache_ttl_s=options.get("cache_ttl_s"),
        experiment_id=stored.experiment_id,
        usage_tracking=stored.usage_tracking,
        limits=limits,
        guardrail_ids=tuple(guardrail_ids),
        tags=dict(stored.tags),
    )


def _retry(raw: object) -> RetryPolicy:
    """The retry policy of an endpoint's stored ``retry`` option (no retries when absent)."""
    if not isinstance(raw, dict):
        return NO_RETRY
    on = raw.get("on")
    try:
        return RetryPolicy(
            retries=max(0, min(int(raw.get("retries", 0)), 10)),
            backoff_s=float(raw.get("backoff_s", NO_RETRY.backoff_s)),
            max_backoff_s=float(raw.get("max_backoff_s", NO_RETRY.max_backoff_s)),
            on=frozenset(on) if isinstance(on, list) else NO_RETRY.on,
        )
    except (TypeError, ValueError):
        return NO_RETRY


@dataclass(frozen=True)
class _Resolved:
    loaded_at: float
    endpoints: dict[str, Endpoint]
    secret_workspace: dict[str, str]


class DatabaseGatewaySource:
    """Endpoints and credentials from the gateway store, cached for ``ttl_s`` seconds.

    Args:
        store_for: The gateway store of a workspace (e.g. ``lambda ws:
            backend.scoped(ws).gateway``); raises NotFoundError for an unknown workspace.
        ttl_s: How long a resolved workspace and a decrypted secret are reused.
        clock: Monotonic seconds (tests pass their own).
    """

    def __init__(
        self,
        store_for: Callable[[str], GatewayStore],
        ttl_s: float = DEFAULT_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store_for = store_for
        self._ttl = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._workspaces: dict[str, _Resolved] = {}
        self._credentials: dict[str, tuple[float, dict[str, str]]] = {}
        self._seen_store_generation: int | None = None
        self._generation = 0

    def __repr__(self) -> str:
        return f"DatabaseGatewaySource(ttl_s={self._ttl})"

    @property
    def generation(self) -> int:
        """Moves when this process writes, or when a reload finds other replicas' changes."""
        self._check_local_writes()
        return self._generation

    def _check_local_writes(self) -> None:
        current = self._store_for("default").generation
        with self._lock:
            if current != self._seen_store_generation:
                if self._seen_store_generation is not None:
                    self._workspaces.clear()
                    self._credentials.clear()
                    self._generation += 1
                self._seen_store_generation = current

    def invalidate(self) -> None:
        """Forget everything (the next call reloads)."""
        with self._lock:
            self._workspaces.clear()
            self._credentials.clear()
            self._generation += 1

    def _resolved(self, workspace: str) -> _Resolved:
        self._check_local_writes()
        now = self._clock()
        found = self._workspaces.get(workspace)
        if found is not None and now - found.loaded_at < self._ttl:
            return found
        try:
            store = self._store_for(workspace)
        except (NotFoundError, InvalidArgumentError, ValueError):  # no such workspace
            empty = _Resolved(now, {}, {})
            with self._lock:
                self._workspaces[workspace] = empty
            return empty
        secrets = {s.secret_id: s for s in store.list_secrets()}
        endpoints = {}
        secret_workspace = {}
        for stored in store.list_endpoints():
            order = [
                c.guardrail.guardrail_id for c in store.list_endpoint_guardrails(stored.endpoint_id)
            ]
            endpoints[stored.name] = to_endpoint(stored, workspace, secrets, order)
            for mapping in stored.model_mappings:
                if mapping.model_definition.secret_id:
                    secret_workspace[mapping.model_definition.secret_id] = workspace
        resolved = _Resolved(now, endpoints, secret_workspace)
        with self._lock:
            if found is not None and found.endpoints != endpoints:
                self._generation += 1
            self._workspaces[workspace] = resolved
        return resolved

    def endpoint(self, workspace: str, name: str) -> Endpoint | None:
        """The endpoint called ``name`` in ``workspace``, or None."""
        return self._resolved(workspace).endpoints.get(name)

    def endpoints(self, workspace: str) -> Sequence[Endpoint]:
        """Every endpoint of ``workspace``, by name."""
        found = self._resolved(workspace).endpoints
        return [found[name] for name in sorted(found)]

    def credentials(self, target: ModelTarget) -> Mapping[str, str]:
        """The decrypted credentials of ``target`` (empty when it has no secret)."""
        secret_id = target.secret_ref
        if not secret_id:
            return {}
        self._check_local_writes()
        now = self._clock()
        cached = self._credentials.get(secret_id)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        workspace = next(
            (
                r.secret_workspace[secret_id]
                for r in self._workspaces.values()
                if secret_id in r.secret_workspace
            ),
            "default",
        )
        values = self._store_for(workspace).secret_values(secret_id)
        with self._lock:
            self._credentials[secret_id] = (now, values)
        return values
