"""Webhooks: registry events POSTed, signed, to subscribed HTTP endpoints.

- :mod:`ardea.entities.webhook`: :class:`Webhook`, :class:`WebhookEvent`, the allowed events,
  input checks and the MLflow JSON shapes (pure);
- :mod:`ardea.webhooks.signing`: the ``X-MLflow-Signature`` scheme, and a verifier for
  receivers (stdlib only);
- :mod:`ardea._core.secrets`: secrets encrypted at rest (Fernet);
- :mod:`ardea.webhooks.payloads`: the ``data`` of each registry event, as MLflow sends it;
- :mod:`ardea._core.net.guard`: the SSRF guard (no loopback/private/link-local
  destinations unless ``ARDEA_WEBHOOKS_ALLOW_PRIVATE``; stdlib only);
- :mod:`ardea._core.net.transport`: the httpx transport that connects only to checked addresses;
- :mod:`ardea.webhooks.dispatcher`: background delivery with retries and backoff (httpx),
  drained on close.

Importing this package is light: only the pure entities are loaded here.
"""

from __future__ import annotations

from ardea.entities.webhook import (
    ALLOWED_EVENTS,
    Webhook,
    WebhookEvent,
    WebhookTarget,
    WebhookTestResult,
)

__all__ = ["ALLOWED_EVENTS", "Webhook", "WebhookEvent", "WebhookTarget", "WebhookTestResult"]
