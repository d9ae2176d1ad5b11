"""Authentication at the door: who is calling, from the request's credentials.

:class:`DoorAuth` is what :class:`~ardea.server.door.RequestDoor` asks on a server with
``--auth``, once per request, before any routing:

- ``Authorization: Basic`` (``MLFLOW_TRACKING_USERNAME`` / ``PASSWORD``): a verified pair is
  cached for a minute (:data:`~ardea.server.auth_runtime.BASIC_CACHE_TTL_S`), so argon2
  runs once per client per minute; a cached pair costs an HMAC and a dict lookup. Failed
  passwords count towards the login limits (429 with ``Retry-After``).
- ``Authorization: Bearer`` (``MLFLOW_TRACKING_TOKEN``, an Ardea API token): cached for a
  few seconds; its ``last_used`` is written at most once a minute per token, in a thread
  the request does not wait for.
- the ``ardea_session`` cookie of the web UI: a session lookup per request; an unsafe
  method (anything but GET, HEAD, OPTIONS) must carry the session's CSRF token in
  ``X-CSRF-Token`` (403 otherwise). Basic and token requests carry no cookie and need none.

An ``Authorization`` header wins over a cookie. Anything else (no credentials, a bad or
unknown scheme, a wrong password, an expired or revoked token, an expired session) is 401
``UNAUTHENTICATED``; the message names the reason for tokens and sessions, never whether a
user exists.

Which requests need credentials: every route whose rule is not PUBLIC, everything under
``/api/`` and ``/ajax-api/`` (an unknown endpoint too, so that routes cannot be probed
anonymously); not the web UI's pages and assets, nor CORS preflights (``OPTIONS``).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import re
import time
from collections.abc import Iterable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import cookie_parser
from starlette.routing import compile_path

from ardea._core.errors import RateLimitedError, UnauthenticatedError
from ardea._core.ids import now_ms
from ardea.auth.identity import Principal, authenticate_basic, authenticate_token
from ardea.auth.sessions import CSRF_HEADER, SESSION_COOKIE, csrf_matches
from ardea.server.access import AccessKind
from ardea.server.auth_runtime import AuthRuntime
from ardea.server.door import CHALLENGE, NOT_AUTHENTICATED, Refusal, Scope, challenges
from ardea.server.route_table import API_PREFIXES

__all__ = ["DoorAuth", "RouteGate"]

_log = logging.getLogger(__name__)

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_AUTHORIZATION = b"authorization"
_COOKIE = b"cookie"
_CSRF = CSRF_HEADER.lower().encode()
TOUCH_INTERVAL_S = 60.0
"""A token's ``last_used`` is written at most this often (per process)."""
BAD_CSRF = (
    f"This request changes something and is authenticated by a session cookie: it must carry "
    f"the session's CSRF token in the {CSRF_HEADER} header."
)
SESSION_ENDED = "Your session has ended: sign in again."


class RouteGate:
    """Which ``(method, path)`` need credentials, from the routes' rules.

    Args:
        mounts: ``(prefix, router)`` pairs as ``create_app`` included them.
        metrics_public: ``GET /metrics`` needs no credentials (``ARDEA_METRICS_PUBLIC``).
    """

    def __init__(self, mounts: Iterable[tuple[str, Any]], *, metrics_public: bool = False) -> None:
        self._public: set[tuple[str, str]] = set()
        self._protected: set[str] = set()
        self._patterns: list[re.Pattern[str]] = []
        for prefix, router in mounts:
            for route in router.routes:
                path = prefix + getattr(route, "path", "")
                access = getattr(getattr(route, "endpoint", None), "ardea_access", None)
                methods = getattr(route, "methods", None) or ()
                if getattr(access, "kind", None) is AccessKind.PUBLIC and "{" not in path:
                    self._public.update((m, path) for m in methods)
                elif "{" in path:
                    self._patterns.append(compile_path(path)[0])
                else:
                    self._protected.add(path)
        if metrics_public:
            self._public.add(("GET", "/metrics"))

    def needs_auth(self, method: str, path: str) -> bool:
        """Whether a request must be authenticated (see the module docstring)."""
        if method == "OPTIONS":
            return False
        if (("GET" if method == "HEAD" else method), path) in self._public:
            return False
        if path.startswith(API_PREFIXES) or path in self._protected:
            return True
        if path.startswith(("/gateway/", "/endpoints/")) or path == "/metrics":  # .gateway
            return True
        return any(p.match(path) for p in self._patterns)


