"""Assembling the gateway's :class:`~ardea.gateway.limits.wire.GatewayGuard` for a server.

The embedded gateway (``ardea server``) reads its limits' configuration from the tracking
database: budget policies and guardrails from the gateway store of each workspace, key scopes
from ``gateway_key_scopes``, judge scorers from the scorer registry; counters live in the
database's ``gateway_limit_counters`` table, or in Redis when ``ARDEA_GATEWAY_REDIS_URL`` is
set. ``ALERT`` budgets send the ``budget_policy.exceeded`` webhook of the request's
workspace.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ardea._core.errors import InvalidArgumentError, NotFoundError, NotImplementedFeatureError
from ardea.gateway.config import Endpoint, GatewaySource
from ardea.gateway.errors import GatewayError
from ardea.gateway.limits.budgets import BudgetAlert, BudgetPolicy, webhook_alert_sink
from ardea.gateway.limits.guardrails import Guardrail
from ardea.gateway.limits.records import budget_policy_of, guardrail_of
from ardea.gateway.limits.wire import GatewayGuard

if TYPE_CHECKING:
    from ardea.entities.gateway_keys import KeyScope
    from ardea.gateway.limits.wire import Sanitizer
    from ardea.gateway.proxy import Gateway
    from ardea.server.deps import ServerRuntime
    from ardea.store.backend import Backend
    from ardea.store.sql.gateway_limits.keys import SqlKeyScopes

__all__ = [
    "budget_policies",
    "check_guardrail_config",
    "check_guardrail_scorer",
    "key_scopes",
    "open_server_guard",
    "sanitizer_for",
]


def budget_policies(backend: Backend, workspace: str) -> list[BudgetPolicy]:
    """Every budget policy of ``workspace`` (all pages), as the engines take them."""
    store = backend.scoped(workspace).gateway if workspace != backend.workspace else backend.gateway
    out: list[BudgetPolicy] = []
    token: str | None = None
    while True:
        page = store.list_budget_policies(1000, token)
        out.extend(budget_policy_of(p, workspace) for p in page)
        token = page.token
        if not token:
            return out


def _guardrails(backend: Backend) -> Callable[[Endpoint], Sequence[Guardrail]]:
    def load(endpoint: Endpoint) -> list[Guardrail]:
        ws = endpoint.workspace
        scoped = backend.scoped(ws) if ws != backend.workspace else backend
        out = []
        for guardrail_id in endpoint.guardrail_ids:
            try:
                record = scoped.gateway.get_guardrail(guardrail_id)
                out.append(
                    guardrail_of(
                        record,
                        lambda sid, v: scoped.scorers.get_scorer_by_id(sid, v).serialized_scorer,
                    )
                )
            except Exception as exc:  # fail closed: an unloadable guardrail refuses the call
                raise GatewayError(
                    503,
                    f"Guardrail {guardrail_id!r} of endpoint {endpoint.name!r} cannot run: {exc}",
                    "guardrail_unavailable",
                ) from None
        return out

    return load


def open_server_guard(
    backend: Backend, source: GatewaySource, state: ServerRuntime, *, auth: bool
) -> GatewayGuard | None:
    """The guard of an ``ardea server`` on a SQL database (None on other backends)."""
    from ardea.gateway.limits.stores import counter_store_for
    from ardea.store.sql.gateway.store import SqlGatewayStore

    gateway_store = backend.gateway
    if not isinstance(gateway_store, SqlGatewayStore):
        return None
    db = gateway_store.database
    counters = counter_store_for(db)

    def alert(event: BudgetAlert) -> None:
        runtime = state.webhooks_for(event.workspace)
        webhook_alert_sink(runtime.store, runtime.dispatcher)(event)

    scopes: Callable[[int], KeyScope | None] | None = None
    if auth:
        from ardea.store.sql.gateway_limits.keys import SqlKeyScopes

        scopes = SqlKeyScopes(db).get
    return GatewayGuard(
        counters,
        alert=alert,
        policies=lambda ws: budget_policies(backend, ws),
        scopes=scopes,
        guardrails=_guardrails(backend),
        generation=lambda: source.generation,
    )


def check_guardrail_scorer(scoped: Backend, scorer_id: str, version: int | None) -> None:
    """Refuse (400) a guardrail on a code scorer or on unknown PII detectors.

    A scorer this store cannot find is let through (MLflow does not check either): the
    guardrail then refuses its endpoint's calls (503) until the scorer exists.

    Raises:
        InvalidArgumentError: A code scorer, an unreadable one, or an unknown detector.
    """
    from ardea.evaluation.scorers.serialize import scorer_from_json
    from ardea.gateway.limits.patterns import PATTERNS_SCORER_ID
    from ardea.gateway.limits.records import pii_check_of

    if scorer_id == PATTERNS_SCORER_ID:
        return  # its config is checked by check_guardrail_config
    try:
        if pii_check_of(scorer_id) is not None:
            return
    except ValueError as exc:
        raise InvalidArgumentError(str(exc)) from None
    try:
        found = scoped.scorers.get_scorer_by_id(scorer_id, version or None)
    except (NotFoundError, NotImplementedFeatureError):
        return  # checked again when the guardrail runs (an unloadable one refuses calls)
    try:
        scorer = scorer_from_json(found.serialized_scorer)
    except InvalidArgumentError as exc:
        raise InvalidArgumentError(
            f"Scorer {scorer_id!r} cannot be a guardrail: {exc.message}"
        ) from None
    if not scorer.is_judge:
        raise InvalidArgumentError(
            f"Scorer {scorer_id!r} ({scorer.name!r}) is a code scorer: guardrails run only "
            "LLM judges in the server, or Ardea's PII detectors (scorer_id "
            "'ardea:pii:<detector>[,...]')"
        )


def check_guardrail_config(scorer_id: str, config: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``config`` to store for a guardrail on ``scorer_id`` (``ardea:patterns`` only).

    Raises:
        InvalidArgumentError: A config on another kind of guardrail, none on a pattern one, or
            a bad one (the field and the reason: an unknown detector, an expression RE2
            refuses or that is too large).
    """
    from ardea.gateway.limits.guardrails import PII_PATTERNS
    from ardea.gateway.limits.patterns import PATTERNS_SCORER_ID, pattern_config

    if scorer_id != PATTERNS_SCORER_ID:
        raise InvalidArgumentError(
            f"'config' applies to pattern guardrails only (scorer_id {PATTERNS_SCORER_ID!r}); "
            f"guardrail scorer {scorer_id!r} takes none"
        )
    try:
        patterns, pii = pattern_config(dict(config or {}), PII_PATTERNS)
    except ValueError as exc:
        raise InvalidArgumentError(str(exc)) from None
    out: dict[str, Any] = {}
    if patterns:
        out["patterns"] = patterns
    if pii:
        out["pii"] = pii
    return out


