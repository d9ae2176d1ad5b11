"""One pure-ASGI middleware for the server's browser-facing safety knobs (as MLflow 3.17).

- **Host allow-list** (``--allowed-hosts``) against DNS rebinding: a page on an attacker's
  domain that resolves to 127.0.0.1 reaches the server with its own name in ``Host``; such
  requests get 403 with an MLflow JSON error. Default: ``localhost``, loopback and
  private-network IPs, and the host the server is bound to. ``*`` disables the check.
  ``/health`` and ``/version`` are exempt (load-balancer probes use arbitrary names).
- **Cross-origin requests** (``--cors-allowed-origins``): browsers send ``Origin``; a
  state-changing request (POST, PUT, PATCH, DELETE) from an origin that is neither the
  server itself, nor ``http://localhost:*`` / ``http://127.0.0.1:*`` / ``http://[::1]:*``,
  nor in the list gets 403. Allowed origins get CORS headers and preflight (OPTIONS) answers.
- **Response headers**: ``X-Content-Type-Options: nosniff``, ``Referrer-Policy:
  same-origin`` and ``X-Frame-Options`` (``SAMEORIGIN`` unless configured, ``NONE`` omits
  it) on every response; on every HTML response (the web UI's pages) a
  Content-Security-Policy (:func:`content_security_policy`) that allows nothing inline and
  nothing from other origins, whose ``frame-ancestors`` says what ``X-Frame-Options`` says.
  ``ardea server --dev`` serves Vite's dev page, which needs inline scripts: no policy then.

Pure ASGI (no ``BaseHTTPMiddleware``): the cost per request is one pass over the request
headers and one wrapped ``send``.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlsplit

import orjson

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "GRPC_BRIDGE",
    "SecurityMiddleware",
    "content_security_policy",
    "exposure_warning",
    "host_allowed",
    "is_loopback_host",
    "origin_allowed",
]

_log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

INVALID_HOST_MSG = "Invalid Host header - possible DNS rebinding attack detected"
CORS_BLOCKED_MSG = "Cross-origin request blocked"
_EXEMPT_PATHS = frozenset({"/health", "/version"})
GRPC_BRIDGE = "ardea.grpc"
"""ASGI scope key of a request the OTLP/gRPC receiver hands to the app (no HTTP client can set
a scope key): the Host check, a guard for browsers, does not apply to gRPC clients."""
_STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_ALLOW_METHODS = b"GET, POST, PUT, PATCH, DELETE, OPTIONS"
_CACHE_MAX = 1024
_REFERRER_POLICY = b"same-origin"

_CSP_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)


def content_security_policy(x_frame_options: str = "SAMEORIGIN") -> str:
    """The policy of the UI's pages, its ``frame-ancestors`` matching ``X-Frame-Options``.

    ``SAMEORIGIN`` -> ``'self'``, ``DENY`` -> ``'none'``, ``ALLOW-FROM <origin>`` -> that
    origin, ``NONE`` (no ``X-Frame-Options``) -> no ``frame-ancestors``: any page may frame
    the UI, as the operator chose. Anything else keeps ``'self'``.
    """
    xfo = x_frame_options.strip()
    upper = xfo.upper()
    if upper in ("NONE", ""):
        return "; ".join(_CSP_DIRECTIVES)
    if upper == "DENY":
        ancestors = "'none'"
    elif upper.startswith("ALLOW-FROM ") and xfo[11:].strip():
        ancestors = xfo[11:].strip()
    else:
        ancestors = "'self'"
    return "; ".join((*_CSP_DIRECTIVES, f"frame-ancestors {ancestors}"))


CONTENT_SECURITY_POLICY = content_security_policy()
"""The UI's policy with the default ``X-Frame-Options: SAMEORIGIN``: nothing inline, nothing
from other origins, framed only by the server's own pages."""


def is_loopback_host(host: str) -> bool:
    """Whether listening on ``host`` keeps the server to this machine (loopback only)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, auth_enabled: bool) -> str | None:
    """The start-up warning for a server other machines can reach without authentication."""
    if auth_enabled or is_loopback_host(host):
        return None
    return (
        f"WARNING: listening on {host} without authentication: anyone who can reach this "
        "machine's port can read, change and delete every experiment, run, model and trace. "
        "Run `ardea server --auth` (users, tokens and logins: docs/auth.md), or keep it on "
        "--host 127.0.0.1 behind an authenticating proxy."
    )


def _split_host(host: str) -> str:
    """The host name of a ``Host`` header value: lower case, without port or IPv6 brackets."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    name, _, port = host.rpartition(":")
    return name if name and port.isdigit() else host


def _is_local_ip(name: str) -> bool:
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_private


def host_allowed(host: str, patterns: Iterable[str] | None, bound_host: str = "") -> bool:
    """Whether a ``Host`` header value passes the allow-list.

    Args:
        host: The header value, e.g. ``localhost:5000`` or ``[::1]:5000``.
        patterns: ``fnmatch`` patterns (``*.corp.example``, ``10.1.*``), matched
            case-insensitively against the whole value and against the name without port;
            ``*`` allows everything. ``None`` or empty: the defaults (local names, loopback and
            private-network IPs, ``bound_host``).
        bound_host: The interface the server listens on (allowed by default).
    """
    if not host:
        return False
    name = _split_host(host)
    if not patterns:
        return name in _LOCAL_NAMES or name == bound_host.lower() or _is_local_ip(name)
    full = host.strip().lower()
    return any(
        p == "*" or fnmatchcase(full, p) or fnmatchcase(name, p)
        for p in (x.strip().lower() for x in patterns)
    )


