"""MCP autologging: a real MCP client session calling a real FastMCP server (in memory)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any

import anyio
import pytest
from mcp.client import session as mcp_session
from mcp.server.fastmcp import FastMCP
from mcp.shared.exceptions import McpError
from mcp.shared.memory import create_connected_server_and_client_session

import ardea
from ardea.autolog import mcp as mcp_autolog
from ardea.tracing.testing import CapturedTraces, capture_traces

# FastMCP's settings model trips pydantic-settings' forward-reference warning (mcp 1.28).
pytestmark = pytest.mark.filterwarnings(
    "ignore::pydantic_settings.exceptions.IncompleteFieldDefinitionWarning"
)


@pytest.fixture(autouse=True)
def _reverted() -> Iterator[None]:
    mcp_autolog.revert()
    yield
    mcp_autolog.revert()


@pytest.fixture
def captured() -> Iterator[CapturedTraces]:
    mcp_autolog.autolog()
    with capture_traces() as cap:
        yield cap


def _server() -> FastMCP:
    server = FastMCP("calc")

    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    @server.tool()
    async def slow() -> str:
        """Takes far longer than the client waits."""
        await anyio.sleep(60)
        return "late"

    @server.tool()
    def fail(reason: str) -> str:
        """Always fails."""
        raise ValueError(reason)

    return server


def _run(body: Callable[[Any], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with create_connected_server_and_client_session(_server()) as client:
            return await body(client)

    return asyncio.run(main())


def test_call_tool_is_a_tool_span(captured: CapturedTraces) -> None:
    async def body(client: Any) -> Any:
        with ardea.start_span("agent", span_type="AGENT"):
            return await client.call_tool("add", {"a": 2, "b": 3})

    result = _run(body)
    assert result.isError is False and result.content[0].text == "5"
    spans = {s.name: s for s in captured.spans()}
    assert set(spans) == {"agent", "add"}  # the session's own list_tools inside is not a span
    span = spans["add"]
    assert span.parent_span_id == spans["agent"].span_id
    assert (span.span_type, span.status_code) == ("TOOL", "OK")
    assert span.inputs == {"name": "add", "arguments": {"a": 2, "b": 3}}
    assert span.outputs["content"][0] == {"type": "text", "text": "5"}
    assert span.outputs["structuredContent"] == {"result": 5}
    assert span.attributes["mcp.tool.name"] == "add"
    assert span.attributes["mcp.tool.is_error"] in (False, "false")  # scalars stay JSON text


def test_a_failed_tool_ends_its_span_as_error(captured: CapturedTraces) -> None:
    async def body(client: Any) -> Any:
        return await client.call_tool(name="fail", arguments={"reason": "no luck"})

    result = _run(body)
    assert result.isError is True
    (span,) = captured.spans()
    assert (span.name, span.status_code) == ("fail", "ERROR")
    assert span.attributes["mcp.tool.is_error"] in (True, "true")
    assert "no luck" in span.outputs["content"][0]["text"]


def test_list_tools(captured: CapturedTraces) -> None:
    async def body(client: Any) -> Any:
        return await client.list_tools()

    assert {t.name for t in _run(body).tools} == {"add", "slow", "fail"}
    (span,) = captured.spans()
    assert (span.name, span.span_type) == ("list_tools", "CHAIN")
    assert sorted(span.outputs["tools"]) == ["add", "fail", "slow"]


def test_session_error_propagates_and_marks_the_span(captured: CapturedTraces) -> None:
    async def body(client: Any) -> Any:
        # The server's tool outlives the read timeout: the session raises McpError.
        with pytest.raises(McpError, match="Timed out"):
            await client.call_tool("slow", {}, read_timeout_seconds=timedelta(seconds=0.05))

    _run(body)
    (span,) = captured.spans()
    assert (span.name, span.status_code) == ("slow", "ERROR")


def test_disable_stops_tracing(captured: CapturedTraces) -> None:
    mcp_autolog.autolog(disable=True)
    assert not mcp_autolog.is_enabled()
    _run(lambda client: client.call_tool("add", {"a": 1, "b": 1}))
    assert captured.spans() == []


def test_broken_library_shape_warns_once_and_the_call_succeeds(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ARDEA_STRICT", "0")
    original = mcp_session.ClientSession.call_tool
    monkeypatch.delattr(mcp_session.ClientSession, "call_tool")
    mcp_autolog.autolog()
    text = "mcp autolog (patching ClientSession.call_tool)"
    assert len([r for r in caplog.records if text in r.getMessage()]) == 1
    with capture_traces() as cap:
        tools = _run(lambda client: client.list_tools())
        assert len(tools.tools) == 3
        monkeypatch.setattr(mcp_session.ClientSession, "call_tool", original, raising=False)
        result = _run(lambda client: client.call_tool("add", {"a": 1, "b": 1}))
    assert result.content[0].text == "2"  # the user's call works, untraced
    assert {s.name for s in cap.spans()} == {"list_tools"}  # no tool span
