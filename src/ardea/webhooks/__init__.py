"""Webhooks: registry events POSTed, signed, to subscribed HTTP endpoints.

- :mod:`ardea.webhooks.entities`: :class:`Webhook`, :class:`WebhookEvent`, the allowed events,
  input checks and the MLflow JSON shapes (pure);
- :mod:`ardea.webhooks.signing`: the ``X-MLflow-Signature`` scheme, and a verifier for
  receivers (stdlib only);
- :mod:`ardea.webhooks.secrets`: secrets encrypted at rest (Fernet);
- :mod:`ardea.webhooks.payloads`: the ``data`` of each registry event, as MLflow sends it;
- :mod:`ardea.webhooks.dispatcher`: background delivery with retries and backoff (httpx).

Importing this package is light: only the pure entities are loaded here.
"""

from __future__ import annotations

from ardea.webhooks.entities import (
    ALLOWED_EVENTS,
    Webhook,
    WebhookEvent,
    WebhookTarget,
    WebhookTestResult,
)

__all__ = ["ALLOWED_EVENTS", "Webhook", "WebhookEvent", "WebhookTarget", "WebhookTestResult"]