def origin_allowed(origin: str, patterns: Iterable[str], host: str = "") -> bool:
    """Whether a browser ``Origin`` may make cross-origin calls.

    Args:
        origin: The ``Origin`` header value, e.g. ``http://localhost:3000``.
        patterns: Extra allowed origins (``fnmatch`` patterns, ``*`` for any); the local
            ``http://localhost|127.0.0.1|[::1][:port]`` origins are always allowed.
        host: The request's ``Host`` header: an origin on the server itself is same-origin.
    """
    try:
        parts = urlsplit(origin)
        hostname = parts.hostname or ""
        netloc = parts.netloc.lower()
    except ValueError:
        return False
    if parts.scheme == "http" and hostname in _LOCAL_NAMES:
        return True
    if host and netloc == host.strip().lower():
        return True
    low = origin.lower()
    return any(p == "*" or fnmatchcase(low, p.lower()) for p in patterns)


_WANTED = {
    b"host": 0,
    b"origin": 1,
    b"access-control-request-method": 2,
    b"access-control-request-headers": 3,
}


def _read_headers(scope: Scope) -> list[str]:
    """``[host, origin, preflight method, preflight headers]`` of a request ("" when absent)."""
    out = ["", "", "", ""]
    for key, value in scope["headers"]:
        i = _WANTED.get(key)
        if i is not None:
            out[i] = value.decode("latin-1")
    return out


def _is_html(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    for key, value in headers:
        if key.lower() == b"content-type":
            return value[:9].lower() == b"text/html"
    return False


class SecurityMiddleware:
    """Host allow-list, cross-origin policy and security headers, as one ASGI middleware.

    Args:
        app: The wrapped ASGI app.
        allowed_hosts: Host patterns (see :func:`host_allowed`); empty means the defaults,
            ``("*",)`` disables the check.
        cors_allowed_origins: Extra allowed origins (see :func:`origin_allowed`).
        bound_host: The interface the server listens on.
        x_frame_options: ``X-Frame-Options`` value; ``NONE`` or empty omits the header.
        csp: Add the Content-Security-Policy to HTML responses (off for ``--dev``).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        allowed_hosts: Iterable[str] = (),
        cors_allowed_origins: Iterable[str] = (),
        bound_host: str = "",
        x_frame_options: str = "SAMEORIGIN",
        csp: bool = True,
    ) -> None:
        self.app = app
        self.allowed_hosts = tuple(allowed_hosts)
        self.cors_allowed_origins = tuple(cors_allowed_origins)
        self.bound_host = bound_host
        self._check_hosts = "*" not in self.allowed_hosts
        self._any_origin = "*" in self.cors_allowed_origins
        self._host_cache: dict[str, bool] = {}
        xfo = x_frame_options.strip().upper()
        self._headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", _REFERRER_POLICY),
        ]
        if xfo and xfo != "NONE":
            self._headers.append((b"x-frame-options", xfo.encode("latin-1")))
        self._csp = (
            (b"content-security-policy", content_security_policy(x_frame_options).encode("latin-1"))
            if csp
            else None
        )

    def _host_ok(self, host: str) -> bool:
        ok = self._host_cache.get(host)
        if ok is None:
            ok = host_allowed(host, self.allowed_hosts, self.bound_host)
            if len(self._host_cache) < _CACHE_MAX:
                self._host_cache[host] = ok
        return ok

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the request, then run the app with the extra response headers."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host, origin, preflight_method, preflight_headers = _read_headers(scope)

        if (
            self._check_hosts
            and scope["path"] not in _EXEMPT_PATHS
            and not scope.get(GRPC_BRIDGE)  # OTLP/gRPC: no browser, no DNS rebinding
            and not self._host_ok(host)
        ):
            _log.warning("Rejected request with Host header %r", host)
            await self._deny(send, INVALID_HOST_MSG)
            return

        extra = self._headers
        if origin:
            allowed = origin_allowed(origin, self.cors_allowed_origins, host)
            method = scope["method"]
            if not allowed and (method in _STATE_CHANGING or preflight_method):
                _log.warning("Blocked cross-origin %s from %r", method, origin)
                await self._deny(send, CORS_BLOCKED_MSG)
                return
            if allowed:
                extra = [*extra, *self._cors_headers(origin)]
                if method == "OPTIONS" and preflight_method:
                    await self._preflight(send, extra, preflight_headers)
                    return

        csp = self._csp

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", ())
                present = {k.lower() for k, _ in headers}
                added = [(k, v) for k, v in extra if k not in present]
                if csp is not None and csp[0] not in present and _is_html(headers):
                    added.append(csp)
                if added:
                    message["headers"] = [*headers, *added]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _cors_headers(self, origin: str) -> list[tuple[bytes, bytes]]:
        if self._any_origin and not origin_allowed(origin, (), ""):
            # Wildcard origins never get credentials (CORS forbids both together).
            return [
                (b"access-control-allow-origin", b"*"),
                (b"access-control-expose-headers", b"*"),
            ]
        return [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-credentials", b"true"),
            (b"access-control-expose-headers", b"*"),
            (b"vary", b"Origin"),
        ]

    @staticmethod
    async def _preflight(send: Send, headers: list[tuple[bytes, bytes]], requested: str) -> None:
        out = [
            *headers,
            (b"access-control-allow-methods", _ALLOW_METHODS),
            (b"access-control-max-age", b"600"),
            (b"content-length", b"0"),
        ]
        if requested:
            out.append((b"access-control-allow-headers", requested.encode("latin-1")))
        await send({"type": "http.response.start", "status": 204, "headers": out})
        await send({"type": "http.response.body", "body": b""})

    async def _deny(self, send: Send, message: str) -> None:
        body = orjson.dumps({"error_code": "PERMISSION_DENIED", "message": message})
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *self._headers,
        ]
        await send({"type": "http.response.start", "status": 403, "headers": headers})
        await send({"type": "http.response.body", "body": body})
