"""The AI gateway: one OpenAI-compatible endpoint in front of every provider.

The pieces (see ``docs/gateway.md``):

- :mod:`ardea.gateway.config`: the resolved configuration the request path reads
  (endpoints, their model targets, routing, limits) and :class:`GatewaySource`, the one
  interface behind which the YAML file mode and the database-backed mode both sit;
  :mod:`ardea.gateway.memory`: an in-memory source;
- the request path: :mod:`~ardea.gateway.proxy` (``Gateway.invoke``), :mod:`~ardea.gateway.routes`
  (the invocation surfaces and their dialects), :mod:`~ardea.gateway.router` (weighted split,
  fallback), :mod:`~ardea.gateway.upstream` (a target's URL and credentials),
  :mod:`~ardea.gateway.http` (the upstream HTTP client), :mod:`~ardea.gateway.translate`
  (calls across dialects, through :mod:`ardea.llm`'s adapters), :mod:`~ardea.gateway.cache`,
  :mod:`~ardea.gateway.usage`, :mod:`~ardea.gateway.errors`;
- observability: :mod:`~ardea.gateway.recorder` (request traces, batched, bounded) and
  :mod:`~ardea.gateway.metrics` (Prometheus);
- limits, budgets and guardrails: with the management work.

This package sits above ``scorers`` (guardrails may run scorers) and below ``server``; the
HTTP routes live in ``ardea.server``.
"""

from __future__ import annotations

__all__: list[str] = []
