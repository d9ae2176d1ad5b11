"""Webhook answers (``/mlflow/webhooks*``), as ``entities.webhook.webhook_to_json``.

No answer ever holds a webhook's secret.
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.common import Int64

__all__ = [
    "ListWebhooksResponse",
    "TestWebhookResponse",
    "Webhook",
    "WebhookEvent",
    "WebhookResponse",
    "WebhookTestResult",
]


class WebhookEvent(TypedDict):
    """An event a webhook subscribes to, e.g. ``MODEL_VERSION`` + ``CREATED``."""

    entity: str
    action: str


class Webhook(TypedDict):
    """A webhook; times are epoch milliseconds."""

    webhook_id: str
    name: str
    description: NotRequired[str]
    url: str
    events: list[WebhookEvent]
    status: Literal["ACTIVE", "DISABLED"]
    creation_timestamp: Int64
    last_updated_timestamp: Int64


class WebhookResponse(TypedDict):
    """CreateWebhook, GetWebhook and UpdateWebhook."""

    webhook: Webhook


class ListWebhooksResponse(TypedDict):
    """ListWebhooks: one page, newest first; ``next_page_token`` only when more follow."""

    webhooks: list[Webhook]
    next_page_token: NotRequired[str]


class WebhookTestResult(TypedDict):
    """How the endpoint answered one test delivery."""

    success: bool
    response_status: NotRequired[Int64]
    response_body: NotRequired[str]
    error_message: NotRequired[str]


class TestWebhookResponse(TypedDict):
    """TestWebhook: the outcome of the sample delivery."""

    result: WebhookTestResult
