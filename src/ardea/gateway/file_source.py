"""The config-file :class:`~ardea.gateway.config.GatewaySource` (``ardea gateway --config``).

:class:`FileGatewaySource` reads a YAML file in MLflow's legacy gateway schema
(``MLFLOW-WIRE.md`` 12.1) or in Ardea's richer form, and validates all of it at load: a
mistake is a :class:`GatewayConfigError` naming the file, the line, the field and what was
expected (every mistake found, not only the first).

MLflow's form::

    endpoints:
      - name: chat
        endpoint_type: llm/v1/chat
        model:
          provider: openai
          name: gpt-4o-mini
          config:
            openai_api_key: $OPENAI_API_KEY
        limit: {renewal_period: minute, calls: 60}
    routes:                      # a traffic split over endpoints
      - name: ab
        task_type: llm/v1/chat
        destinations:
          - {name: chat, traffic_percentage: 80}
          - {name: chat-b, traffic_percentage: 20}

Ardea's form (either may be used per endpoint)::

    endpoints:
      - name: chat
        models:                  # PRIMARY targets, split by weight
          - {provider: openai, name: gpt-4.1-mini, weight: 3, config: {api_key: $OPENAI_API_KEY}}
          - {provider: anthropic, name: claude-sonnet-4-5, config: {api_key: $ANTHROPIC_API_KEY}}
        fallback:
          max_attempts: 3
          on: [error, timeout, rate_limit]
          models: [{provider: mistral, name: mistral-small, config: {api_key: $MISTRAL_API_KEY}}]
        timeout_s: 30
        retry: {retries: 2, backoff_s: 0.2, max_backoff_s: 5, on: [error, rate_limit]}
        allow_model_override: true
        cache: {ttl_s: 300}
        limits: [{scope: key, requests_per_minute: 60, tokens_per_minute: 100000}]
        guardrails:              # in order; BEFORE the call, or AFTER it (non-streamed)
          - name: no-pii
            stage: BEFORE        # BEFORE (default) or AFTER
            action: SANITIZATION # VALIDATION (block, 400) or SANITIZATION (redact)
            pii: [email, credit_card]           # built-in detectors
            patterns: {ticket: "TICKET-[0-9]+"}  # name -> regular expression
        experiment_id: "1"
        usage_tracking: true
        tags: {team: search}
        workspace: default

Credentials: a ``config`` key that names a credential (``*api_key``, ``*secret*``,
``*token*``, ``*password*``) must be an environment reference (``$VAR`` or ``${VAR}``); a
literal is refused, so a config file can be committed without its keys. References are
resolved at load (a variable that is not set is an error) and kept in memory only.
MLflow's provider-prefixed keys are normalized: ``openai_api_key`` -> ``api_key``,
``openai_api_base`` -> the base URL, ``openai_api_version`` -> option ``api_version``.
A base URL on a loopback or private address is refused unless
``ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS=1`` (the SSRF guard).

:meth:`FileGatewaySource.reload` reads the file again (``generation`` moves if anything
changed); a bad file leaves the loaded configuration in place.
"""

from __future__ import annotations

import math
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.gateway.config import (
    NO_RETRY,
    Endpoint,
    EndpointType,
    FallbackPolicy,
    LimitScope,
    ModelTarget,
    RateLimit,
    RetryPolicy,
)
from ardea.gateway.limits.guardrails import PII_PATTERNS, Guardrail, PatternCheck
from ardea.gateway.limits.patterns import compile_pattern

__all__ = ["FileGatewaySource", "GatewayConfigError", "parse_config", "parse_config_guardrails"]

_ENDPOINT_TYPES = ("llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}")
_ENV_REF = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_SECRET_KEY = re.compile(r"(api_key|secret|token|password|access_key)", re.IGNORECASE)
_BASE_KEYS = ("api_base", "base_url")
_LIMIT_SCOPES = ("key", "user", "endpoint", "workspace")
_FALLBACK_ON = ("error", "timeout", "rate_limit")
_ENDPOINT_KEYS = {
    "name",
    "endpoint_type",
    "model",
    "models",
    "limit",
    "limits",
    "guardrails",
    "fallback",
    "timeout_s",
    "retry",
    "allow_model_override",
    "cache",
    "experiment_id",
    "usage_tracking",
    "tags",
    "workspace",
}
_MODEL_KEYS = {"provider", "name", "config", "weight", "base_url"}
_GUARDRAIL_KEYS = {"name", "stage", "action", "pii", "patterns"}
_PREFIXES = ("openai_", "anthropic_", "mistral_", "cohere_", "gemini_", "azure_", "togetherai_")


