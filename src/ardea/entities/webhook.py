"""Webhook entities, the allowed events, input checks and the MLflow JSON wire shapes.

Wire facts (MLflow 3.x ``webhooks.proto``, as the ``mlflow`` 3.17 client sends and reads them):
events are ``{"entity": "MODEL_VERSION", "action": "CREATED"}`` (enum names), ``status`` is
``ACTIVE`` or ``DISABLED``, times are epoch milliseconds. A webhook's ``secret`` is write-only:
it is never part of :class:`Webhook` nor of any JSON this module renders.

Pure: no web framework, no database, no HTTP client.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ardea._core.errors import InvalidArgumentError

__all__ = [
    "ALLOWED_EVENTS",
    "STATUSES",
    "Webhook",
    "WebhookEvent",
    "WebhookTarget",
    "WebhookTestResult",
    "parse_event",
    "parse_events",
    "validate_description",
    "validate_name",
    "validate_secret",
    "validate_status",
    "validate_url",
    "webhook_from_json",
    "webhook_to_json",
]

ALLOWED_EVENTS: Mapping[str, frozenset[str]] = {
    "REGISTERED_MODEL": frozenset({"CREATED"}),
    "MODEL_VERSION": frozenset({"CREATED"}),
    "MODEL_VERSION_TAG": frozenset({"SET", "DELETED"}),
    "MODEL_VERSION_ALIAS": frozenset({"CREATED", "DELETED"}),
    "PROMPT": frozenset({"CREATED"}),
    "PROMPT_VERSION": frozenset({"CREATED"}),
    "PROMPT_TAG": frozenset({"SET", "DELETED"}),
    "PROMPT_VERSION_TAG": frozenset({"SET", "DELETED"}),
    "PROMPT_ALIAS": frozenset({"CREATED", "DELETED"}),
    "BUDGET_POLICY": frozenset({"EXCEEDED"}),
    "ALERT": frozenset({"FIRED", "RESOLVED"}),  # Ardea's own: an alert rule changed state
}
"""Entity -> the actions a webhook may subscribe to (MLflow's ``VALID_ENTITY_ACTIONS``)."""

STATUSES = ("ACTIVE", "DISABLED")
"""Webhook statuses; only ACTIVE webhooks receive deliveries."""

_NAME_RE = re.compile(r"(?=.{1,63}\Z)[a-z0-9]([a-z0-9._-]*[a-z0-9])?", re.IGNORECASE)
_URL_MAX = 2048
_DESCRIPTION_MAX = 5000
_SECRET_MAX = 1000


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """One event kind, e.g. ``WebhookEvent("MODEL_VERSION", "CREATED")``.

    Attributes:
        entity: Upper-case entity name (a key of :data:`ALLOWED_EVENTS`).
        action: Upper-case action name (``CREATED``, ``SET``, ``DELETED``, ...).
    """

    entity: str
    action: str

    def __str__(self) -> str:
        return f"{self.entity.lower()}.{self.action.lower()}"


@dataclass(frozen=True, slots=True)
class Webhook:
    """A webhook as the API shows it (never with its secret).

    Attributes:
        webhook_id: Server-assigned id (a UUID string).
        name: 1-63 letters, digits, ``.``, ``_``, ``-``; starts and ends alphanumeric.
        url: The ``http(s)://`` endpoint deliveries are POSTed to.
        events: The subscribed events, in subscription order.
        status: ``ACTIVE`` or ``DISABLED``.
        description: Free text, or None.
        creation_timestamp: Epoch milliseconds.
        last_updated_timestamp: Epoch milliseconds.
    """

    webhook_id: str
    name: str
    url: str
    events: tuple[WebhookEvent, ...]
    status: str
    description: str | None
    creation_timestamp: int
    last_updated_timestamp: int


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """What a delivery needs: where to POST and the decrypted signing secret.

    Server-side only: ``secret`` is left out of ``repr`` so it cannot reach a log line.

    Attributes:
        webhook_id: The webhook's id.
        url: The endpoint.
        secret: The plaintext signing secret, or None when the webhook has none.
    """

    webhook_id: str
    url: str
    secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class WebhookTestResult:
    """The outcome of a test delivery (MLflow's ``WebhookTestResult``).

    Attributes:
        success: True when the endpoint answered below 400.
        response_status: The HTTP status, or None if no answer arrived.
        response_body: The answer's body (truncated), or None.
        error_message: Why the delivery failed, or None.
    """

    success: bool
    response_status: int | None = None
    response_body: str | None = None
    error_message: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The wire shape (absent fields left out)."""
        out: dict[str, Any] = {"success": self.success}
        if self.response_status is not None:
            out["response_status"] = self.response_status
        if self.response_body is not None:
            out["response_body"] = self.response_body
        if self.error_message is not None:
            out["error_message"] = self.error_message
        return out

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> WebhookTestResult:
        """Parse the wire shape."""
        status = d.get("response_status")
        return cls(
            success=bool(d.get("success", False)),
            response_status=int(status) if status is not None else None,
            response_body=d.get("response_body"),
            error_message=d.get("error_message"),
        )


# -- input checks ------------------------------------------------------------------------------


def validate_name(name: object) -> str:
    """The name, or InvalidArgumentError if it breaks MLflow's webhook name rule."""
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise InvalidArgumentError(
            f"Webhook name {name!r} is invalid. It must start and end with a letter or digit, "
            "be less than 63 characters long, and contain only letters, digits, dots (.), "
            "underscores (_), and hyphens (-)."
        )
    return name


def validate_url(url: object) -> str:
    """The URL, or InvalidArgumentError unless it is an absolute ``http(s)://host`` URL.

    Non-ASCII characters must be percent-encoded (and host names in their ``xn--`` form).
    """
    if not isinstance(url, str) or not url.strip():
        raise InvalidArgumentError(f"Webhook URL cannot be empty or just whitespace: {url!r}")
    if len(url) > _URL_MAX or not url.isascii() or any(c.isspace() or ord(c) < 32 for c in url):
        raise InvalidArgumentError(f"Invalid webhook URL {url[:100]!r}")
    try:
        parsed = urllib.parse.urlsplit(url)
        port = parsed.port  # raises ValueError on a bad port
    except ValueError as exc:
        raise InvalidArgumentError(f"Invalid webhook URL {url[:100]!r}: {exc}") from None
    if parsed.scheme not in ("http", "https"):
        raise InvalidArgumentError(
            f"Invalid webhook URL scheme {parsed.scheme!r}: only http and https are allowed"
        )
    if not parsed.hostname or port == 0:
        raise InvalidArgumentError(f"Invalid webhook URL {url[:100]!r}: it has no host")
    return url


def validate_status(status: object) -> str:
    """The status, upper-cased; InvalidArgumentError unless ACTIVE or DISABLED."""
    if isinstance(status, str) and status.upper() in STATUSES:
        return status.upper()
    raise InvalidArgumentError(f"Invalid webhook status {status!r}: use ACTIVE or DISABLED")


def validate_description(description: object) -> str | None:
    """The description (None allowed), or InvalidArgumentError if not a short string."""
    if description is None:
        return None
    if not isinstance(description, str) or len(description) > _DESCRIPTION_MAX:
        raise InvalidArgumentError(
            f"Webhook description must be a string of at most {_DESCRIPTION_MAX} characters"
        )
    if "\x00" in description:  # PostgreSQL cannot store NUL; no backend accepts it
        raise InvalidArgumentError(
            "Invalid value for parameter 'description' supplied: NUL characters are not allowed."
        )
    return description


def validate_secret(secret: object) -> str | None:
    """The secret (None or "" for none), or InvalidArgumentError if not a short string."""
    if secret is None or secret == "":
        return None
    if not isinstance(secret, str) or len(secret) > _SECRET_MAX:
        raise InvalidArgumentError(
            f"Webhook secret must be a string of at most {_SECRET_MAX} characters"
        )
    if "\x00" in secret:  # kept encrypted, but refused like every other string with NUL
        raise InvalidArgumentError(
            "Invalid value for parameter 'secret' supplied: NUL characters are not allowed."
        )
    return secret


def parse_event(event: object) -> WebhookEvent:
    """A :class:`WebhookEvent` from an event, a ``{entity, action}`` mapping or ``"a.b"``.

    Names are case-insensitive; the pair must be in :data:`ALLOWED_EVENTS`.
    """
    entity: object
    action: object
    if isinstance(event, WebhookEvent):
        entity, action = event.entity, event.action
    elif isinstance(event, Mapping):
        entity, action = event.get("entity"), event.get("action")
    elif isinstance(event, str) and event.count(".") == 1:
        entity, action = event.split(".")
    else:
        raise InvalidArgumentError(
            f"Invalid webhook event {event!r}: expected {{entity, action}} or 'entity.action'"
        )
    if not isinstance(entity, str) or not isinstance(action, str):
        raise InvalidArgumentError(f"Invalid webhook event {event!r}")
    entity, action = entity.upper(), action.upper()
    allowed = ALLOWED_EVENTS.get(entity)
    if allowed is None:
        raise InvalidArgumentError(
            f"Invalid webhook entity {entity!r}; valid entities: {sorted(ALLOWED_EVENTS)}"
        )
    if action not in allowed:
        raise InvalidArgumentError(
            f"Invalid action {action!r} for entity {entity!r}. Valid actions are: {sorted(allowed)}"
        )
    return WebhookEvent(entity, action)


def parse_events(events: Iterable[object] | None) -> tuple[WebhookEvent, ...]:
    """Parse a non-empty list of events (duplicates dropped, order kept)."""
    if events is None or isinstance(events, (str, bytes, Mapping)):
        raise InvalidArgumentError("Webhook events must be a non-empty list")
    out: dict[WebhookEvent, None] = {}
    for e in events:
        out[parse_event(e)] = None
    if not out:
        raise InvalidArgumentError("Webhook events cannot be empty")
    return tuple(out)


# -- wire shapes -------------------------------------------------------------------------------


def webhook_to_json(webhook: Webhook) -> dict[str, Any]:
    """The ``Webhook`` message (no secret: the type does not even hold one)."""
    out: dict[str, Any] = {
        "webhook_id": webhook.webhook_id,
        "name": webhook.name,
        "url": webhook.url,
        "events": [{"entity": e.entity, "action": e.action} for e in webhook.events],
        "status": webhook.status,
        "creation_timestamp": webhook.creation_timestamp,
        "last_updated_timestamp": webhook.last_updated_timestamp,
    }
    if webhook.description is not None:
        out["description"] = webhook.description
    return out


def webhook_from_json(d: Mapping[str, Any]) -> Webhook:
    """Parse a ``Webhook`` message (as Ardea or MLflow render it)."""
    return Webhook(
        webhook_id=str(d["webhook_id"]),
        name=str(d.get("name", "")),
        url=str(d.get("url", "")),
        events=tuple(
            WebhookEvent(str(e["entity"]).upper(), str(e["action"]).upper())
            for e in d.get("events") or []
        ),
        status=str(d.get("status") or "ACTIVE"),
        description=d.get("description"),
        creation_timestamp=int(d.get("creation_timestamp") or 0),
        last_updated_timestamp=int(d.get("last_updated_timestamp") or 0),
    )
