"""The AI gateway: one OpenAI-compatible endpoint in front of every provider.

The pieces (see ``docs/gateway.md`` as they land):

- :mod:`ardea.gateway.config`: the resolved configuration the request path reads
  (endpoints, their model targets, routing, limits) and :class:`GatewaySource`, the one
  interface behind which the YAML file mode and the database-backed mode both sit;
- routing, fallback, limits, budgets, guardrails and usage recording, built on
  :mod:`ardea.llm`.

This package sits above ``scorers`` (guardrails may run scorers) and below ``server``; the
HTTP routes live in ``ardea.server``.
"""

from __future__ import annotations

__all__: list[str] = []
