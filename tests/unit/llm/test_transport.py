"""Connection pools: async clients are sharded so each holds at most 16 connections."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

import httpx
import pytest

from ardea.llm.transport import SHARD_CONNECTIONS, AsyncLeanPool, async_pool, lean_pool
from fixtures.fake_llm_server import FakeLLMServer


def test_async_pools_are_sharded_and_handed_out_in_turn() -> None:
    async def main() -> None:
        small = {id(async_pool("small", SHARD_CONNECTIONS)) for _ in range(5)}
        assert len(small) == 1
        big = [async_pool("big", 128) for _ in range(16)]
        assert len({id(c) for c in big}) == 128 // SHARD_CONNECTIONS
        assert big[:8] == big[8:]  # round robin
        limits = big[0]._transport._pool._max_connections  # type: ignore[attr-defined]
        assert limits == SHARD_CONNECTIONS
        grown = {id(async_pool("big", 200)) for _ in range(20)}
        assert len(grown) == 13  # a raised limit gets more shards
        for c in {id(c): c for c in big}.values():
            await c.aclose()

    asyncio.run(main())


def test_the_lean_pool_serves_unless_a_proxy_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)

    async def main() -> None:
        lean = lean_pool("lean", 8, "http://127.0.0.1:9/v1/chat/completions")
        assert isinstance(lean, AsyncLeanPool)
        with pytest.raises(httpx.TransportError):  # nothing listens on port 9
            await lean.request("GET", "http://127.0.0.1:9/", headers={}, content=None, timeout=5)
        monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
        proxied = lean_pool("lean", 8, "https://api.example.com/v1/chat/completions")
        assert isinstance(proxied, httpx.AsyncClient)  # httpx routes through the proxy
        await lean.aclose()
        await proxied.aclose()

    asyncio.run(main())


def test_the_lean_pool_reads_whole_answers(llm: FakeLLMServer) -> None:
    async def main() -> None:
        pool = AsyncLeanPool(4)
        url = llm.openai_base_url + "/chat/completions"
        body = b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}'
        headers = {"content-type": "application/json", "authorization": "Bearer k"}
        answer = await pool.request("POST", url, headers=headers, content=body, timeout=10)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(
            "application/json"
        )
        assert b"choices" in answer.content
        await pool.aclose()

    asyncio.run(main())


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_the_lean_pool_speaks_tls_and_drops_connections_the_server_closed(
    tmp_path: Path,
) -> None:
    """Over TLS, keep-alive reuse, and a connection closed by the server while idle."""
    cert, key = _self_signed(tmp_path)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    client_ctx = ssl.create_default_context(cafile=str(cert))
    connections: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        served = 0
        while served < 2:  # two answers, then the server closes the idle connection
            head = await reader.readuntil(b"\r\n\r\n")
            size = next(
                (int(line.split(b":")[1]) for line in head.split(b"\r\n")
                 if line.lower().startswith(b"content-length")),
                0,
            )  # fmt: skip
            await reader.readexactly(size)
            body = b'{"n": %d}' % served
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                         b"content-length: %d\r\n\r\n%s" % (len(body), body))  # fmt: skip
            await writer.drain()
            served += 1
        writer.close()

    async def main() -> list[bytes]:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_ctx)
        port = server.sockets[0].getsockname()[1]
        pool = AsyncLeanPool(1, ssl_context=client_ctx)
        url = f"https://localhost:{port}/v1/chat/completions"
        bodies = []
        for _ in range(3):
            answer = await pool.request(
                "POST", url, headers={"content-type": "application/json"}, content=b"{}",
                timeout=10,
            )  # fmt: skip
            assert answer.status_code == 200
            bodies.append(answer.content)
            await asyncio.sleep(0.05)  # lets the server's close arrive while the pool is idle
        await pool.aclose()
        server.close()
        await server.wait_closed()
        return bodies

    assert asyncio.run(main()) == [b'{"n": 0}', b'{"n": 1}', b'{"n": 0}']
    assert len(connections) == 2  # reused once, then a new one after the server closed it


async def _raw_server(answer: bytes, seen: list[bytes], delay: float = 0.0) -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        size = next(
            (int(line.split(b":")[1]) for line in head.split(b"\r\n")
             if line.lower().startswith(b"content-length")),
            0,
        )  # fmt: skip
        seen.append(head + await reader.readexactly(size))
        try:
            await asyncio.sleep(delay)
            writer.write(answer)
            await writer.drain()
        except (asyncio.CancelledError, ConnectionError):  # the client gave up first
            pass
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


def test_the_lean_pool_sends_what_httpcore_sent_and_decodes_gzip() -> None:
    """Accept and User-Agent by default, no Content-Type or Accept-Encoding added."""
    import gzip

    body = gzip.compress(b'{"ok": true}')
    answer = (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\n"
        b"X-Request-Id: r1\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body)
    )
    seen: list[bytes] = []

    async def main() -> tuple[int, dict[str, str], bytes]:
        server = await _raw_server(answer, seen)
        port = server.sockets[0].getsockname()[1]
        pool = AsyncLeanPool(2)
        got = await pool.request(
            "POST", f"http://127.0.0.1:{port}/v1/x", headers=[("Authorization", "Bearer k")],
            content=b"{}", timeout=10,
        )  # fmt: skip
        await pool.aclose()
        server.close()
        await server.wait_closed()
        return got.status_code, got.headers, got.content

    status, headers, content = asyncio.run(main())
    assert (status, content, headers["x-request-id"]) == (200, b'{"ok": true}', "r1")
    sent = seen[0].decode().lower()
    assert sent.startswith("post /v1/x http/1.1\r\n") and sent.endswith("\r\n\r\n{}")
    assert "authorization: bearer k\r\n" in sent
    assert "user-agent: ardea\r\n" in sent and "accept: */*\r\n" in sent
    assert "content-type" not in sent and "accept-encoding" not in sent


def test_the_lean_pool_raises_httpx_errors() -> None:
    seen: list[bytes] = []

    async def main() -> None:
        slow = await _raw_server(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n", seen, 5.0)
        port = slow.sockets[0].getsockname()[1]
        pool = AsyncLeanPool(2)
        with pytest.raises(httpx.TimeoutException):
            await pool.request(
                "GET", f"http://127.0.0.1:{port}/", headers={}, content=None, timeout=0.2
            )
        broken = await _raw_server(b"HTTP/1.1 2", seen)  # the server hangs up mid-answer
        port = broken.sockets[0].getsockname()[1]
        with pytest.raises(httpx.TransportError):
            await pool.request("GET", f"http://127.0.0.1:{port}/", headers={}, content=None,
                               timeout=5)  # fmt: skip
        with pytest.raises(httpx.UnsupportedProtocol):
            await pool.request("GET", "ftp://127.0.0.1/", headers={}, content=None, timeout=5)
        await pool.aclose()
        for server in (slow, broken):
            server.close()

    asyncio.run(main())


def test_pools_left_open_when_their_loop_ends_say_nothing(
    llm: FakeLLMServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """User code's ``asyncio.run`` ends without closing the pool: no "Unclosed" report."""
    import gc

    async def main() -> int:
        url = llm.openai_base_url + "/chat/completions"
        pool = lean_pool("left-open", 4, url)
        answer = await pool.request("POST", url, headers={}, content=b"{}", timeout=10)
        return answer.status_code

    asyncio.run(main())
    gc.collect()
    assert "Unclosed" not in capsys.readouterr().err


def test_the_proxy_decision_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The remembered answer is per URL and proxy variables: changing them is seen at once."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.lower(), raising=False)
    url = "https://api.example.com/v1/chat/completions"

    async def main() -> list[type]:
        kinds = [type(lean_pool("env", 4, url))]
        monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
        kinds.append(type(lean_pool("env", 4, url)))
        monkeypatch.setenv("NO_PROXY", "api.example.com")
        kinds.append(type(lean_pool("env", 4, url)))
        monkeypatch.delenv("NO_PROXY")
        kinds.append(type(lean_pool("env", 4, url)))
        monkeypatch.delenv("HTTPS_PROXY")
        monkeypatch.setenv("all_proxy", "http://proxy.invalid:3128")
        kinds.append(type(lean_pool("env", 4, url)))
        return kinds

    lean, proxied = AsyncLeanPool, httpx.AsyncClient
    assert asyncio.run(main()) == [lean, proxied, lean, proxied, proxied]
