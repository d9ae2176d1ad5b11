"""Signing webhook deliveries, as MLflow 3.x does (``mlflow/webhooks/delivery.py``).

Every delivery carries three headers:

- ``X-MLflow-Delivery-Id``: a fresh UUID per delivery attempt sequence;
- ``X-MLflow-Timestamp``: Unix seconds, as a decimal string;
- ``X-MLflow-Signature``: ``v1,<base64 HMAC-SHA256>`` of ``"<delivery_id>.<timestamp>.<body>"``
  keyed with the webhook's secret (only when the webhook has a secret).

A receiver recomputes the signature over the raw request body with :func:`verify_signature`
and rejects stale timestamps to stop replays. Stdlib only, so receivers can copy it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

__all__ = [
    "DELIVERY_ID_HEADER",
    "SIGNATURE_HEADER",
    "SIGNATURE_VERSION",
    "TIMESTAMP_HEADER",
    "sign",
    "verify_signature",
]

SIGNATURE_HEADER = "X-MLflow-Signature"
"""Header holding ``v1,<base64 signature>``."""
TIMESTAMP_HEADER = "X-MLflow-Timestamp"
"""Header holding the Unix time (seconds) the delivery was signed at."""
DELIVERY_ID_HEADER = "X-MLflow-Delivery-Id"
"""Header holding the delivery's UUID."""
SIGNATURE_VERSION = "v1"
"""The signature scheme version prefix."""


def sign(secret: str, delivery_id: str, timestamp: str, body: str | bytes) -> str:
    """The ``X-MLflow-Signature`` value for one delivery.

    Args:
        secret: The webhook's secret.
        delivery_id: The ``X-MLflow-Delivery-Id`` value.
        timestamp: The ``X-MLflow-Timestamp`` value.
        body: The exact request body.
    """
    raw = body if isinstance(body, bytes) else body.encode("utf-8")
    content = f"{delivery_id}.{timestamp}.".encode() + raw
    digest = hmac.new(secret.encode("utf-8"), content, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def verify_signature(
    secret: str,
    delivery_id: str,
    timestamp: str,
    body: str | bytes,
    signature: str,
    *,
    max_age_seconds: float | None = 300,
    now: float | None = None,
) -> bool:
    """Whether ``signature`` is valid for the delivery (constant-time comparison).

    Args:
        secret: The webhook's secret.
        delivery_id: The ``X-MLflow-Delivery-Id`` header.
        timestamp: The ``X-MLflow-Timestamp`` header.
        body: The raw request body.
        signature: The ``X-MLflow-Signature`` header.
        max_age_seconds: Reject timestamps further than this from ``now`` (None: no check).
        now: The current Unix time (default: ``time.time()``).
    """
    if max_age_seconds is not None:
        try:
            age = abs((time.time() if now is None else now) - int(timestamp))
        except ValueError:
            return False
        if age > max_age_seconds:
            return False
    expected = sign(secret, delivery_id, timestamp, body)
    return hmac.compare_digest(expected.encode(), signature.encode())
