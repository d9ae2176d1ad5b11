"""The request path: endpoint lookup, routing, the provider call, the answer, the trace.

:meth:`Gateway.invoke` takes one parsed :class:`Call` and returns an :class:`Answer` (a whole
body) or a :class:`StreamAnswer` (SSE chunks relayed as they come), or raises
:class:`~ardea.gateway.errors.GatewayError` with the status and message to answer.

Same-dialect calls are passed through: the body is re-serialized with only ``model``
rewritten (and, for OpenAI chat streams, ``stream_options.include_usage`` asked for), and the
provider's answer goes back byte for byte. Calls across dialects (an OpenAI chat to an
Anthropic target, an Anthropic message to an OpenAI-speaking one) are translated through
:mod:`ardea.llm`'s adapters; their streams chunk by chunk by
:mod:`ardea.gateway.stream_translate`.

Every attempt shares the endpoint's one deadline (``timeout_s``). A failed target is first
retried per the endpoint's :class:`~ardea.gateway.config.RetryPolicy` (only while the wait
fits in the deadline, :mod:`ardea.gateway.retry`); then the failure moves on to the
next target of the plan when the endpoint's fallback policy names its kind (``error``: 5xx
or no connection, ``timeout``, ``rate_limit``: 429); any other provider answer (a 400, a
401) is final. The last failure is answered with the provider's status: its own body when
the caller speaks the provider's dialect (credentials masked), else the message in the
caller's shape.

Upstream HTTP goes through :mod:`ardea.gateway.http` (``aiohttp``'s client, whose C parser
costs a fraction of ``httpx``'s or ``httpcore``'s CPU per call). :meth:`Gateway._send` is
the one place upstream HTTP is sent: when ``ardea.llm`` grows a raw passthrough stream
primitive, it is where to switch over.
"""

from __future__ import annotations

import asyncio
import functools
import os
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import orjson

from ardea.gateway.cache import ResponseCache, cache_key
from ardea.gateway.config import Endpoint, GatewaySource
from ardea.gateway.errors import GatewayError, error_body, provider_message
from ardea.gateway.http import StreamedResponse, UpstreamError, UpstreamTimeout, pool, within
from ardea.gateway.metrics import GatewayMetrics
from ardea.gateway.recorder import GatewayRecord, TraceRecorder, trace_parent
from ardea.gateway.retry import with_retries
from ardea.gateway.router import EndpointRouter, Routers
from ardea.gateway.routes import Route
from ardea.gateway.stream_translate import CrossStream, cross_stream_request
from ardea.gateway.translate import (
    anthropic_to_openai_request,
    openai_answer_to_anthropic,
    openai_to_adapter_request,
    parse_adapter_answer,
    parsed_to_openai_answer,
)
from ardea.gateway.upstream import Upstream
from ardea.gateway.usage import StreamTap, Tokens, cost_of, tokens_of
from ardea.gateway.usage_rollup import UsageRollup

if TYPE_CHECKING:
    from ardea.entities.auth import TokenInfo
    from ardea.gateway.limits.wire import Admission, GatewayGuard
    from ardea.gateway.trace_process import WriterSpec
    from ardea.store.gateway_usage import GatewayUsageStore
    from ardea.store.traces import TraceStore

__all__ = ["Answer", "Call", "Gateway", "StreamAnswer"]

_T = TypeVar("_T")
_JSON = (b"content-type", b"application/json")
_SSE = (b"content-type", b"text/event-stream; charset=utf-8")
_NO_CACHE = (b"cache-control", b"no-cache")
_OPERATION_PATH = {
    "chat": "chat/completions",
    "embeddings": "embeddings",
    "responses": "responses",
    "compact": "responses/compact",
}
_ENDPOINT_TYPES = {
    "chat": ("llm/v1/chat", "llm/v1/completions"),
    "messages": ("llm/v1/chat", "llm/v1/completions"),
    "responses": ("llm/v1/chat", "llm/v1/completions"),
    "compact": ("llm/v1/chat", "llm/v1/completions"),
    "proxy": ("llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings"),
    "generate": ("llm/v1/chat", "llm/v1/completions"),
    "embeddings": ("llm/v1/embeddings",),
}


