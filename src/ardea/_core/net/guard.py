"""Where a webhook may POST: the server-side request forgery (SSRF) guard.

Anyone who may create a webhook chooses where the server sends requests, so by default a
webhook may not point into the server's own networks: a destination whose host is, or
resolves to, a loopback, private (RFC 1918, ULA ``fc00::/7``, CGNAT ``100.64/10``),
link-local (``169.254/16``, ``fe80::/10``, cloud metadata services), unspecified, multicast,
reserved or otherwise non-global address is refused (an IPv4-mapped IPv6 address is judged
by its IPv4 address). The check runs twice:

- when a webhook is created or updated (:func:`check_webhook_url`): a literal blocked IP, or a
  host name whose addresses include a blocked one, is an :class:`InvalidArgumentError`; a host
  name that does not resolve yet is accepted (it may resolve later);
- right before each delivery connects (:func:`checked_addresses`, used by
  :mod:`ardea._core.net.transport`): the host is resolved once, refused if any address is
  blocked, and the connection goes to an address that was checked, so a second DNS answer
  (DNS rebinding) cannot slip in between.

``ARDEA_WEBHOOKS_ALLOW_PRIVATE=1`` turns the guard off, for receivers deliberately run on
the server's own network. Stdlib only.
"""

from __future__ import annotations

import concurrent.futures
import ipaddress
import os
import socket
import urllib.parse

from ardea._core import env
from ardea._core.errors import InvalidArgumentError

__all__ = [
    "BlockedDestinationError",
    "blocked_reason",
    "check_upstream_url",
    "check_webhook_url",
    "checked_addresses",
    "private_destinations_allowed",
    "private_upstreams_allowed",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_HINT = (
    f"webhooks may not target loopback, private, link-local or other non-public addresses; "
    f"set {env.ARDEA_WEBHOOKS_ALLOW_PRIVATE}=1 on the server to allow them"
)


class BlockedDestinationError(InvalidArgumentError):
    """A webhook destination is, or resolves to, an address the SSRF guard refuses."""


def private_destinations_allowed() -> bool:
    """Whether ``ARDEA_WEBHOOKS_ALLOW_PRIVATE`` turns the guard off (read on every call)."""
    value = os.environ.get(env.ARDEA_WEBHOOKS_ALLOW_PRIVATE, "")
    return value.strip().lower() in ("1", "true", "yes")


def private_upstreams_allowed() -> bool:
    """Whether ``ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS`` lets gateway providers be private."""
    value = os.environ.get(env.ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS, "")
    return value.strip().lower() in ("1", "true", "yes")


def _parse(address: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return None


def blocked_reason(address: str) -> str | None:
    """Why the guard refuses the IP ``address`` (e.g. ``"loopback"``), or None if it is public.

    Args:
        address: An IPv4 or IPv6 address (brackets and an IPv6 zone are allowed).

    A string that is not an IP address is refused as ``"not an IP address"``.
    """
    ip = _parse(address)
    if ip is None:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return blocked_reason(str(mapped))
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("non-global", not ip.is_global),
    )
    return next((name for name, hit in checks if hit), None)


RESOLVE_TIMEOUT_S = 5.0
"""Longest wait for a webhook host's DNS answer; past it the host counts as unresolved."""

_resolver = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="ardea-dns")


def _resolve(host: str, port: int) -> list[str]:
    """The addresses of ``host`` in resolver order, without duplicates.

    ``getaddrinfo`` cannot be cancelled, so it runs on a small pool and the caller stops
    waiting after :data:`RESOLVE_TIMEOUT_S` (a hung resolver then holds a pool thread, not a
    request).

    Raises:
        OSError: ``host`` does not resolve (``socket.gaierror``) or not in time.
    """
    future = _resolver.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=RESOLVE_TIMEOUT_S)
    except concurrent.futures.TimeoutError as exc:
        raise OSError(f"no DNS answer for {host} within {RESOLVE_TIMEOUT_S:g} s") from exc
    out: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in out:
            out.append(address)
    return out


def _refuse(host: str, address: str, reason: str) -> BlockedDestinationError:
    shown = host if host == address else f"{host} ({address})"
    return BlockedDestinationError(
        f"Webhook destination {shown} is refused ({reason} address): {_HINT}",
        details={"host": host, "address": address, "reason": reason},
    )


def check_webhook_url(url: str) -> None:
    """Refuse a webhook URL whose host is, or resolves to, a blocked address.

    Called on create and update, after :func:`ardea.entities.webhook.validate_url`. A host
    name that does not resolve is accepted; :func:`checked_addresses` judges it again at each
    delivery. Does nothing when :func:`private_destinations_allowed`.

    Raises:
        BlockedDestinationError: The destination is refused (an InvalidArgumentError, so a
            server answers 400 INVALID_PARAMETER_VALUE).
    """
    if private_destinations_allowed():
        return
    found = _blocked_address(url)
    if found is not None:
        raise _refuse(*found)


def check_upstream_url(url: str) -> None:
    """Refuse a gateway provider base URL on a loopback, private or other non-public address.

    The same judgement as :func:`check_webhook_url`, switched off by
    ``ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS=1`` (a local vLLM or Ollama) instead.

    Raises:
        BlockedDestinationError: The destination is refused.
    """
    if private_upstreams_allowed():
        return
    found = _blocked_address(url)
    if found is not None:
        host, address, reason = found
        shown = host if host == address else f"{host} ({address})"
        raise BlockedDestinationError(
            f"Provider base URL {shown} is refused ({reason} address): gateway providers may "
            "not be on loopback, private, link-local or other non-public addresses; set "
            f"{env.ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS}=1 on the server to allow them",
            details={"host": host, "address": address, "reason": reason},
        )


def _blocked_address(url: str) -> tuple[str, str, str] | None:
    """``(host, address, reason)`` of the first blocked address ``url`` names, or None."""
    parsed = urllib.parse.urlsplit(url)
    host = parsed.hostname or ""
    try:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
    except ValueError:
        port = 443
    if _parse(host) is not None:
        addresses = [host]
    else:
        try:
            addresses = _resolve(host, port)
        except (OSError, UnicodeError):  # not resolvable now: judged again at connection
            return None
    for address in addresses:
        reason = blocked_reason(address)
        if reason is not None:
            return host, address, reason
    return None


def checked_addresses(host: str, port: int) -> list[str]:
    """The addresses a delivery to ``host:port`` may connect to, all of them checked.

    Resolves ``host`` once (an IP literal is its own address); with the guard on, refuses the
    host if any address is blocked, since a later resolution could pick that one.

    Raises:
        BlockedDestinationError: An address is blocked.
        OSError: ``host`` does not resolve (``socket.gaierror``).
    """
    host = host.strip("[]")
    addresses = [host] if _parse(host) is not None else _resolve(host, port)
    if not private_destinations_allowed():
        for address in addresses:
            reason = blocked_reason(address)
            if reason is not None:
                raise _refuse(host, address, reason)
    return addresses
