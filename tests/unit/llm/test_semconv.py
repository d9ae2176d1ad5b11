"""The one normalization point: attribute decoding and the convention mapping (MLflow 3.18)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ardea.entities import SpanEvent
from ardea.llm.conventions import CONVENTIONS
from ardea.llm.semconv import decode_attribute_values, normalize_attributes


def normalized(attributes: dict[str, Any], events: list[SpanEvent] | None = None) -> dict[str, Any]:
    out = dict(attributes)
    normalize_attributes(out, events or [])
    return out


# ------------------------------------------------------------------------------------ decoding


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        (json.dumps("hi"), "hi"),
        (json.dumps({"a": [1]}), {"a": [1]}),
        (json.dumps([1, "x"]), [1, "x"]),
        ("  [1]", [1]),
        (json.dumps(json.dumps("x")), json.dumps("x")),  # one layer, not two
        ("5", "5"),
        ("true", "true"),
        ("null", "null"),
        ("plain text", "plain text"),
        ('{"broken": ', '{"broken": '),
        (7, 7),
    ],
)
def test_other_keys_lose_a_json_layer_only_for_strings_objects_and_arrays(
    raw: Any, decoded: Any
) -> None:
    attributes = {"custom": raw}
    decode_attribute_values(attributes)
    assert attributes["custom"] == decoded


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("5", 5),
        ("true", True),
        ("false", False),
        ("null", None),
        (json.dumps("LLM"), "LLM"),
        ("LLM", "LLM"),
        ("tr-7357f972471c9110ce43e86769025c57", "tr-7357f972471c9110ce43e86769025c57"),
        ("nullable", "nullable"),
        ("fast", "fast"),
    ],
)
def test_mlflow_keys_are_decoded_whatever_json_they_hold(raw: str, decoded: Any) -> None:
    attributes = {"mlflow.spanFunctionName": raw}
    decode_attribute_values(attributes)
    assert attributes["mlflow.spanFunctionName"] == decoded


def test_decoding_says_whether_a_convention_key_is_present() -> None:
    assert decode_attribute_values({"mlflow.spanType": '"LLM"', "custom": "x"}) is False
    assert decode_attribute_values({"custom": "x", "gen_ai.system": "openai"}) is True
    assert decode_attribute_values({}) is False


def test_spans_without_conventions_are_only_decoded() -> None:
    assert normalized({"a": json.dumps("b"), "n": 1}) == {"a": "b", "n": 1}


# ----------------------------------------------------------------------------------- span type


@pytest.mark.parametrize(
    ("attributes", "span_type"),
    [
        ({"openinference.span.kind": "TOOL"}, "TOOL"),
        ({"openinference.span.kind": "llm"}, "LLM"),
        ({"openinference.span.kind": "PROMPT"}, "PROMPT"),  # kept: any string is a type
        ({"gen_ai.operation.name": "invoke_agent"}, "AGENT"),
        ({"gen_ai.operation.name": "Chat"}, "CHAT_MODEL"),
        ({"gen_ai.operation.name": "retrieval"}, "RETRIEVER"),
        ({"gen_ai.operation.name": "tool_call", "gen_ai.agent.name": "gemini-cli"}, "TOOL"),
        ({"traceloop.span.kind": "task"}, "TASK"),
        ({"traceloop.span.kind": "agent"}, "AGENT"),
        ({"ai.operationId": "ai.embedMany"}, "EMBEDDING"),
        ({"lmnr.span.type": "DEFAULT"}, "CHAIN"),
        ({"langfuse.observation.type": "retriever"}, "RETRIEVER"),
        ({"span.type": "llm_request"}, "LLM"),  # Claude Code's short name
        ({"span.type": "claude_code.interaction"}, "AGENT"),
    ],
)
def test_span_kinds_become_span_types(attributes: dict[str, str], span_type: str) -> None:
    assert normalized(attributes)["mlflow.spanType"] == span_type


@pytest.mark.parametrize(
    "attributes",
    [
        {"gen_ai.operation.name": "tool_call"},  # Gemini CLI's name, but not Gemini CLI
        {"gen_ai.operation.name": "user_prompt", "gen_ai.agent.name": "gemini-cli"},
        {"traceloop.span.kind": "mystery"},
        {"span.type": "agent"},  # VoltAgent's, not Claude Code's
    ],
)
def test_unknown_kinds_give_no_type(attributes: dict[str, str]) -> None:
    assert "mlflow.spanType" not in normalized(attributes)


def test_openinference_is_read_before_the_genai_conventions() -> None:
    attributes = {"openinference.span.kind": "RETRIEVER", "gen_ai.operation.name": "chat"}
    assert normalized(attributes)["mlflow.spanType"] == "RETRIEVER"


def test_a_given_type_wins_but_unknown_does_not() -> None:
    given = {"mlflow.spanType": "AGENT", "gen_ai.operation.name": "chat"}
    assert normalized(given)["mlflow.spanType"] == "AGENT"
    unknown = {"mlflow.spanType": json.dumps("UNKNOWN"), "traceloop.span.kind": "tool"}
    assert normalized(unknown)["mlflow.spanType"] == "TOOL"
    nothing = {"mlflow.spanType": "UNKNOWN", "gen_ai.request.model": "m"}
    assert normalized(nothing)["mlflow.spanType"] == "UNKNOWN"


# ----------------------------------------------------------------------------- inputs/outputs


@pytest.mark.parametrize(
    ("input_key", "output_key"),
    [
        ("input.value", "output.value"),
        ("gen_ai.input.messages", "gen_ai.output.messages"),
        ("gen_ai.tool.call.arguments", "gen_ai.tool.call.result"),
        ("gen_ai.prompt", "gen_ai.completion"),
        ("traceloop.entity.input", "traceloop.entity.output"),
        ("gen_ai.prompt.3.content", "gen_ai.completion.0.content"),
        ("gen_ai.completion.0.tool_calls.1.arguments", "traceloop.entity.output"),
        ("gcp.vertex.agent.llm_request", "gcp.vertex.agent.llm_response"),
        ("ai.prompt", "ai.response.text"),
        ("lmnr.span.input", "lmnr.span.output"),
        ("langfuse.observation.input", "langfuse.observation.output"),
    ],
)
def test_inputs_and_outputs_are_taken_as_the_attribute_holds_them(
    input_key: str, output_key: str
) -> None:
    got = normalized({input_key: "Hello, world!", output_key: json.dumps({"text": "Bye!"})})
    assert got["mlflow.spanInputs"] == "Hello, world!"
    assert got["mlflow.spanOutputs"] == {"text": "Bye!"}


@pytest.mark.parametrize("empty", ["", "{}", "[]", 0, False])
def test_empty_values_are_passed_over(empty: Any) -> None:
    got = normalized({"input.value": empty, "traceloop.entity.input": "later"})
    assert got["mlflow.spanInputs"] == "later"


def test_given_inputs_win_and_openinference_comes_first() -> None:
    got = normalized({"mlflow.spanInputs": json.dumps("mine"), "input.value": "theirs"})
    assert got["mlflow.spanInputs"] == "mine"
    got = normalized({"gen_ai.input.messages": "genai", "input.value": "openinference"})
    assert got["mlflow.spanInputs"] == "openinference"


def test_vercel_chat_calls_gather_their_prompt_and_response_attributes() -> None:
    got = normalized(
        {
            "ai.operationId": "ai.generateText.doGenerate",
            "ai.prompt.messages": json.dumps([{"role": "user", "content": "hi"}]),
            "ai.prompt.tools": [json.dumps({"name": "search"})],
            "ai.response.text": "hello",
            "ai.response.finishReason": "stop",
        }
    )
    assert got["mlflow.spanInputs"] == {
        "messages": [{"role": "user", "content": "hi"}],
        "tools": [{"name": "search"}],
    }
    assert got["mlflow.spanOutputs"] == {"text": "hello", "finishReason": "stop"}
    assert (got["mlflow.spanType"], got["mlflow.message.format"]) == ("LLM", "vercel_ai")


def test_genai_message_events_supply_inputs_and_outputs() -> None:
    events = [
        SpanEvent("gen_ai.user.message", 1, {"content": "hi"}),
        SpanEvent("gen_ai.choice", 2, {"message": json.dumps({"content": "yo"})}),
    ]
    got = normalized({"gen_ai.operation.name": "chat"}, events)
    assert got["mlflow.spanInputs"] == {"messages": [{"content": "hi", "role": "user"}]}
    assert got["mlflow.spanOutputs"] == {"choices": [{"message": {"content": "yo"}}]}


# ------------------------------------------------------------------ tokens, model, tools, cost


def test_traceloop_tokens_and_totals() -> None:
    got = normalized(
        {
            "gen_ai.usage.prompt_tokens": 10,
            "gen_ai.usage.completion_tokens": "5",
            "llm.usage.total_tokens": 16,
        }
    )
    assert got["mlflow.chat.tokenUsage"] == {
        "input_tokens": 10,
        "output_tokens": 5,
        "total_tokens": 16,
    }


def test_cache_token_counts_are_kept() -> None:
    got = normalized(
        {
            "gen_ai.usage.input_tokens": 100,
            "gen_ai.usage.output_tokens": 7,
            "gen_ai.usage.cache_read.input_tokens": 60,
            "gen_ai.usage.cache_creation.input_tokens": 0,
        }
    )
    assert got["mlflow.chat.tokenUsage"] == {
        "input_tokens": 100,
        "output_tokens": 7,
        "total_tokens": 107,
        "cache_read_input_tokens": 60,
        "cache_creation_input_tokens": 0,
    }


@pytest.mark.parametrize(
    ("attributes", "model"),
    [
        ({"llm.response.model_name": "a", "llm.model_name": "b"}, "a"),
        ({"embedding.model_name": "e"}, "e"),
        ({"gen_ai.response.model": json.dumps("r"), "gen_ai.request.model": "q"}, "r"),
        ({"input.value": json.dumps({"model": "from-inputs"})}, "from-inputs"),
    ],
)
def test_model_names(attributes: dict[str, Any], model: str) -> None:
    assert normalized(attributes)["mlflow.llm.model"] == model


def test_provider_and_tool_definitions() -> None:
    got = normalized(
        {
            "gen_ai.system": "openai",
            "gen_ai.tool.definitions": json.dumps([{"name": "search"}]),
        }
    )
    assert got["mlflow.llm.provider"] == "openai"
    assert got["mlflow.chat.tools"] == [{"name": "search"}]


def test_laminar_spans_say_their_message_format() -> None:
    assert normalized({"lmnr.span.type": "LLM"})["mlflow.message.format"] == "openai"


def test_every_convention_has_a_name_and_something_to_read() -> None:
    for convention in CONVENTIONS:
        assert convention.name
        assert convention.kind_key or convention.inputs or convention.input_tokens


# ------------------------------------------------------------------------- sessions and users


@pytest.mark.parametrize(
    ("attributes", "session", "user"),
    [
        ({"gen_ai.conversation.id": "c-1", "enduser.id": "e-1"}, "c-1", "e-1"),
        (
            {
                "traceloop.association.properties.session_id": "t-s",
                "traceloop.association.properties.user_id": 42,
            },
            "t-s",
            "42",
        ),
        ({"langfuse.session.id": "l-s", "langfuse.user.id": "l-u"}, "l-s", "l-u"),
        # the span's own session.id / user.id win; empty and boolean values are passed over
        ({"session.id": "own", "gen_ai.conversation.id": "c", "user.id": "me"}, "own", "me"),
        ({"gen_ai.conversation.id": "", "enduser.id": True}, None, None),
    ],
)
def test_session_and_user_of_each_convention(
    attributes: dict[str, Any], session: str | None, user: str | None
) -> None:
    out = normalized(attributes)
    assert (out.get("session.id"), out.get("user.id")) == (session, user)


def test_the_genai_conventions_previous_names() -> None:
    out = normalized(
        {
            "gen_ai.operation.name": "chat",
            "gen_ai.system": "openai",
            "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.usage.prompt_tokens": 10,
            "gen_ai.usage.completion_tokens": 5,
        }
    )
    assert out["mlflow.spanType"] == "CHAT_MODEL"
    assert out["mlflow.llm.provider"] == "openai"
    assert out["mlflow.chat.tokenUsage"] == {
        "input_tokens": 10,
        "output_tokens": 5,
        "total_tokens": 15,
    }
    assert out["mlflow.llm.cost"]["total_cost"] > 0


@pytest.mark.parametrize(
    ("request_type", "span_type"),
    [("chat", "CHAT_MODEL"), ("completion", "LLM"), ("embedding", "EMBEDDING")],
)
def test_openllmetry_request_type(request_type: str, span_type: str) -> None:
    assert normalized({"llm.request.type": request_type})["mlflow.spanType"] == span_type
