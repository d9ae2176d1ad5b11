"""Webhooks over a server's ``/api/2.0/mlflow/webhooks`` API (Ardea or MLflow 3.x)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from ardea.entities import PagedList
from ardea.entities.webhook import (
    Webhook,
    WebhookTestResult,
    parse_event,
    webhook_from_json,
)
from ardea.store.rest.http import RestClient
from ardea.store.webhooks import WEBHOOKS_MAX_RESULTS_DEFAULT, EventLike, WebhookStore

__all__ = ["RestWebhookStore"]

_PATH = "/api/2.0/mlflow/webhooks"


def _events(events: Sequence[EventLike]) -> list[dict[str, str]]:
    out = []
    for e in events:
        ev = parse_event(e)
        out.append({"entity": ev.entity, "action": ev.action})
    return out


def _one(webhook_id: str) -> str:
    return f"{_PATH}/{quote(webhook_id, safe='')}"


class RestWebhookStore(WebhookStore):
    """A :class:`WebhookStore` that is a client of a server.

    Args:
        uri: The server's ``http(s)://host:port[/prefix]`` URL.
        rest: Optional ready-made :class:`RestClient` (e.g. shared with a RestTrackingStore).
    """

    def __init__(self, uri: str, *, rest: RestClient | None = None) -> None:
        self.uri = uri.rstrip("/")
        self._owns_rest = rest is None
        self._rest = rest or RestClient(self.uri)

    def create_webhook(
        self,
        name: str,
        url: str,
        events: Sequence[EventLike],
        description: str | None = None,
        secret: str | None = None,
        status: str = "ACTIVE",
    ) -> Webhook:
        """Create a webhook."""
        body: dict[str, Any] = {"name": name, "url": url, "events": _events(events)}
        if description is not None:
            body["description"] = description
        if secret is not None:
            body["secret"] = secret
        if status:
            body["status"] = status
        out = self._rest.call("POST", _PATH, json=body)
        return webhook_from_json(out["webhook"])

    def get_webhook(self, webhook_id: str) -> Webhook:
        """One webhook."""
        return webhook_from_json(self._rest.call("GET", _one(webhook_id))["webhook"])

    def list_webhooks(
        self, max_results: int = WEBHOOKS_MAX_RESULTS_DEFAULT, page_token: str | None = None
    ) -> PagedList[Webhook]:
        """Webhooks, newest first."""
        params: dict[str, Any] = {"max_results": max_results, "page_token": page_token}
        out = self._rest.call("GET", _PATH, params=params)
        items = [webhook_from_json(w) for w in out.get("webhooks") or []]
        return PagedList(items, out.get("next_page_token") or None)

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
        """Change the given fields."""
        body: dict[str, Any] = {}
        for key, value in (
            ("name", name),
            ("description", description),
            ("url", url),
            ("secret", secret),
            ("status", status),
        ):
            if value is not None:
                body[key] = value
        if events is not None:
            body["events"] = _events(events)
        out = self._rest.call("PATCH", _one(webhook_id), json=body)
        return webhook_from_json(out["webhook"])

    def delete_webhook(self, webhook_id: str) -> None:
        """Delete a webhook."""
        self._rest.call("DELETE", _one(webhook_id), json={})

    def test_webhook(self, webhook_id: str, event: EventLike | None = None) -> WebhookTestResult:
        """Ask the server to send a sample delivery; its outcome."""
        body: dict[str, Any] = {}
        if event is not None:
            ev = parse_event(event)
            body["event"] = {"entity": ev.entity, "action": ev.action}
        out = self._rest.call("POST", _one(webhook_id) + "/test", json=body)
        return WebhookTestResult.from_json(out.get("result") or {})

    def close(self) -> None:
        """Close the HTTP client if this store created it."""
        if self._owns_rest:
            self._rest.close()
