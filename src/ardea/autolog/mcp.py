"""MCP autologging: an MCP client's tool calls become ``TOOL`` spans.

``ardea.mcp.autolog()`` patches ``mcp.ClientSession.call_tool``: each call makes a ``TOOL``
span named after the tool, its inputs ``{"name", "arguments"}``, its outputs the
``CallToolResult`` (``content``, ``structuredContent``, ``isError``) and the attributes
``mcp.tool.name`` and ``mcp.tool.is_error``. A result that says the tool failed
(``isError``) ends the span as ERROR with the result still recorded; a protocol error raised
by the session ends it as ERROR too and propagates unchanged. ``ClientSession.list_tools``
makes a ``CHAIN`` span (``list_tools``) whose outputs are the tools' names (not when the
session lists them itself inside ``call_tool`` to check a result). The spans nest
under the caller's span (an agent's tool step, ...), whatever transport the session uses
(stdio, streamable HTTP, SSE, in memory).

Supports ``mcp`` 1.x (tested with 1.28). Errors in the tracing code are logged and swallowed
(raised under ``ARDEA_STRICT=1``).
"""

from __future__ import annotations

import contextvars
import functools
from typing import Any

from ardea._core.safety import safe_call
from ardea.autolog._llm_call import LLMCall, field
from ardea.autolog._patching import Patcher

__all__ = ["autolog", "is_enabled", "revert"]

_patcher = Patcher("mcp")
_MODULE = "mcp.client.session"
TOOL_NAME = "mcp.tool.name"
"""Span attribute: the MCP tool's name."""
IS_ERROR = "mcp.tool.is_error"
"""Span attribute: whether the tool's result says it failed."""

# Inside a traced call_tool: the session's own list_tools (it validates a result against the
# tool's output schema) is part of that call, not a span of its own.
_in_call_tool: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "ardea_mcp_in_call_tool", default=False
)


def autolog(disable: bool = False, log_traces: bool = True) -> None:
    """Turn MCP client autologging on (or off with ``disable=True``).

    Args:
        disable: Remove the patches instead.
        log_traces: Make a span for each call (``False`` keeps the patches but traces nothing).
    """
    if disable:
        revert()
        return
    _patcher.log_traces = log_traces
    _patcher.patch(_MODULE, "ClientSession", "call_tool", _wrap_call_tool)
    _patcher.patch(_MODULE, "ClientSession", "list_tools", _wrap_list_tools)
    _patcher.enabled = True


def revert() -> None:
    """Remove every patch; later calls make no spans."""
    _patcher.revert()


def is_enabled() -> bool:
    """Whether MCP autologging is on."""
    return _patcher.enabled


def _plain(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    return dump(mode="json", exclude_none=True, by_alias=True) if callable(dump) else value


def _start_tool(args: tuple[Any, ...], kwargs: dict[str, Any]) -> LLMCall:
    name = args[0] if args else kwargs.get("name")
    arguments = args[1] if len(args) > 1 else kwargs.get("arguments")
    inputs = {"name": name, "arguments": arguments}
    return LLMCall("mcp", str(name), "TOOL", inputs, {TOOL_NAME: name})


def _finish_tool(call: LLMCall, result: Any) -> None:
    is_error = field(result, "isError") is True
    outputs = safe_call("mcp autolog (recording a result)", lambda: _plain(result), None)
    call.finish(outputs, {IS_ERROR: is_error}, "ERROR" if is_error else "OK")


def _wrap_call_tool(original: Any) -> Any:
    @functools.wraps(original)
    async def call_tool(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not _patcher.active:
            return await original(self, *args, **kwargs)
        call = safe_call("mcp autolog (starting a span)", lambda: _start_tool(args, kwargs), None)
        if call is None:
            return await original(self, *args, **kwargs)
        token = _in_call_tool.set(True)
        try:
            result = await original(self, *args, **kwargs)
        except BaseException as exc:
            call.fail(exc)
            raise
        finally:
            _in_call_tool.reset(token)
        _finish_tool(call, result)
        return result

    return call_tool


def _wrap_list_tools(original: Any) -> Any:
    @functools.wraps(original)
    async def list_tools(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not _patcher.active or _in_call_tool.get():
            return await original(self, *args, **kwargs)
        start = lambda: LLMCall("mcp", "list_tools", "CHAIN", dict(kwargs), {})  # noqa: E731
        call = safe_call("mcp autolog (starting a span)", start, None)
        if call is None:
            return await original(self, *args, **kwargs)
        try:
            result = await original(self, *args, **kwargs)
        except BaseException as exc:
            call.fail(exc)
            raise
        names = [field(tool, "name") for tool in field(result, "tools") or []]
        call.finish({"tools": names})
        return result

    return list_tools
