"""The server's webhook runtime: the store and dispatcher of an app, and the registry hook.

``create_app`` builds one :class:`WebhookRuntime` over its backend's webhook store (the
dispatcher starts its delivery threads on the first event). Registry handlers call
:func:`notify` after their store call returned, that is after the write committed; it only
queues the change (see :mod:`ardea.webhooks.dispatcher`) and never raises.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ardea.store.backend import Backend
    from ardea.store.webhooks import WebhookStore
    from ardea.webhooks.dispatcher import WebhookDispatcher

__all__ = ["WebhookRuntime", "notify", "open_runtime"]

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


def open_runtime(backend: Backend) -> WebhookRuntime:
    """The webhook runtime over ``backend``'s webhook store (prompts told apart by its registry)."""
    from ardea.webhooks.dispatcher import WebhookDispatcher

    registry = backend.registry

    def is_prompt_model(name: str) -> bool:
        return registry.get_registered_model(name).is_prompt

    return WebhookRuntime(backend.webhooks, WebhookDispatcher(backend.webhooks, is_prompt_model))


def notify(webhooks: WebhookRuntime, kind: str, name: str, **fields: Any) -> None:
    """Queue a committed registry change for webhook delivery (never raises).

    Args:
        webhooks: The app's webhook runtime (``deps.webhooks(request)``).
        kind: A ``ardea.webhooks.payloads`` change kind (e.g. ``"model_version_created"``).
        name: The registered model's name.
        **fields: The change's payload fields (see :class:`RegistryChange`).
    """
    try:
        from ardea.webhooks.payloads import RegistryChange

        webhooks.dispatcher.submit(RegistryChange(kind, name, fields))
    except Exception:  # webhooks must never fail a registry write that already committed
        _log.exception("Could not queue a %s webhook event", kind)
