""":class:`LLMClient`: chat and embeddings on any provider, sync and async, with one deadline.

Every call: waits for a slot of the provider's shared limiter (:mod:`ardea.llm.limiter`),
sends the adapter's request through the provider config's shared connection pool
(:mod:`ardea.llm.transport`), retries what is worth retrying within the call's one deadline
(:mod:`ardea.llm.retry`), reads the answer, enforces a JSON schema when asked
(:mod:`ardea.llm.structured`), prices the tokens (:mod:`ardea.llm.pricing`) and tells the
observers (:mod:`ardea.llm.hooks`, how tracing records the call as a span).

Cancelling: a sync call in the main thread stops at Ctrl-C (``KeyboardInterrupt`` interrupts
the socket read or the backoff sleep); an async call stops when its task is cancelled (the
request is aborted at once). A sync call running in a worker thread cannot be interrupted
from outside: give it a ``timeout=``, or use :meth:`LLMClient.achat` and cancel the task.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Generator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

from ardea._core.errors import InvalidArgumentError
from ardea.llm import hooks, structured
from ardea.llm.adapters import Adapter, adapter_for
from ardea.llm.adapters.base import ChatParams, ParsedChat, ParsedEmbeddings, StructuredMode
from ardea.llm.attempts import Attempts, Exchange
from ardea.llm.credentials import ProviderConfig, Secret, resolve_config
from ardea.llm.errors import (
    ProviderError,
    StructuredOutputError,
    mask,
)
from ardea.llm.limiter import AdaptiveLimiter, limiter_for
from ardea.llm.retry import Deadline, RetryPolicy
from ardea.llm.types import ChatResult, Cost, EmbedResult, Messages, Usage, normalize_messages
from ardea.llm.uri import ModelRef, parse_model_uri

if TYPE_CHECKING:
    from ardea.llm.streaming.core import StreamCore
    from ardea.llm.streaming.stream import (
        AsyncChatStream,
        AsyncRawChatStream,
        ChatStream,
        RawChatStream,
    )

__all__ = ["DEFAULT_TIMEOUT", "LLMClient", "StructuredOutput", "get_client"]

DEFAULT_TIMEOUT = 120.0
"""Seconds a call may take, all attempts included, unless ``timeout=`` says otherwise."""

StructuredOutput = Literal["auto", "native", "prompt"]
"""How to enforce ``response_schema``: the provider's way (``auto``/``native``), or the prompt."""

_UNSET: Any = object()
_CHAT_KEYWORDS = frozenset(
    {
        "response_schema",
        "schema_name",
        "temperature",
        "max_tokens",
        "tools",
        "tool_choice",
        "stop",
        "extra_body",
    }
)


async def _within(awaitable: Any, seconds: float | None) -> Any:
    """``await awaitable``, raising ``asyncio.TimeoutError`` after ``seconds``.

    ``asyncio.timeout`` (3.11+) where there is one: ``wait_for`` runs the request in a task
    of its own, a measurable cost per judge call.
    """
    timeout = getattr(asyncio, "timeout", None)
    if timeout is None or seconds is None:
        return await asyncio.wait_for(awaitable, seconds)
    async with timeout(seconds):
        return await awaitable


