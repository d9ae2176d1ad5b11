"""The server's webhook runtime: the store and dispatcher of an app, and the registry hook.

An app opens its :class:`WebhookRuntime` on first use (a registry write or a webhook call) on
the tracking store's SQL database and keeps it on ``app.state.webhooks``. Registry handlers
call :func:`notify` after their store call returned, that is after the write committed; it
only queues the change (see :mod:`ardea.webhooks.dispatcher`) and never raises.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.requests import Request

    from ardea.store.webhooks import WebhookStore
    from ardea.webhooks.dispatcher import WebhookDispatcher

__all__ = ["WebhookRuntime", "notify", "runtime"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WebhookRuntime:
    """An app's webhooks.

    Attributes:
        store: Webhook CRUD and delivery targets.
        dispatcher: Background delivery.
    """

    store: WebhookStore
    dispatcher: WebhookDispatcher


def _open(app: Any) -> WebhookRuntime | None:
    from ardea.server.stores import open_webhook_store
    from ardea.webhooks.dispatcher import WebhookDispatcher

    store = open_webhook_store(app.state.deps.tracking_store)
    if store is None:
        return None
    registry = app.state.registry_store

    def is_prompt_model(name: str) -> bool:
        return registry is not None and registry.get_registered_model(name).is_prompt

    return WebhookRuntime(store, WebhookDispatcher(store, is_prompt_model))


def runtime(app: Any) -> WebhookRuntime | None:
    """The app's webhook runtime, opened on first use; None without a SQL tracking store."""
    state = app.state
    found = getattr(state, "webhooks", False)
    if found is False:
        found = _open(app)
        state.webhooks = found
    return found  # type: ignore[no-any-return]


def notify(request: Request, kind: str, name: str, **fields: Any) -> None:
    """Queue a committed registry change for webhook delivery (never raises).

    Args:
        request: The request whose write succeeded.
        kind: A ``ardea.webhooks.payloads`` change kind (e.g. ``"model_version_created"``).
        name: The registered model's name.
        **fields: The change's payload fields (see :class:`RegistryChange`).
    """
    try:
        from ardea.webhooks.payloads import RegistryChange

        rt = runtime(request.app)
        if rt is not None:
            rt.dispatcher.submit(RegistryChange(kind, name, fields))
    except Exception:  # webhooks must never fail a registry write that already committed
        _log.exception("Could not queue a %s webhook event", kind)
