"""Structured output: a JSON value out of a reply, validated against a JSON schema.

Where the provider enforces a schema (OpenAI-style ``response_format``, Gemini's
``responseSchema``, a forced tool on Anthropic and Bedrock) the reply is still validated here.
Where it does not (``structured_output="prompt"``, or Bedrock models without forced tools), the
schema goes into a system instruction, and the JSON value is taken from the reply's text: the
whole text, else a fenced ```json block, else the first balanced ``{...}`` (or ``[...]``) that
parses. A reply that does not validate gets ONE repair turn (the errors are sent back to the
model); if that fails too, :class:`~ardea.llm.errors.StructuredOutputError` is raised.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["check", "extract_json", "instruction", "own_copy", "repair_message", "validate"]

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n(.*?)```", re.DOTALL)
_MAX_ERRORS = 5


def instruction(schema: dict[str, Any]) -> str:
    """The system instruction that asks for a JSON value matching ``schema``."""
    return (
        "Answer with a single JSON value that is valid against this JSON schema, and nothing "
        "else (no prose, no code fence):\n" + json.dumps(schema, ensure_ascii=False)
    )


def repair_message(errors: list[str]) -> str:
    """The user turn that asks the model to correct an invalid answer."""
    listed = "\n".join(f"- {e}" for e in errors[:_MAX_ERRORS])
    return (
        "Your answer is not valid against the required JSON schema:\n"
        f"{listed}\nReply again with only the corrected JSON value."
    )


def _balanced(text: str, start: int) -> str | None:
    opening = text[start]
    closing = "}" if opening == "{" else "]"
    depth = 0
    in_string = False
    escaped = False
    for i in range(start, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == opening:
            depth += 1
        elif ch == closing:
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
    return None


def extract_json(text: str) -> tuple[bool, Any]:
    """``(True, value)`` for the first JSON value found in ``text``, else ``(False, None)``."""
    stripped = text.strip()
    candidates = [stripped, *(m.strip() for m in _FENCE.findall(text))]
    for candidate in candidates:
        if candidate:
            try:
                return True, json.loads(candidate)
            except ValueError:
                pass
    for i, ch in enumerate(text):
        if ch in "{[":
            chunk = _balanced(text, i)
            if chunk is not None:
                try:
                    return True, json.loads(chunk)
                except ValueError:
                    continue
    return False, None


_COPIES: dict[int, tuple[Mapping[str, Any], dict[str, Any], dict[str, Any]]] = {}
"""The client's own copy of each schema object, by ``id``: ``(schema, copy as it was, own
copy)``."""


def own_copy(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The client's own (shallow) copy of a caller's ``response_schema``.

    The same copy object while the caller passes the same, unchanged schema object (a judge
    does on every call), so the checks and validators remembered by object here keep
    applying; a new copy when the schema or the copy was changed since.
    """
    entry = _COPIES.get(id(schema))
    if entry is not None and entry[0] is schema and entry[1] == schema == entry[2]:
        return entry[2]
    own = dict(schema)
    if len(_COPIES) >= _CHECKED_MAX:
        _COPIES.clear()
    _COPIES[id(schema)] = (schema, copy.deepcopy(own), own)
    return own


_VALIDATORS: dict[int, tuple[dict[str, Any], dict[str, Any], Any]] = {}
"""Validators by ``id`` of the schema object, with the schema and a copy of it as it was: a
judge validates every answer against the same schema object."""


def _validator(schema: dict[str, Any]) -> Any:
    """A validator of ``schema``, reused while the same, unchanged schema object is given."""
    entry = _VALIDATORS.get(id(schema))
    if entry is not None and entry[0] is schema and entry[1] == schema:
        return entry[2]
    import jsonschema

    validator_cls = jsonschema.validators.validator_for(
        schema, default=jsonschema.Draft202012Validator
    )
    validator = validator_cls(schema)
    if len(_VALIDATORS) >= _CHECKED_MAX:
        _VALIDATORS.clear()
    _VALIDATORS[id(schema)] = (schema, copy.deepcopy(schema), validator)
    return validator


def validate(value: Any, schema: dict[str, Any]) -> list[str]:
    """What is wrong with ``value`` against ``schema`` (``[]``: valid)."""
    validator = _validator(schema)
    errors = []
    for error in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        errors.append(f"{where}: {error.message[:200]}")
        if len(errors) >= _MAX_ERRORS:
            break
    return errors


def check(
    text: str, parsed: Any, has_parsed: bool, schema: dict[str, Any]
) -> tuple[Any, list[str]]:
    """``(value, errors)`` of a reply: its parsed value, or one taken from ``text``, checked."""
    if not has_parsed:
        has_parsed, parsed = extract_json(text)
        if not has_parsed:
            return None, ["the reply holds no JSON value"]
    return parsed, validate(parsed, schema)


_CHECKED_SCHEMAS: dict[str, None] = {}
"""Schemas (as canonical JSON) already found valid: a judge sends the same schema on every
call, and checking it against the meta-schema costs milliseconds each time."""
_CHECKED_MAX = 256
_CHECKED_OBJECTS: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
"""Checked schema objects by ``id``, with a copy as checked: the same unchanged object
needs no canonical JSON either (a judge passes its schema object on every call)."""


def check_schema(schema: Any) -> None:
    """Raise ``InvalidArgumentError`` when ``schema`` is not a valid JSON schema object."""
    from ardea._core.errors import InvalidArgumentError

    if not isinstance(schema, dict):
        raise InvalidArgumentError("response_schema must be a JSON schema (a dict)")
    seen = _CHECKED_OBJECTS.get(id(schema))
    if seen is not None and seen[0] is schema and seen[1] == schema:
        return  # the same schema object as a checked one, unchanged since
    try:
        key: str | None = json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError):
        key = None
    if key is not None and key in _CHECKED_SCHEMAS:
        _CHECKED_OBJECTS[id(schema)] = (schema, copy.deepcopy(schema))
        return
    import jsonschema

    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise InvalidArgumentError(
            f"response_schema is not a valid JSON schema: {exc.message}"
        ) from None
    if key is not None:
        if len(_CHECKED_SCHEMAS) >= _CHECKED_MAX:
            _CHECKED_SCHEMAS.clear()
            _CHECKED_OBJECTS.clear()
        _CHECKED_SCHEMAS[key] = None
        _CHECKED_OBJECTS[id(schema)] = (schema, copy.deepcopy(schema))