class LLMClient:
    """A client of one model on one provider (see :func:`get_client`).

    Clients of the same provider config share their connection pool and their rate limiter,
    so making many is cheap. Thread-safe; usable from any event loop.

    Args:
        ref: The parsed model URI.
        config: The resolved provider config.
        timeout: Default deadline of a call, in seconds (``None``: none).
        retry: Retry policy (default :class:`~ardea.llm.retry.RetryPolicy`).
        max_concurrency: Calls in flight for this provider config at most.
        structured_output: How ``response_schema`` is enforced (see :data:`StructuredOutput`).
        adapter: The wire adapter (default: the config's).
    """

    def __init__(
        self,
        ref: ModelRef,
        config: ProviderConfig,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        max_concurrency: int | None = None,
        structured_output: StructuredOutput = "auto",
        adapter: Adapter | None = None,
    ) -> None:
        if structured_output not in ("auto", "native", "prompt"):
            raise InvalidArgumentError("structured_output must be 'auto', 'native' or 'prompt'")
        self.ref = ref
        self.config = config
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.structured_output = structured_output
        self.adapter = adapter or adapter_for(config.wire, config.provider)
        self.limiter: AdaptiveLimiter = limiter_for(config.fingerprint(), max_concurrency)

    @property
    def model(self) -> str:
        """The model id (Azure: deployment; gateway: endpoint)."""
        return self.ref.model

    @property
    def provider(self) -> str:
        """The canonical provider name."""
        return self.config.provider

    @property
    def uri(self) -> str:
        """The model URI, canonically spelled."""
        return f"{self.config.provider}:/{self.ref.model}"

    def __repr__(self) -> str:
        return f"LLMClient({self.uri!r}, base_url={self.config.base_url!r})"

    # ------------------------------------------------------------------ plumbing

    def _pool_size(self) -> int:
        return self.limiter.max_concurrency

    def _sync_exchange(self, build: Any, deadline: Deadline) -> Exchange:
        import httpx

        from ardea.llm.transport import sync_pool

        state = Attempts(self, deadline)
        pool = sync_pool(self.config.fingerprint(), self._pool_size())
        while True:
            state.before()
            self.limiter.acquire(deadline)
            try:
                request = build()
                try:
                    response = pool.request(
                        request.method,
                        request.url,
                        headers=request.headers,
                        content=request.body,
                        timeout=state.http_timeout(),
                    )
                except httpx.TransportError as exc:
                    delay = state.on_transport_error(exc)
                else:
                    exchange, delay = state.on_response(
                        response.status_code, response.headers, response.content
                    )
                    if exchange is not None:
                        return exchange
            finally:
                self.limiter.release()
            time.sleep(delay)

    async def _async_exchange(self, build: Any, deadline: Deadline) -> Exchange:
        import httpx

        from ardea.llm.transport import lean_pool

        state = Attempts(self, deadline)
        pool: Any = None
        while True:
            state.before()
            await self.limiter.aacquire(deadline)
            try:
                request = build()
                if pool is None:
                    pool = lean_pool(self.config.fingerprint(), self._pool_size(), request.url)
                try:
                    response = await _within(
                        pool.request(
                            request.method,
                            request.url,
                            headers=request.headers,
                            content=request.body,
                            timeout=state.http_timeout(),
                        ),
                        state.http_timeout(),
                    )
                except asyncio.TimeoutError as exc:
                    state.last = exc
                    raise state.timeout() from None
                except httpx.TransportError as exc:
                    delay = state.on_transport_error(exc)
                else:
                    exchange, delay = state.on_response(
                        response.status_code, response.headers, response.content
                    )
                    if exchange is not None:
                        return exchange
            finally:
                self.limiter.release()
            await asyncio.sleep(delay)

    def _parse(self, parse: Any, exchange: Exchange, *args: Any) -> Any:
        try:
            return parse(exchange.body, *args)
        except (AttributeError, KeyError, IndexError, TypeError, ValueError) as exc:
            raise ProviderError(
                f"{self.uri}: unexpected answer shape ({type(exc).__name__})",
                status=200,
                body=mask(str(exchange.body)[:500], self.config.secrets()),
                provider=self.provider,
                request_id=exchange.request_id,
            ) from None

    def _cost(self, model: str, usage: Usage) -> Cost | None:
        if self.config.price_provider == "":
            return None
        from ardea.llm.pricing import compute_cost

        try:
            found = compute_cost(
                model,
                usage.input_tokens,
                usage.output_tokens,
                cached_input_tokens=usage.cached_input_tokens,
                provider=self.config.price_provider,
                cache_write_input_tokens=usage.cache_write_input_tokens,
            )
        except InvalidArgumentError:
            return None
        return Cost(**found) if found else None

    # ------------------------------------------------------------------ chat

    def _plan(
        self,
        messages: Messages,
        response_schema: Mapping[str, Any] | None,
        schema_name: str,
        temperature: float | None,
        max_tokens: int | None,
        tools: Sequence[Mapping[str, Any]] | None,
        tool_choice: Any,
        stop: str | Sequence[str] | None,
        extra_body: Mapping[str, Any] | None,
    ) -> tuple[ChatParams, StructuredMode | None]:
        self.config.require()
        msgs = normalize_messages(messages)
        if temperature is not None and not isinstance(temperature, (int, float)):
            raise InvalidArgumentError("temperature must be a number")
        if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
            raise InvalidArgumentError("max_tokens must be a positive integer")
        schema = structured.own_copy(response_schema) if response_schema is not None else None
        mode: StructuredMode | None = None
        if schema is not None:
            structured.check_schema(schema)
            mode = (
                "prompt"
                if self.structured_output == "prompt"
                else self.adapter.structured_mode(self.model)
            )
            if mode == "prompt":
                msgs = [{"role": "system", "content": structured.instruction(schema)}, *msgs]
        params = ChatParams(
            model=self.model,
            messages=msgs,
            temperature=temperature,
            max_tokens=max_tokens,
            tools=[dict(t) for t in tools] if tools else None,
            tool_choice=tool_choice,
            stop=[stop] if isinstance(stop, str) else list(stop) if stop else None,
            response_schema=schema if mode in ("native", "tool") else None,
            schema_name=schema_name,
            structured=mode,
            extra_body=extra_body,
        )
        return params, mode

    def _chat_steps(
        self, params: ChatParams, schema: dict[str, Any] | None, deadline: Deadline
    ) -> Generator[ChatParams, Exchange, ChatResult]:
        exchange = yield params
        reply: ParsedChat = self._parse(self.adapter.parse_chat, exchange, params)
        usage, attempts = reply.usage, exchange.attempts
        parsed: Any = None
        if schema is not None:
            parsed, errors = structured.check(reply.text, reply.parsed, reply.has_parsed, schema)
            if errors:
                repair = replace(
                    params,
                    messages=[
                        *params.messages,
                        {"role": "assistant", "content": reply.text},
                        {"role": "user", "content": structured.repair_message(errors)},
                    ],
                )
                exchange = yield repair
                reply = self._parse(self.adapter.parse_chat, exchange, repair)
                usage, attempts = usage + reply.usage, attempts + exchange.attempts
                parsed, errors = structured.check(
                    reply.text, reply.parsed, reply.has_parsed, schema
                )
                if errors:
                    raise StructuredOutputError(
                        f"{self.uri}: the reply does not match response_schema after one "
                        f"repair: {'; '.join(errors[:3])}",
                        text=reply.text,
                        errors=errors,
                        provider=self.provider,
                    )
        model = reply.model or self.model
        return ChatResult(
            text=reply.text,
            parsed=parsed,
            finish_reason=reply.finish_reason,
            tool_calls=reply.tool_calls,
            usage=usage,
            cost=self._cost(model, usage),
            model=model,
            provider=self.provider,
            latency_s=deadline.elapsed(),
            attempts=attempts,
            request_id=exchange.request_id or reply.response_id,
            raw=exchange.body,
        )

    def _info(self, operation: str, inputs: dict[str, Any]) -> hooks.CallInfo:
        return hooks.CallInfo(operation, self.provider, self.model, inputs)

    def _chat_inputs(self, params: ChatParams, schema: Any) -> dict[str, Any]:
        inputs: dict[str, Any] = {"messages": params.messages, "model": self.model}
        for key in ("temperature", "max_tokens", "tools", "tool_choice", "stop"):
            value = getattr(params, key)
            if value is not None:
                inputs[key] = value
        if schema is not None:
            inputs["response_schema"] = schema
        return inputs

    def chat(
        self,
        messages: Messages,
        *,
        response_schema: Mapping[str, Any] | None = None,
        schema_name: str = "response",
        temperature: float | None = None,
        max_tokens: int | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: Any = None,
        stop: str | Sequence[str] | None = None,
        timeout: float | None = _UNSET,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ChatResult:
        """One chat completion.

        Args:
            messages: A user text, or OpenAI-shaped messages (see :mod:`ardea.llm.types`).
            response_schema: A JSON schema the answer must match; the value is in
                :attr:`ChatResult.parsed`.
            schema_name: Name given to the schema (OpenAI ``json_schema.name``, the forced
                tool's name).
            temperature: Sampling temperature.
            max_tokens: Output token cap.
            tools: OpenAI function tools.
            tool_choice: OpenAI ``tool_choice``.
            stop: Stop sequence(s).
            timeout: Seconds for the whole call, retries and waits included (default: the
                client's); ``None`` for no deadline.
            extra_body: Provider-specific request fields, merged last.

        Returns:
            The :class:`~ardea.llm.types.ChatResult`.

        Raises:
            ConfigurationError: No key, base URL or region (nothing was sent).
            RateLimited: 429 and no retry fitted in the deadline.
            AuthenticationError: 401/403.
            ProviderError: Another error status.
            ProviderUnavailable: Connection failures until the retries ran out.
            Timeout: The deadline passed.
            StructuredOutputError: No valid JSON value after one repair.
        """
        params, _mode = self._plan(
            messages,
            response_schema,
            schema_name,
            temperature,
            max_tokens,
            tools,
            tool_choice,
            stop,
            extra_body,
        )
        schema = structured.own_copy(response_schema) if response_schema is not None else None
        deadline = Deadline(self.timeout if timeout is _UNSET else timeout)
        ends = hooks.started(self._info("chat", self._chat_inputs(params, schema)))
        try:
            steps = self._chat_steps(params, schema, deadline)
            step = next(steps)
            while True:
                exchange = self._sync_exchange(
                    lambda p=step: self.adapter.chat_request(self.config, p), deadline
                )
                step = steps.send(exchange)
        except StopIteration as done:
            result: ChatResult = done.value
        except BaseException as exc:
            hooks.ended(ends, None, exc)
            raise
        hooks.ended(ends, result, None)
        return result

    async def achat(
        self,
        messages: Messages,
        *,
        response_schema: Mapping[str, Any] | None = None,
        schema_name: str = "response",
        temperature: float | None = None,
        max_tokens: int | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: Any = None,
        stop: str | Sequence[str] | None = None,
        timeout: float | None = _UNSET,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ChatResult:
        """:meth:`chat` for coroutines (same arguments, result and errors)."""
        params, _mode = self._plan(
            messages,
            response_schema,
            schema_name,
            temperature,
            max_tokens,
            tools,
            tool_choice,
            stop,
            extra_body,
        )
        schema = structured.own_copy(response_schema) if response_schema is not None else None
        deadline = Deadline(self.timeout if timeout is _UNSET else timeout)
        ends = hooks.started(self._info("chat", self._chat_inputs(params, schema)))
        try:
            steps = self._chat_steps(params, schema, deadline)
            step = next(steps)
            while True:
                exchange = await self._async_exchange(
                    lambda p=step: self.adapter.chat_request(self.config, p), deadline
                )
                step = steps.send(exchange)
        except StopIteration as done:
            result: ChatResult = done.value
        except BaseException as exc:
            hooks.ended(ends, None, exc)
            raise
        hooks.ended(ends, result, None)
        return result

    # ------------------------------------------------------------------ streaming

    def _stream_core(
        self,
        messages: Messages,
        kw: dict[str, Any],
        timeout: float | None,
        idle_timeout: float | None,
    ) -> StreamCore:
        from ardea.llm.streaming.core import StreamCore

        unknown = sorted(set(kw) - _CHAT_KEYWORDS)
        if unknown:
            raise TypeError(f"stream() got unexpected keyword argument(s): {', '.join(unknown)}")
        if idle_timeout is not None and (
            not isinstance(idle_timeout, (int, float)) or idle_timeout <= 0
        ):
            raise InvalidArgumentError("idle_timeout must be a positive number of seconds")
        schema = kw.get("response_schema")
        params, _mode = self._plan(
            messages,
            schema,
            kw.get("schema_name", "response"),
            kw.get("temperature"),
            kw.get("max_tokens"),
            kw.get("tools"),
            kw.get("tool_choice"),
            kw.get("stop"),
            kw.get("extra_body"),
        )
        params = replace(params, stream=True)
        deadline = Deadline(self.timeout if timeout is _UNSET else timeout)
        inputs = self._chat_inputs(params, dict(schema) if schema is not None else None)
        inputs["stream"] = True
        ends = hooks.started(self._info("chat", inputs))
        return StreamCore(self, params, deadline, idle_timeout, ends)

    def stream(
        self,
        messages: Messages,
        *,
        timeout: float | None = _UNSET,
        idle_timeout: float | None = None,
        **kw: Any,
    ) -> ChatStream:
        """A streamed chat completion: iterate it for :class:`~ardea.llm.ChatChunk`.

        Takes :meth:`chat`'s arguments (``response_schema`` is asked of the provider; the
        JSON value is in ``result.parsed``, without the repair turn :meth:`chat` makes) and
        ``idle_timeout``: seconds allowed between two reads of the body (default: no limit
        but the deadline). ``timeout`` is the one deadline of the whole stream.

        The request is sent and the answer read up to its first chunk before this returns;
        until then errors are retried as :meth:`chat`'s are, and raised from here. After it,
        an error ends the iteration with :class:`~ardea.llm.errors.StreamError` (or
        :class:`~ardea.llm.errors.Timeout`). Close the stream (``with client.stream(...) as
        s:``) when you may stop early: it holds one of the provider's concurrency slots.
        ``stream.result`` (a :class:`~ardea.llm.types.StreamResult`: text, tool calls,
        usage, cost) is set once the stream ended.

        Raises:
            LLMError: As :meth:`chat`, before the first chunk.
        """
        from ardea.llm.streaming.stream import ChatStream, open_stream

        core = self._stream_core(messages, kw, timeout, idle_timeout)
        try:
            opened = open_stream(self, core, raw=False)
        except BaseException as exc:
            core.fail_open(exc)
            raise
        assert isinstance(opened, ChatStream)
        return opened

    def stream_raw(
        self,
        messages: Messages,
        *,
        timeout: float | None = _UNSET,
        idle_timeout: float | None = None,
        **kw: Any,
    ) -> RawChatStream:
        """:meth:`stream`, yielding the provider's bytes as they arrive (for a proxy).

        The bytes are the provider's body unchanged (SSE, or AWS's event stream for
        Bedrock); ``media_type`` and ``headers`` are the provider's. They are parsed on the
        side, so ``result`` has the usage and cost once the stream ended.
        """
        from ardea.llm.streaming.stream import RawChatStream, open_stream

        core = self._stream_core(messages, kw, timeout, idle_timeout)
        try:
            opened = open_stream(self, core, raw=True)
        except BaseException as exc:
            core.fail_open(exc)
            raise
        assert isinstance(opened, RawChatStream)
        return opened

    async def astream(
        self,
        messages: Messages,
        *,
        timeout: float | None = _UNSET,
        idle_timeout: float | None = None,
        **kw: Any,
    ) -> AsyncChatStream:
        """:meth:`stream` for coroutines: ``async for chunk in await client.astream(...)``."""
        from ardea.llm.streaming.stream import AsyncChatStream, aopen_stream

        core = self._stream_core(messages, kw, timeout, idle_timeout)
        try:
            opened = await aopen_stream(self, core, raw=False)
        except BaseException as exc:
            core.fail_open(exc)
            raise
        assert isinstance(opened, AsyncChatStream)
        return opened

    async def astream_raw(
        self,
        messages: Messages,
        *,
        timeout: float | None = _UNSET,
        idle_timeout: float | None = None,
        **kw: Any,
    ) -> AsyncRawChatStream:
        """:meth:`stream_raw` for coroutines."""
        from ardea.llm.streaming.stream import AsyncRawChatStream, aopen_stream

        core = self._stream_core(messages, kw, timeout, idle_timeout)
        try:
            opened = await aopen_stream(self, core, raw=True)
        except BaseException as exc:
            core.fail_open(exc)
            raise
        assert isinstance(opened, AsyncRawChatStream)
        return opened

    # ------------------------------------------------------------------ embeddings

    def _batches(self, texts: Sequence[str]) -> list[list[str]]:
        self.config.require()
        if isinstance(texts, str) or not isinstance(texts, Sequence):
            raise InvalidArgumentError("texts must be a list of strings")
        if not all(isinstance(t, str) for t in texts):
            raise InvalidArgumentError("texts must be a list of strings")
        size = self.adapter.batch_size(self.model)
        if size <= 0:
            self.adapter.embed_request(self.config, self.model, list(texts))  # raises
        items = list(texts)
        return [items[i : i + size] for i in range(0, len(items), size)]

    def _embed_result(
        self, parts: list[tuple[ParsedEmbeddings, Exchange]], deadline: Deadline
    ) -> EmbedResult:
        vectors: list[list[float]] = []
        usage = Usage()
        attempts = 0
        model = self.model
        for parsed, exchange in parts:
            vectors.extend(parsed.vectors)
            usage = usage + parsed.usage
            attempts += exchange.attempts
            model = parsed.model or model
        request_id = parts[-1][1].request_id if parts else None
        return EmbedResult(
            vectors=vectors,
            usage=usage,
            cost=self._cost(model, usage),
            model=model,
            provider=self.provider,
            latency_s=deadline.elapsed(),
            attempts=attempts,
            request_id=request_id,
        )

    def embed(self, texts: Sequence[str], *, timeout: float | None = _UNSET) -> EmbedResult:
        """Embed ``texts`` (batched as the provider allows; one deadline for all batches).

        Raises:
            NotImplementedFeatureError: The provider has no embeddings API (Anthropic).
            LLMError: As :meth:`chat`.
        """
        batches = self._batches(texts)
        deadline = Deadline(self.timeout if timeout is _UNSET else timeout)
        ends = hooks.started(self._info("embeddings", {"input": list(texts), "model": self.model}))
        try:
            parts = []
            for batch in batches:
                exchange = self._sync_exchange(
                    lambda b=batch: self.adapter.embed_request(self.config, self.model, b), deadline
                )
                parts.append(
                    (self._parse(self.adapter.parse_embeddings, exchange, self.model), exchange)
                )
            result = self._embed_result(parts, deadline)
        except BaseException as exc:
            hooks.ended(ends, None, exc)
            raise
        hooks.ended(ends, result, None)
        return result

    async def aembed(self, texts: Sequence[str], *, timeout: float | None = _UNSET) -> EmbedResult:
        """:meth:`embed` for coroutines."""
        batches = self._batches(texts)
        deadline = Deadline(self.timeout if timeout is _UNSET else timeout)
        ends = hooks.started(self._info("embeddings", {"input": list(texts), "model": self.model}))
        try:
            parts = []
            for batch in batches:
                exchange = await self._async_exchange(
                    lambda b=batch: self.adapter.embed_request(self.config, self.model, b), deadline
                )
                parts.append(
                    (self._parse(self.adapter.parse_embeddings, exchange, self.model), exchange)
                )
            result = self._embed_result(parts, deadline)
        except BaseException as exc:
            hooks.ended(ends, None, exc)
            raise
        hooks.ended(ends, result, None)
        return result


def get_client(
    model_uri: str,
    base_url: str | None = None,
    extra_headers: Mapping[str, str] | None = None,
    *,
    api_key: str | Secret | None = None,
    api_version: str | None = None,
    region: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_retries: int = 5,
    max_concurrency: int | None = None,
    structured_output: StructuredOutput = "auto",
    retry: RetryPolicy | None = None,
) -> LLMClient:
    """A client for ``model_uri`` (``openai:/gpt-4.1-mini``, ``anthropic:/claude-...``, ...).

    Building a client sends nothing and never fails for want of a key: a missing key,
    base URL or region is raised (as :class:`~ardea.llm.errors.ConfigurationError`) by the
    first call.

    Args:
        model_uri: ``<provider>:/<model>`` (see :mod:`ardea.llm.uri` for the providers).
        base_url: Overrides the provider's base URL (OpenAI-style: up to ``/v1``).
        extra_headers: Headers sent with every request (values are treated as secrets).
        api_key: Overrides the key from the environment or the credentials file.
        api_version: Azure OpenAI ``api-version``.
        region: AWS region (Bedrock).
        timeout: Default deadline of each call in seconds, all attempts included.
        max_retries: Retries after the first attempt (``retry=`` overrides).
        max_concurrency: Calls in flight at most for this provider config (shared by every
            client of it; default 64); 429s lower it adaptively.
        structured_output: ``auto`` (the provider's schema support, else the prompt) or
            ``prompt`` (always the prompt plus validation).
        retry: A full :class:`~ardea.llm.retry.RetryPolicy`.

    Raises:
        InvalidArgumentError: A malformed URI or an unknown provider.
    """
    ref = parse_model_uri(model_uri)
    config = resolve_config(
        ref,
        base_url=base_url,
        api_key=api_key,
        extra_headers=extra_headers,
        api_version=api_version,
        region=region,
    )
    if max_retries < 0:
        raise InvalidArgumentError("max_retries must be >= 0")
    return LLMClient(
        ref,
        config,
        timeout=timeout,
        retry=retry or RetryPolicy(max_attempts=max_retries + 1),
        max_concurrency=max_concurrency,
        structured_output=structured_output,
    )
