"""The request path's seam to the limit engines: admit before the call, settle after it.

:class:`GatewayGuard` is what :class:`ardea.gateway.proxy.Gateway` holds. For one call it:

1. checks the caller's virtual-key scope (:func:`~ardea.gateway.limits.keys.check_key`:
   the scope's expiry, its model allow-list; the USE permission was checked at the door);
2. checks the budgets, then charges the rate limits (:meth:`Limits.acheck`);
3. runs the endpoint's ``BEFORE`` guardrails over the request body (block or redact);

and after the provider call runs the ``AFTER`` guardrails on a whole answer and settles the
real tokens and cost (:meth:`Limits.asettle`). Each refusal is a :class:`Refused` (a
:class:`~ardea.gateway.errors.GatewayError` carrying the trace attributes of the decision).

The hot path stays cheap: budget policies, key scopes and guardrails are cached per
workspace / key / endpoint (``ttl_s``, and dropped when the gateway source's generation
moves), and when an endpoint has no rate limits, no budget applies, no guardrail is attached
and the key has no scope, :meth:`GatewayGuard.admit` answers None without leaving the event
loop (no thread hop, no counter round trip).

Outages: when the budget policies cannot be read, no budget applies until the next read
(``ttl_s`` later; logged); when the counters cannot be charged or a key's scope cannot be
read, the call is refused with 503 ``limits_unavailable`` (a limit is never silently skipped).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ardea.entities.auth import TokenInfo
from ardea.entities.gateway_keys import KeyScope
from ardea.gateway.config import Endpoint
from ardea.gateway.errors import GatewayError
from ardea.gateway.limits.budgets import BudgetAlert, BudgetPolicy
from ardea.gateway.limits.context import Decision, RequestContext
from ardea.gateway.limits.engine import Limits
from ardea.gateway.limits.guardrails import Guardrail, Rewrite, run_guardrails
from ardea.gateway.limits.keys import check_key, model_allowed
from ardea.gateway.limits.rate import estimate_tokens
from ardea.gateway.limits.sanitize import SANITIZING, sanitization_request, sanitized_payload
from ardea.store.gateway_limits import CounterStore

__all__ = ["Admission", "GatewayGuard", "Refused"]

_log = logging.getLogger(__name__)

PolicyLoader = Callable[[str], Sequence[BudgetPolicy]]
"""The budget policies of a workspace (a store read: called off the event loop)."""
ScopeLoader = Callable[[int], KeyScope | None]
"""The gateway scope of a token id, or None (a store read: called off the event loop)."""
GuardrailLoader = Callable[[Endpoint], Sequence[Guardrail]]
"""The guardrails of an endpoint, in execution order (called off the event loop)."""
Sanitizer = Callable[[str, str, dict[str, Any]], Coroutine[Any, Any, tuple[int, bytes]]]
"""Calls action endpoint ``(workspace, endpoint_id, chat body without model)``: its status
and answer body."""
SANITIZE_TIMEOUT_S = 120.0
"""The longest a sanitization call may take (the action endpoint's own deadline applies)."""


class Refused(GatewayError):
    """A refusal by a limit, a budget, a key scope or a guardrail.

    Attributes:
        attributes: The decision's trace attributes.
    """

    def __init__(self, decision: Decision, attributes: Mapping[str, object]) -> None:
        super().__init__(decision.status, decision.message, decision.code, decision.headers)
        self.attributes = dict(attributes)


@dataclass(slots=True)
class Admission:
    """What :meth:`GatewayGuard.admit` let through, to settle after the call.

    Attributes:
        ctx: The request as the engines see it.
        decision: The limits' decision (None when no counter was charged).
        guardrails: The endpoint's guardrails (the AFTER ones run on the answer).
        attributes: Trace attributes gathered so far.
        scope: The caller's virtual-key scope (None: an ordinary token, or no token).
    """

    ctx: RequestContext
    decision: Decision | None
    guardrails: tuple[Guardrail, ...]
    attributes: dict[str, object] = field(default_factory=dict)
    scope: KeyScope | None = None

    def allows(self, model: str) -> bool:
        """Whether the caller's key may call ``model`` (a fallback target) on this endpoint."""
        return model_allowed(self.scope, self.ctx.endpoint.name, model)


class _Cache:
    """A small TTL cache of store reads (keys -> values), cleared when ``generation`` moves."""

    def __init__(self, ttl_s: float, clock: Callable[[], float]) -> None:
        self._ttl = ttl_s
        self._clock = clock
        self._items: dict[Any, tuple[float, Any]] = {}
        self._generation: int | None = None
        self._lock = threading.Lock()

    def get(self, key: Any, generation: int) -> tuple[bool, Any]:
        if generation != self._generation:
            with self._lock:
                self._items.clear()
                self._generation = generation
            return False, None
        found = self._items.get(key)
        if found is None or self._clock() - found[0] >= self._ttl:
            return False, None
        return True, found[1]

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[key] = (self._clock(), value)


class GatewayGuard:
    """Key scopes, budgets, rate limits and guardrails around one gateway's calls.

    Args:
        store: The shared counters of budgets and rate limits (``counter_store_for``).
        alert: Where ``ALERT`` budgets report a spent window (``webhook_alert_sink``).
        policies: The budget policies of a workspace (None: no budgets).
        scopes: The gateway scope of a token (None: keys have no scope).
        guardrails: The guardrails of an endpoint (None: no guardrails).
        generation: The gateway source's generation (caches are dropped when it moves).
        sanitizer: How SANITIZATION judges call their action endpoint (the gateway's own
            invocation; settable later as :attr:`sanitizer`); None blocks instead.
        ttl_s: How long a policy list, key scope or guardrail list is reused; a change made
            over REST in this process applies at once (the generation moves), one made on
            another replica within ``ttl_s``.
        clock: Monotonic seconds.
    """

    def __init__(
        self,
        store: CounterStore,
        *,
        alert: Callable[[BudgetAlert], None] | None = None,
        policies: PolicyLoader | None = None,
        scopes: ScopeLoader | None = None,
        guardrails: GuardrailLoader | None = None,
        generation: Callable[[], int] = lambda: 0,
        ttl_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        sanitizer: Sanitizer | None = None,
    ) -> None:
        self.limits = Limits(store, policies=self._cached_policies, alert=alert)
        self.sanitizer = sanitizer
        self._load_policies = policies
        self._load_scope = scopes
        self._load_guardrails = guardrails
        self._generation = generation
        self._ttl = ttl_s
        self._policies = _Cache(ttl_s, clock)
        self._scopes = _Cache(ttl_s, clock)
        self._guardrails = _Cache(ttl_s, clock)

    def _cached_policies(self, workspace: str) -> Sequence[BudgetPolicy]:
        """The workspace's policies as :meth:`admit` loaded them (read by the engines)."""
        hit, value = self._policies.get(workspace, self._generation())
        if hit:
            return value  # type: ignore[no-any-return]
        if self._load_policies is None:
            return ()
        value = self._read_policies(workspace)
        self._policies.put(workspace, value)
        return value

    def _read_policies(self, workspace: str) -> tuple[BudgetPolicy, ...]:
        """The workspace's policies; none (logged) when the store cannot be read."""
        assert self._load_policies is not None
        try:
            return tuple(self._load_policies(workspace))
        except Exception:
            _log.warning(
                "Budget policies of workspace %r cannot be read: no budget applies for %.0f s",
                workspace,
                self._ttl,
                exc_info=True,
            )
            return ()

    async def _cached(
        self, cache: _Cache, key: Any, load: Callable[[], Any], generation: int
    ) -> Any:
        hit, value = cache.get(key, generation)
        if hit:
            return value
        value = await asyncio.to_thread(load)
        cache.put(key, value)
        return value

    async def _check_scope(
        self, token: TokenInfo, endpoint: Endpoint, model: str | None, generation: int
    ) -> tuple[Mapping[str, object], KeyScope | None]:
        """The key's scope check: its trace attributes and scope, or a refusal (503: unread)."""
        assert self._load_scope is not None
        load_scope = self._load_scope
        try:
            scope = await self._cached(
                self._scopes, token.id, lambda: load_scope(token.id), generation
            )
        except Exception as exc:
            _log.exception("The scope of API token %s cannot be read", token.id)
            raise GatewayError(
                503,
                "The gateway cannot check this key right now; retry later",
                "limits_unavailable",
            ) from exc
        if scope is None:
            return {}, None
        key = check_key(token, scope, endpoint, model, has_use=True, now_ms=int(time.time() * 1000))
        if not key.allowed:
            raise Refused(key, {"ardea.gateway.key.refused": key.code or ""})
        return key.attributes, scope

    async def admit(
        self,
        endpoint: Endpoint,
        *,
        user: str | None,
        key_id: str | None,
        token: TokenInfo | None,
        model: str | None,
        body: dict[str, Any],
        stream: bool,
    ) -> tuple[Admission | None, dict[str, Any]]:
        """Check one call before the provider is called.

        Returns:
            The admission to settle (None when nothing applies to this call) and the body to
            send (redacted by SANITIZATION guardrails, else ``body`` itself).

        Raises:
            Refused: A key scope (401/403), a budget or rate limit (429, ``Retry-After``), or
                a guardrail (400 ``guardrail_blocked``) refused the call.
        """
        generation = self._generation()
        workspace = endpoint.workspace
        attributes: dict[str, object] = {}
        scope: KeyScope | None = None
        if token is not None and self._load_scope is not None:
            found, scope = await self._check_scope(token, endpoint, model, generation)
            attributes.update(found)
        policies: Sequence[BudgetPolicy] = ()
        if self._load_policies is not None:
            policies = await self._cached(
                self._policies, workspace, lambda: self._read_policies(workspace), generation
            )
        guardrails: tuple[Guardrail, ...] = ()
        if endpoint.guardrail_ids and self._load_guardrails is not None and not SANITIZING.get():
            load_guardrails = self._load_guardrails
            guardrails = await self._cached(
                self._guardrails,
                (workspace, endpoint.endpoint_id, endpoint.guardrail_ids),
                lambda: tuple(load_guardrails(endpoint)),
                generation,
            )
        if not endpoint.limits and not policies and not guardrails:
            if not attributes and scope is None:
                return None, body
            return Admission(
                _context(endpoint, user, key_id, model, 0, stream), None, (), attributes, scope
            ), body
        ctx = _context(
            endpoint,
            user,
            key_id,
            model,
            estimate_tokens(body) if endpoint.limits else 0,
            stream,
        )
        decision: Decision | None = None
        if endpoint.limits or policies:
            try:
                decision = await self.limits.acheck(ctx)
            except Exception as exc:
                _log.exception("The gateway's limit counters failed")
                raise GatewayError(
                    503,
                    "The gateway cannot check this endpoint's limits right now; retry later",
                    "limits_unavailable",
                ) from exc
            attributes.update(decision.attributes)
            if not decision.allowed:
                raise Refused(decision, attributes)
        if any(g.stage == "BEFORE" for g in guardrails):
            outcome = await asyncio.to_thread(
                run_guardrails,
                guardrails,
                "BEFORE",
                body,
                stream=stream,
                rewrite=self._rewriter(workspace, guardrails),
            )
            attributes.update(outcome.attributes)
            if outcome.refusal is not None:
                if decision is not None:  # nothing was called: give the reservation back
                    await self.limits.asettle(ctx, decision, total_tokens=0, cost_usd=0.0)
                raise Refused(outcome.refusal, attributes)
            body = outcome.payload
        return Admission(ctx, decision, guardrails, attributes, scope), body

    async def check_answer(self, admission: Admission, answer: dict[str, Any]) -> dict[str, Any]:
        """The ``AFTER`` guardrails over a whole answer: the answer to send (maybe redacted).

        Raises:
            Refused: A VALIDATION guardrail blocked the answer (400).
        """
        if not any(g.stage == "AFTER" for g in admission.guardrails):
            return answer
        rewrite = self._rewriter(admission.ctx.workspace, admission.guardrails)
        outcome = await asyncio.to_thread(
            run_guardrails, admission.guardrails, "AFTER", answer, rewrite=rewrite
        )
        before = admission.attributes.get("ardea.gateway.guardrails")
        admission.attributes.update(outcome.attributes)
        if before is not None:
            admission.attributes["ardea.gateway.guardrails"] = _join(
                str(before), str(outcome.attributes["ardea.gateway.guardrails"])
            )
        if outcome.refusal is not None:
            raise Refused(outcome.refusal, admission.attributes)
        return outcome.payload

    def _rewriter(self, workspace: str, guardrails: Sequence[Guardrail]) -> Rewrite | None:
        """The rewrite hook of a stage's guardrails (run in a worker thread), or None.

        It calls the guardrail's action endpoint on this event loop through
        :attr:`sanitizer` and waits for it, with :data:`SANITIZING` set so that the call
        runs no guardrails itself.
        """
        sanitizer = self.sanitizer
        if sanitizer is None or not any(g.action_endpoint_id for g in guardrails):
            return None
        loop = asyncio.get_running_loop()

        def rewrite(guardrail: Guardrail, payload: dict[str, Any], why: str) -> dict[str, Any]:
            endpoint_id = guardrail.action_endpoint_id
            assert endpoint_id is not None
            body = sanitization_request(payload, why)
            SANITIZING.set(True)  # this worker thread's copy of the context only
            future = asyncio.run_coroutine_threadsafe(sanitizer(workspace, endpoint_id, body), loop)
            status, answer = future.result(SANITIZE_TIMEOUT_S)
            return sanitized_payload(status, answer)

        return rewrite

    async def settle(
        self, admission: Admission, *, total_tokens: int | None, cost_usd: float | None
    ) -> None:
        """Real tokens and cost after the call (the trace attributes land on ``admission``)."""
        if admission.decision is None:
            return
        try:
            result = await self.limits.asettle(
                admission.ctx, admission.decision, total_tokens=total_tokens, cost_usd=cost_usd
            )
        except Exception:  # the call is done: its answer goes out; the counters miss it
            _log.exception("Settling a gateway call with the limit counters failed")
            admission.attributes["ardea.gateway.settle_failed"] = True
            return
        admission.attributes.update(result.attributes)


def _context(
    endpoint: Endpoint,
    user: str | None,
    key_id: str | None,
    model: str | None,
    estimate: int,
    stream: bool,
) -> RequestContext:
    return RequestContext(endpoint, user, key_id, model, estimate, stream)


def _join(first: str, second: str) -> str:
    """Two JSON lists of guardrail decisions as one."""
    import json

    return json.dumps([*json.loads(first), *json.loads(second)])
