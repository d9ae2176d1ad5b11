"""The webhook half of ArdeaClient: create, list, get, update, delete and test webhooks.

Against a server the calls go to its ``/api/2.0/mlflow/webhooks`` API; on an embedded
database they go straight to the SQL webhook store (whose deliveries only a running
``ardea server`` sends: registry writes made in-process notify nobody).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ardea.client._base import ClientBase
from ardea.entities import PagedList
from ardea.entities.webhook import Webhook, WebhookTestResult, parse_event

if TYPE_CHECKING:
    from ardea.store.webhooks import EventLike

__all__ = ["WebhooksMixin"]


class WebhooksMixin(ClientBase):
    """Webhook methods of :class:`ArdeaClient`."""

    def create_webhook(
        self,
        name: str,
        url: str,
        events: Sequence[EventLike],
        secret: str | None = None,
        description: str | None = None,
        status: str = "ACTIVE",
    ) -> Webhook:
        """Create a webhook.

        Args:
            name: 1-63 letters, digits, ``.``, ``_``, ``-`` (alphanumeric at both ends).
            url: The ``http(s)://`` endpoint deliveries are POSTed to.
            events: Events as ``"model_version.created"``, ``{"entity": "MODEL_VERSION",
                "action": "CREATED"}`` or :class:`~ardea.webhooks.WebhookEvent`.
            secret: Signs deliveries (``X-MLflow-Signature``); stored encrypted, never returned.
            description: Free text.
            status: ``ACTIVE`` or ``DISABLED``.

        Example::

            hook = client.create_webhook(
                "ci", "https://ci.example.com/hook", ["model_version_alias.created"], secret="s"
            )
        """
        return self.webhook_store.create_webhook(name, url, events, description, secret, status)

    def list_webhooks(
        self, max_results: int = 100, page_token: str | None = None
    ) -> PagedList[Webhook]:
        """One page of webhooks, newest first (``.token`` continues)."""
        return self.webhook_store.list_webhooks(max_results, page_token)

    def get_webhook(self, webhook_id: str) -> Webhook:
        """One webhook (NotFoundError if unknown)."""
        return self.webhook_store.get_webhook(webhook_id)

    def update_webhook(
        self,
        webhook_id: str,
        name: str | None = None,
        description: str | None = None,
        url: str | None = None,
        events: Sequence[EventLike] | None = None,
        secret: str | None = None,
        status: str | None = None,
    ) -> Webhook:
        """Change the given fields (None leaves one as it is; ``secret=""`` removes it)."""
        return self.webhook_store.update_webhook(
            webhook_id, name, description, url, events, secret, status
        )

    def delete_webhook(self, webhook_id: str) -> None:
        """Delete a webhook (NotFoundError if unknown)."""
        self.webhook_store.delete_webhook(webhook_id)

    def test_webhook(self, webhook_id: str, event: EventLike | None = None) -> WebhookTestResult:
        """Send one signed sample delivery (``event``, else the webhook's first) and report it."""
        store = self.webhook_store
        if self.backend.remote:  # the server sends it
            return store.test_webhook(webhook_id, event)
        from ardea.webhooks.dispatcher import WebhookDispatcher

        dispatcher = WebhookDispatcher(store)
        try:
            return dispatcher.send_test(webhook_id, parse_event(event) if event else None)
        finally:
            dispatcher.close()
