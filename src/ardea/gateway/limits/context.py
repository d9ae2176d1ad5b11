"""What the limit engines know about one request, and what they answer.

The request path builds a :class:`RequestContext` once the caller and the endpoint are known,
asks :meth:`ardea.gateway.limits.Limits.check` for a :class:`Decision` before the provider
call, and settles the real usage after it. A refusal carries what the request path needs to
raise its ``GatewayError``: the status, the message, a machine code and the headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ardea.gateway.config import Endpoint
from ardea.store.gateway_limits import Charge

__all__ = ["Decision", "RequestContext", "Reservation"]


@dataclass(frozen=True, slots=True)
class RequestContext:
    """One gateway request, as the limit engines see it.

    Attributes:
        endpoint: The endpoint called.
        user: The caller's user name, or None when the server runs without auth.
        key_id: The virtual key (auth token) id the caller presented, or None.
        model: The provider model the request goes to (for prices and key allow-lists).
        estimated_tokens: Tokens reserved against tokens-per-minute limits before the call
            (see :func:`ardea.gateway.limits.rate.estimate_tokens`).
        stream: Whether the caller asked for a stream (guardrails then run before only).
    """

    endpoint: Endpoint
    user: str | None = None
    key_id: str | None = None
    model: str | None = None
    estimated_tokens: int = 0
    stream: bool = False

    @property
    def workspace(self) -> str:
        """The endpoint's workspace."""
        return self.endpoint.workspace


@dataclass(frozen=True, slots=True)
class Reservation:
    """What :meth:`~ardea.gateway.limits.Limits.check` charged, to be settled after the call.

    Attributes:
        token_charges: The tokens-per-minute charges of the estimate (settled to the real
            count in the same windows).
    """

    token_charges: tuple[Charge, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether a request may go on.

    Attributes:
        allowed: True to call the provider.
        status: The HTTP status of a refusal (429 for limits and budgets).
        message: What to tell the caller.
        code: A machine code: ``rate_limit_exceeded``, ``budget_exceeded``, ...
        retry_after: Seconds until the refusing window ends (the ``Retry-After`` header).
        reservation: What to settle after the call (allowed requests only).
        attributes: Attributes to record on the request's trace.
    """

    allowed: bool
    status: int = 200
    message: str = ""
    code: str | None = None
    retry_after: int | None = None
    reservation: Reservation = Reservation()
    attributes: Mapping[str, object] = field(default_factory=dict)

    @property
    def headers(self) -> tuple[tuple[bytes, bytes], ...]:
        """Response headers of a refusal.

        ``retry-after`` when a window refused, and ``x-should-retry: false`` for a budget (the
        OpenAI and Anthropic SDKs then do not retry).
        """
        out: list[tuple[bytes, bytes]] = []
        if self.retry_after is not None:
            out.append((b"retry-after", str(self.retry_after).encode()))
        if self.code == "budget_exceeded":
            out.append((b"x-should-retry", b"false"))
        return tuple(out)
