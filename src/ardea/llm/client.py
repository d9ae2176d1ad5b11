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
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from ardea._core.errors import InvalidArgumentError
from ardea.llm import hooks, structured
from ardea.llm.adapters import Adapter, adapter_for
from ardea.llm.adapters.base import ChatParams, ParsedChat, ParsedEmbeddings, StructuredMode
from ardea.llm.credentials import ProviderConfig, Secret, resolve_config
from ardea.llm.errors import (
    AuthenticationError,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    StructuredOutputError,
    Timeout,
    mask,
)
from ardea.llm.limiter import AdaptiveLimiter, limiter_for
from ardea.llm.retry import RETRYABLE_STATUSES, Deadline, RetryPolicy, parse_retry_after
from ardea.llm.types import ChatResult, Cost, EmbedResult, Messages, Usage, normalize_messages
from ardea.llm.uri import ModelRef, parse_model_uri

if TYPE_CHECKING:
    pass

__all__ = ["DEFAULT_TIMEOUT", "LLMClient", "StructuredOutput", "get_client"]

DEFAULT_TIMEOUT = 120.0
"""Seconds a call may take, all attempts included, unless ``timeout=`` says otherwise."""

StructuredOutput = Literal["auto", "native", "prompt"]
"""How to enforce ``response_schema``: the provider's way (``auto``/``native``), or the prompt."""

_REQUEST_ID_HEADERS = (
    "x-request-id",
    "request-id",
    "x-amzn-requestid",
    "apim-request-id",
    "x-goog-request-id",
)
_UNSET: Any = object()


def _loads(content: bytes) -> Any:
    """JSON of an answer (orjson; the stdlib's parser for what orjson refuses, e.g. NaN)."""
    import orjson

    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        import json

        return json.loads(content)


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


@dataclass
class _Exchange:
    body: Any
    request_id: str | None
    attempts: int


class _Attempts:
    """The retry state of one HTTP exchange (shared by the sync and async loops)."""

    def __init__(self, client: LLMClient, deadline: Deadline) -> None:
        self.client = client
        self.deadline = deadline
        self.count = 0
        self.last: BaseException | None = None

    def before(self) -> None:
        if self.deadline.expired:
            raise self.timeout()
        self.count += 1

    def http_timeout(self) -> float | None:
        left = self.deadline.remaining()
        return None if left == float("inf") else max(0.001, left)

    def timeout(self) -> Timeout:
        seconds = self.deadline.seconds
        what = f" (last error: {type(self.last).__name__})" if self.last else ""
        err = Timeout(
            f"{self.client.uri}: no answer within the call's deadline of {seconds}s "
            f"after {self.count} attempt(s){what}",
            provider=self.client.provider,
        )
        err.__cause__ = self.last
        return err

    def _retry_in(self, error: BaseException, retry_after: float | None = None) -> float:
        """Seconds before the next attempt; raises ``error`` when none fits."""
        self.last = error
        policy = self.client.retry
        if self.count >= policy.max_attempts:
            raise error
        delay = max(policy.backoff(self.count), retry_after or 0.0)
        if delay >= self.deadline.remaining():
            raise error
        return delay

    def on_transport_error(self, exc: Exception) -> float:
        import httpx

        if isinstance(exc, httpx.TimeoutException):
            self.last = exc
            raise self.timeout() from exc
        error = ProviderUnavailable(
            f"{self.client.uri}: cannot reach {self.client.config.base_url} ({type(exc).__name__})",
            provider=self.client.provider,
        )
        return self._retry_in(error)

    def on_response(
        self, status: int, headers: Mapping[str, str], content: bytes
    ) -> tuple[_Exchange | None, float]:
        """``(exchange, 0)`` on success, ``(None, delay)`` to retry; raises to give up."""
        client = self.client
        request_id = next((headers[h] for h in _REQUEST_ID_HEADERS if h in headers), None)
        if 200 <= status < 300:
            try:
                body = _loads(content)
                if not isinstance(body, dict):
                    raise ValueError("not an object")
            except ValueError:
                error = ProviderError(
                    f"{client.uri}: the provider's answer is not a JSON object",
                    status=status,
                    body=self._excerpt(content),
                    provider=client.provider,
                    request_id=request_id,
                )
                return None, self._retry_in(error)
            client.limiter.on_success()
            return _Exchange(body, request_id, self.count), 0.0
        excerpt = self._excerpt(content)
        retry_after = parse_retry_after(headers)
        kw: dict[str, Any] = {
            "status": status,
            "body": excerpt,
            "provider": client.provider,
            "request_id": request_id,
        }
        if status == 429:
            client.limiter.on_rate_limited(retry_after)
            return None, self._retry_in(
                RateLimited(f"{client.uri}: rate limited", retry_after=retry_after, **kw),
                retry_after,
            )
        if status in (401, 403):
            raise AuthenticationError(f"{client.uri}: the provider refused the credentials", **kw)
        if status in RETRYABLE_STATUSES:
            return None, self._retry_in(
                ProviderError(f"{client.uri}: provider error", **kw), retry_after
            )
        raise ProviderError(f"{client.uri}: the provider rejected the request", **kw)

    def _excerpt(self, content: bytes) -> str:
        text = content[:2000].decode("utf-8", errors="replace")
        return mask(text, self.client.config.secrets())


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

    def _sync_exchange(self, build: Any, deadline: Deadline) -> _Exchange:
        import httpx

        from ardea.llm.transport import sync_pool

        state = _Attempts(self, deadline)
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

    async def _async_exchange(self, build: Any, deadline: Deadline) -> _Exchange:
        import httpx

        from ardea.llm.transport import lean_pool

        state = _Attempts(self, deadline)
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

    def _parse(self, parse: Any, exchange: _Exchange, *args: Any) -> Any:
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
        schema = dict(response_schema) if response_schema is not None else None
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
    ) -> Generator[ChatParams, _Exchange, ChatResult]:
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
        schema = dict(response_schema) if response_schema is not None else None
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
        schema = dict(response_schema) if response_schema is not None else None
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
        self, parts: list[tuple[ParsedEmbeddings, _Exchange]], deadline: Deadline
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
