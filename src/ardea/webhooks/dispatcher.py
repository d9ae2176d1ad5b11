"""Delivering webhook events off the request path: a bounded queue, worker threads, retries.

The server calls :meth:`WebhookDispatcher.submit` after a registry write committed; that only
puts the change on a bounded queue (a full queue drops it, with a warning) and returns. Worker
threads (started on demand, gone after a minute idle) resolve the event, look up the ACTIVE
webhooks subscribed to it (cached for ``cache_ttl`` seconds; :meth:`invalidate` clears the
cache when webhooks change) and POST each one the JSON ``{entity, action, timestamp, data}``
(``entity``/``action`` lower-case, as MLflow sends them) with the signing headers of
:mod:`ardea.webhooks.signing`. A 429, a 5xx, a timeout or a connection error is retried with
exponential backoff (``backoff``, 2x, 4x, ... capped at ``backoff_max``) up to
``max_attempts`` attempts in all; every attempt of one delivery carries the same delivery id,
timestamp and signature, so receivers can deduplicate. Secrets never reach a log line.

Deliveries go through :class:`ardea._core.net.transport.GuardedTransport`: a destination that
resolves to a loopback, private, link-local or other non-public address is refused right
before connecting (unless ``ARDEA_WEBHOOKS_ALLOW_PRIVATE``), once, without retries.

:meth:`WebhookDispatcher.close` drains: it stops taking changes, keeps delivering what is
queued for a grace period (``ARDEA_WEBHOOKS_DRAIN_SECONDS``, default 5), then drops the rest
and logs how many events were dropped.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from ardea._core import env
from ardea._core.net.guard import BlockedDestinationError
from ardea._core.threads import start_daemon
from ardea.entities.webhook import WebhookEvent, WebhookTarget, WebhookTestResult
from ardea.store.webhooks import WebhookStore
from ardea.webhooks.payloads import RegistryChange, candidate_events, example_payload, resolve
from ardea.webhooks.signing import DELIVERY_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

__all__ = ["DRAIN_SECONDS_DEFAULT", "WebhookDispatcher", "build_request", "drain_seconds"]

_log = logging.getLogger(__name__)
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_BODY_MAX = 1000
_IDLE_EXIT_SECONDS = 60.0
DRAIN_SECONDS_DEFAULT = 5.0
"""Default grace period of :meth:`WebhookDispatcher.close` (``ARDEA_WEBHOOKS_DRAIN_SECONDS``)."""


def drain_seconds() -> float:
    """``ARDEA_WEBHOOKS_DRAIN_SECONDS`` as seconds (>= 0); the default when unset or invalid."""
    return env.env_number(env.ARDEA_WEBHOOKS_DRAIN_SECONDS, DRAIN_SECONDS_DEFAULT)


def build_request(
    target: WebhookTarget, event: WebhookEvent, data: dict[str, Any]
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one delivery of ``event`` to ``target``."""
    body = json.dumps(
        {
            "entity": event.entity.lower(),
            "action": event.action.lower(),
            "timestamp": datetime.now(timezone.utc).isoformat(),
            "data": data,
        }
    )
    delivery_id = str(uuid.uuid4())
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        DELIVERY_ID_HEADER: delivery_id,
        TIMESTAMP_HEADER: timestamp,
    }
    if target.secret:
        headers[SIGNATURE_HEADER] = sign(target.secret, delivery_id, timestamp, body)
    return body.encode("utf-8"), headers


