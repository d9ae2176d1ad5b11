"""A small HTTP layer over httpx for talking to an Ardea (or MLflow) server.

One keep-alive :class:`httpx.Client` per :class:`RestClient`; bounded retries with
exponential backoff and jitter on connection errors, 429, 502, 503 and 504 (never on other
4xx); basic or bearer auth from the environment; MLflow error envelopes turned into typed
:class:`ardea.ArdeaError` subclasses.
"""

from __future__ import annotations

import random
import ssl
import time
from collections.abc import Callable, Generator, Iterable
from typing import Any

import httpx

from ardea._core import env
from ardea._core.errors import ArdeaError, UnavailableError, error_from_mlflow

__all__ = ["RETRY_STATUSES", "RestClient"]

RETRY_STATUSES = frozenset({429, 502, 503, 504})
"""HTTP statuses that are retried (besides connection errors)."""

DEFAULT_TIMEOUT = 120.0
DEFAULT_MAX_RETRIES = 5

Body = bytes | Iterable[bytes] | Callable[[], bytes | Iterable[bytes]] | None
"""A request body: bytes, chunks, or a factory called once per attempt (re-readable streams)."""


def _tls_for(base_url: str) -> ssl.SSLContext | bool:
    """TLS settings for a client of ``base_url``: full verification with the CA bundle.

    A plain ``http://`` server needs no CA bundle, and loading it is most of a first call's
    latency (~25 ms): such clients get a verifying context with no CAs loaded, so an
    ``https`` URL they were somehow sent to fails verification rather than going unchecked
    (redirects are not followed, so they are not).
    """
    if base_url.startswith("http://"):
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED + hostname check
    return True


def _user_agent() -> str:
    from ardea._core.version import __version__

    return f"ardea-python-client/{__version__}"


def _auth_from_env() -> httpx.Auth | None:
    token = env.get(env.ARDEA_TRACKING_TOKEN, "MLFLOW_TRACKING_TOKEN")
    if token:
        return _BearerAuth(token)
    user = env.get(env.ARDEA_TRACKING_USERNAME, "MLFLOW_TRACKING_USERNAME")
    password = env.get(env.ARDEA_TRACKING_PASSWORD, "MLFLOW_TRACKING_PASSWORD")
    if user and password is not None:
        return httpx.BasicAuth(user, password)
    return None