@dataclass(slots=True)
class Call:
    """One invocation, parsed.

    Attributes:
        route: The surface it came in through.
        workspace: The caller's workspace.
        body: The JSON request body (an object).
        endpoint: The endpoint named in the path (MLflow's ``invocations``, Gemini), else
            None: ``body["model"]`` names it.
        traceparent: The caller's W3C ``traceparent`` header.
        caller: ``X-MLflow-Gateway-Caller``, else the User-Agent's product token.
        user: The authenticated user's name.
        user_id: The authenticated user's id.
        key_id: The API token's id, when the caller used one.
        token: The API token itself (:class:`~ardea.entities.auth.TokenInfo`), for the
            virtual-key scope check.
        anthropic_headers: ``anthropic-version`` / ``anthropic-beta`` the caller sent.
        started: ``time.perf_counter()`` when the request arrived.
        start_ns: ``time.time_ns()`` when the request arrived.
        trace_id: The id of the request's trace, set once the endpoint is known to record
            one (answered as ``X-Ardea-Trace-Id``).
        path: The raw proxy's provider path (``/gateway/proxy/<endpoint>/<path>``): the body
            goes to ``<target base URL>/<path>`` unchanged (``model`` too), the answer back
            as it came; None for every other route.
    """

    route: Route
    workspace: str
    body: dict[str, Any]
    endpoint: str | None = None
    traceparent: str | None = None
    caller: str | None = None
    user: str | None = None
    user_id: str | None = None
    key_id: str | None = None
    token: TokenInfo | None = None
    anthropic_headers: tuple[tuple[str, str], ...] = ()
    started: float = field(default_factory=time.perf_counter)
    start_ns: int = field(default_factory=time.time_ns)
    trace_id: str | None = None
    path: str | None = None


@dataclass(slots=True)
class Answer:
    """A whole answer.

    Attributes:
        status: HTTP status.
        body: The body.
        headers: Response headers (content type included).
        provider_s: Seconds spent waiting on providers.
    """

    status: int
    body: bytes
    headers: list[tuple[bytes, bytes]]
    provider_s: float = 0.0


@dataclass(slots=True)
class StreamAnswer:
    """A streamed answer: headers now, chunks as the provider sends them.

    Attributes:
        status: HTTP status (200).
        headers: Response headers.
        chunks: The body, chunk by chunk (an error frame in the caller's dialect if the
            provider's stream breaks).
        provider_s: Seconds waited on the provider until its headers came.
    """

    status: int
    headers: list[tuple[bytes, bytes]]
    chunks: AsyncIterator[bytes]
    provider_s: float = 0.0


