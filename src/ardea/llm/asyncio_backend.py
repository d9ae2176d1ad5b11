"""An ``httpcore`` network backend on plain asyncio streams, for the judges' connections.

``httpcore``'s default async backend goes through anyio: each read and write opens a cancel
scope, and before every request the pool asks each idle connection whether its socket is
readable (a ``select`` and a ``getpeername`` per connection). At a few hundred judge calls a
second that was about half of the event loop's time. Here a stream is an asyncio
``StreamReader``/``StreamWriter`` pair: reads and writes are awaited directly (with
``asyncio.timeout``), and an idle connection is readable when its reader holds data or has
seen the end of the stream, which asyncio already knows without a system call.

Python 3.11+ (``asyncio.timeout`` and ``StreamWriter.start_tls``); :func:`asyncio_backend`
returns None before that, and the pool keeps ``httpcore``'s default.
"""

from __future__ import annotations

import asyncio
import ssl
import sys
from collections.abc import Iterable
from typing import Any

import httpcore

__all__ = ["AsyncioBackend", "AsyncioStream", "asyncio_backend"]

_READ_LIMIT = 2**20


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection (see the module docstring)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Up to ``max_bytes`` (``b""`` at the end of the stream)."""
        try:
            async with asyncio.timeout(timeout):  # type: ignore[attr-defined,unused-ignore]
                return await self._reader.read(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore.ReadError(str(exc)) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Send ``buffer`` (waits only when the transport's buffer is full)."""
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):  # type: ignore[attr-defined,unused-ignore]
                self._writer.write(buffer)
                await self._writer.drain()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore.WriteError(str(exc)) from exc

    async def aclose(self) -> None:
        """Close the connection (without waiting for the peer)."""
        self._writer.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """This connection wrapped in TLS."""
        try:
            async with asyncio.timeout(timeout):  # type: ignore[attr-defined,unused-ignore]
                await self._writer.start_tls(  # type: ignore[attr-defined,unused-ignore]
                    ssl_context, server_hostname=server_hostname
                )
        except TimeoutError as exc:
            self._writer.close()
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except (OSError, ssl.SSLError) as exc:
            self._writer.close()
            raise httpcore.ConnectError(str(exc)) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        """What ``httpcore`` asks of a stream (``is_readable`` without a system call)."""
        if info == "is_readable":
            buffered = getattr(self._reader, "_buffer", None)  # asyncio's bytearray
            return self._reader.at_eof() or bool(buffered) or self._writer.is_closing()
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        if info == "socket":
            return self._writer.get_extra_info("socket")
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens :class:`AsyncioStream` connections (TCP only)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """A TCP connection to ``host:port`` (TCP_NODELAY, as asyncio sets it)."""
        try:
            async with asyncio.timeout(timeout):  # type: ignore[attr-defined,unused-ignore]
                reader, writer = await asyncio.open_connection(
                    host,
                    port,
                    local_addr=(local_address, 0) if local_address else None,
                    limit=_READ_LIMIT,
                )
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        sock = writer.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return AsyncioStream(reader, writer)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Not used by the judges' pools."""
        raise httpcore.ConnectError("unix sockets are not supported by this backend")

    async def sleep(self, seconds: float) -> None:
        """``asyncio.sleep``."""
        await asyncio.sleep(seconds)


def asyncio_backend() -> AsyncioBackend | None:
    """The backend on Python 3.11+, else None (``httpcore``'s default is kept)."""
    return AsyncioBackend() if sys.version_info >= (3, 11) else None
