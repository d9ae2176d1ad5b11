"""The webhook SSRF guard: which addresses are refused, the create-time URL check, and the
delivery transport that connects only to checked addresses (against a real local socket)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from ardea._core.errors import InvalidArgumentError
from ardea._core.net.guard import (
    BlockedDestinationError,
    blocked_reason,
    check_webhook_url,
    checked_addresses,
    private_destinations_allowed,
)
from ardea._core.net.transport import GuardedTransport

ALLOW = "ARDEA_WEBHOOKS_ALLOW_PRIVATE"


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("[fe80::1%eth0]", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("not-an-ip", "not an IP address"),
    ],
)
def test_blocked_addresses(address: str, reason: str) -> None:
    assert blocked_reason(address) == reason


@pytest.mark.parametrize("address", ["240.0.0.1", "100.64.0.1", "192.0.2.10", "2001:db8::1"])
def test_reserved_shared_and_documentation_ranges_are_blocked(address: str) -> None:
    assert blocked_reason(address) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert blocked_reason(address) is None


def test_opt_out_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not private_destinations_allowed()
    for value, allowed in (("1", True), ("true", True), ("0", False), ("", False)):
        monkeypatch.setenv(ALLOW, value)
        assert private_destinations_allowed() is allowed


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:1/x", "http://localhost/x", "https://[::1]:8443/", "http://0/"]
)
def test_check_webhook_url_refuses_and_names_the_setting(url: str) -> None:
    with pytest.raises(BlockedDestinationError) as exc:
        check_webhook_url(url)
    assert isinstance(exc.value, InvalidArgumentError)
    assert ALLOW in exc.value.message
    assert exc.value.details["reason"]


def test_check_webhook_url_accepts_public_unresolvable_and_opted_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    check_webhook_url("https://8.8.8.8/hook")
    check_webhook_url("https://hooks.invalid/x")  # does not resolve (yet): allowed
    monkeypatch.setenv(ALLOW, "1")
    check_webhook_url("http://127.0.0.1:1/x")


def test_checked_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    assert checked_addresses("8.8.8.8", 443) == ["8.8.8.8"]
    assert checked_addresses("[2606:4700::1111]", 443) == ["2606:4700::1111"]
    with pytest.raises(BlockedDestinationError):
        checked_addresses("localhost", 80)
    with pytest.raises(OSError):
        checked_addresses("hooks.invalid", 80)
    monkeypatch.setenv(ALLOW, "1")
    assert "127.0.0.1" in checked_addresses("localhost", 80)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback TCP socket that accepts connections (nobody answers on them)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock
    sock.close()


def test_transport_refuses_blocked_host_before_connecting(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    listener.settimeout(0)
    with httpx.Client(transport=GuardedTransport(), timeout=5) as client:
        for host in ("127.0.0.1", "localhost"):
            with pytest.raises(BlockedDestinationError):
                client.post(f"http://{host}:{port}/x", content=b"{}")
    with pytest.raises(BlockingIOError):  # no connection ever reached the socket
        listener.accept()


def test_transport_connects_to_the_checked_address_when_opted_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from threading import Thread

    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.append(self.headers["Host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = Thread(target=server.handle_request, daemon=True)
    thread.start()
    monkeypatch.setenv(ALLOW, "1")
    port = server.server_port
    try:
        with httpx.Client(transport=GuardedTransport(), timeout=30) as client:
            response = client.post(f"http://localhost:{port}/x", content=b"{}")
        assert response.status_code == 204
        assert seen == [f"localhost:{port}"]  # the Host header keeps the name
    finally:
        thread.join(30)
        server.server_close()


def test_a_hung_resolver_is_given_up_on(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from ardea._core.net import guard as destinations

    release = threading.Event()

    def hung(*args: object, **kwargs: object) -> list[object]:
        release.wait(10)
        return []

    monkeypatch.setattr(destinations, "RESOLVE_TIMEOUT_S", 0.2)
    monkeypatch.setattr(socket, "getaddrinfo", hung)
    try:  # the resolver answers only when released: the timeout must give up on it first
        with pytest.raises(OSError, match="no DNS answer"):
            destinations.checked_addresses("slow.example.com", 443)
        destinations.check_webhook_url("https://slow.example.com/hook")  # unresolved: accepted
    finally:
        release.set()
