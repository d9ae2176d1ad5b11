"""Virtual keys: ordinary API tokens with a gateway scope (model allow-list, expiry, metadata).

A virtual key is not a separate kind of credential: it is an Ardea API token
(``ardea_pat_...`` / ``ardea_sa_...``, usually a service account's per team), so it is
created, listed, expired and revoked like any token, and authenticates at the same door.
What makes it a key is a :class:`~ardea.entities.gateway_keys.KeyScope` row beside it. On
an invocation the request path calls :func:`check_key` with the authenticated token, its
scope, and whether the token's user holds USE on the endpoint (``Policy.can(user, USE,
GATEWAY_ENDPOINT, endpoint_id, workspace)``); the checks, in order:

1. the token (and the scope's own ``expires``) has not expired and is not revoked: 401;
2. the user holds USE on the endpoint: 403 (READ, a member's default, is not enough);
3. the endpoint's name or the provider model matches the allow-list (``fnmatch`` globs; an
   empty list allows all): 403. The model is the one the call is routed to (the split's draw,
   or the caller's per-request override); a fallback target whose model the key may not
   call is skipped (:func:`model_allowed`), never sent.

A token without a scope is checked by 1 and 2 only. The scope's metadata (``team``,
``project``) and the token's prefix go on the request's trace (``ardea.gateway.key.*``).
"""

from __future__ import annotations

import fnmatch

from ardea.entities.auth import TokenInfo
from ardea.entities.gateway_keys import KeyScope
from ardea.gateway.config import Endpoint
from ardea.gateway.limits.context import Decision

__all__ = ["check_key", "model_allowed"]


def check_key(
    token: TokenInfo | None,
    scope: KeyScope | None,
    endpoint: Endpoint,
    model: str | None,
    *,
    has_use: bool,
    now_ms: int,
) -> Decision:
    """Whether the caller's token may call ``endpoint`` (routed to ``model``).

    Args:
        token: The token the caller authenticated with, or None (basic auth, a session, or
            a server without auth: only ``has_use`` is checked).
        scope: The token's gateway scope, or None for an ordinary token.
        endpoint: The endpoint called.
        model: The provider model the request goes to, if known.
        has_use: The caller holds USE on the endpoint.
        now_ms: The current time, epoch ms.
    """
    if token is not None:
        expired = not token.active(now_ms) or (
            scope is not None and scope.expires is not None and now_ms >= scope.expires
        )
        if expired:
            return Decision(False, 401, "This API token has expired.", "invalid_api_key")
    if not has_use:
        return Decision(
            False,
            403,
            f"Permission denied: calling endpoint '{endpoint.name}' needs the USE permission.",
            "permission_denied",
        )
    attributes: dict[str, object] = {}
    if token is not None:
        attributes["ardea.gateway.key.prefix"] = token.prefix
    if scope is not None:
        if not model_allowed(scope, endpoint.name, model):
            shown = f"'{endpoint.name}'" + (f" (model '{model}')" if model else "")
            return Decision(
                False,
                403,
                f"This key may not call {shown}: allowed models are "
                f"{', '.join(scope.allowed_models)}.",
                "model_not_allowed",
            )
        for name, value in scope.metadata.items():
            attributes[f"ardea.gateway.key.{name}"] = value
    return Decision(True, attributes=attributes)


def model_allowed(scope: KeyScope | None, endpoint_name: str, model: str | None) -> bool:
    """Whether ``scope``'s allow-list lets its key call ``model`` through ``endpoint_name``.

    True without a scope or with an empty list, or when a glob matches the endpoint's name
    (every model behind it is then allowed) or the provider model.
    """
    if scope is None or not scope.allowed_models:
        return True
    names = (endpoint_name, model) if model else (endpoint_name,)
    return any(fnmatch.fnmatchcase(n, p) for n in names for p in scope.allowed_models)