def key_scopes(auth_store: object) -> SqlKeyScopes:
    """The virtual-key scopes beside the auth store's tokens (its SQL database).

    Raises:
        InvalidArgumentError: The auth store is not a SQL one.
    """
    from ardea.store.sql.gateway_limits.keys import SqlKeyScopes

    database = getattr(auth_store, "database", None)
    if database is None:
        raise InvalidArgumentError("Gateway keys need the server's SQL database.")
    return SqlKeyScopes(database)


def sanitizer_for(gateway: Gateway) -> Sanitizer:
    """How the server's SANITIZATION judges call their action endpoint: through ``gateway``.

    The call is an OpenAI chat on the endpoint (by its id, in the request's workspace), with
    the endpoint's routing, credentials and trace; the guard runs no guardrails on it. An
    unknown endpoint, an error or a stream comes back as a failing status (the guardrail then
    blocks).
    """
    import orjson

    from ardea.gateway.proxy import Call, StreamAnswer
    from ardea.gateway.routes import MLFLOW_CHAT

    async def sanitize(workspace: str, endpoint_id: str, body: dict[str, Any]) -> tuple[int, bytes]:
        found = [e for e in gateway.source.endpoints(workspace) if e.endpoint_id == endpoint_id]
        if not found:
            return 404, orjson.dumps({"error": f"no endpoint {endpoint_id!r} in {workspace!r}"})
        body = {**body, "model": found[0].name, "stream": False}
        call = Call(MLFLOW_CHAT, workspace, body, caller="ardea-guardrail-sanitizer")
        try:
            answer = await gateway.invoke(call)
        except GatewayError as exc:
            return exc.status, orjson.dumps({"error": exc.message})
        if isinstance(answer, StreamAnswer):  # not asked for; never read as a payload
            return 502, b"{}"
        return answer.status, answer.body

    return sanitize
