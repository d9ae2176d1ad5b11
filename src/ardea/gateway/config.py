"""The gateway's resolved configuration, and the source it comes from.

The request path never reads the database or the YAML file itself: it asks a
:class:`GatewaySource` for an :class:`Endpoint` by workspace and name, and for the decrypted
credentials of a :class:`ModelTarget` at call time. Two sources implement it:

- the config file of ``ardea gateway --config gateway.yaml``;
- the database (MLflow's ``/api/3.0/mlflow/gateway/...`` management wire), with the
  credentials encrypted at rest.

A source caches what it resolves and bumps :attr:`GatewaySource.generation` when the
configuration changes, so the request path can keep per-endpoint state (a router, a cache)
and rebuild it only when the number moves.

The shapes follow MLflow's embedded gateway (``MLFLOW-WIRE.md`` section 12.2): an endpoint
has PRIMARY model mappings with weights (a request-based traffic split) and FALLBACK mappings
tried in ``fallback_order``, up to ``max_attempts`` in all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

__all__ = [
    "EndpointType",
    "Endpoint",
    "FallbackPolicy",
    "GatewaySource",
    "LimitScope",
    "ModelTarget",
    "RateLimit",
    "RetryPolicy",
]

EndpointType = Literal["llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings"]
"""What an endpoint serves, in MLflow's names."""

LimitScope = Literal["key", "user", "endpoint", "workspace"]
"""Whose traffic a :class:`RateLimit` counts."""


@dataclass(frozen=True, slots=True)
class ModelTarget:
    """One provider model an endpoint may send a request to (MLflow's model definition).

    Attributes:
        definition_id: The model definition's id (``d-...``), or its name in a config file.
        name: The model definition's name.
        provider: An :mod:`ardea.llm` provider name (``openai``, ``anthropic``, ``gemini``,
            ``bedrock``, ``mistral``, ``azure``, ``openai-compatible``, ...).
        model: The provider's model name (``gpt-4.1-mini``).
        secret_ref: The secret holding the credentials (a ``s-...`` id, or a config-file
            reference); resolved only at call time by :meth:`GatewaySource.credentials`.
        base_url: The provider's base URL when it is not the provider's default.
        options: Non-secret provider options (``api_version``, ``region``, ``deployment``).
        weight: The share of the endpoint's traffic this target receives among the primary
            targets (any positive number; shares are weight / sum of weights).
    """

    definition_id: str
    name: str
    provider: str
    model: str
    secret_ref: str | None = None
    base_url: str | None = None
    options: Mapping[str, str] = field(default_factory=dict)
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class FallbackPolicy:
    """Targets tried in order when the chosen primary target fails.

    Attributes:
        targets: The FALLBACK targets in ``fallback_order``.
        max_attempts: Attempts in all, the first (primary) one included.
        on: Which failures move to the next target: ``error`` (a 5xx or a connection
            error), ``timeout``, ``rate_limit`` (a 429).
    """

    targets: tuple[ModelTarget, ...]
    max_attempts: int
    on: frozenset[str] = frozenset({"error", "timeout", "rate_limit"})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retries of the same target before moving on to the next one (or failing).

    A retry waits ``backoff_s * 2**(n-1)`` seconds (at most ``max_backoff_s``) with jitter
    (a random point between half and the whole of it), or the provider's ``Retry-After``
    when it sent one; a retry whose wait would not end before the endpoint's deadline is
    not made (:mod:`ardea.gateway.retry`).

    Attributes:
        retries: Retries per target after its first attempt (0: none).
        backoff_s: The first retry's wait.
        max_backoff_s: The longest wait.
        on: Which failures are retried: ``error`` (a 5xx or a connection error),
            ``timeout``, ``rate_limit`` (a 429).
    """

    retries: int = 0
    backoff_s: float = 0.2
    max_backoff_s: float = 5.0
    on: frozenset[str] = frozenset({"error", "timeout", "rate_limit"})


NO_RETRY = RetryPolicy()
"""The default: no retries (a failure moves on to the fallback at once)."""


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A request and/or token budget per minute, counted per ``scope``."""

    scope: LimitScope
    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One gateway endpoint as the request path sees it.

    Attributes:
        endpoint_id: ``e-...`` (or the name in a config file).
        name: The name callers put in ``model`` (url-safe: letters, digits, ``-``, ``_``).
        workspace: The workspace the endpoint belongs to.
        endpoint_type: What it serves.
        primary: The weighted PRIMARY targets (a traffic split when there are several).
        fallback: The FALLBACK policy, if any.
        timeout_s: The deadline of one request, all attempts (and retries) included.
        allow_model_override: Whether a caller may name one of the endpoint's targets
            instead of letting the split choose.
        cache_ttl_s: Exact-match response cache lifetime, or None for no cache.
        experiment_id: Where request traces go when ``usage_tracking`` is on.
        usage_tracking: Record every request as a trace.
        limits: Rate limits that apply to requests on this endpoint.
        guardrail_ids: Guardrails in execution order.
        tags: Free-form tags.
        retry: Retries of a failed target before the fallback (default: none).
    """

    endpoint_id: str
    name: str
    workspace: str
    endpoint_type: EndpointType
    primary: tuple[ModelTarget, ...]
    fallback: FallbackPolicy | None = None
    timeout_s: float = 120.0
    allow_model_override: bool = False
    cache_ttl_s: float | None = None
    experiment_id: str | None = None
    usage_tracking: bool = True
    limits: tuple[RateLimit, ...] = ()
    guardrail_ids: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    retry: RetryPolicy = NO_RETRY


class GatewaySource(Protocol):
    """Where the request path gets endpoints and credentials (file or database)."""

    @property
    def generation(self) -> int:
        """A number that changes whenever any endpoint or secret changes."""
        ...

    def endpoint(self, workspace: str, name: str) -> Endpoint | None:
        """The endpoint called ``name`` in ``workspace``, or None."""
        ...

    def endpoints(self, workspace: str) -> Sequence[Endpoint]:
        """Every endpoint of ``workspace``, by name."""
        ...

    def credentials(self, target: ModelTarget) -> Mapping[str, str]:
        """The decrypted credentials of ``target`` (e.g. ``{"api_key": ...}``).

        Never logged, never returned over HTTP, never sent to another provider.
        """
        ...
