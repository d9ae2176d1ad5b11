"""Sanitization by an action endpoint: what a SANITIZATION judge guardrail does on a failure.

As MLflow's gateway does, the failing payload (the request body BEFORE the call, the answer
AFTER it) and the judge's rationale go to the guardrail's action endpoint, a chat endpoint
of the same workspace, with MLflow's sanitizer prompt; its answer's message content must be
the rewritten payload as a JSON object, which then goes on in place of the original. The
call runs through the gateway itself (routing, credentials, its own trace), without
guardrails (:data:`SANITIZING` is set while it runs, so a sanitizer cannot recurse).
Anything else (an error answer, content that is not a JSON object) fails the guardrail
closed: the request is blocked.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any

__all__ = ["SANITIZE_PROMPT", "SANITIZING", "sanitization_request", "sanitized_payload"]

SANITIZE_PROMPT = """\
You are a content sanitizer. You will receive a JSON payload and an issue description.
Fix the issue by modifying the content using the following rules:
- Replace content that cannot be safely rephrased (e.g. sensitive data, PII, credentials)
  with [REDACTED].
- Rewrite content that can be made acceptable (e.g. soften hostile tone, remove bias,
  generalize specifics).
Preserve the payload structure and overall intent. Do not add new fields or change the schema.
Return ONLY a valid JSON object with the same schema as the input payload.

Issue: {rationale}

Input payload:
{payload_json}"""
"""MLflow's sanitizer prompt (``mlflow.gateway.guardrails``), word for word."""

SANITIZING: ContextVar[bool] = ContextVar("ardea_gateway_sanitizing", default=False)
"""True inside a sanitization call: the guard runs no guardrails on it."""


def sanitization_request(payload: dict[str, Any], rationale: str) -> dict[str, Any]:
    """The OpenAI chat body (without ``model``) sent to the action endpoint."""
    prompt = SANITIZE_PROMPT.format(
        rationale=rationale, payload_json=json.dumps(payload, indent=2, ensure_ascii=False)
    )
    return {"messages": [{"role": "user", "content": prompt}]}


def sanitized_payload(status: int, answer: bytes) -> dict[str, Any]:
    """The rewritten payload in the action endpoint's answer.

    Raises:
        ValueError: An error answer, no ``choices[0].message.content``, or content that is
            not a JSON object.
    """
    if status != 200:
        raise ValueError(f"the action endpoint answered {status}")
    try:
        content = json.loads(answer)["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise ValueError("the action endpoint's answer has no choices[0].message.content") from None
    text = str(content).strip()
    if text.startswith("```"):  # a fenced block: the JSON inside it
        text = text.strip("`").removeprefix("json").strip()
    try:
        value = json.loads(text)
    except ValueError:
        raise ValueError("the action endpoint did not answer a JSON object") from None
    if not isinstance(value, dict):
        raise ValueError("the action endpoint did not answer a JSON object")
    return value
