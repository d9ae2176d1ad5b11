"""The agent server: one Python agent behind OpenAI's Responses and Chat Completions APIs.

Routes: ``POST /v1/responses`` (and ``/responses``), ``POST /v1/chat/completions``,
``POST /invocations`` (MLflow's ResponsesAgent protocol), ``GET /ping``, ``/health`` and
``/v1/models``. Every answer streams as Server-Sent Events when the body has
``"stream": true``. Bad input is a 400 in OpenAI's error shape; an agent failure a 500 (or
an ``error`` event once streaming). With tracing on, each request is one trace: an ``AGENT``
span named after the agent, its session and user in the trace metadata, the agent's own
spans under it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from ardea._core.env import (
    ARDEA_AGENT_MAX_HISTORIES,
    ARDEA_AGENT_NAME,
    ARDEA_AGENT_SPEC,
    ARDEA_AGENT_TRACE_EXPERIMENT,
)
from ardea._core.version import __version__
from ardea.models.agents._adapters import Adapter, AgentCall, AgentOutputError, adapt
from ardea.models.agents._history import DEFAULT_MAX_HISTORIES, Histories, History
from ardea.models.agents._messages import BadInput
from ardea.models.agents._requests import (
    Parsed,
    parse_body,
    parse_chat,
    parse_invocations,
    parse_responses,
)
from ardea.models.agents._wire import ChatStream, ResponseStream, error_body, sse

__all__ = ["MAX_BODY_BYTES", "app_from_env", "create_app"]

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 16 * 1024 * 1024
"""The largest request body accepted (16 MiB); larger ones get a 413."""

RETURN_TRACE_HEADER = "x-mlflow-return-trace-id"
_INVOCATION_EVENTS = {"response.output_text.delta", "response.output_item.done"}


def _bad(exc: BadInput, status: int = 400, code: str | None = None) -> JSONResponse:
    body = error_body(exc.message, "invalid_request_error", code, exc.param)
    return JSONResponse(body, status_code=status)


def _failure_message(exc: BaseException) -> str:
    """What the client learns of an agent's exception: its type and an id for the log.

    The exception's text stays in the server's log (with the traceback, under the same id):
    an agent's errors can quote upstream responses, prompts or credentials.
    """
    error_id = uuid.uuid4().hex[:12]
    log.warning("The agent failed (error id %s)", error_id, exc_info=exc)
    what = str(exc) if isinstance(exc, AgentOutputError) else type(exc).__name__
    return f"The agent failed: {what} (error id {error_id}; details in the server log)."


def _agent_error(exc: BaseException) -> JSONResponse:
    body = error_body(_failure_message(exc), "server_error", "agent_error", None)
    return JSONResponse(body, status_code=500)


async def _read(request: Request) -> dict[str, Any]:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BadInput(f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BadInput(f"The request body is larger than {MAX_BODY_BYTES} bytes.")
        chunks.append(chunk)
    return parse_body(b"".join(chunks))


class _Server:
    """Runs the agent for parsed requests: history, sessions, tracing."""

    def __init__(self, adapter: Adapter, name: str, trace: bool, histories: Histories) -> None:
        self.adapter = adapter
        self.name = name
        self.trace = trace
        self.histories = histories

    def resolve(self, parsed: Parsed) -> list[dict[str, Any]]:
        """Prepend the conversation of ``previous_response_id``; the history to store."""
        call = parsed.call
        earlier: tuple[dict[str, Any], ...] = ()
        if parsed.previous_response_id is not None:
            found = self.histories.get(parsed.previous_response_id)
            if found is None:
                raise BadInput(
                    f"Previous response with id '{parsed.previous_response_id}' not found "
                    "(unknown, or no longer kept by this server).",
                    "previous_response_id",
                )
            earlier = found.messages
            call.session_id = call.session_id or found.session_id
            call.user_id = call.user_id or found.user_id
        history = [*earlier, *call.messages]
        instructions = parsed.echo.get("instructions")
        system = [{"role": "system", "content": instructions}] if instructions else []
        call.messages = [*system, *history]
        return history

    @contextlib.contextmanager
    def traced(self, inputs: Any, call: AgentCall) -> Iterator[Any]:
        """An ``AGENT`` span (the trace's root) around the agent's run, when tracing."""
        if not self.trace:
            yield None
            return
        from ardea.tracing import start_span, update_current_trace

        with start_span(self.name, span_type="AGENT", inputs=inputs) as span:
            update_current_trace(session_id=call.session_id, user_id=call.user_id)
            yield span

    def remember(
        self, response: ResponseStream, history: list[dict[str, Any]], parsed: Parsed
    ) -> None:
        """Keep the conversation under the response id (unless ``store`` is false)."""
        if parsed.store:
            messages = (*history, *response.messages())
            self.histories.put(
                response.id, History(messages, parsed.call.session_id, parsed.call.user_id)
            )


def _trace_metadata(answer: dict[str, Any], span: Any, request: Request) -> None:
    if span is not None and request.headers.get(RETURN_TRACE_HEADER, "").lower() == "true":
        answer["metadata"] = {**(answer.get("metadata") or {}), "trace_id": span.trace_id}


def _routes(app: FastAPI, server: _Server) -> None:  # noqa: C901 - one closure per route
    async def respond(request: Request, parse: Callable[..., Parsed], invocations: bool) -> Any:
        try:
            parsed = parse(await _read(request), dict(request.headers))
            history = server.resolve(parsed)
        except BadInput as exc:
            code = "previous_response_not_found" if exc.param == "previous_response_id" else None
            return _bad(exc, code=code)
        call = parsed.call
        answer = ResponseStream(server.name, parsed.echo)
        call.session_id = call.session_id or answer.id
        inputs = {"input": history, **{k: v for k, v in parsed.echo.items() if v}}
        if call.stream:
            return _stream(answer, parsed, history, inputs, invocations)
        try:
            with server.traced(inputs, call) as span:
                async for event in server.adapter.events(call):
                    answer.add(event)
                answer.finish()  # closes the last item; the events are for streams only
                server.remember(answer, history, parsed)
                body = answer.response()
                _trace_metadata(body, span, request)
                if span is not None:
                    span.set_outputs(body)
        except Exception as exc:
            return _agent_error(exc)
        return JSONResponse(body)

    def _stream(
        answer: ResponseStream,
        parsed: Parsed,
        history: list[dict[str, Any]],
        inputs: dict[str, Any],
        invocations: bool,
    ) -> StreamingResponse:
        def out(events: list[dict[str, Any]]) -> Iterator[str]:
            for event in events:
                if not invocations:
                    yield sse(event, event["type"])
                elif event["type"] in _INVOCATION_EVENTS:
                    yield sse({k: v for k, v in event.items() if k != "sequence_number"})

        async def events() -> AsyncIterator[str]:
            for chunk in out(answer.start()):
                yield chunk
            try:
                with server.traced(inputs, parsed.call) as span:
                    async for event in server.adapter.events(parsed.call):
                        for chunk in out(answer.add(event)):
                            yield chunk
                    closing = answer.finish()
                    server.remember(answer, history, parsed)  # before the client can follow up
                    if span is not None:
                        span.set_outputs(answer.response())
                    for chunk in out(closing):
                        yield chunk
            except Exception as exc:
                failure = answer.fail(_failure_message(exc))
                yield sse(failure, "error") if not invocations else sse(failure)
            if invocations:
                yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    @app.post("/v1/responses")
    @app.post("/responses")
    async def responses(request: Request) -> Any:
        """OpenAI's Responses API (``client.responses.create``)."""
        return await respond(request, parse_responses, invocations=False)

    @app.post("/invocations")
    async def invocations(request: Request) -> Any:
        """MLflow's ResponsesAgent protocol."""
        return await respond(request, parse_invocations, invocations=True)

    @app.post("/v1/chat/completions")
    @app.post("/chat/completions")
    async def chat(request: Request) -> Any:
        """OpenAI's Chat Completions API (``client.chat.completions.create``)."""
        try:
            parsed = parse_chat(await _read(request), dict(request.headers))
        except BadInput as exc:
            return _bad(exc)
        return await _chat(parsed)

    async def _chat(parsed: Parsed) -> Any:
        call = parsed.call
        answer = ChatStream(server.name)
        inputs = {"messages": call.messages}
        if not call.stream:
            try:
                with server.traced(inputs, call) as span:
                    async for event in server.adapter.events(call):
                        answer.add(event)
                    body = answer.completion()
                    if span is not None:
                        span.set_outputs(body)
            except Exception as exc:
                return _agent_error(exc)
            return JSONResponse(body)

        async def chunks() -> AsyncIterator[str]:
            try:
                with server.traced(inputs, call) as span:
                    async for event in server.adapter.events(call):
                        for chunk in answer.add(event):
                            yield chunk
                    if span is not None:
                        span.set_outputs(answer.completion())
            except Exception as exc:
                message = _failure_message(exc)
                yield sse(error_body(message, "server_error", "agent_error", None))
                return
            for chunk in answer.finish():
                yield chunk

        return StreamingResponse(chunks(), media_type="text/event-stream")

    @app.get("/ping")
    @app.get("/health")
    async def ping() -> dict[str, str]:
        """200 once the agent is loaded."""
        return {"status": "healthy"}

    @app.get("/v1/models")
    @app.get("/models")
    async def models() -> dict[str, Any]:
        """The one model id: the agent's name."""
        model = {"id": server.name, "object": "model", "created": 0, "owned_by": "ardea"}
        return {"object": "list", "data": [model]}


@contextlib.asynccontextmanager
async def _flush_traces_on_exit(app: FastAPI) -> AsyncIterator[None]:
    """Export the traces still buffered when the server stops."""
    yield
    from ardea.tracing import flush

    await run_in_threadpool(flush)


def create_app(
    agent: Any,
    *,
    name: str = "agent",
    trace: bool = False,
    max_histories: int = DEFAULT_MAX_HISTORIES,
) -> FastAPI:
    """The agent server's ASGI app for one agent.

    Args:
        agent: A function, an object with ``predict``, an OpenAI Agents SDK ``Agent`` or a
            LangGraph compiled graph (see :mod:`ardea.models.agents._adapters`).
        name: The model id the server answers with (``/v1/models``, ``model`` fields) and
            the name of each trace's root span.
        trace: Record each request as a trace in the active experiment.
        max_histories: How many responses' conversations to keep for
            ``previous_response_id`` (least recently used dropped first).

    Raises:
        TypeError: ``agent`` is not a kind the server can host.
    """
    app = FastAPI(
        title="Ardea agent server",
        version=__version__,
        openapi_url=None,
        lifespan=_flush_traces_on_exit if trace else None,
    )
    server = _Server(adapt(agent), name, trace, Histories(max_histories))
    _routes(app, server)
    return app


def app_from_env() -> FastAPI:
    """The app for the agent at ``ARDEA_AGENT_SPEC`` (uvicorn's factory, per worker)."""
    from ardea._core.imports import load_object

    spec = os.environ.get(ARDEA_AGENT_SPEC)
    if not spec:
        raise RuntimeError(f"{ARDEA_AGENT_SPEC} must name the agent to serve.")
    experiment = os.environ.get(ARDEA_AGENT_TRACE_EXPERIMENT)
    if experiment:
        from ardea.fluent import set_experiment

        set_experiment(experiment)
    agent = load_object(spec, "agent")
    name = os.environ.get(ARDEA_AGENT_NAME) or spec.rpartition(":")[2]
    cap = int(os.environ.get(ARDEA_AGENT_MAX_HISTORIES) or DEFAULT_MAX_HISTORIES)
    return create_app(agent, name=name, trace=bool(experiment), max_histories=cap)
