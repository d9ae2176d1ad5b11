"""The webhook store contract: webhook CRUD, and the delivery targets of an event.

Backends: ``store.sql.webhooks.SqlWebhookStore`` (on the tracking database, secrets encrypted
with :class:`~ardea._core.secrets.SecretCipher`) and ``store.rest.webhooks.RestWebhookStore``
(a server's ``/api/2.0/mlflow/webhooks`` API).

Conventions (as :mod:`ardea.store.registry`): ``get_*`` raises :class:`ardea.NotFoundError`,
bad input :class:`ardea.InvalidArgumentError` (and stores nothing); lists are
:class:`PagedList` whose ``token`` continues them; times are epoch milliseconds. A secret goes
in through create/update and never comes back out through :class:`Webhook`; only
:meth:`WebhookStore.targets_for_event` and :meth:`WebhookStore.get_target` (server-side, for
deliveries) hand out the decrypted secret. A server-side (SQL) store refuses URLs on the
server's own networks with :class:`~ardea._core.net.guard.BlockedDestinationError`
(an InvalidArgumentError), see :mod:`ardea._core.net.guard`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from ardea.entities import PagedList
from ardea.entities.webhook import Webhook, WebhookEvent, WebhookTarget, WebhookTestResult

__all__ = [
    "WEBHOOKS_MAX_RESULTS_DEFAULT",
    "WEBHOOKS_MAX_RESULTS_LIMIT",
    "EventLike",
    "WebhookStore",
]

WEBHOOKS_MAX_RESULTS_DEFAULT = 100
WEBHOOKS_MAX_RESULTS_LIMIT = 1000

EventLike = WebhookEvent | dict[str, str] | str
"""An event as :class:`WebhookEvent`, ``{"entity", "action"}`` or ``"model_version.created"``."""


class WebhookStore(ABC):
    """Webhooks: create, read, list, update, delete, and look up delivery targets."""

    @abstractmethod
    def create_webhook(
        self,
        name: str,
        url: str,
        events: Sequence[EventLike],
        description: str | None = None,
        secret: str | None = None,
        status: str = "ACTIVE",
    ) -> Webhook:
        """Create a webhook (a fresh id; names need not be unique, as in MLflow)."""

    @abstractmethod
    def get_webhook(self, webhook_id: str) -> Webhook:
        """One webhook; NotFoundError if there is none with that id."""

    @abstractmethod
    def list_webhooks(
        self, max_results: int = WEBHOOKS_MAX_RESULTS_DEFAULT, page_token: str | None = None
    ) -> PagedList[Webhook]:
        """Webhooks, newest first, ``max_results`` (1..1000) per page."""

    @abstractmethod
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
        """Change the given fields (None leaves one unchanged; ``secret=""`` removes it)."""

    @abstractmethod
    def delete_webhook(self, webhook_id: str) -> None:
        """Delete a webhook; NotFoundError if there is none with that id."""

    def targets_for_event(self, event: WebhookEvent) -> list[WebhookTarget]:
        """The ACTIVE webhooks subscribed to ``event``, with their decrypted secrets.

        Server-side only; REST stores cannot see secrets and raise NotImplementedFeatureError.
        """
        from ardea._core.errors import NotImplementedFeatureError

        raise NotImplementedFeatureError("This webhook store cannot deliver events.")

    def get_target(self, webhook_id: str) -> WebhookTarget:
        """One webhook's delivery target (any status), with its decrypted secret."""
        from ardea._core.errors import NotImplementedFeatureError

        raise NotImplementedFeatureError("This webhook store cannot deliver events.")

    def test_webhook(self, webhook_id: str, event: EventLike | None = None) -> WebhookTestResult:
        """Have the server send one signed sample delivery and report it (REST stores).

        A local store has no dispatcher of its own: :class:`~ardea.client.ArdeaClient` sends
        the test from the client process instead, so this default raises.
        """
        from ardea._core.errors import NotImplementedFeatureError

        raise NotImplementedFeatureError("Only a server sends test deliveries of its webhooks.")

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (nothing by default)."""