class WebhookDispatcher:
    """Sends registry events to the webhooks subscribed to them.

    Args:
        store: Where webhooks and their (decrypted) secrets are read.
        is_prompt_model: Whether a registered model name is a prompt (None: never).
        max_attempts: Attempts per delivery, the first included.
        backoff: Seconds before the first retry; doubles on each further retry.
        backoff_max: Cap on one wait, in seconds.
        timeout: Seconds per HTTP attempt.
        workers: Most delivery threads.
        queue_size: Most pending changes; more are dropped (with a warning).
        cache_ttl: Seconds a per-event webhook lookup is reused.
        transport: Optional httpx transport (tests); it replaces the SSRF-guarded default
            (:class:`~ardea._core.net.transport.GuardedTransport`), guard included.
    """

    def __init__(
        self,
        store: WebhookStore,
        is_prompt_model: Callable[[str], bool] | None = None,
        *,
        max_attempts: int = 3,
        backoff: float = 1.0,
        backoff_max: float = 30.0,
        timeout: float = 10.0,
        workers: int = 2,
        queue_size: int = 1000,
        cache_ttl: float = 5.0,
        transport: Any = None,
    ) -> None:
        self._store = store
        self._is_prompt = is_prompt_model or (lambda _name: False)
        self.max_attempts = max(1, max_attempts)
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.timeout = timeout
        self._max_workers = max(1, workers)
        self._queue: queue.Queue[RegistryChange | None] = queue.Queue(maxsize=queue_size)
        self._cache_ttl = cache_ttl
        self._cache: dict[WebhookEvent, tuple[float, list[WebhookTarget]]] = {}
        self._transport = transport
        self._client: Any = None
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._abandon = threading.Event()  # set when the grace period of close() is over
        self._stats = {"delivered": 0, "failed": 0, "refused": 0, "dropped": 0}

    # -- producer side -------------------------------------------------------------------------

    def submit(self, change: RegistryChange) -> bool:
        """Queue ``change`` for delivery; never blocks. False if it was dropped."""
        with self._lock:
            if self._closed:
                return False
            try:
                self._queue.put_nowait(change)
            except queue.Full:
                _log.warning("Webhook queue full: dropped a %s event", change.kind)
                self._stats["dropped"] += 1
                return False
            self._pending += 1
            self._threads = [t for t in self._threads if t.is_alive()]
            if len(self._threads) < min(self._max_workers, self._pending):
                self._threads.append(start_daemon(self._work, "ardea-webhooks"))
        return True

    def invalidate(self) -> None:
        """Forget cached webhook lookups (call after creating, changing or deleting one)."""
        with self._lock:
            self._cache.clear()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every submitted change was delivered (or given up); False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._idle.wait(left)
        return True

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called (new changes are refused)."""
        return self._closed

    def stats(self) -> dict[str, int]:
        """Counts so far, by outcome.

        ``delivered``, ``failed`` and ``refused`` count deliveries (one per target, retries
        included); ``dropped`` counts events (a full queue, or left over at :meth:`close`).
        """
        with self._lock:
            return dict(self._stats)

    def _count(self, key: str, n: int = 1) -> None:
        with self._lock:
            self._stats[key] += n

    def close(self, timeout: float | None = None) -> int:
        """Stop taking changes, deliver what is queued for ``timeout`` seconds, drop the rest.

        Args:
            timeout: The grace period; None reads ``ARDEA_WEBHOOKS_DRAIN_SECONDS`` (default 5).
                Retry back-offs are cut short when it ends.

        Returns:
            How many events were dropped (still queued or in flight at the end); they are
            logged as a warning. A second call returns 0.
        """
        with self._lock:
            if self._closed:
                return 0
            self._closed = True
        grace = drain_seconds() if timeout is None else max(0.0, timeout)
        drained = self.wait_idle(grace)
        self._abandon.set()  # workers now drop what is queued and stop retrying
        with self._lock:
            dropped = self._pending
            self._stats["dropped"] += dropped
            threads = [t for t in self._threads if t.is_alive()]
        self._discard_queued()
        for _ in threads:  # wake idle workers so they exit
            try:
                self._queue.put_nowait(None)
            except queue.Full:
                break
        if dropped:
            _log.warning(
                "Webhook dispatcher stopped: %d event(s) still queued or in flight after the "
                "%.1fs grace period were dropped (%s)",
                dropped,
                grace,
                env.ARDEA_WEBHOOKS_DRAIN_SECONDS,
            )
        if drained:
            for thread in threads:
                thread.join(1.0)
            if self._client is not None and not any(t.is_alive() for t in threads):
                self._client.close()
        return dropped

    # -- workers -------------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            if self._abandon.is_set():
                self._discard_queued()
                return
            try:
                change = self._queue.get(timeout=_IDLE_EXIT_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._threads = [
                            t for t in self._threads if t is not threading.current_thread()
                        ]
                        return
                continue
            if change is None:  # a wake-up from close(): check _abandon again
                continue
            try:
                self._handle(change)
            except Exception:  # a bad change must not kill the worker
                _log.exception("Webhook delivery of a %s event failed", change.kind)
            finally:
                with self._idle:
                    self._pending -= 1
                    if not self._pending:
                        self._idle.notify_all()

    def _discard_queued(self) -> None:
        """Drop what is still queued (close() already counted it)."""
        while True:
            try:
                change = self._queue.get_nowait()
            except queue.Empty:
                return
            if change is not None:
                with self._idle:
                    self._pending -= 1
                    if not self._pending:
                        self._idle.notify_all()

    def _targets(self, event: WebhookEvent) -> list[WebhookTarget]:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(event)
            if hit is not None and now - hit[0] < self._cache_ttl:
                return hit[1]
        targets = self._store.targets_for_event(event)
        with self._lock:
            self._cache[event] = (now, targets)
        return targets

    def _handle(self, change: RegistryChange) -> None:
        if self._abandon.is_set():
            return  # close() gave up on it
        if not any(self._targets(e) for e in candidate_events(change)):
            return  # nobody listens: skip the prompt lookup
        event, data = resolve(change, self._is_prompt_safe)
        if event is None:
            return
        for target in self._targets(event):
            if self._abandon.is_set():
                return
            self.deliver(target, event, data)

    def _is_prompt_safe(self, name: str) -> bool:
        try:
            return bool(self._is_prompt(name))
        except Exception:  # e.g. deleted meanwhile: treat as a plain model
            return False

    def _http(self) -> Any:
        with self._lock:
            if self._client is None:
                import httpx

                from ardea._core.net.transport import GuardedTransport

                self._client = httpx.Client(
                    timeout=self.timeout,
                    trust_env=False,  # no proxies from the environment
                    follow_redirects=False,
                    transport=self._transport or GuardedTransport(),
                )
            return self._client

    def deliver(
        self, target: WebhookTarget, event: WebhookEvent, data: dict[str, Any]
    ) -> WebhookTestResult:
        """POST one event to one target, retrying transient failures; the last outcome.

        A destination refused by the SSRF guard is not retried: the outcome's
        ``error_message`` starts with ``"Refused: "``.
        """
        import httpx

        body, headers = build_request(target, event, data)
        result = WebhookTestResult(success=False, error_message="not sent")
        for attempt in range(1, self.max_attempts + 1):
            retry = False
            try:
                response = self._http().post(target.url, content=body, headers=headers)
            except BlockedDestinationError as exc:  # SSRF guard: permanent, never retried
                _log.warning("Webhook %s: %s delivery refused: %s", target.webhook_id, event, exc)
                self._count("refused")
                return WebhookTestResult(False, error_message=f"Refused: {exc.message}")
            except httpx.TransportError as exc:  # connection, timeout, protocol: retried
                result = WebhookTestResult(False, error_message=f"{type(exc).__name__}: {exc}")
                retry = True
            except Exception as exc:  # an unusable URL and the like: reported, not raised
                result = WebhookTestResult(False, error_message=f"{type(exc).__name__}: {exc}")
            else:
                result = WebhookTestResult(
                    success=response.status_code < 400,
                    response_status=response.status_code,
                    response_body=response.text[:_BODY_MAX],
                )
                retry = response.status_code in _RETRY_STATUSES
            if not retry or attempt == self.max_attempts:
                break
            if self._abandon.wait(min(self.backoff * 2 ** (attempt - 1), self.backoff_max)):
                break  # close() ran out of grace: no more retries
        self._count("delivered" if result.success else "failed")
        if not result.success:
            _log.warning(
                "Webhook %s: %s delivery failed after %d attempt(s): %s",
                target.webhook_id,
                event,
                attempt,
                result.error_message or f"HTTP {result.response_status}",
            )
        return result

    def send_test(self, webhook_id: str, event: WebhookEvent | None = None) -> WebhookTestResult:
        """Send one sample event (``event``, else the webhook's first) and report the outcome.

        One attempt, no retries: the caller sees the endpoint's first answer.
        """
        webhook = self._store.get_webhook(webhook_id)
        target = self._store.get_target(webhook_id)
        event = event or webhook.events[0]
        body, headers = build_request(target, event, example_payload(event))
        try:
            response = self._http().post(target.url, content=body, headers=headers)
        except Exception as exc:  # connection errors, unusable URLs: reported, not raised
            return WebhookTestResult(
                False, error_message=f"Failed to test webhook: {type(exc).__name__}: {exc}"
            )
        return WebhookTestResult(
            success=response.status_code < 400,
            response_status=response.status_code,
            response_body=response.text[:_BODY_MAX],
        )