class GatewayConfigError(InvalidArgumentError):
    """A config file that does not validate; the message lists every problem."""


@dataclass
class _Problems:
    path: str
    lines: dict[tuple[Any, ...], int]
    found: list[str] = field(default_factory=list)

    def add(self, where: tuple[Any, ...], message: str) -> None:
        line = None
        for cut in range(len(where), -1, -1):
            line = self.lines.get(where[:cut])
            if line is not None:
                break
        dotted = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in where)
        dotted = dotted.replace(".[", "[")
        self.found.append(f"{self.path}:{line or 1}: {dotted or '(top)'}: {message}")


def _compose(text: str, path: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """The YAML document as Python values, and the line of each value by its path."""
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise GatewayConfigError(f"{path}:{line}: not valid YAML: {exc}") from None
    lines: dict[tuple[Any, ...], int] = {}
    loader = yaml.SafeLoader("")  # constructs scalars (ints, floats, booleans) as YAML reads them

    def walk(node: Any, where: tuple[Any, ...]) -> Any:
        lines[where] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out = {}
            for key_node, value_node in node.value:
                out[key_node.value] = walk(value_node, (*where, key_node.value))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [walk(item, (*where, i)) for i, item in enumerate(node.value)]
        return loader.construct_object(node, deep=True)

    try:
        return (walk(root, ()) if root is not None else None), lines
    finally:
        loader.dispose()


@dataclass
class _Parsed:
    endpoints: list[Endpoint]
    credentials: dict[str, dict[str, str]]


class _Parser:
    def __init__(self, problems: _Problems, env: Mapping[str, str]) -> None:
        self.p = problems
        self.env = env
        self.credentials: dict[str, dict[str, str]] = {}
        self.guardrails: dict[str, Guardrail] = {}

    def _env(self, value: str, where: tuple[Any, ...]) -> str | None:
        missing: list[str] = []

        def sub(m: re.Match[str]) -> str:
            var = m.group(1) or m.group(2)
            found = self.env.get(var)
            if found is None:
                missing.append(var)
                return ""
            return found

        out = _ENV_REF.sub(sub, value)
        if missing:
            self.p.add(where, f"environment variable {', '.join(missing)} is not set")
            return None
        return out

    def target(self, raw: Any, where: tuple[Any, ...], secret_ref: str) -> ModelTarget | None:
        if not isinstance(raw, dict):
            self.p.add(where, "expected a map with provider, name and config")
            return None
        for key in sorted(set(raw) - _MODEL_KEYS):
            self.p.add(
                (*where, key), f"unknown key; expected one of {', '.join(sorted(_MODEL_KEYS))}"
            )
        provider, name = raw.get("provider"), raw.get("name")
        if not isinstance(provider, str) or not provider:
            self.p.add((*where, "provider"), "expected a provider name (openai, anthropic, ...)")
        if not isinstance(name, str) or not name:
            self.p.add((*where, "name"), "expected the provider's model name")
        weight = raw.get("weight", 1.0)
        if (
            isinstance(weight, bool)
            or not isinstance(weight, (int, float))
            or not (math.isfinite(weight) and weight > 0)
        ):
            self.p.add((*where, "weight"), f"expected a positive number, not {weight!r}")
            weight = 1.0
        config = raw.get("config") or {}
        if not isinstance(config, dict):
            self.p.add((*where, "config"), "expected a map of provider settings")
            config = {}
        credentials, options, base_url = self._config(config, where, raw.get("base_url"))
        if base_url is not None:
            base_url = self._url(base_url, (*where, "base_url"))
        if not isinstance(provider, str) or not isinstance(name, str) or not provider or not name:
            return None
        from ardea.llm.uri import provider_spec

        spec = provider_spec(provider)
        self.credentials[secret_ref] = credentials
        return ModelTarget(
            definition_id=secret_ref,
            name=name,
            provider=spec.name if spec is not None else provider,
            model=name,
            secret_ref=secret_ref,
            base_url=base_url,
            options=options,
            weight=float(weight),
        )

    def _config(
        self, config: dict[str, Any], where: tuple[Any, ...], base_url: Any
    ) -> tuple[dict[str, str], dict[str, str], Any]:
        """Credentials (from ``$ENV`` only), options and the base URL of a model's config."""
        credentials: dict[str, str] = {}
        options: dict[str, str] = {}
        for key, value in config.items():
            at = (*where, "config", key)
            if not isinstance(value, (str, int, float, bool)):
                self.p.add(at, "expected a string, number or boolean")
                continue
            short = next((key[len(p) :] for p in _PREFIXES if key.startswith(p)), key)
            if _SECRET_KEY.search(key):
                if not isinstance(value, str) or not _ENV_REF.fullmatch(value.strip()):
                    self.p.add(
                        at,
                        "a credential must be an environment reference ($VAR or ${VAR}), "
                        "not a literal",
                    )
                    continue
                resolved = self._env(value.strip(), at)
                if resolved is not None:
                    credentials["api_key" if short.endswith("api_key") else short] = resolved
                continue
            text = str(value)
            found = self._env(text, at) if "$" in text else text
            if found is None:
                continue
            if short in _BASE_KEYS:
                base_url = found
            else:
                options[short] = found
        return credentials, options, base_url

    def _url(self, value: Any, where: tuple[Any, ...]) -> str | None:
        import urllib.parse

        from ardea._core.net.guard import check_upstream_url

        if not isinstance(value, str):
            self.p.add(where, "expected an http(s) URL")
            return None
        parsed = urllib.parse.urlsplit(value)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            self.p.add(where, f"expected an http(s) URL, not {value!r}")
            return None
        try:
            check_upstream_url(value)
        except InvalidArgumentError as exc:
            self.p.add(where, exc.message)
            return None
        return value

    def _positive(self, raw: Any, where: tuple[Any, ...]) -> float | None:
        if (
            isinstance(raw, bool)
            or not isinstance(raw, (int, float))
            or not (math.isfinite(raw) and raw > 0)
        ):
            self.p.add(where, f"expected a positive number, not {raw!r}")
            return None
        return float(raw)

    def _count(self, raw: Any, where: tuple[Any, ...]) -> int | None:
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
            self.p.add(where, f"expected a positive integer, not {raw!r}")
            return None
        return raw

    def limits(self, raw: dict[str, Any], where: tuple[Any, ...]) -> list[RateLimit]:
        out = []
        legacy = raw.get("limit")
        if legacy is not None:
            at = (*where, "limit")
            if not isinstance(legacy, dict):
                self.p.add(at, "expected a map with calls and renewal_period")
            else:
                if legacy.get("renewal_period", "minute") != "minute":
                    self.p.add(
                        (*at, "renewal_period"),
                        "only 'minute' is supported (use limits: with requests_per_minute)",
                    )
                calls = self._count(legacy.get("calls"), (*at, "calls"))
                if calls is not None:
                    scope: LimitScope = "key" if legacy.get("key") else "endpoint"
                    out.append(RateLimit(scope=scope, requests_per_minute=calls))
        items = raw.get("limits", [])
        if not isinstance(items, list):
            self.p.add((*where, "limits"), "expected a list")
            return out
        for i, item in enumerate(items):
            at = (*where, "limits", i)
            if not isinstance(item, dict):
                self.p.add(at, "expected a map with scope and requests/tokens per minute")
                continue
            given = item.get("scope")
            if given not in _LIMIT_SCOPES:
                self.p.add((*at, "scope"), f"expected one of {', '.join(_LIMIT_SCOPES)}")
                continue
            scope = given
            rpm = item.get("requests_per_minute")
            tpm = item.get("tokens_per_minute")
            if rpm is None and tpm is None:
                self.p.add(at, "expected requests_per_minute and/or tokens_per_minute")
                continue
            rpm = None if rpm is None else self._count(rpm, (*at, "requests_per_minute"))
            tpm = None if tpm is None else self._count(tpm, (*at, "tokens_per_minute"))
            out.append(RateLimit(scope=scope, requests_per_minute=rpm, tokens_per_minute=tpm))
        return out

    def guardrail_list(self, raw: Any, where: tuple[Any, ...], endpoint: str) -> list[str]:
        """The endpoint's ``guardrails:`` (kept in :attr:`guardrails`): their ids, in order."""
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.p.add(where, "expected a list of guardrails (name, stage, action, pii, patterns)")
            return []
        ids = []
        for j, item in enumerate(raw):
            found = self._guardrail(item, (*where, j), endpoint)
            if found is not None:
                if found.guardrail_id in self.guardrails:
                    self.p.add((*where, j, "name"), f"a second guardrail named {found.name!r}")
                    continue
                self.guardrails[found.guardrail_id] = found
                ids.append(found.guardrail_id)
        return ids

    def _guardrail(self, raw: Any, where: tuple[Any, ...], endpoint: str) -> Guardrail | None:
        if not isinstance(raw, dict):
            self.p.add(where, "expected a map with name, stage, action, pii and/or patterns")
            return None
        for key in sorted(set(raw) - _GUARDRAIL_KEYS):
            self.p.add(
                (*where, key), f"unknown key; expected one of {', '.join(sorted(_GUARDRAIL_KEYS))}"
            )
        name = raw.get("name")
        if not isinstance(name, str) or not name:
            self.p.add((*where, "name"), "expected the guardrail's name")
        stage = raw.get("stage", "BEFORE")
        if stage not in ("BEFORE", "AFTER"):
            self.p.add((*where, "stage"), "expected BEFORE or AFTER")
        action = raw.get("action", "VALIDATION")
        if action not in ("VALIDATION", "SANITIZATION"):
            self.p.add((*where, "action"), "expected VALIDATION (block) or SANITIZATION (redact)")
        pii = raw.get("pii", [])
        if not isinstance(pii, list) or any(n not in PII_PATTERNS for n in pii):
            self.p.add((*where, "pii"), f"expected a list of {', '.join(sorted(PII_PATTERNS))}")
            pii = []
        patterns = raw.get("patterns", {})
        if not isinstance(patterns, dict) or not all(isinstance(v, str) for v in patterns.values()):
            self.p.add((*where, "patterns"), "expected a map of name -> regular expression")
            patterns = {}
        for key, expr in patterns.items():
            try:
                compile_pattern(expr)
            except ValueError as exc:
                self.p.add((*where, "patterns", key), str(exc))
        if not pii and not patterns:
            self.p.add(where, "give pii (a list of detectors) and/or patterns (a map)")
            return None
        if not isinstance(name, str) or not name or stage not in ("BEFORE", "AFTER"):
            return None
        if action not in ("VALIDATION", "SANITIZATION"):
            return None
        check = PatternCheck({str(k): v for k, v in patterns.items()}, tuple(pii))
        return Guardrail(f"{endpoint}/{name}", name, stage, action, check)

    def endpoint(self, raw: Any, i: int) -> Endpoint | None:
        where: tuple[Any, ...] = ("endpoints", i)
        if not isinstance(raw, dict):
            self.p.add(where, "expected a map (name, endpoint_type, model or models, ...)")
            return None
        for key in sorted(set(raw) - _ENDPOINT_KEYS):
            self.p.add(
                (*where, key), f"unknown key; expected one of {', '.join(sorted(_ENDPOINT_KEYS))}"
            )
        name = raw.get("name")
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            self.p.add(
                (*where, "name"),
                "expected a name of letters, digits, '-', '_' and '.' (starting with a letter "
                f"or digit), not {name!r}",
            )
            name = None
        etype = raw.get("endpoint_type", "llm/v1/chat")
        if etype not in _ENDPOINT_TYPES:
            self.p.add((*where, "endpoint_type"), f"expected one of {', '.join(_ENDPOINT_TYPES)}")
        ref = f"file:{name or i}"
        primary = self._primary(raw, where, ref)
        fallback = self.fallback(raw.get("fallback"), (*where, "fallback"), ref)
        timeout = self._positive(raw.get("timeout_s", 120.0), (*where, "timeout_s"))
        ttl = self._cache(raw.get("cache"), where)
        retry = self._retry(raw.get("retry"), (*where, "retry"))
        override = raw.get("allow_model_override", False)
        tracking = raw.get("usage_tracking", True)
        for key, value in (("allow_model_override", override), ("usage_tracking", tracking)):
            if not isinstance(value, bool):
                self.p.add((*where, key), "expected true or false")
        experiment = raw.get("experiment_id")
        if experiment is not None and not str(experiment).isdigit():
            self.p.add((*where, "experiment_id"), "expected an experiment id (digits)")
        tags = raw.get("tags") or {}
        if not isinstance(tags, dict):
            self.p.add((*where, "tags"), "expected a map of strings")
            tags = {}
        workspace = raw.get("workspace", "default")
        if not isinstance(workspace, str) or not workspace:
            self.p.add((*where, "workspace"), "expected a workspace name")
        limits = self.limits(raw, where)
        guardrails = self.guardrail_list(
            raw.get("guardrails"), (*where, "guardrails"), f"{workspace}/{name or i}"
        )
        if name is None or not primary or etype not in _ENDPOINT_TYPES:
            return None
        endpoint_type: EndpointType = etype
        return Endpoint(
            endpoint_id=name,
            name=name,
            workspace=str(workspace),
            endpoint_type=endpoint_type,
            primary=tuple(primary),
            fallback=fallback,
            timeout_s=timeout or 120.0,
            retry=retry,
            allow_model_override=bool(override),
            cache_ttl_s=ttl,
            experiment_id=None if experiment is None else str(experiment),
            usage_tracking=bool(tracking),
            limits=tuple(limits),
            guardrail_ids=tuple(guardrails),
            tags={str(k): str(v) for k, v in tags.items()},
        )

    def _primary(self, raw: dict[str, Any], where: tuple[Any, ...], ref: str) -> list[ModelTarget]:
        primary: list[ModelTarget] = []
        if "model" in raw and "models" in raw:
            self.p.add(where, "give either model (MLflow's form) or models, not both")
        elif "model" in raw:
            found = self.target(raw["model"], (*where, "model"), f"{ref}/0")
            primary += [found] if found else []
        elif isinstance(raw.get("models"), list) and raw["models"]:
            for j, item in enumerate(raw["models"]):
                found = self.target(item, (*where, "models", j), f"{ref}/{j}")
                primary += [found] if found else []
        else:
            self.p.add(where, "expected model (a map) or models (a non-empty list)")
        return primary

    def _retry(self, raw: Any, where: tuple[Any, ...]) -> RetryPolicy:
        if raw is None:
            return NO_RETRY
        if not isinstance(raw, dict) or set(raw) - {"retries", "backoff_s", "max_backoff_s", "on"}:
            self.p.add(where, "expected a map with retries, backoff_s, max_backoff_s, on")
            return NO_RETRY
        retries = raw.get("retries", 0)
        if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= 10:
            self.p.add((*where, "retries"), f"expected an integer from 0 to 10, not {retries!r}")
            retries = 0
        backoff = self._positive(raw.get("backoff_s", NO_RETRY.backoff_s), (*where, "backoff_s"))
        longest = self._positive(
            raw.get("max_backoff_s", NO_RETRY.max_backoff_s), (*where, "max_backoff_s")
        )
        on = raw.get("on", list(_FALLBACK_ON))
        if not isinstance(on, list) or any(o not in _FALLBACK_ON for o in on):
            self.p.add((*where, "on"), f"expected a list of {', '.join(_FALLBACK_ON)}")
            on = list(_FALLBACK_ON)
        return RetryPolicy(
            retries,
            backoff or NO_RETRY.backoff_s,
            longest or NO_RETRY.max_backoff_s,
            frozenset(on),
        )

    def _cache(self, cache: Any, where: tuple[Any, ...]) -> float | None:
        if cache is None:
            return None
        if not isinstance(cache, dict) or "ttl_s" not in cache:
            self.p.add((*where, "cache"), "expected a map with ttl_s")
            return None
        return self._positive(cache["ttl_s"], (*where, "cache", "ttl_s"))

    def fallback(self, raw: Any, where: tuple[Any, ...], ref: str) -> FallbackPolicy | None:
        if raw is None:
            return None
        if (
            not isinstance(raw, dict)
            or not isinstance(raw.get("models"), list)
            or not raw["models"]
        ):
            self.p.add(where, "expected a map with models (a non-empty list)")
            return None
        targets = []
        for j, item in enumerate(raw["models"]):
            found = self.target(item, (*where, "models", j), f"{ref}/fallback/{j}")
            targets += [found] if found else []
        attempts = self._count(raw.get("max_attempts", len(targets) + 1), (*where, "max_attempts"))
        on = raw.get("on", list(_FALLBACK_ON))
        if not isinstance(on, list) or any(o not in _FALLBACK_ON for o in on):
            self.p.add((*where, "on"), f"expected a list of {', '.join(_FALLBACK_ON)}")
            on = list(_FALLBACK_ON)
        return FallbackPolicy(tuple(targets), attempts or len(targets) + 1, frozenset(on))

    def routes(self, raw: Any, endpoints: dict[tuple[str, str], Endpoint]) -> list[Endpoint]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.p.add(("routes",), "expected a list of routes")
            return []
        out = []
        for i, route in enumerate(raw):
            where: tuple[Any, ...] = ("routes", i)
            if not isinstance(route, dict):
                self.p.add(where, "expected a map with name and destinations")
                continue
            name = route.get("name")
            if not isinstance(name, str) or not _NAME.fullmatch(name):
                self.p.add((*where, "name"), f"expected a url-safe name, not {name!r}")
                continue
            strategy = route.get("routing_strategy", "TRAFFIC_SPLIT")
            if strategy != "TRAFFIC_SPLIT":
                self.p.add((*where, "routing_strategy"), "expected TRAFFIC_SPLIT")
            destinations = route.get("destinations")
            if not isinstance(destinations, list) or not destinations:
                self.p.add((*where, "destinations"), "expected a non-empty list")
                continue
            targets: list[ModelTarget] = []
            total = 0
            first: Endpoint | None = None
            for j, dest in enumerate(destinations):
                at = (*where, "destinations", j)
                if not isinstance(dest, dict):
                    self.p.add(at, "expected a map with name and traffic_percentage")
                    continue
                target = endpoints.get(("default", str(dest.get("name"))))
                share = dest.get("traffic_percentage")
                if target is None:
                    self.p.add((*at, "name"), f"no endpoint named {dest.get('name')!r}")
                    continue
                count = self._count(share, (*at, "traffic_percentage"))
                if count is None:
                    continue
                total += count
                first = first or target
                targets += [
                    ModelTarget(
                        t.definition_id, t.name, t.provider, t.model, t.secret_ref,
                        t.base_url, t.options, float(count) * t.weight / sum(
                            x.weight for x in target.primary
                        ),
                    )
                    for t in target.primary
                ]  # fmt: skip
            if targets and total != 100:
                self.p.add((*where, "destinations"), f"traffic percentages sum to {total}, not 100")
                continue
            if first is not None and targets:
                out.append(
                    Endpoint(
                        endpoint_id=name,
                        name=name,
                        workspace="default",
                        endpoint_type=first.endpoint_type,
                        primary=tuple(targets),
                        timeout_s=first.timeout_s,
                        usage_tracking=first.usage_tracking,
                    )
                )
        return out


def parse_config(
    text: str, path: str = "<config>", env: Mapping[str, str] | None = None
) -> tuple[list[Endpoint], dict[str, dict[str, str]]]:
    """The endpoints and credentials of a config file's text.

    Raises:
        GatewayConfigError: Every problem found, one per line (``file:line: field: ...``).
    """
    endpoints, credentials, _ = parse_config_guardrails(text, path, env)
    return endpoints, credentials


def parse_config_guardrails(
    text: str, path: str = "<config>", env: Mapping[str, str] | None = None
) -> tuple[list[Endpoint], dict[str, dict[str, str]], dict[str, Guardrail]]:
    """:func:`parse_config`, plus the endpoints' guardrails by id (``<ws>/<endpoint>/<name>``).

    Raises:
        GatewayConfigError: Every problem found, one per line (``file:line: field: ...``).
    """
    data, lines = _compose(text, path)
    problems = _Problems(path, lines)
    parser = _Parser(problems, os.environ if env is None else env)
    endpoints: dict[tuple[str, str], Endpoint] = {}
    if not isinstance(data, dict) or not isinstance(data.get("endpoints"), list):
        problems.add((), "expected a map with endpoints: (a list)")
    else:
        for key in sorted(set(data) - {"endpoints", "routes"}):
            problems.add((key,), "unknown key; expected endpoints or routes")
        for i, raw in enumerate(data["endpoints"]):
            found = parser.endpoint(raw, i)
            if found is None:
                continue
            key = (found.workspace, found.name)
            if key in endpoints:
                problems.add(("endpoints", i, "name"), f"a second endpoint named {found.name!r}")
                continue
            endpoints[key] = found
        for route in parser.routes(data.get("routes"), endpoints):
            if ("default", route.name) in endpoints:
                problems.add(("routes",), f"route {route.name!r} has an endpoint's name")
                continue
            endpoints[("default", route.name)] = route
    if problems.found:
        raise GatewayConfigError("Invalid gateway config:\n" + "\n".join(problems.found))
    return list(endpoints.values()), parser.credentials, parser.guardrails


class FileGatewaySource:
    """Endpoints and credentials from a YAML config file (see the module doc).

    Args:
        path: The file.
        env: Where ``$VAR`` references are looked up (default: the process environment).

    Raises:
        GatewayConfigError: The file does not validate.
    """

    def __init__(self, path: str | Path, env: Mapping[str, str] | None = None) -> None:
        self._path = Path(path)
        self._env = env
        self._lock = threading.Lock()
        self._generation = 0
        self._endpoints: dict[str, dict[str, Endpoint]] = {}
        self._credentials: dict[str, dict[str, str]] = {}
        self._guardrails: dict[str, Guardrail] = {}
        self.reload()

    def __repr__(self) -> str:
        return f"FileGatewaySource({str(self._path)!r})"

    @property
    def generation(self) -> int:
        """Moves when :meth:`reload` finds a change."""
        return self._generation

    def reload(self) -> bool:
        """Read the file again; True when something changed.

        Raises:
            GatewayConfigError: The file does not validate (the loaded config stays).
        """
        try:
            text = self._path.read_text(encoding="utf-8")
        except OSError as exc:
            raise GatewayConfigError(
                f"{self._path}: cannot read the gateway config: {exc}"
            ) from None
        found, credentials, guardrails = parse_config_guardrails(text, str(self._path), self._env)
        by_workspace: dict[str, dict[str, Endpoint]] = {}
        for endpoint in found:
            by_workspace.setdefault(endpoint.workspace, {})[endpoint.name] = endpoint
        with self._lock:
            changed = (
                by_workspace != self._endpoints
                or credentials != self._credentials
                or guardrails != self._guardrails
            )
            if changed:
                self._endpoints, self._credentials = by_workspace, credentials
                self._guardrails = guardrails
                self._generation += 1
        return changed

    def endpoint(self, workspace: str, name: str) -> Endpoint | None:
        """The endpoint called ``name`` in ``workspace``, or None."""
        return self._endpoints.get(workspace, {}).get(name)

    def endpoints(self, workspace: str) -> Sequence[Endpoint]:
        """Every endpoint of ``workspace``, by name."""
        found = self._endpoints.get(workspace, {})
        return [found[name] for name in sorted(found)]

    def guardrails(self, endpoint: Endpoint) -> list[Guardrail]:
        """The guardrails of ``endpoint``, in the file's order."""
        return [self._guardrails[g] for g in endpoint.guardrail_ids if g in self._guardrails]

    def credentials(self, target: ModelTarget) -> Mapping[str, str]:
        """The resolved credentials of ``target`` (empty when it has none)."""
        return dict(self._credentials.get(target.secret_ref or "", {}))
