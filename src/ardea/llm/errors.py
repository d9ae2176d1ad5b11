"""Typed errors of :mod:`ardea.llm`, each on the matching code of :mod:`ardea._core.errors`.

::

    LLMError (UpstreamError, 502)
    ├── ProviderError             the provider answered an error status
    │   ├── RateLimited           429 (RateLimitedError), after the retries the deadline allowed
    │   └── AuthenticationError   401/403: the key is missing, wrong or not allowed
    ├── ProviderUnavailable       connection failures and 5xx after the last retry (503)
    ├── Timeout                   the call's deadline passed (DeadlineExceededError, 504)
    └── StructuredOutputError     no reply matched the JSON schema, even after one repair
    ConfigurationError (InvalidArgumentError, 400): no key, no base URL, no region: nothing
                                  was sent

A provider's error *body* is kept only as a short excerpt, and the call's secrets (API keys,
AWS secret keys, session tokens) are masked in it: an error never carries a credential.
"""

from __future__ import annotations

from typing import Any

from ardea._core.errors import (
    DeadlineExceededError,
    InvalidArgumentError,
    RateLimitedError,
    UnavailableError,
    UpstreamError,
)

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "LLMError",
    "ProviderError",
    "ProviderUnavailable",
    "RateLimited",
    "StreamError",
    "StructuredOutputError",
    "Timeout",
]

BODY_EXCERPT_CHARS = 500
"""How much of a provider's error body an error keeps."""


class LLMError(UpstreamError):
    """Base of every error an LLM call raises (after its retries)."""

    provider: str | None = None

    def __init__(
        self, message: str, *, provider: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, details=details)
        self.provider = provider


class ProviderError(LLMError):
    """The provider answered with an error status.

    Attributes:
        status: The HTTP status.
        body: The start of the response body (at most 500 characters, secrets masked).
        request_id: The provider's request id, when it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        body: str = "",
        provider: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, provider=provider, details={"status": status})
        self.status = status
        self.body = body[:BODY_EXCERPT_CHARS]
        self.request_id = request_id

    def __str__(self) -> str:
        return f"{self.message} (HTTP {self.status}): {self.body}" if self.body else self.message


class RateLimited(ProviderError, RateLimitedError):
    """HTTP 429 from the provider, and no retry fitted in the deadline.

    Attributes:
        retry_after: Seconds the provider asked to wait (``Retry-After``), if it said.
    """

    code = RateLimitedError.code

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class AuthenticationError(ProviderError):
    """HTTP 401 or 403: no key, a wrong key, or a key without access to the model.

    Its code stays ``UPSTREAM_ERROR`` (502): the key is the caller's configuration of the
    provider, not the credentials of whoever called Ardea.
    """


class ProviderUnavailable(LLMError, UnavailableError):
    """The provider could not be reached, or kept answering 5xx, until the retries ran out."""

    code = UnavailableError.code


class Timeout(LLMError, DeadlineExceededError, TimeoutError):
    """The call's deadline (all attempts and waits included) passed."""

    code = DeadlineExceededError.code


class StreamError(ProviderError):
    """A stream failed after its first chunk (not retried: the caller has chunks).

    An error event, a broken connection, a corrupt frame, or an end before the answer's.

    Attributes:
        status: The HTTP status of the stream (200), or the code the error event carried.
        partial_usage: The usage reported before the failure (``None`` when none was).
    """

    def __init__(self, message: str, *, partial_usage: Any = None, **kw: Any) -> None:
        kw.setdefault("status", 200)
        super().__init__(message, **kw)
        self.partial_usage = partial_usage


class StructuredOutputError(LLMError):
    """The model's reply did not hold a JSON value valid against the requested schema.

    Attributes:
        text: The start of the last reply (at most 500 characters).
        errors: What the validation found wrong.
    """

    def __init__(
        self, message: str, *, text: str = "", errors: list[str] | None = None, **kw: Any
    ) -> None:
        super().__init__(message, **kw)
        self.text = text[:BODY_EXCERPT_CHARS]
        self.errors = errors or []


class ConfigurationError(InvalidArgumentError):
    """The call cannot be made as configured: a missing key, base URL or region.

    Nothing was sent. The message names the environment variable or argument that fixes it.
    """


def mask(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every secret (of 4+ characters) replaced by ``***``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text