class _Failed(Exception):
    """One attempt failed: ``kind`` is ``error``, ``timeout``, ``rate_limit`` or ``final``."""

    def __init__(
        self,
        kind: str,
        status: int,
        message: str,
        body: bytes | None = None,
        headers: tuple[tuple[bytes, bytes], ...] = (),
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.message = message
        self.body = body
        self.headers = headers


@dataclass(slots=True)
class _Plan:
    """What one call resolved to."""

    endpoint: Endpoint
    router: EndpointRouter
    override: str | None
    tracked: bool


class Gateway:
    """The gateway's request path, shared by every route of one app.

    Args:
        source: Where endpoints and credentials come from.
        trace_store: Where request traces go (None: no traces).
        metrics: Prometheus metrics (a fresh set when None).
        cache: The response cache (a default-sized one when None).
        rng: The random source of traffic splits (seed one in tests).
        trace_queue: Request traces waiting at most before new ones are dropped.
        guard: Key scopes, budgets, rate limits and guardrails (None: none apply).
        usage_store: Where the per-minute usage rollup goes (None: none kept); written with
            the traces' batches (:mod:`ardea.gateway.usage_rollup`).
        trace_store_for: The trace store of a workspace, for endpoints outside
            ``trace_store``'s (the embedded server's scoped backends); None: ``trace_store``.
        trace_writer: Write traces and the usage roll-up in a writer process opened from
            this spec (:mod:`ardea.gateway.trace_process`); None: on a thread of this one.
    """

    def __init__(
        self,
        source: GatewaySource,
        *,
        trace_store: TraceStore | None = None,
        metrics: GatewayMetrics | None = None,
        cache: ResponseCache | None = None,
        rng: random.Random | None = None,
        trace_queue: int = 10_000,
        guard: GatewayGuard | None = None,
        usage_store: GatewayUsageStore | None = None,
        trace_store_for: Callable[[str], TraceStore] | None = None,
        trace_writer: WriterSpec | None = None,
    ) -> None:
        self.source = source
        self.guard = guard
        self.routers = Routers(source, rng)
        self.metrics = metrics or GatewayMetrics()
        self.cache = cache or ResponseCache()
        m = self.metrics
        self.recorder = (
            TraceRecorder(
                trace_store,
                max_queue=trace_queue,
                on_drop=lambda reason, n: m.traces_dropped.labels(reason).inc(n),
                on_write=m.traces_written.inc,
                on_batch=(
                    UsageRollup(
                        usage_store, lambda reason, n: m.traces_dropped.labels(reason).inc(n)
                    )
                    if usage_store is not None
                    else None
                ),
                store_for=trace_store_for,
                writer=trace_writer,
            )
            if trace_store is not None
            else None
        )
        self._children: dict[tuple[str, ...], Any] = {}
        self._jitter = random.Random()

    # ------------------------------------------------------------------ discovery

    def models(self, workspace: str) -> bytes:
        """OpenAI's model list of the workspace's endpoints (``owned_by: "ardea"``)."""
        data = [
            {"id": e.name, "object": "model", "created": 0, "owned_by": "ardea"}
            for e in self.source.endpoints(workspace)
        ]
        return orjson.dumps({"object": "list", "data": data})

    # ------------------------------------------------------------------ invocation

    def _resolve(self, call: Call) -> _Plan:
        name = call.endpoint
        if name is None:
            model = call.body.get("model")
            if not isinstance(model, str) or not model:
                raise GatewayError(
                    400, "'model' is required: the name of a gateway endpoint", "missing_model"
                )
            name = model
        name, _, override = name.partition("/")
        router = self.routers.get(call.workspace, name)
        if router is None:
            raise GatewayError(
                404, f"No gateway endpoint named {name!r} in this workspace", "model_not_found"
            )
        endpoint = router.endpoint
        if endpoint.endpoint_type not in _ENDPOINT_TYPES[call.route.operation]:
            raise GatewayError(
                400,
                f"Endpoint {name!r} serves {endpoint.endpoint_type}; this route cannot call it",
                "invalid_endpoint_type",
            )
        if override and not endpoint.allow_model_override:
            raise GatewayError(
                400, f"Endpoint {name!r} does not allow choosing its model", "override_not_allowed"
            )
        tracked = bool(
            self.recorder is not None and endpoint.usage_tracking and endpoint.experiment_id
        )
        return _Plan(endpoint, router, override or None, tracked)

    async def invoke(self, call: Call) -> Answer | StreamAnswer:
        """Serve one call (see the module docstring).

        A call whose trace is recorded answers its id as ``X-Ardea-Trace-Id`` (the UI's
        playground links to it).
        """
        answer = await self._invoke(call)
        if call.trace_id:
            answer.headers.append((b"x-ardea-trace-id", call.trace_id.encode()))
        return answer

    async def _invoke(self, call: Call) -> Answer | StreamAnswer:
        try:
            plan = self._resolve(call)
        except GatewayError:
            self._child(self.metrics.errors, "", "gateway").inc()
            raise
        endpoint = plan.endpoint
        if plan.tracked:
            call.trace_id = "tr-" + os.urandom(16).hex()
        stream = call.route.stream or call.body.get("stream") is True
        targets = plan.router.plan(plan.override)
        admission = None
        if self.guard is not None:
            admission, targets = await self._guard(call, plan, stream, targets)
        key = None
        if endpoint.cache_ttl_s and not stream and call.path is None:
            key = cache_key(endpoint.endpoint_id, call.route.request_type, call.body)
            hit = self.cache.get(key)
            if hit is not None:
                self._child(self.metrics.cache_hits, endpoint.name).inc()
                answer = Answer(200, hit, [_JSON, (b"x-ardea-cache", b"hit")])
                attributes = await self._settle(admission, None, Tokens(), failed=True)
                self._finish(
                    call,
                    plan,
                    None,
                    answer.status,
                    None,
                    Tokens(),
                    attempts=0,
                    response=hit,
                    cache_hit=True,
                    attributes=attributes,
                )
                return answer
        deadline = call.started + endpoint.timeout_s
        failure: _Failed | None = None
        provider_s = 0.0
        up = targets[0]
        tried = 0
        for attempt, up in enumerate(targets, 1):
            tried = attempt
            if attempt > 1:
                self._child(self.metrics.fallbacks, endpoint.name).inc()
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                failure = _Failed("timeout", 504, "The endpoint's deadline passed")
                break
            sent = time.perf_counter()
            try:
                if stream:
                    one = functools.partial(
                        self._stream,
                        call,
                        plan,
                        up,
                        attempt=attempt,
                        sent=sent,
                        admission=admission,
                    )
                    streamed = await self._retrying(one, plan, deadline, remaining)
                    streamed.provider_s = time.perf_counter() - sent
                    return streamed
                one_call = functools.partial(self._call, call, up)
                status, body, tokens = await self._retrying(one_call, plan, deadline, remaining)
            except _Failed as exc:
                provider_s += time.perf_counter() - sent
                failure = exc
                if exc.kind in plan.router.fallback_on and attempt < len(targets):
                    continue
                break
            provider_s += time.perf_counter() - sent
            if admission is not None and admission.guardrails:
                body = await self._check_answer(call, plan, up, admission, body, tokens, attempt)
            if key is not None and endpoint.cache_ttl_s:
                self.cache.put(key, body, endpoint.cache_ttl_s)
            attributes = await self._settle(admission, up, tokens)
            self._finish(
                call,
                plan,
                up,
                status,
                None,
                tokens,
                attempts=attempt,
                response=body,
                provider_s=provider_s,
                attributes=attributes,
            )
            return Answer(status, body, [_JSON], provider_s)
        assert failure is not None
        attributes = await self._settle(admission, up, Tokens(), failed=True)
        self._finish(
            call,
            plan,
            up,
            failure.status,
            failure.message,
            Tokens(),
            attempts=tried,
            provider_s=provider_s,
            attributes=attributes,
        )
        return self._failure_answer(call, up, failure, provider_s)

    async def _guard(
        self, call: Call, plan: _Plan, stream: bool, targets: list[Upstream]
    ) -> tuple[Admission | None, list[Upstream]]:
        """Key scope, budgets, rate limits, BEFORE guardrails; a refusal is traced, raised.

        The key's allow-list is checked against the first of ``targets`` (the routed model);
        the targets answered leave out the fallbacks it may not call.
        """
        from ardea.gateway.limits.wire import Refused

        assert self.guard is not None
        endpoint = plan.endpoint
        model = targets[0].target.model
        try:
            admission, body = await self.guard.admit(
                endpoint,
                user=call.user,
                key_id=call.key_id,
                token=call.token,
                model=model,
                body=call.body,
                stream=stream,
            )
        except Refused as exc:
            self._finish(
                call,
                plan,
                None,
                exc.status,
                exc.message,
                Tokens(),
                attempts=0,
                attributes=exc.attributes,
            )
            raise
        call.body = body
        if admission is not None and admission.scope is not None:
            targets = _key_targets(admission, targets)
        return admission, targets

    async def _check_answer(
        self,
        call: Call,
        plan: _Plan,
        up: Upstream,
        admission: Admission,
        body: bytes,
        tokens: Tokens,
        attempt: int,
    ) -> bytes:
        """The AFTER guardrails over a whole answer: the answer to send (maybe redacted)."""
        from ardea.gateway.limits.wire import Refused

        assert self.guard is not None
        try:
            answer = orjson.loads(body)
        except orjson.JSONDecodeError:
            return body
        if not isinstance(answer, dict):
            return body
        try:
            checked = await self.guard.check_answer(admission, answer)
        except Refused as exc:
            attributes = await self._settle(admission, up, tokens)
            exc.attributes.update(attributes or {})
            self._finish(
                call,
                plan,
                up,
                exc.status,
                exc.message,
                tokens,
                attempts=attempt,
                attributes=exc.attributes,
            )
            raise
        return body if checked == answer else orjson.dumps(checked)

    async def _settle(
        self,
        admission: Admission | None,
        up: Upstream | None,
        tokens: Tokens,
        *,
        failed: bool = False,
    ) -> Mapping[str, object] | None:
        """Settle the real tokens and cost with the limits: the trace attributes, or None."""
        if admission is None or self.guard is None:
            return None
        if failed or up is None:
            await self.guard.settle(admission, total_tokens=0, cost_usd=0.0)
        else:
            cost = cost_of(up.provider, up.model, tokens) if tokens.total else 0.0
            await self.guard.settle(
                admission, total_tokens=tokens.total if tokens.total else None, cost_usd=cost
            )
        return admission.attributes

    def _failure_answer(
        self, call: Call, up: Upstream, failure: _Failed, provider_s: float
    ) -> Answer:
        """The last failure, in the provider's own body or the caller's shape."""
        if failure.body is not None and (call.route.dialect == up.api or call.path is not None):
            body = up.mask(failure.body.decode("utf-8", "replace")).encode()
            return Answer(failure.status, body, [_JSON, *failure.headers], provider_s)
        message = up.mask(failure.message)
        body = error_body(call.route.dialect, failure.status, message, failure.kind)
        return Answer(failure.status, body, [_JSON, *failure.headers], provider_s)

    # ------------------------------------------------------------------ one attempt

    def _retrying(
        self,
        attempt: Callable[[float], Awaitable[_T]],
        plan: _Plan,
        deadline: float,
        remaining: float,
    ) -> Awaitable[_T]:
        """``attempt(remaining)``, retried per the endpoint's :mod:`~ardea.gateway.retry` policy."""
        policy = plan.endpoint.retry
        if not policy.retries:
            return attempt(remaining)
        retries = self._child(self.metrics.retries, plan.endpoint.name)
        return with_retries(attempt, policy, deadline, self._jitter, _Failed, retries.inc)

    def _request(self, call: Call, up: Upstream, stream: bool) -> tuple[str, bytes, dict[str, str]]:
        """URL, body and headers of a same-dialect call to ``up``."""
        route = call.route
        headers = dict(up.headers)
        if route.api == "anthropic":
            body = dict(call.body, model=up.model)
            for name, value in call.anthropic_headers:
                headers[name] = value
            return f"{up.base_url}/v1/messages", orjson.dumps(body), headers
        if route.api == "gemini":
            method = "streamGenerateContent?alt=sse" if stream else "generateContent"
            url = f"{up.base_url}/v1beta/models/{up.model}:{method}"
            return url, orjson.dumps(call.body), headers
        body = dict(call.body, model=up.model)
        if stream and route.operation == "chat":
            options = body.get("stream_options")
            options = dict(options) if isinstance(options, dict) else {}
            options.setdefault("include_usage", True)
            body["stream_options"] = options
        return up.url(_OPERATION_PATH[route.operation]), orjson.dumps(body), headers

    async def _send(
        self, up: Upstream, url: str, body: bytes, headers: dict[str, str], timeout: float
    ) -> StreamedResponse:
        """POST to the provider: its answer's head (the one place upstream HTTP is sent)."""
        try:
            return await pool().post(url, body, headers, timeout)
        except UpstreamTimeout as exc:
            raise _Failed("timeout", 504, f"{up.provider} did not answer in time") from exc
        except UpstreamError as exc:
            raise _Failed("error", 502, f"{up.provider} could not be reached: {exc}") from exc

    async def _fetch(
        self, up: Upstream, url: str, body: bytes, headers: dict[str, str], timeout: float
    ) -> bytes:
        """POST and read the whole answer within ``timeout``; raise on an error status."""
        started = time.perf_counter()
        response = await self._send(up, url, body, headers, timeout)
        try:
            remaining = max(timeout - (time.perf_counter() - started), 0.001)
            content = await within(response.read(), remaining)
        except asyncio.TimeoutError as exc:
            raise _Failed("timeout", 504, f"{up.provider} did not answer in time") from exc
        except UpstreamError as exc:
            raise _Failed("error", 502, f"{up.provider}: {exc}") from exc
        finally:
            response.close()
        self._check(up, response.status, content, response.headers)
        return content

    @staticmethod
    def _check(up: Upstream, status: int, content: bytes, headers: dict[bytes, bytes]) -> None:
        if status < 400:
            return
        extra: tuple[tuple[bytes, bytes], ...] = ()
        retry_after = headers.get(b"retry-after")
        if retry_after:
            extra = ((b"retry-after", retry_after),)
        kind = "rate_limit" if status == 429 else "error" if status >= 500 else "final"
        message = up.mask(f"{up.provider} answered {status}: {provider_message(content)}")
        raise _Failed(kind, status, message, content, extra)

    async def _call(self, call: Call, up: Upstream, timeout: float) -> tuple[int, bytes, Tokens]:
        """One non-streamed attempt: status, the answer's body (caller's dialect), usage."""
        route = call.route
        if call.path is not None:  # the raw proxy: whatever the provider answers, as it is
            raw = orjson.dumps(call.body)
            content = await self._fetch(up, up.url(call.path), raw, dict(up.headers), timeout)
            try:
                return 200, content, tokens_of(orjson.loads(content))
            except orjson.JSONDecodeError:
                return 200, content, Tokens()
        if route.api == up.api:
            url, body, headers = self._request(call, up, False)
            content = await self._fetch(up, url, body, headers, timeout)
            try:
                tokens = tokens_of(orjson.loads(content))
            except orjson.JSONDecodeError as exc:
                raise _Failed("error", 502, f"{up.provider} answered malformed JSON") from exc
            return 200, content, tokens
        if route.api == "openai" and route.operation == "chat" and up.api != "openai":
            request, params = openai_to_adapter_request(up, call.body)
            headers = {k.lower(): v for k, v in request.headers.items()}
            content = await self._fetch(up, request.url, request.body, headers, timeout)
            try:
                parsed = parse_adapter_answer(up, orjson.loads(content), params)
            except (orjson.JSONDecodeError, AttributeError, TypeError) as exc:
                raise _Failed("error", 502, f"{up.provider} answered malformed JSON") from exc
            answer = parsed_to_openai_answer(parsed, up.model)
            usage = parsed.usage
            tokens = Tokens(
                usage.input_tokens,
                usage.output_tokens,
                usage.cached_input_tokens,
                usage.cache_write_input_tokens,
            )
            return 200, orjson.dumps(answer), tokens
        if route.api == "anthropic" and up.api == "openai":
            body = orjson.dumps(anthropic_to_openai_request(call.body, up.model))
            content = await self._fetch(
                up, up.url("chat/completions"), body, dict(up.headers), timeout
            )
            try:
                value = orjson.loads(content)
            except orjson.JSONDecodeError as exc:
                raise _Failed("error", 502, f"{up.provider} answered malformed JSON") from exc
            return 200, orjson.dumps(openai_answer_to_anthropic(value, up.model)), tokens_of(value)
        raise _Failed(
            "final",
            400,
            f"This endpoint's target {up.target.name!r} ({up.provider}) cannot serve "
            f"a {route.api} {route.operation} request",
        )

    async def _stream(
        self,
        call: Call,
        plan: _Plan,
        up: Upstream,
        timeout: float,
        attempt: int,
        sent: float,
        admission: Admission | None = None,
    ) -> StreamAnswer:
        """One streamed attempt: fails before the first byte (so a fallback can follow)."""
        translator: CrossStream | None = None
        if call.path is not None:  # the raw proxy
            url, body, headers = up.url(call.path), orjson.dumps(call.body), dict(up.headers)
        elif call.route.api != up.api:
            crossed = cross_stream_request(call.route.api, call.route.operation, up, call.body)
            if crossed is None:
                raise _Failed(
                    "final",
                    400,
                    f"Streaming from {call.route.api} callers to the {up.provider} target "
                    f"{up.target.name!r} is not supported: call without stream, or use the "
                    f"{up.api} route",
                )
            url, body, headers, translator = (
                crossed.url,
                crossed.body,
                crossed.headers,
                crossed.translator,
            )
        else:
            url, body, headers = self._request(call, up, True)
        response = await self._send(up, url, body, headers, timeout)
        if response.status >= 400:
            try:
                content = await within(response.read(), 30)
            except (asyncio.TimeoutError, UpstreamError):
                content = b""
            finally:
                response.close()
            self._check(up, response.status, content, response.headers)
        deadline = call.started + plan.endpoint.timeout_s
        return StreamAnswer(
            200,
            [_SSE, _NO_CACHE],
            self._relay(
                call,
                plan,
                up,
                response,
                deadline,
                attempt,
                sent,
                translator=translator,
                admission=admission,
            ),
        )

    async def _relay(
        self,
        call: Call,
        plan: _Plan,
        up: Upstream,
        response: StreamedResponse,
        deadline: float,
        attempt: int,
        sent: float,
        translator: CrossStream | None = None,
        admission: Admission | None = None,
    ) -> AsyncIterator[bytes]:
        """The provider's chunks, as they come; an error frame if the stream breaks.

        With a ``translator`` (a stream across dialects) each chunk is re-encoded for the
        caller as it comes (:mod:`ardea.gateway.stream_translate`).
        """
        tap = StreamTap()
        first: float | None = None
        error: str | None = None
        status = 200
        try:
            chunks = response.chunks().__aiter__()
            while True:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    raise TimeoutError
                try:
                    chunk = await within(chunks.__anext__(), remaining)
                except StopAsyncIteration:
                    break
                if first is None:
                    first = time.perf_counter()
                if translator is None:
                    tap.feed(chunk)
                    yield chunk
                    continue
                out = translator.feed(chunk)
                if out:
                    yield out
                if translator.ended:
                    break
            if translator is not None:
                out = translator.close()
                if out:
                    yield out
                if translator.failure is not None:
                    status, error = translator.failure
        except asyncio.TimeoutError:
            status, error = 504, f"{up.provider} stopped sending before the deadline"
            yield _stream_error(call.route.dialect, status, error)
        except UpstreamError as exc:
            status, error = 502, f"{up.provider}: {exc}"
            yield _stream_error(call.route.dialect, status, error)
        finally:
            response.close()
            ttft = None if first is None else (first - call.started) * 1000
            attributes = await self._settle(admission, up, tap.tokens())
            self._finish(
                call,
                plan,
                up,
                status,
                error,
                tap.tokens() if translator is None else translator.tokens(),
                attempts=attempt,
                stream=True,
                ttft_ms=ttft,
                provider_s=time.perf_counter() - sent,
                attributes=attributes,
            )

    # ------------------------------------------------------------------ bookkeeping

    def _child(self, metric: Any, *labels: str) -> Any:
        key = (metric._name, *labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def _finish(
        self,
        call: Call,
        plan: _Plan,
        up: Upstream | None,
        status: int,
        error: str | None,
        tokens: Tokens,
        *,
        attempts: int,
        response: bytes | None = None,
        cache_hit: bool = False,
        stream: bool = False,
        ttft_ms: float | None = None,
        provider_s: float = 0.0,
        attributes: Mapping[str, object] | None = None,
    ) -> None:
        """Count the request, and queue its trace (``attributes``: the limits' decisions)."""
        endpoint = plan.endpoint
        end = time.perf_counter()
        provider = up.provider if up is not None else ""
        model = up.model if up is not None else ""
        cost = cost_of(provider, model, tokens) if up is not None and tokens.total else None
        if error is not None and up is not None:
            error = up.mask(error)
        m = self.metrics
        name = endpoint.name
        self._child(m.requests, name, provider, model, str(status)).inc()
        overhead = max(end - call.started - provider_s, 0.0)
        self._child(m.latency, name).observe(end - call.started)
        self._child(m.overhead, name).observe(overhead)
        if status >= 400:
            self._child(m.errors, name, "upstream" if up is not None else "gateway").inc()
        if tokens.total:
            self._child(m.tokens, name, provider, model, "input").inc(tokens.input)
            self._child(m.tokens, name, provider, model, "output").inc(tokens.output)
        if cost:
            self._child(m.cost, name, provider, model).inc(cost)
        elif cost is None and tokens.total and not cache_hit:
            self._child(m.unpriced, name, provider, model).inc()
            attributes = {**(attributes or {}), "ardea.gateway.cost_unknown": True}
        if not plan.tracked or self.recorder is None or endpoint.experiment_id is None:
            return
        self.recorder.record(
            GatewayRecord(
                experiment_id=endpoint.experiment_id,
                endpoint_id=endpoint.endpoint_id,
                endpoint=name,
                request_type=call.route.request_type,
                caller=call.caller,
                user=call.user,
                user_id=call.user_id,
                key_id=call.key_id,
                provider=provider,
                model=model,
                start_ns=call.start_ns,
                end_ns=call.start_ns + int((end - call.started) * 1e9),
                status=status,
                error=error,
                stream=stream,
                ttft_ms=ttft_ms,
                input_tokens=tokens.input,
                output_tokens=tokens.output,
                cost=0.0 if cache_hit else cost,
                cache_hit=cache_hit,
                attempts=attempts,
                overhead_ms=overhead * 1000,
                request=call.body,
                response=response,  # the writer parses it, off the request path
                parent=trace_parent(call.traceparent),
                attributes=dict(attributes) if attributes else {},
                workspace=endpoint.workspace,
                trace_id=call.trace_id or "",
            )
        )

    def close(self) -> None:
        """Write the queued traces (a few seconds at most) and stop the writer."""
        if self.recorder is not None:
            self.recorder.close()


def _key_targets(admission: Admission, targets: list[Upstream]) -> list[Upstream]:
    """``targets`` less the fallbacks whose model the caller's key may not call.

    The first target was checked by the guard (403 when off the key's allow-list); a
    skipped fallback is named on the trace (``ardea.gateway.key.skipped_models``).
    """
    kept = [targets[0]]
    skipped: list[Upstream] = []
    for up in targets[1:]:
        (kept if admission.allows(up.target.model) else skipped).append(up)
    if skipped:
        admission.attributes["ardea.gateway.key.skipped_models"] = ",".join(
            up.target.model for up in skipped
        )
    return kept


def _stream_error(dialect: str, status: int, message: str) -> bytes:
    """An SSE frame carrying an error in the caller's dialect."""
    if dialect == "anthropic":
        return b"event: error\ndata: " + error_body("anthropic", status, message) + b"\n\n"
    return (
        b"data: "
        + error_body("openai" if dialect != "gemini" else "gemini", status, message)
        + b"\n\n"
    )
