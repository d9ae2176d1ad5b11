"""The httpx transport of webhook deliveries: connects only to addresses the SSRF guard passed.

:class:`GuardedTransport` is httpx's own ``HTTPTransport`` whose connection pool opens TCP
connections through :class:`GuardedBackend`. That backend resolves the host once with
:func:`ardea._core.net.guard.checked_addresses` (which refuses blocked addresses unless
``ARDEA_WEBHOOKS_ALLOW_PRIVATE`` is set) and connects to one of those very addresses, so there
is no second DNS lookup an attacker could answer differently. TLS still verifies the
certificate against the URL's host name (httpcore passes it as the SNI name), and the
``Host`` header is unchanged. No proxies and no redirects are ever used for deliveries.

Imports httpx and httpcore: load it only where deliveries are sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from ardea._core.net.guard import checked_addresses

__all__ = ["GuardedBackend", "GuardedTransport"]


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's synchronous network backend, behind the SSRF guard.

    A refused destination raises :class:`~ardea._core.net.guard.BlockedDestinationError`
    (not an httpx error, so callers can tell it from a transient connection failure); a host
    that does not resolve raises ``httpcore.ConnectError``.
    """

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """Resolve ``host`` once, check every address, connect to the first that answers."""
        try:
            addresses = checked_addresses(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        options = list(socket_options or ())
        error: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in addresses:
            try:
                return self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """Refused: a webhook never delivers to a Unix socket."""
        raise httpcore.ConnectError("webhooks are not delivered to Unix sockets")

    def sleep(self, seconds: float) -> None:
        """Sleep (httpcore's retry pauses)."""
        self._inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's ``HTTPTransport`` connecting through :class:`GuardedBackend`.

    HTTP/1.1, certificates verified, no proxy.
    """

    def __init__(self) -> None:
        super().__init__(trust_env=False)
        # httpx builds its pool without a network_backend option; rebuild it with ours.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=GuardedBackend(),
        )