class _BearerAuth(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


def _float_env(name: str, default: float) -> float:
    raw = env.get(name)
    try:
        return float(raw) if raw else default
    except ValueError:
        return default


def error_from_response(response: httpx.Response) -> ArdeaError:
    """Turn a failed response into a typed error (MLflow envelope, ``{"detail"}`` or text).

    Args:
        response: A response with a 4xx or 5xx status; its body must have been read.

    Returns:
        The matching :class:`ArdeaError` subclass instance.
    """
    code: str | None = None
    message = ""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        code = body.get("error_code") if isinstance(body.get("error_code"), str) else None
        raw = body.get("message", body.get("detail", ""))
        message = raw if isinstance(raw, str) else str(raw)
    if not message:
        message = response.text[:500] or response.reason_phrase
    if response.status_code == 404 and code is None and not isinstance(body, dict):
        code = "ENDPOINT_NOT_FOUND"
        message = f"Endpoint not found: {response.request.method} {response.request.url.path}"
    err = error_from_mlflow(code, message, response.status_code)
    err.details.update({"http_status": response.status_code, "error_code": code})
    return err


class RestClient:
    """Requests to one server, with retries, auth and typed errors.

    Args:
        base_url: Server root, e.g. ``http://127.0.0.1:5000``.
        timeout: Seconds per request (default ``ARDEA_HTTP_TIMEOUT`` or 120).
        max_retries: Retries after the first attempt (default ``ARDEA_HTTP_MAX_RETRIES`` or 5).
        backoff_factor: First retry delay in seconds; it doubles each retry, with jitter.
        backoff_max: Cap on one delay, in seconds.
        transport: Optional httpx transport (for example to reach an ASGI app in-process).
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        backoff_factor: float = 0.5,
        backoff_max: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout if timeout is not None else _float_env(env.ARDEA_HTTP_TIMEOUT, 120)
        retries = max_retries
        if retries is None:
            retries = int(_float_env(env.ARDEA_HTTP_MAX_RETRIES, DEFAULT_MAX_RETRIES))
        self.max_retries = max(0, retries)
        self.backoff_factor = backoff_factor
        self.backoff_max = backoff_max
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=self.timeout,
            auth=_auth_from_env(),
            headers={"User-Agent": _user_agent()},
            transport=transport,
            verify=_tls_for(self.base_url),
        )
        self._headers: dict[str, str] = {}

    def for_workspace(self, workspace: str) -> RestClient:
        """This client (same connections) sending ``X-MLFLOW-WORKSPACE: <workspace>``.

        The copy shares the connection pool: close this one, not the copy.
        """
        copy = object.__new__(RestClient)
        copy.__dict__.update(self.__dict__)
        copy._headers = {**self._headers, "X-MLFLOW-WORKSPACE": workspace}
        return copy

    def call(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Make a JSON API call and return the decoded JSON object (``{}`` for an empty body).

        Args:
            method: HTTP method.
            path: Path below the base URL, e.g. ``/api/2.0/mlflow/runs/get``.
            json: JSON body (sent for POST, PATCH, PUT and DELETE).
            params: Query parameters; list values become repeated keys; None values are dropped.

        Raises:
            ArdeaError: The typed error the server answered with, or UnavailableError when
                the server could not be reached after all retries.
        """
        response = self.request(method, path, json=json, params=params)
        if not response.content:
            return {}
        try:
            data = response.json()
        except ValueError as exc:
            raise UnavailableError(f"{method} {path}: the server did not answer JSON") from exc
        return data if isinstance(data, dict) else {"value": data}

    def request(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        content: Body = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send a request with retries; return the successful (2xx/3xx), fully read response.

        Args:
            method: HTTP method.
            path: Path below the base URL (already URL-quoted).
            json: JSON body.
            params: Query parameters.
            content: Raw body, or a factory called once per attempt.
            headers: Extra headers.

        Raises:
            ArdeaError: A typed error for a 4xx/5xx answer or an unreachable server.
        """
        with self._send(method, path, json, params, content, headers, stream=False) as response:
            return response

    def stream(self, method: str, path: str, *, params: dict[str, Any] | None = None) -> Any:
        """Send a request with retries and return a context manager over the streamed response.

        Args:
            method: HTTP method.
            path: Path below the base URL (already URL-quoted).
            params: Query parameters.
        """
        return self._send(method, path, None, params, None, None, stream=True)

    def _send(
        self,
        method: str,
        path: str,
        json: dict[str, Any] | None,
        params: dict[str, Any] | None,
        content: Body,
        headers: dict[str, str] | None,
        *,
        stream: bool,
    ) -> _ResponseContext:
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        if self._headers:
            headers = {**self._headers, **(headers or {})}
        attempt = 0
        while True:
            body = content() if callable(content) else content
            request = self._http.build_request(
                method, path, json=json, params=clean or None, content=body, headers=headers
            )
            try:
                response = self._http.send(request, stream=True)
            except httpx.TransportError as exc:
                if attempt >= self.max_retries:
                    raise UnavailableError(
                        f"Could not reach {self.base_url} ({type(exc).__name__}: {exc}) "
                        f"after {attempt + 1} attempts."
                    ) from exc
                self._sleep(attempt, None)
                attempt += 1
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.max_retries:
                retry_after = response.headers.get("Retry-After")
                response.close()
                self._sleep(attempt, retry_after)
                attempt += 1
                continue
            if response.status_code >= 400:
                response.read()
                response.close()
                raise error_from_response(response)
            if not stream:
                try:
                    response.read()
                finally:
                    response.close()
            return _ResponseContext(response)

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        delay = min(self.backoff_max, self.backoff_factor * (2**attempt))
        delay *= random.uniform(0.5, 1.5)
        if retry_after:
            try:
                delay = max(delay, min(self.backoff_max, float(retry_after)))
            except ValueError:
                pass
        time.sleep(delay)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()


class _ResponseContext:
    """A response that can be used directly or as a context manager that closes it."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response

    def __enter__(self) -> httpx.Response:
        return self.response

    def __exit__(self, *exc: object) -> None:
        self.response.close()
