"""Requests-per-minute and tokens-per-minute limits, exact at the boundary.

Each :class:`~ardea.gateway.config.RateLimit` of an endpoint names a scope; its counters are:

- ``key``: ``rl:key:<key id>:<endpoint id>`` -- each virtual key, on this endpoint (requests
  without a key are counted under ``user``'s rule instead, i.e. not by a ``key`` limit);
- ``user``: ``rl:user:<user>:<endpoint id>`` -- each user (``anonymous`` without auth);
- ``endpoint``: ``rl:endpoint:<endpoint id>`` -- all callers of the endpoint;
- ``workspace``: ``rl:workspace:<workspace>`` -- all callers of every endpoint of the
  workspace that declares a workspace limit (they share one counter).

Windows are calendar minutes (UTC). The N-th request of a minute under an N-per-minute limit
passes, the N+1-th is refused with 429 and ``Retry-After`` = the seconds left in the minute.
Every counter of a request is charged in one atomic step, so a request refused by one limit
consumes nothing from the others. Tokens: the estimate is reserved before the call (refused
if it would pass the limit) and corrected to the real count after it, in the same window.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ardea.gateway.config import RateLimit
from ardea.gateway.limits.context import Decision, RequestContext, Reservation
from ardea.gateway.limits.windows import window
from ardea.store.gateway_limits import Charge, CounterStore

__all__ = ["RateLimiter", "estimate_tokens"]

_KEEP_S = 120  # a minute counter is kept one more minute after its window


def _text_chars(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, Mapping):
        return sum(_text_chars(v) for v in value.values())
    if isinstance(value, list):
        return sum(_text_chars(v) for v in value)
    return 0


def estimate_tokens(body: Mapping[str, Any], default_max_tokens: int = 256) -> int:
    """A request's token estimate: its text at 4 characters a token, plus the output cap.

    The output cap is ``max_completion_tokens`` / ``max_tokens`` / ``max_output_tokens`` when
    the caller set one, else ``default_max_tokens``.
    """
    prompt = body.get("messages", body.get("input", body.get("prompt", "")))
    out = default_max_tokens
    for name in ("max_completion_tokens", "max_tokens", "max_output_tokens"):
        value = body.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            out = value
            break
    return math.ceil(_text_chars(prompt) / 4) + out


def _subject(limit: RateLimit, ctx: RequestContext) -> str | None:
    ep = ctx.endpoint.endpoint_id
    if limit.scope == "key":
        return None if ctx.key_id is None else f"rl:key:{ctx.key_id}:{ep}"
    if limit.scope == "user":
        return f"rl:user:{ctx.user or 'anonymous'}:{ep}"
    if limit.scope == "endpoint":
        return f"rl:endpoint:{ep}"
    return f"rl:workspace:{ctx.workspace}"


class RateLimiter:
    """Checks and settles an endpoint's rate limits on a shared counter store.

    Args:
        store: The counters (database or Redis).
        clock: Seconds since the epoch (``time.time``; tests pass a fixed clock).
    """

    def __init__(self, store: CounterStore, clock: Callable[[], float]) -> None:
        self._store = store
        self._clock = clock

    def check(self, ctx: RequestContext) -> Decision:
        """Charge one request (and the token estimate) to every applicable limit, or refuse."""
        now = self._clock()
        start, end = window(now, "MINUTES", 1)
        charges: list[Charge] = []
        token_charges: list[Charge] = []
        labels: list[str] = []
        for limit in ctx.endpoint.limits:
            subject = _subject(limit, ctx)
            if subject is None:
                continue
            if limit.requests_per_minute is not None:
                charges.append(
                    Charge(f"{subject}:req", start, end + _KEEP_S, 1, limit.requests_per_minute)
                )
                labels.append(f"{limit.requests_per_minute} requests per minute ({limit.scope})")
            if limit.tokens_per_minute is not None:
                tokens = Charge(
                    f"{subject}:tok",
                    start,
                    end + _KEEP_S,
                    max(0, ctx.estimated_tokens),
                    limit.tokens_per_minute,
                )
                charges.append(tokens)
                token_charges.append(tokens)
                labels.append(f"{limit.tokens_per_minute} tokens per minute ({limit.scope})")
        refused = self._store.charge(charges)
        if refused is None:
            return Decision(allowed=True, reservation=Reservation(tuple(token_charges)))
        retry = max(1, math.ceil(end - now))
        return Decision(
            allowed=False,
            status=429,
            message=f"Rate limit exceeded: {labels[refused]} on endpoint "
            f"'{ctx.endpoint.name}'. Retry after {retry} s.",
            code="rate_limit_exceeded",
            retry_after=retry,
            attributes={"ardea.gateway.limit": labels[refused]},
        )

    def settle(self, reservation: Reservation, total_tokens: int | None) -> None:
        """Replace the reserved token estimate by the real count (None: keep the estimate)."""
        if total_tokens is None:
            return
        settle: Sequence[Charge] = [
            Charge(c.key, c.window_start, c.expires_at, total_tokens - c.amount)
            for c in reservation.token_charges
            if total_tokens != c.amount
        ]
        self._store.charge(settle)
