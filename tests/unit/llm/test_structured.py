"""JSON out of replies, validated against a schema."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.llm import structured

SCHEMA = {
    "type": "object",
    "properties": {
        "result": {"type": "string", "enum": ["yes", "no"]},
        "score": {"type": "number"},
    },
    "required": ["result"],
}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"result": "yes"}', {"result": "yes"}),
        ('Here it is:\n```json\n{"result": "no"}\n```\nDone.', {"result": "no"}),
        ('Sure. {"result": "yes", "note": "a } in a string"} hope that helps',
         {"result": "yes", "note": "a } in a string"}),
        ("noise {not json} then [1, 2]", [1, 2]),
    ],
)  # fmt: skip
def test_json_is_found_in_replies(text: str, value: object) -> None:
    assert structured.extract_json(text) == (True, value)


def test_no_json_is_no_json() -> None:
    assert structured.extract_json("I cannot answer that.") == (False, None)


def test_validation_lists_what_is_wrong() -> None:
    assert structured.validate({"result": "yes", "score": 1}, SCHEMA) == []
    errors = structured.validate({"result": "maybe", "score": "high"}, SCHEMA)
    assert len(errors) == 2 and errors[0].startswith("result:") and errors[1].startswith("score:")
    assert structured.check("no json here", None, False, SCHEMA) == (
        None, ["the reply holds no JSON value"])  # fmt: skip


def test_an_invalid_schema_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="not a valid JSON schema"):
        structured.check_schema({"type": "no-such-type"})
    with pytest.raises(InvalidArgumentError):
        structured.check_schema(["not", "a", "dict"])


def test_check_schema_remembers_valid_schemas_only() -> None:
    from ardea._core.errors import InvalidArgumentError
    from ardea.llm import structured

    good = {"type": "object", "properties": {"result": {"type": "boolean"}}}
    structured.check_schema(good)
    structured.check_schema(good)  # the second check is a dict lookup
    assert json.dumps(good, sort_keys=True) in structured._CHECKED_SCHEMAS
    bad = {"type": "no-such-type"}
    for _ in range(2):
        with pytest.raises(InvalidArgumentError, match="not a valid JSON schema"):
            structured.check_schema(bad)


def test_a_schema_changed_in_place_is_validated_as_it_now_is() -> None:
    """Validators are reused per schema object only while it is unchanged."""
    from ardea.llm.structured import validate

    schema: dict[str, Any] = {"type": "object", "properties": {"ok": {"type": "boolean"}}}
    assert validate({"ok": True}, schema) == []
    assert validate({"ok": True}, schema) == []
    schema["properties"]["ok"]["type"] = "string"
    assert validate({"ok": True}, schema) != []
    schema["required"] = ["why"]
    assert len(validate({"ok": "yes"}, schema)) == 1


def test_a_checked_schema_changed_in_place_is_checked_again() -> None:
    from ardea.llm.structured import check_schema

    schema: dict[str, Any] = {"type": "object"}
    check_schema(schema)
    check_schema(schema)
    schema["type"] = 12
    with pytest.raises(InvalidArgumentError, match="not a valid JSON schema"):
        check_schema(schema)


def test_own_copy_is_the_same_object_while_the_schema_is_unchanged() -> None:
    """The client's copy stays one object, so the checks remembered by object keep applying."""
    from ardea.llm.structured import _VALIDATORS, own_copy, validate

    schema: dict[str, Any] = {"type": "object", "properties": {"ok": {"type": "boolean"}}}
    first = own_copy(schema)
    assert first == schema and first is not schema
    assert own_copy(schema) is first
    validate({"ok": True}, own_copy(schema))
    built = _VALIDATORS[id(first)][2]
    validate({"ok": False}, own_copy(schema))
    assert _VALIDATORS[id(first)][2] is built  # no validator built per call
    schema["properties"]["ok"]["type"] = "string"  # the caller changes it in place
    second = own_copy(schema)
    assert second is not first and second["properties"]["ok"]["type"] == "string"
    assert validate({"ok": True}, second) != []
    second["required"] = ["ok"]  # someone changes the copy: the next call gets a fresh one
    third = own_copy(schema)
    assert third is not second and "required" not in third