def _headers(scope: Scope) -> tuple[bytes | None, bytes | None, bytes | None]:
    authorization = cookie = csrf = None
    for key, value in scope.get("headers") or ():
        if key == _AUTHORIZATION:
            authorization = value
        elif key == _COOKIE:
            cookie = value if cookie is None else cookie + b"; " + value
        elif key == _CSRF:
            csrf = value
    return authorization, cookie, csrf


def _client_ip(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


def _basic(value: str) -> tuple[str, str] | None:
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    username, sep, password = decoded.partition(":")
    return (username, password) if sep else None


class DoorAuth:
    """The door's authenticator (see the module docstring).

    Args:
        auth: The server's auth objects (store, caches, limiter, sessions).
        gate: Which requests need credentials.
    """

    def __init__(self, auth: AuthRuntime, gate: RouteGate) -> None:
        self.auth = auth
        self.gate = gate
        self._touched: dict[int, float] = {}

    def needs_auth(self, method: str, path: str) -> bool:
        """See :meth:`RouteGate.needs_auth`."""
        return self.gate.needs_auth(method, path)

    def _refuse(self, path: str, message: str, *, had_cookie: bool = False) -> Refusal:
        headers = (CHALLENGE,) if challenges(path, had_cookie) else ()
        return Refusal(401, "UNAUTHENTICATED", message, headers)

    async def authenticate(self, scope: Scope) -> Principal | Refusal:
        """Who is calling, or the refusal to answer."""
        path = str(scope.get("path", ""))
        authorization, cookie, csrf = _headers(scope)
        if authorization is not None:
            scheme, _, value = authorization.decode("latin-1").strip().partition(" ")
            scheme = scheme.lower()
            if scheme == "basic":
                return await self._basic(scope, path, value)
            if scheme == "bearer" and value.strip():
                return await self._token(path, value.strip())
            return self._refuse(path, "Unsupported Authorization header: use Basic or Bearer.")
        if cookie is not None:
            session = cookie_parser(cookie.decode("latin-1")).get(SESSION_COOKIE)
            if session:
                return await self._session(scope, path, session, csrf)
        return self._refuse(path, NOT_AUTHENTICATED)

    async def _basic(self, scope: Scope, path: str, value: str) -> Principal | Refusal:
        pair = _basic(value)
        if pair is None:
            return self._refuse(path, "Malformed HTTP Basic credentials.")
        username, password = pair
        auth = self.auth
        hit = auth.basic_cache.get("basic", username, password)
        if hit is not None:
            return hit
        try:
            return await run_in_threadpool(
                authenticate_basic,
                auth.store,
                username,
                password,
                _client_ip(scope),
                limiter=auth.limiter,
                cache=auth.basic_cache,
            )
        except RateLimitedError as exc:
            retry = exc.details.get("retry_after_s")
            headers = ((b"retry-after", str(retry).encode()),) if isinstance(retry, int) else ()
            return Refusal(429, "REQUEST_LIMIT_EXCEEDED", exc.message, headers)
        except UnauthenticatedError as exc:
            return self._refuse(path, exc.message)

    async def _token(self, path: str, token: str) -> Principal | Refusal:
        auth = self.auth
        found = auth.token_cache.get("token", token)
        if found is None:
            try:
                found = await run_in_threadpool(
                    authenticate_token, auth.store, token, cache=auth.token_cache
                )
            except UnauthenticatedError as exc:
                return self._refuse(path, exc.message)
        self._touch(found)
        return found

    def _touch(self, principal: Principal) -> None:
        """Record the token's use, at most once a minute, without making the request wait."""
        info = principal.token
        if info is None:
            return
        now = time.monotonic()
        if now < self._touched.get(info.id, 0.0):
            return
        self._touched[info.id] = now + TOUCH_INTERVAL_S
        store = self.auth.store

        def touch() -> None:
            try:
                store.touch_token(info.id, now_ms())
            except Exception:  # a lost last-used time is no reason to fail anything
                _log.warning("Could not record the use of token %s", info.prefix, exc_info=True)

        asyncio.get_running_loop().run_in_executor(None, touch)

    async def _session(
        self, scope: Scope, path: str, cookie: str, csrf: bytes | None
    ) -> Principal | Refusal:
        found = await run_in_threadpool(self.auth.sessions.session_from_cookie, cookie)
        if found is None:
            return self._refuse(path, SESSION_ENDED, had_cookie=True)
        if scope.get("method") not in _SAFE_METHODS and not csrf_matches(
            found.csrf, csrf.decode("latin-1") if csrf is not None else None
        ):
            return Refusal(403, "PERMISSION_DENIED", BAD_CSRF)
        return Principal(found.user, "session")
