"""The retry state of one HTTP exchange of an LLM call, shared by calls and streams.

:class:`Attempts` counts attempts against the call's :class:`~ardea.llm.retry.RetryPolicy`
and its one :class:`~ardea.llm.retry.Deadline`, turns an answer or a transport error into a
result, a delay before the next attempt, or the error to raise, and feeds the provider's
limiter (429s lower it, successes raise it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ardea.llm.errors import (
    AuthenticationError,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    Timeout,
    mask,
)
from ardea.llm.retry import RETRYABLE_STATUSES, Deadline, parse_retry_after

__all__ = ["REQUEST_ID_HEADERS", "Attempts", "Exchange"]

REQUEST_ID_HEADERS = (
    "x-request-id",
    "request-id",
    "x-amzn-requestid",
    "apim-request-id",
    "x-goog-request-id",
)
"""Response headers that carry the provider's request id, in order of preference."""


@dataclass
class Exchange:
    """A successful answer: its JSON body, request id, and the attempts it took."""

    body: Any
    request_id: str | None
    attempts: int


def _loads(content: bytes) -> Any:
    """JSON of an answer (orjson; the stdlib's parser for what orjson refuses, e.g. NaN)."""
    import orjson

    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        import json

        return json.loads(content)


class Attempts:
    """The retry state of one HTTP exchange (shared by the sync and async loops)."""

    def __init__(self, client: Any, deadline: Deadline) -> None:
        self.client = client
        self.deadline = deadline
        self.count = 0
        self.last: BaseException | None = None

    def before(self) -> None:
        """Count the next attempt (raises :class:`Timeout` when the deadline passed)."""
        if self.deadline.expired:
            raise self.timeout()
        self.count += 1

    def http_timeout(self) -> float | None:
        """Seconds the next HTTP request may take: what is left of the deadline."""
        left = self.deadline.remaining()
        return None if left == float("inf") else max(0.001, left)

    def timeout(self) -> Timeout:
        """The :class:`Timeout` of this call, with its last error as the cause."""
        seconds = self.deadline.seconds
        what = f" (last error: {type(self.last).__name__})" if self.last else ""
        err = Timeout(
            f"{self.client.uri}: no answer within the call's deadline of {seconds}s "
            f"after {self.count} attempt(s){what}",
            provider=self.client.provider,
        )
        err.__cause__ = self.last
        return err

    def retry_in(self, error: BaseException, retry_after: float | None = None) -> float:
        """Seconds before the next attempt; raises ``error`` when none fits."""
        self.last = error
        policy = self.client.retry
        if self.count >= policy.max_attempts:
            raise error
        delay = float(max(policy.backoff(self.count), retry_after or 0.0))
        if delay >= self.deadline.remaining():
            raise error
        return delay

    def on_transport_error(self, exc: Exception) -> float:
        """Seconds before the next attempt after a connection error (raises when none)."""
        import httpx

        if isinstance(exc, httpx.TimeoutException):
            self.last = exc
            raise self.timeout() from exc
        error = ProviderUnavailable(
            f"{self.client.uri}: cannot reach {self.client.config.base_url} ({type(exc).__name__})",
            provider=self.client.provider,
        )
        return self.retry_in(error)

    def on_response(
        self, status: int, headers: Mapping[str, str], content: bytes
    ) -> tuple[Exchange | None, float]:
        """``(exchange, 0)`` on success, ``(None, delay)`` to retry; raises to give up."""
        client = self.client
        request_id = next((headers[h] for h in REQUEST_ID_HEADERS if h in headers), None)
        if 200 <= status < 300:
            try:
                body = _loads(content)
                if not isinstance(body, dict):
                    raise ValueError("not an object")
            except ValueError:
                error = ProviderError(
                    f"{client.uri}: the provider's answer is not a JSON object",
                    status=status,
                    body=self._excerpt(content),
                    provider=client.provider,
                    request_id=request_id,
                )
                return None, self.retry_in(error)
            client.limiter.on_success()
            return Exchange(body, request_id, self.count), 0.0
        excerpt = self._excerpt(content)
        retry_after = parse_retry_after(headers)
        kw: dict[str, Any] = {
            "status": status,
            "body": excerpt,
            "provider": client.provider,
            "request_id": request_id,
        }
        if status == 429:
            client.limiter.on_rate_limited(retry_after)
            return None, self.retry_in(
                RateLimited(f"{client.uri}: rate limited", retry_after=retry_after, **kw),
                retry_after,
            )
        if status in (401, 403):
            raise AuthenticationError(f"{client.uri}: the provider refused the credentials", **kw)
        if status in RETRYABLE_STATUSES:
            return None, self.retry_in(
                ProviderError(f"{client.uri}: provider error", **kw), retry_after
            )
        raise ProviderError(f"{client.uri}: the provider rejected the request", **kw)

    def _excerpt(self, content: bytes) -> str:
        text = content[:2000].decode("utf-8", errors="replace")
        return mask(text, self.client.config.secrets())
